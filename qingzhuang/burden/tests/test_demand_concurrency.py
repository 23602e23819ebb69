"""Two people correcting the same demand: the later save must not silently undo the earlier one."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from qingzhuang.audit.models import AuditEntry
from qingzhuang.burden import services
from qingzhuang.burden.models import BurdenRevision, Demand
from qingzhuang.core.errors import Conflict
from qingzhuang.org.models import Department

pytestmark = pytest.mark.django_db

STALE = "这一项在您打开后已被他人修改，请刷新页面查看最新内容后再改。"


def _meeting(unit: Any, title: str = "推进会") -> Demand:
    return services.demand_create(
        org_unit=unit, kind="meeting", title=title, received=date(2026, 4, 1),
        duration_minutes=120, attendees=3, actor="test",
    )  # fmt: skip


def _as_form(demand: Demand, fingerprint: str) -> dict[str, Any]:
    """What the edit page posts back for an untouched meeting opened with `fingerprint`."""
    return {
        "kind": demand.kind, "title": demand.title, "issuer": demand.issuer_id or "",
        "issuer_new": "", "received": demand.received.isoformat(), "deadline": "",
        "duration_minutes": demand.duration_minutes or "", "attendees": demand.attendees or "",
        "level": demand.level, "respondents": demand.respondents,
        "frequency_per_year": demand.frequency_per_year,
        "hours_per_response": demand.hours_per_response,
        "preparation_hours": demand.preparation_hours, "estimate_kind": "re_estimate",
        "reason": "", "fingerprint": fingerprint,
    }  # fmt: skip


def _page_fingerprint(body: str) -> str:
    found = re.search(r'name="fingerprint" value="([^"]+)"', body)
    assert found is not None, "the edit page carries no fingerprint"
    return found.group(1)


# ---------------------------------------------------------------- service


def test_revise_with_a_stale_fingerprint_is_refused_and_changes_nothing(
    org_tree: dict[str, Any],
) -> None:
    demand = _meeting(org_tree["town"])
    opened = services.demand_fingerprint(demand=demand)
    services.demand_revise(demand=Demand.objects.get(pk=demand.pk), actor="other", attendees=4)
    stored_before = Demand.objects.get(pk=demand.pk)
    audits, revisions = AuditEntry.objects.count(), BurdenRevision.objects.count()
    with pytest.raises(Conflict) as caught:
        services.demand_revise(demand=demand, actor=org_tree["admin"], duration_minutes=60,
                               title="我的改法", expected_fingerprint=opened)  # fmt: skip
    assert caught.value.message == STALE
    stored = Demand.objects.get(pk=demand.pk)
    assert (stored.title, stored.duration_minutes, stored.attendees) == ("推进会", 120, 4)
    assert stored.burden_hours == stored_before.burden_hours
    assert AuditEntry.objects.count() == audits and BurdenRevision.objects.count() == revisions
    assert demand.attendees == 3 and demand.title == "推进会"  # the caller's object is untouched


def test_revise_with_the_current_fingerprint_saves(org_tree: dict[str, Any]) -> None:
    demand = _meeting(org_tree["town"])
    services.demand_revise(demand=demand, actor="other", attendees=4)
    current = services.demand_fingerprint(demand=Demand.objects.get(pk=demand.pk))
    services.demand_revise(demand=demand, actor=org_tree["admin"], duration_minutes=60,
                           expected_fingerprint=current)  # fmt: skip
    stored = Demand.objects.get(pk=demand.pk)
    assert (stored.duration_minutes, stored.attendees) == (60, 4)
    assert AuditEntry.objects.filter(action="burden.demand.revise").count() == 2


def test_revise_without_a_fingerprint_still_saves_for_other_callers(
    org_tree: dict[str, Any],
) -> None:
    demand = _meeting(org_tree["town"])
    services.demand_revise(demand=demand, actor="cli", attendees=4)
    services.demand_revise(demand=demand, actor="cli", attendees=5)
    assert Demand.objects.get(pk=demand.pk).attendees == 5


def test_fingerprint_follows_the_stored_values_whoever_changed_them(
    org_tree: dict[str, Any], settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    town = org_tree["town"]
    demand = services.demand_create(org_unit=town, kind="document", title="转发通知",
                                    received=date(2026, 4, 1), hours_per_response=Decimal("2.5"),
                                    actor="t")  # fmt: skip
    first = services.demand_fingerprint(demand=demand)
    # the same values read back from the database (2.50, not 2.5) give the same fingerprint
    assert services.demand_fingerprint(demand=Demand.objects.get(pk=demand.pk)) == first
    services.demand_findings_refresh(demand=demand, actor="t")  # findings are not the demand
    assert services.demand_fingerprint(demand=Demand.objects.get(pk=demand.pk)) == first
    # an upload corrects the length outside demand_revise: a page opened before is now stale
    services.document_upload(org_unit=town, name="通知.txt", data="通知全文".encode(), actor="t",
                             demand=demand)  # fmt: skip
    assert services.demand_fingerprint(demand=Demand.objects.get(pk=demand.pk)) != first
    with pytest.raises(Conflict):
        services.demand_revise(demand=demand, actor="t", title="改名", expected_fingerprint=first)
    assert Demand.objects.get(pk=demand.pk).title == "转发通知"


# ---------------------------------------------------------------- page


def test_edit_page_carries_the_demands_fingerprint(
    client: Client, org_tree: dict[str, Any]
) -> None:
    demand = _meeting(org_tree["town"])
    assert client.login(username=org_tree["admin"].username, password=org_tree["password"])
    url = reverse("burden:demand_edit", args=[demand.pk])
    assert _page_fingerprint(client.get(url).content.decode()) == services.demand_fingerprint(
        demand=demand
    )
    # switching the kind on the page keeps the fingerprint of what was opened
    body = client.get(url + "?kind=document").content.decode()
    assert _page_fingerprint(body) == services.demand_fingerprint(demand=demand)


def test_second_save_from_the_same_stale_page_is_refused_and_keeps_the_typed_values(
    client: Client, org_tree: dict[str, Any]
) -> None:
    demand = _meeting(org_tree["town"])
    assert client.login(username=org_tree["admin"].username, password=org_tree["password"])
    url = reverse("burden:demand_edit", args=[demand.pk])
    opened = _page_fingerprint(client.get(url).content.decode())
    first = client.post(url, _as_form(demand, opened) | {"duration_minutes": "60"})
    assert first.status_code == 302
    second = client.post(
        url,
        _as_form(demand, opened)
        | {"title": "我的改法", "attendees": "9", "issuer_new": "县新设局"},
    )
    body = second.content.decode()
    assert second.status_code == 409 and STALE in body
    assert 'value="我的改法"' in body and 'name="attendees" value="9"' in body
    assert _page_fingerprint(body) == opened  # saving again is refused again, not forced through
    latest = f'href="{reverse("burden:demand", args=[demand.pk])}" target="_blank"'
    assert latest in body and latest not in client.get(url).content.decode()
    stored = Demand.objects.get(pk=demand.pk)
    assert (stored.title, stored.duration_minutes, stored.attendees) == ("推进会", 60, 3)
    assert AuditEntry.objects.filter(action="burden.demand.revise").count() == 1
    assert not Department.objects.filter(name="县新设局").exists()  # rolled back with the edit
    assert client.post(url, _as_form(demand, opened) | {"title": "再试"}).status_code == 409
    assert Demand.objects.get(pk=demand.pk).title == "推进会"


def test_edit_page_refuses_a_save_over_someone_elses_change(
    client: Client, org_tree: dict[str, Any]
) -> None:
    demand = _meeting(org_tree["village_a"])
    assert client.login(username=org_tree["admin"].username, password=org_tree["password"])
    url = reverse("burden:demand_edit", args=[demand.pk])
    opened = _page_fingerprint(client.get(url).content.decode())
    services.demand_revise(demand=demand, actor=org_tree["worker_a"], title="东村改过的会")
    resp = client.post(url, _as_form(demand, opened) | {"title": "推进会", "attendees": "7"})
    assert resp.status_code == 409 and STALE in resp.content.decode()
    stored = Demand.objects.get(pk=demand.pk)
    assert (stored.title, stored.attendees) == ("东村改过的会", 3)
    # after reloading, the page carries the new fingerprint and the save goes through
    fresh = _page_fingerprint(client.get(url).content.decode())
    stored_form = _as_form(stored, fresh) | {"attendees": "7"}
    assert client.post(url, stored_form).status_code == 302
    assert Demand.objects.get(pk=demand.pk).attendees == 7
