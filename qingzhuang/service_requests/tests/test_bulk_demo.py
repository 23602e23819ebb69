"""`qz demo --requests N` bulk generation: top-up semantics, resumable batches, one audit entry
per run, unique tracking codes, realistic spread, consistent counters (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections import Counter
from io import StringIO
from typing import Any

import pytest
from django.db import connection
from django.db.models import Count

from qingzhuang.audit.models import AuditEntry
from qingzhuang.core.demo import run_demo
from qingzhuang.service_requests import bulk, demo
from qingzhuang.service_requests.models import (
    TRACKING_ALPHABET,
    Callback,
    ServiceRequest,
    WorkOrder,
)

GENERATED = {"idempotency_key__startswith": demo.BULK_PREFIX}
BULK_ACTION = "service_requests.request.bulk_generate"


def _generated() -> int:
    return ServiceRequest.objects.filter(**GENERATED).count()


def test_tracking_codes_are_a_bijection_of_the_sequence() -> None:
    assert demo._MUL % len(TRACKING_ALPHABET) != 0  # affine map mod 31^8 is then bijective
    codes = [demo.bulk_tracking_code(i) for i in range(200_000)]
    assert len(set(codes)) == len(codes)
    assert all(len(c) == 8 and set(c) <= set(TRACKING_ALPHABET) for c in codes[:1000])
    # a clash with a stored random code takes the mirrored number, itself never generated
    taken = {codes[5]}
    assert demo._bulk_code(5, taken) == demo.bulk_tracking_code(demo._SPACE - 6)
    assert demo._bulk_code(5, taken) not in codes


def test_requests_n_tops_up_to_n_with_one_audit_entry_per_run(db: Any) -> None:
    run_demo(out=StringIO())
    curated = ServiceRequest.objects.count()
    ours = AuditEntry.objects.filter(action__startswith="service_requests.")
    audit_before = ours.count()

    run_demo(out=StringIO(), requests=1200)
    assert _generated() == 1200
    assert ServiceRequest.objects.count() == curated + 1200
    assert WorkOrder.objects.count() == ServiceRequest.objects.count()
    assert ours.count() == audit_before + 1  # one entry for the run, none per row
    entry = AuditEntry.objects.get(action=BULK_ACTION)
    assert entry.after["added"] == 1200 and entry.after["target"] == 1200

    counts = (ServiceRequest.objects.count(), WorkOrder.objects.count(), Callback.objects.count())
    run_demo(out=StringIO(), requests=1200)  # same command again: nothing added, nothing audited
    assert counts == (
        ServiceRequest.objects.count(),
        WorkOrder.objects.count(),
        Callback.objects.count(),
    )
    assert AuditEntry.objects.filter(action=BULK_ACTION).count() == 1

    run_demo(out=StringIO(), requests=1500)  # a larger N adds the difference
    assert _generated() == 1500
    assert AuditEntry.objects.filter(action=BULK_ACTION).count() == 2

    codes = list(ServiceRequest.objects.values_list("tracking_code", flat=True))
    assert len(codes) == len(set(codes))
    keys = sorted(
        ServiceRequest.objects.filter(**GENERATED).values_list("idempotency_key", flat=True)
    )
    assert keys == [f"{demo.BULK_PREFIX}{i:010d}" for i in range(1500)]
    # generated rows behave like any other (ids and sequences consistent: a new submit works)
    from qingzhuang.service_requests.tests.helpers import submit

    village = ServiceRequest.objects.first().org_unit  # type: ignore[union-attr]
    assert submit(village).created


@pytest.mark.parametrize("batch", [400, 200], ids=["thread-builder", "forked-builder"])
def test_interrupted_load_is_finished_by_running_it_again(
    db: Any, monkeypatch: pytest.MonkeyPatch, batch: int
) -> None:
    run_demo(out=StringIO())
    monkeypatch.setattr(demo, "BATCH", batch)  # 3 batches: built in a thread; 5: forked
    real_write = bulk.Table.write
    calls = {"n": 0}

    def failing_write(self: bulk.Table, rows: list[tuple[Any, ...]]) -> None:
        calls["n"] += 1
        if calls["n"] == 4:  # the second batch's request rows
            raise OSError("disk full")
        real_write(self, rows)

    monkeypatch.setattr(bulk.Table, "write", failing_write)
    with pytest.raises(OSError, match="disk full"):
        run_demo(out=StringIO(), requests=1000)
    # the first batch is committed whole (requests with their orders), the second not at all
    assert _generated() == batch
    assert (
        WorkOrder.objects.filter(request__idempotency_key__startswith=demo.BULK_PREFIX).count()
        == batch
    )
    assert AuditEntry.objects.filter(action=BULK_ACTION).count() == 1  # written with batch 1

    monkeypatch.setattr(bulk.Table, "write", real_write)
    run_demo(out=StringIO(), requests=1000)
    assert _generated() == 1000
    assert WorkOrder.objects.count() == ServiceRequest.objects.count()
    keys = ServiceRequest.objects.filter(**GENERATED).values_list("idempotency_key", flat=True)
    assert sorted(keys) == [f"{demo.BULK_PREFIX}{i:010d}" for i in range(1000)]


def test_generated_rows_are_realistic_and_counters_consistent(
    db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(demo, "BATCH", 1000)  # 4 batches: rows built in a forked process
    forked: list[str] = []
    real_context = demo.mp.get_context
    monkeypatch.setattr(demo.mp, "get_context", lambda m: forked.append(m) or real_context(m))
    ctx = run_demo(out=StringIO(), requests=4000)
    assert forked == ["fork"]
    orders = WorkOrder.objects.filter(request__idempotency_key__startswith=demo.BULK_PREFIX)
    states = Counter(dict(orders.values_list("state").annotate(n=Count("id"))))
    assert {"closed", "callback", "resolved", "in_progress", "returned", "referred"} <= set(states)
    assert states["closed"] / 4000 > 0.5  # mostly closed, like a year of real work
    per_village = Counter(
        dict(
            ServiceRequest.objects.filter(**GENERATED)
            .values_list("org_unit")
            .annotate(n=Count("id"))
        )
    )
    assert set(per_village) == {v.pk for v in ctx.villages}
    assert min(per_village.values()) > 4000 / len(ctx.villages) / 2
    categories = set(ServiceRequest.objects.filter(**GENERATED).values_list("category", flat=True))
    assert len(categories) >= 10
    months = {d.strftime("%Y-%m") for d in orders.values_list("created_at", flat=True)}
    assert len(months) >= 12
    sats = Counter(Callback.objects.filter(order__in=orders).values_list("satisfaction", flat=True))
    assert set(sats) == {"satisfied", "fairly", "dissatisfied"}
    assert sats["satisfied"] > sats["dissatisfied"] > 0
    # comments agree with their rating, except where the gaming village records 满意 over a
    # complaint: contradictions point at that village instead of being spread at random
    callbacks = Callback.objects.filter(order__in=orders).exclude(comment="")
    negative = demo._BAD_COMMENTS + demo._GAMED_COMMENTS
    contradicting = callbacks.filter(satisfaction__in=["satisfied", "fairly"], comment__in=negative)
    assert contradicting.exists()
    gaming_unit = {o.org_unit_id for o in WorkOrder.objects.filter(callbacks__in=contradicting)}
    assert len(gaming_unit) == 1
    assert not callbacks.filter(satisfaction="dissatisfied", comment__in=demo._GOOD_COMMENTS)
    assert set(callbacks.filter(satisfaction="fairly").values_list("comment", flat=True)) <= set(
        demo._FAIR_COMMENTS + demo._GOOD_COMMENTS
    )
    assert orders.filter(reopen_count__gt=0).exists()
    assert orders.filter(returned_count__gt=0).exists()
    assert orders.filter(escalated=True).exists()
    assert orders.filter(unreasonable_status="approved").exists()
    assert not orders.filter(state="closed", closed_at__isnull=True).exists()
    assert not orders.filter(accepted_at__lt=models_F("dispatched_at")).exists()
    # every answered callback has a complete answer (DB constraint) and follows the resolution
    assert not Callback.objects.filter(
        order__in=orders, answered_at__lt=models_F("order__resolved_at")
    ).exists()

    # deadlines are the real SLA clock (local working days from the request's local date)
    from qingzhuang.service_requests.sla import sla_deadlines

    for o in orders.select_related("request").order_by("id")[:300]:
        expected = sla_deadlines(request_type=o.request.request_type, start=o.request.created_at)
        assert (o.response_due_at, o.resolution_due_at) == expected

    from qingzhuang.evaluation.aggregates import metrics_verify, raw_range

    lo_hi = raw_range()
    assert lo_hi is not None
    assert metrics_verify(start=lo_hi[0], end=lo_hi[1]) == []  # the demo rebuilt the counters


def models_F(name: str) -> Any:
    from django.db.models import F

    return F(name)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="index drop/rebuild is SQLite-only")
def test_large_load_rebuilds_indexes_and_repairs_missing_ones(
    db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    models = [ServiceRequest, WorkOrder, Callback]
    names = {n for n, _ in bulk._secondary_indexes(models)}
    assert names and names <= bulk._existing_indexes()
    with bulk.bulk_load(models, drop_indexes=True):
        assert not names & bulk._existing_indexes()  # dropped for the load
    assert names <= bulk._existing_indexes()  # and rebuilt after it
    # a load interrupted before the rebuild: the next seed/generate recreates them
    with connection.cursor() as cur:
        cur.execute(f'DROP INDEX "{sorted(names)[0]}"')
    assert bulk.ensure_indexes(models) == [sorted(names)[0]]
    assert names <= bulk._existing_indexes()
