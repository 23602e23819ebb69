from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext

from qingzhuang.core.nav import NavItem
from qingzhuang.org.roles import can

NAV = [
    NavItem(
        label="诉求工单", url_name="service_requests:inbox", capability="requests.handle", order=400
    ),
    NavItem(
        label="热点问题",
        url_name="service_requests:hotspots",
        capability="requests.dispatch",
        order=410,
    ),
    NavItem(
        label="权责清单",
        url_name="service_requests:duty",
        capability="requests.dispatch",
        order=420,
    ),
    NavItem(label="我要反映", url_name="public:intake", public=True, order=990),
    NavItem(label="查进度", url_name="public:lookup", public=True, order=991),
]


def home_card(request: HttpRequest) -> dict[str, Any] | None:
    if not can(request.user, "requests.handle"):
        return None
    from qingzhuang.org.scope import scope_for
    from qingzhuang.service_requests.selectors import inbox_counts

    counts = inbox_counts(scope=scope_for(request.user))
    return {
        "title": gettext("接诉即办"),
        "text": gettext("待办 %(open)s 件，其中超时 %(overdue)s 件；待回访 %(callback)s 件。")
        % counts,
        "url": reverse("service_requests:inbox"),
        "order": 400,
        "figure": counts["open"],
    }
