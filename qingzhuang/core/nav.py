"""Navigation registry: each app lists its own pages in `<app>/nav.py` as NAV = [NavItem(...)].

The base layout shows only items whose URL exists and whose capability the user has, so the
menu never points to a page that is not there.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import cache

from django.conf import settings


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    capability: str = ""  # from qingzhuang.org.roles.CAPABILITIES; "" = any logged-in user
    order: int = 100
    public: bool = False  # shown to anonymous visitors too


@cache
def all_items() -> tuple[NavItem, ...]:
    items: list[NavItem] = []
    for app in settings.INSTALLED_APPS:
        if not app.startswith("qingzhuang."):
            continue
        try:
            module = importlib.import_module(f"{app}.nav")
        except ModuleNotFoundError:
            continue
        items.extend(getattr(module, "NAV", []))
    return tuple(sorted(items, key=lambda i: i.order))
