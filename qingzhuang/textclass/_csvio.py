"""CSV reading and writing for the CLI helpers: utf-8/utf-8-sig/gbk input, atomic output."""

from __future__ import annotations

import contextlib
import csv
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from qingzhuang.core.outputs import atomic_output, output_path_check
from qingzhuang.core.textcodec import SNIFF_BYTES, UndecodableText, sniff_encoding
from qingzhuang.i18n import gettext as _
from qingzhuang.i18n import pgettext


def detect_encoding(path: str | os.PathLike[str]) -> str:
    """Guess the encoding from the first megabyte: utf-8 (with or without BOM), else gb18030."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(SNIFF_BYTES)
    except OSError as exc:
        raise ValueError(
            _("无法打开输入文件 %(path)s：%(error)s") % {"path": path, "error": exc.strerror or exc}
        ) from exc
    try:
        return sniff_encoding(head)
    except UndecodableText as exc:
        raise ValueError(_("输入文件 %(path)s：%(error)s") % {"path": path, "error": exc}) from exc


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
            raise ValueError(_("输入文件 %(path)s 编码无法识别") % {"path": path}) from exc
        if not fieldnames:
            raise ValueError(_("输入文件 %(path)s 是空的（没有表头）") % {"path": path})
        missing = [c for c in required if c not in fieldnames]
        if missing:
            sep = pgettext("punctuation", "、")
            raise ValueError(
                _("输入文件缺少列：%(missing)s（现有列：%(present)s）")
                % {"missing": sep.join(missing), "present": sep.join(fieldnames)}
            )

        def rows() -> Iterator[dict[str, str]]:
            try:
                for row in reader:
                    yield {k: (v if v is not None else "") for k, v in row.items() if k is not None}
            except UnicodeDecodeError as exc:
                raise ValueError(
                    _("输入文件 %(path)s 第 %(line)s 行编码错误")
                    % {"path": path, "line": reader.line_num}
                ) from exc

        yield fieldnames, rows()


def check_output(
    path: str | os.PathLike[str],
    *,
    inputs: Sequence[str | os.PathLike[str]] = (),
    example: str = "out.csv",
) -> Path:
    """Refuse, with the sentence every command uses, an output that is a folder, lies in a
    missing folder (a typo must not create folders) or one we may not write in, or is one of
    the inputs (writing it would destroy the data being read). Call before long work."""
    return output_path_check(path, example=example, inputs=inputs)


@contextlib.contextmanager
def atomic_writer(
    path: str | os.PathLike[str], *, inputs: Sequence[str | os.PathLike[str]] = ()
) -> Iterator[Any]:
    """A csv.writer on a temporary file that replaces `path` only if the block succeeds.

    The result gets the permissions a plain open() would give, not a temporary file's 0600.
    """
    target = check_output(path, inputs=inputs)
    with (
        atomic_output(target) as tmp,
        open(tmp, "w", encoding="utf-8-sig", newline="") as fh,
    ):
        yield csv.writer(fh)
