"""A village user can never read another village's records, through any path."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from qingzhuang.org.scope import Scope, scope_for
from qingzhuang.org.selectors import org_unit_get, org_units

pytestmark = pytest.mark.django_db


def test_village_scope_excludes_other_village(org_tree: dict[str, Any]) -> None:
    scope = scope_for(org_tree["worker_a"])
    codes = set(org_units(scope=scope).values_list("code", flat=True))
    assert org_tree["village_a"].code in codes
    assert org_tree["grid_a"].code in codes
    assert org_tree["village_b"].code not in codes
    assert org_unit_get(scope=scope, code=org_tree["village_b"].code) is None


def test_township_admin_sees_all_villages(org_tree: dict[str, Any]) -> None:
    scope = scope_for(org_tree["admin"])
    assert scope.contains(org_tree["village_a"]) and scope.contains(org_tree["village_b"])
    assert not scope.contains(org_tree["county"])


def test_anonymous_scope_sees_nothing(org_tree: dict[str, Any]) -> None:
    assert not org_units(scope=Scope.nothing()).exists()


def test_api_units_are_scoped(org_tree: dict[str, Any], client: Client) -> None:
    client.login(username="worker_a", password=org_tree["password"])
    response = client.get("/api/org/units")
    assert response.status_code == 200
    names = {u["name"] for u in response.json()}
    assert "东村" in names and "西村" not in names


def test_org_page_is_scoped(org_tree: dict[str, Any], client: Client) -> None:
    client.login(username="worker_b", password=org_tree["password"])
    body = client.get("/org/units/").content.decode()
    assert "西村" in body and "东村" not in body


def test_village_worker_cannot_create_units(org_tree: dict[str, Any], client: Client) -> None:
    client.login(username="worker_a", password=org_tree["password"])
    response = client.post("/org/units/", {"code": "9", "name": "新村", "level": "village"})
    assert response.status_code == 403


@pytest.mark.parametrize("who", ["worker_a", "admin"])
def test_ids_q_selects_the_same_rows_as_q(org_tree: dict[str, Any], who: str) -> None:
    from qingzhuang.org.models import User

    scope = scope_for(org_tree[who])
    users = User.objects.exclude(org_unit=None)
    by_path = set(users.filter(scope.q("org_unit")).values_list("pk", flat=True))
    by_ids = set(users.filter(scope.ids_q("org_unit")).values_list("pk", flat=True))
    assert by_ids == by_path and by_path
    assert not users.filter(Scope.nothing().ids_q("org_unit")).exists()
    assert set(users.filter(Scope.all().ids_q("org_unit")).values_list("pk", flat=True)) >= by_path
