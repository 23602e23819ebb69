"""The default rule settings, taken from the 2024 central rules and the 2026 app rules.

The data migration 0002 seeds a copy of this list; after that the Rule table is the truth and
an admin can change thresholds, keywords and wording. Titles are marked for translation: an
English page shows the English of a title an admin has not reworded (`Rule.display_title`). Citations name the rule and the section
(一、二、…) as published; where the rules fix no number (deadline, inspections per year), the
citation says the number is this township's own setting.
"""

from __future__ import annotations

from qingzhuang.i18n import gettext_noop

GUIDE = "《整治形式主义为基层减负若干规定》（中共中央办公厅、国务院办公厅2024年8月6日发布）"
APP_RULES = "《政务移动互联网应用程序规范化管理办法》（国办函〔2026〕12号）"

DEFAULT_RULES: list[dict[str, object]] = [
    {
        "code": "DEADLINE_SHORT",
        "title": gettext_noop("办理时限过短"),
        "applies_to": "",
        "threshold": 5,
        "threshold_alt": None,
        "keywords": "",
        "exceptions": "",
        "citation": (
            "“留给基层不少于5个工作日”是本镇的默认设置，依据"
            f"{GUIDE}为基层减负的总体要求（要点：不层层加码、不随意压缩办理时间）。"
            "《若干规定》本身没有规定具体天数；法定节假日和调休上班日按国务院放假安排计算，管理员可修改天数。"
        ),
    },
    {
        "code": "DOC_LENGTH",
        "title": gettext_noop("文件篇幅超长"),
        "applies_to": "document",
        "threshold": 5000,
        "threshold_alt": 4000,
        "keywords": "专项,具体任务,实施方案,工作方案,行动方案",
        "exceptions": "",
        "citation": (
            f"{GUIDE}“一、切实精简文件”部分：除部署综合性工作外，地方和部门文件一般不超过5000字，"
            "部署专项工作或者具体任务的文件一般不超过4000字。"
        ),
    },
    {
        "code": "DOC_FOLLOWUP",
        "title": gettext_noop("要求基层配套发文或再报材料"),
        "applies_to": "document",
        "threshold": None,
        "threshold_alt": None,
        "keywords": "",
        "exceptions": "",
        "citation": (
            f"{GUIDE}“一、切实精简文件”部分：严格控制临时性、配套类、分工类发文"
            "（要点：不搞以文件落实文件）。"
        ),
    },
    {
        "code": "MEETING_LONG",
        "title": gettext_noop("会议时间超过上限"),
        "applies_to": "meeting",
        "threshold": 90,
        "threshold_alt": None,
        "keywords": "",
        "exceptions": "",
        "citation": (
            f"{GUIDE}“严格精简会议”部分：从严落实开短会、讲短话要求，主要负责同志讲话或者会议主报告"
            "不超过1小时，其他会议一般安排半天以内。本镇对召集乡镇参加的会议默认上限为90分钟，管理员可修改。"
        ),
    },
    {
        "code": "MEETING_COVERED",
        "title": gettext_noop("文件已部署仍开会"),
        "applies_to": "meeting",
        "threshold": None,
        "threshold_alt": None,
        "keywords": "",
        "exceptions": "",
        "citation": (
            f"{GUIDE}“严格精简会议”部分：严控会议数量，"
            "要点是能用文件、电话等方式部署的不再开会，不搞“以会议落实会议”、层层开会传达。"
        ),
    },
    {
        "code": "INSPECTION_NO_CODE",
        "title": gettext_noop("督查检查考核无审批编码"),
        "applies_to": "inspection",
        "threshold": None,
        "threshold_alt": None,
        "keywords": "",
        "exceptions": "",
        "citation": (
            f"{GUIDE}“统筹规范督查检查考核”部分（要点：督查检查考核实行计划管理、审批报备，化繁为简）。"
            "“一事一码”是各地落实这一要求的备案编码做法：没有编码的事项应先补办审批。"
        ),
    },
    {
        "code": "INSPECTION_OVER_PLAN",
        "title": gettext_noop("超出年度督查检查计划"),
        "applies_to": "inspection",
        "threshold": 2,
        "threshold_alt": None,
        "keywords": "",
        "exceptions": "安全生产,自然灾害,应急",
        "citation": (
            f"{GUIDE}“统筹规范督查检查考核”部分（要点：实行年度计划和总量控制，"
            "应急类的安全生产、自然灾害防治除外）。每个部门每年对本镇的计划次数"
            "（默认2次）是本镇的设置，管理员可修改。"
        ),
    },
    {
        "code": "APP_BANNED",
        "title": gettext_noop("政务应用程序/工作群禁止的要求"),
        "applies_to": "app",
        "threshold": None,
        "threshold_alt": None,
        "keywords": (
            "打卡,签到,接龙,排名,积分,在线时长,学习时长,截图,拍照,照片,视频,轨迹,留痕,"
            "点赞,转发量,投票数,定期登录,安装使用率"
        ),
        "exceptions": "安保,应急",
        "citation": (
            f"{GUIDE}“规范政务移动互联网应用程序管理”部分；{APP_RULES}所列不得出现的情形："
            "除安保、应急等特殊场景外设置打卡签到、积分排名、统计在线时长等强制性功能；"
            "将点赞量、网络投票数、转发量、学习时长等作为考评依据；"
            "非必要情况下强制要求基层通过政务应用程序上传工作照片、视频和轨迹。"
        ),
    },
    {
        "code": "FORM_NOT_ADMITTED",
        "title": gettext_noop("报表未经准入"),
        "applies_to": "report",
        "threshold": None,
        "threshold_alt": None,
        "keywords": "",
        "exceptions": "",
        "citation": (
            f"{GUIDE}关于上级不得频繁要求基层填表格、报材料的要求；{APP_RULES}："
            "不得随意或重复要求基层填表报数交材料。本镇实行报表准入：未列入年度准入目录的报表不予填报。"
        ),
    },
    {
        "code": "FORM_DATA_HELD",
        "title": gettext_noop("报表索取已有数据"),
        "applies_to": "report",
        "threshold": 0,
        "threshold_alt": None,
        "keywords": "",
        "exceptions": "",
        "citation": (
            f"{APP_RULES}：不得随意或重复要求基层填表报数交材料。"
            "已掌握的数据应从数据库直接取用（各地“一表通”“一表同享”做法）。"
        ),
    },
]
