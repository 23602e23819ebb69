"""Working-day clocks: Chinese public holidays and make-up workdays (调休) via chinesecalendar."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from django.utils import timezone


@lru_cache(maxsize=4096)
def is_workday(day: dt.date) -> bool:
    """Official working day; outside the years the package knows, Monday–Friday."""
    try:
        import chinese_calendar

        return bool(chinese_calendar.is_workday(day))
    except (NotImplementedError, ImportError):
        return day.weekday() < 5


def add_working_days(start: dt.datetime, days: int) -> dt.datetime:
    """The end (23:59:59 local time) of the `days`-th working day after `start`'s date.

    A request made on a holiday starts its clock on the next working day, so it is never
    charged for days the office is closed; make-up workdays (调休上班) count.
    """
    local = timezone.localtime(start)
    day = local.date()
    counted = 0
    while counted < max(days, 0):
        day += dt.timedelta(days=1)
        if is_workday(day):
            counted += 1
    if days <= 0 and not is_workday(day):
        while not is_workday(day):
            day += dt.timedelta(days=1)
    end = dt.datetime.combine(day, dt.time(23, 59, 59))
    return timezone.make_aware(end, timezone.get_current_timezone())


def working_days_left(now: dt.datetime, due: dt.datetime) -> int:
    """Working days from now's date up to due's date (0 = due today, negative = overdue)."""
    a = timezone.localtime(now).date()
    b = timezone.localtime(due).date()
    if b < a:
        return -1
    count = 0
    day = a
    while day < b:
        day += dt.timedelta(days=1)
        if is_workday(day):
            count += 1
    return count
