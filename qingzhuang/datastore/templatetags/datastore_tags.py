from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item_safe(mapping: Any, key: str) -> Any:
    """``mapping[key]`` for dicts and QueryDicts, "" when absent."""
    if not mapping:
        return ""
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""
