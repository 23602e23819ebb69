"""The pure checker: every rule fires on a violating demand and stays quiet on a clean one."""

from __future__ import annotations

from datetime import date

import pytest

from qingzhuang.burden.rules_engine import (
    DemandInput,
    check_demand,
    count_prior_inspections,
    default_settings,
)
from qingzhuang.burden.workdays import workdays_between

RULES = default_settings()


def codes(d: DemandInput) -> list[str]:
    return sorted(f.rule for f in check_demand(d, RULES))


VIOLATIONS = [
    (DemandInput(kind="document", title="通知", received=date(2026, 3, 2), deadline=date(2026, 3, 4)), "DEADLINE_SHORT"),
    (DemandInput(kind="document", title="综合工作要点", chars=5001), "DOC_LENGTH"),
    (DemandInput(kind="document", title="专项整治实施方案", chars=4001), "DOC_LENGTH"),
    (DemandInput(kind="document", title="通知", chars=100, asks_followup=True), "DOC_FOLLOWUP"),
    (DemandInput(kind="meeting", title="推进会", duration_minutes=91), "MEETING_LONG"),
    (DemandInput(kind="meeting", title="推进会", duration_minutes=30, covered_by_document=True), "MEETING_COVERED"),
    (DemandInput(kind="inspection", title="考核", approval_code=""), "INSPECTION_NO_CODE"),
    (DemandInput(kind="inspection", title="考核", approval_code="X1", prior_inspections=2), "INSPECTION_OVER_PLAN"),
    (DemandInput(kind="app", title="工作群", demand_text="每日打卡"), "APP_BANNED"),
    (DemandInput(kind="app", title="工作群", demand_text="按在线时长排名"), "APP_BANNED"),
    (DemandInput(kind="app", title="工作群", demand_text="上传工作照片"), "APP_BANNED"),
    (DemandInput(kind="app", title="工作群", demand_text="截图留痕"), "APP_BANNED"),
    (DemandInput(kind="report", title="某表", form_admitted=False), "FORM_NOT_ADMITTED"),
    (DemandInput(kind="report", title="某表", form_admitted=True, fields_total=4, fields_held=1,
                 held_labels=["户籍人口数"]), "FORM_DATA_HELD"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("demand", "rule"), VIOLATIONS, ids=[v[1] + str(i) for i, v in enumerate(VIOLATIONS)]
)
def test_each_rule_fires_and_cites_its_source(demand: DemandInput, rule: str) -> None:
    findings = check_demand(demand, RULES)
    assert [f.rule for f in findings] == [rule]
    assert findings[0].message
    assert "《" in findings[0].source and "》" in findings[0].source


def test_every_seeded_rule_has_a_violating_example() -> None:
    assert {r.code for r in RULES} == {rule for _, rule in VIOLATIONS}


CLEAN = [
    DemandInput(kind="document", title="综合工作要点", chars=5000, received=date(2026, 3, 2), deadline=date(2026, 3, 9)),
    DemandInput(kind="document", title="专项整治实施方案", chars=4000),
    DemandInput(kind="meeting", title="调度会", duration_minutes=90),
    DemandInput(kind="inspection", title="考核", approval_code="SFX-2026-01", prior_inspections=1),
    DemandInput(kind="app", title="系统", demand_text="每月在系统中更新一次数据"),
    DemandInput(kind="app", title="应急值守群", demand_text="汛期应急值守每日签到"),
    DemandInput(kind="report", title="低保月报", form_admitted=True, fields_total=5, fields_held=0),
    DemandInput(kind="report", title="未知表"),  # catalogue unknown: stays quiet
]  # fmt: skip


@pytest.mark.parametrize("demand", CLEAN)
def test_clean_demands_trigger_nothing(demand: DemandInput) -> None:
    assert check_demand(demand, RULES) == []


def test_spring_festival_2026_counts_make_up_saturday_and_skips_the_holiday() -> None:
    # 2026: holiday 2/15–2/23, make-up workdays Sat 2/14 and Sat 2/28.
    assert workdays_between(date(2026, 2, 13), date(2026, 2, 24)) == 2  # 2/14 and 2/24
    assert workdays_between(date(2026, 2, 13), date(2026, 2, 27)) == 5
    assert workdays_between(date(2026, 2, 13), date(2026, 2, 28)) == 6
    short = DemandInput(
        kind="report", title="x", received=date(2026, 2, 13), deadline=date(2026, 2, 24)
    )
    assert codes(short) == ["DEADLINE_SHORT"]
    assert "2个工作日" in check_demand(short, RULES)[0].message
    enough = DemandInput(
        kind="report", title="x", received=date(2026, 2, 13), deadline=date(2026, 2, 27)
    )
    assert codes(enough) == []


def test_plain_weekdays_would_have_passed_the_spring_festival_case() -> None:
    # Mon–Fri counting gives 7 days for the same span, so the calendar really matters.
    from datetime import timedelta

    span = [date(2026, 2, 13) + timedelta(days=i) for i in range(1, 12)]
    assert sum(1 for d in span if d.weekday() < 5) == 7


def test_unknown_year_falls_back_to_weekdays_and_says_so() -> None:
    d = DemandInput(kind="report", title="x", received=date(2031, 3, 3), deadline=date(2031, 3, 5))
    (finding,) = check_demand(d, RULES)
    assert "按周一至周五计算" in finding.message


def test_third_inspection_of_a_year_is_over_plan_whatever_the_row_order() -> None:
    rows = [
        DemandInput(
            kind="inspection",
            title="c",
            issuer="卫健局",
            received=date(2026, 9, 1),
            approval_code="3",
        ),
        DemandInput(
            kind="inspection",
            title="a",
            issuer="卫健局",
            received=date(2026, 3, 1),
            approval_code="1",
        ),
        DemandInput(
            kind="inspection",
            title="b",
            issuer="卫健局",
            received=date(2026, 6, 1),
            approval_code="2",
        ),
        DemandInput(
            kind="inspection",
            title="d",
            issuer="农业局",
            received=date(2026, 9, 1),
            approval_code="4",
        ),
    ]
    count_prior_inspections(rows)
    assert [codes(r) for r in rows] == [["INSPECTION_OVER_PLAN"], [], [], []]


def test_disabled_rule_is_skipped() -> None:
    from dataclasses import replace

    rules = [replace(r, enabled=False) if r.code == "APP_BANNED" else r for r in RULES]
    assert check_demand(DemandInput(kind="app", title="群", demand_text="打卡"), rules) == []


def test_finding_is_kept_in_chinese_and_shown_in_the_readers_language() -> None:
    from django.utils import translation

    demand = DemandInput(kind="app", title="河长群", demand_text="每日打卡并上传工作照片")
    with translation.override("en"):  # an English user runs the check
        (finding,) = check_demand(demand, RULES)
        shown = finding.as_dict()["message"]
    # what a Finding row stores does not depend on who ran the check
    assert finding.message == "要求包含禁止的做法：强制打卡、上传工作照片。"
    assert shown == (
        "The demand includes banned practices: compulsory clock-ins, uploading work photos."
    )
    with translation.override("zh-hans"):
        assert finding.as_dict()["message"] == finding.message


@pytest.mark.parametrize(
    ("deadline", "english"), [(3, "only 1 working day,"), (4, "only 2 working days,")]
)
def test_short_deadline_counts_working_days_in_english_singular_and_plural(
    deadline: int, english: str
) -> None:
    from django.utils import translation

    d = DemandInput(kind="document", received=date(2026, 3, 2), deadline=date(2026, 3, deadline))
    (finding,) = check_demand(d, RULES)
    with translation.override("en"):
        assert english in finding.display()
    assert f"只有{deadline - 2}个工作日" in finding.message
