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


# ------------------------------------------------------------- writes: tokens and CSRF


@pytest.fixture
def value_payload(org_tree: dict[str, Any]) -> dict[str, str]:
    from qingzhuang.datastore.services import data_element_create

    element = data_element_create(name="常住人口", code="E0001", actor="test")
    return {
        "element": element.code,
        "org": org_tree["village_a"].code,
        "period": "2026",
        "value": "5",
    }


def _stored(period: str = "2026") -> list[str]:
    from qingzhuang.datastore.models import DataValue

    qs = DataValue.objects.filter(element__code="E0001", period=period)
    return [format(v.normalize(), "f") for v in qs.values_list("value", flat=True)]


@pytest.mark.parametrize(
    "header", [("Authorization", "Bearer {key}"), ("X-API-Key", "{key}")], ids=["bearer", "api-key"]
)
def test_token_client_can_write_without_a_csrf_token(
    org_tree: dict[str, Any], value_payload: dict[str, str], header: tuple[str, str]
) -> None:
    _token, key = api_token_create(user=org_tree["worker_a"], name="script")
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/api/datastore/values",
        value_payload,
        content_type="application/json",
        headers={header[0]: header[1].format(key=key)},
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "created" and _stored() == ["5"]


def test_session_write_without_csrf_token_is_refused(
    org_tree: dict[str, Any], value_payload: dict[str, str]
) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(org_tree["worker_a"])
    response = client.post("/api/datastore/values", value_payload, content_type="application/json")
    assert response.status_code == 403 and _stored() == []


def test_session_write_with_csrf_token_succeeds(
    org_tree: dict[str, Any], value_payload: dict[str, str]
) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(org_tree["worker_a"])
    client.get("/")  # the page sets the csrftoken cookie
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/api/datastore/values",
        value_payload,
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 200 and _stored() == ["5"]


def test_a_wrong_token_on_a_session_does_not_skip_the_csrf_check(
    org_tree: dict[str, Any], value_payload: dict[str, str]
) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(org_tree["worker_a"])
    response = client.post(
        "/api/datastore/values",
        value_payload,
        content_type="application/json",
        headers={"Authorization": "Bearer qz_nope"},
    )
    assert response.status_code == 403 and _stored() == []


def test_a_wrong_token_without_a_session_is_unauthorised_not_a_csrf_failure(
    value_payload: dict[str, str],
) -> None:
    response = Client(enforce_csrf_checks=True).post(
        "/api/datastore/values",
        value_payload,
        content_type="application/json",
        headers={"Authorization": "Bearer qz_nope"},
    )
    assert response.status_code == 401 and response.json()["error"]["code"] == "unauthorized"
    assert _stored() == []
