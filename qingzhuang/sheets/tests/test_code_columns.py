"""A 丙/乙 column of an indicator list holds row codes (1, 2, 3 …), never the values."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from qingzhuang.sheets import parse_file


def _forecast_xlsx(path: Path, values: dict[int, float] | None = None) -> Path:
    """Shape of 全年主要农林牧渔产品产量及产值预计 in the 2016 Hubei workbook.

    The code column is headed 报告期别 (not 代码) and only its 丙 marker says what it is.
    """
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "产量预计"
    ws["A1"] = "全年主要农林牧渔产品产量及产值预计"
    ws["A3"] = "表 号：鄂农定02表"
    ws["A4"] = "制表机关：湖北省统计局"
    ws["B6"], ws["C6"], ws["D6"] = "计量", "报告期别", "数量"
    ws["B7"] = "单位"
    for col in "ACD":
        ws.merge_cells(f"{col}6:{col}7")
    for col, marker in zip("ABCD", ["甲", "乙", "丙", "1"], strict=True):
        ws[f"{col}8"] = marker
    items = [("一、粮食", "吨"), ("二、棉花", "吨"), ("三、油料", "吨"), ("其中：花生", "吨")]
    for i, (name, unit) in enumerate(items, start=1):
        ws.cell(8 + i, 1, name)
        ws.cell(8 + i, 2, unit)
        ws.cell(8 + i, 3, i)
        if values and i in values:
            ws.cell(8 + i, 4, values[i])
    ws["A14"] = "说明：本表由各市、州统计局报送。"
    wb.save(path)
    return path


def test_marker_bing_column_is_the_row_code_not_a_value(tmp_path: Path) -> None:
    sheet = parse_file(_forecast_xlsx(tmp_path / "forecast.xlsx")).sheets[0]
    assert sheet.orientation == "rows"
    grain = [f for f in sheet.fields if f.label == "一、粮食"]
    assert [(f.value_cell, f.code, f.unit) for f in grain] == [("D9", "1", "吨")]
    assert {f.value_cell for f in sheet.fields} == {"D9", "D10", "D11", "D12"}
    assert sheet.value_col == 4
    assert not any("报告期别" in " ".join(f.path) for f in sheet.fields)


def test_filled_forecast_keeps_values_in_the_quantity_column(tmp_path: Path) -> None:
    path = _forecast_xlsx(tmp_path / "filled.xlsx", values={1: 1200.5, 3: 88})
    sheet = parse_file(path).sheets[0]
    assert [f.code for f in sheet.fields] == ["1", "2", "3", "4"]
    assert [f.value_cell for f in sheet.fields] == ["D9", "D10", "D11", "D12"]


def test_real_forecast_form_reads_quantities_not_codes(shared_data: Path) -> None:
    path = shared_data / "forms" / "2016年湖北农林牧渔业综合统计报表制度.xls"
    if not path.is_file():
        pytest.skip("2016 report system absent")
    sheet = next(
        s for s in parse_file(path).sheets if s.name == "全年主要农林牧渔产品产量及产值预计"
    )
    grain = [f for f in sheet.fields if f.label == "一、粮食"]
    assert [(f.value_cell, f.code, f.path) for f in grain] == [("D10", "1", ["一、粮食"])]
    assert not [f for f in sheet.fields if f.value_cell and f.value_cell.startswith("C")]
