"""Reading a demands CSV (the `qz burden check/import` contract). No database access.

Any problem in the file stops the whole batch with one plain line naming every bad row and
column (the first ten), so an import never stores half a file and a file is put right in one
go. The line is in the active language (gettext), Chinese on the command line.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from django.utils.translation import gettext as _

from qingzhuang.burden import limits
from qingzhuang.burden.models import Demand
from qingzhuang.burden.rules_engine import KINDS, DemandInput
from qingzhuang.core.textcodec import UndecodableText, decode_bytes
from qingzhuang.i18n import join_list

COLUMNS = (
    "kind",
    "title",
    "issuer",
    "received",
    "deadline",
    "chars",
    "asks_followup",
    "duration_minutes",
    "covered_by_document",
    "approval_code",
    "demand",
)
KIND_NAMES = {"报表": "report", "文件": "document", "会议": "meeting", "督查": "inspection"}
TRUE = {"1", "true", "yes", "y", "是"}
FALSE = {"", "0", "false", "no", "n", "否"}


# How many problems one error line names; the rest are counted.
SHOWN_PROBLEMS = 10

T = TypeVar("T")


class CsvError(ValueError):
    """Plain problems with the file, in the active language, shown as one line."""

    def __init__(self, *problems: str) -> None:
        self.problems = list(problems)
        shown = self.problems[:SHOWN_PROBLEMS]
        if len(self.problems) > len(shown):
            shown.append(
                _("另有%(n)s处问题，未一一列出。") % {"n": len(self.problems) - len(shown)}
            )
        super().__init__(" ".join(shown))


@dataclass
class CsvRow:
    row: int  # 1-based data row (the header and blank rows are not counted): the CLI contract
    demand: DemandInput


# Dates as WPS/Excel write them in a Chinese locale: 2026-03-05, 2026/3/5, 2026.3.5,
# 2026年3月5日, optionally followed by a time of day (a datetime cell saved as text).
DATE = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?"
)
# A whole number, also as spreadsheets sometimes write one ("90.0").
INTEGER = re.compile(r"[+-]?\d+(?:\.0*)?")
# The Demand field each numeric column fills (its bounds are the field's).
NUMBER_FIELDS = {"chars": "chars", "duration_minutes": "duration_minutes"}


def _date(value: str, row: int, col: str) -> date | None:
    if not value:
        return None
    found = DATE.fullmatch(value)
    try:
        if found is None:
            raise ValueError(value)
        parsed = date(*(int(part) for part in found.groups()))
    except ValueError:
        raise CsvError(
            _(
                "第%(row)s行 %(column)s 列：日期“%(value)s”无效，请写成 YYYY-MM-DD，例如 2026-03-05。"
            )
            % {"row": row, "column": col, "value": value}
        ) from None
    problem = limits.date_problem(parsed)
    if problem:
        raise CsvError(
            _("第%(row)s行 %(column)s 列：%(problem)s")
            % {"row": row, "column": col, "problem": problem}
        )
    return parsed


def _int(value: str, row: int, col: str) -> int | None:
    if not value:
        return None
    if INTEGER.fullmatch(value) is None:
        raise CsvError(
            _("第%(row)s行 %(column)s 列：“%(value)s”不是数字，请填写整数或留空。")
            % {"row": row, "column": col, "value": value}
        )
    number = int(value.split(".", 1)[0])
    if number < 0:
        raise CsvError(
            _("第%(row)s行 %(column)s 列：数值不能为负数。") % {"row": row, "column": col}
        )
    highest = limits.max_value(Demand, NUMBER_FIELDS[col])
    if number > highest:
        raise CsvError(
            _("第%(row)s行 %(column)s 列：数值不能大于%(max)s，请核对。")
            % {"row": row, "column": col, "max": highest}
        )
    return number


def _flag(value: str, row: int, col: str) -> bool:
    v = value.strip().lower()
    if v in TRUE:
        return True
    if v in FALSE:
        return False
    raise CsvError(
        _("第%(row)s行 %(column)s 列：请填 0 或 1（当前是“%(value)s”）。")
        % {"row": row, "column": col, "value": value}
    )


def _kind(value: str, row: int, _col: str = "kind") -> str:
    v = value.strip().lower()
    v = KIND_NAMES.get(v, v)
    if v not in KINDS:
        raise CsvError(
            _(
                "第%(row)s行 kind 列：类别“%(value)s”无效，只能是 report、document、meeting、inspection 或 app。"
            )
            % {"row": row, "value": value}
        )
    return v


def parse_row(rec: dict[str, str], row: int) -> DemandInput:
    """One data row, or CsvError naming every bad column of it."""
    problems: list[str] = []

    def g(col: str) -> str:
        return (rec.get(col) or "").strip()

    def read(parse: Callable[..., T], col: str, fallback: T) -> T:
        try:
            return parse(g(col), row, col)
        except CsvError as exc:
            problems.extend(exc.problems)
            return fallback

    demand = DemandInput(
        kind=read(_kind, "kind", ""),
        title=g("title"),
        issuer=g("issuer"),
        received=read(_date, "received", None),
        deadline=read(_date, "deadline", None),
        chars=read(_int, "chars", None),
        asks_followup=read(_flag, "asks_followup", False),
        duration_minutes=read(_int, "duration_minutes", None),
        covered_by_document=read(_flag, "covered_by_document", False),
        approval_code=g("approval_code"),
        demand_text=g("demand"),
    )
    if problems:
        raise CsvError(*problems)
    return demand


def parse_demands_csv(data: bytes) -> list[CsvRow]:
    """Parse the whole file or raise CsvError; blank lines are skipped.

    UTF-8 (with or without BOM) and GBK/GB18030 are read, as WPS/Excel save them.
    """
    try:
        text, _encoding = decode_bytes(data)
    except UndecodableText as exc:
        raise CsvError(exc.message) from exc
    records = csv.reader(io.StringIO(text))
    header = [h.strip().lower() for h in next(records, [])]
    if not any(header):
        raise CsvError(
            _("文件是空的：第一行应是列名 %(columns)s。") % {"columns": ",".join(COLUMNS)}
        )
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise CsvError(
            _("缺少列：%(missing)s。第一行应包含 %(columns)s。")
            % {"missing": join_list(missing), "columns": ",".join(COLUMNS)}
        )
    rows: list[CsvRow] = []
    problems: list[str] = []
    # `row` is the 1-based data row, as `qz burden check --json` promises outside checks
    # (DESIGN.md, the burden-ledger contract); a line break inside a cell is still one row.
    number = 0
    for values in records:
        if not any(v.strip() for v in values):
            continue
        number += 1
        rec = dict(zip(header, values, strict=False))
        try:
            rows.append(CsvRow(row=number, demand=parse_row(rec, number)))
        except CsvError as exc:
            problems.extend(exc.problems)
    if problems:
        raise CsvError(*problems)
    return rows


def parse_demands_xlsx(data: bytes) -> list[CsvRow]:
    """The same columns from the first sheet of an xlsx file (as saved by WPS/Excel)."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise CsvError(_("xlsx 文件无法打开，请确认文件未损坏，或另存为 CSV UTF-8。")) from None
    ws = wb.worksheets[0]
    out = io.StringIO()
    writer = csv.writer(out)
    for values in ws.iter_rows(values_only=True):
        cells = []
        for v in values:
            if isinstance(v, date):
                cells.append(v.strftime("%Y-%m-%d"))
            elif isinstance(v, float) and v.is_integer():
                cells.append(str(int(v)))
            else:
                cells.append("" if v is None else str(v))
        writer.writerow(cells)
    wb.close()
    return parse_demands_csv(out.getvalue().encode("utf-8"))
