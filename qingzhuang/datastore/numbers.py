"""Numbers as text: plain for machines (JSON, exports), grouped for the messages people read.

Values are stored with six decimals, so 930 comes back as 930.000000; neither form shows that.
"""

from __future__ import annotations

from decimal import Decimal


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
