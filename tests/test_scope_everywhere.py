"""A village worker of village A can never read village B's records, through any path.

Generated over the URL configuration and the API schema: every page, export, API operation and
Open311 call is requested as A's worker, with path arguments filled from B's records, and no
response may contain B's marker text or numbers.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from tests.urlwalk import all_routes

MARK = "乙村机密标记ZQX"
NUMBER = "97531.13"
PHONE = "13900001111"

# Public by design, reached only with a secret the resident holds (tracking code, one-time link);
# they are checked separately for personal data.
PUBLIC_SECRET_ROUTES = ("p/s/<str:code>/", "p/ok/<str:code>/", "p/cb/<str:token>/")


def _seed_village_b(tree: dict[str, Any]) -> dict[str, list[str]]:
    from qingzhuang.burden.services import demand_create
    from qingzhuang.datastore.services import data_element_create, data_value_set
    from qingzhuang.duties.services import feedback_submit, village_task_register
    from qingzhuang.service_requests.services import request_submit

    b, admin = tree["village_b"], tree["admin"]
    submitted = request_submit(
        org_unit=b,
        request_type="complaint",
        text=f"{MARK} 村口路灯坏了一个月",
        channel="web",
        actor="public",
        resident_name="王某",
        resident_phone=PHONE,
    )
    req = submitted.request
    task = village_task_register(
        actor=admin, org_unit=b, issuer="县某局", title=f"{MARK} 拍照打卡", detail=MARK
    )
    element = data_element_create(name="乙村专用指标", actor=admin, unit="人")
    data_value_set(element=element, org_unit=b, period="2026", value=Decimal(NUMBER), actor=admin)
    demand = demand_create(
        org_unit=b, kind="document", title=f"{MARK} 文件", received=dt.date(2026, 3, 2), actor=admin
    )
    report, _code = feedback_submit(
        actor=tree["worker_b"],
        issuer="县某局",
        kind="checkin",
        occurred_on=dt.date(2026, 3, 2),
        text=f"{MARK} 要求每天拍照",
        anonymous=False,
    )
    order = req.work_order
    ints = {str(x.pk) for x in (req, order, task, demand, report, element)}
    strs = {req.tracking_code, b.code}
    return {"int": sorted(ints), "str": sorted(strs)}


def _leaks(body: str) -> list[str]:
    return [m for m in (MARK, NUMBER, PHONE) if m in body]


def _urls_for(template: str, pks: dict[str, list[str]]) -> list[str]:
    names = re.findall(r"<(?:(\w+):)?(\w+)>", template)
    if not names:
        return ["/" + template]
    urls = []
    for kind in ("int", "str"):
        for value in pks[kind] if any((c or "str") == kind for c, _ in names) else []:
            urls.append(
                "/"
                + re.sub(
                    r"<(?:(\w+):)?(\w+)>",
                    lambda m, v=value, k=kind: v if (m.group(1) or "str") == k else "x",
                    template,
                )
            )
    return urls


@pytest.mark.django_db
def test_no_page_shows_another_villages_records(org_tree: dict[str, Any]) -> None:
    pks = _seed_village_b(org_tree)
    client = Client()
    client.force_login(org_tree["worker_a"])
    leaks, checked = [], 0
    for route in all_routes():
        if route.template.startswith(("api/", *PUBLIC_SECRET_ROUTES)):
            continue
        for url in _urls_for(route.template, pks):
            response = client.get(url)
            checked += 1
            body = (
                b"".join(response).decode("utf-8", "replace")
                if response.streaming
                else response.content.decode("utf-8", "replace")
            )
            found = _leaks(body)
            if found:
                leaks.append(f"{url} ({response.status_code}) shows {found}")
    assert checked > 40
    assert not leaks, "\n".join(leaks)


@pytest.mark.django_db
def test_no_api_operation_returns_another_villages_records(org_tree: dict[str, Any]) -> None:
    from qingzhuang.core.api import api

    pks = _seed_village_b(org_tree)
    client = Client()
    client.force_login(org_tree["worker_a"])
    schema = api.get_openapi_schema()
    leaks, checked = [], 0
    for path, ops in schema["paths"].items():
        if "get" not in ops:
            continue
        params = re.findall(r"{(\w+)}", path)
        values = pks["int"] + pks["str"] if params else [""]
        for value in values:
            url = re.sub(r"{\w+}", value, path)
            response = client.get(url)
            checked += 1
            found = _leaks(response.content.decode("utf-8", "replace"))
            if found:
                leaks.append(f"GET {url} ({response.status_code}) shows {found}")
    assert checked > 10
    assert not leaks, "\n".join(leaks)


@pytest.mark.django_db
def test_open311_does_not_return_another_villages_records(org_tree: dict[str, Any]) -> None:
    pks = _seed_village_b(org_tree)
    client = Client()
    client.force_login(org_tree["worker_a"])
    bodies = [client.get("/open311/v2/requests.json").content.decode()]
    bodies += [client.get(f"/open311/v2/requests/{c}.json").content.decode() for c in pks["str"]]
    for body in bodies:
        assert PHONE not in body
    scoped = client.get("/open311/v2/requests.json").content.decode()
    assert MARK not in scoped


@pytest.mark.django_db
def test_public_secret_pages_never_show_personal_data(org_tree: dict[str, Any]) -> None:
    pks = _seed_village_b(org_tree)
    client = Client()
    for code in pks["str"]:
        for url in (f"/p/s/{code}/", f"/p/ok/{code}/"):
            body = client.get(url).content.decode()
            assert PHONE not in body and "王某" not in body
