"""Filling Word tables: logical-grid addresses, merges respected, formatting kept."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import docx
import pytest
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

from qingzhuang.sheets.layout import layout_signature
from qingzhuang.sheets.writer import (
    SKIP_NO_DOCX_CELL,
    CellWrite,
    WriteError,
    write_filled,
    write_filled_report,
)


def make_docx(path: Path) -> Path:
    """Header row with a horizontal merge, first column with a vertical merge, styled cells.

    Grid (4 columns):   R1: 村名 | 人口（merged C2:C3） | 备注
                        R2: 城关（merged R2:R3） | 0 | (empty, bold mark) | x
                        R3: (continuation)       |   |                    |
                        R4: 合计 | ...
    """
    d = docx.Document()
    d.add_paragraph("附表：2024年人口情况")
    t = d.add_table(rows=4, cols=4)
    t.style = "Table Grid"
    t.cell(0, 0).text = "村名"
    t.cell(0, 3).text = "备注"
    merged = t.cell(0, 1).merge(t.cell(0, 2))
    merged.text = "人口"
    top = t.cell(1, 0).merge(t.cell(2, 0))
    top.text = "城关"
    t.cell(3, 0).text = "合计"
    run = t.cell(1, 1).paragraphs[0].add_run("0")
    run.bold, run.font.size, run.font.name = True, Pt(10), "宋体"
    mark = t.cell(1, 2).paragraphs[0]._p.get_or_add_pPr()
    rpr = OxmlElement("w:rPr")
    rpr.append(OxmlElement("w:i"))
    mark.append(rpr)
    shade = OxmlElement("w:shd")
    shade.set(qn("w:val"), "clear")
    shade.set(qn("w:fill"), "DDEBF7")
    t.cell(3, 1)._tc.get_or_add_tcPr().append(shade)
    d.save(str(path))
    return path


@pytest.fixture
def form(tmp_path: Path) -> Path:
    return make_docx(tmp_path / "form.docx")


def test_values_land_and_formatting_is_kept(form: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.docx"
    writes = [
        CellWrite(None, "T1R2C2", 1234),
        CellWrite(None, "T1R2C3", Decimal("56.70")),
        CellWrite(None, "T1R4C2", 0.25),
    ]
    report = write_filled_report(form, out, writes, src_format="docx")
    assert report.written == 3
    t = docx.Document(str(out)).tables[0]
    assert t.cell(1, 1).text == "1234"
    assert t.cell(1, 2).text == "56.7"
    assert t.cell(3, 1).text == "0.25"
    run = t.cell(1, 1).paragraphs[0].runs[0]
    assert run.bold is True
    assert run.font.size == Pt(10)
    assert t.cell(1, 2).paragraphs[0].runs[0].italic is True  # from the paragraph mark
    assert layout_signature(out) == layout_signature(form)


def test_horizontal_merge_is_addressed_on_the_grid(form: Path, tmp_path: Path) -> None:
    out = write_filled(form, tmp_path / "o.docx", [CellWrite(None, "T1R1C3", "常住人口")],
                       src_format="docx")  # fmt: skip
    t = docx.Document(str(out)).tables[0]
    assert t.cell(0, 1).text == "常住人口"
    assert t.cell(0, 3).text == "备注"
    assert len(t.rows[0].cells) == 4  # merged cell still spans two grid columns
    assert t.rows[0]._tr.tc_lst[1].grid_span == 2


def test_vertical_merge_is_written_at_the_top_cell(form: Path, tmp_path: Path) -> None:
    out = write_filled(form, tmp_path / "o.docx", [CellWrite(None, "T1R3C1", "城关村")],
                       src_format="docx")  # fmt: skip
    t = docx.Document(str(out)).tables[0]
    top_tc = t.rows[1]._tr.tc_lst[0]
    assert top_tc.vMerge == "restart"
    assert "".join(el.text or "" for el in top_tc.iter(qn("w:t"))) == "城关村"
    assert t.rows[2]._tr.tc_lst[0].vMerge == "continue"


def test_rows_past_the_end_are_added_like_the_last_row(form: Path, tmp_path: Path) -> None:
    out = write_filled(form, tmp_path / "o.docx", [CellWrite(None, "T1R6C1", "新村")],
                       src_format="docx")  # fmt: skip
    t = docx.Document(str(out)).tables[0]
    assert len(t.rows) == 6
    assert t.cell(5, 0).text == "新村"
    assert t.cell(4, 0).text == ""
    assert t.cell(3, 0).text == "合计"
    shd = t.rows[5]._tr.tc_lst[1].tcPr.find(qn("w:shd"))
    assert shd is not None and shd.get(qn("w:fill")) == "DDEBF7"


def test_missing_table_raises_and_missing_column_is_skipped(form: Path, tmp_path: Path) -> None:
    with pytest.raises(WriteError, match="没有第2个表格"):
        write_filled(form, tmp_path / "o.docx", [CellWrite(None, "T2R1C1", 1)], src_format="docx")
    report = write_filled_report(form, tmp_path / "o.docx", [CellWrite(None, "T1R1C9", 1)],
                                 src_format="docx")  # fmt: skip
    assert [r for _, r in report.skipped] == [SKIP_NO_DOCX_CELL]


def test_spreadsheet_address_is_rejected_for_docx(form: Path, tmp_path: Path) -> None:
    with pytest.raises(WriteError, match="单元格地址无效"):
        write_filled(form, tmp_path / "o.docx", [CellWrite(None, "B2", 1)], src_format="docx")
