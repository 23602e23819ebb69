"""CSV/xlsx exports of dashboard tables, and the monthly evaluation report (xlsx and PDF)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _

from qingzhuang.evaluation.dashboard import Dataset

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Neutralise spreadsheet formula injection: text starting with = + - @ gets a leading '."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return "" if value is None else value


def csv_bytes(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow([safe_cell(h) for h in headers])
    for r in rows:
        w.writerow([safe_cell(c) for c in r])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")  # BOM so Excel/WPS read Chinese right


def xlsx_bytes(sheets: Sequence[Dataset]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    wb.remove(wb.active)  # type: ignore[arg-type]
    for ds in sheets:
        ws = wb.create_sheet(ds.key[:31])
        ws.append([safe_cell(ds.title)])
        ws["A1"].font = Font(bold=True, size=13)
        ws.append([safe_cell(h) for h in ds.headers])
        for cell in ws[2]:
            cell.font = Font(bold=True)
        for r in ds.rows:
            ws.append([safe_cell(c) for c in r])
        for i, h in enumerate(ds.headers, start=1):
            ws.column_dimensions[ws.cell(row=2, column=i).column_letter].width = max(
                10, len(str(h)) * 2 + 2
            )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def download(content: bytes, filename: str, fmt: str) -> HttpResponse:
    ctype = {
        "csv": "text/csv; charset=utf-8",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "pdf": "application/pdf",
    }[fmt]
    resp = HttpResponse(content, content_type=ctype)
    from urllib.parse import quote

    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return resp


def dataset_response(ds: Dataset, fmt: str, stem: str) -> HttpResponse:
    if fmt == "xlsx":
        return download(xlsx_bytes([ds]), f"{stem}-{ds.key}.xlsx", "xlsx")
    return download(csv_bytes(ds.headers, ds.rows), f"{stem}-{ds.key}.csv", "csv")


def pdf_bytes(title: str, subtitle: str, sheets: Sequence[Dataset]) -> bytes:
    """A printable A4 report; STSong-Light is a CID font built into reportlab (no font files)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = "STSong-Light"
    if font not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(font))
    h1 = ParagraphStyle("h1", fontName=font, fontSize=16, leading=22)
    h2 = ParagraphStyle("h2", fontName=font, fontSize=12, leading=18, spaceBefore=8)
    cell = ParagraphStyle("cell", fontName=font, fontSize=8, leading=10)
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=title,
    )
    story: list[Any] = [Paragraph(title, h1), Paragraph(subtitle, cell), Spacer(1, 4 * mm)]
    for ds in sheets:
        story.append(Paragraph(ds.title, h2))
        if not ds.rows:
            story.append(Paragraph(_("（本期无数据）"), cell))
            continue
        data = [[Paragraph(str(h), cell) for h in ds.headers]]
        data += [[Paragraph("" if c is None else str(c), cell) for c in r] for r in ds.rows]
        t = Table(data, repeatRows=1)
        t.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f7")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        story.append(t)
    doc.build(story)
    return buf.getvalue()
