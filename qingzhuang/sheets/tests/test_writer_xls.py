"""Old .xls forms come back as .xlsx that look the same: checked against the real county files."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlrd
from openpyxl.utils import get_column_letter

from qingzhuang.sheets.layout import layout_signature
from qingzhuang.sheets.writer import CellWrite, write_filled_report, xls_to_xlsx
from qingzhuang.sheets.writer_xls import _BORDER_STYLES

DATA = Path(os.environ.get("QZ_SHARED_DATA") or Path(__file__).resolve().parents[4] / "shared/data")
FORMS = DATA / "forms"
REAL_FILES = ["2016年湖北农林牧渔业综合统计报表制度.xls", "2016年农村统计年报汇总表.xls"]

pytestmark = pytest.mark.shared_data


@pytest.fixture(scope="module", params=REAL_FILES)
def real_xls(request: pytest.FixtureRequest) -> Path:
    path = FORMS / request.param
    if not path.is_file():
        pytest.skip(f"../shared/data not available: {path}")
    return path


@pytest.fixture(scope="module")
def converted(
    real_xls: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[xlrd.book.Book, openpyxl.Workbook, Path]:
    out = tmp_path_factory.mktemp("xls") / "converted.xlsx"
    xls_to_xlsx(real_xls, out)
    book = xlrd.open_workbook(str(real_xls), formatting_info=True)
    return book, openpyxl.load_workbook(out), out


def test_sheet_names_and_merged_ranges_are_kept(converted: tuple) -> None:
    book, wb, _ = converted
    assert wb.sheetnames == book.sheet_names()
    for sheet in book.sheets():
        expected = {
            f"{get_column_letter(c1 + 1)}{r1 + 1}:{get_column_letter(c2)}{r2}"
            for r1, r2, c1, c2 in sheet.merged_cells
            if r2 - r1 > 1 or c2 - c1 > 1
        }
        assert {str(r) for r in wb[sheet.name].merged_cells.ranges} == expected, sheet.name


def test_cell_texts_and_numbers_are_kept(converted: tuple) -> None:
    book, wb, _ = converted
    checked = 0
    for sheet in book.sheets():
        ws = wb[sheet.name]
        for r in range(sheet.nrows):
            for c, (ctype, value) in enumerate(
                zip(sheet.row_types(r), sheet.row_values(r), strict=True)
            ):
                got = ws.cell(row=r + 1, column=c + 1).value
                if ctype == xlrd.XL_CELL_TEXT:
                    assert got == (value or None), (sheet.name, r, c)
                    checked += 1
                elif ctype == xlrd.XL_CELL_NUMBER:
                    assert got == pytest.approx(value), (sheet.name, r, c)
                    checked += 1
    assert checked > 1000


def test_widths_heights_fonts_borders_are_kept(converted: tuple) -> None:
    book, wb, _ = converted
    for sheet in book.sheets():
        ws = wb[sheet.name]
        anchors_only = _merged_non_anchors(sheet)
        for colx, info in sheet.colinfo_map.items():
            width = ws.column_dimensions[get_column_letter(colx + 1)].width
            assert width == pytest.approx(info.width / 256, abs=0.01), (sheet.name, colx)
        for rowx, rinfo in sheet.rowinfo_map.items():
            assert ws.row_dimensions[rowx + 1].height == pytest.approx(rinfo.height / 20)
        for r in range(sheet.nrows):
            for c in range(sheet.row_len(r)):
                xf_index = sheet.cell_xf_index(r, c)
                # openpyxl drops the styles of merged non-anchor cells when it reads a file.
                if xf_index < 0 or (r, c) in anchors_only:
                    continue
                xf = book.xf_list[xf_index]
                font = book.font_list[xf.font_index]
                cell = ws.cell(row=r + 1, column=c + 1)
                where = (sheet.name, r, c)
                assert (cell.font.name, cell.font.sz) == (font.name, font.height / 20), where
                assert bool(cell.font.b) == bool(font.bold), where
                assert cell.border.top.style == _BORDER_STYLES.get(xf.border.top_line_style)
                assert cell.border.left.style == _BORDER_STYLES.get(xf.border.left_line_style)
                assert bool(cell.alignment.wrap_text) == bool(xf.alignment.text_wrapped), where
                assert cell.number_format == book.format_map[xf.format_key].format_str, where
                _assert_colours(book, xf, font, cell, where)


def _assert_colours(book: xlrd.book.Book, xf: Any, font: Any, cell: Any, where: tuple) -> None:
    if xf.background.fill_pattern == 1:
        r, g, b = book.colour_map[xf.background.pattern_colour_index]
        assert cell.fill.fill_type == "solid", where
        assert cell.fill.fgColor.rgb == f"FF{r:02X}{g:02X}{b:02X}", where
    else:
        assert cell.fill.fill_type is None, where
    rgb = book.colour_map.get(font.colour_index)
    if rgb is None:  # automatic colour
        assert cell.font.color is None, where
    else:
        assert cell.font.color.rgb == "FF{:02X}{:02X}{:02X}".format(*rgb), where


def _merged_non_anchors(sheet: xlrd.sheet.Sheet) -> set[tuple[int, int]]:
    cells = {
        (r, c)
        for r1, r2, c1, c2 in sheet.merged_cells
        for r in range(r1, r2)
        for c in range(c1, c2)
        if (r, c) != (r1, c1)
    }
    return cells


def _styled_blank_cells(book: xlrd.book.Book, limit: int) -> list[tuple[str, int, int]]:
    """Empty-but-bordered cells (where a township types numbers), outside merged ranges."""
    found = []
    for sheet in book.sheets():
        merged = _merged_non_anchors(sheet)
        for r in range(sheet.nrows):
            for c, ctype in enumerate(sheet.row_types(r)):
                if ctype == xlrd.XL_CELL_BLANK and (r, c) not in merged:
                    found.append((sheet.name, r + 1, c + 1))
                    if len(found) >= limit:
                        return found
    return found


def test_filled_xls_keeps_converted_layout(real_xls: Path, tmp_path: Path) -> None:
    plain = tmp_path / "plain.xlsx"
    xls_to_xlsx(real_xls, plain)
    book = xlrd.open_workbook(str(real_xls), formatting_info=True)
    targets = _styled_blank_cells(book, 200)
    assert targets, "expected blank data cells to fill"
    writes = [
        CellWrite(name, f"{get_column_letter(c)}{r}", i + 0.5)
        for i, (name, r, c) in enumerate(targets)
    ]
    report = write_filled_report(real_xls, tmp_path / "filled.xls", writes, src_format="xls")
    assert report.path == tmp_path / "filled.xlsx"
    assert report.path.is_file()
    assert report.written == len(writes)
    wb = openpyxl.load_workbook(report.path)
    for w in writes:
        assert wb[w.sheet][w.cell].value == w.value
    assert layout_signature(report.path) == layout_signature(plain)


def test_default_font_follows_the_xls(converted: tuple) -> None:
    book, wb, _ = converted
    assert wb._fonts[0].name == book.font_list[0].name
