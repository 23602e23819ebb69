"""The Django admin must keep the ledger's refusals and audit, not go around them."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.contrib import admin
from django.test import Client, RequestFactory
from django.urls import reverse

from qingzhuang.audit.models import AuditEntry
from qingzhuang.burden import services
from qingzhuang.burden.models import Demand, Finding, FindingOrigin

pytestmark = pytest.mark.django_db


def _meeting(unit: Any, title: str) -> Demand:
    return services.demand_create(
        org_unit=unit, kind="meeting", title=title, received=date(2026, 4, 1),
        duration_minutes=120, attendees=3, actor="test",
    )  # fmt: skip


def _with_feedback(unit: Any, title: str = "有反映的会") -> Demand:
    demand = _meeting(unit, title)
    services.finding_add(
        org_unit=unit, demand=demand, rule_code="FEEDBACK", message="内容已发文",
        source="减负直通车", origin=FindingOrigin.FEEDBACK, occurred_on=date(2026, 4, 2), actor="t",
    )  # fmt: skip
    return demand


def _superuser_request(admin_user: Any) -> Any:
    request = RequestFactory().get("/admin/")
    request.user = admin_user
    return request


def test_admin_offers_no_delete_for_a_demand_the_ledger_refuses_to_delete(
    org_tree: dict[str, Any], admin_user: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    town = org_tree["town"]
    with_doc = _meeting(town, "附原文的会")
    services.document_upload(org_unit=town, name="通知.txt", data="通知全文".encode(), actor="t",
                             demand=with_doc)  # fmt: skip
    held, plain = _with_feedback(town), _meeting(town, "误登的会")
    model_admin = admin.site.get_model_admin(Demand)
    request = _superuser_request(admin_user)
    assert model_admin.has_delete_permission(request, plain)
    assert not model_admin.has_delete_permission(request, held)
    assert not model_admin.has_delete_permission(request, with_doc)


def test_admin_delete_page_refuses_a_demand_with_a_feedback_finding(
    admin_client: Client, org_tree: dict[str, Any]
) -> None:
    demand = _with_feedback(org_tree["town"])
    url = reverse("admin:burden_demand_delete", args=[demand.pk])
    assert admin_client.get(url).status_code == 403
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    assert Demand.objects.filter(pk=demand.pk).exists()
    assert Finding.objects.filter(demand=demand, origin=FindingOrigin.FEEDBACK).count() == 1
    assert not AuditEntry.objects.filter(action="burden.demand.delete").exists()


def test_admin_bulk_delete_refuses_when_a_selected_demand_is_held_and_says_why(
    admin_client: Client, org_tree: dict[str, Any]
) -> None:
    held, plain = _with_feedback(org_tree["town"]), _meeting(org_tree["town"], "误登的会")
    url = reverse("admin:burden_demand_changelist")
    action = {"action": "delete_selected", "_selected_action": [held.pk, plain.pk]}
    page = admin_client.post(url, action)
    assert page.status_code == 200 and "基层反映" in page.content.decode()
    resp = admin_client.post(url, action | {"post": "yes"})
    assert resp.status_code == 200 and "基层反映" in resp.content.decode()  # shown, not done
    assert set(Demand.objects.values_list("pk", flat=True)) == {held.pk, plain.pk}
    assert not AuditEntry.objects.filter(action="burden.demand.delete").exists()


def test_admin_delete_goes_through_the_service_and_is_audited(
    admin_client: Client, org_tree: dict[str, Any]
) -> None:
    one, two = _meeting(org_tree["town"], "误登一"), _meeting(org_tree["town"], "误登二")
    three = _meeting(org_tree["town"], "误登三")
    resp = admin_client.post(reverse("admin:burden_demand_delete", args=[one.pk]), {"post": "yes"})
    assert resp.status_code == 302
    resp = admin_client.post(
        reverse("admin:burden_demand_changelist"),
        {"action": "delete_selected", "_selected_action": [two.pk, three.pk], "post": "yes"},
    )
    assert resp.status_code == 302
    assert not Demand.objects.exists() and not Finding.objects.exists()
    deleted = AuditEntry.objects.filter(action="burden.demand.delete")
    assert sorted(deleted.values_list("object_id", flat=True)) == sorted(
        str(d.pk) for d in (one, two, three)
    )
    assert {e.before["title"] for e in deleted if e.before} == {"误登一", "误登二", "误登三"}


def test_admin_cannot_delete_a_feedback_finding_on_its_own(
    admin_client: Client, org_tree: dict[str, Any], admin_user: Any
) -> None:
    demand = _with_feedback(org_tree["town"])
    feedback = Finding.objects.get(demand=demand, origin=FindingOrigin.FEEDBACK)
    rule = Finding.objects.get(demand=demand, origin=FindingOrigin.RULE)
    model_admin = admin.site.get_model_admin(Finding)
    request = _superuser_request(admin_user)
    assert not model_admin.has_delete_permission(request, feedback)
    assert model_admin.has_delete_permission(request, rule)  # derived; the next check restores it
    url = reverse("admin:burden_finding_delete", args=[feedback.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    assert Finding.objects.filter(pk=feedback.pk).exists()


def test_admin_cannot_add_ledger_records_around_the_services(
    admin_client: Client, admin_user: Any
) -> None:
    from qingzhuang.burden.models import AdmissionReview

    request = _superuser_request(admin_user)
    for model in (Demand, Finding, AdmissionReview):
        assert not admin.site.get_model_admin(model).has_add_permission(request)
        url = reverse(f"admin:burden_{model._meta.model_name}_add")
        assert admin_client.get(url).status_code == 403
