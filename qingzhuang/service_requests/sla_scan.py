"""The SLA scan (`qz requests sla-scan`): flags late orders and records one reminder per order
when its resolution deadline is near, with timeline events and audit entries."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from qingzhuang.audit.services import audit_record, snapshot
from qingzhuang.service_requests.models import OPEN_STATES, SlaPolicy, WorkOrder
from qingzhuang.service_requests.sla import working_days_left
from qingzhuang.service_requests.workflow import event_add


@transaction.atomic
def sla_scan(*, now: dt.datetime | None = None, actor: Any = "sla-scan") -> dict[str, int]:
    """Flag overdue orders and record one reminder per order when its deadline is near."""
    now = now or timezone.now()
    overdue_resp = 0
    overdue_res = 0
    reminded = 0
    open_orders = WorkOrder.objects.filter(state__in=OPEN_STATES).select_related("request")
    policies = {p.request_type: p for p in SlaPolicy.objects.all()}
    for order in open_orders.iterator(chunk_size=2000):
        changes: dict[str, Any] = {}
        if (
            not order.overdue_response
            and order.accepted_at is None
            and order.response_due_at
            and now > order.response_due_at
        ):
            changes["overdue_response"] = True
            overdue_resp += 1
        if (
            not order.overdue_resolution
            and order.resolution_due_at
            and now > order.resolution_due_at
        ):
            changes["overdue_resolution"] = True
            overdue_res += 1
        policy = policies.get(order.request.request_type)
        remind_days = policy.remind_before_days if policy else 1
        if (
            order.reminded_at is None
            and order.resolution_due_at
            and now <= order.resolution_due_at
            and working_days_left(now, order.resolution_due_at) <= remind_days
        ):
            changes["reminded_at"] = now
            reminded += 1
        if not changes:
            continue
        before = snapshot(order)
        WorkOrder.objects.filter(pk=order.pk).update(**changes)
        for name, value in changes.items():
            setattr(order, name, value)
        if "reminded_at" in changes:
            event_add(
                order=order,
                action="remind",
                actor=actor,
                from_state=order.state,
                note=f"办结时限 {timezone.localtime(order.resolution_due_at):%Y-%m-%d} 临近",
                at=now,
            )
        if "overdue_response" in changes or "overdue_resolution" in changes:
            event_add(
                order=order,
                action="overdue",
                actor=actor,
                from_state=order.state,
                note="已超过" + ("响应" if "overdue_response" in changes else "办结") + "时限",
                at=now,
            )
        audit_record(
            actor=actor,
            action="service_requests.work_order.sla_flag",
            target=order,
            before=before,
            after=snapshot(order),
        )
    return {
        "overdue_response": overdue_resp,
        "overdue_resolution": overdue_res,
        "reminded": reminded,
    }
