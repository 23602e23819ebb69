"""Fixture builders: every test file is generated here, none is checked in."""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment


def village_table_xlsx(path: Path) -> Path:
    """A column table: 3 header rows with merges and units, villages as rows."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "人口"
    ws["A1"] = "2024年村人口情况统计表"
    ws.merge_cells("A1:F1")
    ws["A2"] = "填报单位：青山镇人民政府    填报日期：2024年6月"
    ws["E2"] = "制表机关：青山县民政局"
    ws["A3"] = "序号"
    ws["B3"] = "村名"
    ws["C3"] = "人口情况"
    ws.merge_cells("A3:A5")
    ws.merge_cells("B3:B5")
    ws.merge_cells("C3:E3")
    ws["C4"] = "户籍人口"
    ws.merge_cells("C4:D4")
    ws["E4"] = "常住人口（人）"
    ws.merge_cells("E4:E5")
    ws["C5"] = "男（人）"
    ws["D5"] = "女（人）"
    ws["F3"] = "耕地面积（亩）"
    ws.merge_cells("F3:F5")
    for i, name in enumerate(["东村", "西村", "合计"], start=6):
        ws.cell(i, 1, i - 5 if name != "合计" else None)
        ws.cell(i, 2, name)
        if name != "西村":
            ws.cell(i, 3, 10)
            ws.cell(i, 6, 2.5)
    ws["A10"] = "单位负责人：          填表人："
    wb.save(path)
    return path


def indicator_list_xlsx(path: Path) -> Path:
    """An indicator list: 指标名称 | 计量单位 | 代码 | 数量 with numbered hierarchy."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "基本情况"
    ws["A1"] = "乡 村 基 本 情 况"
    ws["A2"] = "表    号：测农01表"
    ws["A3"] = "制表机关：某县统计局"
    rows = [
        ("指 标 名 称", "计量单位", "代  码", "数量"),
        ("甲", "乙", "丙", 1),
        ("一、人口", "—", "—", None),
        ("（一）乡村人口数", "万人", 1, None),
        ("     1．男", "万人", 2, None),
        ("2．女", "万人", 3, None),
        ("其中：从事农业人员", "万人", 4, None),
        ("二、耕地", "—", "—", None),
        ("年末耕地面积", "公顷", 5, None),
        ("说明：1.本表由乡镇填报。", None, None, None),
    ]
    for r, row in enumerate(rows, start=5):
        for c, value in enumerate(row, start=1):
            if value is not None:
                ws.cell(r, c, value)
    ws["A9"].alignment = Alignment(indent=2)
    wb.save(path)
    return path


def docx_with_merges(path: Path) -> Path:
    import docx

    document = docx.Document()
    document.add_paragraph("村级公共服务情况表")
    document.add_paragraph("制表机关：某县民政局")
    table = document.add_table(rows=4, cols=4)
    a = table.cell(0, 0).merge(table.cell(1, 0))
    a.text = "村名"
    b = table.cell(0, 1).merge(table.cell(0, 2))
    b.text = "服务设施"
    table.cell(1, 1).text = "卫生室（个）"
    table.cell(1, 2).text = "图书室（个）"
    d = table.cell(0, 3).merge(table.cell(1, 3))
    d.text = "常住人口（人）"
    table.cell(2, 0).text = "东村"
    table.cell(3, 0).text = "合计"
    document.save(str(path))
    return path


def zip_bomb(path: Path, size: int = 60 * 1024 * 1024) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        with zf.open("xl/worksheets/sheet1.xml", "w") as fh:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(size // len(chunk)):
                fh.write(chunk)
    return path


def xxe_xlsx(path: Path, tmp: Path) -> Path:
    good = indicator_list_xlsx(tmp / "good.xlsx")
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/workbook.xml":
                doctype = b'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
                if data.startswith(b"<?xml"):
                    end = data.index(b"?>") + 2
                    data = data[:end] + doctype + data[end:]
                else:
                    data = doctype + data
            dst.writestr(info, data)
    return path


def ole_file(path: Path, stream_name: str, data: bytes = b"") -> Path:
    """A minimal compound file (the container of .xls and of encrypted .xlsx).

    Its one stream holds ``data`` (at most 4,096 bytes, zero-padded) or filler bytes.
    """
    assert len(data) <= 4096
    end, free, fat_sect = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD
    header = bytearray(512)
    header[0:8] = bytes.fromhex("D0CF11E0A1B11AE1")
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIII", header, 40, 0, 1, 1, 0, 4096, end, 0, end)
    struct.pack_into("<I", header, 72, 0)  # number of DIFAT sectors
    struct.pack_into("<I", header, 76, 0)  # DIFAT[0] = FAT in sector 0
    for i in range(1, 109):
        struct.pack_into("<I", header, 76 + 4 * i, free)
    fat = [fat_sect, end] + [3, 4, 5, 6, 7, 8, 9, end]
    fat_bytes = struct.pack(f"<{len(fat)}I", *fat) + b"\xff" * (512 - 4 * len(fat))

    def entry(name: str, kind: int, child: int, start: int, size: int) -> bytes:
        raw = name.encode("utf-16-le") + b"\0\0"
        e = bytearray(128)
        e[0 : len(raw)] = raw
        struct.pack_into("<HBB", e, 64, len(raw), kind, 1)
        struct.pack_into("<III", e, 68, free, free, child)
        struct.pack_into("<II", e, 116, start, size)
        return bytes(e)

    directory = (
        entry("Root Entry", 5, 1, end, 0) + entry(stream_name, 2, free, 2, 4096) + bytes(128) * 2
    )
    body = data.ljust(4096, b"\0") if data else b"\x01" * 4096
    path.write_bytes(bytes(header) + fat_bytes + directory + body)
    return path


def _record(kind: int, body: bytes) -> bytes:
    return struct.pack("<HH", kind, len(body)) + body


def _biff_text(text: str, length_bytes: int) -> bytes:
    raw = text.encode("utf-16-le")
    size = struct.pack("<B" if length_bytes == 1 else "<H", len(text))
    return size + b"\x01" + raw


def xls_workbook(path: Path, sheets: list[tuple[str, int, list[tuple[Cell, ...]]]]) -> Path:
    """A small BIFF8 .xls: ``(name, visibility, rows)`` per sheet; visibility 1 is hidden and
    2 very hidden. Written by hand because no .xls writer is installed; only what xlrd needs."""
    bof_globals = _record(0x0809, struct.pack("<HHHHII", 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 6))
    font_body = struct.pack("<HHHHHBBBB", 200, 0, 0x7FFF, 400, 0, 0, 0, 0, 0)
    font = _record(0x0031, font_body + _biff_text("Arial", 1))
    xf_body = struct.pack("<HHHBBBBIIH", 0, 0, 0xFFF5, 0x20, 0, 0, 0, 0, 0, 0x20C0)
    styles = _record(0x0042, struct.pack("<H", 1200)) + font
    styles += _record(0x00E0, xf_body) * 16 + _record(
        0x00E0, xf_body[:4] + b"\x01\x00" + xf_body[6:]
    )
    streams: list[bytes] = []
    for _name, _visibility, rows in sheets:
        body = _record(0x0809, struct.pack("<HHHHII", 0x0600, 0x0010, 0x0DBB, 0x07CC, 0, 6))
        ncols = max((len(r) for r in rows), default=0)
        body += _record(0x0200, struct.pack("<IIHHH", 0, len(rows), 0, ncols, 0))
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, str):
                    body += _record(0x0204, struct.pack("<HHH", r, c, 16) + _biff_text(value, 2))
                elif value is not None:
                    body += _record(0x0203, struct.pack("<HHHd", r, c, 16, float(value)))
        streams.append(body + _record(0x000A, b""))
    names = [_record(0x0085, bytes(6) + _biff_text(name, 1)) for name, _v, _r in sheets]
    eof = _record(0x000A, b"")
    offset = len(bof_globals) + len(styles) + sum(len(n) for n in names) + len(eof)
    globals_ = bof_globals + styles
    for (_name, visibility, _rows), record, body in zip(sheets, names, streams, strict=True):
        globals_ += record[:4] + struct.pack("<IBB", offset, visibility, 0) + record[10:]
        offset += len(body)
    return ole_file(path, "Workbook", globals_ + eof + b"".join(streams))


Cell = str | int | float | None


def rows_xlsx(path: Path, rows: list[tuple[Cell, ...]]) -> Path:
    """One sheet holding ``rows`` from A1 down; ``None`` leaves a cell empty."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "表1"
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if value is not None:
                ws.cell(r, c, value)
    wb.save(path)
    return path


def docx_table(path: Path, paragraphs: list[str], rows: list[tuple[str, ...]]) -> Path:
    """Paragraphs (title, issuer lines) followed by one plain table holding ``rows``."""
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    table = document.add_table(rows=len(rows), cols=max(len(r) for r in rows))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    document.save(str(path))
    return path
