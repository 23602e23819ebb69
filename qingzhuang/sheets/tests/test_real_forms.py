"""The parser against the real Hubei 2016 forms in ../shared/data (skipped when absent)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from qingzhuang.sheets import ParsedSheet, ParsedWorkbook, parse_file

pytestmark = pytest.mark.shared_data

DATA = Path(
    os.environ.get("QZ_SHARED_DATA")
    or Path(__file__).resolve().parents[3] / ".." / "shared" / "data"
)
SYSTEM = DATA / "forms" / "2016年湖北农林牧渔业综合统计报表制度.xls"
SUMMARY = DATA / "forms" / "2016年农村统计年报汇总表.xls"


def _load(path: Path) -> ParsedWorkbook:
    if not path.exists():
        pytest.skip("../shared/data not available")
    return parse_file(path)


def _sheet(wb: ParsedWorkbook, form_no: str) -> ParsedSheet:
    return next(s for s in wb.sheets if s.meta.get("表号", "").replace(" ", "").startswith(form_no))


def test_report_system_has_28_forms_each_with_fields() -> None:
    wb = _load(SYSTEM)
    assert wb.format == "xls"
    assert len(wb.sheets) == 28
    assert all(len(s.fields) >= 10 for s in wb.sheets)
    assert sum(s.orientation == "rows" for s in wb.sheets) >= 25


def test_enongnian01_hierarchy_matches_the_human_path() -> None:
    sheet = _sheet(_load(SYSTEM), "鄂农年01")
    assert sheet.title == "农业生产条件（一）"
    assert sheet.issuer == "湖北省统计局"
    women = [f for f in sheet.fields if f.code == "20"][0]
    assert women.path == [
        "三、乡村人口与从业人员",
        "（四）乡村从业人员数",
        "2．女",
        "其中：从事农业人员",
    ]
    assert women.unit == "万人"
    assert women.cell == "A33" and women.value_cell == "D33"
    assert len(sheet.fields) == 29  # codes 1..29


def test_a307_side_by_side_blocks_and_grouping_rows() -> None:
    sheet = _sheet(_load(SYSTEM), "A307")
    by_code = {f.code: f for f in sheet.fields}
    assert by_code["14"].path == ["一、荒山荒（沙）地造林面积", "按林种用途分", "3.防护林"]
    assert by_code["40"].path == ["十六、主要林产品产量", "4.乌桕子"]
    assert by_code["40"].cell.startswith("E")
    assert len(by_code) == 56


def test_a302_multi_value_columns_take_units_from_headers() -> None:
    sheet = _sheet(_load(SYSTEM), "A302")
    potato = [f for f in sheet.fields if f.code == "9"]
    assert [(f.path[-1], f.unit) for f in potato] == [
        ("面积", "千公顷"),
        ("总产量", "吨"),
        ("单产", "公斤"),
    ]
    assert potato[0].path[:3] == ["粮食作物", "(一)夏收粮食", "4.马铃薯"]


def test_summary_workbook_column_tables() -> None:
    wb = _load(SUMMARY)
    assert len(wb.sheets) == 26  # 29 sheets minus cover, contents and an empty one
    assert all(s.orientation == "columns" for s in wb.sheets)
    sheet = _sheet(wb, "神农年01")
    labour = [f for f in sheet.fields if "乡村劳动力资" in f.label][0]
    assert labour.path[0] == "三、乡村、人口、户数及农村从业人员情况"
    assert labour.unit == "人"
    assert any(d.is_total for d in sheet.data_rows)
    assert any(d.label.startswith("松柏镇") for d in sheet.data_rows)


def test_summary_forestry_matches_pairs_dev_path() -> None:
    sheet = next(s for s in _load(SUMMARY).sheets if s.name == "林业生产情况表（一）")
    shelter = [f for f in sheet.fields if f.label == "3.防护林"][0]
    assert shelter.path[0] == "一、荒山荒（沙）地造林面积"
    assert "按林种用途分" in shelter.path
    assert shelter.unit == "亩"
