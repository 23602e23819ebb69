from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext

from qingzhuang.core.nav import NavItem
from qingzhuang.org.roles import can

NAV = [
    NavItem(label="负担台账", url_name="burden:ledger", capability="burden.view", order=300),
    NavItem(label="负担看板", url_name="burden:dashboard", capability="burden.view", order=310),
    NavItem(label="报表准入", url_name="burden:admission", capability="burden.view", order=320),
]


def home_card(request: HttpRequest) -> dict[str, Any] | None:
    if not can(request.user, "burden.view"):
        return None
    return {
        "title": gettext("基层负担台账"),
        "text": gettext("登记上级下达的报表、文件、会议、督查检查和APP要求，按减负规定自动检查。"),
        "url": reverse("burden:ledger"),
        "order": 300,
    }
