"""Metric definitions on a hand-computed case (incl. unreasonable, merged, duplicate, reopened)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from qingzhuang.evaluation.aggregates import metrics_rebuild
from qingzhuang.evaluation.metrics import MetricSettings
from qingzhuang.evaluation.periods import parse
from qingzhuang.evaluation.selectors import request_metrics
from qingzhuang.evaluation.tests.helpers import at, make_order
from qingzhuang.org.scope import Scope, scope_for


@pytest.fixture
def case(org_tree: dict[str, Any]) -> dict[str, Any]:
    a = org_tree["village_a"]
    admin = org_tree["admin"]
    t0 = at(2)
    o1 = make_order(  # responded and resolved in time; 解决/满意; 5 hours
        unit=a,
        created=t0,
        accepted_at=t0 + timedelta(hours=1),
        response_due_at=t0 + timedelta(days=1),
        resolved_at=t0 + timedelta(hours=5),
        resolution_due_at=t0 + timedelta(days=5),
        state="closed",
        callback=("solved", "satisfied"),
    )
    make_order(  # late response, late resolution; 部分解决/基本满意; 30.5 h -> 31
        unit=a,
        created=t0,
        accepted_at=t0 + timedelta(days=2),
        response_due_at=t0 + timedelta(days=1),
        resolved_at=t0 + timedelta(hours=30, minutes=30),
        resolution_due_at=t0 + timedelta(hours=24),
        overdue_resolution=True,
        state="closed",
        callback=("partly", "fairly"),
    )
    make_order(  # approved as unreasonable: counted apart, never scored
        unit=a,
        created=t0,
        accepted_at=t0 + timedelta(hours=1),
        unreasonable_status="approved",
        unreasonable_reason="重复无理诉求",
        unreasonable_reviewed_by=admin,
        state="closed",
        callback=("unsolved", "dissatisfied"),
    )
    make_order(  # reopened and returned once; 未解决/不满意; 10 h
        unit=a,
        created=t0,
        accepted_at=t0 + timedelta(hours=2),
        response_due_at=t0 + timedelta(days=1),
        resolved_at=t0 + timedelta(hours=10),
        resolution_due_at=t0 + timedelta(days=5),
        reopen_count=1,
        returned_count=1,
        state="resolved",
        callback=("unsolved", "dissatisfied"),
    )
    make_order(
        unit=a, created=t0, overdue_response=True, state="dispatched"
    )  # not yet accepted, overdue
    make_order(unit=a, created=t0, state="merged", merged_into=o1)  # merged: apart, not scored
    dup = make_order(unit=a, created=t0, state="received")
    dup.request.duplicate_of = o1.request  # a duplicate request: not counted at all
    dup.request.save()
    make_order(unit=org_tree["village_b"], created=t0, accepted_at=t0, state="accepted")
    metrics_rebuild()
    return org_tree


def _a(case: dict[str, Any], **kw: Any) -> dict[str, Any]:
    data = request_metrics(scope=Scope.all(), period=parse("2026-03"), group_by="org_unit", **kw)
    return data[case["village_a"].pk]


def test_counts_exclude_duplicates_and_show_excluded_apart(case: dict[str, Any]) -> None:
    m = _a(case)
    assert m["received"] == 6
    assert m["scored"] == 4
    assert m["excluded_unreasonable"] == 1
    assert m["excluded_merged"] == 1


def test_rates_hand_computed(case: dict[str, Any]) -> None:
    m = _a(case)
    assert m["response_rate"]["value"] == pytest.approx(2 / 4)
    assert m["resolution_rate"]["value"] == pytest.approx(1 / 3)
    assert m["satisfaction_rate"]["value"] == pytest.approx(2 / 3)
    assert m["on_time_rate"]["value"] == pytest.approx(2 / 3)
    assert m["reopen_rate"]["value"] == pytest.approx(1 / 3)
    assert m["return_rate"]["value"] == pytest.approx(1 / 4)
    assert m["callback_coverage"]["value"] == pytest.approx(1.0)
    assert m["median_hours"] == 10
    assert m["p90_hours"] == 31


def test_satisfaction_definition_is_configurable(case: dict[str, Any]) -> None:
    weighted = MetricSettings(satisfaction_mode="weighted", weight_fairly=0.8, partly_weight=0.5)
    m = _a(case, settings=weighted)
    assert m["satisfaction_rate"]["value"] == pytest.approx((1 + 0.8) / 3)
    assert m["resolution_rate"]["value"] == pytest.approx(1.5 / 3)


def test_small_samples_are_marked_insufficient(case: dict[str, Any]) -> None:
    m = _a(case, settings=MetricSettings(min_sample=10))
    assert m["satisfaction_rate"]["sufficient"] is False
    assert m["satisfaction_rate"]["low"] is not None


def test_village_worker_sees_only_own_village(case: dict[str, Any]) -> None:
    data = request_metrics(
        scope=scope_for(case["worker_b"]), period=parse("2026-03"), group_by="org_unit"
    )
    assert set(data) == {case["village_b"].pk}


def test_metrics_by_category_and_area(case: dict[str, Any]) -> None:
    by_cat = request_metrics(scope=Scope.all(), period=parse("2026Q1"), group_by="category")
    assert by_cat["环境卫生"]["received"] == 7
    other = request_metrics(scope=Scope.all(), period=parse("2026-04"), group_by="area")
    assert other == {}


def test_ranking_uses_wilson_lower_bound_and_minimum_sample(org_tree: dict[str, Any]) -> None:
    from qingzhuang.evaluation.selectors import ranking
    from qingzhuang.org.tests.factories import OrgUnitFactory

    town = org_tree["town"]
    small = OrgUnitFactory(name="小村", parent=town)
    a, b = org_tree["village_a"], org_tree["village_b"]
    for _ in range(2):  # 2 of 2 satisfied: 100%, but only 2 callbacks
        make_order(
            unit=small, created=at(3), resolved_at=at(3, 12), callback=("solved", "satisfied")
        )
    for i in range(12):  # A: 11 of 12 (91.7%), B: 12 of 12 -> B first, then A
        make_order(
            unit=a,
            created=at(3),
            resolved_at=at(3, 12),
            callback=("solved", "satisfied" if i else "dissatisfied"),
        )
        make_order(unit=b, created=at(3), resolved_at=at(3, 12), callback=("solved", "satisfied"))
    metrics_rebuild()
    r = ranking(
        scope=Scope.all(),
        period=parse("2026-03"),
        metric="satisfaction_rate",
        settings=MetricSettings(min_sample=10),
    )
    assert [x["unit"].name for x in r["ranked"]] == ["西村", "东村"]
    assert [x["unit"].name for x in r["insufficient"]] == ["小村"]
    top = r["ranked"][0]["rate"]
    assert top["value"] == 1.0 and top["low"] == pytest.approx(12 / (12 + 1.959963984540054**2))
