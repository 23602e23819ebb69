"""Punctuation that follows the page language.

Chinese pages put full-width marks around values ("单位（12）", "频次：每月"); English pages
need their own ("Units (12)", "Frequency: monthly"). The marks are translated strings with the
context "punctuation", so the catalogue decides and templates stay readable:

    {% load qz_punct %}
    {% translate "频次" %}{% colon %}{{ t.frequency }}
    {% translate "单位" %}{{ units|length|paren }}
    {{ headers|join_list }}
    {% lparen %}{% translate "合并办理" %}{% colon %}<a href="…">{{ code }}</a>{% rparen %}
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import pgettext

register = template.Library()


@register.simple_tag
def colon() -> str:
    """The colon between a label and its value: "：" or ": "."""
    return pgettext("punctuation", "：")


@register.simple_tag
def comma() -> str:
    return pgettext("punctuation", "，")


@register.simple_tag
def semicolon() -> str:
    return pgettext("punctuation", "；")


@register.simple_tag
def lparen() -> str:
    """An opening parenthesis around mixed content: "（" or " ("; close it with rparen."""
    return pgettext("punctuation", "（")


@register.simple_tag
def rparen() -> str:
    return pgettext("punctuation", "）")


@register.filter
def paren(value: Any) -> SafeString:
    """Wrap a value in parentheses: "（12）" or " (12)"; the value is escaped."""
    return format_html(pgettext("punctuation", "（{}）"), value)


@register.filter
def join_list(values: Iterable[Any]) -> SafeString:
    """Join a list with the enumeration comma: "甲、乙" or "A, B"; items are escaped."""
    separator = conditional_escape(pgettext("punctuation", "、"))
    return mark_safe(separator.join(conditional_escape(v) for v in values))  # noqa: S308 - every part escaped
