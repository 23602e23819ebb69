"""Demo seed is idempotent; bulk generation is fast-path but consistent and audited once."""

from __future__ import annotations

from io import StringIO
from typing import Any

from qingzhuang.audit.models import AuditEntry
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


def test_bulk_generation_adds_n_requests_with_one_audit_entry(db: Any) -> None:
    run_demo(out=StringIO())
    before = ServiceRequest.objects.count()
    ours = AuditEntry.objects.filter(action__startswith="service_requests.")
    audit_before = ours.count()
    run_demo(out=StringIO(), requests=1200)
    assert ServiceRequest.objects.count() == before + 1200
    assert WorkOrder.objects.count() == ServiceRequest.objects.count()
    assert ours.count() == audit_before + 1  # one entry for the batch, none per row
    assert AuditEntry.objects.filter(action="service_requests.request.bulk_generate").count() == 1
    codes = list(ServiceRequest.objects.values_list("tracking_code", flat=True))
    assert len(codes) == len(set(codes))
    closed_without_time = WorkOrder.objects.filter(state="closed", closed_at__isnull=True)
    assert not closed_without_time.exists()
    # generated rows behave like any other (ids and sequences consistent: a new submit works)
    from qingzhuang.service_requests.tests.helpers import submit

    village = ServiceRequest.objects.first().org_unit  # type: ignore[union-attr]
    assert submit(village).created
