"""The public intake is rate limited per address: the 31st POST in a minute gets HTTP 429 and
stores nothing, on the public page, the JSON API and Open311 alike. The public lookups (tracking
code, callback link, 减负直通车 answer code) have their own, looser limit."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse

from qingzhuang.core import ratelimit
from qingzhuang.service_requests import services
from qingzhuang.service_requests.models import ServiceRequest
from qingzhuang.service_requests.tests.helpers import order_for, walk_to

LIMITS = {"public_intake": "30/m"}


@pytest.fixture(autouse=True)
def _limiter_on(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # One fixed clock: a test that straddles a minute boundary would otherwise start a new
    # counting window half-way through.
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: 1_800_000_000.0))
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


# ---- public lookups (tracking code, callback link, 减负直通车 answer code) --------------------

LOOKUP_LIMITS = {"public_intake": "30/m", "public_lookup": "3/m"}


def _lookups(org_tree: dict[str, Any]) -> dict[str, Callable[[Client, str], Any]]:
    """Each public lookup, called with a secret the resident would hold (or a guess of one)."""
    order = walk_to(
        order_for(org_tree["village_a"]),
        "resolved",
        admin=org_tree["admin"],
        worker=org_tree["worker_a"],
    )
    _callback, token = services.callback_issue_link(order=order, acting_user=org_tree["admin"])
    code = order.request.tracking_code
    return {
        "status page": lambda c, addr: c.get(f"/p/s/{code}/", REMOTE_ADDR=addr),
        "thanks page": lambda c, addr: c.get(f"/p/ok/{code}/", REMOTE_ADDR=addr),
        "status api": lambda c, addr: c.get(
            f"/api/service_requests/status/{code}", REMOTE_ADDR=addr
        ),
        "open311 request": lambda c, addr: c.get(
            f"/open311/v2/requests/{code}.json", REMOTE_ADDR=addr
        ),
        "callback link": lambda c, addr: c.get(f"/p/cb/{token}/", REMOTE_ADDR=addr),
        "feedback answer": lambda c, addr: c.post(
            "/duties/answer/", {"code": "ABCD-EFGH-JKMN"}, REMOTE_ADDR=addr
        ),
    }


LOOKUPS = [
    "status page",
    "thanks page",
    "status api",
    "open311 request",
    "callback link",
    "feedback answer",
]


@pytest.mark.parametrize("lookup", LOOKUPS)
def test_public_lookups_are_rate_limited_per_address(
    client: Client, org_tree: dict[str, Any], lookup: str
) -> None:
    call = _lookups(org_tree)[lookup]
    with override_settings(QZ_RATE_LIMITS=LOOKUP_LIMITS):
        for _ in range(3):
            assert call(client, "10.0.1.1").status_code in (200, 404)
        refused = call(client, "10.0.1.1")
        assert refused.status_code == 429
        if lookup in ("status api", "open311 request"):
            error = refused.json()["error"]
            assert error["code"] == "rate_limited" and "操作太频繁" in error["message"]
        else:
            assert "操作太频繁" in refused.content.decode()
        assert call(client, "10.0.1.2").status_code in (200, 404)


def test_the_lookup_form_page_itself_is_not_counted(
    client: Client, org_tree: dict[str, Any]
) -> None:
    with override_settings(QZ_RATE_LIMITS=LOOKUP_LIMITS):
        for _ in range(5):
            assert client.get("/duties/answer/", REMOTE_ADDR="10.0.1.3").status_code == 200
