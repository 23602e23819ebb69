"""Residents' personal data: masking for display and redaction for logs."""

from __future__ import annotations

import logging
import re

# Residents type numbers in many shapes: groups split by spaces, dashes or dots (138 1234 5678),
# a country prefix (+86, 86, 0086, (+86)) and full-width digits from a Chinese input method.
_D = "[0-9\uff10-\uff19]"  # ASCII and full-width digits
_SEP = "[ \u3000]?[-.\uff0d\uff0e]?[ \u3000]?"  # at most one dash or dot, spaces around it
_PREFIX = (
    "[(\uff08]?(?:[+\uff0b]|00|\uff10\uff10)?[8\uff18][6\uff16][)\uff09]?"
    "[ \u3000]?[-\uff0d]?[ \u3000]?"
)
PHONE_RE = re.compile(
    rf"(?<!\d)(?P<prefix>{_PREFIX})?(?P<a>[1\uff11][3-9\uff13-\uff19]{_D})"
    rf"{_SEP}(?P<b>{_D}{{4}}){_SEP}(?P<c>{_D}{{4}})(?!\d)"
)
_ID_END = "[0-9\uff10-\uff19Xx\uff38\uff58]"
_ID_SEP = "[ \u3000\uff0d-]?"
# 18 characters in the 6-8-4 grouping printed on the card (region, birth date, sequence + check)
ID_RE = re.compile(
    rf"(?<![\dXx\uff38\uff58])(?P<a>{_D}{{6}}){_ID_SEP}(?P<b>{_D}{{8}}){_ID_SEP}"
    rf"(?P<c>{_D}{{3}}{_ID_END})(?!{_ID_END})"
)
_HALF_WIDTH = str.maketrans(
    "\uff10\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19\uff38\uff58",
    "0123456789Xx",
)
# Landlines with their area code, as residents type them: 0712-1234567, 071212345678, 010 12345678
LANDLINE_RE = re.compile(r"(?<![\d-])0\d{2,3}[- ]?\d{7,8}(?![\d-])")


def mask_phone(phone: str | None) -> str:
    """138****5678 — enough to recognise, not enough to call."""
    if not phone:
        return ""
    digits = re.sub(r"\D", "", phone)
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:3]}{'*' * (len(digits) - 7)}{digits[-4:]}"


def mask_id_number(value: str | None) -> str:
    """420***********1234 for an 18-character resident ID number."""
    if not value:
        return ""
    value = value.strip()
    if len(value) <= 7:
        return "*" * len(value)
    return f"{value[:3]}{'*' * (len(value) - 7)}{value[-4:]}"


def _mask_mobile(m: re.Match[str]) -> str:
    number = "".join(m.group("a", "b", "c")).translate(_HALF_WIDTH)
    return ("+86 " if m.group("prefix") else "") + mask_phone(number)


def _mask_id(m: re.Match[str]) -> str:
    return mask_id_number("".join(m.group("a", "b", "c")).translate(_HALF_WIDTH))


def redact(text: str) -> str:
    """Replace anything that looks like a mobile or landline number or an ID number."""
    text = ID_RE.sub(_mask_id, text)
    text = PHONE_RE.sub(_mask_mobile, text)
    return LANDLINE_RE.sub(lambda m: mask_phone(m.group(0)), text)


class RedactPersonalDataFilter(logging.Filter):
    """Logging filter: phone and ID numbers never reach a log file."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format string must not crash logging
            return True
        redacted = redact(message)
        if redacted != message:
            record.msg = redacted
            record.args = None
        return True
