"""Reader for CSV: detects UTF-8 (with or without BOM) and GBK/GB18030, and streams.

Only the header row becomes fields; data rows are streamed one at a time so a large
export never sits in memory as a whole.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from pathlib import Path

from .errors import CorruptFile, TooLarge, UnsupportedFormat
from .safety import MAX_COLS, MAX_CSV_ROWS

_SAMPLE = 256 * 1024


def detect_encoding(path: Path, display: str) -> str:
    with path.open("rb") as fh:
        sample = fh.read(_SAMPLE)
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    for encoding in ("utf-8", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            text = decoder.decode(sample, final=len(sample) < _SAMPLE)
        except UnicodeDecodeError:
            continue
        if _looks_like_text(text):
            return encoding
    raise UnsupportedFormat(
        "无法识别文件的文字编码，或文件不是文本表格，请另存为 UTF-8 编码的 CSV 或 .xlsx 后再上传",
        file=display,
    )


def _looks_like_text(text: str) -> bool:
    if not text:
        return True
    bad = sum(1 for ch in text if (ord(ch) < 32 and ch not in "\r\n\t") or ch == "\ufffd")
    return bad / len(text) < 0.01


def iter_rows(path: Path, display: str) -> Iterator[list[str]]:
    """Yield CSV rows lazily; raise a SheetError rather than a codec or csv exception."""
    encoding = detect_encoding(path, display)
    with path.open("r", encoding=encoding, newline="") as fh:
        sample = fh.read(8192)
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
                    raise TooLarge(f"CSV 行数过多（超过 {MAX_CSV_ROWS} 行）", file=display)
                if len(row) > MAX_COLS:
                    raise TooLarge(f"CSV 列数过多（超过 {MAX_COLS} 列）", file=display)
                yield row
        except (UnicodeDecodeError, csv.Error) as exc:
            raise CorruptFile(f"第 {count + 1} 行无法读取（编码或格式错误）", file=display) from exc
