"""The outside-checked chain, end to end through the real `qz` commands."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from qingzhuang.datastore.models import DataValue, FieldMapping, FillEvent
from qingzhuang.datastore.tests import builders
from qingzhuang.reporting.models import Concept, ReportTemplate
from qingzhuang.sheets.layout import layout_signature

TOWN = "420000100001"


def qz(*args: str) -> Any:
    out = io.StringIO()
    call_command(*args, "--json", stdout=out)
    return json.loads(out.getvalue())


@pytest.fixture
def forms(tmp_path: Path) -> dict[str, Path]:
    return {
        "mz": builders.minzheng_xlsx(tmp_path / "minzheng.xlsx"),
        "tj": builders.tongji_xlsx(tmp_path / "tongji.xlsx"),
        "ny": builders.nongye_xlsx(tmp_path / "nongye.xlsx"),
    }


def _accepted_chain(forms: dict[str, Path]) -> dict[str, Any]:
    imported = qz("forms", "import", str(forms["mz"]), str(forms["tj"]), str(forms["ny"]))
    accepted = qz("concepts", "accept", "--all-suggested")
    return {"imported": imported, "accepted": accepted}


def test_import_recovers_issuer_and_title_and_is_idempotent(org_tree: Any, forms: Any) -> None:
    first = qz("forms", "import", str(forms["mz"]))
    again = qz("forms", "import", str(forms["mz"]))
    assert first["ids"] == again["ids"]
    assert again["templates"][0]["created"] is False
    t = ReportTemplate.objects.get(pk=first["ids"][0])
    assert t.title == "村级低保与养老统计表"
    assert t.issuer is not None and t.issuer.name == "测试县民政局"
    assert t.admission_status == "unreviewed"
    assert ReportTemplate.objects.count() == 1


def test_import_title_and_issuer_can_be_overridden(org_tree: Any, forms: Any) -> None:
    res = qz("forms", "import", str(forms["tj"]), "--issuer", "某某局", "--title", "改名表")
    t = ReportTemplate.objects.get(pk=res["ids"][0])
    assert (t.title, t.issuer.name if t.issuer else "") == ("改名表", "某某局")


def test_full_chain_fills_shared_items_for_every_village(
    org_tree: Any, forms: Any, tmp_path: Path
) -> None:
    chain = _accepted_chain(forms)
    assert len(chain["imported"]["ids"]) == 3
    assert chain["accepted"]["accepted"] >= 3
    names = {c["name"] for c in chain["accepted"]["concepts"]}
    assert any("户籍人口" in n for n in names)

    filled = builders.minzheng_xlsx(
        tmp_path / "minzheng_filled.xlsx",
        values={"东村": [1200, 1100, 300, 15], "西村": [800, 760, 210, 9]},
    )
    harvest = qz("data", "harvest", str(filled), "--org", TOWN, "--period", "2026")
    assert harvest["loaded_count"] == 8
    assert harvest["conflict_count"] == 0
    east = org_tree["village_a"]
    assert DataValue.objects.get(
        org_unit=east, period="2026", element__name__contains="户籍人口"
    ).value == Decimal(1200)

    out_tj = tmp_path / "tongji_out.xlsx"
    res = qz("fill", str(forms["tj"]), "--org", TOWN, "--period", "2026", "--output", str(out_tj))
    ws = openpyxl.load_workbook(out_tj)["基本情况"]
    # rows: 5 中共东村支部委员会, 6 西村村民委员会, 7 合计; C 户籍人口, D 常住人口
    assert [ws["C5"].value, ws["D5"].value, ws["C6"].value, ws["D6"].value] == [
        1200,
        1100,
        800,
        760,
    ]
    assert [ws["C7"].value, ws["D7"].value] == [2000, 1860]
    assert ws["E5"].value is None
    assert layout_signature(out_tj) == layout_signature(forms["tj"])
    by_cell = {f["cell"]: f for f in res["fields"]}
    assert by_cell["C4"]["status"] == "filled"
    assert by_cell["F3"]["status"] == "empty" and by_cell["F3"]["reason"]
    assert res["coverage"]["rows_matched"] == ["东村", "西村"]

    out_ny = tmp_path / "nongye_out.xlsx"
    res = qz("fill", str(forms["ny"]), "--org", TOWN, "--period", "2026", "--output", str(out_ny))
    ws = openpyxl.load_workbook(out_ny)["劳动力"]
    # rows: 5 西村, 6 东村 (order differs from the harvested form)
    assert [ws["C5"].value, ws["D5"].value, ws["C6"].value, ws["D6"].value] == [800, 210, 1200, 300]
    assert ws["E5"].value is None
    assert layout_signature(out_ny) == layout_signature(forms["ny"])
    assert res["coverage"]["cells_filled"] >= 4
    assert FillEvent.objects.count() == 2


def test_harvest_shows_conflicts_and_keeps_existing_value(
    org_tree: Any, forms: Any, tmp_path: Path
) -> None:
    _accepted_chain(forms)
    first = builders.minzheng_xlsx(tmp_path / "a.xlsx", values={"东村": [1200, 1100, 300, 15]})
    qz("data", "harvest", str(first), "--org", TOWN, "--period", "2026Q3")
    second = builders.minzheng_xlsx(tmp_path / "b.xlsx", values={"东村": [1250, 1100, 300, 15]})
    res = qz("data", "harvest", str(second), "--org", TOWN, "--period", "2026Q3")
    assert res["conflict_count"] == 1
    assert res["conflicts"][0]["existing"] == "1200"
    assert res["conflicts"][0]["value"] == "1250"
    assert res["unchanged"] == 3
    value = DataValue.objects.get(
        org_unit=org_tree["village_a"], period="2026Q3", element__name__contains="户籍人口"
    )
    assert value.value == Decimal(1200)


def test_township_level_form_is_filled_by_summing_villages(
    org_tree: Any, forms: Any, tmp_path: Path
) -> None:
    _accepted_chain(forms)
    filled = builders.minzheng_xlsx(
        tmp_path / "f.xlsx", values={"东村": [1200, 1100, 300, 15], "西村": [800, 760, 210, 9]}
    )
    qz("data", "harvest", str(filled), "--org", TOWN, "--period", "2026")
    town_form = builders.township_list_xlsx(tmp_path / "town.xlsx")
    out = tmp_path / "town_out.xlsx"
    res = qz("fill", str(town_form), "--org", TOWN, "--period", "2026", "--output", str(out))
    ws = openpyxl.load_workbook(out)["全镇"]
    assert ws["D6"].value == 2000
    assert ws["D7"].value == 1860
    notes = " ".join(f["note"] for f in res["fields"])
    assert "相加" in notes
    assert layout_signature(out) == layout_signature(town_form)


def test_fill_of_a_new_template_imports_and_maps_it(
    org_tree: Any, forms: Any, tmp_path: Path
) -> None:
    qz("forms", "import", str(forms["mz"]), str(forms["tj"]))
    qz("concepts", "accept", "--all-suggested")
    out = tmp_path / "ny.xlsx"
    qz("fill", str(forms["ny"]), "--org", TOWN, "--period", "2026", "--output", str(out))
    t = ReportTemplate.objects.get(title="农村劳动力情况表")
    assert FieldMapping.objects.filter(field__template=t, element__isnull=False).exists()


@pytest.mark.parametrize("period", ["2026", "2026Q3", "2026-09"])
def test_period_formats_are_accepted(
    org_tree: Any, forms: Any, tmp_path: Path, period: str
) -> None:
    _accepted_chain(forms)
    filled = builders.minzheng_xlsx(tmp_path / "f.xlsx", values={"东村": [1, 1, 1, 1]})
    res = qz("data", "harvest", str(filled), "--org", TOWN, "--period", period)
    assert res["period"] == period
    assert DataValue.objects.filter(period=period).count() == 4


def test_bad_period_and_unknown_org_fail_with_one_line(org_tree: Any, forms: Any) -> None:
    with pytest.raises(CommandError, match="时期"):
        qz("data", "harvest", str(forms["mz"]), "--org", TOWN, "--period", "26年")
    with pytest.raises(CommandError, match="单位代码"):
        qz("data", "harvest", str(forms["mz"]), "--org", "999", "--period", "2026")
    assert ReportTemplate.objects.count() == 0


def test_export_and_import_round_trip(org_tree: Any, forms: Any, tmp_path: Path) -> None:
    _accepted_chain(forms)
    filled = builders.minzheng_xlsx(tmp_path / "f.xlsx", values={"东村": [5, 4, 3, 2]})
    qz("data", "harvest", str(filled), "--org", TOWN, "--period", "2026")
    dump = tmp_path / "store.json"
    qz("data", "export", "--output", str(dump))
    DataValue.objects.all().update(value=Decimal(0))
    res = qz("data", "import", str(dump))
    assert res["values_updated"] == 4
    assert sorted(DataValue.objects.values_list("value", flat=True)) == [2, 3, 4, 5]
    csv_dump = tmp_path / "store.csv"
    qz("data", "export", "--output", str(csv_dump))
    assert "element_code" in csv_dump.read_text(encoding="utf-8-sig")


def test_forms_match_without_database(forms: Any) -> None:
    res = qz("forms", "match", str(forms["mz"]), str(forms["tj"]), str(forms["ny"]))
    hj = [c for c in res["concepts"] if "户籍人口" in c["name"]]
    assert hj and {f["file"] for f in hj[0]["fields"]} == {str(p) for p in forms.values()}
    assert all(len(c["fields"]) >= 2 for c in res["concepts"])
    assert isinstance(res["singletons"], list)


def test_forms_parse_gives_contract_shape(forms: Any) -> None:
    res = qz("forms", "parse", str(forms["mz"]))
    assert res["file"] == str(forms["mz"])
    fields = res["sheets"][0]["fields"]
    assert {
        "cell": "C4",
        "path": ["人口情况", "户籍人口"],
        "label": "户籍人口",
        "unit": "人",
    } in fields


def test_concepts_are_linked_not_duplicated_on_second_accept(org_tree: Any, forms: Any) -> None:
    _accepted_chain(forms)
    n = Concept.objects.filter(status="accepted").count()
    qz("concepts", "analyse")
    again = qz("concepts", "accept", "--all-suggested")
    assert again["elements_created"] == 0
    assert Concept.objects.filter(status="accepted").count() >= n
