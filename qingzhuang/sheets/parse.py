"""Entry point of the template parser: ``parse_file``.

Why it exists: every capability (matching, harvest, fill, the burden ledger) starts from
"which data items does this form ask for"; this turns an uploaded file into that list,
whatever the format, and refuses hostile or broken files with a plain-Chinese error
instead of crashing or hanging the worker.
"""

from __future__ import annotations

import collections
from pathlib import Path

from qingzhuang.i18n import gettext as _

from .errors import CorruptFile, EmptyFile, SheetError
from .grid import Grid
from .model import ParsedField, ParsedSheet, ParsedWorkbook
from .parse_tables import analyse_grid
from .safety import OFFICE_SUFFIXES, Format, sniff, unreadable


def parse_file(path: str | Path, *, display_name: str | None = None) -> ParsedWorkbook:
    """Parse a report template (.xlsx/.xls/.csv/.docx, sniffed by content).

    Returns one ParsedSheet per visible sheet or table that contains fields; hidden and
    very hidden worksheets (lookup lists, scratch work) are only named in
    ``hidden_sheets``.  Raises a
    :class:`SheetError` subclass (with ``.message`` in Chinese) for anything unreadable.
    """
    p = Path(path)
    display = display_name or p.name
    fmt = sniff(p, display)
    hidden: list[str] = []
    try:
        if fmt == "csv":
            from .parse_csv_sheet import parse_csv_sheet

            sheets = [parse_csv_sheet(p, display)]
        else:
            grids = _read_grids(fmt, p, display)
            hidden = [str(g.name) for g in grids if g.hidden]
            sheets = [s for s in (analyse_grid(g) for g in grids if not g.hidden) if s.fields]
    except SheetError:
        raise
    except (MemoryError, RecursionError) as exc:
        raise CorruptFile(_("文件结构异常，无法读取"), file=display) from exc
    except Exception as exc:  # noqa: BLE001 - any library failure is a broken upload
        raise CorruptFile(file=display) from exc
    if not sheets or not any(s.fields for s in sheets):
        if fmt == "csv" and Path(display).suffix.lower() in OFFICE_SUFFIXES:
            # Plain text named like an Office file. Text exports named .xls are read as CSV
            # when they hold a table; one that holds none is most likely renamed.
            raise unreadable(display)
        if hidden:
            raise EmptyFile(
                _(
                    "文件中可见的工作表里没有找到可识别的表格或表头（隐藏的工作表不读取：%(sheets)s）"
                )
                % {"sheets": "、".join(hidden)},
                file=display,
            )
        raise EmptyFile(_("文件中没有找到可识别的表格或表头"), file=display)
    return ParsedWorkbook(
        file=str(path),
        title=_workbook_title(sheets, display),
        issuer=_most_common([s.issuer for s in sheets]),
        format=fmt,
        sheets=sheets,
        hidden_sheets=hidden,
    )


def read_grids(fmt: Format, path: Path, display: str) -> list[Grid]:
    """The raw cell grids of a workbook or Word file (harvest reads values from them).

    Hidden worksheets are left out, as parsing leaves them out: they are no part of the form.
    """
    return [g for g in _read_grids(fmt, path, display) if not g.hidden]


def _read_grids(fmt: Format, path: Path, display: str) -> list[Grid]:
    if fmt == "xlsx":
        from .parse_xlsx import read_xlsx

        return read_xlsx(path, display)
    if fmt == "xls":
        from .parse_xls import read_xls

        return read_xls(path, display)
    from .parse_docx import read_docx

    return read_docx(path, display)


def _workbook_title(sheets: list[ParsedSheet], display: str) -> str:
    titles = [s.title for s in sheets if s.title]
    if len(sheets) == 1 and titles:
        return titles[0]
    return Path(display).stem


def _most_common(values: list[str]) -> str:
    counted = collections.Counter(v for v in values if v)
    return counted.most_common(1)[0][0] if counted else ""


__all__ = ["ParsedField", "parse_file"]
