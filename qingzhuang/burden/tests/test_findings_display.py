"""Every finding shows a title in the page language, and the dashboard and report count the same."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from qingzhuang.burden import selectors, services
from qingzhuang.burden.models import FindingOrigin, Rule
from qingzhuang.org.scope import Scope

pytestmark = pytest.mark.django_db


@pytest.fixture
def reset_language() -> Iterator[None]:
    yield
    translation.deactivate()


def _login(client: Client, org_tree: dict[str, Any]) -> None:
    assert client.login(username="town_admin", password=org_tree["password"])


def _other_findings(org_tree: dict[str, Any]) -> None:
    """What the duties app records: anonymous feedback and flagged village work items."""
    for code, origin, unit in (
        ("FEEDBACK_CHECKIN", FindingOrigin.FEEDBACK, org_tree["town"]),
        ("FEEDBACK_REPEAT_FORM", FindingOrigin.FEEDBACK, org_tree["town"]),
        ("VILLAGE_NEGATIVE", FindingOrigin.VILLAGE_ADMISSION, org_tree["village_a"]),
        ("VILLAGE_NONE", FindingOrigin.VILLAGE_ADMISSION, org_tree["village_a"]),
    ):
        services.finding_add(org_unit=unit, rule_code=code, message="m", source="s", origin=origin,
                             occurred_on=date(2026, 4, 3), actor="t")  # fmt: skip


def test_findings_from_feedback_and_village_lists_have_titles(org_tree: dict[str, Any]) -> None:
    titles = selectors.rule_titles()
    assert titles["FEEDBACK_CHECKIN"] == "基层反映：拍照打卡、痕迹材料"
    assert titles["FEEDBACK_MEETING"].startswith("基层反映：")
    assert titles["VILLAGE_NEGATIVE"] == "村级事项准入：负面清单"
    assert titles["VILLAGE_NONE"] == "村级事项准入：不在清单内"
    assert titles["MEETING_LONG"] == Rule.objects.get(code="MEETING_LONG").title


def test_dashboard_shows_titles_not_codes(client: Client, org_tree: dict[str, Any]) -> None:
    _other_findings(org_tree)
    _login(client, org_tree)
    page = client.get(reverse("burden:dashboard") + "?year=2026").content.decode()
    chart = page.split('id="chart-data"')[1].split("</script>")[0]
    assert "FEEDBACK_CHECKIN" not in chart and "VILLAGE_NONE" not in chart
    assert "拍照打卡、痕迹材料" in page and "不在清单内" in page


def test_monthly_report_counts_the_same_findings_as_the_dashboard(
    client: Client, org_tree: dict[str, Any]
) -> None:
    from openpyxl import load_workbook

    services.demand_create(org_unit=org_tree["town"], kind="meeting", title="推进会",
                           received=date(2026, 4, 1), duration_minutes=120, actor="t")  # fmt: skip
    _other_findings(org_tree)
    scope = Scope.of_unit(org_tree["town"])
    dashboard = {
        r["rule"]: r["count"] for r in selectors.dashboard(scope=scope, year=2026)["findings"]
    }
    report = selectors.monthly_report(scope=scope, year=2026, month=4)
    assert {r["rule"]: r["count"] for r in report["findings"]} == dashboard
    assert set(dashboard) == {"MEETING_LONG", "FEEDBACK_CHECKIN", "FEEDBACK_REPEAT_FORM",
                              "VILLAGE_NEGATIVE", "VILLAGE_NONE"}  # fmt: skip
    _login(client, org_tree)
    xlsx = client.get(reverse("burden:report") + "?year=2026&month=4&format=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content))["问题"]
    rows = {r[0]: (r[1], r[2]) for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["VILLAGE_NONE"] == ("村级事项准入：不在清单内", 1)
    assert selectors.monthly_report(scope=scope, year=2026, month=5)["findings"] == []


def test_chart_labels_are_not_cut_off() -> None:
    from pathlib import Path

    script = Path(__file__).resolve().parents[1] / "static" / "burden" / "dashboard.js"
    assert "containLabel: true" in script.read_text(encoding="utf-8")


def test_badges_follow_the_page_language(
    client: Client, org_tree: dict[str, Any], reset_language: None
) -> None:
    demand = services.demand_create(
        org_unit=org_tree["town"], kind="document", title="通知", received=date(2026, 4, 1),
        deadline=date(2026, 4, 3), actor="t",
    )  # fmt: skip
    _login(client, org_tree)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    with translation.override("en"):
        english = translation.gettext("办理时限过短")
    assert english != "办理时限过短"
    for url in (reverse("burden:ledger"), reverse("burden:demand", args=[demand.pk])):
        body = client.get(url).content.decode()
        assert english in body and "办理时限过短" not in body, url


def test_a_renamed_rule_shows_its_new_title_at_once(
    client: Client, org_tree: dict[str, Any]
) -> None:
    services.demand_create(org_unit=org_tree["town"], kind="document", title="通知",
                           received=date(2026, 4, 1), deadline=date(2026, 4, 3), actor="t")  # fmt: skip
    _login(client, org_tree)
    assert "办理时限过短" in client.get(reverse("burden:ledger")).content.decode()
    rule = Rule.objects.get(code="DEADLINE_SHORT")
    services.rule_update(rule=rule, title="时限太紧（本镇措辞）", actor="t")
    body = client.get(reverse("burden:ledger")).content.decode()
    assert "时限太紧（本镇措辞）" in body


def test_ledger_looks_rule_titles_up_once_per_page(
    client: Client, org_tree: dict[str, Any]
) -> None:
    def queries(n: int) -> int:
        for i in range(n):
            services.demand_create(org_unit=org_tree["town"], kind="document", title=f"通知{i}",
                                   received=date(2026, 4, 1), deadline=date(2026, 4, 3),
                                   actor="t")  # fmt: skip
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("burden:ledger")).status_code == 200
        return len(ctx.captured_queries)

    _login(client, org_tree)
    assert queries(1) == queries(4)
