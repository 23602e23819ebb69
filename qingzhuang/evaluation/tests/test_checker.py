from __future__ import annotations

import pytest

from qingzhuang.evaluation.checker import IndicatorInfo, check_scheme


def _codes(result: object) -> list[str]:
    return [f.code for f in result.findings]  # type: ignore[attr-defined]


def test_paperwork_indicators_are_flagged_with_the_words_found() -> None:
    res = check_scheme(
        [
            (IndicatorInfo("SAT", "群众满意率", "outcome"), 50),
            (IndicatorInfo("PHOTO", "工作台账照片张数", "process"), 10),
            (IndicatorInfo("APP", "学习APP在线时长", "process"), 10),
            (IndicatorInfo("SIGN", "网格员打卡次数", "process"), 10),
        ],
        frequency_per_year=4,
    )
    flagged = {f.indicator for f in res.findings if f.code == "rewards_paperwork"}
    assert flagged == {"PHOTO", "APP", "SIGN"}
    assert not res.ok
    assert any("台账" in f.message and "照片" in f.message for f in res.findings)


def test_outcome_share_is_by_weight() -> None:
    res = check_scheme(
        [
            (IndicatorInfo("SAT", "群众满意率", "outcome"), 60),
            (IndicatorInfo("ONTIME", "按期办结率", "process"), 30),
            (IndicatorInfo("MEET", "召开会议次数", "process"), 10),
        ],
        frequency_per_year=2,
    )
    assert res.outcome_share == pytest.approx(0.6)
    assert res.process_share == pytest.approx(0.3)
    assert res.paperwork_share == pytest.approx(0.1)
    assert "few_outcomes" not in _codes(res)


def test_too_many_indicators_and_too_frequent() -> None:
    inds = [(IndicatorInfo(f"I{i}", f"结果{i}", "outcome"), 1.0) for i in range(12)]
    res = check_scheme(inds, frequency_per_year=12, max_indicators=10, max_frequency=4)
    assert "too_many_indicators" in _codes(res)
    assert "too_frequent" in _codes(res)


def test_clean_outcome_scheme_passes() -> None:
    res = check_scheme([(IndicatorInfo("SAT", "群众满意率", "outcome"), 1.0)], frequency_per_year=4)
    assert res.ok and res.findings == []
    assert res.outcome_share == 1.0


def test_few_outcomes_warns() -> None:
    res = check_scheme(
        [
            (IndicatorInfo("A", "按期办结率", "process"), 1),
            (IndicatorInfo("B", "满意率", "outcome"), 1),
        ],
        frequency_per_year=1,
    )
    assert "few_outcomes" in _codes(res)
    assert res.ok  # a warning, not a failure


@pytest.mark.parametrize(
    "weights",
    [(191, 10, 10), (1, 1, 1), (2, 1, 0), (0, 0, 0), (905, 47.5, 47.5), (1, 0, 0)],
)
def test_share_percents_add_up_to_100(weights: tuple[float, float, float]) -> None:
    kinds = ("outcome", "process", "paperwork")
    res = check_scheme(
        [(IndicatorInfo(k.upper(), f"指标{k}", k), w) for k, w in zip(kinds, weights, strict=True)],
        frequency_per_year=1,
    )
    pct = res.share_percents
    assert sum(pct.values()) == 100
    shares = {"outcome": res.outcome_share, "process": res.process_share,
              "paperwork": res.paperwork_share}  # fmt: skip
    for k in kinds:
        assert abs(pct[k] - 100 * shares[k]) < 1


def test_empty_scheme_has_no_shares() -> None:
    assert sum(check_scheme([], frequency_per_year=1).share_percents.values()) == 0


def test_formula_over_a_missing_element_is_flagged() -> None:
    res = check_scheme(
        [
            (IndicatorInfo("SAT", "群众满意率", "outcome", "M:satisfaction_rate"), 50),
            (
                IndicatorInfo(
                    "ENV", "环境投诉每千人", "outcome", "M:complaints / E:POP", missing=("POP",)
                ),
                50,
            ),
        ],
        frequency_per_year=1,
    )
    found = [f for f in res.findings if f.code == "missing_element"]
    assert [(f.indicator, f.severity) for f in found] == [("ENV", "bad")]
    assert "POP" in found[0].message and "环境投诉每千人" in found[0].message


def test_findings_follow_the_page_language() -> None:
    from django.utils import translation

    with translation.override("en"):
        res = check_scheme(
            [(IndicatorInfo("PHOTO", "工作台账照片张数", "process"), 10)] * 11,
            frequency_per_year=12,
        )
    for finding in res.findings:
        prose = finding.message.replace("工作台账照片张数", "").replace("台账", "")
        prose = prose.replace("照片", "")
        assert not any("\u4e00" <= ch <= "\u9fff" for ch in prose), finding.message
