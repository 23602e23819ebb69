"""Whole-store export and import (JSON with elements and values, or CSV of values)."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext

from qingzhuang.audit.services import audit_record
from qingzhuang.core.errors import InvalidInput
from qingzhuang.datastore.models import CategoryOption, DataElement, DataValue, ValueSource
from qingzhuang.i18n import join_list
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


@transaction.atomic
def store_import(*, text: str, fmt: str, actor: Any) -> dict[str, int]:
    """Load an export back: elements by code, values by key (recorded in history).

    All or nothing: one unknown unit or bad number rolls the whole import back.
    """
    from qingzhuang.datastore.periods import parse_period
    from qingzhuang.datastore.services import data_value_set

    data = _parse(text, fmt)
    counts = {"elements": 0, "values_created": 0, "values_updated": 0, "values_unchanged": 0}
    for o in data.get("category_options", []):
        CategoryOption.objects.update_or_create(code=o["code"], defaults={"name": o["name"]})
    for e in data.get("elements", []):
        owner = None
        if e.get("owner"):
            owner, _ = Department.objects.get_or_create(name=e["owner"])
        element, created = DataElement.objects.update_or_create(
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
            element.category_options.set(
                CategoryOption.objects.filter(code__in=e["category_options"])
            )
        counts["elements"] += 1
    elements = {e.code: e for e in DataElement.objects.all()}
    units = {u.code: u for u in OrgUnit.objects.all()}
    options = {o.code: o for o in CategoryOption.objects.all()}
    for n, row in enumerate(data.get("values", []), start=1):
        where = gettext("第%(n)s条") % {"n": n}
        found = elements.get(row.get("element_code", ""))
        if found is not None:
            element = found
        else:
            if fmt == "csv" and row.get("element_name"):
                from qingzhuang.datastore.services import data_element_create

                element = data_element_create(
                    code=row["element_code"],
                    name=row["element_name"],
                    unit=row.get("unit", ""),
                    actor=actor,
                )
                elements[element.code] = element
            else:
                raise InvalidInput(
                    gettext("%(where)s：找不到数据元 %(code)s")
                    % {"where": where, "code": row.get("element_code")}
                )
        unit = units.get(row.get("org_code", ""))
        if unit is None:
            raise InvalidInput(
                gettext("%(where)s：找不到单位代码 %(code)s，请先导入组织单位")
                % {"where": where, "code": row.get("org_code")}
            )
        option = options.get(row.get("option") or "") if row.get("option") else None
        outcome = data_value_set(
            element=element,
            org_unit=unit,
            period=parse_period(row.get("period", "")),
            value=Decimal(str(row.get("value", ""))) if row.get("value") not in (None, "") else "",
            actor=actor,
            source=ValueSource.IMPORT,
            category_option=option,
            source_file=row.get("source_file", "") or "",
            source_cell=row.get("source_cell", "") or "",
            where=where,
            validate=False,
        )
        counts[f"values_{outcome.status}"] = counts.get(f"values_{outcome.status}", 0) + 1
    audit_record(
        actor=actor, action="datastore.store.import", object_type="DataValue", after=counts
    )
    return counts
