from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext

from qingzhuang.core.nav import NavItem
from qingzhuang.org.roles import can

NAV = [
    NavItem(label="组织与人员", url_name="org:units", capability="org.manage", order=900),
    NavItem(label="人员账号", url_name="org:people", capability="org.manage", order=905),
]


def home_card(request: HttpRequest) -> dict[str, Any] | None:
    if not can(request.user, "org.manage"):
        return None
    return {
        "title": gettext("组织与人员"),
        "text": gettext("管理县、镇、村(社区)、网格和账号，可从 CSV 清单批量导入。"),
        "url": reverse("org:units"),
        "order": 900,
    }
