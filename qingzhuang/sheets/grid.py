"""A format-neutral view of one table: text per cell, merged ranges, indentation.

Every reader (xlsx, xls, csv, docx) produces ``Grid`` objects so that the layout
analysis is written once.  Rows and columns are 1-based, like Excel.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from openpyxl.utils import get_column_letter

_PRIVATE_USE = re.compile("[\ue000-\uf8ff\u200b-\u200f\ufeff]")
_SPACES = re.compile(r"[\s\u3000\xa0]+")


def clean(text: str) -> str:
    """Drop private-use glyphs, trim, and collapse whitespace runs to one space."""
    return _SPACES.sub(" ", _PRIVATE_USE.sub("", text)).strip()


def squash(text: str) -> str:
    """Remove all whitespace: for keyword tests ("指 标 名 称" is "指标名称")."""
    return _SPACES.sub("", _PRIVATE_USE.sub("", text))


def leading_width(text: str) -> int:
    """Visual indentation of a label: full-width spaces count double."""
    width = 0
    for ch in _PRIVATE_USE.sub("", text):
        if ch == "\u3000":
            width += 2
        elif ch in " \xa0\t":
            width += 1
        else:
            break
    return width


def a1(row: int, col: int) -> str:
    return f"{get_column_letter(col)}{row}"


def number_text(value: float) -> str:
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


@dataclass
class Grid:
    name: str | None
    cells: dict[tuple[int, int], str]
    nrows: int
    ncols: int
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # r1, c1, r2, c2
    indent: dict[tuple[int, int], int] = field(default_factory=dict)
    cell_name: Callable[[int, int], str] = a1
    before: list[str] = field(default_factory=list)  # text above the table (docx)
    hidden: bool = False  # a hidden worksheet: named, never read
    _anchor: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        clipped = []
        for r1, c1, r2, c2 in self.merges:
            # Hostile files declare merges like A1:XFD1048576; only the used area matters.
            r2, c2 = min(r2, self.nrows), min(c2, self.ncols)
            if r1 > r2 or c1 > c2:
                continue
            clipped.append((r1, c1, r2, c2))
            for r in range(r1, r2 + 1):
                for c in range(c1, c2 + 1):
                    if (r, c) != (r1, c1):
                        self._anchor[(r, c)] = (r1, c1)
        self.merges = clipped

    def raw(self, row: int, col: int) -> str:
        return self.cells.get((row, col), "")

    def text(self, row: int, col: int) -> str:
        return clean(self.cells.get((row, col), ""))

    def anchor(self, row: int, col: int) -> tuple[int, int]:
        """Top-left cell of the merged range covering (row, col), else the cell itself."""
        return self._anchor.get((row, col), (row, col))

    def covered_text(self, row: int, col: int) -> str:
        r, c = self.anchor(row, col)
        return self.text(r, c)

    def width(self, row: int, col: int) -> int:
        return leading_width(self.raw(row, col)) + 2 * self.indent.get((row, col), 0)

    def row_texts(self, row: int) -> list[tuple[int, str]]:
        out = []
        for c in range(1, self.ncols + 1):
            t = self.text(row, c)
            if t:
                out.append((c, t))
        return out
