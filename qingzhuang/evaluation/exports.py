"""CSV/xlsx exports of dashboard tables, and the monthly evaluation report (xlsx and PDF)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
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


# --- the printable report ------------------------------------------------------------------

FONT = "STSong-Light"  # a CID font built into reportlab: no font files to ship
FONT_SIZE = 8
PAD = 3  # points left and right inside a cell
TEXT_WRAP = 64  # text cells wider than this (points) may wrap; numbers never do
# Unbreakable runs: a short parenthetical such as （样本不足） or (小时), a number, an interval
# such as 20.7–100.0, an ASCII word; other characters (CJK) are break opportunities on their own.
_RUN = re.compile(r"[（(][^（）()\s]{1,8}[）)]|[\x21-\x27\x2a-\x7e–—·]+|\s+|.")
_CLOSING = tuple("，。、；：！？）)】》”’%")
_OPENING = tuple("（(【《“‘")


def _measure(text: str) -> float:
    from reportlab.pdfbase import pdfmetrics

    return float(pdfmetrics.stringWidth(text, FONT, FONT_SIZE))


def _cell_text(value: Any) -> str:
    return "" if value is None else str(value)


def _tokens(text: str) -> list[str]:
    """Runs that must stay on one line: closing punctuation and a unit such as (%) stick to
    what precedes them, an opening bracket to what follows."""
    out: list[str] = []
    for t in _RUN.findall(text):
        glue = (
            bool(out)
            and not out[-1].isspace()
            and not t.isspace()
            and (
                t.startswith(_CLOSING)
                or (t.startswith(_OPENING) and len(t) <= 3)
                or out[-1].endswith(_OPENING)
            )
        )
        if glue:
            out[-1] += t
        else:
            out.append(t)
    return out


def wrap_text(text: str, width: float) -> list[str]:
    """Greedy line breaking that never splits a number or an ASCII word (a run longer than
    the width gets a line of its own)."""
    lines: list[str] = []
    line = ""
    for token in _tokens(text):
        if line and _measure(line + token) > width and not token.isspace():
            lines.append(line.rstrip())
            line = token.lstrip()
        else:
            line += token
    if line or not lines:
        lines.append(line.rstrip())
    return lines


def _widest_token(text: str) -> float:
    return max((_measure(t) for t in _tokens(text) if not t.isspace()), default=0.0)


def _two_line_width(text: str) -> float:
    """The narrowest width at which the text fits on two lines, split between runs and never
    leaving a single character alone on a line (short headers stay on one line)."""
    tokens = _tokens(text)
    return min(
        (
            max(_measure("".join(tokens[:i]).rstrip()), _measure("".join(tokens[i:]).lstrip()))
            for i in range(2, len(tokens) - 1)
        ),
        default=_measure(text),
    )


@dataclass
class ColumnGroup:
    """Columns printed together on the page width: the key columns first, then a slice."""

    columns: list[int]
    widths: list[float]  # points, padding included


def _column_limits(ds: Dataset) -> list[tuple[float, float]]:
    """(narrowest, natural) width of every column, padding included.

    Numbers keep their natural width. Text may wrap down to TEXT_WRAP (never inside a run);
    a header may wrap onto two lines but is never narrower than the widest value below it.
    """
    out = []
    for j, header in enumerate(ds.headers):
        low = high = 0.0
        for row in ds.rows:
            value = row[j] if j < len(row) else None
            text = _cell_text(value)
            full = _measure(text)
            high = max(high, full)
            if isinstance(value, (int, float)) or full <= TEXT_WRAP:
                low = max(low, full)
            else:
                low = max(low, TEXT_WRAP, _widest_token(text))
        head = _measure(header)
        high = max(high, head)
        low = max(low, _two_line_width(header))
        out.append((low + 2 * PAD, high + 2 * PAD))
    return out


def column_groups(ds: Dataset, page_width: float) -> list[ColumnGroup]:
    """Split the columns into groups that each fit the page, repeating the key columns.

    Bundled columns (a rate, its sample and interval) stay in one group. Within a group the
    room left over widens the wrapped columns toward their natural width.
    """
    limits = _column_limits(ds)
    keys = list(range(min(ds.key_columns, len(ds.headers))))
    start_of = dict(ds.bundles)
    runs: list[list[int]] = []
    j = len(keys)
    while j < len(ds.headers):
        end = max(start_of.get(j, j + 1), j + 1)
        runs.append(list(range(j, min(end, len(ds.headers)))))
        j = end
    key_width = sum(limits[k][0] for k in keys)
    low = [sum(limits[c][0] for c in run) for run in runs]
    high = [sum(limits[c][1] for c in run) for run in runs]
    groups = [
        [c for run in runs[a:b] for c in run]
        for a, b in _balanced(low, high, max(page_width - key_width, 1.0))
    ]
    out = []
    for cols in groups or [[]]:
        columns = keys + cols
        low = [limits[c][0] for c in columns]
        high = [limits[c][1] for c in columns]
        spare = page_width - sum(low)
        stretch = sum(high) - sum(low)
        share = 1.0 if stretch <= spare else max(spare, 0.0) / stretch
        widths = [lo + (hi - lo) * share for lo, hi in zip(low, high, strict=True)]
        out.append(ColumnGroup(columns, widths))
    return out


def _balanced(low: list[float], high: list[float], room: float) -> list[tuple[int, int]]:
    """Cut a row of runs into as few contiguous slices as fit `room` at their narrowest (greedy),
    then place the cuts so the widest slice at natural width is as narrow as possible: groups
    of similar width, not a full page followed by a sliver."""
    count = 0
    used = room
    for size in low:
        if count == 0 or used + size > room:
            count += 1
            used = 0.0
        used += size
    n = len(low)
    if n == 0:
        return []
    lo_sum, hi_sum = [0.0], [0.0]
    for a, b in zip(low, high, strict=True):
        lo_sum.append(lo_sum[-1] + a)
        hi_sum.append(hi_sum[-1] + b)
    inf = float("inf")
    # best[g][i]: the narrowest possible widest slice when the first i runs form g slices
    best = [[inf] * (n + 1) for _ in range(count + 1)]
    cut = [[0] * (n + 1) for _ in range(count + 1)]
    best[0][0] = 0.0
    for g in range(1, count + 1):
        for i in range(1, n + 1):
            for j in range(g - 1, i):
                fits = lo_sum[i] - lo_sum[j] <= room or i - j == 1
                value = max(best[g - 1][j], hi_sum[i] - hi_sum[j])
                if fits and value < best[g][i]:
                    best[g][i], cut[g][i] = value, j
    slices = []
    i = n
    for g in range(count, 0, -1):
        slices.append((cut[g][i], i))
        i = cut[g][i]
    return list(reversed(slices))


def _table(ds: Dataset, group: ColumnGroup) -> Any:
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    inner = [w - 2 * PAD for w in group.widths]
    data = [
        ["\n".join(wrap_text(ds.headers[c], w)) for c, w in zip(group.columns, inner, strict=True)]
    ]
    for row in ds.rows:
        cells = []
        for c, w in zip(group.columns, inner, strict=True):
            value = row[c] if c < len(row) else None
            text = _cell_text(value)
            cells.append(text if isinstance(value, (int, float)) else "\n".join(wrap_text(text, w)))
        data.append(cells)
    numeric = [
        i
        for i, c in enumerate(group.columns)
        if any(isinstance(r[c], (int, float)) for r in ds.rows if c < len(r))
    ]
    style = [
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("FONTSIZE", (0, 0), (-1, -1), FONT_SIZE),
        ("LEADING", (0, 0), (-1, -1), FONT_SIZE + 2),
        ("LEFTPADDING", (0, 0), (-1, -1), PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), PAD),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f7")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        *[("ALIGN", (i, 1), (i, -1), "RIGHT") for i in numeric],
    ]
    table = Table(data, colWidths=group.widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle(style))
    return table


def pdf_bytes(title: str, subtitle: str, sheets: Sequence[Dataset]) -> bytes:
    """A printable A4 landscape report. A table wider than the page is printed as several
    column groups, each repeating the unit column, and numbers never break across lines."""
    from xml.sax.saxutils import escape

    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    h1 = ParagraphStyle("h1", fontName=FONT, fontSize=16, leading=22)
    h2 = ParagraphStyle("h2", fontName=FONT, fontSize=12, leading=18, spaceBefore=8)
    cell = ParagraphStyle("cell", fontName=FONT, fontSize=FONT_SIZE, leading=FONT_SIZE + 2)
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
    story: list[Any] = [
        Paragraph(escape(title), h1),
        Paragraph(escape(subtitle), cell),
        Spacer(1, 4 * mm),
    ]
    for ds in sheets:
        if not ds.rows:
            story.append(Paragraph(escape(ds.title), h2))
            story.append(Paragraph(escape(_("（本期无数据）")), cell))
            continue
        groups = column_groups(ds, doc.width)
        for n, group in enumerate(groups, start=1):
            heading = ds.title if len(groups) == 1 else f"{ds.title} ({n}/{len(groups)})"
            # the heading stays with the first rows of its table
            story.append(KeepTogether([Paragraph(escape(heading), h2), Spacer(1, 2)]))
            story.append(_table(ds, group))
    doc.build(story)
    return buf.getvalue()
