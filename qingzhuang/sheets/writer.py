"""Layout-preserving writer: put numbers into a department's own form and keep everything else.

Townships must hand back forms exactly as the county sent them down (same merges, widths,
fonts, borders), so the writer never rebuilds a document from scratch: it opens the original,
touches only the addressed cells and saves a copy. Which value goes where is decided by the
fill service; this module only writes and reports what it could not write.

Backends live in ``writer_xlsx`` (also used for converted .xls), ``writer_xls``,
``writer_csv`` and ``writer_docx``; they are imported lazily so that, for example, filling a
CSV never imports python-docx.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from qingzhuang.core.outputs import atomic_output
from qingzhuang.i18n import gettext as _
from qingzhuang.i18n import gettext_noop
from qingzhuang.sheets.errors import SheetError

CellValue = str | int | float | Decimal | None

FORMATS = frozenset({"xlsx", "xls", "csv", "docx"})

# Reasons shown to users in the coverage report.
SKIP_FORMULA = "该单元格含公式，未覆盖"
SKIP_NOT_FINITE = "数值无效（不是有限数），未写入"
SKIP_TOO_LONG = "文本过长（超过32767个字符），未写入"
SKIP_NO_DOCX_CELL = "表格该行没有这一列，未写入"

MAX_ROW = 1_048_576  # Excel's limit; also bounds how far a CSV or docx table may grow
MAX_COL = 16_384
MAX_DOCX_NEW_ROWS = 5_000

_A1_RE = re.compile(r"^\$?([A-Za-z]{1,3})\$?([1-9][0-9]{0,6})$")
_DOCX_RE = re.compile(r"^T([1-9][0-9]{0,4})R([1-9][0-9]{0,6})C([1-9][0-9]{0,3})$", re.IGNORECASE)


class WriteError(SheetError):
    """A fill could not be written at all; ``message`` is in plain words for the user."""

    default_message = gettext_noop("无法写入该文件")


@dataclass(frozen=True)
class CellWrite:
    """One value for one cell, as decided by the fill service."""

    sheet: str | None  # sheet name; None for csv/docx
    cell: str  # "C5" for spreadsheets/csv; "T1R3C2" (1-based table/row/col) for docx
    value: CellValue


@dataclass(frozen=True)
class WriteReport:
    """What a fill did: where it went, how many cells were written, what was left and why."""

    path: Path
    written: int
    skipped: list[tuple[CellWrite, str]] = field(default_factory=list)


def parse_a1(address: str) -> tuple[int, int]:
    """Return 1-based (row, column) for an A1 address, or raise WriteError."""
    m = _A1_RE.match(address.strip())
    if m is None:
        raise WriteError(_("单元格地址无效：%(address)s") % {"address": address})
    letters, digits = m.group(1).upper(), m.group(2)
    col = 0
    for ch in letters:
        col = col * 26 + (ord(ch) - 64)
    row = int(digits)
    if col > MAX_COL or row > MAX_ROW:
        raise WriteError(_("单元格地址超出表格范围：%(address)s") % {"address": address})
    return row, col


def parse_docx_address(address: str) -> tuple[int, int, int]:
    """Return 1-based (table, row, column) for a ``T1R3C2`` address, or raise WriteError."""
    m = _DOCX_RE.match(address.strip())
    if m is None:
        raise WriteError(_("单元格地址无效：%(address)s") % {"address": address})
    return int(m.group(1)), int(m.group(2)), int(m.group(3))


def is_finite_number(value: CellValue) -> bool:
    """True unless the value is a NaN or infinite float/Decimal."""
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, Decimal):
        return value.is_finite()
    return True


def format_number(value: int | float | Decimal) -> str:
    """Plain decimal text for a number (no exponent, no trailing ``.0``), for csv and docx."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    dec = value if isinstance(value, Decimal) else Decimal(repr(value))
    text = format(dec, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def write_filled_report(
    src: Path, dst: Path, writes: Iterable[CellWrite], *, src_format: str
) -> WriteReport:
    """Write ``writes`` into a copy of ``src`` at ``dst`` and report what was skipped.

    The output keeps the issuer's layout: xlsx stays xlsx, csv keeps its encoding and
    delimiter, docx keeps its tables; old .xls is converted to .xlsx (the suffix of ``dst``
    becomes .xlsx) because nothing in the stack can write .xls faithfully. The file is
    written to a temporary name and moved into place, so a failure never leaves a partial
    file behind. Invalid addresses or sheets raise WriteError; cells that must not be
    overwritten (formulas) are skipped and listed with a Chinese reason.
    """
    fmt = src_format.lower().lstrip(".")
    if fmt not in FORMATS:
        raise WriteError(_("不支持的文件格式：%(format)s") % {"format": src_format})
    src, dst = Path(src), Path(dst)
    if not src.is_file():
        raise WriteError(_("找不到文件：%(path)s") % {"path": src.name})
    if fmt == "xls":
        dst = dst.with_suffix(".xlsx")
    todo = list(writes)
    for w in todo:
        if not isinstance(w, CellWrite):
            raise WriteError(_("写入项格式不正确：%(item)s") % {"item": repr(w)})
    dst.parent.mkdir(parents=True, exist_ok=True)
    # A temporary name beside dst with dst's extension; the result gets the umask's mode.
    with atomic_output(dst) as tmp:
        written, skipped = _dispatch(fmt, src, tmp, todo)
    return WriteReport(path=dst, written=written, skipped=skipped)


def write_filled(src: Path, dst: Path, writes: Iterable[CellWrite], *, src_format: str) -> Path:
    """Fill ``src`` into ``dst`` in the issuer's own layout; return the path actually written.

    Thin wrapper over :func:`write_filled_report` for callers that do not need coverage.
    """
    return write_filled_report(src, dst, writes, src_format=src_format).path


def _dispatch(
    fmt: str, src: Path, out: Path, writes: Sequence[CellWrite]
) -> tuple[int, list[tuple[CellWrite, str]]]:
    if fmt == "xlsx":
        from qingzhuang.sheets.writer_xlsx import fill_xlsx

        return fill_xlsx(src, out, writes)
    if fmt == "xls":
        from qingzhuang.sheets.writer_xls import fill_xls

        return fill_xls(src, out, writes)
    if fmt == "csv":
        from qingzhuang.sheets.writer_csv import fill_csv

        return fill_csv(src, out, writes)
    from qingzhuang.sheets.writer_docx import fill_docx

    return fill_docx(src, out, writes)


def xls_to_xlsx(src: Path, dst: Path) -> None:
    """Convert an old .xls form to .xlsx keeping its layout (see ``writer_xls``)."""
    from qingzhuang.sheets.writer_xls import xls_to_xlsx as _convert

    _convert(Path(src), Path(dst))
