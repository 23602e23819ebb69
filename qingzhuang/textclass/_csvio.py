"""CSV reading and writing for the CLI helpers: utf-8/utf-8-sig/gbk input, atomic output."""

from __future__ import annotations

import codecs
import contextlib
import csv
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

_SNIFF_BYTES = 1 << 20


def detect_encoding(path: str | os.PathLike[str]) -> str:
    """Guess the encoding from the first megabyte: utf-8 (with or without BOM), else gbk."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(_SNIFF_BYTES)
    except OSError as exc:
        raise ValueError(f"无法打开输入文件 {path}：{exc.strerror or exc}") from exc
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        try:
            codecs.getincrementaldecoder("gb18030")().decode(head, final=False)
        except UnicodeDecodeError as exc:
            raise ValueError(f"输入文件 {path} 既不是 UTF-8 也不是 GBK 编码") from exc
        return "gb18030"  # a superset of gbk that also decodes rarer characters
    return "utf-8"


@contextlib.contextmanager
def read_rows(
    path: str | os.PathLike[str], required: list[str]
) -> Iterator[tuple[list[str], Iterator[dict[str, str]]]]:
    """Open a CSV, check its header and yield (fieldnames, streaming row iterator)."""
    encoding = detect_encoding(path)
    with open(path, encoding=encoding, newline="") as fh:
        reader = csv.DictReader(fh)
        try:
            fieldnames = list(reader.fieldnames or [])
        except UnicodeDecodeError as exc:
            raise ValueError(f"输入文件 {path} 编码无法识别") from exc
        if not fieldnames:
            raise ValueError(f"输入文件 {path} 是空的（没有表头）")
        missing = [c for c in required if c not in fieldnames]
        if missing:
            raise ValueError(
                f"输入文件缺少列：{'、'.join(missing)}（现有列：{'、'.join(fieldnames)}）"
            )

        def rows() -> Iterator[dict[str, str]]:
            try:
                for row in reader:
                    yield {k: (v if v is not None else "") for k, v in row.items() if k is not None}
            except UnicodeDecodeError as exc:
                raise ValueError(f"输入文件 {path} 第 {reader.line_num} 行编码错误") from exc

        yield fieldnames, rows()


@contextlib.contextmanager
def atomic_writer(path: str | os.PathLike[str]) -> Iterator[Any]:
    """A csv.writer on a temporary file that replaces `path` only if the block succeeds."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as fh:
            yield csv.writer(fh)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
