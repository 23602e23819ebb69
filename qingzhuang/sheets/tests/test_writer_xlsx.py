"""Filling .xlsx forms: values land where asked, everything else stays as the issuer made it."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.datavalidation import DataValidation

from qingzhuang.sheets.errors import SheetError
from qingzhuang.sheets.layout import layout_signature
from qingzhuang.sheets.writer import (
    SKIP_FORMULA,
    CellWrite,
    WriteError,
    write_filled,
    write_filled_report,
)

SHEET = "农业生产情况"


def make_template(path: Path, villages: int = 3) -> Path:
    """A county-style form: title, two-row merged header, styled data rows, a total formula."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = SHEET
    thin = Side(style="thin", color="FF000000")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    ws["A1"] = "2024年农业生产情况表"
    ws["A1"].font = Font(name="黑体", size=16, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.merge_cells("A1:E1")
    ws["A2"], ws["B2"], ws["D2"] = "村名", "粮食", "油料"
    ws["B3"], ws["C3"], ws["D3"], ws["E3"] = "面积（亩）", "产量（吨）", "面积（亩）", "产量（吨）"
    ws.merge_cells("A2:A3")
    ws.merge_cells("B2:C2")
    ws.merge_cells("D2:E2")
    header_fill = PatternFill(fill_type="solid", fgColor="FFDDEBF7")
    for row in ws.iter_rows(min_row=2, max_row=3, max_col=5):
        for c in row:
            c.border, c.fill = box, header_fill
            c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for i in range(villages):
        r = 4 + i
        ws.cell(row=r, column=1, value=f"第{i + 1}村")
        for col in range(1, 6):
            c = ws.cell(row=r, column=col)
            c.border, c.font = box, Font(name="宋体", size=10)
            if col > 1:
                c.number_format = "#,##0.00"
    total = 4 + villages
    ws.cell(row=total, column=1, value="合计").border = box
    ws.cell(row=total, column=2, value=f"=SUM(B4:B{total - 1})").border = box
    ws.column_dimensions["A"].width = 18.5
    ws.column_dimensions["B"].width = 11
    ws.row_dimensions[1].height = 30
    ws.row_dimensions[4].height = 20
    ws.freeze_panes = "B4"
    ws.print_area = "A1:E10"
    ws.page_setup.orientation = "landscape"
    dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0")
    dv.add("B4:E20")
    ws.add_data_validation(dv)
    other = wb.create_sheet("填表说明")
    other["A1"] = "本表由乡镇统计站填报"
    other["A1"].font = Font(italic=True, color="FFFF0000")
    other.column_dimensions["A"].width = 40
    wb.save(path)
    return path


@pytest.fixture
def template(tmp_path: Path) -> Path:
    return make_template(tmp_path / "form.xlsx")


def test_values_land_in_cells_and_layout_is_unchanged(template: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.xlsx"
    writes = [
        CellWrite(SHEET, "B4", 1200),
        CellWrite(SHEET, "C4", 3.5),
        CellWrite(SHEET, "D5", Decimal("12.25")),
        CellWrite(SHEET, "E6", None),
        CellWrite(SHEET, "A4", "城关村"),
    ]
    report = write_filled_report(template, out, writes, src_format="xlsx")
    assert report.path == out
    assert report.written == len(writes)
    assert report.skipped == []
    ws = openpyxl.load_workbook(out)[SHEET]
    assert ws["B4"].value == 1200
    assert ws["C4"].value == pytest.approx(3.5)
    assert ws["D5"].value == pytest.approx(12.25)
    assert ws["D5"].data_type == "n"
    assert ws["A4"].value == "城关村"
    assert ws["E6"].value is None
    assert layout_signature(out) == layout_signature(template)


def test_signature_notices_a_changed_style(template: Path, tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(template)
    wb[SHEET]["B4"].font = Font(name="Arial", size=20)
    wb[SHEET].column_dimensions["B"].width = 30
    changed = tmp_path / "changed.xlsx"
    wb.save(changed)
    before, after = layout_signature(template), layout_signature(changed)
    assert before[SHEET]["styles"]["B4"] != after[SHEET]["styles"]["B4"]
    assert before[SHEET]["col_widths"]["B"] != after[SHEET]["col_widths"]["B"]


def test_formula_cell_is_skipped_and_kept(template: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.xlsx"
    report = write_filled_report(
        template, out, [CellWrite(SHEET, "B7", 99), CellWrite(SHEET, "C7", 5)], src_format="xlsx"
    )
    assert report.written == 1
    assert [(w.cell, reason) for w, reason in report.skipped] == [("B7", SKIP_FORMULA)]
    ws = openpyxl.load_workbook(out)[SHEET]
    assert ws["B7"].value == "=SUM(B4:B6)"
    assert ws["C7"].value == 5


def test_merged_non_anchor_cell_is_written_at_anchor(template: Path, tmp_path: Path) -> None:
    out = write_filled(template, tmp_path / "out.xlsx", [CellWrite(SHEET, "C1", "新标题")],
                       src_format="xlsx")  # fmt: skip
    ws = openpyxl.load_workbook(out)[SHEET]
    assert ws["A1"].value == "新标题"
    assert "A1:E1" in {str(r) for r in ws.merged_cells.ranges}


def test_text_starting_with_equals_is_stored_as_text(template: Path, tmp_path: Path) -> None:
    out = write_filled(template, tmp_path / "o.xlsx", [CellWrite(SHEET, "A5", "=1+1")],
                       src_format="xlsx")  # fmt: skip
    cell = openpyxl.load_workbook(out)[SHEET]["A5"]
    assert cell.value == "=1+1"
    assert cell.data_type == "s"


def test_rows_below_template_copy_the_last_row_style(template: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.xlsx"
    write_filled(template, out, [CellWrite(SHEET, "B9", 7), CellWrite(SHEET, "A10", "新村")],
                 src_format="xlsx")  # fmt: skip
    ws = openpyxl.load_workbook(out)[SHEET]
    last = ws["B7"]  # the template's last row (the total row)
    assert ws["B9"].value == 7
    assert ws["B9"].border.left.style == last.border.left.style == "thin"
    assert ws["A10"].value == "新村"
    assert ws["A10"].border.bottom.style == "thin"
    assert not ws["C9"].has_style  # nothing to copy from C7, nothing invented


def test_other_sheet_and_print_settings_untouched(template: Path, tmp_path: Path) -> None:
    out = write_filled(template, tmp_path / "o.xlsx", [CellWrite(SHEET, "B4", 1)],
                       src_format="xlsx")  # fmt: skip
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == [SHEET, "填表说明"]
    assert wb["填表说明"]["A1"].value == "本表由乡镇统计站填报"
    assert wb[SHEET].page_setup.orientation == "landscape"
    assert len(wb[SHEET].data_validations.dataValidation) == 1


def test_unknown_sheet_and_bad_address_raise_chinese_errors(template: Path, tmp_path: Path) -> None:
    out = tmp_path / "o.xlsx"
    with pytest.raises(WriteError, match="工作表不存在"):
        write_filled(template, out, [CellWrite("没有这张表", "A1", 1)], src_format="xlsx")
    with pytest.raises(SheetError, match="单元格地址无效：XYZ"):
        write_filled(template, out, [CellWrite(SHEET, "XYZ", 1)], src_format="xlsx")
    assert not out.exists()
    assert list(tmp_path.glob(".qz-*")) == []


def test_sheet_none_requires_a_single_sheet(template: Path, tmp_path: Path) -> None:
    with pytest.raises(WriteError, match="未指定工作表"):
        write_filled(template, tmp_path / "o.xlsx", [CellWrite(None, "A1", 1)], src_format="xlsx")


def test_not_finite_number_is_skipped(template: Path, tmp_path: Path) -> None:
    report = write_filled_report(
        template, tmp_path / "o.xlsx", [CellWrite(SHEET, "B4", float("nan"))], src_format="xlsx"
    )
    assert report.written == 0
    assert len(report.skipped) == 1


def test_unsupported_format_is_refused(template: Path, tmp_path: Path) -> None:
    with pytest.raises(WriteError, match="不支持的文件格式"):
        write_filled(template, tmp_path / "o.pdf", [], src_format="pdf")


def test_thirty_villages_forty_fields(tmp_path: Path) -> None:
    src = make_template(tmp_path / "big.xlsx", villages=30)
    writes = [
        CellWrite(SHEET, f"{openpyxl.utils.get_column_letter(col)}{row}", row * 100 + col)
        for row in range(4, 34)
        for col in range(2, 42)
    ]
    report = write_filled_report(src, tmp_path / "big_out.xlsx", writes, src_format="xlsx")
    assert report.written == 1200
    ws = openpyxl.load_workbook(report.path)[SHEET]
    assert ws["AO33"].value == 33 * 100 + 41
    assert ws["B4"].value == 402


def test_filled_file_gets_the_umask_mode_not_a_private_temp_mode(
    template: Path, tmp_path: Path
) -> None:
    """A colleague or a Samba share must be able to open a filled form (was 0600)."""
    import os

    old = os.umask(0o022)
    try:
        out = write_filled_report(
            template, tmp_path / "out.xlsx", [CellWrite(SHEET, "B4", 1)], src_format="xlsx"
        ).path
    finally:
        os.umask(old)
    assert out.stat().st_mode & 0o777 == 0o644
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".qz-")] == []
