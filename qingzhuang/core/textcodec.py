"""Decoding uploaded and imported text (CSV, TXT) as township PCs save it. No Django imports.

WPS/Excel on Chinese Windows save "CSV" as GBK and "CSV UTF-8" with a BOM; other tools write
UTF-8 without one, and Excel's "Unicode text" is UTF-16 with a BOM. GB18030 is a superset of
GBK that decodes every GBK byte the same way and also rare name characters such as 䶮, so it
is used for the legacy family. UTF-8 is tried first because Chinese UTF-8 text often decodes
as GB18030 too, as mojibake, while GBK text is almost never valid UTF-8.

The pure engines (sheets, textclass, burden's readers) use this module as well, so it may
import only the standard library, ``qingzhuang.core.errors`` and ``qingzhuang.i18n`` (which
falls back to the Chinese text when Django is not set up).
"""

from __future__ import annotations

import codecs
import re
from typing import Literal

from qingzhuang.core.errors import InvalidInput
from qingzhuang.i18n import gettext, gettext_noop

SNIFF_BYTES = 1 << 20
"""How much of a streamed file `sniff_encoding` is meant to see."""

Kind = Literal["binary", "encoding", "truncated"]

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_LEGACY = "gb18030"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffd]")
_MAX_CONTROL_SHARE = 0.01

_MESSAGES: dict[Kind, tuple[str, str]] = {
    "binary": (
        gettext_noop(
            "文件内容不是文字，可能是 Excel/Word 文件或压缩包改了扩展名：请上传原来的文件（如 .xlsx），"
            "或在 WPS/Excel 中另存为“CSV UTF-8”后再上传。"
        ),
        "the file is not text (an Excel/Word file or an archive renamed?): upload the original "
        "file, e.g. .xlsx, or save it as CSV UTF-8",
    ),
    "encoding": (
        gettext_noop(
            "无法识别文件的文字编码（支持 UTF-8 和 GBK/GB18030）：请另存为 UTF-8 编码"
            "（WPS/Excel 里选“CSV UTF-8”）后再上传。"
        ),
        "unknown text encoding (UTF-8 and GBK/GB18030 are read): save the file as UTF-8, "
        "e.g. CSV UTF-8",
    ),
    "truncated": (
        gettext_noop("文件在一个字的中间结束，可能没有保存或传输完整：请重新保存后再上传。"),
        "the file ends in the middle of a character, so it was probably cut short: save it "
        "again and re-upload",
    ),
}


class UndecodableText(InvalidInput):
    """The bytes are not text in an encoding we read.

    ``message`` is plain Chinese for pages (and what ApplicationError handlers show);
    ``str(exc)`` adds the English in brackets for command-line output. ``kind`` says which of
    binary / encoding / truncated it was, for callers that advise differently.
    """

    def __init__(self, kind: Kind) -> None:
        message, english = _MESSAGES[kind]
        super().__init__(gettext(message))
        self.kind: Kind = kind
        self.english = english

    def __str__(self) -> str:
        if self.message != _MESSAGES[self.kind][0]:  # translated: the active language is English
            return self.message
        return f"{self.message} ({self.english})"


def decode_bytes(data: bytes) -> tuple[str, str]:
    """The text of a whole upload and the encoding it was in (to write it back the same way).

    A BOM is stripped and reported as "utf-8-sig"/"utf-16"; GBK is reported as "gb18030".
    Empty input is ("", "utf-8"): each caller has its own words for an empty file.
    Raises UndecodableText.
    """
    return _decode(data, whole=True)


def sniff_encoding(head: bytes) -> str:
    """The encoding to open a streamed file with, judged from its first bytes (SNIFF_BYTES).

    ``head`` may end inside a multi-byte character, so it is decoded incrementally without
    flushing; a file that is cut there fails later, on the row, rather than being misread
    as GB18030 from the start. A UTF-8 BOM gives "utf-8-sig" so that opening strips it.
    Raises UndecodableText.
    """
    return _decode(head, whole=False)[1]


def _decode(data: bytes, *, whole: bool) -> tuple[str, str]:
    bom = _bom_encoding(data)
    if bom is None and b"\x00" in data:
        raise UndecodableText("binary")
    for encoding in (bom,) if bom else ("utf-8", _LEGACY):
        try:
            if whole:
                text = data.decode(encoding)
            else:
                text = codecs.getincrementaldecoder(encoding)().decode(data, final=False)
        except UnicodeDecodeError as exc:
            if whole and encoding.startswith("utf-8") and _cut_utf8(data, exc, has_bom=bool(bom)):
                raise UndecodableText("truncated") from None
            continue
        _require_text(text)
        return text, encoding
    raise UndecodableText("encoding")


def _bom_encoding(data: bytes) -> str | None:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding
    return None


def _cut_utf8(data: bytes, exc: UnicodeDecodeError, *, has_bom: bool) -> bool:
    """UTF-8 that only fails in its last, unfinished character.

    Only when what comes before already proves UTF-8 (a BOM or a multi-byte character):
    an ASCII file ending in a GBK character such as 涓 (E4 B8) looks the same.
    """
    if exc.reason != "unexpected end of data" or exc.end != len(data):
        return False
    return has_bom or not data[: exc.start].isascii()


def _require_text(text: str) -> None:
    if text and len(_CONTROL.findall(text)) / len(text) >= _MAX_CONTROL_SHARE:
        raise UndecodableText("binary")
