"""Test forms generated with openpyxl: merged multi-row headers, village rows, totals."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.styles import Alignment, Border, Font, Side

THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def _title(ws: Any, title: str, issuer: str, last_col: str) -> None:
    ws["A1"] = title
    ws["A1"].font = Font(name="宋体", size=16, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.merge_cells(f"A1:{last_col}1")
    ws["A2"] = "填报单位：测试镇人民政府"
    ws[f"{last_col}2"] = f"制表机关：{issuer}"


def _rows(
    ws: Any, first: int, names: list[str], ncols: int, values: dict[str, list[Any]] | None
) -> None:
    for i, name in enumerate(names):
        r = first + i
        ws.cell(r, 1, None if name == "合计" else i + 1)
        ws.cell(r, 2, name)
        for c in range(1, ncols + 1):
            ws.cell(r, c).border = BOX
        if values and name in values:
            for j, v in enumerate(values[name]):
                if v is not None:
                    ws.cell(r, 3 + j, v)
    ws.cell(first + len(names) + 1, 1, "单位负责人：        填表人：        联系电话：")


def minzheng_xlsx(path: Path, values: dict[str, list[Any]] | None = None) -> Path:
    """县民政局 村级低保与养老统计表: 人口情况 > 户籍人口/常住人口/60岁以上老年人口, 低保户数."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "低保养老"
    _title(ws, "村级低保与养老统计表", "测试县民政局", "F")
    ws["A3"], ws["B3"], ws["C3"], ws["F3"] = "序号", "村名", "人口情况", "低保户数（户）"
    ws.merge_cells("A3:A5")
    ws.merge_cells("B3:B5")
    ws.merge_cells("C3:E3")
    ws.merge_cells("F3:F5")
    ws["C4"], ws["D4"], ws["E4"] = "户籍人口（人）", "常住人口（人）", "60岁以上老年人口（人）"
    for col in "CDE":
        ws.merge_cells(f"{col}4:{col}5")
    ws.column_dimensions["B"].width = 18
    ws.column_dimensions["E"].width = 22
    _rows(ws, 6, ["东村", "西村", "合计"], 6, values)
    ws["F8"] = "=SUM(F6:F7)"
    wb.create_sheet("填表说明")["A1"] = "本表每年报送一次。"
    wb.save(path)
    return path


def tongji_xlsx(path: Path, values: dict[str, list[Any]] | None = None) -> Path:
    """县统计局 村基本情况表: party-branch row names, 户籍人口/常住人口/耕地面积/集体收入."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "基本情况"
    _title(ws, "村基本情况表", "测试县统计局", "F")
    ws["A3"], ws["B3"], ws["C3"], ws["E3"], ws["F3"] = (
        "序号",
        "单位名称",
        "人口",
        "耕地面积（亩）",
        "村集体经济收入（万元）",
    )
    ws.merge_cells("A3:A4")
    ws.merge_cells("B3:B4")
    ws.merge_cells("C3:D3")
    ws.merge_cells("E3:E4")
    ws.merge_cells("F3:F4")
    ws["C4"], ws["D4"] = "户籍人口（人）", "常住人口（人）"
    ws.column_dimensions["B"].width = 26
    ws.row_dimensions[3].height = 30
    _rows(ws, 5, ["中共东村支部委员会", "西村村民委员会", "合计"], 6, values)
    wb.save(path)
    return path


def nongye_xlsx(path: Path, values: dict[str, list[Any]] | None = None) -> Path:
    """县农业农村局 农村劳动力情况表: 户籍人口, 60岁以上老年人口, 劳动力人数, 耕地面积."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "劳动力"
    _title(ws, "农村劳动力情况表", "测试县农业农村局", "F")
    ws["A3"], ws["B3"], ws["C3"], ws["E3"], ws["F3"] = (
        "序号",
        "村(社区)",
        "人口",
        "农村劳动力人数（人）",
        "耕地面积（亩）",
    )
    ws.merge_cells("A3:A4")
    ws.merge_cells("B3:B4")
    ws.merge_cells("C3:D3")
    ws.merge_cells("E3:E4")
    ws.merge_cells("F3:F4")
    ws["C4"], ws["D4"] = "户籍人口（人）", "60岁以上老年人口（人）"
    ws.column_dimensions["C"].width = 14
    _rows(ws, 5, ["西村", "东村", "小计"], 6, values)
    wb.save(path)
    return path


def township_list_xlsx(path: Path) -> Path:
    """A township-level indicator list: 指标名称 | 计量单位 | 代码 | 本期数."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "全镇"
    ws["A1"] = "乡镇基本情况"
    ws["A2"] = "制表机关：测试县统计局"
    rows = [
        ("指标名称", "计量单位", "代码", "本期数"),
        ("甲", "乙", "丙", 1),
        ("户籍人口", "人", "01", None),
        ("常住人口", "人", "02", None),
        ("村集体经济收入", "万元", "03", None),
    ]
    for r, row in enumerate(rows, start=4):
        for c, v in enumerate(row, start=1):
            ws.cell(r, c, v).border = BOX
    wb.save(path)
    return path
