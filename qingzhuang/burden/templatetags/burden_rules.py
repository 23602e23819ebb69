"""Show a finding's rule by its Chinese title, not its code."""

from __future__ import annotations

import time

from django import template

register = template.Library()
_CACHE: dict[str, object] = {"at": 0.0, "titles": {}}
_TTL = 30.0


def _titles() -> dict[str, str]:
    if time.monotonic() - float(_CACHE["at"]) > _TTL:  # type: ignore[arg-type]
        from qingzhuang.burden.models import Rule

        _CACHE["titles"] = dict(Rule.objects.values_list("code", "title"))
        _CACHE["at"] = time.monotonic()
    return _CACHE["titles"]  # type: ignore[return-value]


@register.filter
def rule_title(code: str) -> str:
    """FORM_NOT_ADMITTED → 报表未经准入; feedback/village findings keep their own wording."""
    return _titles().get(code, code)
