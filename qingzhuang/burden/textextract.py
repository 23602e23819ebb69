"""Plain text out of an uploaded document: .docx, .doc, .pdf, .txt. Pure Python; Django only
for gettext, so error messages follow the active language.

.doc (Word 97–2003) is read by an `antiword`/`catdoc` binary when one is installed, otherwise
by our own reader of the OLE "WordDocument" stream's piece table (via `olefile`). Character
counts ignore whitespace, the way Word's “字数” counts Chinese text.
"""

from __future__ import annotations

import io
import re
import shutil
import struct
import subprocess
from pathlib import Path

from django.utils.translation import gettext as _

from qingzhuang.core.textcodec import UndecodableText, decode_bytes

MAX_BYTES = 30 * 1024 * 1024
FORMATS = ("docx", "doc", "pdf", "txt")


class ExtractError(ValueError):
    """The file cannot be read; the message says what to do instead."""


def count_chars(text: str) -> int:
    """Characters excluding whitespace (Word's 字数 for Chinese text)."""
    return len(re.sub(r"\s+", "", text))


def file_format(name: str) -> str:
    ext = Path(name).suffix.lower().lstrip(".")
    if ext not in FORMATS:
        raise ExtractError(
            _("不支持的文件类型“.%(ext)s”：请上传 docx、doc、pdf 或 txt 文件。") % {"ext": ext}
        )
    return ext


def extract_text(name: str, data: bytes) -> str:
    """The document's text. Raises ExtractError with a plain message when it cannot."""
    if len(data) > MAX_BYTES:
        raise ExtractError(_("文件超过30MB，请压缩图片或拆分后再上传。"))
    fmt = file_format(name)
    if fmt == "txt":
        return _txt(data)
    if fmt == "docx":
        return _docx(data)
    if fmt == "pdf":
        return _pdf(data)
    return _doc(data)


def _txt(data: bytes) -> str:
    try:
        return decode_bytes(data)[0]
    except UndecodableText as exc:
        raise ExtractError(exc.message) from exc


def _docx(data: bytes) -> str:
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:
        raise ExtractError(_("docx 文件无法打开，请确认文件未损坏，或另存为 PDF 后上传。")) from exc
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append("\t".join(cell.text for cell in row.cells))
    return "\n".join(parts)


def _pdf(data: bytes) -> str:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise ExtractError(_("PDF 已加密，请上传未加密的文件。"))
        text = "\n".join(page.extract_text() or "" for page in reader.pages)
    except ExtractError:
        raise
    except Exception as exc:
        raise ExtractError(_("PDF 无法读取，请确认文件未损坏。")) from exc
    if not text.strip():
        raise ExtractError(_("PDF 里没有文字（可能是扫描件），请上传 Word 版或文字版 PDF。"))
    return text


def _doc(data: bytes) -> str:
    for tool, args in (("antiword", ["-m", "UTF-8.txt"]), ("catdoc", ["-d", "utf-8"])):
        exe = shutil.which(tool)
        if exe is None:
            continue
        try:
            done = subprocess.run(  # noqa: S603 - fixed tool path, file via stdin
                [exe, *args, "-"], input=data, capture_output=True, timeout=30, check=True
            )
        except (subprocess.SubprocessError, OSError):
            continue
        text = done.stdout.decode("utf-8", "replace")
        if text.strip():
            return text
    return doc_text_from_ole(data)


def doc_text_from_ole(data: bytes) -> str:
    """Text of a Word 97–2003 file from its piece table ([MS-DOC] 2.4.1)."""
    try:
        import olefile
    except ImportError as exc:  # pragma: no cover - olefile is installed with the app
        raise ExtractError(
            _("暂不能读取 .doc 文件：请在 WPS/Word 中另存为 .docx 后上传。")
        ) from exc
    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
    except Exception as exc:
        raise ExtractError(_("这不是有效的 .doc 文件，请另存为 .docx 后上传。")) from exc
    try:
        if not ole.exists("WordDocument"):
            raise ExtractError(_("这不是 Word 文件，请另存为 .docx 后上传。"))
        word = ole.openstream("WordDocument").read()
        flags = struct.unpack_from("<H", word, 0x0A)[0]
        if flags & 0x0100:
            raise ExtractError(_("Word 文件已加密，请取消密码后再上传。"))
        table_name = "1Table" if flags & 0x0200 else "0Table"
        if not ole.exists(table_name):
            raise ExtractError(_(".doc 文件结构不完整，请另存为 .docx 后上传。"))
        table = ole.openstream(table_name).read()
        fc_clx, lcb_clx = struct.unpack_from("<II", word, 0x01A2)
        text = _pieces(word, table[fc_clx : fc_clx + lcb_clx])
    except (struct.error, IndexError) as exc:
        raise ExtractError(_(".doc 文件无法解析，请在 WPS/Word 中另存为 .docx 后上传。")) from exc
    finally:
        ole.close()
    return _clean_word_text(text)


def _pieces(word: bytes, clx: bytes) -> str:
    pos = 0
    while pos < len(clx) and clx[pos] == 0x01:  # skip Prc blocks
        (cb,) = struct.unpack_from("<h", clx, pos + 1)
        pos += 3 + cb
    if pos >= len(clx) or clx[pos] != 0x02:
        raise ExtractError(_(".doc 文件无法解析，请另存为 .docx 后上传。"))
    (lcb,) = struct.unpack_from("<I", clx, pos + 1)
    plc = clx[pos + 5 : pos + 5 + lcb]
    n = (lcb - 4) // 12
    cps = struct.unpack_from(f"<{n + 1}I", plc, 0)
    out: list[str] = []
    for i in range(n):
        (fc_raw,) = struct.unpack_from("<I", plc, 4 * (n + 1) + 8 * i + 2)
        length = cps[i + 1] - cps[i]
        if fc_raw & 0x40000000:
            start = (fc_raw & 0x3FFFFFFF) // 2
            out.append(word[start : start + length].decode("cp1252", "replace"))
        else:
            start = fc_raw & 0x3FFFFFFF
            out.append(word[start : start + 2 * length].decode("utf-16-le", "replace"))
    return "".join(out)


def _clean_word_text(text: str) -> str:
    # Field codes: drop the instruction (0x13 … 0x14), keep the result (… 0x15).
    text = re.sub(r"\x13[^\x13\x14\x15]*\x14", "", text)
    text = re.sub(r"\x13[^\x13\x14\x15]*\x15", "", text)
    text = text.replace("\x15", "").replace("\x07", "\t").replace("\r", "\n").replace("\x0b", "\n")
    text = text.replace("\x0c", "\n")
    return re.sub(r"[\x00-\x08\x0e-\x1f]", "", text)
