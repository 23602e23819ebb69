"""Pages and API of the data store, each checked as a scoped user and as an outsider."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from qingzhuang.datastore.models import DataElement, DataValue, FillEvent
from qingzhuang.datastore.tests import builders


def login(client: Client, tree: dict[str, Any], who: str) -> Client:
    assert client.login(username=tree[who].username, password=tree["password"])
    return client


def _hj() -> DataElement:
    return DataElement.objects.filter(name__contains="户籍人口").first()  # type: ignore[return-value]


def test_entry_page_asks_only_for_unknown_elements(client: Client, catalogue: Any) -> None:
    login(client, catalogue, "worker_a")
    resp = client.get(reverse("datastore:entry"), {"period": "2026"})
    html = resp.content.decode()
    assert resp.status_code == 200
    assert "东村" in html
    missing = {e.code for e in resp.context["form"]["missing"]}
    assert _hj().code not in missing  # harvested already
    assert DataElement.objects.get(name="耕地面积").code in missing


@pytest.mark.usefixtures("reset_language")
def test_entry_page_names_the_period_in_the_page_language(client: Client, catalogue: Any) -> None:
    login(client, catalogue, "worker_a")
    for code, chinese in [("2026-03", "2026年3月"), ("2026Q3", "2026年第3季度")]:
        assert (
            f"· {chinese}</h1>"
            in client.get(reverse("datastore:entry"), {"period": code}).content.decode()
        )
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    for code, english in [("2026-03", "3/2026"), ("2026Q3", "Q3 2026")]:
        html = client.get(reverse("datastore:entry"), {"period": code}).content.decode()
        assert f"· {english}</h1>" in html and "年" not in html.split("<h1>")[1].split("</h1>")[0]


def test_entry_saves_value_for_own_village(client: Client, catalogue: Any) -> None:
    login(client, catalogue, "worker_a")
    code = DataElement.objects.get(name="耕地面积").code
    resp = client.post(
        reverse("datastore:entry"),
        {"org": catalogue["village_a"].code, "period": "2026", f"v_{code}": "350.5"},
    )
    assert resp.status_code == 200
    v = DataValue.objects.get(element__code=code, org_unit=catalogue["village_a"], period="2026")
    assert v.value == Decimal("350.5") and v.source == "entry"
    assert v.history.count() == 1


def test_known_value_can_be_corrected_and_keeps_its_history(client: Client, catalogue: Any) -> None:
    """The harvest warning says "核对后在“数据填报”里修改": the page must offer that."""
    login(client, catalogue, "worker_a")
    hj = _hj()
    known = DataValue.objects.get(element=hj, org_unit=catalogue["village_a"], period="2026")
    html = client.get(reverse("datastore:entry"), {"period": "2026"}).content.decode()
    assert f'name="v_{hj.code}"' in html  # an input on the known row
    resp = client.post(
        reverse("datastore:entry"),
        {"org": catalogue["village_a"].code, "period": "2026", f"v_{hj.code}": "1234.125"},
    )
    assert resp.status_code == 200
    known.refresh_from_db()
    assert known.value == Decimal("1234.125") and known.source == "entry"
    assert known.history.count() == 2
    assert "1,234.125" in resp.content.decode()  # shown as written, not rounded to 2 places


def test_entry_rejects_negative_with_chinese_message(client: Client, catalogue: Any) -> None:
    login(client, catalogue, "worker_a")
    code = DataElement.objects.get(name="耕地面积").code
    resp = client.post(
        reverse("datastore:entry"),
        {"org": catalogue["village_a"].code, "period": "2026", f"v_{code}": "-3"},
    )
    assert resp.status_code == 400
    assert "数值不能为负数" in resp.content.decode()
    assert not DataValue.objects.filter(element__code=code).exists()


def test_entry_check_returns_inline_outlier_warning(client: Client, catalogue: Any) -> None:
    login(client, catalogue, "worker_a")
    code = _hj().code
    resp = client.post(
        reverse("datastore:entry_check"),
        {"org": catalogue["village_a"].code, "period": "2027", "code": code, f"v_{code}": "5000"},
    )
    assert "变化超过" in resp.content.decode()


def test_village_worker_cannot_enter_for_another_village(client: Client, catalogue: Any) -> None:
    login(client, catalogue, "worker_a")
    code = DataElement.objects.get(name="耕地面积").code
    resp = client.post(
        reverse("datastore:entry"),
        {"org": catalogue["village_b"].code, "period": "2026", f"v_{code}": "1"},
    )
    assert resp.status_code == 404
    assert not DataValue.objects.filter(element__code=code).exists()


def test_fill_page_produces_download_for_own_scope(client: Client, catalogue: Any) -> None:
    login(client, catalogue, "admin")
    t = catalogue["templates"]["tj"]
    resp = client.post(
        reverse("datastore:fill"),
        {"template": t.pk, "org": catalogue["town"].code, "period": "2026"},
    )
    assert resp.status_code == 200
    event = FillEvent.objects.get()
    assert event.fields_auto == 4  # 2 villages x 2 shared items (合计 row is computed)
    download = client.get(reverse("datastore:fill_download", args=[event.pk]))
    assert download.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert wb.active["C5"].value == 1200
    client.logout()
    login(client, catalogue, "worker_b")
    assert client.get(reverse("datastore:fill_download", args=[event.pk])).status_code == 404


def test_village_worker_fill_covers_only_own_row(client: Client, catalogue: Any) -> None:
    login(client, catalogue, "worker_b")
    t = catalogue["templates"]["tj"]
    resp = client.post(
        reverse("datastore:fill"),
        {"template": t.pk, "org": catalogue["village_a"].code, "period": "2026"},
    )
    assert resp.status_code == 400 and "没有权限" in resp.content.decode()
    assert not FillEvent.objects.exists()
    resp = client.post(
        reverse("datastore:fill"),
        {"template": t.pk, "org": catalogue["village_b"].code, "period": "2026"},
    )
    assert resp.status_code == 200
    assert FillEvent.objects.get().fields_auto == 2  # 西村's row only


def test_export_due_zip_contains_every_template(client: Client, catalogue: Any) -> None:
    login(client, catalogue, "admin")
    resp = client.post(
        reverse("datastore:export_due"), {"org": catalogue["town"].code, "period": "2026"}
    )
    assert resp.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(resp.content)).namelist()
    assert len([n for n in names if n.endswith(".xlsx")]) == 3
    assert "填报情况.csv" in names


def test_harvest_page_shows_conflict(client: Client, catalogue: Any, tmp_path: Any) -> None:
    login(client, catalogue, "admin")
    path = builders.minzheng_xlsx(tmp_path / "again.xlsx", values={"东村": [1300, 1100, 300, 15]})
    with path.open("rb") as fh:
        resp = client.post(
            reverse("datastore:harvest"),
            {"file": fh, "org": catalogue["town"].code, "period": "2026"},
        )
    html = resp.content.decode()
    assert resp.status_code == 200 and "冲突" in html and "1300" in html
    assert DataValue.objects.get(
        element=_hj(), org_unit=catalogue["village_a"], period="2026"
    ).value == Decimal(1200)


def test_harvest_page_refuses_unit_outside_scope(
    client: Client, catalogue: Any, tmp_path: Any
) -> None:
    login(client, catalogue, "worker_a")
    path = builders.minzheng_xlsx(tmp_path / "x.xlsx", values={"西村": [1, 1, 1, 1]})
    with path.open("rb") as fh:
        resp = client.post(
            reverse("datastore:harvest"),
            {"file": fh, "org": catalogue["village_b"].code, "period": "2025"},
        )
    assert resp.status_code == 400
    assert not DataValue.objects.filter(period="2025").exists()


def test_elements_page_lists_elements(client: Client, catalogue: Any) -> None:
    login(client, catalogue, "evaluator")
    resp = client.get(reverse("datastore:elements"))
    assert resp.status_code == 200 and "耕地面积" in resp.content.decode()


def test_api_values_are_scoped(client: Client, catalogue: Any) -> None:
    login(client, catalogue, "worker_a")
    rows = client.get("/api/datastore/values", {"period": "2026"}).json()
    assert rows and {r["org"] for r in rows} == {catalogue["village_a"].code}
    denied = client.get("/api/datastore/values", {"org": catalogue["village_b"].code})
    assert denied.status_code == 404


def test_api_write_value_and_scope(client: Client, catalogue: Any) -> None:
    login(client, catalogue, "worker_a")
    code = DataElement.objects.get(name="耕地面积").code
    ok = client.post(
        "/api/datastore/values",
        {"element": code, "org": catalogue["village_a"].code, "period": "2026Q3", "value": "12"},
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["status"] == "created"
    assert DataValue.objects.get(element__code=code, period="2026Q3").value == 12
    bad = client.post(
        "/api/datastore/values",
        {"element": code, "org": catalogue["village_b"].code, "period": "2026Q3", "value": "12"},
        content_type="application/json",
    )
    assert bad.status_code == 404
    assert DataValue.objects.filter(element__code=code).count() == 1


def test_home_card_shows_savings(client: Client, catalogue: Any) -> None:
    login(client, catalogue, "admin")
    client.post(
        reverse("datastore:fill"),
        {
            "template": catalogue["templates"]["ny"].pk,
            "org": catalogue["town"].code,
            "period": "2026",
        },
    )
    resp = client.get("/")
    assert "自动填写" in resp.content.decode()
