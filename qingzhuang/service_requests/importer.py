"""Bulk import of 12345 hotline exports (CSV/XLSX) with a column mapping.

All-or-nothing: if any row is wrong nothing is stored and the first problems are listed by row.
Re-importing the same export changes nothing (the hotline ticket number is the idempotency key).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qingzhuang.core.errors import InvalidInput
from qingzhuang.core.textcodec import decode_bytes
from qingzhuang.i18n import join_clauses, join_list
from qingzhuang.org.models import OrgUnit
from qingzhuang.service_requests.models import Channel, RequestType
from qingzhuang.service_requests.phones import normalise_phone

TYPE_WORDS = {str(label): value for value, label in RequestType.choices} | {
    "求助": "help",
    "咨询": "consult",
    "投诉": "complaint",
    "举报": "report",
    "建议": "suggestion",
    "表扬": "praise",
    "意见建议": "suggestion",
    "感谢": "praise",
}


@dataclass
class ImportResult:
    created: int = 0
    unchanged: int = 0
    rows: int = 0
    tracking_codes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "created": self.created, "unchanged": self.unchanged}


def read_table(name: str, content: bytes) -> tuple[list[str], list[dict[str, str]]]:
    """Header row + data rows as strings, from CSV (UTF-8/GBK) or XLSX."""
    lower = name.lower()
    if lower.endswith((".xlsx", ".xlsm", ".xls")):
        from python_calamine import CalamineWorkbook

        wb = CalamineWorkbook.from_filelike(io.BytesIO(content))
        data = wb.get_sheet_by_index(0).to_python()
        if not data:
            raise InvalidInput(_("表格是空的。"))
        headers = [str(h).strip() for h in data[0]]
        rows = [
            {h: _cell(v) for h, v in zip(headers, row, strict=False)}
            for row in data[1:]
            if any(str(v).strip() for v in row)
        ]
        return headers, rows
    if not lower.endswith((".csv", ".txt")):
        raise InvalidInput(_("只支持 CSV 或 XLSX 文件。"))
    text, _encoding = decode_bytes(content)
    reader = csv.DictReader(io.StringIO(text))
    headers = [h.strip() for h in reader.fieldnames or []]
    rows = [{(k or "").strip(): (v or "").strip() for k, v in r.items()} for r in reader]
    return headers, rows


def _cell(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    return str(value).strip()


def _parse_time(raw: str) -> dt.datetime | None:
    raw = raw.strip()
    if not raw:
        return None
    for fmt in (
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y/%m/%d %H:%M:%S",
        "%Y/%m/%d %H:%M",
        "%Y-%m-%d",
        "%Y/%m/%d",
    ):
        try:
            return timezone.make_aware(dt.datetime.strptime(raw, fmt))  # noqa: DTZ007 - made aware
        except ValueError:
            continue
    return None


def requests_import(
    *,
    rows: list[dict[str, str]],
    mapping: dict[str, str],
    default_unit: OrgUnit,
    units: list[OrgUnit],
    actor: Any,
) -> ImportResult:
    """Create one request per row through request_submit (channel hotline_12345)."""
    from qingzhuang.service_requests.services import request_submit

    text_col = mapping.get("text", "")
    if not rows:
        raise InvalidInput(_("文件里没有数据行。"))
    if text_col not in rows[0]:
        raise InvalidInput(
            _("找不到诉求内容列“%(column)s”。文件中的列有：%(columns)s")
            % {"column": text_col, "columns": join_list(rows[0])}
        )
    by_name = {u.name: u for u in units}
    errors: list[str] = []
    prepared: list[dict[str, Any]] = []
    for i, row in enumerate(rows, start=2):

        def get(key: str, row: dict[str, str] = row) -> str:
            return row.get(mapping.get(key, "") or "\0", "").strip()

        text = get("text")
        if len(text) < 5:
            errors.append(_("第%(row)s行：诉求内容为空或太短") % {"row": i})
            continue
        village = get("village")
        unit = by_name.get(village) or next(
            (u for name, u in by_name.items() if village and (name in village or village in name)),
            None,
        )
        if village and unit is None:
            errors.append(
                _("第%(row)s行：找不到村(社区)“%(village)s”") % {"row": i, "village": village}
            )
            continue
        type_raw = get("type")
        rtype = TYPE_WORDS.get(type_raw, "help" if not type_raw else "")
        if not rtype:
            errors.append(
                _("第%(row)s行：诉求类型“%(type)s”无法识别（应为咨询/求助/投诉/举报/建议/表扬）")
                % {"row": i, "type": type_raw}
            )
            continue
        created = _parse_time(get("time"))
        if get("time") and created is None:
            errors.append(
                _("第%(row)s行：来电时间“%(time)s”格式不对（应为 2026-03-01 09:30）")
                % {"row": i, "time": get("time")}
            )
            continue
        try:
            phone = normalise_phone(get("phone"))
        except InvalidInput:
            errors.append(
                _("第%(row)s行：来电号码“%(phone)s”格式不对（应为11位手机号或带区号的固定电话）")
                % {"row": i, "phone": get("phone")}
            )
            continue
        ext = get("external_id")
        prepared.append(
            {
                "org_unit": unit or default_unit,
                "request_type": rtype,
                "text": text,
                "channel": Channel.HOTLINE_12345,
                "resident_phone": phone,
                "resident_name": get("name"),
                "external_id": ext,
                "idempotency_key": f"12345-{ext}" if ext else "",
                "category": get("category"),
                "location": get("location"),
                "created_at": created,
            }
        )
    if errors:
        more = _("……共 %(n)s 处问题") % {"n": len(errors)} if len(errors) > 5 else ""
        raise InvalidInput(
            _("导入未进行，请改正后重试：%(problems)s")
            % {"problems": join_clauses(errors[:5]) + more}
        )
    result = ImportResult(rows=len(prepared))
    with transaction.atomic():
        for params in prepared:
            r = request_submit(actor=actor, **params)
            if r.created:
                result.created += 1
                result.tracking_codes.append(r.request.tracking_code)
            else:
                result.unchanged += 1
    return result
