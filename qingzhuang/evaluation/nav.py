from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext

from qingzhuang.core.nav import NavItem
from qingzhuang.org.roles import can

NAV = [
    NavItem(
        label="评价总览", url_name="evaluation:overview", capability="evaluation.view", order=70
    ),
    NavItem(
        label="诉求指标", url_name="evaluation:metrics", capability="evaluation.view", order=71
    ),
    NavItem(label="单位评分", url_name="evaluation:scores", capability="evaluation.view", order=72),
    NavItem(
        label="考核方案", url_name="evaluation:indicators", capability="evaluation.view", order=73
    ),
    NavItem(
        label="异常信号", url_name="evaluation:signals", capability="evaluation.view", order=74
    ),
]


def home_card(request: HttpRequest) -> dict[str, Any] | None:
    if not can(request.user, "evaluation.view"):
        return None
    return {
        "title": gettext("按结果评价"),
        "text": gettext("看响应率、解决率、满意率和各单位评分，每个分数都能点开看依据。"),
        "url": reverse("evaluation:overview"),
        "order": 70,
    }
