"""Hidden worksheets (lookup lists, scratch work) are no part of the form: not parsed, not read."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from qingzhuang.sheets import EmptyFile, parse_file
from qingzhuang.sheets.parse import read_grids
from qingzhuang.sheets.writer import CellWrite, write_filled_report

from .builders import xls_workbook

VISIBLE = [("村名", "户籍人口（人）"), ("东村", None), ("西村", None)]
SECRET = [("村名", "秘密数"), ("东村", 5), ("西村", 6)]
SCRATCH = [("单位名称", "草稿数"), ("东村", 7)]


def _xlsx(path: Path) -> Path:
    wb = openpyxl.Workbook()
    sheets = [("表1", "visible", VISIBLE), ("隐藏表", "hidden", SECRET)]
    sheets.append(("草稿", "veryHidden", SCRATCH))
    for i, (name, state, rows) in enumerate(sheets):
        ws = wb.active if i == 0 else wb.create_sheet(name)
        ws.title = name
        ws.sheet_state = state
        for row in rows:
            ws.append(list(row))
    wb.save(path)
    return path


def _xls(path: Path) -> Path:
    return xls_workbook(path, [("表1", 0, VISIBLE), ("隐藏表", 1, SECRET), ("草稿", 2, SCRATCH)])


def test_hidden_xlsx_sheets_are_not_parsed_and_are_named_in_the_result(tmp_path: Path) -> None:
    wb = parse_file(_xlsx(tmp_path / "multi.xlsx"))
    assert [s.name for s in wb.sheets] == ["表1"]
    assert [f.label for s in wb.sheets for f in s.fields] == ["户籍人口"]
    assert wb.hidden_sheets == ["隐藏表", "草稿"]
    assert wb.to_json()["hidden_sheets"] == ["隐藏表", "草稿"]


def test_hidden_xls_sheets_are_not_parsed(tmp_path: Path) -> None:
    wb = parse_file(_xls(tmp_path / "multi.xls"))
    assert wb.format == "xls"
    assert [s.name for s in wb.sheets] == ["表1"]
    assert wb.hidden_sheets == ["隐藏表", "草稿"]


def test_cell_grids_leave_hidden_sheets_out(tmp_path: Path) -> None:
    xlsx, xls = _xlsx(tmp_path / "a.xlsx"), _xls(tmp_path / "a.xls")
    assert [g.name for g in read_grids("xlsx", xlsx, "a.xlsx")] == ["表1"]
    assert [g.name for g in read_grids("xls", xls, "a.xls")] == ["表1"]


def test_a_workbook_without_hidden_sheets_keeps_the_json_contract(tmp_path: Path) -> None:
    path = tmp_path / "plain.xlsx"
    wb = openpyxl.Workbook()
    for row in VISIBLE:
        wb.active.append(list(row))
    wb.save(path)
    assert set(parse_file(path).to_json()) == {"file", "title", "issuer", "sheets"}


def test_fill_keeps_hidden_sheets_untouched(tmp_path: Path) -> None:
    writes = [CellWrite("表1", "B2", 12)]
    for src, out in [
        (_xlsx(tmp_path / "a.xlsx"), "a_out.xlsx"),
        (_xls(tmp_path / "b.xls"), "b_out.xlsx"),
    ]:
        fmt = src.suffix.lstrip(".")
        write_filled_report(src, tmp_path / out, writes, src_format=fmt)
        wb = openpyxl.load_workbook(tmp_path / out)
        assert [(ws.title, ws.sheet_state) for ws in wb.worksheets] == [
            ("表1", "visible"),
            ("隐藏表", "hidden"),
            ("草稿", "veryHidden"),
        ]
        assert wb["表1"]["B2"].value == 12
        assert [[c.value for c in row] for row in wb["隐藏表"].iter_rows()] == [
            list(r) for r in SECRET
        ]


def test_a_workbook_with_only_hidden_tables_says_so(tmp_path: Path) -> None:
    path = tmp_path / "only_hidden.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "封面"
    secret = wb.create_sheet("隐藏表")
    for row in SECRET:
        secret.append(list(row))
    secret.sheet_state = "hidden"
    wb.save(path)
    with pytest.raises(EmptyFile, match="隐藏表"):
        parse_file(path)
