"""Fill tables in a Word form, keeping fonts, merges and the look of each cell.

Word tables are addressed on their logical grid (``T1R3C2``), which is what the parser
reports: a horizontally merged cell (gridSpan) answers for every grid column it covers, a
vertically merged cell (vMerge) is written at its top cell. The text replaces the cell's
content but keeps the first run's formatting (or, in an empty cell, the formatting of the
paragraph mark), so a value looks as if it had been typed into the form.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from copy import deepcopy
from decimal import Decimal
from pathlib import Path
from typing import Any

import docx
from docx.oxml.ns import qn
from docx.oxml.table import CT_Row, CT_Tc
from docx.table import Table
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from qingzhuang.i18n import gettext
from qingzhuang.sheets.writer import (
    MAX_DOCX_NEW_ROWS,
    SKIP_NO_DOCX_CELL,
    SKIP_NOT_FINITE,
    CellValue,
    CellWrite,
    WriteError,
    format_number,
    is_finite_number,
    parse_docx_address,
)

# Paragraph-mark-only revision markers that are not valid inside a run's rPr.
_MARK_ONLY = {qn("w:ins"), qn("w:del"), qn("w:moveFrom"), qn("w:moveTo")}


def fill_docx(
    src: Path, out: Path, writes: Sequence[CellWrite]
) -> tuple[int, list[tuple[CellWrite, str]]]:
    """Open ``src`` with python-docx, write into its tables, save to ``out``."""
    try:
        document = docx.Document(str(src))
    except Exception as exc:  # python-docx raises zipfile/KeyError/lxml errors
        raise WriteError(gettext("无法打开Word文件：%(file)s") % {"file": src.name}) from exc
    tables = document.tables
    parsed = [(w, *parse_docx_address(w.cell)) for w in writes]
    needed: dict[int, int] = defaultdict(int)
    for w, t, r, _c in parsed:
        if t > len(tables):
            raise WriteError(
                gettext("文档中没有第%(table)s个表格：%(cell)s") % {"table": t, "cell": w.cell}
            )
        needed[t] = max(needed[t], r)
    for t, rows in needed.items():
        _grow(tables[t - 1], rows)
    grids = {t: _grid(tables[t - 1]) for t in needed}
    written = 0
    skipped: list[tuple[CellWrite, str]] = []
    for w, t, r, c in parsed:
        if not is_finite_number(w.value):
            skipped.append((w, SKIP_NOT_FINITE))
            continue
        tc = _cell_at(grids[t], r - 1, c - 1)
        if tc is None:
            skipped.append((w, SKIP_NO_DOCX_CELL))
            continue
        set_cell_text(tc, tables[t - 1], _text(w.value))
        written += 1
    document.save(str(out))
    return written, skipped


def _text(value: CellValue) -> str:
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal):
        return format_number(value)
    return value


def _grid(table: Table) -> list[list[CT_Tc | None]]:
    """Each row as a list indexed by grid column, holding the <w:tc> that covers it."""
    grid: list[list[CT_Tc | None]] = []
    for tr in table._tbl.tr_lst:
        line: list[CT_Tc | None] = [None] * tr.grid_before
        for tc in tr.tc_lst:
            line.extend([tc] * tc.grid_span)
        grid.append(line)
    return grid


def _cell_at(grid: list[list[CT_Tc | None]], row: int, col: int) -> CT_Tc | None:
    if row >= len(grid) or col >= len(grid[row]):
        return None
    tc = grid[row][col]
    while tc is not None and tc.vMerge == "continue" and row > 0:
        row -= 1
        above = grid[row][col] if col < len(grid[row]) else None
        if above is None:
            break
        tc = above
    return tc


def _grow(table: Table, rows: int) -> None:
    """Add rows copied from the last one (formatting kept, text and merges cleared)."""
    trs = table._tbl.tr_lst
    missing = rows - len(trs)
    if missing <= 0 or not trs:
        return
    if missing > MAX_DOCX_NEW_ROWS:
        raise WriteError(gettext("要求增加的表格行数过多（%(count)s行）") % {"count": missing})
    last: CT_Row = trs[-1]
    template = deepcopy(last)
    trPr = template.trPr
    if trPr is not None:
        for header in trPr.findall(qn("w:tblHeader")):
            trPr.remove(header)
    for tc in template.tc_lst:
        if tc.tcPr is not None:
            tc.tcPr._remove_vMerge()
        set_cell_text(tc, table, "")
    for _ in range(missing):
        new = deepcopy(template)
        last.addnext(new)
        last = new


def set_cell_text(tc: CT_Tc, parent: Any, text: str) -> None:
    """Replace a cell's text, keeping the look of its first run (or of its paragraph mark)."""
    paragraphs = tc.p_lst
    p = paragraphs[0] if paragraphs else tc.add_p()
    for extra in paragraphs[1:]:
        tc.remove(extra)
    rPr = effective_run_rpr(p)
    for child in list(p):
        if child.tag != qn("w:pPr"):
            p.remove(child)
    r = p.add_r()
    if rPr is not None:
        r.insert(0, rPr)
    Run(r, Paragraph(p, parent)).text = text
    if tc[-1].tag != qn("w:p"):  # a cell must end with a paragraph
        tc.add_p()


def effective_run_rpr(p: Any) -> Any:
    """A copy of the run properties text typed into paragraph ``p`` would get (or None)."""
    for r in p.iter(qn("w:r")):
        rPr = r.find(qn("w:rPr"))
        return deepcopy(rPr) if rPr is not None else None
    pPr = p.find(qn("w:pPr"))
    mark = pPr.find(qn("w:rPr")) if pPr is not None else None
    if mark is None:
        return None
    rPr = deepcopy(mark)
    for child in list(rPr):
        if child.tag in _MARK_ONLY:
            rPr.remove(child)
    return rPr
