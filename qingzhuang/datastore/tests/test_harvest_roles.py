"""Who may add to the catalogue through 采集已填报表 (harvest).

New report templates and data elements are `templates.manage` work (township admin,
department staff). A village worker may harvest a form the township already has, for their
own village; a form the system does not know must not add a template or elements for them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
from django.test import Client
from django.urls import reverse

from qingzhuang.audit.models import AuditEntry
from qingzhuang.datastore.models import DataElement, DataValue
from qingzhuang.datastore.tests import builders
from qingzhuang.reporting.models import ReportTemplate


def _login(client: Client, tree: dict[str, Any], who: str) -> Client:
    assert client.login(username=tree[who].username, password=tree["password"])
    return client


def _unknown_form(path: Path) -> Path:
    """A form no department has uploaded: one village row, one item of its own."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "自拟"
    ws["A1"] = "东村自拟统计表"
    ws["A3"], ws["B3"] = "村名", "路灯数量（盏）"
    ws["A4"], ws["B4"] = "东村", 42
    wb.save(path)
    return path


def _post(client: Client, path: Path, org: str, period: str = "2025") -> Any:
    with path.open("rb") as fh:
        return client.post(reverse("datastore:harvest"), {"file": fh, "org": org, "period": period})


def _counts() -> tuple[int, int, int]:
    return (
        ReportTemplate.objects.count(),
        DataElement.objects.count(),
        AuditEntry.objects.filter(action="reporting.template.import").count(),
    )


def test_village_worker_cannot_add_a_template_or_elements_by_harvest(
    client: Client, catalogue: Any, tmp_path: Path
) -> None:
    before = _counts()
    _login(client, catalogue, "worker_a")
    resp = _post(client, _unknown_form(tmp_path / "自拟.xlsx"), catalogue["village_a"].code)
    assert resp.status_code == 403
    assert "先上传" in resp.content.decode()
    assert _counts() == before
    assert not DataValue.objects.filter(period="2025").exists()


def test_township_admin_harvest_of_an_unknown_form_imports_it(
    client: Client, catalogue: Any, tmp_path: Path
) -> None:
    templates, elements, imports = _counts()
    _login(client, catalogue, "admin")
    resp = _post(client, _unknown_form(tmp_path / "自拟.xlsx"), catalogue["town"].code)
    assert resp.status_code == 200
    assert _counts() == (templates + 1, elements + 1, imports + 1)
    value = DataValue.objects.get(element__name__startswith="路灯数量", period="2025")
    assert value.org_unit == catalogue["village_a"] and value.value == 42


def test_village_worker_harvests_a_known_form_for_their_village(
    client: Client, catalogue: Any, tmp_path: Path
) -> None:
    """村基本情况表 is a template already; its 村集体经济收入 has no element yet (no other form
    asks for it): the worker's numbers for known items are stored, that one is named as
    waiting for the township, and nothing is added to the catalogue."""
    before = _counts()
    _login(client, catalogue, "worker_a")
    filled = builders.tongji_xlsx(
        tmp_path / "村基本情况表.xlsx", values={"中共东村支部委员会": [1250, 1150, 3000, 12.5]}
    )
    resp = _post(client, filled, catalogue["village_a"].code)
    html = resp.content.decode()
    assert resp.status_code == 200
    assert _counts() == before
    stored = dict(
        DataValue.objects.filter(org_unit=catalogue["village_a"], period="2025").values_list(
            "element__name", "value"
        )
    )
    assert stored["户籍人口"] == 1250 and stored["耕地面积"] == 3000
    assert not any("集体经济收入" in name for name in stored)
    assert "村集体经济收入" in html and "镇里" in html


def test_template_lookup_imports_a_new_form_only_for_catalogue_keepers(
    catalogue: Any, tmp_path: Path
) -> None:
    import pytest

    from qingzhuang.core.errors import PermissionDenied
    from qingzhuang.datastore.filling import template_for_file

    form = _unknown_form(tmp_path / "自拟.xlsx")
    before = _counts()
    with pytest.raises(PermissionDenied):
        template_for_file(path=form, actor=catalogue["worker_a"])
    assert _counts() == before
    assert template_for_file(path=form, actor=catalogue["admin"]).title
    assert ReportTemplate.objects.count() == before[0] + 1
