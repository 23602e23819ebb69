"""Cards on the home page: one per capability the user can use, each pointing to a real page.

Apps contribute cards with `home_card(request) -> dict | None` in their `nav.py`.
"""

from __future__ import annotations

import importlib
from typing import Any

from django.conf import settings
from django.http import HttpRequest


def home_cards(request: HttpRequest) -> list[dict[str, Any]]:
    cards: list[dict[str, Any]] = []
    for app in settings.INSTALLED_APPS:
        if not app.startswith("qingzhuang."):
            continue
        try:
            module = importlib.import_module(f"{app}.nav")
        except ModuleNotFoundError:
            continue
        fn = getattr(module, "home_card", None)
        if fn is None:
            continue
        card = fn(request)
        if card:
            cards.append(card)
    return sorted(cards, key=lambda c: c.get("order", 100))
