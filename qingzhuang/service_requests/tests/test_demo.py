"""Demo seed is idempotent (bulk generation: see test_bulk_demo.py)."""

from __future__ import annotations

from io import StringIO
from typing import Any

from qingzhuang.core.demo import run_demo
from qingzhuang.service_requests.models import (
    Callback,
    DutyRule,
    ServiceRequest,
    WorkOrder,
    WorkOrderEvent,
)


def test_demo_twice_changes_nothing_and_covers_states(db: Any) -> None:
    run_demo(out=StringIO())
    counts = (
        ServiceRequest.objects.count(),
        WorkOrder.objects.count(),
        DutyRule.objects.count(),
        WorkOrderEvent.objects.count(),
        Callback.objects.count(),
    )
    states = set(WorkOrder.objects.values_list("state", flat=True))
    assert {
        "received",
        "dispatched",
        "accepted",
        "in_progress",
        "resolved",
        "closed",
        "returned",
        "referred",
        "callback",
    } <= states
    assert WorkOrder.objects.filter(unreasonable_status="approved").exists()
    assert WorkOrder.objects.filter(reopen_count__gt=0).exists()
    run_demo(out=StringIO())
    assert counts == (
        ServiceRequest.objects.count(),
        WorkOrder.objects.count(),
        DutyRule.objects.count(),
        WorkOrderEvent.objects.count(),
        Callback.objects.count(),
    )
