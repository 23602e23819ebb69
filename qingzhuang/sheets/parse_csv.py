"""Reader for CSV: detects UTF-8 (with or without BOM) and GBK/GB18030, and streams.

Only the header row becomes fields; data rows are streamed one at a time so a large
export never sits in memory as a whole.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from qingzhuang.core.textcodec import SNIFF_BYTES, UndecodableText, sniff_encoding
from qingzhuang.i18n import gettext as _

from .errors import CorruptFile, TooLarge, UnsupportedFormat
from .safety import MAX_COLS, MAX_CSV_ROWS


def detect_encoding(path: Path, display: str) -> str:
    with path.open("rb") as fh:
        head = fh.read(SNIFF_BYTES)
    try:
        return sniff_encoding(head)
    except UndecodableText as exc:
        raise UnsupportedFormat(exc.message, file=display) from exc


def iter_rows(path: Path, display: str) -> Iterator[list[str]]:
    """Yield CSV rows lazily; raise a SheetError rather than a codec or csv exception."""
    encoding = detect_encoding(path, display)
    with path.open("r", encoding=encoding, newline="") as fh:
        try:  # a short file cut inside its last character fails here, not when sniffed
            sample = fh.read(8192)
        except UnicodeDecodeError as exc:
            raise CorruptFile(file=display) from exc
        fh.seek(0)
        try:
            dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(
                sample, delimiters=",\t;|"
            )
        except csv.Error:
            dialect = csv.excel
        reader = csv.reader(fh, dialect)
        count = 0
        try:
            for row in reader:
                count += 1
                if count > MAX_CSV_ROWS:
                    raise TooLarge(
                        _("CSV 行数过多（超过 %(max)s 行）") % {"max": MAX_CSV_ROWS}, file=display
                    )
                if len(row) > MAX_COLS:
                    raise TooLarge(
                        _("CSV 列数过多（超过 %(max)s 列）") % {"max": MAX_COLS}, file=display
                    )
                yield row
        except (UnicodeDecodeError, csv.Error) as exc:
            raise CorruptFile(
                _("第 %(line)s 行无法读取（编码或格式错误）") % {"line": count + 1}, file=display
            ) from exc
