"""Plain-Chinese help: the "怎么用" index and the first-time walkthrough for each role.

A topic is shown when its page exists (url_name reverses) and the user has its capability.
A walkthrough step points at an element on the page by CSS selector when it can; the base
layout's menu (#mainnav), the "怎么用" box (.howto) and the large-text button
([data-large-text]) are on every page.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from qingzhuang.org.models import Role
from qingzhuang.org.roles import can

# (title, url_name, capability or "" for any logged-in user or "public", steps)
TOPICS: list[tuple[Any, str, str, list[Any]]] = [
    (
        _("开证明前先查一查"),
        "duties:certificate_lookup",
        "public",
        [
            _("打开“开证明查询”，不用登录。"),
            _("在框里写或说出要开的证明，例如“无犯罪记录证明”。"),
            _("点“查询”。页面会说村里能不能开；不能开的，会告诉您到哪里办、带什么。"),
        ],
    ),
    (
        _("看答复（查询码）"),
        "duties:feedback_answer",
        "public",
        [
            _("打开“查看答复”，输入提交反映时拿到的查询码。"),
            _("查询码不分大小写，中间的短横线可写可不写。"),
            _("查询码只显示一次，请提交时拍照或抄下来。"),
        ],
    ),
    (
        _("试一试录音留言"),
        "duties:voice_practice",
        "public",
        [
            _("打开“试一试录音”，点“开始录音”，手机问是否允许使用麦克风时点“允许”。"),
            _("说完点“停止”，可以点播放听一听，再点“检查录音”。"),
            _("练习的录音不会保存。在群众诉求页面留言时，用法完全一样。"),
        ],
    ),
    (
        _("登记上级交给村里的事"),
        "duties:tasks",
        "duties.register",
        [
            _("打开“村级事项准入”，选村(社区)，写上交办单位和事项。"),
            _("点“先核对一下”可以只看结果不登记；点“登记”会保存。"),
            _(
                "绿色：清单内，应当办理；黄色：协助事项，交办单位要给经费和条件；红色：负面清单或清单外，已记入减负台账。"
            ),
        ],
    ),
    (
        _("维护村级三张清单和证明清单"),
        "duties:lists",
        "duties.manage",
        [
            _("打开“事项清单”，每条事项可以改名称、关键词和依据。"),
            _("关键词写群众和上级常用的说法，一行一个或用逗号隔开，核对时会一起比较。"),
            _("证明清单里，村里不能开的证明必须写清楚去哪里办。"),
        ],
    ),
    (
        _("反映形式主义（减负直通车）"),
        "duties:feedback",
        "duties.feedback",
        [
            _("打开“减负直通车”，写上哪个单位提的要求、什么时候、具体情况。"),
            _("想匿名就勾选“匿名反映”：系统不记录您是谁。"),
            _("提交后会显示查询码，请记下来，之后用它看镇党政办的答复。"),
        ],
    ),
    (
        _("答复基层反映"),
        "duties:feedback_inbox",
        "duties.manage",
        [
            _("打开“直通车收件箱”，点一条反映，写答复后保存。"),
            _("统计只显示同类达到 3 条的分组，少于 3 条的不单独列出，保护反映人。"),
        ],
    ),
    (
        _("练习模式"),
        "duties:practice",
        "practice.reset",
        [
            _("用演示账号登录“示范镇”随便练习，不会影响真实数据。"),
            _("练乱了，点“重置练习数据”就恢复原样（只动示范镇的练习数据）。"),
        ],
    ),
]

_COMMON_START: list[dict[str, Any]] = [
    {
        "selector": "",
        "title": _("欢迎使用轻装"),
        "text": _("这是一段一分钟的引导，带您认识页面。随时可以点“跳过”。"),
    },
    {
        "selector": "#mainnav",
        "title": _("菜单"),
        "text": _("要办的事都在上方菜单里。手机上先点“菜单”按钮展开。"),
    },
    {
        "selector": ".howto",
        "title": _("怎么用"),
        "text": _("每个页面顶部都有“怎么用”，点开就能看到简短说明。"),
    },
    {
        "selector": "[data-large-text]",
        "title": _("字太小？"),
        "text": _("点“大字”，整个系统的字都会变大，再点一次恢复。"),
    },
]
_COMMON_END: list[dict[str, Any]] = [
    {
        "selector": "",
        "title": _("不会用时"),
        "text": _(
            "打开“帮助”页可以看到每项功能怎么用，也可以用演示账号在示范镇练习。要再看一遍引导，在“帮助”页点“重新开始引导”。"
        ),
    }
]

WALKTHROUGHS: dict[str, list[dict[str, Any]]] = {
    Role.VILLAGE_WORKER: [
        {
            "selector": "",
            "title": _("村里的事"),
            "text": _(
                "上级交给村里的事，先在“村级事项准入”登记核对：不在清单上的，可以不办，并记入减负台账。"
            ),
        },
        {
            "selector": "",
            "title": _("减负直通车"),
            "text": _("遇到每天拍照打卡、重复填表等形式主义，在“减负直通车”反映，可以匿名。"),
        },
        {
            "selector": "",
            "title": _("开证明"),
            "text": _("群众来开证明，先用“开证明查询”查一查：村里不能开的，页面会说去哪里办。"),
        },
    ],
    Role.TOWNSHIP_ADMIN: [
        {
            "selector": "",
            "title": _("镇党政办"),
            "text": _(
                "您可以维护村级三张清单和证明清单，查看各村登记的交办事项，答复“减负直通车”的反映。"
            ),
        },
        {
            "selector": "",
            "title": _("收件箱"),
            "text": _("“直通车收件箱”里每条反映都要答复，反映人用查询码看答复。"),
        },
        {
            "selector": "",
            "title": _("练习"),
            "text": _("新同事可以用演示账号在示范镇练习，练完在“练习模式”页一键重置。"),
        },
    ],
    Role.DEPARTMENT_STAFF: [
        {
            "selector": "",
            "title": _("部门工作人员"),
            "text": _(
                "给村(社区)派活前，先看“事项清单”：负面清单上的事不能交给村里，清单外的事要先经镇党政办准入。"
            ),
        },
    ],
    Role.EVALUATOR: [
        {
            "selector": "",
            "title": _("评价督查"),
            "text": _("您的账号只能查看。各项得分都附有依据，可以逐条核对。"),
        },
    ],
}


def topics_for(request: HttpRequest) -> list[dict[str, Any]]:
    user = request.user
    out = []
    for title, url_name, capability, steps in TOPICS:
        if capability == "public":
            pass
        elif not user.is_authenticated or (capability and not can(user, capability)):
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        out.append({"title": str(title), "url": url, "steps": [str(step) for step in steps]})
    return out


def walkthrough_for(user: Any) -> dict[str, Any] | None:
    """The steps for this user's role, or None for visitors who are not logged in."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    role_steps = WALKTHROUGHS.get(getattr(user, "role", ""), [])
    try:
        done_url = reverse("duties:walkthrough_done")
        help_url = reverse("duties:help")
    except NoReverseMatch:
        done_url = help_url = ""
    return {
        "role": getattr(user, "role", ""),
        "seen": bool(getattr(user, "seen_walkthrough", False)),
        "steps": [
            {key: str(value) for key, value in step.items()}
            for step in (*_COMMON_START, *role_steps, *_COMMON_END)
        ],
        "labels": {
            "prev": gettext("上一步"),
            "next": gettext("下一步"),
            "skip": gettext("跳过引导"),
            "done": gettext("我知道了"),
            # {n} and {total} are filled in by walkthrough.js
            "count": gettext("第 {n} 步，共 {total} 步"),
        },
        "done_url": done_url,
        "help_url": help_url,
    }
