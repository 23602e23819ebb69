"""Working days between two dates, with Chinese public holidays and make-up workdays.

Pure Python (no Django). `chinese_calendar` knows each year's State Council holiday schedule
(including the weekend days that become workdays, 调休上班). For a year it does not know yet we
fall back to Monday–Friday and say so, rather than guessing a schedule.
"""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar


def is_workday(day: date) -> bool:
    """True for an official working day (make-up Saturdays included, holidays excluded)."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:  # year outside the package's published schedules
        return day.weekday() < 5


def calendar_known(day: date) -> bool:
    try:
        chinese_calendar.is_workday(day)
    except NotImplementedError:
        return False
    return True


def workdays_between(received: date, deadline: date) -> int:
    """Working days strictly after `received`, up to and including `deadline`."""
    if deadline <= received:
        return 0
    count = 0
    day = received + timedelta(days=1)
    while day <= deadline:
        if is_workday(day):
            count += 1
        day += timedelta(days=1)
    return count
