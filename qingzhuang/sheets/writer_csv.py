"""Fill a CSV form while keeping every untouched byte as the department wrote it.

CSV forms are opened in Excel/WPS by people who compare them line by line, so rows that
receive no value are copied verbatim (quoting, spacing, line endings), the encoding and
delimiter are kept, and only the addressed fields are re-serialised. Text values that Excel
would run as formulas get a leading apostrophe (CSV injection).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from qingzhuang.core.textcodec import UndecodableText, decode_bytes
from qingzhuang.i18n import gettext as _
from qingzhuang.sheets.writer import (
    SKIP_FORMULA,
    SKIP_NOT_FINITE,
    CellValue,
    CellWrite,
    WriteError,
    format_number,
    is_finite_number,
    parse_a1,
)

_DELIMITERS = (",", "\t", ";", "|")
_INJECTION_START = ("=", "+", "-", "@", "\t", "\r")
_QUOTED = re.compile(r'"[^"]*(?:""[^"]*)*"')


@dataclass
class _Record:
    fields: list[str]  # raw field text, quotes included
    terminator: str  # "\r\n", "\n", "\r" or "" for a last line without one
    raw: str  # the original text of the whole record
    dirty: bool = False

    def value(self, col: int) -> str:
        if col >= len(self.fields):
            return ""
        return _unquote(self.fields[col])

    def text(self, delimiter: str) -> str:
        if not self.dirty:
            return self.raw
        return delimiter.join(self.fields) + self.terminator


@dataclass
class _CsvDoc:
    encoding: str
    delimiter: str
    newline: str
    records: list[_Record] = field(default_factory=list)


def fill_csv(
    src: Path, out: Path, writes: Sequence[CellWrite]
) -> tuple[int, list[tuple[CellWrite, str]]]:
    """Read ``src``, replace the addressed fields (adding rows if needed), write ``out``."""
    doc = read_csv(src.read_bytes())
    written = 0
    skipped: list[tuple[CellWrite, str]] = []
    width = len(doc.records[0].fields) if doc.records else 0
    for w in writes:
        row, col = parse_a1(w.cell)
        if not is_finite_number(w.value):
            skipped.append((w, SKIP_NOT_FINITE))
            continue
        _ensure_rows(doc, row, width)
        rec = doc.records[row - 1]
        if rec.value(col - 1).startswith("="):
            skipped.append((w, SKIP_FORMULA))
            continue
        while len(rec.fields) < col:
            rec.fields.append("")
        old = rec.fields[col - 1]
        rec.fields[col - 1] = _serialise(w.value, doc.delimiter, quote=old.startswith('"'))
        rec.dirty = True
        written += 1
    out.write_bytes(_encode("".join(r.text(doc.delimiter) for r in doc.records), doc.encoding))
    return written, skipped


def read_csv(data: bytes) -> _CsvDoc:
    """Decode and split a CSV into raw records, detecting encoding, delimiter and newline.

    A GBK form comes back as "gb18030": it writes GBK's characters as the same bytes and can
    also hold a filled name outside GBK.
    """
    try:
        text, encoding = decode_bytes(data)
    except UndecodableText as exc:
        raise WriteError(exc.message) from exc
    newline_match = re.search(r"\r\n|\n|\r", text)
    newline = newline_match.group(0) if newline_match else "\r\n"
    delimiter = _detect_delimiter(text)
    return _CsvDoc(encoding, delimiter, newline, _split(text, delimiter))


def _encode(text: str, encoding: str) -> bytes:
    try:
        return text.encode(encoding)
    except UnicodeEncodeError:
        raise WriteError(
            _("填入的文字无法用%(encoding)s编码保存") % {"encoding": encoding}
        ) from None


def _detect_delimiter(text: str) -> str:
    first = re.split(r"\r\n|\n|\r", text, maxsplit=1)[0]
    bare = _QUOTED.sub("", first)
    counts = {d: bare.count(d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: counts[d])  # ties keep the earlier (comma)
    return best if counts[best] else ","


def _split(text: str, delimiter: str) -> list[_Record]:
    d = re.escape(delimiter)
    field_re = re.compile(rf'"[^"]*(?:""[^"]*)*"[^{d}\r\n]*|[^{d}\r\n]*')
    eol_re = re.compile(r"\r\n|\n|\r")
    records: list[_Record] = []
    pos, start, n = 0, 0, len(text)
    fields: list[str] = []
    while pos < n:
        m = field_re.match(text, pos)
        end = m.end() if m else pos  # the pattern always matches, possibly empty
        fields.append(text[pos:end])
        if end < n and text[end] == delimiter:
            pos = end + 1
            if pos < n:
                continue
            fields.append("")  # a delimiter right at the end of the file
            end = n
        eol = eol_re.match(text, end)
        term = eol.group(0) if eol else ""
        pos = end + len(term)
        records.append(_Record(fields, term, text[start:pos]))
        start, fields = pos, []
    return records


def _ensure_rows(doc: _CsvDoc, row: int, width: int) -> None:
    if row <= len(doc.records):
        return
    if doc.records and not doc.records[-1].terminator:
        last = doc.records[-1]
        last.terminator = doc.newline
        last.raw += doc.newline
    while len(doc.records) < row:
        doc.records.append(_Record([""] * max(width, 1), doc.newline, "", dirty=True))


def _unquote(raw: str) -> str:
    m = _QUOTED.match(raw)
    if m is None:
        return raw
    return raw[1 : m.end() - 1].replace('""', '"') + raw[m.end() :]


def _serialise(value: CellValue, delimiter: str, *, quote: bool) -> str:
    if value is None:
        text = ""
    elif isinstance(value, int | float | Decimal):
        text = format_number(value)
    else:
        text = value
        if text.startswith(_INJECTION_START):
            text = "'" + text
    if quote or any(ch in text for ch in (delimiter, '"', "\r", "\n")):
        return '"' + text.replace('"', '""') + '"'
    return text
