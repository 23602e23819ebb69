"""The same demands imported twice, or the same form sent to 准入 twice, are not stored twice."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from qingzhuang.burden import services
from qingzhuang.burden.csv_io import parse_demands_csv
from qingzhuang.burden.models import AdmissionReview, Demand, ReviewStatus
from qingzhuang.burden.tests.helpers import CLEAN, HEADER, xlsx_form
from qingzhuang.core.errors import Conflict
from qingzhuang.org.services import department_get_or_create

pytestmark = pytest.mark.django_db


def test_importing_the_same_rows_again_skips_them_and_says_so(org_tree: dict[str, Any]) -> None:
    town = org_tree["town"]
    first = services.demands_import(
        rows=parse_demands_csv(CLEAN.encode()), org_unit=town, actor="t"
    )
    assert len(first["demands"]) == 4 and first["skipped"] == []
    more = CLEAN.rstrip("\n") + "\nmeeting,新的调度会,县农业农村局,2026-03-09,,,,60,0,,\n"
    again = services.demands_import(rows=parse_demands_csv(more.encode()), org_unit=town, actor="t")
    assert [d["title"] for d in again["demands"]] == ["新的调度会"]
    assert [s["row"] for s in again["skipped"]] == [1, 2, 3, 4]
    assert again["skipped"][0]["message"] == "第1行：与已登记的“关于做好防汛工作的通知”重复，已跳过"
    assert Demand.objects.filter(org_unit=town).count() == 5


def test_a_changed_row_is_not_a_duplicate(org_tree: dict[str, Any]) -> None:
    town = org_tree["town"]
    one = HEADER + "meeting,调度会,县农业农村局,2026-03-02,,,,60,0,,\n"
    services.demands_import(rows=parse_demands_csv(one.encode()), org_unit=town, actor="t")
    longer = one.replace(",60,", ",90,")
    result = services.demands_import(
        rows=parse_demands_csv(longer.encode()), org_unit=town, actor="t"
    )
    assert result["skipped"] == [] and Demand.objects.count() == 2


def test_the_same_rows_in_another_unit_are_not_duplicates(org_tree: dict[str, Any]) -> None:
    rows = parse_demands_csv(CLEAN.encode())
    services.demands_import(rows=rows, org_unit=org_tree["village_a"], actor="t")
    result = services.demands_import(rows=rows, org_unit=org_tree["village_b"], actor="t")
    assert result["skipped"] == [] and Demand.objects.count() == 8


def test_import_page_reports_skipped_rows(client: Client, org_tree: dict[str, Any]) -> None:
    client.login(username="town_admin", password=org_tree["password"])
    for _ in range(2):
        page = client.post(reverse("burden:import"),
                           {"file": SimpleUploadedFile("d.csv", CLEAN.encode()), "store": "on"})  # fmt: skip
    body = page.content.decode()
    assert "第2行：与已登记的“调度会”重复，已跳过" in body
    assert Demand.objects.count() == 4


def _submit(
    org_tree: dict[str, Any], title: str = "低保表", dept: str = "县民政局"
) -> AdmissionReview:
    return services.admission_submit(
        org_unit=org_tree["town"], department=department_get_or_create(name=dept, actor="t"),
        name="f.xlsx", data=xlsx_form(title, ["低保人数"]),
        form=services.AdmissionInput(title=title, year=2026, hours_per_response=Decimal("1")),
        actor="t",
    )  # fmt: skip


def test_a_second_pending_review_of_the_same_form_is_refused(org_tree: dict[str, Any]) -> None:
    first = _submit(org_tree)
    with pytest.raises(Conflict, match="低保表"):
        _submit(org_tree, title=" 低保表 ")
    _submit(org_tree, dept="县统计局")  # another department may ask for its own form
    services.admission_decide(review=first, status=ReviewStatus.REJECTED, reason="重复", actor="t")
    _submit(org_tree)  # after a decision the department may submit a revised form
    assert AdmissionReview.objects.count() == 3


def test_admission_page_shows_the_duplicate_refusal(
    client: Client, org_tree: dict[str, Any]
) -> None:
    dept = department_get_or_create(name="县民政局", actor="t")
    client.login(username="town_admin", password=org_tree["password"])

    def post() -> Any:
        return client.post(reverse("burden:admission"), {
            "title": "低保表", "file": SimpleUploadedFile("f.xlsx", xlsx_form("低保表", ["低保人数"])),
            "department": dept.pk, "year": 2026, "respondents": 1, "frequency_per_year": 1,
            "hours_per_response": "1", "preparation_hours": "0",
        })  # fmt: skip

    assert post().status_code == 302
    again = post()
    assert again.status_code == 200 and "已经提交过" in again.content.decode()
    assert AdmissionReview.objects.count() == 1
