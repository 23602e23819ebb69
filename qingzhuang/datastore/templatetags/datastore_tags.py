from __future__ import annotations

from typing import Any

from django import template

from qingzhuang.datastore.numbers import human_number

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


@register.filter
def number(value: Any) -> str:
    """A stored value as people write it: 930, 12.5, 1,234.125 (no trailing zeros)."""
    if value is None or value == "":
        return ""
    return human_number(value)
