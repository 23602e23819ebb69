from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext

from qingzhuang.core.nav import NavItem
from qingzhuang.org.roles import can

NAV = [
    NavItem(label="村级事项准入", url_name="duties:tasks", capability="duties.register", order=450),
    NavItem(
        label="减负直通车", url_name="duties:feedback", capability="duties.feedback", order=460
    ),
    NavItem(
        label="直通车收件箱",
        url_name="duties:feedback_inbox",
        capability="duties.manage",
        order=465,
    ),
    NavItem(label="开证明查询", url_name="duties:certificate_lookup", order=470, public=True),
    NavItem(label="帮助", url_name="duties:help", order=990, public=True),
]


def home_card(request: HttpRequest) -> dict[str, Any] | None:
    if not can(request.user, "duties.register"):
        return None
    from qingzhuang.duties.selectors import village_tasks
    from qingzhuang.org.scope import scope_for

    flagged = village_tasks(scope=scope_for(request.user), flagged=True).count()
    return {
        "title": gettext("村级事项准入"),
        "text": gettext(
            "上级交给村(社区)的事，先核对是否在清单内；负面清单和清单外的事项记入减负台账。"
        ),
        "url": reverse("duties:tasks"),
        "order": 450,
        "figure": gettext("%(n)s 条被标记") % {"n": flagged},
    }
