"""Residents' phone numbers: what we accept, and the one form we store.

Accepted: a mainland mobile (1[3-9] + 9 digits, optionally +86 / 0086 in front) or a landline
with its area code (0 + 2–3 digits, 7–8 digits, optionally an extension). Spaces, hyphens,
brackets and full-width characters, as people type them on a phone, are allowed.
Stored: mobiles as 11 digits, landlines as ``0712-1234567`` (extension: ``0712-1234567转801``).
"""

from __future__ import annotations

import re
import unicodedata

from django.utils.translation import gettext as _

from qingzhuang.core.errors import InvalidInput

_MOBILE = re.compile(r"(?:\+86|0086)?(1[3-9]\d{9})")
# 010 and 02x are the three-digit area codes; every other one has four digits. Knowing this
# splits a landline typed without a hyphen (07121234567 → 0712-1234567).
_LANDLINE = re.compile(
    r"(01\d|02\d|0[3-9]\d\d)-?(\d{7,8})(?:(?:-|转|ext\.?|x|#)(\d{1,6}))?", re.IGNORECASE
)
_TYPED_NOISE = re.compile(r"[\s()]")


def phone_error() -> InvalidInput:
    return InvalidInput(
        _(
            "电话号码格式不对。请填11位手机号（如 13812345678）或带区号的固定电话"
            "（如 0712-1234567）；不愿留电话可以不填。"
        )
    )


def normalise_phone(raw: str) -> str:
    """The stored form of a phone number ("" for none); raises InvalidInput for anything else."""
    value = _TYPED_NOISE.sub("", unicodedata.normalize("NFKC", raw or ""))
    if not value:
        return ""
    mobile = _MOBILE.fullmatch(value.replace("-", ""))
    if mobile:
        return mobile.group(1)
    landline = _LANDLINE.fullmatch(value)
    if landline:
        area, number, extension = landline.groups()
        return f"{area}-{number}" + (f"转{extension}" if extension else "")
    raise phone_error()


def main_number(phone: str) -> str:
    """The number without its extension: the same line hashes the same with or without it."""
    return phone.split("转", 1)[0]
