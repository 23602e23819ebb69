"""Plausible dates for what clerks type: earlier than 2000 or years ahead is a typing slip."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

EARLIEST_DATE = dt.date(2000, 1, 1)


def years_ahead(years: int, today: dt.date | None = None) -> dt.date:
    """The same day `years` years from today (28 February for a 29 February)."""
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year + years)
    except ValueError:  # 29 February
        return today.replace(year=today.year + years, day=28)
