"""`{{ text|personal:show_personal }}`: free text with phone and ID numbers masked unless the
reader's role may see personal data (the view passes ``show_personal``)."""

from __future__ import annotations

from django import template

from qingzhuang.service_requests.selectors import mask_personal_text

register = template.Library()


@register.filter
def personal(text: str | None, show: bool) -> str:
    return (text or "") if show else mask_personal_text(text or "")
