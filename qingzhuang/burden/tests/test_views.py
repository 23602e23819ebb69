"""Pages: each one logged in as a scoped user, checking the response and the database."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from qingzhuang.burden import services
from qingzhuang.burden.models import AdmissionReview, Demand, ReviewStatus, Rule
from qingzhuang.burden.tests.helpers import VIOLATING, xlsx_form
from qingzhuang.org.models import Role
from qingzhuang.org.services import department_get_or_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def reset_language() -> Iterator[None]:
    """LocaleMiddleware leaves the last request's language active in the test thread; put the
    default (Chinese) back so English pages do not leak into later tests."""
    yield
    translation.deactivate()


def login(client: Client, org_tree: dict[str, Any], who: str) -> Client:
    assert client.login(username=org_tree[who].username, password=org_tree["password"])
    return client


def _demand(unit: Any, title: str = "推进会", **kw: Any) -> Demand:
    return services.demand_create(org_unit=unit, kind="meeting", title=title, received=date(2026, 4, 1),
                                  duration_minutes=120, actor="test", **kw)  # fmt: skip


def test_ledger_shows_town_demands_to_admin_and_filters(
    client: Client, org_tree: dict[str, Any]
) -> None:
    _demand(org_tree["town"], "镇里的会")
    login(client, org_tree, "admin")
    page = client.get(reverse("burden:ledger"))
    assert page.status_code == 200
    assert "镇里的会" in page.content.decode() and "会议时间超过上限" in page.content.decode()
    assert (
        "镇里的会" not in client.get(reverse("burden:ledger") + "?kind=document").content.decode()
    )
    assert "镇里的会" in client.get(reverse("burden:ledger") + "?month=2026-04").content.decode()


def test_village_worker_cannot_see_the_township_ledger(
    client: Client, org_tree: dict[str, Any]
) -> None:
    town = _demand(org_tree["town"], "镇里的会")
    _demand(org_tree["village_a"], "东村的会")
    login(client, org_tree, "worker_a")
    body = client.get(reverse("burden:ledger")).content.decode()
    assert "东村的会" in body and "镇里的会" not in body
    assert client.get(reverse("burden:demand", args=[town.pk])).status_code == 404
    login(client, org_tree, "worker_b")
    assert "东村的会" not in client.get(reverse("burden:ledger")).content.decode()


def test_evaluator_reads_but_cannot_write(client: Client, org_tree: dict[str, Any]) -> None:
    demand = _demand(org_tree["town"])
    login(client, org_tree, "evaluator")
    assert client.get(reverse("burden:demand", args=[demand.pk])).status_code == 200
    assert client.get(reverse("burden:dashboard")).status_code == 200
    resp = client.post(
        reverse("burden:demand_new"), {"kind": "meeting", "title": "x", "received": "2026-04-01"}
    )
    assert resp.status_code == 403
    assert client.post(reverse("burden:demand_delete", args=[demand.pk])).status_code == 403
    assert Demand.objects.count() == 1
    assert client.post(reverse("burden:rules")).status_code == 403


def test_entry_page_per_kind_creates_a_checked_demand(
    client: Client, org_tree: dict[str, Any]
) -> None:
    login(client, org_tree, "admin")
    for kind in ("report", "document", "meeting", "inspection", "app"):
        assert client.get(reverse("burden:demand_new") + f"?kind={kind}").status_code == 200
    resp = client.post(reverse("burden:demand_new"), {
        "kind": "app", "title": "巡河群", "issuer_new": "县水利局", "received": "2026-04-01",
        "demand_text": "每天拍照打卡", "specific_task": "unknown",
    })  # fmt: skip
    demand = Demand.objects.get(title="巡河群")
    assert resp.status_code == 302 and resp["Location"] == reverse(
        "burden:demand", args=[demand.pk]
    )
    assert demand.org_unit == org_tree["town"] and demand.issuer is not None
    assert demand.issuer.name == "县水利局"
    assert list(demand.findings.values_list("rule_code", flat=True)) == ["APP_BANNED"]
    detail = client.get(resp["Location"]).content.decode()
    assert "《" in detail and "拍照留痕" in detail


def test_import_page_checks_then_stores(client: Client, org_tree: dict[str, Any]) -> None:
    login(client, org_tree, "admin")
    f = SimpleUploadedFile("d.csv", VIOLATING.encode())
    page = client.post(reverse("burden:import"), {"file": f})
    assert page.status_code == 200 and "要求基层配套发文或再报材料" in page.content.decode()
    assert Demand.objects.count() == 0
    f = SimpleUploadedFile("d.csv", VIOLATING.encode())
    client.post(reverse("burden:import"), {"file": f, "store": "on"})
    assert Demand.objects.filter(org_unit=org_tree["town"]).count() == 8
    bad = SimpleUploadedFile("d.csv", b"kind,title\nx,y\n")
    assert (
        "缺少列"
        in client.post(reverse("burden:import"), {"file": bad, "store": "on"}).content.decode()
    )


def test_import_page_reads_xlsx(client: Client, org_tree: dict[str, Any]) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws: Any = wb.active
    for line in VIOLATING.strip().split("\n")[:3]:
        ws.append(line.split(","))
    ws["D2"].value = date(2026, 2, 13)
    buf = io.BytesIO()
    wb.save(buf)
    login(client, org_tree, "admin")
    page = client.post(
        reverse("burden:import"), {"file": SimpleUploadedFile("d.xlsx", buf.getvalue())}
    )
    assert "办理时限过短" in page.content.decode()


def test_upload_page_counts_characters(client: Client, org_tree: dict[str, Any]) -> None:
    login(client, org_tree, "admin")
    page = client.post(
        reverse("burden:upload"), {"file": SimpleUploadedFile("a.txt", "基层 减负".encode())}
    )
    assert page.status_code == 200 and "共 4 字" in page.content.decode()


def test_rules_page_and_edit(client: Client, org_tree: dict[str, Any]) -> None:
    login(client, org_tree, "admin")
    assert "MEETING_LONG" in client.get(reverse("burden:rules")).content.decode()
    rule = Rule.objects.get(code="MEETING_LONG")
    resp = client.post(reverse("burden:rule_edit", args=["MEETING_LONG"]), {
        "title": rule.title, "enabled": "on", "threshold": "120", "threshold_alt": "",
        "keywords": "", "exceptions": "", "citation": rule.citation,
    })  # fmt: skip
    assert resp.status_code == 302
    rule.refresh_from_db()
    assert rule.threshold == 120
    login(client, org_tree, "worker_a")
    assert client.get(reverse("burden:rule_edit", args=["MEETING_LONG"])).status_code == 403


def test_department_submits_and_township_decides(client: Client, org_tree: dict[str, Any]) -> None:
    from qingzhuang.org.tests.factories import UserFactory

    dept = department_get_or_create(name="县统计局", actor="test")
    UserFactory(
        username="tongji", role=Role.DEPARTMENT_STAFF, org_unit=org_tree["county"], department=dept
    )
    client.login(username="tongji", password=org_tree["password"])
    resp = client.post(reverse("burden:admission"), {
        "title": "人口表", "file": SimpleUploadedFile("f.xlsx", xlsx_form("人口表", ["户籍人口数"])),
        "department": dept.pk, "year": 2026, "respondents": 3, "frequency_per_year": 4,
        "hours_per_response": "1", "preparation_hours": "0",
    })  # fmt: skip
    review = AdmissionReview.objects.get(title="人口表")
    assert (
        resp.status_code == 302
        and review.org_unit == org_tree["town"]
        and review.department == dept
    )
    assert client.post(reverse("burden:admission_detail", args=[review.pk]),
                       {"status": "approved", "reason": "自己批"}).status_code == 403  # fmt: skip
    login(client, org_tree, "admin")
    page = client.get(reverse("burden:admission_detail", args=[review.pk])).content.decode()
    assert "户籍人口数" in page and "12.0" in page
    client.post(
        reverse("burden:admission_detail", args=[review.pk]),
        {"status": "approved", "reason": "必需"},
    )
    review.refresh_from_db()
    assert review.status == ReviewStatus.APPROVED and review.decided_by == org_tree["admin"]
    assert "人口表" in client.get(reverse("burden:catalogue") + "?year=2026").content.decode()
    export = client.get(reverse("burden:catalogue") + "?year=2026&format=xlsx")
    from openpyxl import load_workbook

    ws: Any = load_workbook(io.BytesIO(export.content)).active
    assert ws["B2"].value == "人口表" and ws["C2"].value == "县统计局"
    login(client, org_tree, "worker_a")
    assert client.get(reverse("burden:admission_detail", args=[review.pk])).status_code == 404


def test_dashboard_and_monthly_exports(client: Client, org_tree: dict[str, Any]) -> None:
    _demand(org_tree["town"], "四月推进会")
    login(client, org_tree, "admin")
    page = client.get(reverse("burden:dashboard") + "?year=2026").content.decode()
    assert 'id="chart-data"' in page and "四月" not in page.split('id="chart-data"')[0][-50:]
    assert "会议时间超过上限" in page
    assert '"hours_label": "\\u5c0f\\u65f6"' in page  # 小时, the chart's axis name
    xlsx = client.get(reverse("burden:report") + "?year=2026&month=4&format=xlsx")
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(xlsx.content))
    assert wb.sheetnames[0] == "汇总"
    assert wb["事项明细"]["C2"].value == "四月推进会"
    pdf = client.get(reverse("burden:report") + "?year=2026&month=4&format=pdf")
    assert pdf["Content-Type"] == "application/pdf"
    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "四月推进会" in text and "基层负担报告" in text
    login(client, org_tree, "worker_b")
    other = client.get(reverse("burden:report") + "?year=2026&month=4&format=xlsx")
    assert load_workbook(io.BytesIO(other.content))["事项明细"].max_row == 1


def test_anonymous_is_sent_to_login(client: Client) -> None:
    resp = client.get(reverse("burden:ledger"))
    assert resp.status_code == 302 and "login" in resp["Location"]


@pytest.mark.usefixtures("reset_language")
def test_import_check_and_monthly_report_follow_the_page_language(
    client: Client, org_tree: dict[str, Any]
) -> None:
    from openpyxl import load_workbook

    _demand(org_tree["town"], "四月推进会")
    login(client, org_tree, "admin")
    report = reverse("burden:report") + "?year=2026&month=4&format=xlsx"
    summary = load_workbook(io.BytesIO(client.get(report).content))["汇总"]
    assert summary["A1"].value == f"{org_tree['town'].name}2026年4月基层负担报告"
    assert summary["A2"].value == "事项总数"
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    summary = load_workbook(io.BytesIO(client.get(report).content))["汇总"]
    assert summary["A1"].value == f"{org_tree['town'].name}: grassroots burden report, 4/2026"
    assert summary["A2"].value == "Total items"
    f = SimpleUploadedFile("d.csv", VIOLATING.encode())
    page = client.post(reverse("burden:import"), {"file": f}).content.decode()
    assert "The demand includes banned practices: compulsory clock-ins" in page
    assert "要求包含禁止的做法" not in page


def test_rules_page_shows_default_titles_in_english(
    client: Client, org_tree: dict[str, Any], reset_language: None
) -> None:
    Rule.objects.filter(code="DOC_LENGTH").update(title="发文字数太多（本镇措辞）")
    login(client, org_tree, "admin")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = client.get(reverse("burden:rules")).content.decode()
    meeting = Rule.objects.get(code="MEETING_LONG").title
    assert meeting not in body  # the default title is shown in English
    with translation.override("en"):
        assert translation.gettext(meeting) in body
    assert "发文字数太多（本镇措辞）" in body  # a reworded title is shown as written


def test_failed_entry_does_not_create_the_new_department(
    client: Client, org_tree: dict[str, Any]
) -> None:
    from qingzhuang.org.models import Department

    login(client, org_tree, "admin")
    resp = client.post(reverse("burden:demand_new"), {
        "kind": "meeting", "title": "推进会", "issuer_new": "半存部门甲",
        "received": "2026-04-10", "deadline": "2026-04-01",
    })  # fmt: skip
    assert resp.status_code == 200 and "截止日期早于收到日期" in resp.content.decode()
    assert not Department.objects.filter(name="半存部门甲").exists()
    assert Demand.objects.count() == 0


def test_a_second_admission_decision_is_refused_with_a_message(
    client: Client, org_tree: dict[str, Any]
) -> None:
    dept = department_get_or_create(name="县统计局", actor="test")
    review = services.admission_submit(
        org_unit=org_tree["town"], department=dept, name="f.xlsx", data=xlsx_form("表", ["户数"]),
        form=services.AdmissionInput(title="人口表", year=2026), actor="t",
    )  # fmt: skip
    url = reverse("burden:admission_detail", args=[review.pk])
    login(client, org_tree, "admin")
    client.post(url, {"status": "approved", "reason": "必需"})
    late = client.post(url, {"status": "rejected", "reason": "没必要"})
    body = late.content.decode()
    assert late.status_code == 409 and "这份申请已经有结论，不能重复审查。" in body
    review.refresh_from_db()
    assert review.status == ReviewStatus.APPROVED and review.reason == "必需"


def test_a_decision_made_from_a_stale_object_is_refused(org_tree: dict[str, Any]) -> None:
    from qingzhuang.core.errors import Conflict

    dept = department_get_or_create(name="县统计局", actor="test")
    review = services.admission_submit(
        org_unit=org_tree["town"], department=dept, name="f.xlsx", data=xlsx_form("表", ["户数"]),
        form=services.AdmissionInput(title="人口表", year=2026), actor="t",
    )  # fmt: skip
    stale = AdmissionReview.objects.get(pk=review.pk)
    services.admission_decide(review=review, status="approved", reason="必需", actor="a")
    with pytest.raises(Conflict):
        services.admission_decide(review=stale, status="rejected", reason="不要", actor="b")
    review.refresh_from_db()
    assert review.status == ReviewStatus.APPROVED


def test_import_page_offers_a_sample_csv_that_imports(
    client: Client, org_tree: dict[str, Any]
) -> None:
    login(client, org_tree, "admin")
    page = client.get(reverse("burden:import")).content.decode()
    assert reverse("burden:import_sample") in page
    sample = client.get(reverse("burden:import_sample"))
    assert sample.status_code == 200 and "attachment" in sample["Content-Disposition"]
    assert sample.content.startswith(b"\xef\xbb\xbf")
    assert len(sample.content.decode("utf-8-sig").strip().splitlines()) == 3
    f = SimpleUploadedFile("sample.csv", sample.content)
    client.post(reverse("burden:import"), {"file": f, "store": "on"})
    assert Demand.objects.filter(org_unit=org_tree["town"]).count() == 2


def test_import_help_text_can_wrap_on_a_phone(client: Client, org_tree: dict[str, Any]) -> None:
    from pathlib import Path

    login(client, org_tree, "admin")
    page = client.get(reverse("burden:import")).content.decode()
    assert "burden/burden.css" in page and 'class="import-form' in page
    css = (Path(__file__).resolve().parents[1] / "static" / "burden" / "burden.css").read_text()
    assert ".import-form .helptext" in css and "overflow-wrap: anywhere" in css


def test_dashboard_shows_saved_hours_with_one_decimal(
    client: Client, org_tree: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from qingzhuang.burden import views

    monkeypatch.setattr(views, "savings_hours", lambda **kw: (1.4, True))
    login(client, org_tree, "admin")
    page = client.get(reverse("burden:dashboard") + "?year=2026").content.decode()
    assert '<div class="figure">1.4</div>' in page
