"""Errors raised by the template parser.

Every error carries ``message`` in plain words of the language active when it is raised
(Chinese unless the user chose English), so that the web page, the API and the ``qz``
command can show it to township staff unchanged.
"""

from __future__ import annotations

from qingzhuang.i18n import gettext, gettext_noop


class SheetError(Exception):
    """Base class: a file that cannot be read as a report template."""

    default_message = gettext_noop("无法读取该文件")

    def __init__(self, message: str | None = None, *, file: str = "") -> None:
        self.file = file
        text = message or gettext(self.default_message)
        if file and file not in text:
            text = gettext("%(file)s：%(message)s") % {"file": file, "message": text}
        self.message = text
        super().__init__(text)


class UnsupportedFormat(SheetError):
    default_message = gettext_noop("不支持的文件格式，请上传 .xlsx、.xls、.csv 或 .docx 文件")


class CorruptFile(SheetError):
    default_message = gettext_noop(
        "文件已损坏或不完整，无法读取，请在 Excel/WPS 中打开后重新保存再上传"
    )


class EncryptedFile(SheetError):
    default_message = gettext_noop("文件已加密（设有密码），请先在 Excel/WPS 中取消密码后再上传")


class TooLarge(SheetError):
    default_message = gettext_noop("文件过大，超出系统允许的范围")


class EmptyFile(SheetError):
    default_message = gettext_noop("文件是空的，没有任何内容")


class UnsafeFile(SheetError):
    default_message = gettext_noop("文件包含不安全的内容（可能是恶意构造的文件），已拒绝读取")
