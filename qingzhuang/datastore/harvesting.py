"""Harvest: load the numbers of an already-filled form into the store, one row per unit."""

from __future__ import annotations

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
from qingzhuang.datastore.models import ValueSource
from qingzhuang.datastore.orgmatch import OrgMatcher, is_total_label
from qingzhuang.datastore.periods import Period, parse_period
from qingzhuang.org.models import OrgUnit
from qingzhuang.reporting.models import ReportTemplate, TemplateField
from qingzhuang.reporting.services import parse_template_file
from qingzhuang.sheets.grid import Grid


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
        }


def num_text(value: Decimal) -> str:
    """1200, not 1.2E+3; 0.5, not 0.500000."""
    text = format(value.normalize(), "f")
    return text


def _column_letter(col: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(col)


def _cell_name(fmt: str, key: str, row: int, col: int) -> str:
    if fmt == "docx":
        return f"{key}R{row}C{col}"
    return f"{_column_letter(col)}{row}"


def elements_for_unmapped(template: ReportTemplate, fields: list[TemplateField], actor: Any) -> int:
    """Items only this form asks for still belong in the store: give each its own element.

    Fields a person marked unmapped on purpose (another reason) are left alone.
    """
    from qingzhuang.datastore.services import UNMAPPED_SINGLE, data_element_create, field_map

    n = 0
    for f in fields:
        mapping = getattr(f, "mapping", None)
        if mapping is not None and (
            mapping.element is not None or mapping.unmapped_reason != UNMAPPED_SINGLE
        ):
            continue
        generic = len(f.label) <= 2 and len(f.path) >= 2  # 男/女/小计 need their parent
        label = "：".join(f.path[-2:]) if generic else f.label
        element = data_element_create(
            name=label, unit=f.unit, aliases=[f.label], owner=template.issuer, actor=actor
        )
        f.mapping = field_map(field_obj=f, element=element, actor=actor)
        n += 1
    return n


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
    Total rows (合计/小计) are checked against the rows above, never stored as a unit.
    """
    from qingzhuang.datastore.services import data_value_set

    p = parse_period(period)
    name = original_name or Path(path).name
    template = template_for_file(path=Path(path), actor=actor, original_name=name)
    parsed = parse_template_file(Path(path), name)
    grids = read_grids(Path(path), parsed.format, name)
    result = HarvestResult(template, org_unit, p)
    matcher = OrgMatcher.below(org_unit)
    fields = list(
        TemplateField.objects.filter(template=template)
        .select_related("mapping__element", "sheet")
        .order_by("sheet__position", "position")
    )
    parsed_sheets = {s.name or "": s for s in parsed.sheets}
    result.elements_created = elements_for_unmapped(template, fields, actor)
    for f in fields:
        mapping = getattr(f, "mapping", None)
        if mapping is None or mapping.element is None:
            result.fields_unmapped += 1
    seen_rows: set[str] = set()
    for f in fields:
        mapping = getattr(f, "mapping", None)
        if mapping is None or mapping.element is None:
            continue
        key = sheet_key(parsed.format, f.sheet.name, f.cell)
        grid: Grid | None = grids.get(key)
        if grid is None:
            continue
        targets: list[tuple[OrgUnit, int, int]] = []
        if f.orientation == "rows":
            addr = f.value_cell or f.cell
            from qingzhuang.sheets.writer import parse_a1, parse_docx_address

            if parsed.format == "docx":
                _t, r, c = parse_docx_address(addr)
            else:
                r, c = parse_a1(addr)
            targets.append((org_unit, r, c))
        else:
            ps = parsed_sheets.get(f.sheet.name or "")
            rows = ps.data_rows if ps is not None else []
            for dr in rows:
                if dr.is_total or is_total_label(dr.label):
                    continue
                unit = org_unit if matcher.is_root(dr.label) else matcher.match(dr.label)
                if unit is None:
                    tag = f"{f.sheet}：{dr.label}"
                    if dr.label and not dr.is_empty and tag not in seen_rows:
                        seen_rows.add(tag)
                        result.rows_unmatched.append(tag)
                    continue
                targets.append((unit, dr.row, f.col))
        for unit, r, c in targets:
            number = to_number(grid.text(r, c))
            if number is None:
                continue
            cell = _cell_name(parsed.format, key, r, c)
            value = number / Decimal(repr(mapping.factor))
            where = (
                gettext("%(sheet)s第%(row)s行第%(column)s列")
                % {"sheet": f.sheet, "row": r, "column": _column_letter(c)}
                if parsed.format != "docx"
                else cell
            )
            entry = {
                "org": unit.name,
                "org_code": unit.code,
                "element": mapping.element.name,
                "element_code": mapping.element.code,
                "period": p.code,
                "value": num_text(value),
                "sheet": f.sheet.name,
                "cell": cell,
            }
            try:
                outcome = data_value_set(
                    element=mapping.element,
                    org_unit=unit,
                    period=p,
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
                continue
            result.warnings += outcome.warnings
            if outcome.status == "conflict":
                result.conflicts.append(
                    {**entry, "existing": num_text(Decimal(outcome.existing or 0))}
                )
            elif outcome.status == "unchanged":
                result.unchanged += 1
            else:
                result.loaded.append(entry)
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
        },
    )
    return result
