"""Thin adapter over the sheets engine: the text of every cell of a filled form.

The engine exposes field positions but not cell values, which harvest needs; its format
readers are reused here so that xlsx, xls, csv and docx are read exactly as parsing reads them.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

from qingzhuang.datastore.numbers import in_unit, read_number
from qingzhuang.sheets.grid import Grid, a1


def read_grids(path: Path, fmt: str, display: str) -> dict[str, Grid]:
    """Grids by sheet key: the sheet name (xlsx/xls), "" for csv, "T<n>" for docx tables."""
    if fmt == "csv":
        from qingzhuang.sheets.parse_csv import iter_rows

        cells: dict[tuple[int, int], str] = {}
        nrows = ncols = 0
        for r, row in enumerate(iter_rows(path, display), start=1):
            nrows = r
            ncols = max(ncols, len(row))
            for c, text in enumerate(row, start=1):
                if text.strip():
                    cells[(r, c)] = text
        return {"": Grid(None, cells, nrows, ncols, cell_name=a1)}
    from qingzhuang.sheets.parse import read_grids as read_sheet_grids

    grids = read_sheet_grids(fmt, path, display)  # type: ignore[arg-type]
    if fmt == "docx":
        return {f"T{i}": g for i, g in enumerate(grids, start=1)}
    return {str(g.name): g for g in grids}


def sheet_key(fmt: str, sheet_name: str | None, cell: str) -> str:
    if fmt == "csv":
        return ""
    if fmt == "docx":
        m = re.match(r"^(T\d+)R", cell)
        return m.group(1) if m else "T1"
    return sheet_name or ""


def to_number(text: str, unit: str = "") -> Decimal | None:
    """A cell's number in ``unit`` when it plainly is one; None for blanks and for anything
    harvest has to look at before storing (words, a unit that does not convert). Reads through
    ``numbers.read_number``, the same reader as data entry; harvest stores through
    ``services.written_number``, which says why a cell is refused."""
    written = read_number(text, exponent=True)
    try:
        return in_unit(written, unit)
    except ValueError:
        return None


def is_blank(text: str) -> bool:
    """Nothing in the cell that harvest must store or report (empty, or a dash)."""
    return read_number(text, exponent=True).blank
