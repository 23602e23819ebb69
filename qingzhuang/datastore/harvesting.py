"""Harvest: load the numbers of an already-filled form into the store, one row per unit."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext

from qingzhuang.audit.services import audit_record
from qingzhuang.core.errors import InvalidInput
from qingzhuang.datastore.cells import read_grids, sheet_key, to_number
from qingzhuang.datastore.filling import template_for_file
from qingzhuang.datastore.models import DataElement, ValueSource
from qingzhuang.datastore.numbers import decimals, human_number, plain_number
from qingzhuang.datastore.onesource import NameIndex, ambiguity, ambiguity_warning
from qingzhuang.datastore.orgmatch import OrgMatcher, is_total_label
from qingzhuang.datastore.periods import Period, parse_period
from qingzhuang.org.models import OrgUnit
from qingzhuang.reporting.models import ReportTemplate, TemplateField
from qingzhuang.reporting.services import parse_template_file
from qingzhuang.sheets.grid import Grid
from qingzhuang.sheets.model import DataRow


@dataclass
class HarvestResult:
    template: ReportTemplate
    org_unit: OrgUnit
    period: Period
    loaded: list[dict[str, Any]] = field(default_factory=list)
    unchanged: int = 0
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    rows_unmatched: list[str] = field(default_factory=list)
    fields_unmapped: int = 0
    elements_created: int = 0
    total_mismatches: list[dict[str, Any]] = field(default_factory=list)
    ambiguous_elements: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "template": self.template.pk,
            "title": self.template.title,
            "org": self.org_unit.code,
            "period": self.period.code,
            "loaded_count": len(self.loaded),
            "unchanged": self.unchanged,
            "conflict_count": len(self.conflicts),
            "loaded": self.loaded,
            "conflicts": self.conflicts,
            "rejected": self.rejected,
            "warnings": self.warnings,
            "rows_unmatched": self.rows_unmatched,
            "fields_unmapped": self.fields_unmapped,
            "elements_created": self.elements_created,
            "total_mismatches": self.total_mismatches,
            "ambiguous_elements": self.ambiguous_elements,
        }


num_text = plain_number  # the machine form used in harvest JSON


def _column_letter(col: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(col)


def _cell_name(fmt: str, key: str, row: int, col: int) -> str:
    if fmt == "docx":
        return f"{key}R{row}C{col}"
    return f"{_column_letter(col)}{row}"


def elements_for_unmapped(
    template: ReportTemplate,
    fields: list[TemplateField],
    actor: Any,
    names: NameIndex | None = None,
) -> int:
    """Items only this form asks for still belong in the store: give each its element.

    An element that already has the item's name (or has it as an alias) is reused rather than
    repeated (一数一源), unless this form already asks for that element in another field: the
    same form asking twice means two different things. Fields a person marked unmapped on
    purpose (another reason) are left alone. Returns the number of elements created.
    """
    from qingzhuang.datastore.services import UNMAPPED_SINGLE, data_element_create, field_map

    names = names or NameIndex.build()
    used = {
        f.mapping.element_id
        for f in fields
        if getattr(f, "mapping", None) is not None and f.mapping.element_id is not None
    }
    n = 0
    for f in fields:
        mapping = getattr(f, "mapping", None)
        if mapping is not None and (
            mapping.element is not None or mapping.unmapped_reason != UNMAPPED_SINGLE
        ):
            continue
        generic = len(f.label) <= 2 and len(f.path) >= 2  # 男/女/小计 need their parent
        label = "：".join(f.path[-2:]) if generic else f.label
        element: DataElement | None = next(
            (e for e in names.owners(label) if e.pk not in used), None
        )
        if element is None:
            element = data_element_create(
                name=label, unit=f.unit, aliases=[f.label], owner=template.issuer, actor=actor
            )
            names.add(element)
            n += 1
        used.add(element.pk)
        f.mapping = field_map(field_obj=f, element=element, actor=actor)
    return n


# A total row this period's numbers add up to: not 小计 (part of a group), not 累计 (over
# time), not 合计上年 or 增减% beside it.
_NOT_A_COLUMN_SUM = re.compile(r"^(小计|累计)|上年|去年|同期|增减|%|％|横向|比上")
# Counts are written exactly; other numbers (万元, 亩) may each be rounded as shown.
_COUNT_UNITS = {"人", "户", "个", "家", "所", "座", "辆", "头", "只", "处", "次", "件", "名", "间"}


def _column_sum_row(row: DataRow) -> bool:
    if not (row.is_total or is_total_label(row.label)):
        return False
    return not _NOT_A_COLUMN_SUM.search(re.sub(r"\s+", "", row.label or ""))


def _tolerance(numbers: list[Decimal], exact: bool) -> Decimal:
    """How far a total may be from the sum when every number is rounded as written."""
    if exact and all(decimals(v) == 0 for v in numbers):
        return Decimal(0)
    return sum((Decimal(1).scaleb(-decimals(v)) / 2 for v in numbers), Decimal(0))


@dataclass
class _Column:
    """One column of a row-per-unit table as read: unit rows, total rows, rows left out."""

    units: list[Decimal] = field(default_factory=list)
    totals: list[tuple[int, Decimal]] = field(default_factory=list)
    not_counted: int = 0


def _check_totals(
    result: HarvestResult, f: TemplateField, element: DataElement, column: _Column, fmt: str
) -> None:
    """Compare each total row of a column with the sum of the unit rows read from it."""
    if not element.additive or not column.units:
        return
    total_of_units = sum(column.units, Decimal(0))
    exact = (f.unit or element.unit) in _COUNT_UNITS
    for row, total in column.totals:
        if abs(total - total_of_units) <= _tolerance([*column.units, total], exact):
            continue
        key = sheet_key(fmt, f.sheet.name, f.cell)
        cell = _cell_name(fmt, key, row, f.col)
        values = {
            "where": _where_cell(fmt, f, row, f.col, cell),
            "item": element.name,
            "total": human_number(total),
            "sum": human_number(total_of_units),
            "count": column.not_counted,
        }
        if column.not_counted:
            text = gettext(
                "%(where)s：“%(item)s”的合计为 %(total)s，但对应到单位的各行相加为 %(sum)s"
                "（另有 %(count)s 行没有对应到单位，未计入），请核对"
            )
        else:
            text = gettext(
                "%(where)s：“%(item)s”的合计为 %(total)s，但各单位相加为 %(sum)s，请核对"
            )
        result.warnings.append(text % values)
        result.total_mismatches.append(
            {
                "sheet": f.sheet.name,
                "cell": cell,
                "label": f.label,
                "element": element.code,
                "total": plain_number(total),
                "sum": plain_number(total_of_units),
                "rows_not_counted": column.not_counted,
            }
        )


def _where_cell(fmt: str, f: TemplateField, row: int, col: int, cell: str) -> str:
    if fmt == "docx":
        return cell
    return gettext("%(sheet)s第%(row)s行第%(column)s列") % {
        "sheet": f.sheet,
        "row": row,
        "column": _column_letter(col),
    }


@dataclass
class _Target:
    unit: OrgUnit
    row: int
    col: int
    number: Decimal


class _Reader:
    """The numbers a filled form holds for each field, with each number's unit row."""

    def __init__(self, path: Path, name: str, org_unit: OrgUnit, result: HarvestResult) -> None:
        self.parsed = parse_template_file(path, name)
        self.fmt = self.parsed.format
        self.grids = read_grids(path, self.fmt, name)
        self.sheets = {s.name or "": s for s in self.parsed.sheets}
        self.org_unit = org_unit
        self.matcher = OrgMatcher.below(org_unit)
        self.result = result
        self.seen_rows: set[str] = set()

    def read(self, f: TemplateField) -> tuple[list[_Target], _Column]:
        column = _Column()
        key = sheet_key(self.fmt, f.sheet.name, f.cell)
        grid: Grid | None = self.grids.get(key)
        if grid is None:
            return [], column
        if f.orientation == "rows":
            from qingzhuang.sheets.writer import parse_a1, parse_docx_address

            addr = f.value_cell or f.cell
            if self.fmt == "docx":
                _t, r, c = parse_docx_address(addr)
            else:
                r, c = parse_a1(addr)
            number = to_number(grid.text(r, c))
            return ([_Target(self.org_unit, r, c, number)] if number is not None else []), column
        targets: list[_Target] = []
        parsed_sheet = self.sheets.get(f.sheet.name or "")
        for dr in parsed_sheet.data_rows if parsed_sheet is not None else []:
            number = to_number(grid.text(dr.row, f.col))
            if dr.is_total or is_total_label(dr.label):
                if number is not None and _column_sum_row(dr):
                    column.totals.append((dr.row, number))
                continue
            root = self.matcher.is_root(dr.label)
            unit = self.org_unit if root else self.matcher.match(dr.label)
            if unit is None:
                self._unmatched(f, dr)
                column.not_counted += 0 if number is None else 1
                continue
            if number is None:
                continue
            targets.append(_Target(unit, dr.row, f.col, number))
            if not root:
                column.units.append(number)
        return targets, column

    def _unmatched(self, f: TemplateField, dr: DataRow) -> None:
        tag = f"{f.sheet}：{dr.label}"
        if dr.label and not dr.is_empty and tag not in self.seen_rows:
            self.seen_rows.add(tag)
            self.result.rows_unmatched.append(tag)


@transaction.atomic
def harvest_file(
    *,
    path: Path,
    org_unit: OrgUnit,
    period: str | Period,
    actor: Any,
    original_name: str | None = None,
) -> HarvestResult:
    """Read a filled form through its field→element mapping and store what is new.

    A value that differs from one already stored is a conflict: shown, never overwritten.
    Total rows (合计/总计) are never stored as a unit; each is compared with the sum of the
    unit rows above it, and a difference beyond rounding is a warning (it does not block).
    """
    p = parse_period(period)
    name = original_name or Path(path).name
    template = template_for_file(path=Path(path), actor=actor, original_name=name)
    result = HarvestResult(template, org_unit, p)
    reader = _Reader(Path(path), name, org_unit, result)
    fields = list(
        TemplateField.objects.filter(template=template)
        .select_related("mapping__element", "sheet")
        .order_by("sheet__position", "position")
    )
    names = NameIndex.build()
    result.elements_created = elements_for_unmapped(template, fields, actor, names)
    used: dict[int, DataElement] = {}
    for f in fields:
        mapping = getattr(f, "mapping", None)
        if mapping is None or mapping.element is None:
            result.fields_unmapped += 1
            continue
        used.setdefault(mapping.element.pk, mapping.element)
        targets, column = reader.read(f)
        for target in targets:
            _store(result, f, mapping, target, reader.fmt, name, actor)
        _check_totals(result, f, mapping.element, column, reader.fmt)
    for element in used.values():
        others = names.namesakes(element)
        if others:
            entry = ambiguity(element, others)
            result.ambiguous_elements.append(entry)
            result.warnings.append(ambiguity_warning(entry))
    audit_record(
        actor=actor,
        action="datastore.harvest",
        target=template,
        org_path=org_unit.path,
        after={
            "file": name,
            "period": p.code,
            "loaded": len(result.loaded),
            "conflicts": len(result.conflicts),
            "total_mismatches": len(result.total_mismatches),
        },
    )
    return result


def _store(
    result: HarvestResult,
    f: TemplateField,
    mapping: Any,
    target: _Target,
    fmt: str,
    name: str,
    actor: Any,
) -> None:
    from qingzhuang.datastore.services import data_value_set

    key = sheet_key(fmt, f.sheet.name, f.cell)
    cell = _cell_name(fmt, key, target.row, target.col)
    value = target.number / Decimal(repr(mapping.factor))
    # which unit and which item first, then the cell to find it in the file
    where = gettext("%(unit)s“%(item)s”（%(cell)s）") % {
        "unit": target.unit.name,
        "item": mapping.element.name,
        "cell": _where_cell(fmt, f, target.row, target.col, cell),
    }
    entry = {
        "org": target.unit.name,
        "org_code": target.unit.code,
        "element": mapping.element.name,
        "element_code": mapping.element.code,
        "period": result.period.code,
        "value": num_text(value),
        "sheet": f.sheet.name,
        "cell": cell,
    }
    try:
        outcome = data_value_set(
            element=mapping.element,
            org_unit=target.unit,
            period=result.period,
            value=value,
            actor=actor,
            source=ValueSource.HARVEST,
            source_file=name,
            source_cell=f"{f.sheet.name or ''}!{cell}" if f.sheet.name else cell,
            overwrite=False,
            where=where,
        )
    except InvalidInput as exc:
        result.rejected.append({**entry, "error": exc.message})
        return
    result.warnings += outcome.warnings
    if outcome.status == "conflict":
        result.conflicts.append({**entry, "existing": num_text(Decimal(outcome.existing or 0))})
    elif outcome.status == "unchanged":
        result.unchanged += 1
    else:
        result.loaded.append(entry)
