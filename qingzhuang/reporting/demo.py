"""Demo report templates: three county departments asking overlapping questions."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import openpyxl
from django.db import transaction
from openpyxl.styles import Alignment, Border, Font, Side

from qingzhuang.core.demo import DemoContext
from qingzhuang.reporting.models import ReportTemplate

_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)

# (file, title, issuer, frequency, two-level header: [(group or "", leaf), ...], row-name header)
DEMO_FORMS: list[tuple[str, str, str, str, list[tuple[str, str]], str]] = [
    (
        "村级低保与养老统计表.xlsx",
        "村级低保与养老统计表",
        "示范县民政局",
        "quarterly",
        [
            ("人口情况", "户籍人口（人）"),
            ("人口情况", "常住人口（人）"),
            ("人口情况", "60岁以上老年人口（人）"),
            ("低保", "低保户数（户）"),
            ("低保", "低保人数（人）"),
        ],
        "村(社区)",
    ),
    (
        "村基本情况表.xlsx",
        "村基本情况表",
        "示范县统计局",
        "yearly",
        [
            ("人口", "户籍人口（人）"),
            ("人口", "常住人口（人）"),
            ("", "耕地面积（亩）"),
            ("", "村集体经济收入（万元）"),
        ],
        "单位名称",
    ),
    (
        "农村劳动力情况表.xlsx",
        "农村劳动力情况表",
        "示范县农业农村局",
        "yearly",
        [
            ("人口", "户籍人口（人）"),
            ("人口", "60岁以上老年人口（人）"),
            ("劳动力", "农村劳动力人数（人）"),
            ("劳动力", "外出务工人数（人）"),
            ("", "耕地面积（亩）"),
        ],
        "村名",
    ),
]


def build_form(
    path: Path,
    title: str,
    issuer: str,
    columns: list[tuple[str, str]],
    row_header: str,
    villages: list[str],
) -> Path:
    """A realistic county form: title, 制表机关 line, merged two-row header, one row per village."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title[:20]
    last = openpyxl.utils.get_column_letter(2 + len(columns))
    ws["A1"] = title
    ws["A1"].font = Font(name="宋体", size=16, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.merge_cells(f"A1:{last}1")
    ws["A2"] = "填报单位：示范镇人民政府"
    ws[f"{last}2"] = f"制表机关：{issuer}"
    ws["A3"], ws["B3"] = "序号", row_header
    ws.merge_cells("A3:A4")
    ws.merge_cells("B3:B4")
    ws.column_dimensions["B"].width = 16
    c = 3
    while c < 3 + len(columns):
        group = columns[c - 3][0]
        span = 1
        while group and c - 3 + span < len(columns) and columns[c - 3 + span][0] == group:
            span += 1
        col = openpyxl.utils.get_column_letter(c)
        if group:
            ws.cell(3, c, group)
            if span > 1:
                ws.merge_cells(start_row=3, start_column=c, end_row=3, end_column=c + span - 1)
            for k in range(span):
                ws.cell(4, c + k, columns[c - 3 + k][1])
        else:
            ws.cell(3, c, columns[c - 3][1])
            ws.merge_cells(f"{col}3:{col}4")
        c += span
    for i in range(3, 3 + len(columns)):
        ws.column_dimensions[openpyxl.utils.get_column_letter(i)].width = 14
    rows = [*villages, "合计"]
    for r, name in enumerate(rows, start=5):
        ws.cell(r, 1, None if name == "合计" else r - 4)
        ws.cell(r, 2, name)
        for k in range(1, 3 + len(columns)):
            ws.cell(r, k).border = _BOX
    ws.cell(6 + len(rows), 1, "单位负责人：        填表人：        报出日期：")
    wb.save(path)
    return path


@transaction.atomic
def seed(ctx: DemoContext) -> None:
    from qingzhuang.datastore.services import template_automap
    from qingzhuang.reporting.services import redundancy_analyse, template_import

    names = [v.name for v in ctx.villages]
    created = 0
    with tempfile.TemporaryDirectory() as tmp:
        for file, title, issuer, frequency, columns, row_header in DEMO_FORMS:
            if ReportTemplate.objects.filter(title=title, issuer__name=issuer).exists():
                continue
            path = build_form(Path(tmp) / file, title, issuer, columns, row_header, names)
            template = template_import(
                path=path, actor="demo", frequency=frequency, legal_basis="演示数据"
            ).template
            template_automap(template=template, actor="demo")
            created += 1
    if created:
        redundancy_analyse(actor="demo")
    ctx.extra["demo_forms"] = [f[1] for f in DEMO_FORMS]
    ctx.say(f"报表模板：{len(DEMO_FORMS)} 张（新入库 {created} 张），已分析重复数据项")


def demo_templates() -> list[Any]:
    return list(ReportTemplate.objects.filter(title__in=[f[1] for f in DEMO_FORMS]))
