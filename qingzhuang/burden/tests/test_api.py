from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from django.test import Client

from qingzhuang.burden import services
from qingzhuang.burden.models import Demand

pytestmark = pytest.mark.django_db


def test_api_check_returns_findings_without_storing(
    client: Client, org_tree: dict[str, Any]
) -> None:
    client.login(username="town_admin", password=org_tree["password"])
    body = {
        "demands": [
            {"kind": "meeting", "title": "会", "duration_minutes": "200"},
            {"kind": "app", "demand": "每月报送"},
        ]
    }
    resp = client.post("/api/burden/check", json.dumps(body), content_type="application/json")
    assert resp.status_code == 200
    rows = resp.json()["demands"]
    assert [f["rule"] for f in rows[0]["findings"]] == ["MEETING_LONG"]
    assert rows[1]["findings"] == []
    assert Demand.objects.count() == 0
    bad = client.post(
        "/api/burden/check",
        json.dumps({"demands": [{"kind": "memo"}]}),
        content_type="application/json",
    )
    assert bad.status_code == 400 and "kind" in bad.json()["error"]["message"]


def test_api_demands_are_scoped(client: Client, org_tree: dict[str, Any]) -> None:
    services.demand_create(org_unit=org_tree["town"], kind="meeting", title="镇会", received=date(2026, 4, 1),
                           duration_minutes=100, actor="t")  # fmt: skip
    client.login(username="town_admin", password=org_tree["password"])
    rows = client.get("/api/burden/demands").json()
    assert [r["title"] for r in rows] == ["镇会"] and rows[0]["findings"][0][
        "rule"
    ] == "MEETING_LONG"
    client.login(username="worker_a", password=org_tree["password"])
    assert client.get("/api/burden/demands").json() == []
