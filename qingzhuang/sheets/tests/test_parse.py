"""Parser behaviour on generated files of every format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qingzhuang.sheets import parse_file

from .builders import docx_with_merges, indicator_list_xlsx, village_table_xlsx


def _by_label(sheet, label):  # type: ignore[no-untyped-def]
    return [f for f in sheet.fields if f.label == label]


def test_column_table_merged_headers_give_paths_units_and_cells(tmp_path: Path) -> None:
    wb = parse_file(village_table_xlsx(tmp_path / "村.xlsx"))
    sheet = wb.sheets[0]
    assert sheet.orientation == "columns"
    assert wb.title == "2024年村人口情况统计表"
    assert wb.issuer == "青山县民政局"
    assert sheet.meta["填报单位"] == "青山镇人民政府"
    women = _by_label(sheet, "女")[0]
    assert women.path == ["人口情况", "户籍人口", "女"]
    assert (women.cell, women.unit) == ("D5", "人")
    resident = _by_label(sheet, "常住人口")[0]
    assert resident.cell == "E4" and resident.unit == "人"
    assert _by_label(sheet, "耕地面积")[0].unit == "亩"
    assert {f.label for f in sheet.fields} == {"男", "女", "常住人口", "耕地面积"}
    assert sheet.label_col == 2
    rows = {d.label: d for d in sheet.data_rows}
    assert rows["合计"].is_total and not rows["东村"].is_total
    assert rows["西村"].is_empty and not rows["东村"].is_empty
    assert "单位负责人" not in " ".join(rows)


def test_to_json_has_exactly_the_contract_keys(tmp_path: Path) -> None:
    data = parse_file(village_table_xlsx(tmp_path / "a.xlsx")).to_json()
    assert set(data) == {"file", "title", "issuer", "sheets"}
    assert set(data["sheets"][0]) == {"name", "orientation", "fields"}
    assert set(data["sheets"][0]["fields"][0]) == {"cell", "path", "label", "unit"}
    json.dumps(data, ensure_ascii=False)


def test_indicator_list_hierarchy_units_and_codes(tmp_path: Path) -> None:
    sheet = parse_file(indicator_list_xlsx(tmp_path / "list.xlsx")).sheets[0]
    assert sheet.orientation == "rows"
    assert sheet.meta["表号"] == "测农01表"
    farm = _by_label(sheet, "其中：从事农业人员")[0]
    assert farm.path == ["一、人口", "（一）乡村人口数", "2．女", "其中：从事农业人员"]
    assert (farm.unit, farm.code, farm.cell, farm.value_cell) == ("万人", "4", "A11", "D11")
    assert sheet.value_col == 4 and sheet.label_col == 1
    assert _by_label(sheet, "年末耕地面积")[0].path == ["二、耕地", "年末耕地面积"]
    labels = [f.label for f in sheet.fields]
    assert "一、人口" not in labels  # headings with — in 代码 are not fields
    assert not any("说明" in x for x in labels)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_encodings_give_row1_header_fields(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "data.csv"
    path.write_bytes("村名,户籍人口（人）,耕地面积(亩)\n东村,100,2\n合计,100,2\n".encode(encoding))
    wb = parse_file(path)
    assert wb.format == "csv"
    sheet = wb.sheets[0]
    assert sheet.name is None
    assert [(f.cell, f.label, f.unit) for f in sheet.fields] == [
        ("B1", "户籍人口", "人"),
        ("C1", "耕地面积", "亩"),
    ]
    assert [d.is_total for d in sheet.data_rows] == [False, True]


def test_docx_merged_table_cells_use_table_row_col_names(tmp_path: Path) -> None:
    wb = parse_file(docx_with_merges(tmp_path / "表.docx"))
    assert wb.format == "docx"
    sheet = wb.sheets[0]
    assert sheet.name is None
    assert wb.title == "村级公共服务情况表"
    assert wb.issuer == "某县民政局"
    fields = {f.label: f for f in sheet.fields}
    assert fields["卫生室"].cell == "T1R2C2"
    assert fields["卫生室"].path == ["服务设施", "卫生室"]
    assert fields["卫生室"].unit == "个"
    assert fields["常住人口"].cell == "T1R1C4"  # vertically merged: named by its top row
    assert set(fields) == {"卫生室", "图书室", "常住人口"}


def test_wrong_extension_is_parsed_by_content(tmp_path: Path) -> None:
    path = indicator_list_xlsx(tmp_path / "x.xlsx")
    renamed = path.rename(tmp_path / "x.csv")
    wb = parse_file(renamed, display_name="上报.csv")
    assert wb.format == "xlsx"
    assert wb.sheets[0].orientation == "rows"
