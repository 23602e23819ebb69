"""`{% load duties_help %}{% walkthrough %}`: the first-time walkthrough for the user's role.

Renders the stylesheet, the steps as JSON (json_script, no inline code) and the script. Put it
once in the base layout, or on a single page; it renders nothing for visitors not logged in.
"""

from __future__ import annotations

from typing import Any

from django import template

from qingzhuang.duties.help_content import walkthrough_for

register = template.Library()


@register.inclusion_tag("duties/_walkthrough.html", takes_context=True)
def walkthrough(context: dict[str, Any]) -> dict[str, Any]:
    request = context.get("request")
    # Rendered at most once per response (the base layout and a page may both include it).
    if request is None or getattr(request, "_qz_walkthrough_done", False):
        return {"walkthrough": None}
    request._qz_walkthrough_done = True
    return {"walkthrough": walkthrough_for(getattr(request, "user", None))}
