"""CSV reading and writing for the CLI helpers: utf-8/utf-8-sig/gbk input, atomic output."""

from __future__ import annotations

import contextlib
import csv
import os
import secrets
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

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
    path: str | os.PathLike[str], *, inputs: Sequence[str | os.PathLike[str]] = ()
) -> Path:
    """Refuse an output whose directory is missing (a typo must not create folders) or that is
    one of the inputs (writing it would destroy the data being read). Call before long work."""
    target = Path(path)
    parent = target.parent
    if not parent.is_dir():
        raise ValueError(_("输出目录不存在：%(path)s") % {"path": parent})
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ValueError(_("没有权限写入目录：%(dir)s") % {"dir": parent})
    resolved = target.resolve()
    if any(resolved == Path(p).resolve() for p in inputs):
        raise ValueError(_("输出文件不能和输入文件相同，请换一个文件名"))
    return target


@contextlib.contextmanager
def atomic_writer(
    path: str | os.PathLike[str], *, inputs: Sequence[str | os.PathLike[str]] = ()
) -> Iterator[Any]:
    """A csv.writer on a temporary file that replaces `path` only if the block succeeds.

    The temporary file is created with mode 0666 so the kernel applies the umask: the result
    gets the permissions a plain open() would give, not mkstemp's private 0600.
    """
    target = check_output(path, inputs=inputs)
    while True:
        tmp = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:  # pragma: no cover - 48 random bits
            continue
        break
    try:
        with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as fh:
            yield csv.writer(fh)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
