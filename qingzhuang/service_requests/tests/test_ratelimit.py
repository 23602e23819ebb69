"""The public intake is rate limited per address: the 31st POST in a minute gets HTTP 429 and
stores nothing, on the public page, the JSON API and Open311 alike."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse

from qingzhuang.service_requests.models import ServiceRequest

LIMITS = {"public_intake": "30/m"}


@pytest.fixture(autouse=True)
def _limiter_on() -> Iterator[None]:
    cache.clear()
    with override_settings(QZ_RATELIMIT_ENABLED=True, QZ_RATE_LIMITS=LIMITS):
        yield
    cache.clear()


def _api(client: Client, org_tree: dict[str, Any], i: int, addr: str = "10.0.0.1") -> Any:
    body = {
        "village_code": org_tree["village_a"].code,
        "request_type": "help",
        "text": f"村口路灯坏了第{i}盏，晚上看不见路。",
        "client_id": f"rl-{addr}-{i}",
    }
    return client.post(
        "/api/service_requests/intake",
        json.dumps(body, ensure_ascii=False),
        content_type="application/json",
        REMOTE_ADDR=addr,
    )


def _page(client: Client, org_tree: dict[str, Any], i: int, addr: str = "10.0.0.1") -> Any:
    data = {
        "village": org_tree["village_a"].code,
        "request_type": "help",
        "text": f"三组的村道上有个大坑，第{i}次反映",
        "client_key": f"rl-page-{i}",
    }
    return client.post(reverse("public:intake"), data, REMOTE_ADDR=addr)


def _open311(client: Client, org_tree: dict[str, Any], i: int, addr: str = "10.0.0.1") -> Any:
    body = {
        "service_code": "report",
        "address_id": org_tree["village_a"].code,
        "description": f"举报河道有人倾倒垃圾，第{i}次",
        "client_id": f"rl-311-{i}",
    }
    return client.post("/open311/v2/requests.json", body, REMOTE_ADDR=addr)


@pytest.mark.parametrize(
    ("post", "ok_status"),
    [(_api, 201), (_page, 302), (_open311, 201)],
    ids=["api", "page", "open311"],
)
def test_31st_post_in_a_minute_from_one_address_gets_429(
    client: Client,
    org_tree: dict[str, Any],
    post: Callable[..., Any],
    ok_status: int,
) -> None:
    for i in range(30):
        assert post(client, org_tree, i).status_code == ok_status
    assert ServiceRequest.objects.count() == 30
    refused = post(client, org_tree, 30)
    assert refused.status_code == 429
    assert ServiceRequest.objects.count() == 30  # nothing stored for the refused one
    # Another address is counted on its own.
    assert post(client, org_tree, 31, addr="10.0.0.2").status_code == ok_status
    assert ServiceRequest.objects.count() == 31


def test_api_429_is_json_in_the_error_format(client: Client, org_tree: dict[str, Any]) -> None:
    for i in range(30):
        _api(client, org_tree, i)
    body = _api(client, org_tree, 30).json()
    assert body["error"]["code"] == "rate_limited" and "稍等" in body["error"]["message"]


def test_reads_are_not_counted(client: Client, org_tree: dict[str, Any]) -> None:
    for _ in range(40):
        assert client.get(reverse("public:intake"), REMOTE_ADDR="10.0.0.3").status_code == 200
        assert client.get("/open311/v2/requests.json", REMOTE_ADDR="10.0.0.3").status_code == 200
    assert _page(client, org_tree, 1, addr="10.0.0.3").status_code == 302


def test_limiter_can_be_switched_off(client: Client, org_tree: dict[str, Any]) -> None:
    with override_settings(QZ_RATELIMIT_ENABLED=False):
        for i in range(35):
            assert _api(client, org_tree, i).status_code == 201
    assert ServiceRequest.objects.count() == 35
