"""Services: demands, findings from other sources, rules as data, documents, 准入."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from qingzhuang.audit.models import AuditEntry
from qingzhuang.burden import selectors, services
from qingzhuang.burden.models import (
    AdmissionReview,
    Demand,
    Finding,
    FindingOrigin,
    ReviewStatus,
    Rule,
)
from qingzhuang.burden.tests.helpers import xlsx_form
from qingzhuang.core.errors import Conflict, InvalidInput
from qingzhuang.org.scope import Scope

pytestmark = pytest.mark.django_db


def _meeting(town: Any, minutes: int = 120) -> Demand:
    return services.demand_create(
        org_unit=town, kind="meeting", title="推进会", received=date(2026, 4, 1),
        duration_minutes=minutes, attendees=3, actor="test",
    )  # fmt: skip


def test_seeded_rules_have_citations() -> None:
    rules = list(Rule.objects.all())
    assert len(rules) == 10
    assert all("《" in r.citation for r in rules)
    assert Rule.objects.get(code="DOC_LENGTH").threshold == 5000


def test_demand_create_checks_estimates_and_audits(org_tree: dict[str, Any]) -> None:
    demand = _meeting(org_tree["town"])
    assert list(demand.findings.values_list("rule_code", flat=True)) == ["MEETING_LONG"]
    # 3 attendees × (2h + 0.5h travel)
    assert demand.burden_hours == Decimal("7.50")
    assert AuditEntry.objects.filter(
        action="burden.demand.create", object_id=str(demand.pk)
    ).exists()


def test_changing_a_rule_threshold_changes_the_result(org_tree: dict[str, Any]) -> None:
    demand = _meeting(org_tree["town"])
    rule = Rule.objects.get(code="MEETING_LONG")
    services.rule_update(rule=rule, threshold=180, actor=org_tree["admin"])
    services.findings_recheck(scope=Scope.of_unit(org_tree["town"]), actor="test")
    assert not demand.findings.exists()
    assert AuditEntry.objects.filter(action="burden.rule.update").exists()


def test_rule_update_refuses_empty_citation_and_negative_threshold() -> None:
    rule = Rule.objects.get(code="MEETING_LONG")
    with pytest.raises(InvalidInput):
        services.rule_update(rule=rule, citation=" ", actor="test")
    with pytest.raises(InvalidInput):
        services.rule_update(rule=rule, threshold=-1, actor="test")
    rule.refresh_from_db()
    assert rule.threshold == 90


def test_other_features_can_add_findings_that_survive_a_recheck(org_tree: dict[str, Any]) -> None:
    demand = _meeting(org_tree["town"], minutes=30)
    services.finding_add(
        org_unit=org_tree["town"], demand=demand, rule_code="FEEDBACK", message="会议内容文件已写明",
        source="基层反映（减负直通车）", origin=FindingOrigin.FEEDBACK, occurred_on=date(2026, 4, 2),
        ref="feedback:1", actor="test",
    )  # fmt: skip
    services.finding_add(
        org_unit=org_tree["village_a"], rule_code="VILLAGE_NEGATIVE_LIST", message="要求村里出具无犯罪证明",
        source="村级工作事项负面清单", origin=FindingOrigin.VILLAGE_ADMISSION, occurred_on=date(2026, 4, 3),
        actor="test",
    )  # fmt: skip
    services.demand_findings_refresh(demand=demand, actor="test")
    assert demand.findings.filter(origin="feedback").count() == 1
    assert Finding.objects.filter(demand__isnull=True).count() == 1
    with pytest.raises(InvalidInput):
        services.finding_add(org_unit=org_tree["town"], rule_code="X", message="m", source="s",
                             origin="gossip", occurred_on=date(2026, 1, 1), actor="test")  # fmt: skip


def test_revisions_keep_re_estimates_apart_from_program_changes(org_tree: dict[str, Any]) -> None:
    demand = _meeting(org_tree["town"], minutes=60)  # 3 × 1.5h = 4.5
    services.demand_revise(
        demand=demand, estimate_kind="re_estimate", reason="估错", respondents=2, actor="t"
    )
    services.demand_revise(
        demand=demand, estimate_kind="program_change", reason="改线上", respondents=1, actor="t"
    )
    data = selectors.dashboard(scope=Scope.of_unit(org_tree["town"]), year=2026)
    assert data["revisions"] == {"re_estimate": -1.5, "program_change": -1.5}
    with pytest.raises(InvalidInput):
        services.demand_revise(demand=demand, estimate_kind="original", reason="x", actor="t")


def test_document_upload_counts_chars_detects_copy_and_rechecks(org_tree: dict[str, Any]) -> None:
    demand = services.demand_create(org_unit=org_tree["town"], kind="document", title="转发通知",
                                    received=date(2026, 4, 1), actor="test")  # fmt: skip
    upper = (
        "各地要深入开展农村人居环境整治聚焦垃圾污水治理和村容村貌提升压实属地责任按月报送进展" * 130
    )
    doc = services.document_upload(
        org_unit=org_tree["town"], name="通知.txt", data=("转发：" + upper).encode(), actor="test",
        demand=demand, upper_name="省.txt", upper_data=upper.encode(),
    )  # fmt: skip
    assert doc.chars == len(upper) + 3
    assert doc.is_copy and doc.containment is not None and doc.containment > 0.9
    demand.refresh_from_db()
    assert demand.chars == doc.chars
    assert list(demand.findings.values_list("rule_code", flat=True)) == ["DOC_LENGTH"]
    with pytest.raises(InvalidInput, match="不支持"):
        services.document_upload(org_unit=org_tree["town"], name="a.exe", data=b"x", actor="test")


def _submit(org_tree: dict[str, Any], title: str, fields: list[str]) -> AdmissionReview:
    from qingzhuang.org.services import department_get_or_create

    dept = department_get_or_create(name="县统计局", actor="test")
    return services.admission_submit(
        org_unit=org_tree["town"], department=dept, name=f"{title}.xlsx", data=xlsx_form(title, fields),
        form=services.AdmissionInput(title=title, year=2026, respondents=10, frequency_per_year=12,
                                     hours_per_response=Decimal("0.5")),
        actor=org_tree["admin"],
    )  # fmt: skip


def _hold(town: Any, name: str) -> None:
    from qingzhuang.datastore.models import DataElement, DataValue

    element = DataElement.objects.create(
        code=f"E{DataElement.objects.count() + 1}", name=name, unit="人"
    )
    DataValue.objects.create(element=element, org_unit=town, period="2025", period_type="year",
                             value=Decimal("100"), source="entry")  # fmt: skip


def test_admission_shows_held_data_overlap_and_burden_then_decides(
    org_tree: dict[str, Any],
) -> None:
    _hold(org_tree["town"], "户籍人口数")
    first = _submit(org_tree, "人口表", ["户籍人口数", "低保人数"])
    a = first.analysis
    assert a["fields_total"] == 2
    assert [h["label"] for h in a["held"]] == ["户籍人口数"]
    assert a["held_percent"] == 50
    assert a["burden_hours"] == 60.0  # 10 × 12 × 0.5
    services.admission_decide(
        review=first, status=ReviewStatus.APPROVED, reason="必需", actor=org_tree["admin"]
    )
    second = _submit(org_tree, "救助表", ["低保人数", "特困人数"])
    assert [o["label"] for o in second.analysis["overlaps"]] == ["低保人数"]
    assert second.analysis["overlaps"][0]["form"] == "人口表"
    with pytest.raises(InvalidInput):
        services.admission_decide(review=second, status=ReviewStatus.REJECTED, reason="", actor="t")
    services.admission_decide(
        review=second, status=ReviewStatus.USE_EXISTING, reason="已有", actor="t"
    )
    with pytest.raises(Conflict):
        services.admission_decide(
            review=second, status=ReviewStatus.APPROVED, reason="再审", actor="t"
        )
    assert [
        r.title for r in selectors.catalogue(scope=Scope.of_unit(org_tree["town"]), year=2026)
    ] == ["人口表"]
    assert AuditEntry.objects.filter(action="burden.admission.decide").count() == 2


def test_report_rules_use_the_catalogue_and_held_data(org_tree: dict[str, Any]) -> None:
    _hold(org_tree["town"], "户籍人口数")
    review = _submit(org_tree, "人口表", ["户籍人口数", "低保人数"])
    outside = services.demand_create(org_unit=org_tree["town"], kind="report", title="人口表",
                                     received=date(2026, 5, 1), actor="t")  # fmt: skip
    assert set(outside.findings.values_list("rule_code", flat=True)) == {
        "FORM_NOT_ADMITTED",
        "FORM_DATA_HELD",
    }
    held = outside.findings.get(rule_code="FORM_DATA_HELD")
    assert "50%" in held.message and "户籍人口数" in held.message
    services.admission_decide(review=review, status=ReviewStatus.APPROVED, reason="必需", actor="t")
    services.demand_findings_refresh(demand=outside, actor="t")
    assert list(outside.findings.values_list("rule_code", flat=True)) == ["FORM_DATA_HELD"]


def test_admission_refuses_unreadable_file(org_tree: dict[str, Any]) -> None:
    from qingzhuang.org.services import department_get_or_create

    dept = department_get_or_create(name="县统计局", actor="test")
    with pytest.raises(InvalidInput):
        services.admission_submit(org_unit=org_tree["town"], department=dept, name="x.xlsx", data=b"junk",
                                  form=services.AdmissionInput(title="x", year=2026), actor="t")  # fmt: skip
    assert AdmissionReview.objects.count() == 0


def test_village_scope_sees_only_its_own_demands(org_tree: dict[str, Any]) -> None:
    _meeting(org_tree["town"])
    mine = _meeting(org_tree["village_a"])
    village = Scope.of_unit(org_tree["village_a"])
    assert list(selectors.demand_list(scope=village)) == [mine]
    assert selectors.demand_list(scope=Scope.of_unit(org_tree["village_b"])).count() == 0
    assert selectors.demand_list(scope=Scope.of_unit(org_tree["town"])).count() == 2
