"""Whole-store export and import (JSON with elements and values, or CSV of values)."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext

from qingzhuang.audit.services import audit_record
from qingzhuang.core.errors import InvalidInput
from qingzhuang.datastore.models import CategoryOption, DataElement, DataValue, ValueSource
from qingzhuang.datastore.periods import Period, parse_period
from qingzhuang.i18n import join_clauses, join_list
from qingzhuang.org.models import Department, OrgUnit

FORMAT_TAG = "qingzhuang-datastore"
CSV_COLUMNS = [
    "element_code",
    "element_name",
    "unit",
    "org_code",
    "org_name",
    "period",
    "option",
    "value",
    "source",
    "source_file",
    "source_cell",
]
SHOWN_PROBLEM_ROWS = 10


def store_export(*, fmt: str = "json") -> str:
    """The canonical store as text: JSON (elements, options and values) or CSV (values)."""
    values = DataValue.objects.select_related("element", "org_unit", "category_option").order_by(
        "element__code", "org_unit__code", "period", "category_option__code"
    )
    rows = [
        {
            "element_code": v.element.code,
            "element_name": v.element.name,
            "unit": v.element.unit,
            "org_code": v.org_unit.code,
            "org_name": v.org_unit.name,
            "period": v.period,
            "option": v.category_option.code if v.category_option else "",
            "value": format(v.value.normalize(), "f"),
            "source": v.source,
            "source_file": v.source_file,
            "source_cell": v.source_cell,
        }
        for v in values
    ]
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
        return out.getvalue()
    if fmt != "json":
        raise InvalidInput(gettext("导出格式只能是 json 或 csv"))
    elements = [
        {
            "code": e.code,
            "name": e.name,
            "aliases": e.aliases,
            "definition": e.definition,
            "unit": e.unit,
            "value_type": e.value_type,
            "period_type": e.period_type,
            "owner": e.owner.name if e.owner else "",
            "additive": e.additive,
            "category_options": [o.code for o in e.category_options.all()],
        }
        for e in DataElement.objects.select_related("owner").prefetch_related("category_options")
    ]
    options = [{"code": o.code, "name": o.name} for o in CategoryOption.objects.all()]
    data = {
        "format": FORMAT_TAG,
        "version": 1,
        "category_options": options,
        "elements": elements,
        "values": rows,
    }
    return json.dumps(data, ensure_ascii=False, indent=1)


def _parse(text: str, fmt: str) -> dict[str, Any]:
    if fmt == "csv":
        reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
        missing = {"element_code", "org_code", "period", "value"} - set(reader.fieldnames or [])
        if missing:
            raise InvalidInput(
                gettext("CSV 缺少列：%(columns)s") % {"columns": join_list(sorted(missing))}
            )
        return {"elements": [], "category_options": [], "values": list(reader)}
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            gettext("文件不是有效的 JSON（第 %(line)s 行）") % {"line": exc.lineno}
        ) from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT_TAG:
        raise InvalidInput(gettext("文件不是轻装数据导出文件（缺少 format 标记）"))
    return data


@dataclass
class _ValueRow:
    """One imported number, resolved to its element, unit, period and option."""

    n: int
    where: str
    element: DataElement
    unit: OrgUnit
    period: Period
    option: CategoryOption | None
    number: Decimal
    source_file: str
    source_cell: str


@transaction.atomic
def store_import(*, text: str, fmt: str, actor: Any) -> dict[str, int]:
    """Load an export back: elements by code, values by key (recorded in history).

    Every number passes the checks that entry and harvest apply (the element's rules, no
    negative count, no fraction for an 整数 item), the rules judged on the file's own numbers.
    All or nothing: any unknown unit, bad number or failed check rolls the whole import back,
    with one message naming the rows (up to ten).
    """
    from qingzhuang.datastore.services import data_value_set

    data = _parse(text, fmt)
    counts = {"elements": 0, "values_created": 0, "values_updated": 0, "values_unchanged": 0}
    for o in data.get("category_options", []):
        CategoryOption.objects.update_or_create(code=o["code"], defaults={"name": o["name"]})
    for n, e in enumerate(data.get("elements", []), start=1):
        if not isinstance(e, dict) or not e.get("code") or not e.get("name"):
            raise InvalidInput(gettext("elements 第%(n)s项缺少 code 或 name") % {"n": n})
        _element_upsert(e)
        counts["elements"] += 1
    problems: dict[int, list[str]] = {}
    rows = _value_rows(data.get("values", []), fmt=fmt, actor=actor, problems=problems)
    # The rules compare numbers of one unit and period: give them the file's numbers, so a
    # file that changes a total and its parts together is judged on what it will leave.
    pending: dict[tuple[int, str], dict[str, Decimal]] = {}
    for r in rows:
        if r.option is None:
            pending.setdefault((r.unit.pk, r.period.code), {})[r.element.code] = r.number
    for r in rows:
        try:
            outcome = data_value_set(
                element=r.element,
                org_unit=r.unit,
                period=r.period,
                value=r.number,
                actor=actor,
                source=ValueSource.IMPORT,
                category_option=r.option,
                source_file=r.source_file,
                source_cell=r.source_cell,
                where=r.where,
                pending=pending.get((r.unit.pk, r.period.code)) if r.option is None else None,
            )
        except InvalidInput as exc:
            problems.setdefault(r.n, []).append(exc.message)
            continue
        counts[f"values_{outcome.status}"] = counts.get(f"values_{outcome.status}", 0) + 1
    if problems:
        raise InvalidInput(_problems_text(problems))
    audit_record(
        actor=actor, action="datastore.store.import", object_type="DataValue", after=counts
    )
    return counts


def _element_upsert(e: dict[str, Any]) -> None:
    owner = None
    if e.get("owner"):
        owner, _ = Department.objects.get_or_create(name=e["owner"])
    element, _ = DataElement.objects.update_or_create(
        code=e["code"],
        defaults={
            "name": e["name"],
            "aliases": e.get("aliases", []),
            "definition": e.get("definition", ""),
            "unit": e.get("unit", ""),
            "value_type": e.get("value_type", "number"),
            "period_type": e.get("period_type", "year"),
            "owner": owner,
            "additive": e.get("additive", True),
        },
    )
    if e.get("category_options"):
        element.category_options.set(CategoryOption.objects.filter(code__in=e["category_options"]))


def _value_rows(
    values: list[dict[str, Any]], *, fmt: str, actor: Any, problems: dict[int, list[str]]
) -> list[_ValueRow]:
    """The rows that name a known element, unit, option and period and hold a number; the
    problem of every other row is added to ``problems`` under its row number."""
    from qingzhuang.datastore.services import data_element_create, to_decimal

    elements = {e.code: e for e in DataElement.objects.all()}
    units = {u.code: u for u in OrgUnit.objects.all()}
    options = {o.code: o for o in CategoryOption.objects.all()}
    created: dict[str, DataElement] = {}  # CSV items without a code, by name
    rows = []
    for n, row in enumerate(values, start=1):
        where = gettext("第%(n)s条") % {"n": n}
        if not isinstance(row, dict):
            problems.setdefault(n, []).append(
                gettext("%(where)s：不是一条数值记录") % {"where": where}
            )
            continue
        try:
            code = str(row.get("element_code") or "").strip()
            name = str(row.get("element_name") or "").strip()
            element = elements.get(code) if code else created.get(name)
            if element is None:
                if fmt != "csv" or not name:
                    raise InvalidInput(
                        gettext("%(where)s：找不到数据元 %(code)s") % {"where": where, "code": code}
                    )
                element = data_element_create(
                    code=code, name=name, unit=str(row.get("unit") or ""), actor=actor
                )
                elements[element.code] = element
                if not code:
                    created[name] = element
            unit = units.get(str(row.get("org_code") or ""))
            if unit is None:
                raise InvalidInput(
                    gettext("%(where)s：找不到单位代码 %(code)s，请先导入组织单位")
                    % {"where": where, "code": row.get("org_code")}
                )
            option = None
            if row.get("option"):
                option = options.get(str(row["option"]))
                if option is None:
                    raise InvalidInput(
                        gettext("%(where)s：找不到分类选项“%(code)s”")
                        % {"where": where, "code": row["option"]}
                    )
            period = _period(row.get("period"), where=where)
            item = gettext("第%(n)s条“%(item)s”") % {"n": n, "item": element.name}
            # read like typed numbers ("1,234.5" too), in the element's unit
            number = to_decimal(row.get("value"), where=item, element=element)
        except InvalidInput as exc:
            problems.setdefault(n, []).append(exc.message)
            continue
        rows.append(
            _ValueRow(
                n=n,
                where=item,
                element=element,
                unit=unit,
                period=period,
                option=option,
                number=number,
                source_file=str(row.get("source_file") or ""),
                source_cell=str(row.get("source_cell") or ""),
            )
        )
    return rows


def _period(raw: Any, *, where: str) -> Period:
    try:
        return parse_period(str(raw or ""))
    except InvalidInput as exc:
        raise InvalidInput(
            gettext("%(where)s：%(problem)s") % {"where": where, "problem": exc.message}
        ) from exc


def _problems_text(problems: dict[int, list[str]]) -> str:
    """One line naming the first ten rows with a problem, and how many more there are."""
    numbers = sorted(problems)
    shown = [join_clauses(problems[n]) for n in numbers[:SHOWN_PROBLEM_ROWS]]
    if len(numbers) > SHOWN_PROBLEM_ROWS:
        shown.append(
            gettext("另有%(n)s条有问题，未一一列出") % {"n": len(numbers) - SHOWN_PROBLEM_ROWS}
        )
    return join_clauses(shown)
