"""Scores with contributions and evidence; indicator and scheme services."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from qingzhuang.audit.models import AuditEntry
from qingzhuang.core.errors import InvalidInput
from qingzhuang.datastore.models import DataElement, DataValue
from qingzhuang.evaluation import services
from qingzhuang.evaluation.aggregates import metrics_rebuild
from qingzhuang.evaluation.models import EvaluationScheme, EvaluationSettings, Score
from qingzhuang.evaluation.schemes import scheme_check
from qingzhuang.evaluation.tests.helpers import at, make_order


def _scheme(actor: Any) -> Any:
    sat = services.indicator_upsert(
        code="SAT",
        name="群众满意率",
        formula="M:satisfaction_rate",
        floor=0.6,
        target=0.9,
        actor=actor,
    )
    env = services.indicator_upsert(
        code="ENV",
        name="环境类投诉每千人",
        formula="M:complaints@环境 / E:POP_TOTAL * 1000",
        floor=10,
        target=2,
        direction="lower",
        actor=actor,
    )
    scheme = services.scheme_upsert(
        name="测试方案", period_type="month", frequency_per_year=4, actor=actor
    )
    services.scheme_item_set(scheme=scheme, indicator=sat, weight=60, actor=actor)
    services.scheme_item_set(scheme=scheme, indicator=env, weight=40, actor=actor)
    return scheme


@pytest.fixture
def data(org_tree: dict[str, Any]) -> dict[str, Any]:
    a, b = org_tree["village_a"], org_tree["village_b"]
    services.settings_update(actor="test", min_sample=4)
    # A: 5 callbacks, 4 satisfied/fairly -> 0.8; 3 environment complaints, population 1000.
    for i, sat in enumerate(["satisfied", "satisfied", "fairly", "fairly", "dissatisfied"]):
        make_order(
            unit=a,
            created=at(3 + i),
            resolved_at=at(3 + i) + timedelta(hours=2),
            category="环境卫生" if i < 3 else "道路",
            callback=("solved", sat),
        )
    # B: only 2 callbacks (below the minimum sample of 4) and no population figure.
    for i in range(2):
        make_order(
            unit=b,
            created=at(3 + i),
            resolved_at=at(3 + i) + timedelta(hours=2),
            callback=("solved", "satisfied"),
        )
    pop = DataElement.objects.create(code="POP_TOTAL", name="户籍人口", unit="人")
    dv = DataValue.objects.create(
        element=pop, org_unit=a, period="2026", period_type="year", value=1000, source="entry"
    )
    metrics_rebuild()
    return {**org_tree, "pop_value": dv}


def test_scores_hand_computed_with_contributions_and_evidence(data: dict[str, Any]) -> None:
    scheme = _scheme(data["admin"])
    services.scores_compute(scheme=scheme, period="2026-03", actor=data["admin"])
    sa = Score.objects.get(scheme=scheme, org_unit=data["village_a"], period="2026-03")
    by = {c["indicator"]: c for c in sa.contributions}
    # satisfaction 0.8 -> (0.8-0.6)/(0.9-0.6) = 2/3; env 3/1000*1000 = 3 -> (10-3)/(10-2) = 7/8
    assert by["SAT"]["value"] == pytest.approx(0.8)
    assert by["SAT"]["score"] == pytest.approx(2 / 3, abs=1e-4)
    assert by["ENV"]["value"] == pytest.approx(3.0)
    assert by["ENV"]["score"] == pytest.approx(0.875)
    assert sa.total == pytest.approx(100 * (60 * 2 / 3 + 40 * 0.875) / 100, abs=0.01)
    assert by["ENV"]["evidence"]["data_values"][0]["id"] == data["pop_value"].pk
    assert by["ENV"]["evidence"]["requests"][0]["category"] == "环境"
    assert sum(c["points"] for c in sa.contributions) == pytest.approx(sa.total, abs=0.02)


def test_insufficient_sample_and_missing_data_are_left_out_not_zeroed(data: dict[str, Any]) -> None:
    scheme = _scheme(data["admin"])
    services.scores_compute(scheme=scheme, period="2026-03", actor=data["admin"])
    sb = Score.objects.get(scheme=scheme, org_unit=data["village_b"], period="2026-03")
    by = {c["indicator"]: c for c in sb.contributions}
    assert by["SAT"]["status"] == "insufficient_sample"
    assert by["SAT"]["sample"] == 2
    assert by["ENV"]["status"] == "no_data"
    assert sb.total is None


def test_scores_compute_is_audited_and_idempotent(data: dict[str, Any]) -> None:
    scheme = _scheme(data["admin"])
    services.scores_compute(scheme=scheme, period="2026-03", actor=data["admin"])
    services.scores_compute(scheme=scheme, period="2026-03", actor=data["admin"])
    assert Score.objects.filter(scheme=scheme).count() == 2
    assert AuditEntry.objects.filter(action="evaluation.scores.compute").count() == 2


def test_period_must_match_scheme(data: dict[str, Any]) -> None:
    scheme = _scheme(data["admin"])
    with pytest.raises(InvalidInput):
        services.scores_compute(scheme=scheme, period="2026Q1", actor=data["admin"])


@pytest.mark.parametrize(
    "changes",
    [{"min_sample": 0}, {"min_sample": 100_001}, {"phone_many_orders": 1}, {"partly_weight": 1.5}],
)
def test_settings_out_of_range_never_land(db: Any, changes: dict[str, Any]) -> None:
    before = services.settings_get()
    with pytest.raises(InvalidInput):
        services.settings_update(actor="test", **changes)
    after = EvaluationSettings.objects.get()
    assert (after.min_sample, after.phone_many_orders, after.partly_weight) == (
        before.min_sample,
        before.phone_many_orders,
        before.partly_weight,
    )


@pytest.mark.parametrize(("name", "frequency"), [("季度方案", 0), ("季度方案", 366), ("  ", 4)])
def test_scheme_out_of_range_never_lands(db: Any, name: str, frequency: int) -> None:
    with pytest.raises(InvalidInput):
        services.scheme_upsert(name=name, frequency_per_year=frequency, actor="test")
    assert not EvaluationScheme.objects.exists()


def test_bad_formula_never_lands(db: Any) -> None:
    with pytest.raises(InvalidInput):
        services.indicator_upsert(
            code="X", name="x", formula="__import__('os')", floor=0, target=1, actor="test"
        )
    with pytest.raises(InvalidInput):
        services.indicator_upsert(
            code="X", name="x", formula="M:no_such_metric", floor=0, target=1, actor="test"
        )
    with pytest.raises(InvalidInput):
        services.indicator_upsert(
            code="X", name="x", formula="E:A", floor=5, target=1, actor="test"
        )


def test_scheme_check_flags_paperwork_indicator(data: dict[str, Any]) -> None:
    scheme = _scheme("test")
    DataElement.objects.create(code="LEDGER_COUNT", name="工作台账份数", unit="份")
    bad = services.indicator_upsert(
        code="LEDGER",
        name="工作台账份数",
        formula="E:LEDGER_COUNT",
        floor=0,
        target=20,
        kind="process",
        actor="test",
    )
    services.scheme_item_set(scheme=scheme, indicator=bad, weight=10, actor="test")
    res = scheme_check(scheme)
    assert [f.indicator for f in res.findings if f.code == "rewards_paperwork"] == ["LEDGER"]
    assert res.outcome_share == pytest.approx(100 / 110)


def test_goal_tree_rolls_up_progress(data: dict[str, Any]) -> None:
    from qingzhuang.evaluation.periods import parse
    from qingzhuang.evaluation.values import goal_tree
    from qingzhuang.org.scope import Scope

    _scheme("test")
    from qingzhuang.evaluation.models import Indicator

    sat = Indicator.objects.get(
        code="SAT"
    )  # A: 0.8 from floor 0.6 to 0.9 -> 2/3; B: sample too small
    env = Indicator.objects.get(code="ENV")  # A: 3 from 10 to 2 -> 7/8; B: no population
    root = services.goal_create(name="满意", actor="test")
    services.goal_create(name="满意率", parent=root, weight=3, indicator=sat, actor="test")
    services.goal_create(name="环境", parent=root, weight=1, indicator=env, actor="test")
    rows = goal_tree(scope=Scope.all(), period=parse("2026-03"))
    assert [r["name"] for r in rows] == ["满意", "满意率", "环境"]
    assert rows[1]["progress"] == pytest.approx(2 / 3)
    assert rows[2]["progress"] == pytest.approx(0.875)
    assert rows[0]["progress"] == pytest.approx((3 * 2 / 3 + 0.875) / 4)


@pytest.mark.parametrize(
    "numbers",
    [
        {"floor": float("nan"), "target": 1.0},
        {"floor": 0.0, "target": float("inf")},
        {"floor": float("-inf"), "target": 1.0},
        {"floor": 0.0, "target": 1.0, "baseline": float("nan")},
    ],
)
def test_indicator_with_non_finite_numbers_never_lands(db: Any, numbers: dict[str, float]) -> None:
    with pytest.raises(InvalidInput, match="nan"):
        services.indicator_upsert(
            code="X", name="x", formula="M:satisfaction_rate", actor="test", **numbers
        )
    assert not AuditEntry.objects.filter(action__startswith="evaluation.indicator").exists()


def test_scheme_item_and_goal_weights_must_be_finite(data: dict[str, Any]) -> None:
    scheme = _scheme("test")
    ind = scheme.items.first().indicator
    for weight in (float("nan"), float("inf")):
        with pytest.raises(InvalidInput):
            services.scheme_item_set(scheme=scheme, indicator=ind, weight=weight, actor="test")
        with pytest.raises(InvalidInput):
            services.goal_create(name="g", weight=weight, actor="test")
    assert {i.weight for i in scheme.items.all()} == {60, 40}


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"formula": "M:satisfaction_rate", "floor": 0.9, "target": 0.9}, "底线和目标"),
        ({"formula": "M:satisfaction_rate / 0", "floor": 0, "target": 1}, "除以 0"),
        ({"formula": "M:complaints / (2 - 2.0)", "floor": 0, "target": 1}, "除以 0"),
        ({"formula": "E:NOPE_CODE", "floor": 0, "target": 1}, "找不到数据元：NOPE_CODE"),
        (
            {"formula": "E:POP_TOTAL / E:NOPE_CODE + E:NOPE2", "floor": 0, "target": 1},
            "找不到数据元：NOPE2、NOPE_CODE",
        ),
    ],
)
def test_indicator_that_can_never_score_is_refused(
    data: dict[str, Any], spec: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        services.indicator_upsert(code="X", name="x", actor="test", **spec)
    assert not services.Indicator.objects.filter(code="X").exists()


def test_formula_over_existing_elements_and_nonzero_constants_is_accepted(
    data: dict[str, Any],
) -> None:
    ind = services.indicator_upsert(
        code="X",
        name="x",
        formula="M:complaints / E:POP_TOTAL * 1000 / (2 - 1)",
        floor=10,
        target=1,
        direction="lower",
        actor="test",
    )
    assert ind.pk


def test_scheme_check_flags_an_indicator_whose_element_is_gone(data: dict[str, Any]) -> None:
    scheme = _scheme("test")
    assert not [f for f in scheme_check(scheme).findings if f.code == "missing_element"]
    DataValue.objects.filter(element__code="POP_TOTAL").delete()
    DataElement.objects.filter(code="POP_TOTAL").delete()
    res = scheme_check(scheme)
    found = [f for f in res.findings if f.code == "missing_element"]
    assert [f.indicator for f in found] == ["ENV"]
    assert "POP_TOTAL" in found[0].message and not res.ok


def test_scores_for_a_period_that_has_not_started_are_refused(data: dict[str, Any]) -> None:
    from django.utils import timezone

    scheme = _scheme(data["admin"])
    nxt = timezone.localdate().replace(day=1) + timedelta(days=32)
    with pytest.raises(InvalidInput, match="还没有开始"):
        services.scores_compute(
            scheme=scheme, period=f"{nxt.year}-{nxt.month:02d}", actor=data["admin"]
        )
    with pytest.raises(InvalidInput, match="还没有开始"):
        services.scores_compute(scheme=scheme, period="2030-01", actor=data["admin"])
    assert not Score.objects.exists()
    today = timezone.localdate()
    services.scores_compute(
        scheme=scheme, period=f"{today.year}-{today.month:02d}", actor=data["admin"]
    )
    assert Score.objects.count() == 2


@pytest.mark.parametrize(
    "changes",
    [
        {"weight_satisfied": 1.5},
        {"weight_dissatisfied": -0.1},
        {"weight_fairly": float("nan")},
        {"weight_satisfied": 0.5, "weight_fairly": 0.8},
        {"weight_fairly": 0.3, "weight_dissatisfied": 0.4},
    ],
)
def test_satisfaction_weights_out_of_range_or_order_never_land(
    db: Any, changes: dict[str, Any]
) -> None:
    services.settings_get()
    with pytest.raises(InvalidInput, match="权重"):
        services.settings_update(actor="test", **changes)
    cfg = EvaluationSettings.objects.get()
    assert (cfg.weight_satisfied, cfg.weight_fairly, cfg.weight_dissatisfied) == (1.0, 0.8, 0.0)
