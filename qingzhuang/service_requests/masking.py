"""Phone and ID numbers that residents type into free text, masked for readers who may not
see personal data (the public pages, Open311, roles without ``personal_data.view``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from qingzhuang.core.privacy import redact


def personal_text_for(user: Any) -> Callable[[str], str]:
    """Free text as this user may read it: phone and ID numbers that residents typed into the
    text (or staff into a note) are masked for roles without ``personal_data.view``."""
    from qingzhuang.org.roles import can

    if can(user, "personal_data.view"):
        return _as_is
    return mask_personal_text


def _as_is(text: str) -> str:
    return text


def mask_personal_text(text: str) -> str:
    """Hide phone and ID numbers residents sometimes type into the text itself (the product's
    one masking rule, `core.privacy.redact`, which the logs use too)."""
    return redact(text or "")
