"""Reader for .xlsx via openpyxl.

Merged ranges are only exposed by openpyxl's normal (non read-only) mode, so the
workbook is loaded fully; the zip has already been checked for bombs and DTDs, and its cells
are counted by streaming before the load, which bounds the memory this takes.
"""

from __future__ import annotations

import warnings
import zipfile
from pathlib import Path

import openpyxl

from .errors import CorruptFile
from .grid import Grid, number_text
from .safety import check_grid_size, check_xlsx_cells


def read_xlsx(path: Path, display: str) -> list[Grid]:
    try:
        with zipfile.ZipFile(path) as zf:
            check_xlsx_cells(zf, display)
    except (zipfile.BadZipFile, OSError) as exc:
        raise CorruptFile(file=display) from exc
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            # A file object, so openpyxl does not judge the file by its extension.
            with path.open("rb") as fh:
                wb = openpyxl.load_workbook(fh, data_only=True, read_only=False)
        except (KeyError, ValueError, OSError, TypeError, zipfile.BadZipFile) as exc:
            raise CorruptFile(file=display) from exc
    grids: list[Grid] = []
    try:
        for ws in wb.worksheets:
            if ws.sheet_state != "visible":  # hidden and very hidden: lookups, scratch work
                grids.append(Grid(ws.title, {}, 0, 0, hidden=True))
                continue
            cells: dict[tuple[int, int], str] = {}
            indent: dict[tuple[int, int], int] = {}
            nrows = ncols = 0
            for (r, c), cell in ws._cells.items():
                value = cell.value
                if value is None:
                    continue
                if isinstance(value, bool):
                    text = "TRUE" if value else "FALSE"
                elif isinstance(value, int | float):
                    text = number_text(float(value))
                else:
                    text = str(value)
                if not text.strip():
                    continue
                cells[(r, c)] = text
                nrows, ncols = max(nrows, r), max(ncols, c)
                level = cell.alignment.indent if cell.has_style else 0
                if level:
                    indent[(r, c)] = int(level)
            merges = [(m.min_row, m.min_col, m.max_row, m.max_col) for m in ws.merged_cells.ranges]
            check_grid_size(nrows, ncols, display, ws.title)
            grids.append(Grid(ws.title, cells, nrows, ncols, merges, indent))
    finally:
        wb.close()
    return grids
