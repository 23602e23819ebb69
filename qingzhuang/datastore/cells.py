"""Thin adapter over the sheets engine: the text of every cell of a filled form.

The engine exposes field positions but not cell values, which harvest needs; its format
readers are reused here so that xlsx, xls, csv and docx are read exactly as parsing reads them.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

from qingzhuang.sheets.grid import Grid, a1

_NUMBER_JUNK = re.compile(r"[,，\s\u3000]")


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


def to_number(text: str) -> Decimal | None:
    """A cell's text as a number; None for blanks, dashes and words."""
    t = _NUMBER_JUNK.sub("", text or "")
    if not t or set(t) <= set("-－—–/／"):
        return None
    percent = t.endswith("%")
    if percent:
        t = t[:-1]
    try:
        value = Decimal(t)
    except InvalidOperation:
        return None
    if not value.is_finite():
        return None
    return value
