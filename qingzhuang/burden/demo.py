"""A year of demands on 示范镇 with realistic findings, plus a few 准入 reviews. Idempotent."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from openpyxl import Workbook

from qingzhuang.burden import services
from qingzhuang.burden.models import AdmissionReview, Demand, DocumentUpload, ReviewStatus
from qingzhuang.burden.workdays import is_workday
from qingzhuang.core.demo import DemoContext

YEAR = 2026
MZ, TJ, NY, WJ, HB = (
    "示范县民政局",
    "示范县统计局",
    "示范县农业农村局",
    "示范县卫生健康局",
    "示范县生态环境局",
)

FORMS = [
    # title, department, fields, decision, reason
    (
        "农村低保对象月报表",
        MZ,
        ["低保户数", "低保人数", "本月新增户数", "本月退出户数", "发放金额（元）"],
        ReviewStatus.APPROVED,
        "民政业务必需，按月报送，已与统计口径一致。",
    ),
    (
        "村级人口基本情况表",
        TJ,
        ["户籍人口数", "常住人口数", "60岁及以上人口数", "户数"],
        ReviewStatus.USE_EXISTING,
        "户籍和常住人口数据库已有，请统计局直接从轻装数据仓库调取，不再下发。",
    ),
    (
        "秸秆综合利用情况统计表",
        NY,
        ["秸秆产生量（吨）", "秸秆利用量（吨）", "综合利用率（%）"],
        ReviewStatus.APPROVED,
        "年度一次，数据仅农业部门掌握。",
    ),
    (
        "家庭医生签约服务台账",
        WJ,
        ["签约人数", "重点人群签约人数", "户籍人口数"],
        ReviewStatus.REJECTED,
        "签约数据卫健系统已有，户籍人口与民政重复，不予准入。",
    ),
    (
        "农村生活污水治理进度表",
        HB,
        ["已治理村数", "治理户数", "设施运行数"],
        ReviewStatus.PENDING,
        "",
    ),
]


def _xlsx(title: str, fields: list[str]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None  # noqa: S101
    ws["A1"] = title
    ws.append(["填报单位：示范镇"])
    ws.append(["村(社区)", *fields])
    for name in ("青山村", "石桥村", "合计"):
        ws.append([name])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _plus_workdays(start: date, n: int) -> date:
    day = start
    while n > 0:
        day += timedelta(days=1)
        if is_workday(day):
            n -= 1
    return day


def _month_items(m: int) -> list[dict[str, Any]]:
    """The demands of one month; which rule each violates rotates through the year."""
    d0 = date(YEAR, m, 3)
    items: list[dict[str, Any]] = [
        {"kind": "document", "issuer": MZ, "title": f"关于做好{m}月社会救助工作的通知", "received": d0,
         "deadline": _plus_workdays(d0, 10), "chars": 2600 + 40 * m},
        {"kind": "meeting", "issuer": NY, "title": f"{m}月农业生产调度会", "received": d0 + timedelta(days=5),
         "duration_minutes": 60, "attendees": 3},
        {"kind": "app", "issuer": WJ, "title": "健康档案系统数据报送", "received": d0 + timedelta(days=2),
         "demand_text": "每月在系统中更新一次慢病随访数据"},
        {"kind": "report", "issuer": MZ, "title": "农村低保对象月报表", "received": d0 + timedelta(days=1),
         "deadline": _plus_workdays(d0 + timedelta(days=1), 7), "respondents": 12, "hours_per_response": Decimal("1.5")},
    ]  # fmt: skip
    bad = m % 6
    if bad == 0:
        items.append({"kind": "document", "issuer": HB, "title": "关于开展农村人居环境整治专项行动的实施方案",
                      "received": d0 + timedelta(days=8), "chars": 5200, "asks_followup": True,
                      "deadline": _plus_workdays(d0 + timedelta(days=8), 3)})  # fmt: skip
    elif bad == 1:
        items.append({"kind": "meeting", "issuer": TJ, "title": "统计工作推进会", "received": d0 + timedelta(days=9),
                      "duration_minutes": 150, "attendees": 2, "covered_by_document": True})  # fmt: skip
    elif bad == 2:
        items.append({"kind": "app", "issuer": HB, "title": "河湖巡查工作群要求", "received": d0 + timedelta(days=9),
                      "demand_text": "每日在群里打卡并上传巡河照片，按在线时长排名通报"})  # fmt: skip
    elif bad == 3:
        items.append({"kind": "report", "issuer": TJ, "title": "村级人口基本情况表", "received": d0 + timedelta(days=10),
                      "deadline": _plus_workdays(d0 + timedelta(days=10), 2), "respondents": 12})  # fmt: skip
    elif bad == 4:
        items.append({"kind": "document", "issuer": NY, "title": "2026年农业农村重点工作要点",
                      "received": d0 + timedelta(days=10), "chars": 6800, "deadline": _plus_workdays(d0 + timedelta(days=10), 12)})  # fmt: skip
    else:
        items.append({"kind": "app", "issuer": MZ, "title": "养老服务工作群", "received": d0 + timedelta(days=10),
                      "demand_text": "每周截图上报学习时长"})  # fmt: skip
    if m in (3, 6, 9, 11):
        code = f"SFX-DC-{YEAR}-{m:02d}" if m != 9 else ""
        items.append({"kind": "inspection", "issuer": WJ, "title": "公共卫生服务考核", "received": d0 + timedelta(days=12),
                      "approval_code": code, "deadline": _plus_workdays(d0 + timedelta(days=12), 10)})  # fmt: skip
    if m in (5, 10):
        items.append({"kind": "inspection", "issuer": NY, "title": "防汛安全生产检查" if m == 5 else "高标准农田建设督查",
                      "received": d0 + timedelta(days=14), "approval_code": f"SFX-DC-{YEAR}-N{m}"})  # fmt: skip
    return items


@transaction.atomic
def seed(ctx: DemoContext) -> None:
    town = ctx.township
    depts = ctx.extra.get("departments", {})
    admin = ctx.users.get("admin")
    staff = ctx.users.get("minzheng")
    created_reviews = 0
    for title, dept, fields, status, reason in FORMS:
        if AdmissionReview.objects.filter(title=title, year=YEAR, org_unit=town).exists():
            continue
        review = services.admission_submit(
            org_unit=town, department=depts[dept], name=f"{title}.xlsx", data=_xlsx(title, fields),
            form=services.AdmissionInput(title=title, year=YEAR, respondents=12,
                                         frequency_per_year=12 if "月报" in title else 1,
                                         hours_per_response=Decimal("1.5")),
            actor=staff or "demo",
        )  # fmt: skip
        if status != ReviewStatus.PENDING:
            services.admission_decide(
                review=review, status=status, reason=reason, actor=admin or "demo"
            )
        created_reviews += 1
    created = 0
    today = timezone.localdate()
    for m in range(1, 13):
        for item in _month_items(m):
            if item["received"] > today and today.year == YEAR:
                continue
            if Demand.objects.filter(
                org_unit=town, title=item["title"], received=item["received"]
            ).exists():
                continue
            data = dict(item)
            issuer = depts.get(data.pop("issuer"))
            services.demand_create(org_unit=town, issuer=issuer, actor="demo", source="demo",
                                   kind=data.pop("kind"), title=data.pop("title"),
                                   received=data.pop("received"), **data)  # fmt: skip
            created += 1
    first = (
        Demand.objects.filter(org_unit=town, title="农村低保对象月报表")
        .order_by("received")
        .first()
    )
    if first is not None and not first.revisions.exists():
        services.demand_revise(demand=first, estimate_kind="re_estimate", reason="实际每村填报约1小时，原估偏高",
                               hours_per_response=Decimal("1"), actor=admin or "demo")  # fmt: skip
    meeting = (
        Demand.objects.filter(org_unit=town, title="统计工作推进会").order_by("received").first()
    )
    if meeting is not None and not meeting.revisions.exists():
        services.demand_revise(demand=meeting, estimate_kind="program_change", reason="县里改为线上会议，参会人数减为1人",
                               respondents=1, actor=admin or "demo")  # fmt: skip
    doc = Demand.objects.filter(org_unit=town, kind="document", title__contains="专项行动").first()
    if doc is not None and not DocumentUpload.objects.filter(demand=doc).exists():
        upper = (
            "各地要深入开展农村人居环境整治，聚焦垃圾污水治理和村容村貌提升，压实属地责任，按月报送进展。"
            * 20
        )
        lower = "示范县生态环境局转发：" + upper
        services.document_upload(org_unit=town, name="专项行动实施方案.txt", data=lower.encode(),
                                 upper_name="省级方案.txt", upper_data=upper.encode(), demand=doc,
                                 actor=admin or "demo")  # fmt: skip
    ctx.say(f"负担台账：新增 {created} 项事项，{created_reviews} 份报表准入申请")
