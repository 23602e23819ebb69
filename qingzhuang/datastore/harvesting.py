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
from qingzhuang.datastore.cells import is_blank, read_grids, sheet_key, to_number
from qingzhuang.datastore.filling import may_define as filling_may_define
from qingzhuang.datastore.filling import template_for_file
from qingzhuang.datastore.models import DataElement, ValueSource
from qingzhuang.datastore.numbers import decimals, human_number, plain_number, read_number
from qingzhuang.datastore.onesource import (
    NameIndex,
    ambiguity,
    ambiguity_warning,
    distinct_names,
)
from qingzhuang.datastore.orgmatch import (
    OrgMatcher,
    is_total_label,
    level_name,
    sheet_level_mismatch,
)
from qingzhuang.datastore.periods import Period, parse_period
from qingzhuang.i18n import join_list
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
    in_file_conflicts: list[dict[str, Any]] = field(default_factory=list)
    sheets_skipped: list[dict[str, Any]] = field(default_factory=list)

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
            "in_file_conflicts": self.in_file_conflicts,
            "sheets_skipped": self.sheets_skipped,
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
    *,
    carrying: set[int] | None = None,
) -> int:
    """Items only this form asks for still belong in the store: give each its element.

    Harvest passes ``carrying``, the fields that hold a number in the file at hand: only they
    get an element, so a 28-sheet workbook with a few numbers does not add 2,000 empty ones.
    An element is named by the field's label, with as much of its header path (then its
    sheet) as tells it apart from the form's other fields of that label (``distinct_names``).
    An element that already has that name (or has it as an alias) is reused rather than
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
    todo = [
        f
        for f in fields
        if (carrying is None or f.pk in carrying)
        and (
            getattr(f, "mapping", None) is None
            or (f.mapping.element is None and f.mapping.unmapped_reason == UNMAPPED_SINGLE)
        )
    ]
    if not todo:
        return 0
    distinct = distinct_names(fields)
    n = 0
    for f in todo:
        name = distinct[f.pk]
        element: DataElement | None = next(
            (e for e in names.owners(name) if e.pk not in used), None
        )
        if element is None:
            # the bare label is an alias only when it alone names the item in this form
            aliases = [f.label] if name == f.label else []
            element = data_element_create(
                name=name, unit=f.unit, aliases=aliases, owner=template.issuer, actor=actor
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
    text: str  # as written: services.written_number reads it, or says why it cannot


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
            text = grid.text(r, c)
            return ([] if is_blank(text) else [_Target(self.org_unit, r, c, text)]), column
        targets: list[_Target] = []
        parsed_sheet = self.sheets.get(f.sheet.name or "")
        for dr in parsed_sheet.data_rows if parsed_sheet is not None else []:
            text = grid.text(dr.row, f.col)
            number = to_number(text, f.unit)  # for the totals check only
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
            if is_blank(text):
                continue
            targets.append(_Target(unit, dr.row, f.col, text))
            if not root and number is not None:
                column.units.append(number)
        return targets, column

    def _unmatched(self, f: TemplateField, dr: DataRow) -> None:
        tag = f"{f.sheet}：{dr.label}"
        if dr.label and not dr.is_empty and tag not in self.seen_rows:
            self.seen_rows.add(tag)
            self.result.rows_unmatched.append(tag)


@dataclass
class _Reading:
    """One number of the file for one unit and item, read in the element's unit."""

    f: TemplateField
    mapping: Any
    unit: OrgUnit
    entry: dict[str, Any]
    where: str
    place: str
    value: Decimal
    precision: Decimal  # half the last digit written, in the element's unit


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
    Numbers of one unit and item that disagree inside the file itself are stored neither:
    they are listed together (``in_file_conflicts``). A one-unit sheet whose title names
    another level than the chosen unit's (县(市)… for a township) is not stored; it is
    listed (``sheets_skipped``) with a warning. Total rows (合计/总计) are never stored as a
    unit; each is compared with the sum of the unit rows above it, and a difference beyond
    rounding is a warning (it does not block).
    """
    p = parse_period(period)
    name = original_name or Path(path).name
    may_define = filling_may_define(actor)
    template = template_for_file(
        path=Path(path),
        actor=actor,
        original_name=name,
        refusal=gettext(
            "系统里还没有这张报表，您的角色不能新建报表模板。请把这张报表交给镇党政办或下发部门，"
            "请他们先上传到“报表模板”，再来采集。"
        ),
    )
    result = HarvestResult(template, org_unit, p)
    reader = _Reader(Path(path), name, org_unit, result)
    fields = list(
        TemplateField.objects.filter(template=template)
        .select_related("mapping__element", "sheet")
        .order_by("sheet__position", "position")
    )
    wrong_level = {f.sheet_id: sheet_level_mismatch(f.sheet, org_unit) for f in fields}
    read = _read_first(reader, fields, wrong_level)
    carrying = {
        f.pk
        for f in fields
        if f.pk in read
        and not wrong_level[f.sheet_id]
        and any(read_number(t.text, exponent=True).number is not None for t in read[f.pk][0])
    }
    names = NameIndex.build()
    if may_define:
        result.elements_created = elements_for_unmapped(
            template, fields, actor, names, carrying=carrying
        )
    else:
        _warn_waiting_for_elements(result, fields, carrying)
    used: dict[int, DataElement] = {}
    readings: dict[tuple[int, int], list[_Reading]] = {}
    for f in fields:
        mapping = getattr(f, "mapping", None)
        if wrong_level[f.sheet_id]:
            continue
        if mapping is None or mapping.element is None:
            result.fields_unmapped += 1
            continue
        used.setdefault(mapping.element.pk, mapping.element)
        targets, column = read.pop(f.pk) if f.pk in read else reader.read(f)
        for target in targets:
            reading = _read_value(result, f, mapping, target, reader.fmt)
            if reading is not None:
                readings.setdefault((mapping.element.pk, target.unit.pk), []).append(reading)
        _check_totals(result, f, mapping.element, column, reader.fmt)
    for group in readings.values():
        _store_group(result, group, name, actor)
    _skipped_sheets(result, fields, wrong_level, read)
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
            "in_file_conflicts": len(result.in_file_conflicts),
            "sheets_skipped": len(result.sheets_skipped),
            "total_mismatches": len(result.total_mismatches),
        },
    )
    return result


def _warn_waiting_for_elements(
    result: HarvestResult, fields: list[TemplateField], carrying: set[int]
) -> None:
    """Numbers of items the catalogue has no element for yet are left out, and said so."""
    from qingzhuang.datastore.services import UNMAPPED_SINGLE

    waiting = [
        f.label
        for f in fields
        if f.pk in carrying
        and (
            getattr(f, "mapping", None) is None
            or (f.mapping.element is None and f.mapping.unmapped_reason == UNMAPPED_SINGLE)
        )
    ]
    if waiting:
        result.warnings.append(
            gettext(
                "%(items)s 还没有对应的数据元，这几项的数字这次没有存入。请镇里在“报表模板”中"
                "为它们建好数据元后，再采集一次。"
            )
            % {"items": join_list(dict.fromkeys(waiting))}
        )


def _read_first(
    reader: _Reader, fields: list[TemplateField], wrong_level: dict[int, str | None]
) -> dict[int, tuple[list[_Target], _Column]]:
    """What must be read before anything is stored: fields still without an element (only
    those holding a number get one) and fields of sheets of another level (to count them)."""
    from qingzhuang.datastore.services import UNMAPPED_SINGLE

    read = {}
    for f in fields:
        mapping = getattr(f, "mapping", None)
        new = mapping is None or mapping.unmapped_reason == UNMAPPED_SINGLE
        if new or wrong_level[f.sheet_id]:
            read[f.pk] = reader.read(f)
    return read


def _skipped_sheets(
    result: HarvestResult,
    fields: list[TemplateField],
    wrong_level: dict[int, str | None],
    read: dict[int, tuple[list[_Target], _Column]],
) -> None:
    counts: dict[int, int] = {}
    sheets = {}
    for f in fields:
        if wrong_level[f.sheet_id]:
            counts[f.sheet_id] = counts.get(f.sheet_id, 0) + len(read[f.pk][0])
            sheets[f.sheet_id] = f.sheet
    for sheet_id, count in counts.items():
        level = wrong_level[sheet_id]
        if not count or level is None:
            continue
        sheet = sheets[sheet_id]
        result.sheets_skipped.append({"sheet": sheet.name, "level": level, "values": count})
        result.warnings.append(
            gettext(
                "“%(sheet)s”是%(level)s的表，所选单位“%(org)s”是%(org_level)s，"
                "表中的 %(count)s 个数没有存入；要采集这张表，请选择相应的单位"
            )
            % {
                "sheet": sheet,
                "level": level_name(level),
                "org": result.org_unit.name,
                "org_level": result.org_unit.get_level_display(),
                "count": count,
            }
        )


def _read_value(
    result: HarvestResult, f: TemplateField, mapping: Any, target: _Target, fmt: str
) -> _Reading | None:
    """The number of one cell in the element's unit, or None when it is refused (listed)."""
    from qingzhuang.datastore.services import written_number

    key = sheet_key(fmt, f.sheet.name, f.cell)
    cell = _cell_name(fmt, key, target.row, target.col)
    place = _where_cell(fmt, f, target.row, target.col, cell)
    # which unit and which item first, then the cell to find it in the file
    where = gettext("%(unit)s“%(item)s”（%(cell)s）") % {
        "unit": target.unit.name,
        "item": mapping.element.name,
        "cell": place,
    }
    entry = {
        "org": target.unit.name,
        "org_code": target.unit.code,
        "element": mapping.element.name,
        "element_code": mapping.element.code,
        "period": result.period.code,
        "value": target.text,
        "sheet": f.sheet.name,
        "cell": cell,
    }
    try:
        # a cell in the field's unit (or with a unit that converts to it), then element units
        number = written_number(
            target.text, where=where, element=mapping.element, unit=f.unit or None, exponent=True
        )
    except InvalidInput as exc:
        result.rejected.append({**entry, "error": exc.message})
        return None
    factor = Decimal(repr(mapping.factor))
    value = number / factor
    entry["value"] = num_text(value)
    precision = Decimal(1).scaleb(-decimals(number)) / 2 / factor
    return _Reading(f, mapping, target.unit, entry, where, place, value, precision)


def _store_group(result: HarvestResult, group: list[_Reading], name: str, actor: Any) -> None:
    """Store one unit's number of one item: the most precise of the cells that hold it when
    they agree up to the rounding each was written with; none when they disagree."""
    best = min(group, key=lambda r: r.precision)
    if any(abs(r.value - best.value) > r.precision for r in group):
        _in_file_conflict(result, group)
        return
    _store(result, best, name, actor)
    result.unchanged += len(group) - 1


def _in_file_conflict(result: HarvestResult, group: list[_Reading]) -> None:
    first = group[0]
    result.in_file_conflicts.append(
        {
            **{k: first.entry[k] for k in ("org", "org_code", "element", "element_code")},
            "period": result.period.code,
            "values": [
                {"value": r.entry["value"], "sheet": r.entry["sheet"], "cell": r.entry["cell"]}
                for r in group
            ],
        }
    )
    shown = "；".join(f"{human_number(r.value)}（{r.place}）" for r in group)
    result.warnings.append(
        gettext(
            "%(unit)s“%(item)s”在同一文件中有 %(count)s 个不同的数：%(values)s。"
            "哪个对无法判断，都没有存入，请核对后改好文件再采集"
        )
        % {
            "unit": first.unit.name,
            "item": first.mapping.element.name,
            "count": len(group),
            "values": shown,
        }
    )


def _store(result: HarvestResult, reading: _Reading, name: str, actor: Any) -> None:
    from qingzhuang.datastore.services import data_value_set

    f, entry, cell = reading.f, reading.entry, reading.entry["cell"]
    try:
        outcome = data_value_set(
            element=reading.mapping.element,
            org_unit=reading.unit,
            period=result.period,
            value=reading.value,
            actor=actor,
            source=ValueSource.HARVEST,
            source_file=name,
            source_cell=f"{f.sheet.name or ''}!{cell}" if f.sheet.name else cell,
            overwrite=False,
            where=reading.where,
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
