from __future__ import annotations

import io
from typing import Any

HEADER = "kind,title,issuer,received,deadline,chars,asks_followup,duration_minutes,covered_by_document,approval_code,demand\n"

# One row per rule that a CSV can trigger (FORM_NOT_ADMITTED: a report outside the catalogue).
VIOLATING = HEADER + (
    "document,关于开展专项整治的实施方案,县民政局,2026-02-13,2026-02-24,4500,1,,,,\n"
    "document,综合工作要点,县统计局,2026-03-02,2026-03-31,5200,0,,,,\n"
    "meeting,全县推进会,县农业农村局,2026-03-02,,,,120,1,,\n"
    "inspection,卫生考核,县卫健局,2026-03-03,2026-03-31,,,,,,\n"
    "inspection,卫生考核二,县卫健局,2026-05-03,2026-05-29,,,,,A-2,\n"
    "inspection,卫生考核三,县卫健局,2026-07-03,2026-07-31,,,,,A-3,\n"
    "app,河长群,县生态环境局,2026-03-04,,,,,,,每日打卡并上传工作照片按在线时长排名\n"
    "report,新报表,县统计局,2026-03-05,2026-03-30,,,,,,\n"
)
CLEAN = HEADER + (
    "document,关于做好防汛工作的通知,县民政局,2026-03-02,2026-03-16,3000,0,,,,\n"
    "meeting,调度会,县农业农村局,2026-03-02,,,,60,0,,\n"
    "inspection,安全检查,县应急局,2026-03-03,2026-03-31,,,,,SFX-2026-01,\n"
    "app,健康档案系统,县卫健局,2026-03-04,,,,,,,每月更新一次随访数据\n"
    "\n"
)


def xlsx_form(title: str, fields: list[str]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws: Any = wb.active
    ws["A1"] = title
    ws.append(["村(社区)", *fields])
    ws.append(["东村"])
    ws.append(["合计"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
