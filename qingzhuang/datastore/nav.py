from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from qingzhuang.core.nav import NavItem

NAV = [
    NavItem(label="数据填报", url_name="datastore:entry", capability="data.enter", order=220),
    NavItem(label="自动填表", url_name="datastore:fill", capability="data.enter", order=230),
    NavItem(label="采集已填报表", url_name="datastore:harvest", capability="data.enter", order=240),
    NavItem(label="数据元", url_name="datastore:elements", order=250),
]


def home_card(request: HttpRequest) -> dict[str, Any] | None:
    """Township overview: how much typing auto-fill saved this year."""
    from qingzhuang.datastore.selectors import savings_summary
    from qingzhuang.org.roles import can
    from qingzhuang.org.scope import scope_for

    if not can(request.user, "data.enter"):
        return None
    s = savings_summary(scope=scope_for(request.user), year=timezone.localdate().year)
    return {
        "title": gettext("一次填报 · 自动填表"),
        "text": gettext("今年自动填写 %(auto)s 格、手工 %(typed)s 格，共 %(fills)s 次填表") % s,
        "url": reverse("datastore:fill"),
        "order": 20,
        "figure": gettext("省下约 %(hours)s 小时") % s,
    }
