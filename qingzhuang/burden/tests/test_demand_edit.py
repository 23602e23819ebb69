"""Correcting and deleting a stored demand: the service, the edit page and the delete page."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from qingzhuang.audit.models import AuditEntry
from qingzhuang.burden import services
from qingzhuang.burden.models import BurdenRevision, Demand, DocumentUpload, Finding, FindingOrigin
from qingzhuang.core.errors import Conflict, InvalidInput
from qingzhuang.org.models import Department, OrgLevel, Role
from qingzhuang.org.services import department_get_or_create
from qingzhuang.org.tests.factories import OrgUnitFactory, UserFactory

pytestmark = pytest.mark.django_db


def _meeting(unit: Any, title: str = "推进会", minutes: int = 120, attendees: int = 3) -> Demand:
    # default estimate: attendees × (minutes / 60 + 0.5 h travel)
    return services.demand_create(
        org_unit=unit, kind="meeting", title=title, received=date(2026, 4, 1),
        duration_minutes=minutes, attendees=attendees, actor="test",
    )  # fmt: skip


def _inspection(unit: Any, issuer: Any, day: date, title: str) -> Demand:
    return services.demand_create(
        org_unit=unit, kind="inspection", title=title, received=day, issuer=issuer,
        approval_code="SFX-1", actor="test",
    )  # fmt: skip


def _rules(demand: Demand) -> list[str]:
    return sorted(demand.findings.values_list("rule_code", flat=True))


def _as_form(demand: Demand) -> dict[str, Any]:
    """What the edit page posts back for an untouched meeting."""
    return {
        "kind": demand.kind, "title": demand.title, "issuer": demand.issuer_id or "",
        "issuer_new": "", "received": demand.received.isoformat(),
        "deadline": demand.deadline.isoformat() if demand.deadline else "",
        "duration_minutes": demand.duration_minutes or "", "attendees": demand.attendees or "",
        "level": demand.level, "respondents": demand.respondents,
        "frequency_per_year": demand.frequency_per_year,
        "hours_per_response": demand.hours_per_response,
        "preparation_hours": demand.preparation_hours, "estimate_kind": "re_estimate",
        "reason": "",
    }  # fmt: skip


def login(client: Client, org_tree: dict[str, Any], who: str) -> Client:
    assert client.login(username=org_tree[who].username, password=org_tree["password"])
    return client


# ---------------------------------------------------------------- service: demand_revise


def test_revise_corrects_fields_rechecks_re_estimates_and_audits_the_changes(
    org_tree: dict[str, Any],
) -> None:
    demand = _meeting(org_tree["town"])
    assert _rules(demand) == ["MEETING_LONG"] and demand.burden_hours == Decimal("7.50")
    dept = department_get_or_create(name="县农业农村局", actor="test")
    revision = services.demand_revise(
        demand=demand, actor=org_tree["admin"], title="推进会（更正）", issuer=dept,
        received=date(2026, 4, 2), duration_minutes=60, attendees=4,
        # the page posts the estimate back unchanged: it was automatic, so it follows the facts
        respondents=3, hours_per_response=Decimal("2.50"),
    )  # fmt: skip
    stored = Demand.objects.get(pk=demand.pk)
    assert (stored.title, stored.issuer, stored.received) == (
        "推进会（更正）",
        dept,
        date(2026, 4, 2),
    )
    assert _rules(stored) == []  # 60 minutes is within the limit
    assert (stored.respondents, stored.hours_per_response) == (4, Decimal("1.50"))
    assert stored.burden_hours == Decimal("6.00")
    assert revision is not None and revision.estimate_kind == "re_estimate"
    assert (revision.hours_before, revision.hours_after) == (Decimal("7.50"), Decimal("6.00"))
    assert "会议时长" in revision.reason  # a reason is written when none is given
    entry = AuditEntry.objects.get(action="burden.demand.revise", object_id=str(demand.pk))
    assert entry.actor == org_tree["admin"]
    assert entry.before is not None and entry.after is not None
    assert entry.before["duration_minutes"] == 120 and entry.after["duration_minutes"] == 60
    assert entry.before["title"] == "推进会" and entry.after["issuer_id"] == dept.pk
    assert "kind" not in entry.before and "approval_code" not in entry.after  # only changes
    assert AuditEntry.objects.filter(action="burden.finding.refresh").count() == 2
    demand.refresh_from_db()  # the caller's object was refreshed too
    assert demand.title == "推进会（更正）"


def test_revise_keeps_an_estimate_set_by_hand_and_re_estimates_a_blank_one(
    org_tree: dict[str, Any],
) -> None:
    demand = _meeting(org_tree["town"])
    services.demand_revise(demand=demand, actor="t", hours_per_response=Decimal("4"))
    services.demand_revise(demand=demand, actor="t", duration_minutes=60,
                           hours_per_response=Decimal("4"))  # fmt: skip
    demand.refresh_from_db()
    assert demand.hours_per_response == Decimal("4.00")
    services.demand_revise(demand=demand, actor="t", hours_per_response=None)
    demand.refresh_from_db()
    assert demand.hours_per_response == Decimal("1.50")
    assert demand.revisions.count() == 2  # the duration change alone did not move the hours


def test_revise_with_a_wrong_kind_corrected_drops_the_old_kinds_facts(
    org_tree: dict[str, Any],
) -> None:
    demand = _meeting(org_tree["town"])
    services.demand_revise(demand=demand, actor="t", kind="document", chars=6000)
    demand.refresh_from_db()
    assert demand.kind == "document"
    assert demand.duration_minutes is None and demand.attendees is None
    assert _rules(demand) == ["DOC_LENGTH"]
    assert Finding.objects.get(demand=demand).kind == "document"


def test_revise_program_change_is_counted_apart(org_tree: dict[str, Any]) -> None:
    demand = _meeting(org_tree["town"], minutes=60)
    revision = services.demand_revise(
        demand=demand, actor="t", estimate_kind="program_change", reason="改线上", attendees=1
    )
    demand.refresh_from_db()
    assert revision is not None and revision.reason == "改线上"
    assert demand.estimate_kind == "program_change" and demand.respondents == 1


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"deadline": date(2026, 3, 1)}, "截止日期早于收到日期"),
        ({"title": "  "}, "请填写事项名称"),
        ({"kind": "party"}, "类别无效"),
        ({"hours_per_response": Decimal("-1")}, "不能为负数"),
        ({"org_unit": None}, "不能修改"),
        ({"estimate_kind": "original"}, "重新估算"),
    ],
)
def test_revise_with_invalid_input_saves_nothing(
    org_tree: dict[str, Any], changes: dict[str, Any], message: str
) -> None:
    demand = _meeting(org_tree["town"])
    audits = AuditEntry.objects.count()
    with pytest.raises(InvalidInput, match=message):
        services.demand_revise(demand=demand, actor="t", duration_minutes=30, **changes)
    stored = Demand.objects.get(pk=demand.pk)
    assert stored.duration_minutes == 120 and stored.title == "推进会"
    assert demand.duration_minutes == 120  # the caller's object is untouched
    assert _rules(stored) == ["MEETING_LONG"]
    assert AuditEntry.objects.count() == audits and not BurdenRevision.objects.exists()


def test_revise_without_a_change_writes_nothing(org_tree: dict[str, Any]) -> None:
    demand = _meeting(org_tree["town"])
    audits = AuditEntry.objects.count()
    assert services.demand_revise(demand=demand, actor="t", title="推进会", attendees=3) is None
    assert AuditEntry.objects.count() == audits


def test_moving_an_inspection_rechecks_the_later_ones_of_the_same_issuer(
    org_tree: dict[str, Any],
) -> None:
    town, dept = org_tree["town"], department_get_or_create(name="县卫健局", actor="test")
    first = _inspection(town, dept, date(2026, 3, 1), "一查")
    _inspection(town, dept, date(2026, 5, 1), "二查")
    third = _inspection(town, dept, date(2026, 7, 1), "三查")
    assert _rules(third) == ["INSPECTION_OVER_PLAN"]
    services.demand_revise(demand=first, actor="t", received=date(2025, 12, 20))
    assert _rules(third) == []
    services.demand_revise(demand=first, actor="t", received=date(2026, 1, 5))
    assert _rules(third) == ["INSPECTION_OVER_PLAN"]
    services.demand_delete(demand=first, actor="t")
    assert _rules(third) == []


# ---------------------------------------------------------------- service: demand_delete


def test_delete_removes_the_demand_with_its_rule_findings_and_keeps_them_in_the_audit(
    org_tree: dict[str, Any],
) -> None:
    demand = _meeting(org_tree["town"])
    services.demand_revise(demand=demand, actor="t", attendees=2)
    pk = demand.pk
    services.demand_delete(demand=demand, actor=org_tree["admin"])
    assert not Demand.objects.filter(pk=pk).exists()
    assert not Finding.objects.filter(demand_id=pk).exists()
    assert not BurdenRevision.objects.filter(demand_id=pk).exists()
    entry = AuditEntry.objects.get(action="burden.demand.delete", object_id=str(pk))
    assert entry.before is not None and entry.before["title"] == "推进会"
    assert entry.before["findings"] == ["MEETING_LONG"] and len(entry.before["revisions"]) == 1


def test_delete_is_refused_when_a_document_or_a_feedback_finding_hangs_on_it(
    org_tree: dict[str, Any], settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    town = org_tree["town"]
    with_doc = services.demand_create(org_unit=town, kind="document", title="转发通知",
                                      received=date(2026, 4, 1), actor="t")  # fmt: skip
    services.document_upload(org_unit=town, name="通知.txt", data="通知全文".encode(), actor="t",
                             demand=with_doc)  # fmt: skip
    with pytest.raises(Conflict, match="原文文件"):
        services.demand_delete(demand=with_doc, actor="t")
    with_feedback = _meeting(town)
    services.finding_add(
        org_unit=town, demand=with_feedback, rule_code="FEEDBACK", message="内容已发文",
        source="减负直通车", origin=FindingOrigin.FEEDBACK, occurred_on=date(2026, 4, 2), actor="t",
    )  # fmt: skip
    with pytest.raises(Conflict, match="基层反映"):
        services.demand_delete(demand=with_feedback, actor="t")
    assert Demand.objects.count() == 2 and DocumentUpload.objects.count() == 1
    assert Finding.objects.filter(origin="feedback").count() == 1
    assert not AuditEntry.objects.filter(action="burden.demand.delete").exists()


# ---------------------------------------------------------------- pages


def test_detail_page_offers_edit_and_delete_only_to_managers(
    client: Client, org_tree: dict[str, Any]
) -> None:
    demand = _meeting(org_tree["town"])
    services.demand_revise(demand=demand, actor="t", estimate_kind="program_change",
                           reason="改线上会议", attendees=1)  # fmt: skip
    edit, delete = (
        reverse(f"burden:{n}", args=[demand.pk]) for n in ("demand_edit", "demand_delete")
    )
    body = login(client, org_tree, "admin").get(reverse("burden:demand", args=[demand.pk]))
    assert edit in body.content.decode() and delete in body.content.decode()
    body = login(client, org_tree, "evaluator").get(reverse("burden:demand", args=[demand.pk]))
    text = body.content.decode()
    assert body.status_code == 200 and edit not in text and delete not in text
    assert "改线上会议" in text  # the estimate history is visible to readers


def test_edit_page_is_prefilled_and_switches_kind(client: Client, org_tree: dict[str, Any]) -> None:
    dept = department_get_or_create(name="县农业农村局", actor="test")
    demand = _meeting(org_tree["town"], title="春耕推进会")
    services.demand_revise(demand=demand, actor="t", issuer=dept)
    login(client, org_tree, "admin")
    page = client.get(reverse("burden:demand_edit", args=[demand.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert 'value="春耕推进会"' in body and 'value="2026-04-01"' in body
    assert 'name="duration_minutes" value="120"' in body
    assert f'<option value="{dept.pk}" selected>' in body
    assert 'name="chars"' not in body
    body = client.get(reverse("burden:demand_edit", args=[demand.pk]) + "?kind=document")
    assert 'name="chars"' in body.content.decode()
    assert 'name="duration_minutes"' not in body.content.decode()


def test_edit_page_saves_rechecks_and_redirects(client: Client, org_tree: dict[str, Any]) -> None:
    demand = _meeting(org_tree["town"])
    login(client, org_tree, "admin")
    data = _as_form(demand) | {"duration_minutes": "60", "issuer_new": "县水利局"}
    resp = client.post(reverse("burden:demand_edit", args=[demand.pk]), data)
    assert resp.status_code == 302
    assert resp["Location"] == reverse("burden:demand", args=[demand.pk])
    demand.refresh_from_db()
    assert demand.duration_minutes == 60 and demand.issuer is not None
    assert demand.issuer.name == "县水利局"
    assert _rules(demand) == [] and demand.hours_per_response == Decimal("1.50")
    assert AuditEntry.objects.filter(action="burden.demand.revise").count() == 1


def test_edit_page_shows_the_chinese_error_and_saves_nothing(
    client: Client, org_tree: dict[str, Any]
) -> None:
    demand = _meeting(org_tree["town"])
    login(client, org_tree, "admin")
    url = reverse("burden:demand_edit", args=[demand.pk])
    data = _as_form(demand) | {"deadline": "2026-03-01", "issuer_new": "县新设局"}
    page = client.post(url, data)
    assert page.status_code == 200 and "截止日期早于收到日期，请核对。" in page.content.decode()
    page = client.post(url, _as_form(demand) | {"title": "", "duration_minutes": "-5"})
    body = page.content.decode()
    assert page.status_code == 200 and "这个字段是必填项" in body and "大于或等于" in body
    stored = Demand.objects.get(pk=demand.pk)
    assert stored.deadline is None and stored.duration_minutes == 120
    assert not AuditEntry.objects.filter(action="burden.demand.revise").exists()
    assert not Department.objects.filter(name="县新设局").exists()  # rolled back with the edit


def test_edit_and_delete_need_the_manage_capability(
    client: Client, org_tree: dict[str, Any]
) -> None:
    town_demand = _meeting(org_tree["town"])
    own = _meeting(org_tree["village_a"], title="东村的会")
    for who, demand in (("evaluator", town_demand), ("worker_a", own)):
        login(client, org_tree, who)
        for name in ("demand_edit", "demand_delete"):
            url = reverse(f"burden:{name}", args=[demand.pk])
            assert client.get(url).status_code == 403
            assert (
                client.post(url, _as_form(demand) | {"duration_minutes": "30"}).status_code == 403
            )
    assert Demand.objects.count() == 2
    assert set(Demand.objects.values_list("duration_minutes", flat=True)) == {120}


def test_edit_and_delete_outside_the_scope_are_not_found(
    client: Client, org_tree: dict[str, Any]
) -> None:
    other_town = OrgUnitFactory(code="420000100002", name="邻镇", level=OrgLevel.TOWNSHIP,
                                parent=org_tree["county"])  # fmt: skip
    UserFactory(username="other_admin", role=Role.TOWNSHIP_ADMIN, org_unit=other_town)
    theirs = _meeting(org_tree["village_b"], title="西村的会")
    for username in ("other_admin", org_tree["worker_a"].username):
        assert client.login(username=username, password=org_tree["password"])
        for name in ("demand_edit", "demand_delete"):
            url = reverse(f"burden:{name}", args=[theirs.pk])
            assert client.get(url).status_code == 404
            resp = client.post(url, _as_form(theirs) | {"title": "改掉"})
            assert resp.status_code == 404 and "西村的会" not in resp.content.decode()
    assert Demand.objects.get(pk=theirs.pk).title == "西村的会"


def test_delete_page_confirms_then_deletes_on_post(
    client: Client, org_tree: dict[str, Any]
) -> None:
    demand = _meeting(org_tree["village_a"], title="误登的会")
    login(client, org_tree, "admin")
    url = reverse("burden:demand_delete", args=[demand.pk])
    page = client.get(url)
    body = page.content.decode()
    assert page.status_code == 200 and "误登的会" in body and "确认删除" in body
    assert Demand.objects.filter(pk=demand.pk).exists()  # GET never deletes
    resp = client.post(url)
    assert resp.status_code == 302 and resp["Location"] == reverse("burden:ledger")
    assert not Demand.objects.filter(pk=demand.pk).exists()
    assert AuditEntry.objects.filter(
        action="burden.demand.delete", actor=org_tree["admin"]
    ).exists()
    assert "误登的会" in client.get(resp["Location"]).content.decode()  # the success message


def test_delete_page_explains_a_refusal(
    client: Client, org_tree: dict[str, Any], settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    town = org_tree["town"]
    demand = services.demand_create(org_unit=town, kind="document", title="转发通知",
                                    received=date(2026, 4, 1), actor="t")  # fmt: skip
    services.document_upload(org_unit=town, name="通知.txt", data="通知全文".encode(), actor="t",
                             demand=demand)  # fmt: skip
    login(client, org_tree, "admin")
    url = reverse("burden:demand_delete", args=[demand.pk])
    body = client.get(url).content.decode()
    assert "不能删除" in body and "确认删除" not in body
    resp = client.post(url)
    assert resp.status_code == 409 and "原文文件" in resp.content.decode()
    assert Demand.objects.filter(pk=demand.pk).exists()
