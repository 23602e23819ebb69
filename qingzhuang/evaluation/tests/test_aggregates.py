"""The pre-aggregated counters stay exactly equal to the raw data after a mix of operations."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from qingzhuang.evaluation.aggregates import metrics_rebuild, metrics_verify
from qingzhuang.evaluation.models import MetricDaily, MetricMonthly
from qingzhuang.evaluation.tests.helpers import at, make_order
from qingzhuang.service_requests.models import Callback


def _snapshot() -> list[tuple[Any, ...]]:
    return sorted(
        tuple(sorted((k, str(v)) for k, v in row.items() if k != "id"))
        for model in (MetricDaily, MetricMonthly)
        for row in model.objects.values()
    )


def test_incremental_updates_equal_a_full_rebuild(
    org_tree: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    a, b = org_tree["village_a"], org_tree["village_b"]
    with django_capture_on_commit_callbacks(execute=True):
        o1 = make_order(unit=a, created=at(1, 23, 30), callback=("solved", "satisfied"))
        o2 = make_order(unit=a, created=at(2, 0, 15), category="道路交通")
        o3 = make_order(unit=b, created=at(2, 10), area=a)
        o4 = make_order(unit=b, created=at(3, 8))
    with django_capture_on_commit_callbacks(execute=True):
        o1.accepted_at = at(2, 1)
        o1.response_due_at = at(2, 9)
        o1.resolved_at = at(2, 5)
        o1.save()
    with django_capture_on_commit_callbacks(execute=True):
        o2.org_unit = b  # re-dispatched to another unit: the old unit's counters must drop it
        o2.returned_count = 1
        o2.save()
    with django_capture_on_commit_callbacks(execute=True):
        Callback.objects.create(
            order=o3,
            channel="phone",
            resolved="partly",
            satisfaction="fairly",
            answered_at=at(4),
            created_at=at(4),
        )
        o3.unreasonable_status = "approved"
        o3.unreasonable_reason = "无理"
        o3.unreasonable_reviewed_by = org_tree["admin"]
        o3.save()
    with django_capture_on_commit_callbacks(execute=True):
        o4.request.category = "环境卫生"
        o4.request.save()
        o1.callbacks.all().delete()
        o4.request.delete()
    assert metrics_verify(start=date(2026, 2, 1), end=date(2026, 4, 30)) == []
    incremental = _snapshot()
    assert incremental  # the signals did produce counters
    metrics_rebuild(start=date(2026, 2, 1), end=date(2026, 4, 30))
    assert _snapshot() == incremental
    # o2 moved from A to B: A has no row for day 2 any more.
    assert not MetricDaily.objects.filter(org_unit=a, day=date(2026, 3, 2)).exists()
    assert MetricDaily.objects.filter(org_unit=b, day=date(2026, 3, 2), returned=1).exists()
    march_b = MetricMonthly.objects.filter(org_unit=b, month=date(2026, 3, 1))
    assert sum(m.received for m in march_b) == 2  # o2 (moved in) and o3; o4 was deleted


def test_days_are_local_dates(org_tree: dict[str, Any]) -> None:
    make_order(unit=org_tree["village_a"], created=at(1, 23, 30))
    make_order(unit=org_tree["village_a"], created=at(2, 0, 30))
    metrics_rebuild()
    assert sorted(MetricDaily.objects.values_list("day", flat=True)) == [
        date(2026, 3, 1),
        date(2026, 3, 2),
    ]


def test_verify_reports_drift(org_tree: dict[str, Any]) -> None:
    make_order(unit=org_tree["village_a"], created=at(5), resolved_at=at(5) + timedelta(hours=3))
    metrics_rebuild()
    MetricDaily.objects.update(resolved=7)
    MetricMonthly.objects.update(scored=9)
    diffs = metrics_verify(start=date(2026, 3, 1), end=date(2026, 3, 31))
    assert len(diffs) == 2
    metrics_rebuild(start=date(2026, 3, 1), end=date(2026, 3, 31))
    assert metrics_verify(start=date(2026, 3, 1), end=date(2026, 3, 31)) == []
