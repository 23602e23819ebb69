"""Periods for evaluation (month '2026-09', quarter '2026Q3', year '2026') as local day ranges."""

from __future__ import annotations

import calendar
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from qingzhuang.core.errors import InvalidInput
from qingzhuang.datastore.periods import MONTH, QUARTER, YEAR, Period, make, parse_period

__all__ = ["Period", "bounds", "month_periods", "parse", "period_for_scheme"]


def parse(text: str | Period) -> Period:
    return parse_period(text)


def bounds(p: Period) -> tuple[date, date]:
    """First and last day of the period (inclusive)."""
    if p.type == YEAR:
        return date(p.year, 1, 1), date(p.year, 12, 31)
    if p.type == QUARTER:
        first = 3 * p.number - 2
        last = 3 * p.number
        return date(p.year, first, 1), date(p.year, last, calendar.monthrange(p.year, last)[1])
    return date(p.year, p.number, 1), date(
        p.year, p.number, calendar.monthrange(p.year, p.number)[1]
    )


def month_periods(p: Period) -> list[Period]:
    """The months a period covers, in order."""
    if p.type == MONTH:
        return [p]
    months = range(1, 13) if p.type == YEAR else range(3 * p.number - 2, 3 * p.number + 1)
    return [make(p.year, month=m) for m in months]


def last_months(end: Period, n: int) -> list[Period]:
    out = [make(end.year, month=end.month_index)]
    while len(out) < n:
        out.append(out[-1].previous())
    return list(reversed(out))


def period_for_scheme(scheme: Any, text: str) -> Period:
    p = parse(text)
    if p.type != scheme.period_type:
        raise InvalidInput(
            _(
                "方案“%(scheme)s”按%(period_type)s考核，"
                "时期“%(period)s”不对应，请写成 2026Q3（季）、2026-09（月）或 2026（年）"
            )
            % {
                "scheme": scheme.name,
                "period_type": scheme.get_period_type_display(),
                "period": text,
            }
        )
    return p
