"""Reader for Word .docx tables, resolving gridSpan (horizontal) and vMerge (vertical).

Each table becomes one Grid named ``None``; its cells are addressed ``T<t>R<r>C<c>``.
The paragraphs just above a table are kept for the title and the issuer.
"""

from __future__ import annotations

import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .errors import CorruptFile
from .grid import Grid, clean
from .safety import check_grid_size

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _namer(table_no: int) -> Callable[[int, int], str]:
    def name(row: int, col: int) -> str:
        return f"T{table_no}R{row}C{col}"

    return name


def read_docx(path: Path, display: str) -> list[Grid]:
    import docx

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            document = docx.Document(str(path))
        except (KeyError, ValueError, zipfile.BadZipFile) as exc:
            raise CorruptFile(file=display) from exc
    grids: list[Grid] = []
    pending: list[str] = []
    for child in document.element.body.iterchildren():
        if child.tag == f"{_W}p":
            text = clean("".join(t.text or "" for t in child.iter(f"{_W}t")))
            if text:
                pending.append(text)
        elif child.tag == f"{_W}tbl":
            grid = _table_grid(child, len(grids) + 1, display)
            grid.before = pending[-6:]
            pending = []
            grids.append(grid)
    return grids


def _cell_text(tc: Any) -> str:
    paras = []
    for p in tc.iter(f"{_W}p"):
        paras.append("".join(t.text or "" for t in p.iter(f"{_W}t")))
    return "\n".join(x for x in paras if x.strip())


def _table_grid(tbl: Any, table_no: int, display: str) -> Grid:
    cells: dict[tuple[int, int], str] = {}
    ranges: dict[tuple[int, int], list[int]] = {}  # anchor -> [r1, c1, r2, c2]
    open_at: dict[int, tuple[int, int]] = {}  # grid column -> anchor that a vMerge may extend
    nrows = ncols = 0
    for r, tr in enumerate(tbl.iterchildren(f"{_W}tr"), start=1):
        nrows = r
        col = 1
        for tc in tr.iterchildren(f"{_W}tc"):
            span, vmerge = _props(tc)
            if vmerge == "continue" and col in open_at:
                ranges[open_at[col]][2] = r
            else:
                text = _cell_text(tc)
                if text.strip():
                    cells[(r, col)] = text
                ranges[(r, col)] = [r, col, r, col + span - 1]
                for c in range(col, col + span):
                    open_at.pop(c, None)
                open_at[col] = (r, col)
            col += span
        ncols = max(ncols, col - 1)
        check_grid_size(nrows, ncols, display, None)
    merges = [(r1, c1, r2, c2) for r1, c1, r2, c2 in ranges.values() if r2 > r1 or c2 > c1]
    return Grid(None, cells, nrows, ncols, merges, cell_name=_namer(table_no))


def _props(tc: Any) -> tuple[int, str | None]:
    tcpr = tc.find(f"{_W}tcPr")
    span, vmerge = 1, None
    if tcpr is not None:
        gs = tcpr.find(f"{_W}gridSpan")
        if gs is not None:
            try:
                span = max(1, min(int(gs.get(f"{_W}val", "1")), 500))
            except ValueError:
                span = 1
        vm = tcpr.find(f"{_W}vMerge")
        if vm is not None:
            vmerge = vm.get(f"{_W}val", "continue")
    return span, vmerge
