"""Numbers, years, dates and ids from users stay within what the ledger can store and show."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from qingzhuang.burden import services
from qingzhuang.burden.models import AdmissionReview, Demand, Rule
from qingzhuang.burden.tests.helpers import xlsx_form
from qingzhuang.core.errors import InvalidInput
from qingzhuang.org.models import Role
from qingzhuang.org.services import department_get_or_create

pytestmark = pytest.mark.django_db


def login(client: Client, org_tree: dict[str, Any], who: str) -> Client:
    assert client.login(username=org_tree[who].username, password=org_tree["password"])
    return client


def _admission_post(**numbers: str) -> dict[str, Any]:
    dept = department_get_or_create(name="县民政局", actor="test")
    data: dict[str, Any] = {
        "title": "低保表", "file": SimpleUploadedFile("f.xlsx", xlsx_form("低保表", ["低保人数"])),
        "department": dept.pk, "year": 2026, "respondents": "3", "frequency_per_year": "4",
        "hours_per_response": "1", "preparation_hours": "0",
    }  # fmt: skip
    data.update(numbers)
    return data


@pytest.mark.parametrize(
    "numbers",
    [
        {"hours_per_response": "99999999999"},
        {"hours_per_response": "1e20"},
        {"preparation_hours": "1000000"},
        {"hours_per_response": "0.001"},
        {"respondents": "99999999999999"},
        {"frequency_per_year": "99999999999999"},
    ],
)
def test_admission_form_refuses_numbers_the_ledger_cannot_hold(
    client: Client, org_tree: dict[str, Any], numbers: dict[str, str]
) -> None:
    login(client, org_tree, "admin")
    resp = client.post(reverse("burden:admission"), _admission_post(**numbers))
    assert resp.status_code == 200
    assert AdmissionReview.objects.count() == 0
    assert client.get(reverse("burden:admission")).status_code == 200


def _dept_and_file() -> tuple[Any, bytes]:
    return department_get_or_create(name="县民政局", actor="test"), xlsx_form("表", ["户数"])


@pytest.mark.parametrize(
    ("numbers", "needle"),
    [
        ({"hours_per_response": Decimal("1e20")}, "每次耗时"),
        ({"hours_per_response": Decimal("1.234")}, "每次耗时"),
        ({"preparation_hours": Decimal("-1")}, "准备时间"),
        ({"respondents": 99999999999999}, "填报单位数"),
        ({"frequency_per_year": 2**40}, "每年次数"),
        ({"hours_per_response": Decimal("NaN")}, "每次耗时"),
        ({"respondents": 2_000_000_000, "frequency_per_year": 2_000_000_000}, "负担"),
    ],
)
def test_admission_service_refuses_out_of_range_numbers(
    org_tree: dict[str, Any], numbers: dict[str, Any], needle: str
) -> None:
    dept, data = _dept_and_file()
    form = services.AdmissionInput(title="表", year=2026, **numbers)
    with pytest.raises(InvalidInput) as exc:
        services.admission_submit(org_unit=org_tree["town"], department=dept, name="f.xlsx",
                                  data=data, form=form, actor="t")  # fmt: skip
    assert needle in exc.value.message
    assert AdmissionReview.objects.count() == 0


def test_admission_service_refuses_a_year_out_of_range(org_tree: dict[str, Any]) -> None:
    dept, data = _dept_and_file()
    with pytest.raises(InvalidInput, match="年度"):
        services.admission_submit(org_unit=org_tree["town"], department=dept, name="f.xlsx",
                                  data=data, form=services.AdmissionInput(title="表", year=70000),
                                  actor="t")  # fmt: skip


@pytest.mark.parametrize(
    ("fields", "needle"),
    [
        ({"hours_per_response": Decimal("99999999999")}, "每次耗时"),
        ({"respondents": 99999999999999}, "填报"),
        ({"chars": 99999999999999}, "字数"),
        ({"respondents": 2_000_000_000, "frequency_per_year": 2_000_000_000}, "负担"),
    ],
)
def test_demand_services_refuse_out_of_range_numbers(
    org_tree: dict[str, Any], fields: dict[str, Any], needle: str
) -> None:
    with pytest.raises(InvalidInput) as exc:
        services.demand_create(org_unit=org_tree["town"], kind="document", title="通知",
                               received=date(2026, 4, 1), actor="t", **fields)  # fmt: skip
    assert needle in exc.value.message
    assert "9223372036854775807" not in exc.value.message
    demand = services.demand_create(org_unit=org_tree["town"], kind="document", title="通知",
                                    received=date(2026, 4, 1), actor="t")  # fmt: skip
    with pytest.raises(InvalidInput) as exc:
        services.demand_revise(demand=demand, actor="t", **fields)
    assert needle in exc.value.message
    assert Demand.objects.get().chars is None


def test_huge_meeting_length_is_reported_on_the_length_not_the_derived_hours(
    org_tree: dict[str, Any],
) -> None:
    with pytest.raises(InvalidInput) as exc:
        services.demand_create(org_unit=org_tree["town"], kind="meeting", title="会",
                               received=date(2026, 4, 1), actor="t",
                               duration_minutes=2_000_000_000)  # fmt: skip
    assert "会议时长" in exc.value.message and "每次耗时" not in exc.value.message


@pytest.mark.parametrize("received", [date(1999, 12, 31), date(2040, 1, 1)])
def test_demand_dates_outside_2000_and_five_years_ahead_are_refused(
    org_tree: dict[str, Any], received: date
) -> None:
    with pytest.raises(InvalidInput, match="2000-01-01"):
        services.demand_create(org_unit=org_tree["town"], kind="meeting", title="会",
                               received=received, actor="t")  # fmt: skip


def test_entry_form_refuses_far_dates_and_huge_numbers(
    client: Client, org_tree: dict[str, Any]
) -> None:
    login(client, org_tree, "admin")
    far = (timezone.localdate() + timedelta(days=5 * 366 + 1)).isoformat()
    for data in (
        {"received": "1990-01-01"},
        {"received": "2026-04-01", "deadline": far},
        {"received": "2026-04-01", "hours_per_response": "99999999999"},
        {"received": "2026-04-01", "respondents": "99999999999999"},
        {"received": "2026-04-01", "duration_minutes": "99999999999999"},
    ):
        resp = client.post(reverse("burden:demand_new"), {"kind": "meeting", "title": "会", **data})
        assert resp.status_code == 200, data
    assert Demand.objects.count() == 0


@pytest.mark.parametrize(
    "query",
    [
        "burden:dashboard?year=1",
        "burden:dashboard?year=10000",
        "burden:dashboard?year=-3",
        "burden:dashboard?year=99999999999999999999",
        "burden:catalogue?year=10000",
        "burden:ledger?month=99999-01",
        "burden:ledger?month=2026-13",
        "burden:ledger?month=0-01",
        "burden:ledger?issuer=99999999999999999999999",
        "burden:ledger?issuer=-4",
    ],
)
def test_out_of_range_years_months_and_ids_do_not_break_pages(
    client: Client, org_tree: dict[str, Any], query: str
) -> None:
    services.demand_create(org_unit=org_tree["town"], kind="meeting", title="推进会",
                           received=date(2026, 4, 1), actor="t")  # fmt: skip
    login(client, org_tree, "admin")
    name, _, params = query.partition("?")
    resp = client.get(reverse(name) + "?" + params)
    assert resp.status_code == 200
    if name == "burden:ledger":
        assert "推进会" in resp.content.decode()  # the broken filter is ignored


def test_dashboard_falls_back_to_this_year(client: Client, org_tree: dict[str, Any]) -> None:
    login(client, org_tree, "admin")
    page = client.get(reverse("burden:dashboard") + "?year=10000").content.decode()
    assert f"{timezone.localdate().year}年负担看板" in page


@pytest.mark.parametrize(
    "params", ["year=10000&month=1", "year=1&month=1&format=pdf", "year=-5&month=3"]
)
def test_report_for_a_year_out_of_range_is_a_plain_message(
    client: Client, org_tree: dict[str, Any], params: str
) -> None:
    login(client, org_tree, "admin")
    resp = client.get(reverse("burden:report") + "?" + params)
    assert resp.status_code == 400
    assert "年度应在2000到" in resp.content.decode()


def test_department_user_sees_only_their_department_and_submits_for_it(
    client: Client, org_tree: dict[str, Any]
) -> None:
    from qingzhuang.org.tests.factories import UserFactory

    own = department_get_or_create(name="县民政局", actor="test")
    other = department_get_or_create(name="县统计局", actor="test")
    UserFactory(username="minzheng", role=Role.DEPARTMENT_STAFF, org_unit=org_tree["county"],
                department=own)  # fmt: skip
    client.login(username="minzheng", password=org_tree["password"])
    page = client.get(reverse("burden:admission")).content.decode()
    assert "县民政局" in page and "县统计局" not in page
    data = _admission_post(department=other.pk)
    resp = client.post(reverse("burden:admission"), data)
    assert resp.status_code == 200 and AdmissionReview.objects.count() == 0
    data = _admission_post(department=own.pk)
    assert client.post(reverse("burden:admission"), data).status_code == 302
    assert AdmissionReview.objects.get().department == own


def test_rule_edit_with_a_negative_threshold_says_so_plainly(
    client: Client, org_tree: dict[str, Any]
) -> None:
    login(client, org_tree, "admin")
    rule = Rule.objects.get(code="MEETING_LONG")
    resp = client.post(reverse("burden:rule_edit", args=["MEETING_LONG"]), {
        "title": rule.title, "enabled": "on", "threshold": "-5", "threshold_alt": "",
        "keywords": "", "exceptions": "", "citation": rule.citation,
    })  # fmt: skip
    body = resp.content.decode()
    assert resp.status_code == 200 and "阈值不能为负数。" in body
    assert "burden_rule_threshold_nonneg" not in body
    resp = client.post(reverse("burden:rule_edit", args=["MEETING_LONG"]), {
        "title": rule.title, "enabled": "on", "threshold": "99999999999", "threshold_alt": "",
        "keywords": "", "exceptions": "", "citation": rule.citation,
    })  # fmt: skip
    assert resp.status_code == 200
    rule.refresh_from_db()
    assert rule.threshold == 90
