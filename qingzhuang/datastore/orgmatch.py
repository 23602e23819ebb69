"""Match a row label of a form ("中共青山村支部委员会", "青山", "青山村委会") to an org unit."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from qingzhuang.org.models import OrgUnit

_SPACE = re.compile(r"[\s\u3000]+")
_NUMBERING = re.compile(r"^[（(]?[0-9一二三四五六七八九十]+[)）.、．]\s*")
_PREFIXES = ("中国共产党", "中共")
_SUFFIXES = (
    "党总支部委员会",
    "总支部委员会",
    "党支部委员会",
    "支部委员会",
    "村民委员会",
    "居民委员会",
    "党总支",
    "党支部",
    "总支部",
    "村委会",
    "居委会",
    "委员会",
    "支部",
    "社区",
    "居委",
    "村委",
    "村",
)
_TOTALS = ("合计", "小计", "总计", "累计", "全镇", "全乡", "全县", "全区", "总数")


def norm_name(text: str) -> str:
    t = unicodedata.normalize("NFKC", text or "")
    t = _SPACE.sub("", t)
    t = _NUMBERING.sub("", t)
    for p in _PREFIXES:
        if t.startswith(p):
            t = t[len(p) :]
    changed = True
    while changed and t:
        changed = False
        for s in _SUFFIXES:
            if t.endswith(s) and len(t) > len(s):
                t = t[: -len(s)]
                changed = True
                break
    return t


def is_total_label(text: str) -> bool:
    t = _SPACE.sub("", text or "")
    return any(t.startswith(w) or t == w for w in _TOTALS)


class OrgMatcher:
    """Names of the units below a root, normalised once; ambiguous names match nothing."""

    def __init__(self, root: OrgUnit, units: Iterable[OrgUnit]) -> None:
        self.root = root
        self.by_name: dict[str, OrgUnit | None] = {}
        # villages/communities first so that a grid called like its village never wins
        ordered = sorted(units, key=lambda u: (not u.is_village, u.depth))
        for unit in ordered:
            for key in {_SPACE.sub("", unit.name), norm_name(unit.name)}:
                if not key:
                    continue
                if key in self.by_name and self.by_name[key] is not unit:
                    existing = self.by_name[key]
                    if existing is not None and existing.is_village and not unit.is_village:
                        continue
                    self.by_name[key] = None
                else:
                    self.by_name[key] = unit
        self.root_keys = {_SPACE.sub("", root.name), norm_name(root.name)}

    @classmethod
    def below(cls, root: OrgUnit) -> OrgMatcher:
        units = OrgUnit.objects.filter(path__startswith=root.path, is_active=True).exclude(
            pk=root.pk
        )
        return cls(root, list(units))

    def match(self, label: str) -> OrgUnit | None:
        raw = _SPACE.sub("", unicodedata.normalize("NFKC", label or ""))
        if not raw:
            return None
        for key in (raw, norm_name(raw)):
            unit = self.by_name.get(key)
            if unit is not None:
                return unit
        return None

    def is_root(self, label: str) -> bool:
        raw = _SPACE.sub("", unicodedata.normalize("NFKC", label or ""))
        return bool(raw) and (raw in self.root_keys or norm_name(raw) in self.root_keys)
