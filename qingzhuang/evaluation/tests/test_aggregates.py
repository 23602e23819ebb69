"""The pre-aggregated counters stay exactly equal to the raw data after a mix of operations."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from qingzhuang.evaluation.aggregates import (
    metrics_rebuild,
    metrics_refresh_pending,
    metrics_verify,
)
from qingzhuang.evaluation.models import MetricDaily, MetricMonthly, MetricPendingRefresh
from qingzhuang.evaluation.periods import parse
from qingzhuang.evaluation.selectors import request_metrics
from qingzhuang.evaluation.tests.helpers import at, make_order
from qingzhuang.org.scope import Scope
from qingzhuang.service_requests import services
from qingzhuang.service_requests.models import Callback, ServiceRequest


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


def _pending() -> set[tuple[date, int]]:
    return set(MetricPendingRefresh.objects.values_list("day", "org_unit_id"))


def test_intake_only_marks_the_key_and_the_next_read_refreshes_it(
    org_tree: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    a = org_tree["village_a"]
    make_order(unit=a, created=at(1, 10), category="道路交通")
    metrics_rebuild()
    assert _pending() == set()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.request_submit(
            org_unit=a,
            request_type="complaint",
            text="路灯坏了一个星期了，晚上一片漆黑。",
            channel="web",
            actor="public",
            category="道路交通",
            created_at=at(1, 11),
        )
    # The write left one marker in its own transaction and nothing to run after commit.
    assert callbacks == []
    assert _pending() == {(date(2026, 3, 1), a.pk)}
    assert MetricDaily.objects.get(org_unit=a, day=date(2026, 3, 1)).received == 1  # not yet
    # The marker is an upsert: a second write to the same key does not add a row.
    services.request_submit(
        org_unit=a,
        request_type="help",
        text="村口水管破了，水一直在流。",
        channel="web",
        actor="public",
        category="道路交通",
        created_at=at(1, 12),
    )
    assert MetricPendingRefresh.objects.count() == 1
    # Any read of the counters refreshes first: the dashboard sees all three orders.
    data = request_metrics(scope=Scope.all(), period=parse("2026-03"), group_by="org_unit")
    assert data[a.pk]["received"] == 3
    assert _pending() == set()
    assert metrics_verify(start=date(2026, 3, 1), end=date(2026, 3, 31)) == []
    assert metrics_refresh_pending() == 0  # nothing left


def test_pending_path_equals_rebuild_and_raw_after_workflow_changes(
    org_tree: dict[str, Any],
) -> None:
    a, b = org_tree["village_a"], org_tree["village_b"]
    o1 = make_order(unit=a, created=at(3, 9), callback=("solved", "satisfied"))
    o2 = make_order(unit=a, created=at(4, 9))
    o2.org_unit = b  # moved: both the old and the new unit are marked
    o2.save()
    o1.callbacks.all().delete()
    ServiceRequest.objects.filter(pk=o2.request_id).get().delete()
    assert {(date(2026, 3, 4), a.pk), (date(2026, 3, 4), b.pk)} <= _pending()
    assert metrics_refresh_pending() >= 3
    refreshed = _snapshot()
    metrics_rebuild(start=date(2026, 3, 1), end=date(2026, 3, 31))
    assert _snapshot() == refreshed
    assert metrics_verify(start=date(2026, 3, 1), end=date(2026, 3, 31)) == []


def test_rebuild_clears_markers_it_covers(org_tree: dict[str, Any]) -> None:
    make_order(unit=org_tree["village_a"], created=at(6, 9))
    assert _pending()
    metrics_rebuild(start=date(2026, 3, 1), end=date(2026, 3, 31))
    assert _pending() == set()


def test_dashboard_hotspots_leave_out_praise(org_tree: dict[str, Any]) -> None:
    from qingzhuang.evaluation.selectors import hotspots

    for day in (3, 4, 5):
        make_order(unit=org_tree["village_a"], created=at(day), category="表扬")
    make_order(unit=org_tree["village_a"], created=at(6), category="道路交通")
    metrics_rebuild()
    rows = hotspots(scope=Scope.all(), period=parse("2026-03"))
    assert [r["category"] for r in rows] == ["道路交通"]
