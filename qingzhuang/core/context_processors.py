from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext

from qingzhuang.core.nav import all_items
from qingzhuang.org.roles import can

# Menu groups by URL namespace, so a dozen apps' pages fit in a short top bar.
NAV_GROUPS: dict[str, tuple[str, int]] = {
    "evaluation": ("评价", 100),
    "reporting": ("一表通", 200),
    "datastore": ("一表通", 200),
    "burden": ("减负", 300),
    "duties": ("减负", 300),
    "service_requests": ("接诉即办", 400),
    "org": ("管理", 900),
    "audit": ("管理", 900),
}
HELP_GROUP = ("帮助与便民", 990)


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    logged_in = bool(user and user.is_authenticated)
    items: list[dict[str, Any]] = []
    for item in all_items():
        if not logged_in and not item.public:
            continue
        if logged_in and item.capability and not can(user, item.capability):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        namespace = item.url_name.split(":", 1)[0]
        group = HELP_GROUP if item.public else NAV_GROUPS.get(namespace, HELP_GROUP)
        items.append(
            {
                "label": gettext(str(item.label)),
                "url": url,
                "active": False,
                "group": group,
            }
        )
    # highlight only the most specific menu entry that the current page lies under
    matches = [i for i in items if request.path.startswith(i["url"]) and i["url"] != "/"]
    if matches:
        max(matches, key=lambda i: len(i["url"]))["active"] = True
    groups: dict[str, dict[str, Any]] = {}
    for entry in items:
        label, order = entry["group"]
        g = groups.setdefault(label, {"label": gettext(label), "order": order, "items": []})
        g["items"].append(entry)
    nav_groups = sorted(groups.values(), key=lambda g: g["order"])
    for g in nav_groups:
        g["active"] = any(i["active"] for i in g["items"])
    large = request.COOKIES.get("qz_large_text") == "1"
    return {"nav_items": items, "nav_groups": nav_groups, "large_text": large}
