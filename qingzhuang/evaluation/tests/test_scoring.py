from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qingzhuang.evaluation.scoring import (
    FormulaError,
    GoalNode,
    hist_median,
    hist_percentile,
    linear_score,
    median,
    parse_formula,
    percentile_nearest_rank,
    progress,
    rate,
    rollup,
    threshold_score,
    weighted_total,
    wilson_interval,
)


def test_wilson_interval_matches_textbook_value_for_8_of_10() -> None:
    low, high = wilson_interval(8, 10)
    assert low == pytest.approx(0.4902, abs=1e-4)
    assert high == pytest.approx(0.9433, abs=1e-4)


def test_wilson_interval_stays_inside_0_1_at_the_extremes() -> None:
    low, high = wilson_interval(2, 2)
    assert high == 1.0
    assert low == pytest.approx(0.3424, abs=1e-4)
    assert wilson_interval(0, 5)[0] == 0.0


def test_two_perfect_requests_rank_below_ninety_of_a_hundred() -> None:
    assert wilson_interval(2, 2)[0] < wilson_interval(90, 100)[0]


def test_rate_marks_small_samples_as_insufficient() -> None:
    r = rate(3, 4, min_sample=10)
    assert r.value == 0.75
    assert not r.sufficient
    assert rate(9, 10, min_sample=10).sufficient
    empty = rate(0, 0)
    assert empty.value is None and empty.low is None


def test_median_and_p90_hand_computed() -> None:
    assert median([5, 31, 10]) == 10
    assert median([1, 2, 3, 10]) == 2.5
    assert percentile_nearest_rank([5, 31, 10], 90) == 31
    assert percentile_nearest_rank(list(range(1, 11)), 90) == 9
    assert median([]) is None


@given(st.lists(st.integers(min_value=0, max_value=500), min_size=1, max_size=60))
def test_histogram_percentiles_equal_raw_percentiles(values: list[int]) -> None:
    hist: dict[int, int] = {}
    for v in values:
        hist[v] = hist.get(v, 0) + 1
    assert hist_median(hist) == median(values)
    assert hist_percentile(hist, 90) == percentile_nearest_rank(values, 90)


def test_linear_score_higher_is_better() -> None:
    assert linear_score(0.75, floor=0.6, target=0.9) == pytest.approx(0.5)
    assert linear_score(0.5, floor=0.6, target=0.9) == 0
    assert linear_score(0.95, floor=0.6, target=0.9) == 1


def test_linear_score_lower_is_better() -> None:
    assert linear_score(6, floor=10, target=2, direction="lower") == pytest.approx(0.5)
    assert linear_score(1, floor=10, target=2, direction="lower") == 1
    assert linear_score(12, floor=10, target=2, direction="lower") == 0


def test_linear_score_rejects_floor_on_wrong_side() -> None:
    with pytest.raises(ValueError):
        linear_score(1, floor=10, target=2, direction="higher")


def test_threshold_score_takes_best_step_reached() -> None:
    steps = [[0.9, 1.0], [0.8, 0.6], [0.7, 0.3]]
    assert threshold_score(0.85, steps) == 0.6
    assert threshold_score(0.95, steps) == 1.0
    assert threshold_score(0.5, steps) == 0.0
    assert threshold_score(3, [[2, 1.0], [5, 0.5]], direction="lower") == 0.5


def test_rollup_weights_children_and_skips_missing() -> None:
    tree = GoalNode(
        "root",
        children=[
            GoalNode("a", weight=3, progress=1.0),
            GoalNode(
                "b",
                weight=1,
                children=[GoalNode("b1", progress=0.0), GoalNode("b2", progress=None)],
            ),
            GoalNode("c", weight=5, progress=None),
        ],
    )
    assert rollup(tree) == pytest.approx(0.75)


def test_progress_and_weighted_total() -> None:
    assert progress(80, baseline=60, target=100) == 0.5
    assert progress(8, baseline=10, target=2) == 0.25
    assert weighted_total([(2, 1.0), (2, 0.5), (1, None)]) == 0.75
    assert weighted_total([(1, None)]) is None


def test_formula_evaluates_elements_and_metrics() -> None:
    f = parse_formula("M:complaints@环境 / E:POP_TOTAL * 1000")
    assert f.variables == ["E:POP_TOTAL", "M:complaints@环境"]
    assert f.evaluate({"M:complaints@环境": 6, "E:POP_TOTAL": 1500}) == pytest.approx(4.0)
    assert parse_formula("(E:A + E:B) / 2 - -1").evaluate({"E:A": 1, "E:B": 3}) == 3


def test_formula_missing_input_or_zero_division_gives_none() -> None:
    f = parse_formula("E:A / E:B")
    assert f.evaluate({"E:A": 1}) is None
    assert f.evaluate({"E:A": 1, "E:B": 0}) is None


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os').system('x')",
        "E:A ** 2",
        "(E:A).real",
        "abs(E:A)",
        "x + 1",
        "'a'",
        "E:A if E:B else 1",
        "[1]",
        "True + 1",
        "",
        "E:A +",
    ],
)
def test_formula_rejects_anything_but_arithmetic(text: str) -> None:
    with pytest.raises(FormulaError):
        parse_formula(text)
