"""Harvesting a many-sheet workbook shaped like the 2016 Hubei report system once filled.

Codes are never values, only items that hold a number get an element (named so that a person
can tell it apart), a county-level sheet is not the township's own figure, and numbers that
disagree inside the one file are said to disagree with each other, not with the store.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest

from qingzhuang.datastore import services
from qingzhuang.datastore.models import DataElement, DataValue

Row = tuple[str, str, str, float | None]


def _indicator_sheet(ws: Any, title: str, rows: list[Row], value_header: str = "本年") -> None:
    """指标名称 | 计量单位 | 代码 | value, with the 甲/乙/丙/1 marker row of statistical forms."""
    ws["A1"] = title
    ws["A2"] = "制表机关：测试县统计局"
    ws["A4"], ws["B4"], ws["C4"], ws["D4"] = "指标名称", "计量单位", "代码", value_header
    ws["A5"], ws["B5"], ws["C5"], ws["D5"] = "甲", "乙", "丙", "1"
    for r, (name, unit, code, value) in enumerate(rows, start=6):
        ws.cell(r, 1, name)
        ws.cell(r, 2, unit)
        ws.cell(r, 3, code)
        if value is not None:
            ws.cell(r, 4, value)


def _forecast_sheet(ws: Any, values: dict[int, float]) -> None:
    """全年主要…产量预计: its code column is headed 报告期别, marked 丙, and holds 1, 2, 3 …"""
    ws["A1"] = "全年主要农林牧渔产品产量预计"
    ws["B3"], ws["C3"], ws["D3"] = "计量单位", "报告期别", "数量"
    ws["A4"], ws["B4"], ws["C4"], ws["D4"] = "甲", "乙", "丙", "1"
    for i, name in enumerate(["一、粮食", "二、棉花", "三、油料", "四、麻类"], start=1):
        ws.cell(4 + i, 1, name)
        ws.cell(4 + i, 2, "吨")
        ws.cell(4 + i, 3, i)
        if i in values:
            ws.cell(4 + i, 4, values[i])


def report_system_xlsx(
    path: Path,
    *,
    county: float | None = None,
    township: float | None = None,
    village: float | None = None,
    fish: dict[str, float] | None = None,
    forecast: dict[int, float] | None = None,
) -> Path:
    fish = fish or {}
    wb = openpyxl.Workbook()
    _indicator_sheet(
        wb.active,
        "县(市)社会经济基本情况",
        [("一、人口", "—", "—", None), ("户籍人口", "万人", "1", county)],
    )
    wb.active.title = "县_市_社会经济基本情况"
    _indicator_sheet(
        wb.create_sheet("乡_镇_社会经济基本情况"),
        "乡(镇)社会经济基本情况",
        [("一、人口", "—", "—", None), ("户籍人口", "人", "7", township)],
    )
    _indicator_sheet(
        wb.create_sheet("村社会经济基本情况"),
        "村社会经济基本情况",
        [("户籍人口", "人", "15", village)],
    )
    fishery: list[Row] = [("一、水产品产量", "吨", "1", None)]
    for n, part in enumerate(["(一)淡水捕捞产量", "(二)淡水养殖产量"]):
        fishery.append((part, "吨", str(2 + 4 * n), None))
        for m, kind in enumerate(["1.鱼类", "2.虾蟹类", "3.贝类"]):
            key = f"{part[:5]}{kind}"
            fishery.append((f"　{kind}", "吨", str(3 + 4 * n + m), fish.get(key)))
    _indicator_sheet(wb.create_sheet("渔业生产情况"), "渔业生产情况", fishery)
    _forecast_sheet(wb.create_sheet("产量预计"), forecast or {})
    wb.save(path)
    return path


def _harvest(catalogue: Any, path: Path, org: str = "town", period: str = "2026") -> Any:
    return services.harvest_file(path=path, org_unit=catalogue[org], period=period, actor="t")


def test_the_code_column_of_a_forecast_sheet_is_never_stored(
    catalogue: Any, tmp_path: Path
) -> None:
    path = report_system_xlsx(tmp_path / "filled.xlsx", forecast={2: 350.5})

    res = _harvest(catalogue, path)

    stored = [e for e in res.loaded if e["sheet"] == "产量预计"]
    assert [(e["cell"], e["value"]) for e in stored] == [("D6", "350.5")]
    assert not DataValue.objects.filter(source_cell__startswith="产量预计!C").exists()


def test_only_items_that_hold_a_number_get_an_element_named_with_its_context(
    catalogue: Any, tmp_path: Path
) -> None:
    before = DataElement.objects.count()
    path = report_system_xlsx(
        tmp_path / "fish.xlsx", fish={"(一)淡水1.鱼类": 12, "(二)淡水1.鱼类": 30}
    )

    res = _harvest(catalogue, path)

    created = DataElement.objects.order_by("pk")[before:]
    assert res.elements_created == len(created) == 2
    assert [e.name for e in created] == ["(一)淡水捕捞产量 › 1.鱼类", "(二)淡水养殖产量 › 1.鱼类"]
    assert sorted(e["value"] for e in res.loaded if e["sheet"] == "渔业生产情况") == ["12", "30"]
    assert res.ambiguous_elements == []
    assert not [w for w in res.warnings if "请在数据元目录中合并" in w]


def test_harvesting_the_same_file_again_creates_nothing_more(
    catalogue: Any, tmp_path: Path
) -> None:
    path = report_system_xlsx(tmp_path / "again.xlsx", fish={"(一)淡水1.鱼类": 12})
    _harvest(catalogue, path)
    count = DataElement.objects.count()

    res = _harvest(catalogue, path)

    assert res.elements_created == 0 and DataElement.objects.count() == count
    assert res.unchanged == 1 and res.loaded == []


def test_a_county_level_sheet_is_not_stored_as_the_townships_own_figure(
    catalogue: Any, tmp_path: Path
) -> None:
    path = report_system_xlsx(tmp_path / "levels.xlsx", county=1.95, township=20000)

    res = _harvest(catalogue, path)

    element = DataElement.objects.get(name="户籍人口")
    value = DataValue.objects.get(element=element, org_unit=catalogue["town"], period="2026")
    assert value.value == 20000 and value.source_cell == "乡_镇_社会经济基本情况!D7"
    assert res.conflicts == [] and res.in_file_conflicts == []
    assert [s["sheet"] for s in res.sheets_skipped] == ["县_市_社会经济基本情况"]
    warning = next(w for w in res.warnings if "县_市_社会经济基本情况" in w)
    assert "测试镇" in warning and "没有存入" in warning


def test_a_village_level_sheet_is_stored_for_a_village(catalogue: Any, tmp_path: Path) -> None:
    path = report_system_xlsx(tmp_path / "village.xlsx", township=20000, village=1300)

    res = _harvest(catalogue, path, org="village_a", period="2027")

    assert [(e["sheet"], e["value"]) for e in res.loaded] == [("村社会经济基本情况", "1300")]
    assert [s["sheet"] for s in res.sheets_skipped] == ["乡_镇_社会经济基本情况"]


def test_numbers_that_disagree_inside_one_file_are_reported_together_not_as_stored(
    catalogue: Any, tmp_path: Path
) -> None:
    path = tmp_path / "twice.xlsx"
    wb = openpyxl.Workbook()
    _indicator_sheet(wb.active, "乡(镇)社会经济基本情况", [("户籍人口", "人", "7", 20000)])
    _indicator_sheet(wb.create_sheet("续表"), "乡镇人口情况", [("户籍人口", "万人", "1", 1.95)])
    wb.save(path)

    res = _harvest(catalogue, path, period="2027")

    assert res.conflicts == [] and res.loaded == []
    [clash] = res.in_file_conflicts
    assert clash["org"] == "测试镇" and clash["element"] == "户籍人口"
    assert [(v["sheet"], v["cell"], v["value"]) for v in clash["values"]] == [
        ("Sheet", "D6", "20000"),
        ("续表", "D6", "19500"),
    ]
    assert not DataValue.objects.filter(period="2027", org_unit=catalogue["town"]).exists()
    warning = next(w for w in res.warnings if "同一文件" in w)
    assert "20,000" in warning and "19,500" in warning and "库中" not in warning


def test_numbers_that_agree_up_to_the_rounding_shown_are_one_number(
    catalogue: Any, tmp_path: Path
) -> None:
    path = tmp_path / "rounded.xlsx"
    wb = openpyxl.Workbook()
    _indicator_sheet(wb.active, "乡(镇)社会经济基本情况", [("户籍人口", "万人", "1", 1.93)])
    _indicator_sheet(wb.create_sheet("续表"), "乡镇人口情况", [("户籍人口", "人", "7", 19326)])
    wb.save(path)

    res = _harvest(catalogue, path, period="2027")

    assert res.in_file_conflicts == [] and res.conflicts == []
    assert [(e["sheet"], e["value"]) for e in res.loaded] == [("续表", "19326")]
    assert res.unchanged == 1


@pytest.mark.parametrize("hidden", ["hidden", "veryHidden"])
def test_hidden_sheets_are_not_harvested(catalogue: Any, tmp_path: Path, hidden: str) -> None:
    before = DataElement.objects.count()
    path = tmp_path / "hidden.xlsx"
    wb = openpyxl.Workbook()
    _indicator_sheet(wb.active, "乡(镇)社会经济基本情况", [("户籍人口", "人", "7", 20000)])
    secret = wb.create_sheet("隐藏表")
    _indicator_sheet(secret, "乡镇基本情况", [("秘密数", "个", "1", 5)])
    secret.sheet_state = hidden
    wb.save(path)

    res = _harvest(catalogue, path, period="2027")

    assert [e["sheet"] for e in res.loaded] == ["Sheet"]
    assert DataElement.objects.count() == before
    assert not DataElement.objects.filter(name="秘密数").exists()


def test_harvest_page_lists_in_file_disagreements_apart_from_stored_conflicts(
    client: Any, catalogue: Any, tmp_path: Path
) -> None:
    from django.urls import reverse

    path = tmp_path / "twice.xlsx"
    wb = openpyxl.Workbook()
    _indicator_sheet(wb.active, "乡(镇)社会经济基本情况", [("户籍人口", "人", "7", 20000)])
    _indicator_sheet(wb.create_sheet("续表"), "乡镇人口情况", [("户籍人口", "人", "1", 19326)])
    wb.save(path)
    assert client.login(username=catalogue["admin"].username, password=catalogue["password"])

    with path.open("rb") as fh:
        resp = client.post(
            reverse("datastore:harvest"),
            {"org": catalogue["town"].code, "period": "2027", "file": fh},
        )

    page = resp.content.decode()
    assert resp.status_code == 200
    assert "同一文件中数字不一致" in page and "19326" in page and "续表 D6" in page
    assert "冲突（未覆盖）" not in page
