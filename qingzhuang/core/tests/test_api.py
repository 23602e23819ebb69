from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from qingzhuang.org.services import api_token_create

pytestmark = pytest.mark.django_db


def test_openapi_schema_is_served(client: Client) -> None:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    assert "/api/org/units" in response.json()["paths"]


def test_docs_are_offline(org_tree: dict[str, Any], client: Client) -> None:
    client.login(username="town_admin", password=org_tree["password"])
    body = client.get("/api/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in body
    assert "cdn" not in body.lower()


def test_unauthenticated_error_has_stable_shape(client: Client) -> None:
    response = client.get("/api/org/me")
    assert response.status_code == 401
    assert set(response.json()["error"]) == {"code", "message"}


def test_bearer_token_authenticates(org_tree: dict[str, Any], client: Client) -> None:
    token, key = api_token_create(user=org_tree["worker_a"], name="test")
    response = client.get("/api/org/me", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200
    assert response.json()["org_unit"]["code"] == org_tree["village_a"].code
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert key not in token.key_hash


def test_wrong_token_is_rejected(org_tree: dict[str, Any], client: Client) -> None:
    response = client.get("/api/org/me", headers={"Authorization": "Bearer qz_nope"})
    assert response.status_code == 401
