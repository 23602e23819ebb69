"""Unit parsing and conversion.

Two fields in units of the same dimension (人 and 万人) can hold the same number after a
conversion; units of different dimensions (户 and 人, 吨 and 亩) never do.  Counting
classifiers (个, 家, 处, 头, 只 …) share one dimension ``count`` because forms mix them
freely for the same thing; persons and households are kept apart because 户 vs 人 is a
real difference between data items.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from qingzhuang.i18n import gettext

_MU = 10000.0 / 15.0  # 1 亩 in square metres

# base units: person, household, area (m²), mass (kg), money (元), length (m), volume (m³),
# energy (kWh), count, ratio, time (day)
_SIMPLE: dict[str, tuple[str, float]] = {
    "人": ("person", 1.0),
    "人次": ("person_time", 1.0),
    "户": ("household", 1.0),
    "平方米": ("area", 1.0),
    "米2": ("area", 1.0),
    "m2": ("area", 1.0),
    "平方公里": ("area", 1e6),
    "平方千米": ("area", 1e6),
    "亩": ("area", _MU),
    "公顷": ("area", 1e4),
    "顷": ("area", 1e4),  # statistical forms abbreviate 公顷 as 顷
    "公倾": ("area", 1e4),  # common typo in real forms
    "平方": ("area", 1.0),
    "千克": ("mass", 1.0),
    "公斤": ("mass", 1.0),
    "kg": ("mass", 1.0),
    "克": ("mass", 1e-3),
    "斤": ("mass", 0.5),
    "吨": ("mass", 1000.0),
    "t": ("mass", 1000.0),
    "元": ("money", 1.0),
    "米": ("length", 1.0),
    "公里": ("length", 1000.0),
    "千米": ("length", 1000.0),
    "km": ("length", 1000.0),
    "立方米": ("volume", 1.0),
    "方": ("volume", 1.0),
    "m3": ("volume", 1.0),
    "升": ("volume", 1e-3),
    "千瓦时": ("energy", 1.0),
    "度": ("energy", 1.0),
    "千瓦": ("power", 1.0),
    "%": ("ratio", 0.01),
    "‰": ("ratio", 0.001),
    "百分比": ("ratio", 0.01),
    "日": ("time", 1.0),
    "天": ("time", 1.0),
    "年": ("time", 365.0),
    "小时": ("time", 1.0 / 24.0),
}
_COUNT_WORDS = "个家处所座套台眼床只头株根辆艘张件条间名匹羽棵口项次批宗箱本册部"
for _c in _COUNT_WORDS:
    _SIMPLE.setdefault(_c, ("count", 1.0))

_PREFIX: dict[str, float] = {
    "十": 10.0,
    "百": 100.0,
    "千": 1e3,
    "万": 1e4,
    "十万": 1e5,
    "百万": 1e6,
    "千万": 1e7,
    "亿": 1e8,
}


@dataclass(frozen=True, slots=True)
class Unit:
    """A parsed unit: ``dimension`` plus the ``factor`` that converts a value to the base."""

    text: str
    dimension: str
    factor: float

    @property
    def known(self) -> bool:
        return not self.dimension.startswith("?")


def clean_unit(text: str) -> str:
    """Normalise width, case and decoration of a unit string ("（万人）" → "万人")."""
    t = unicodedata.normalize("NFKC", text or "").strip().lower()
    t = re.sub(r"^[(\[]+|[)\]]+$", "", t)
    t = t.replace(" ", "").replace("／", "/")
    return t.replace("计量单位:", "").replace("单位:", "")


def _parse_simple(t: str) -> tuple[str, float] | None:
    if t in _SIMPLE:
        return _SIMPLE[t]
    for prefix in sorted(_PREFIX, key=len, reverse=True):
        if t.startswith(prefix) and t[len(prefix) :] in _SIMPLE:
            dim, f = _SIMPLE[t[len(prefix) :]]
            return dim, f * _PREFIX[prefix]
    return None


def parse_unit(text: str) -> Unit | None:
    """Parse a unit string; ``None`` when empty, an unknown ``?…`` dimension when unparseable."""
    t = clean_unit(text)
    if not t:
        return None
    simple = _parse_simple(t)
    if simple:
        return Unit(t, simple[0], simple[1])
    if "/" in t:
        num, _, den = t.partition("/")
        a, b = _parse_simple(num), _parse_simple(den)
        if a and b:
            return Unit(t, f"{a[0]}/{b[0]}", a[1] / b[1])
    return Unit(t, "?" + t, 1.0)


def is_unit(text: str) -> bool:
    """True when ``text`` is a known unit (used to pull "(万吨)" out of labels)."""
    u = parse_unit(text)
    return u is not None and u.known


def compatible(a: str, b: str) -> bool | None:
    """True/False when both units are given; ``None`` when either is missing."""
    ua, ub = parse_unit(a), parse_unit(b)
    if ua is None or ub is None:
        return None
    return ua.dimension == ub.dimension


def convert(value: float, from_unit: str, to_unit: str) -> float:
    """Convert ``value`` between units of one dimension (万人 → 人 multiplies by 10 000)."""
    ua, ub = parse_unit(from_unit), parse_unit(to_unit)
    if ua is None or ub is None or ua.dimension != ub.dimension:
        none = gettext("无")
        raise ValueError(
            gettext("单位不可换算：%(source)s → %(target)s")
            % {"source": from_unit or none, "target": to_unit or none}
        )
    return value * ua.factor / ub.factor
