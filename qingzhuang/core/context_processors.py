from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext

from qingzhuang.core.nav import all_items
from qingzhuang.org.roles import can


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    logged_in = bool(user and user.is_authenticated)
    items = []
    for item in all_items():
        if not logged_in and not item.public:
            continue
        if logged_in and item.capability and not can(user, item.capability):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        items.append({"label": gettext(str(item.label)), "url": url, "active": False})
    # highlight only the most specific menu entry that the current page lies under
    matches = [i for i in items if request.path.startswith(i["url"])]
    if matches:
        max(matches, key=lambda i: len(i["url"]))["active"] = True
    large = request.COOKIES.get("qz_large_text") == "1"
    return {"nav_items": items, "large_text": large}
