"""Header-band analysis: column-number rows, titles and issuers."""

from __future__ import annotations

from pathlib import Path

import pytest

from qingzhuang.sheets import parse_file
from qingzhuang.sheets.grid import Grid
from qingzhuang.sheets.headers import marker_kind

from .builders import docx_table, rows_xlsx

VILLAGE_HEADER = ("村名", "户籍人口（人）", "常住人口（人）")


def _row_grid(*cells: str) -> Grid:
    return Grid("表1", {(1, c): t for c, t in enumerate(cells, start=1) if t}, 1, len(cells))


def _labels(path: Path) -> list[str]:
    return [d.label for d in parse_file(path).sheets[0].data_rows]


def test_filled_xlsx_keeps_its_first_village_whose_values_are_all_numbers(tmp_path: Path) -> None:
    rows = [VILLAGE_HEADER, ("青山村", 3000, 2800), ("石桥村", 2000, 1900), ("新华社区", 100, 90)]
    assert _labels(rows_xlsx(tmp_path / "filled.xlsx", rows)) == ["青山村", "石桥村", "新华社区"]


def test_filled_docx_keeps_its_first_village_whose_values_are_all_numbers(tmp_path: Path) -> None:
    rows = [VILLAGE_HEADER, ("青山村", "3000", "2800"), ("石桥村", "2000", "1900")]
    path = docx_table(tmp_path / "filled.docx", ["2026年人口统计表"], rows)
    assert _labels(path) == ["青山村", "石桥村"]


def test_village_whose_counts_happen_to_run_1_2_3_is_a_data_row(tmp_path: Path) -> None:
    rows = [("村名", "卫生室（个）", "图书室（个）", "健身点（个）"), ("青山村", 1, 2, 3)]
    assert _labels(rows_xlsx(tmp_path / "counts.xlsx", rows)) == ["青山村"]


@pytest.mark.parametrize("label", [None, "甲"])
def test_column_number_row_under_the_header_is_skipped(tmp_path: Path, label: str | None) -> None:
    rows = [VILLAGE_HEADER, (label, 1, 2), ("青山村", 3000, 2800)]
    sheet = parse_file(rows_xlsx(tmp_path / "marked.xlsx", rows)).sheets[0]
    assert [d.label for d in sheet.data_rows] == ["青山村"]
    assert [f.label for f in sheet.fields] == ["户籍人口", "常住人口"]


def test_row_of_a_year_and_its_totals_is_data_not_a_marker() -> None:
    grid = _row_grid("本 年", "00", "58350", "230", "11599.9448", "967")
    assert marker_kind(grid, 1, 1) is None


def test_long_run_of_column_numbers_is_a_marker_despite_stray_label_text() -> None:
    # The 2016 summary workbook has table-of-contents text left in column A.
    grid = _row_grid("经济作物生产情况（一）", "--", "32", "33", "34", "35", "36", "45", "46")
    assert marker_kind(grid, 1, 1) == "marker"


def test_code_row_keeps_its_codes_even_when_they_repeat() -> None:
    assert marker_kind(_row_grid("代码总汇", "丙", "51", "52", "52", "53"), 1, 1) == "code"


DIBAO_TABLE = [("村名", "低保户数（户）", "低保人数（人）"), ("青山村", "", "")]


def test_docx_organisation_paragraph_above_the_title_is_the_issuer(tmp_path: Path) -> None:
    path = docx_table(
        tmp_path / "dibao.docx", ["示范县民政局", "2026年低保情况统计表"], DIBAO_TABLE
    )
    wb = parse_file(path)
    assert (wb.title, wb.issuer) == ("2026年低保情况统计表", "示范县民政局")


def test_xlsx_organisation_row_above_the_title_is_the_issuer(tmp_path: Path) -> None:
    rows = [("示范县民政局",), ("2026年低保情况统计表",), *DIBAO_TABLE]
    wb = parse_file(rows_xlsx(tmp_path / "dibao.xlsx", rows))
    assert (wb.title, wb.issuer) == ("2026年低保情况统计表", "示范县民政局")


def test_organisation_line_below_the_title_is_not_taken_for_the_issuer(tmp_path: Path) -> None:
    # Under the title an organisation is usually the unit that fills the form in.
    path = docx_table(tmp_path / "d.docx", ["2026年低保情况统计表", "青山镇人民政府"], DIBAO_TABLE)
    wb = parse_file(path)
    assert (wb.title, wb.issuer) == ("2026年低保情况统计表", "")


def test_title_that_names_a_bureau_is_still_the_title(tmp_path: Path) -> None:
    title = "示范县民政局关于报送低保情况的统计表"
    wb = parse_file(docx_table(tmp_path / "d.docx", [title], DIBAO_TABLE))
    assert (wb.title, wb.issuer) == (title, "")
