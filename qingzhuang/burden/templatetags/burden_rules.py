"""Show a finding's rule by its title in the page language, not its code."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()

_KEY = "_burden_rule_titles"


@register.simple_tag(takes_context=True)
def rule_title(context: template.Context, code: str) -> str:
    """FORM_NOT_ADMITTED → 报表未经准入 (or its English title on English pages).

    The titles are read once per rendered page and kept on the page's context (shared by its
    includes), so a page of many findings costs one query, and a rule renamed a moment ago
    shows its new title on the next page.
    """
    titles: Any = context.get(_KEY)
    if titles is None:
        from qingzhuang.burden.selectors import rule_titles

        titles = rule_titles()
        context.dicts[0][_KEY] = titles
    return str(titles.get(code, code))
