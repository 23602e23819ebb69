"""CSV templates: row 1 is the header, each column a field named by its header cell."""

from __future__ import annotations

from pathlib import Path

from .errors import EmptyFile
from .grid import a1, clean, squash
from .headers import is_dash, split_unit
from .model import DataRow, ParsedField, ParsedSheet
from .parse_csv import iter_rows

_TOTAL_WORDS = ("合计", "小计", "总计")


def parse_csv_sheet(path: Path, display: str) -> ParsedSheet:
    rows = iter_rows(path, display)
    header: list[str] = []
    for row in rows:
        if any(cell.strip() for cell in row):
            header = row
            break
    if not header:
        raise EmptyFile(file=display)
    sheet = ParsedSheet(name=None, orientation="columns", header_rows=(1, 1), label_col=1)
    for c, raw in enumerate(header, start=1):
        text = clean(raw)
        if not text:
            continue
        label, unit = split_unit(text)
        if squash(label) in {"序号", "序"}:
            continue
        if c == 1:
            sheet.title = sheet.title or ""
        sheet.fields.append(
            ParsedField(
                cell=a1(1, c), path=[label or text], label=label or text, unit=unit, row=1, col=c
            )
        )
    if sheet.fields and sheet.fields[0].col == 1:
        sheet.fields.pop(0)  # the first column names the row (村名/单位名称), it is not asked for
    for r, row in enumerate(rows, start=2):
        label = clean(row[0]) if row else ""
        empty = not any(cell.strip() and not is_dash(cell) for cell in row[1:])
        if not label and empty:
            continue
        sheet.data_rows.append(
            DataRow(r, label, any(w in squash(label) for w in _TOTAL_WORDS), empty)
        )
    return sheet
