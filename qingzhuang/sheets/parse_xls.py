"""Reader for legacy .xls (BIFF) workbooks via xlrd, keeping merges and indentation."""

from __future__ import annotations

import io
from pathlib import Path

import xlrd

from .errors import CorruptFile, EncryptedFile
from .grid import Grid, number_text
from .safety import check_grid_size


def read_xls(path: Path, display: str) -> list[Grid]:
    log = io.StringIO()
    try:
        book = xlrd.open_workbook(
            file_contents=path.read_bytes(), formatting_info=True, on_demand=True, logfile=log
        )
    except xlrd.XLRDError as exc:
        if "encrypt" in str(exc).lower():
            raise EncryptedFile(file=display) from exc
        raise CorruptFile(file=display) from exc
    grids: list[Grid] = []
    try:
        for index in range(book.nsheets):
            sheet = book.get_sheet(index)
            if sheet.visibility:  # 1 hidden, 2 very hidden: lookups, scratch work
                grids.append(Grid(sheet.name, {}, 0, 0, hidden=True))
            else:
                grids.append(_sheet_grid(book, sheet, display))
            book.unload_sheet(index)
    finally:
        book.release_resources()
    return grids


def _sheet_grid(book: xlrd.book.Book, sheet: xlrd.sheet.Sheet, display: str) -> Grid:
    check_grid_size(sheet.nrows, sheet.ncols, display, sheet.name)
    cells: dict[tuple[int, int], str] = {}
    indent: dict[tuple[int, int], int] = {}
    for r in range(sheet.nrows):
        for c, cell in enumerate(sheet.row(r)):
            if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
                continue
            if cell.ctype in (xlrd.XL_CELL_NUMBER, xlrd.XL_CELL_DATE):
                text = number_text(float(cell.value))
            elif cell.ctype == xlrd.XL_CELL_BOOLEAN:
                text = "TRUE" if cell.value else "FALSE"
            else:
                text = str(cell.value)
            if not text.strip():
                continue
            cells[(r + 1, c + 1)] = text
            xf = book.xf_list[sheet.cell_xf_index(r, c)]
            if xf.alignment.indent_level:
                indent[(r + 1, c + 1)] = int(xf.alignment.indent_level)
    merges = [(r1 + 1, c1 + 1, r2, c2) for r1, r2, c1, c2 in sheet.merged_cells]
    return Grid(
        name=sheet.name,
        cells=cells,
        nrows=sheet.nrows,
        ncols=sheet.ncols,
        merges=merges,
        indent=indent,
    )
