"""Values for several cells of one merged blank block must all land (the block is split)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from openpyxl.styles import Border, Side

from qingzhuang.sheets.writer import CellWrite, write_filled


def test_merged_value_column_is_split_so_every_value_lands(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws["A1"], ws["B1"] = "指标名称", "数量"
    for r, name in enumerate(["户籍人口", "常住人口", "低保户数"], start=2):
        ws.cell(row=r, column=1, value=name)
    thin = Side(style="thin")
    ws["B2"].border = Border(left=thin, right=thin, top=thin, bottom=thin)
    ws.merge_cells("B2:B4")
    src = tmp_path / "t.xlsx"
    wb.save(src)
    out = write_filled(
        src,
        tmp_path / "o.xlsx",
        [CellWrite(None, "B2", 100), CellWrite(None, "B3", 90), CellWrite(None, "B4", 7)],
        src_format="xlsx",
    )
    got = openpyxl.load_workbook(out).active
    assert got is not None
    assert [got["B2"].value, got["B3"].value, got["B4"].value] == [100, 90, 7]
    assert got["B3"].border.left.style == "thin"
    assert not got.merged_cells.ranges


def test_single_write_into_merged_range_still_goes_to_anchor(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.merge_cells("B2:C2")
    src = tmp_path / "t.xlsx"
    wb.save(src)
    out = write_filled(src, tmp_path / "o.xlsx", [CellWrite(None, "C2", 5)], src_format="xlsx")
    got = openpyxl.load_workbook(out).active
    assert got is not None
    assert got["B2"].value == 5
    assert len(got.merged_cells.ranges) == 1
