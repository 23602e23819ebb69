"""Residents' personal data: masking for display and redaction for logs."""

from __future__ import annotations

import logging
import re

PHONE_RE = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")
ID_RE = re.compile(r"(?<![0-9Xx])(\d{6})(\d{8})(\d{3}[0-9Xx])(?![0-9Xx])")
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


def redact(text: str) -> str:
    """Replace anything that looks like a mobile or landline number or an ID number."""
    text = ID_RE.sub(lambda m: mask_id_number(m.group(0)), text)
    text = PHONE_RE.sub(lambda m: mask_phone(m.group(0)), text)
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
