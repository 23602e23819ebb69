"""Write values into an openpyxl workbook without disturbing its layout.

Shared by .xlsx filling and by .xls filling (after conversion), so both follow the same
rules: merged cells are written at their anchor, formulas are never overwritten, numbers
stay numbers, and rows added below the template borrow the style of its last row.
"""

from __future__ import annotations

from collections.abc import Sequence
from copy import copy
from decimal import Decimal
from pathlib import Path

import openpyxl
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula
from openpyxl.worksheet.worksheet import Worksheet

from qingzhuang.i18n import gettext as _
from qingzhuang.sheets.writer import (
    SKIP_FORMULA,
    SKIP_NOT_FINITE,
    SKIP_TOO_LONG,
    CellValue,
    CellWrite,
    WriteError,
    is_finite_number,
    parse_a1,
)

_MAX_TEXT = 32_767  # Excel's limit for a cell's text


class _SheetState:
    """Per-sheet facts captured once, before any write changes them."""

    def __init__(self, ws: Worksheet) -> None:
        self.ws = ws
        self.max_row = ws.max_row
        self.merged = [(r.min_row, r.min_col, r.max_row, r.max_col) for r in ws.merged_cells.ranges]
        self.styled_new_rows: set[int] = set()

    def anchor(self, row: int, col: int) -> tuple[int, int]:
        for r1, c1, r2, c2 in self.merged:
            if r1 <= row <= r2 and c1 <= col <= c2:
                return r1, c1
        return row, col

    def containing(self, row: int, col: int) -> tuple[int, int, int, int] | None:
        for rng in self.merged:
            r1, c1, r2, c2 = rng
            if r1 <= row <= r2 and c1 <= col <= c2:
                return rng
        return None

    def split(self, rng: tuple[int, int, int, int]) -> None:
        """Unmerge a blank block that several values must go into (e.g. a merged value column).

        Every cell of the block takes the anchor's style, so borders and fonts stay as printed.
        """
        r1, c1, r2, c2 = rng
        self.ws.unmerge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)
        anchor = self.ws.cell(row=r1, column=c1)
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                if (r, c) != (r1, c1):
                    self.ws.cell(row=r, column=c)._style = copy(anchor._style)
        self.merged.remove(rng)


def fill_xlsx(
    src: Path, out: Path, writes: Sequence[CellWrite]
) -> tuple[int, list[tuple[CellWrite, str]]]:
    """Open ``src`` (full mode, rich text kept), apply ``writes``, save to ``out``."""
    try:
        wb = openpyxl.load_workbook(src, rich_text=True)
    except Exception as exc:  # openpyxl raises many unrelated types for broken files
        raise WriteError(_("无法打开Excel文件：%(file)s") % {"file": src.name}) from exc
    result = apply_writes(wb, writes)
    wb.save(out)
    return result


def apply_writes(
    wb: Workbook, writes: Sequence[CellWrite]
) -> tuple[int, list[tuple[CellWrite, str]]]:
    """Apply writes in memory; return (written, skipped-with-reason)."""
    states: dict[str, _SheetState] = {}
    written = 0
    skipped: list[tuple[CellWrite, str]] = []
    _split_shared_merges(wb, writes, states)
    for w in writes:
        state = _state_for(wb, w, states)
        row, col = state.anchor(*parse_a1(w.cell))
        ws = state.ws
        cell = ws.cell(row=row, column=col)
        if _is_formula(cell):
            skipped.append((w, SKIP_FORMULA))
            continue
        reason = _check_value(w.value)
        if reason:
            skipped.append((w, reason))
            continue
        if row > state.max_row:
            _style_new_row(state, cell)
        _set_value(cell, w.value)
        written += 1
    return written, skipped


def _split_shared_merges(
    wb: Workbook, writes: Sequence[CellWrite], states: dict[str, _SheetState]
) -> None:
    """A merged range that receives values for two or more of its cells is split first;
    otherwise every value would land in the anchor and all but the last would be lost."""
    targets: dict[tuple[str, tuple[int, int, int, int]], set[tuple[int, int]]] = {}
    for w in writes:
        state = _state_for(wb, w, states)
        row, col = parse_a1(w.cell)
        rng = state.containing(row, col)
        if rng is not None:
            targets.setdefault((state.ws.title, rng), set()).add((row, col))
    for (title, rng), cells in targets.items():
        if len(cells) > 1:
            states[title].split(rng)


def _state_for(wb: Workbook, w: CellWrite, states: dict[str, _SheetState]) -> _SheetState:
    name = w.sheet
    if name is None:
        if len(wb.worksheets) != 1:
            raise WriteError(_("未指定工作表：%(cell)s") % {"cell": w.cell})
        name = wb.worksheets[0].title
    state = states.get(name)
    if state is None:
        if name not in wb.sheetnames or not isinstance(wb[name], Worksheet):
            raise WriteError(_("工作表不存在：%(sheet)s") % {"sheet": name})
        state = states[name] = _SheetState(wb[name])
    return state


def _is_formula(cell: Cell) -> bool:
    return cell.data_type == "f" or isinstance(cell.value, ArrayFormula | DataTableFormula)


def _check_value(value: CellValue) -> str | None:
    if not is_finite_number(value):
        return SKIP_NOT_FINITE
    if isinstance(value, str) and len(value) > _MAX_TEXT:
        return SKIP_TOO_LONG
    return None


def _set_value(cell: Cell, value: CellValue) -> None:
    if isinstance(value, Decimal):
        cell.value = float(value)
    elif isinstance(value, str):
        cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if cell.data_type == "f":
            # openpyxl takes "=..." as a formula; a filled value is always plain text.
            cell.data_type = "s"
    else:
        cell.value = value


def _style_new_row(state: _SheetState, cell: Cell) -> None:
    """Make a cell in a row added below the template look like the template's last row."""
    ws, tpl_row = state.ws, state.max_row
    if tpl_row < 1:
        return
    if not cell.has_style:
        above = ws._cells.get((tpl_row, cell.column))
        if above is not None and above.has_style:
            cell._style = copy(above._style)
    if cell.row not in state.styled_new_rows:
        state.styled_new_rows.add(cell.row)
        height = ws.row_dimensions[tpl_row].height if tpl_row in ws.row_dimensions else None
        dim = ws.row_dimensions[cell.row]
        if height is not None and dim.height is None:
            dim.height = height
