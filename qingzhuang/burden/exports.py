"""Exports: the yearly catalogue of approved forms (xlsx) and the monthly burden report
(xlsx and a printable PDF in a built-in CJK font, so no font file has to ship)."""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

KIND_LABELS = {
    "report": "报表",
    "document": "文件",
    "meeting": "会议",
    "inspection": "督查检查考核",
    "app": "APP/工作群要求",
}


def _sheet(wb: Workbook, title: str, header: list[str], rows: list[list[Any]], first: bool) -> None:
    ws = wb.active if first else wb.create_sheet()
    assert ws is not None  # noqa: S101 - a new workbook always has an active sheet
    ws.title = title
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(row)
    for col in ws.columns:
        width = max(len(str(c.value or "")) for c in col)
        ws.column_dimensions[col[0].column_letter].width = min(60, max(8, width * 2))
    ws.freeze_panes = "A2"


def catalogue_xlsx(year: int, reviews: list[Any]) -> bytes:
    wb = Workbook()
    rows = [
        [
            i,
            r.title,
            r.department.name,
            r.legal_basis,
            r.frequency_per_year,
            r.respondents,
            float(r.burden_hours),
            r.analysis.get("held_percent", 0),
            r.decided_at.date().isoformat() if r.decided_at else "",
            r.reason,
        ]
        for i, r in enumerate(reviews, start=1)
    ]
    _sheet(
        wb,
        f"{year}年准入目录",
        [
            "序号",
            "报表名称",
            "申请部门",
            "依据",
            "每年次数",
            "填报单位数",
            "年负担(小时)",
            "已有数据比例(%)",
            "准入日期",
            "审查意见",
        ],  # fmt: skip
        rows,
        True,
    )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def report_xlsx(report: dict[str, Any]) -> bytes:
    wb = Workbook()
    demands = [
        [
            d["received"],
            KIND_LABELS.get(d["kind"], d["kind"]),
            d["title"],
            d["issuer"],
            d["hours"],
            "；".join(d["rules"]),
        ]  # fmt: skip
        for d in report["demands"]
    ]
    _sheet(
        wb,
        "事项明细",
        ["收到日期", "类别", "名称", "下达部门", "负担(小时)", "问题"],
        demands,
        True,
    )
    _sheet(
        wb,
        "按部门",
        ["下达部门", "事项数", "负担(小时)", "问题数"],
        [[r["issuer"], r["count"], r["hours"], r["findings"]] for r in report["by_issuer"]],
        False,
    )
    _sheet(
        wb,
        "按类别",
        ["类别", "事项数", "负担(小时)"],
        [
            [KIND_LABELS.get(r["kind"], r["kind"]), r["count"], r["hours"]]
            for r in report["by_kind"]
        ],
        False,
    )
    _sheet(
        wb,
        "问题",
        ["规则", "名称", "次数"],
        [[r["rule"], r["title"], r["count"]] for r in report["findings"]],
        False,
    )
    summary = wb.create_sheet("汇总", 0)
    summary.append([report["title"]])
    summary["A1"].font = Font(bold=True, size=14)
    for label, value in report["summary"]:
        summary.append([label, value])
    summary.column_dimensions["A"].width = 30
    summary.column_dimensions["B"].width = 20
    for row in summary.iter_rows(min_row=2):
        row[0].alignment = Alignment(horizontal="left")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def report_pdf(report: dict[str, Any]) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = "STSong-Light"
    if font not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(font))
    h1 = ParagraphStyle("h1", fontName=font, fontSize=16, leading=22, spaceAfter=6)
    h2 = ParagraphStyle("h2", fontName=font, fontSize=12, leading=18, spaceBefore=8, spaceAfter=4)
    body = ParagraphStyle("b", fontName=font, fontSize=9, leading=13, wordWrap="CJK")

    def para(value: Any, style: ParagraphStyle) -> Paragraph:
        # Paragraph parses its text as markup (<img src>, <link>, <font>): what people typed,
        # including titles imported from outside departments, must reach it as plain text.
        return Paragraph(escape(str(value)), style)

    def table(header: list[str], rows: list[list[Any]], widths: list[float]) -> Table:
        data = [[para(c, body) for c in header]]
        data += [[para(c, body) for c in row] for row in rows]
        t = Table(data, colWidths=[w * mm for w in widths], repeatRows=1)
        t.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        return t

    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm,
        bottomMargin=15 * mm, title=report["title"],
    )  # fmt: skip
    story: list[Any] = [para(report["title"], h1)]
    story.append(table(["项目", "数值"], [list(s) for s in report["summary"]], [90, 60]))
    story.append(para("按下达部门", h2))
    story.append(
        table(
            ["下达部门", "事项数", "负担(小时)", "问题数"],
            [[r["issuer"], r["count"], r["hours"], r["findings"]] for r in report["by_issuer"]],
            [80, 25, 35, 25],
        )
    )
    story.append(para("发现的问题", h2))
    story.append(
        table(
            ["规则", "名称", "次数"],
            [[r["rule"], r["title"], r["count"]] for r in report["findings"]]
            or [["—", "本月无", 0]],
            [50, 90, 25],
        )
    )
    story.append(Spacer(1, 4 * mm))
    story.append(para("事项明细", h2))
    story.append(
        table(
            ["收到日期", "类别", "名称", "下达部门", "小时", "问题"],
            [
                [
                    d["received"],
                    KIND_LABELS.get(d["kind"], d["kind"]),
                    d["title"],
                    d["issuer"],
                    d["hours"],
                    "；".join(d["rules"]) or "—",
                ]  # fmt: skip
                for d in report["demands"]
            ],
            [20, 18, 50, 32, 14, 46],
        )
    )
    doc.build(story)
    return buf.getvalue()
