from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from qingzhuang.audit.models import AuditEntry
from qingzhuang.service_requests.services import request_submit

pytestmark = pytest.mark.django_db

PHONE = "13812345678"


def _submit(unit: Any, text: str) -> str:
    result = request_submit(
        org_unit=unit,
        request_type="help",
        text=text,
        channel="phone",
        actor="test",
        resident_name="李大爷",
        resident_phone=PHONE,
    )
    return str(result.request.tracking_code)


def _rows(response: Any) -> list[tuple[Any, ...]]:
    wb = load_workbook(io.BytesIO(response.content))
    return list(wb.active.iter_rows(values_only=True))  # type: ignore[union-attr]


def test_export_includes_personal_data_for_permitted_role_and_is_audited(
    org_tree: dict[str, Any], client: Client
) -> None:
    code = _submit(org_tree["village_a"], '=HYPERLINK("x") 路灯坏了')
    client.force_login(org_tree["admin"])
    response = client.get("/requests/export.xlsx")
    assert response.status_code == 200
    rows = _rows(response)
    mine = [r for r in rows if r[0] == code]
    assert mine and mine[0][-1] == PHONE and mine[0][-2] == "李大爷"
    assert str(mine[0][5]).startswith("'=")  # formula injection neutralised
    entry = AuditEntry.objects.filter(action="service_requests.export.personal_data").latest("id")
    assert entry.actor == org_tree["admin"] and entry.after["rows"] == len(rows) - 1


def test_export_is_scoped_to_the_users_village(org_tree: dict[str, Any], client: Client) -> None:
    other = _submit(org_tree["village_b"], "西村三组的路灯坏了")
    client.force_login(org_tree["worker_a"])
    codes = {r[0] for r in _rows(client.get("/requests/export.xlsx"))}
    assert other not in codes


def test_evaluator_cannot_export(org_tree: dict[str, Any], client: Client) -> None:
    client.force_login(org_tree["evaluator"])
    assert client.get("/requests/export.xlsx").status_code == 403
