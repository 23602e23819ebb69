"""Format sniffing and defences against hostile uploads.

Templates arrive from many departments and from the internet-facing intake, so the
content (magic bytes) decides the format, never the extension, and every container is
checked for bombs, external entities and encryption *before* a library parses it.
"""

from __future__ import annotations

import io
import pyexpat
import re
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Literal, NoReturn

from qingzhuang.i18n import gettext as _

from .errors import (
    CorruptFile,
    EmptyFile,
    EncryptedFile,
    SheetError,
    TooLarge,
    UnsafeFile,
    UnsupportedFormat,
)

Format = Literal["xlsx", "xls", "csv", "docx"]

# Limits (module constants so deployments or tests can tune them).
MAX_FILE_BYTES = 100 * 1024 * 1024
MAX_ZIP_MEMBERS = 5_000
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
MAX_CELLS = 200_000
MAX_ROWS = 100_000
MAX_COLS = 2_000
MAX_CSV_ROWS = 200_000

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
_DTD_RE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_TEXT_SAMPLE = 64 * 1024


def sniff(path: Path, display: str) -> Format:
    """Decide the format from the bytes and reject what must not be parsed."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise CorruptFile(_("文件无法打开"), file=display) from exc
    if size == 0:
        raise EmptyFile(file=display)
    if size > MAX_FILE_BYTES:
        raise TooLarge(
            _("文件过大（超过 %(max)s MB）") % {"max": MAX_FILE_BYTES // 1024 // 1024}, file=display
        )
    with path.open("rb") as fh:
        head = fh.read(_TEXT_SAMPLE)
    if head.startswith(ZIP_MAGIC):
        return _sniff_zip(path, display)
    if head.startswith(OLE_MAGIC):
        return _sniff_ole(path, display)
    if head.startswith(b"%PDF"):
        raise UnsupportedFormat(
            _("这是 PDF 文件，无法识别其中的表格，请上传 Excel 或 Word 原件"), file=display
        )
    if head.lstrip().lower().startswith((b"<html", b"<!doctype", b"<?xml", b"<table")):
        raise UnsupportedFormat(
            _("文件实际是网页（HTML/XML）格式，请在 Excel/WPS 中打开并另存为 .xlsx 后再上传"),
            file=display,
        )
    if not head.strip(b" \t\r\n\x00"):
        raise EmptyFile(file=display)
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise unreadable(display)
    return "csv"


OFFICE_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".docx")


def unreadable(display: str) -> SheetError:
    """Name what went wrong: a file called .xlsx that is not a workbook is damaged or renamed,
    which "unsupported format" does not tell a clerk who did upload an .xlsx."""
    suffix = Path(display).suffix.lower()
    if suffix in OFFICE_SUFFIXES:
        return CorruptFile(
            _(
                "文件扩展名是 %(suffix)s，但内容不是能读取的 Excel/Word 文件（可能已损坏，"
                "或只是改了扩展名）。请在 Excel/WPS 中打开后另存为 .xlsx 或 .docx 再上传"
            )
            % {"suffix": suffix},
            file=display,
        )
    return UnsupportedFormat(file=display)


# What a damaged zip can raise while its members are listed or read (zlib.error: a corrupt
# deflate stream; NotImplementedError: an unknown compression method).
_ZIP_READ_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    OSError,
    EOFError,
    RuntimeError,
    ValueError,
    NotImplementedError,
)


def _sniff_zip(path: Path, display: str) -> Format:
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            check_zip(zf, display)
            names = {i.filename for i in infos}
    except _ZIP_READ_ERRORS as exc:
        raise CorruptFile(file=display) from exc
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "word/document.xml" in names:
        return "docx"
    if any(n.startswith("ppt/") for n in names):
        raise UnsupportedFormat(_("这是 PowerPoint 文件，不是表格"), file=display)
    if "content.xml" in names and "mimetype" in names:
        raise UnsupportedFormat(
            _("这是 WPS/OpenOffice 的 ODF 格式，请另存为 .xlsx 或 .docx 后再上传"), file=display
        )
    raise unreadable(display)


def check_zip(zf: zipfile.ZipFile, display: str) -> None:
    """Reject zip bombs and XML with DTDs (XXE, billion laughs) before any XML parser runs."""
    infos = zf.infolist()
    if len(infos) > MAX_ZIP_MEMBERS:
        raise UnsafeFile(
            _("压缩包内文件数量异常（%(count)s 个）") % {"count": len(infos)}, file=display
        )
    total = 0
    for info in infos:
        total += info.file_size
        if total > MAX_UNCOMPRESSED_BYTES:
            raise TooLarge(_("文件解压后过大，可能是恶意构造的压缩炸弹"), file=display)
        if info.file_size > 1024 * 1024 and info.file_size > MAX_COMPRESSION_RATIO * max(
            info.compress_size, 1
        ):
            raise UnsafeFile(_("文件压缩比异常，可能是恶意构造的压缩炸弹"), file=display)
    for info in infos:
        if not info.filename.lower().endswith((".xml", ".rels", ".vml")):
            continue
        try:
            with zf.open(info) as fh:
                chunk = fh.read(4096)
        except _ZIP_READ_ERRORS as exc:
            raise CorruptFile(file=display) from exc
        if _DTD_RE.search(chunk):
            raise UnsafeFile(_("文件内含 XML 实体声明（DTD），可能是恶意构造的文件"), file=display)


_SPREADSHEET_NAMESPACES = (
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "http://purl.oclc.org/ooxml/spreadsheetml/main",  # "strict" OOXML
)
_CELL_TAGS = frozenset(f"{ns}}}c" for ns in _SPREADSHEET_NAMESPACES)
# Elements whose `ref` range openpyxl fills with one cell object per cell it covers.
_RANGE_TAGS = frozenset(
    f"{ns}}}{tag}"
    for ns in _SPREADSHEET_NAMESPACES
    for tag in ("mergeCell", "hyperlink", "comment")
)
_REF_RE = re.compile(r"\$?([A-Z]{0,3})\$?(\d{0,7})(?::\$?([A-Z]{0,3})\$?(\d{0,7}))?")
_SHEET_ROWS, _SHEET_COLS = 1_048_576, 16_384
_STREAM_CHUNK = 64 * 1024


class _CellBudgetSpent(Exception):
    pass


class _NotCounted(Exception):
    pass


def check_xlsx_cells(zf: zipfile.ZipFile, display: str) -> None:
    """Refuse a workbook with more cells than the limit *before* openpyxl loads it.

    A full load keeps a Python object of some hundreds of bytes per cell: 6.5 million tiny
    cells fit in a 5 MB upload that passes check_zip and took 2.4 GB and a minute to load, and
    one merged range over millions of cells does the same from a 5 KB file. So every part is
    streamed through expat (no tree is built) and counting stops as soon as the budget of
    2 × MAX_CELLS is spent: each <c> element, and each cell of a merged, hyperlink or comment
    range. Every part is read, not only xl/worksheets/, because openpyxl follows the
    workbook's relations wherever they point; parts that are not XML stop at their first bytes.
    """
    limit = MAX_CELLS * 2
    count = 0

    def start(tag: str, attrs: dict[str, str]) -> None:
        nonlocal count
        if tag in _CELL_TAGS:
            count += 1
        elif tag in _RANGE_TAGS:
            count += _ref_area(attrs.get("ref", ""))
        if count > limit:
            raise _CellBudgetSpent

    try:
        for info in zf.infolist():
            _stream_xml(zf, info, start, display)
    except _CellBudgetSpent:
        raise TooLarge(
            _("工作簿单元格过多（超过 %(max)s 个）") % {"max": MAX_CELLS}, file=display
        ) from None


def _stream_xml(
    zf: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    start: Callable[[str, dict[str, str]], None],
    display: str,
) -> None:
    parser = pyexpat.ParserCreate(namespace_separator="}")
    parser.StartElementHandler = start

    def skip_dtd(*_args: object) -> NoReturn:
        # Not expanded here: check_zip refuses DTDs in the workbook's XML, openpyxl (through
        # defusedxml) in any part it reads; other parts (an SVG picture) are not ours to judge.
        raise _NotCounted

    parser.StartDoctypeDeclHandler = skip_dtd
    try:
        with zf.open(info) as fh:
            while chunk := fh.read(_STREAM_CHUNK):
                parser.Parse(chunk, False)
    except (pyexpat.ExpatError, _NotCounted):
        return  # not XML (a picture), or broken XML, which openpyxl reports on its own
    except _ZIP_READ_ERRORS as exc:
        raise CorruptFile(file=display) from exc


def _ref_area(ref: str) -> int:
    """Cells in an A1-style range; a whole column or row ("A:A", "3:3") counts as a full one,
    as openpyxl may make it."""
    m = _REF_RE.fullmatch(ref.strip().upper())
    if not m or not any(m.groups()):
        return 1
    col1, row1, col2, row2 = m.groups()
    if col2 is None and row2 is None:
        col2, row2 = col1, row1
    rows = abs(int(row2) - int(row1)) + 1 if row1 and row2 else _SHEET_ROWS
    cols = abs(_col_number(col2) - _col_number(col1)) + 1 if col1 and col2 else _SHEET_COLS
    return rows * cols


def _col_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _sniff_ole(path: Path, display: str) -> Format:
    from xlrd.compdoc import CompDoc, CompDocError

    data = path.read_bytes()
    try:
        names = {d.name for d in CompDoc(data, logfile=io.StringIO()).dirlist}
    except (CompDocError, IndexError, ValueError, AssertionError) as exc:
        raise CorruptFile(file=display) from exc
    if "EncryptedPackage" in names or "EncryptionInfo" in names:
        raise EncryptedFile(file=display)
    if "Workbook" in names or "Book" in names:
        return "xls"
    if "WordDocument" in names:
        raise UnsupportedFormat(
            _("这是旧版 Word（.doc）文件，请在 Word/WPS 中另存为 .docx 后再上传"), file=display
        )
    raise unreadable(display)


def check_grid_size(nrows: int, ncols: int, display: str, sheet: str | None) -> None:
    if nrows > MAX_ROWS or ncols > MAX_COLS or nrows * ncols > MAX_CELLS:
        size = {"sheet": sheet, "rows": nrows, "cols": ncols, "max": MAX_CELLS}
        if sheet:
            msg = _(
                "工作表“%(sheet)s”过大（%(rows)s 行 × %(cols)s 列），超过系统上限 %(max)s 个单元格"
            )
        else:
            msg = _("表格过大（%(rows)s 行 × %(cols)s 列），超过系统上限 %(max)s 个单元格")
        raise TooLarge(msg % size, file=display)
