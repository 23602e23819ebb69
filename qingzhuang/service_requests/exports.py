"""The inbox as a spreadsheet. Personal data is included only for roles that may see it (for the
others the phone column and any numbers typed into the text are masked), and every export that
carries it is written to the audit log (who, how many rows, which filter)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from qingzhuang.audit.services import audit_record
from qingzhuang.core.exports import xlsx_bytes
from qingzhuang.core.privacy import mask_phone
from qingzhuang.org.roles import can
from qingzhuang.service_requests.models import WorkOrder
from qingzhuang.service_requests.selectors import personal_text_for

MAX_ROWS = 20_000
HEADER = [
    "查询码",
    "提交时间",
    "村(社区)",
    "类型",
    "分类",
    "内容",
    "责任单位",
    "状态",
    "办结时限",
    "称呼",
    "联系电话",
]


@transaction.atomic
def work_orders_export(
    *, orders: QuerySet[WorkOrder], acting_user: Any, filters: dict[str, str]
) -> bytes:
    """Build the xlsx; audit it when names or full phone numbers are in it."""
    personal = can(acting_user, "personal_data.view")
    text = personal_text_for(acting_user)
    rows = []
    for o in orders[:MAX_ROWS]:
        r = o.request
        rows.append(
            [
                r.tracking_code,
                timezone.localtime(r.created_at).strftime("%Y-%m-%d %H:%M"),
                r.org_unit.name if r.org_unit else "",
                r.get_request_type_display(),
                r.category,
                text(r.text),
                o.org_unit.name if o.org_unit else "",
                o.get_state_display(),
                timezone.localtime(o.resolution_due_at).strftime("%Y-%m-%d")
                if o.resolution_due_at
                else "",
                r.resident_name if personal else "",
                r.resident_phone if personal else mask_phone(r.resident_phone),
            ]
        )
    if personal:
        audit_record(
            actor=acting_user,
            action="service_requests.export.personal_data",
            object_type="service_requests.WorkOrder",
            object_repr=f"导出工单 {len(rows)} 条（含联系人信息）",
            org_path=acting_user.org_unit.path if getattr(acting_user, "org_unit", None) else "",
            after={"rows": len(rows), "filters": filters},
        )
    return xlsx_bytes({"诉求工单": (HEADER, rows)})
