"""The ranges the ledger accepts: numbers the database can hold, sane years and dates.

Forms, the CSV reader and the services all take their bounds from here, so a value a form
lets through is never one a service, the database or a page cannot handle. Integer bounds
come from Django's portable ranges (PostgreSQL's `integer`), not from the running database:
SQLite would accept 64-bit values that PostgreSQL refuses.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils import timezone
from django.utils.translation import gettext as _

from qingzhuang.burden.models import BurdenRevision
from qingzhuang.core.dates import EARLIEST_DATE, years_ahead

# Facts from which an estimate is derived get a business limit, so the derived hours always
# fit and a problem is reported on what the user typed: a meeting longer than a week, or one
# with more people than a county has officials, is a typing mistake.
CAPS: dict[str, int] = {"duration_minutes": 7 * 24 * 60, "attendees": 100_000}

YEARS_AHEAD = 5  # a deadline or a received date at most this many years from today
EARLIEST_YEAR = EARLIEST_DATE.year


def latest_year() -> int:
    """The last year a dashboard, report or 准入 review may be for: next year's plans."""
    return timezone.localdate().year + 1


def year_in_range(year: int) -> bool:
    return EARLIEST_YEAR <= year <= latest_year()


def latest_date() -> dt.date:
    return years_ahead(YEARS_AHEAD)


def date_problem(value: dt.date) -> str:
    """Why a received or deadline date is refused, or "" when it is fine."""
    if EARLIEST_DATE <= value <= latest_date():
        return ""
    return _("日期应在%(first)s到%(last)s之间，请核对年份。") % {
        "first": EARLIEST_DATE.isoformat(),
        "last": latest_date().isoformat(),
    }


def _field(model: type[models.Model], name: str) -> Any:
    return model._meta.get_field(name)


def max_value(model: type[models.Model], name: str) -> int | Decimal:
    """The largest value the field can hold on every supported database (and within CAPS)."""
    field = _field(model, name)
    if isinstance(field, models.DecimalField):
        places = field.decimal_places
        return Decimal(10) ** (field.max_digits - places) - Decimal(10) ** -places
    high = BaseDatabaseOperations.integer_field_ranges[field.get_internal_type()][1]
    cap = CAPS.get(name)
    return min(high, cap) if cap is not None else int(high)


def max_hours() -> Decimal:
    """Yearly burden hours are also kept in estimate revisions; they must fit there."""
    return Decimal(max_value(BurdenRevision, "hours_after"))


def number_problem(model: type[models.Model], name: str, value: Any) -> str:
    """Why a number for a model field is refused (naming the field), or "" when it is fine."""
    if value is None or value == "" or isinstance(value, bool):
        return ""
    field = _field(model, name)
    label = str(field.verbose_name)
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        number = Decimal("NaN")
    if not number.is_finite():
        return _("%(field)s：请填写有效的数字。") % {"field": label}
    if number < 0:  # every number the ledger keeps is a count, a length or hours
        return _("%(field)s：数值不能为负数。") % {"field": label}
    if number > max_value(model, name):
        return _("%(field)s：数值不能大于%(max)s。") % {
            "field": label,
            "max": max_value(model, name),
        }
    places = getattr(field, "decimal_places", 0) or 0
    if number != number.quantize(Decimal(10) ** -places, rounding="ROUND_DOWN"):
        if places:
            return _("%(field)s：最多保留%(places)s位小数。") % {"field": label, "places": places}
        return _("%(field)s：请填写整数。") % {"field": label}
    return ""


def hours_problem(respondents: Any, frequency_per_year: Any, hours: Any, preparation: Any) -> str:
    """Why a yearly burden is refused: respondents × frequency × hours + preparation too large
    to keep. The four numbers have each passed `number_problem`."""
    values = [Decimal(str(v)) for v in (respondents, frequency_per_year, hours, preparation)]
    if values[0] * values[1] * values[2] + values[3] <= max_hours():
        return ""
    return _(
        "按填报单位数 × 每年次数 × 每次耗时 + 准备时间算出的每年负担超过%(max)s小时，"
        "请核对这几个数。"
    ) % {"max": max_hours()}
