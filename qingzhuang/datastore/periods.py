"""Reporting periods: '2026' (year), '2026Q3' (quarter), '2026-09' (month).

One canonical text form is stored everywhere so that a value entered for "2026年第三季度"
and one harvested from a file labelled "2026Q3" are the same key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext

from qingzhuang.core.errors import InvalidInput

YEAR = "year"
QUARTER = "quarter"
MONTH = "month"

_PATTERNS = [
    (re.compile(r"^(\d{4})\s*年?$"), YEAR),
    (re.compile(r"^(\d{4})\s*[-_ ]?\s*[Qq]([1-4])$"), QUARTER),
    (re.compile(r"^(\d{4})\s*年?\s*第?([1-4一二三四])\s*季度?$"), QUARTER),
    (re.compile(r"^(\d{4})\s*[-/.]\s*(\d{1,2})$"), MONTH),
    (re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月$"), MONTH),
    (re.compile(r"^(\d{4})(\d{2})$"), MONTH),
]
_CN = {"一": "1", "二": "2", "三": "3", "四": "4"}


@dataclass(frozen=True)
class Period:
    code: str
    type: str
    year: int
    number: int = 0  # quarter 1-4 or month 1-12; 0 for a year

    @property
    def label(self) -> str:
        """Shown to people in the active language, so it is never stored; the code is the key."""
        if self.type == YEAR:
            return gettext("%(year)s年") % {"year": self.year}
        if self.type == QUARTER:
            return gettext("%(year)s年第%(quarter)s季度") % {
                "year": self.year,
                "quarter": self.number,
            }
        return gettext("%(year)s年%(month)s月") % {"year": self.year, "month": self.number}

    def previous(self) -> Period:
        if self.type == YEAR:
            return make(self.year - 1)
        if self.type == QUARTER:
            return (
                make(self.year - 1, quarter=4)
                if self.number == 1
                else make(self.year, quarter=self.number - 1)
            )
        return (
            make(self.year - 1, month=12)
            if self.number == 1
            else make(self.year, month=self.number - 1)
        )

    @property
    def month_index(self) -> int:
        """Month the period ends in (for savings per month)."""
        if self.type == YEAR:
            return 12
        if self.type == QUARTER:
            return self.number * 3
        return self.number


def make(year: int, *, quarter: int = 0, month: int = 0) -> Period:
    if quarter:
        return Period(f"{year}Q{quarter}", QUARTER, year, quarter)
    if month:
        return Period(f"{year}-{month:02d}", MONTH, year, month)
    return Period(str(year), YEAR, year)


def parse_period(text: str | Period) -> Period:
    """Parse a period as typed by a person or a script; raises InvalidInput in Chinese."""
    if isinstance(text, Period):
        return text
    raw = (text or "").strip()
    for pattern, kind in _PATTERNS:
        m = pattern.match(raw)
        if not m:
            continue
        year = int(m.group(1))
        if not 1900 <= year <= 2200:
            break
        if kind == YEAR:
            return make(year)
        num = int(_CN.get(m.group(2), m.group(2)))
        if kind == QUARTER:
            return make(year, quarter=num)
        if 1 <= num <= 12:
            return make(year, month=num)
        break
    raise InvalidInput(
        gettext("无法识别的时期“%(period)s”，请写成 2026、2026Q3 或 2026-09 这样的格式")
        % {"period": raw}
    )
