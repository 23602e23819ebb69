"""Numbers as text: plain for machines (JSON, exports), grouped for the messages people read,
and read back from what people type and what cells hold (``read_number``).

Values are stored with six decimals, so 930 comes back as 930.000000; neither form shows that.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation


def _normal(value: Decimal | int | float) -> Decimal:
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    number = number.normalize()
    return number + 0 if number.is_zero() else number  # -0 → 0


def plain_number(value: Decimal | int | float) -> str:
    """1200, not 1.2E+3; 0.5, not 0.500000."""
    return format(_normal(value), "f")


def human_number(value: Decimal | int | float) -> str:
    """930, 12.5, 1,234.5: as people write numbers in a message, with no trailing zeros."""
    return format(_normal(value), ",f")


def decimals(value: Decimal) -> int:
    """How many decimal places a number was written with (12.30 → 2, 1200 → 0)."""
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


# ---------------------------------------------------------------- numbers as people write them

WORDS = "words"  # not a number at all ("约50", "无")
EXPONENT = "exponent"  # 1e3: nobody types that on purpose
GROUPING = "grouping"  # 12,5: a comma that is not a thousands separator

_SPACE = re.compile(r"\s+")
_PLACEHOLDER = set("-—–/")  # "—" or "/" in a box means "nothing to report"
_NUMBER = re.compile(r"^([+-]?)(\d[\d,]*(?:\.\d*)?|\.\d+)(.*)$")
_GROUPED = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d*)?$")
_EXP = re.compile(r"^e[+-]?\d+$", re.IGNORECASE)
_NOT_A_UNIT = re.compile(r"[\d.,+\-]")


@dataclass(frozen=True)
class WrittenNumber:
    """A number as someone wrote it in a box or a cell, before anyone decides what it means.

    ``unit`` is what followed the number ("%" in 45%, "亩" in 2,345.5亩); whether that unit is
    acceptable depends on the item, so ``services.written_number`` decides, not this reader.
    """

    text: str
    number: Decimal | None = None
    unit: str = ""
    problem: str = ""  # WORDS, EXPONENT or GROUPING when there is no number

    @property
    def blank(self) -> bool:
        """Nothing written, or a dash that means nothing to report."""
        return self.number is None and not self.problem


def read_number(text: str, *, exponent: bool = False) -> WrittenNumber:
    """The one reader of typed and harvested numbers (entry, API, imports, harvest).

    Takes what a Chinese input method types: full-width digits, comma and point (１，２３４．５),
    ideographic spaces, a leading ＋/－ and ％. Thousands separators must be in thousands places,
    so 12,5 is not silently read as 125. Exponent notation is refused unless ``exponent`` is
    set: spreadsheet readers write very small or large numeric cells that way (1e-05), people
    typing 1e3 almost always mistyped.
    """
    raw = (text or "").strip()
    t = _SPACE.sub("", unicodedata.normalize("NFKC", raw).replace("\u2212", "-"))
    if not t or set(t) <= _PLACEHOLDER:
        return WrittenNumber(raw)
    m = _NUMBER.match(t)
    if m is None:
        return WrittenNumber(raw, problem=WORDS)
    sign, digits, rest = m.groups()
    if "," in digits:
        if not _GROUPED.match(digits):
            return WrittenNumber(raw, problem=GROUPING)
        digits = digits.replace(",", "")
    if _EXP.match(rest):
        if not exponent:
            return WrittenNumber(raw, problem=EXPONENT)
        digits, rest = digits + rest, ""
    if _NOT_A_UNIT.search(rest):
        return WrittenNumber(raw, problem=WORDS)
    try:
        number = Decimal(sign + digits)
    except InvalidOperation:  # pragma: no cover - the pattern admits only plain decimals
        return WrittenNumber(raw, problem=WORDS)
    return WrittenNumber(raw, number, rest)


def same_unit(a: str, b: str) -> bool:
    from qingzhuang.matching.units import clean_unit

    return clean_unit(a) == clean_unit(b)


def in_unit(written: WrittenNumber, unit: str) -> Decimal:
    """The written number expressed in ``unit``: as written when no unit or the same unit was
    written, converted when the written unit converts (19326人 in 万人 is 1.9326). Raises
    ValueError when it is not a number or its unit cannot be converted to ``unit``."""
    from qingzhuang.matching.units import convert

    if written.number is None:
        raise ValueError(written.problem or "blank")
    if not written.unit or same_unit(written.unit, unit):
        return written.number
    if not unit:
        raise ValueError(written.unit)
    return written.number * Decimal(repr(convert(1.0, written.unit, unit)))
