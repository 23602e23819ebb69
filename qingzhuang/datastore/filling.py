"""Auto-fill: any mapped template, for one org unit and period, in the issuer's own layout."""

from __future__ import annotations

import io
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext
from openpyxl.utils import get_column_letter

from qingzhuang.audit.services import audit_record
from qingzhuang.core import outputs
from qingzhuang.core.errors import InvalidInput, PermissionDenied
from qingzhuang.core.exports import csv_bytes
from qingzhuang.datastore.filenames import safe_filename
from qingzhuang.datastore.models import DataValue, FieldMapping, FillEvent
from qingzhuang.datastore.orgmatch import (
    OrgMatcher,
    is_total_label,
    level_name,
    sheet_level_mismatch,
)
from qingzhuang.datastore.periods import Period, parse_period
from qingzhuang.i18n import join_list
from qingzhuang.org.models import OrgUnit
from qingzhuang.org.roles import can
from qingzhuang.reporting.models import (
    ConceptStatus,
    Frequency,
    ReportTemplate,
    Sheet,
    TemplateField,
)
from qingzhuang.reporting.services import (
    file_sha256,
    parse_template_file,
    structure_signature,
    template_import,
)
from qingzhuang.sheets.writer import CellWrite, WriteError, WriteReport, write_filled_report

R_UNMAPPED = "未对应数据元"
R_NO_VALUE = "库中没有该时期的数值"
R_NOT_ADDITIVE = "该指标不能按村相加，且没有本级数值"
R_MISSING_VILLAGES = "有村缺少数值，无法汇总"
R_NO_ROWS = "表中没有与下属单位对应的行"


# What each template format is written as (old .xls comes out as .xlsx, see sheets.writer).
OUTPUT_SUFFIX = {"xlsx": ".xlsx", "xls": ".xlsx", "csv": ".csv", "docx": ".docx"}
_ALLOWED_SUFFIXES = {
    "xlsx": (".xlsx",),
    "xls": (".xlsx", ".xls"),
    "csv": (".csv",),
    "docx": (".docx",),
}


def minutes_per_field() -> float:
    return float(getattr(settings, "QZ_MINUTES_PER_FIELD", 0.5))


def may_define(actor: Any) -> bool:
    """Whether this caller may add to the township's catalogue (a new template, new elements
    or mappings): the `templates.manage` roles, and system callers named by a label ("cli")."""
    return isinstance(actor, str) or can(actor, "templates.manage")


def template_for_file(
    *, path: Path, actor: Any, original_name: str | None = None, refusal: str | None = None
) -> ReportTemplate:
    """The stored template of this file (same bytes or same structure), importing it if new.

    Only callers that may define templates import a new one; anyone else gets ``refusal`` (by
    default the fill page's wording) and nothing is stored."""
    from qingzhuang.datastore.services import template_automap

    name = original_name or path.name
    sha = file_sha256(path)
    found = ReportTemplate.objects.filter(sha256=sha).first()
    if found is not None:
        return found
    parsed = parse_template_file(path, name)
    found = (
        ReportTemplate.objects.filter(structure_sig=structure_signature(parsed))
        .order_by("pk")
        .first()
    )
    if found is not None:
        return found
    if not may_define(actor):
        raise PermissionDenied(
            refusal
            or gettext(
                "系统里还没有这张报表，您的角色不能新建报表模板。请把这张报表交给镇党政办或下发部门，"
                "请他们先上传到“报表模板”，再来填表。"
            )
        )
    template = template_import(path=path, actor=actor, original_name=name).template
    template_automap(template=template, actor=actor)
    return template


def output_suffix(fmt: str) -> str:
    """The extension a filled copy of a form in ``fmt`` gets."""
    return OUTPUT_SUFFIX.get(fmt.lower().lstrip("."), ".xlsx")


def output_path_check(*, output: Path, fmt: str, parent_must_exist: bool = True) -> None:
    """Refuse, in one plain sentence, an output the writer would fail on or get wrong.

    Checked before anything is stored, so a bad ``--output`` leaves no template, fill record
    or half-written file behind. The extension must fit the format: xlsx bytes in a .csv name
    open as garbage in Excel/WPS.
    """
    example = "out" + output_suffix(fmt)
    # The generic checks (folder, missing folder, permissions) are shared by every command.
    outputs.output_path_check(output, example=example, parent_must_exist=parent_must_exist)
    allowed = _ALLOWED_SUFFIXES.get(fmt.lower().lstrip("."), (output_suffix(fmt),))
    if output.suffix.lower() not in allowed:
        raise InvalidInput(
            gettext("这张表是 %(format)s 格式，输出文件名应以 %(suffixes)s 结尾，例如 %(example)s")
            % {"format": fmt, "suffixes": join_list(allowed), "example": example}
        )


def _media_relative(path: Path) -> str:
    """Where the pages can find a filled file again; "" for files written elsewhere (CLI)."""
    try:
        return str(path.resolve().relative_to(Path(settings.MEDIA_ROOT).resolve()))
    except ValueError:
        return ""


def cell_address(template_format: str, fld: TemplateField, row: int, col: int) -> str:
    if template_format == "docx":
        m = re.match(r"^(T\d+)R", fld.cell)
        return f"{m.group(1) if m else 'T1'}R{row}C{col}"
    return f"{get_column_letter(col)}{row}"


def _plain(value: Decimal) -> int | float:
    if value == value.to_integral_value():
        return int(value)
    return float(round(value, 6))


@dataclass
class FieldCoverage:
    sheet: str | None
    cell: str
    label: str
    unit: str
    element: str = ""
    filled: int = 0
    empty: int = 0
    reasons: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    missing_units: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        if self.filled and not self.empty:
            return "filled"
        return "partial" if self.filled else "empty"

    def _reasons(self) -> list[str]:
        out = list(self.reasons)
        if self.missing_units:
            names = list(dict.fromkeys(self.missing_units))
            shown = "、".join(names[:5]) + ("等" if len(names) > 5 else "")
            out.insert(0, f"{R_NO_VALUE}（{len(names)} 个单位：{shown}）")
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "cell": self.cell,
            "label": self.label,
            "unit": self.unit,
            "element": self.element,
            "status": self.status,
            "cells_filled": self.filled,
            "cells_empty": self.empty,
            "reason": "；".join(dict.fromkeys(self._reasons())),
            "note": "；".join(dict.fromkeys(self.notes)),
        }


@dataclass
class FillResult:
    template: ReportTemplate
    org_unit: OrgUnit
    period: Period
    output: Path
    fields: list[FieldCoverage]
    rows_matched: list[str]
    rows_unmatched: list[str]
    event_id: int | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def cells_filled(self) -> int:
        return sum(f.filled for f in self.fields)

    @property
    def cells_empty(self) -> int:
        return sum(f.empty for f in self.fields)

    def as_dict(self) -> dict[str, Any]:
        filled = [f for f in self.fields if f.status == "filled"]
        return {
            "template": self.template.pk,
            "title": self.template.title,
            "org": self.org_unit.code,
            "period": self.period.code,
            "output": str(self.output),
            "coverage": {
                "fields_total": len(self.fields),
                "fields_filled": len(filled),
                "fields_partial": sum(1 for f in self.fields if f.status == "partial"),
                "fields_empty": sum(1 for f in self.fields if f.status == "empty"),
                "cells_filled": self.cells_filled,
                "cells_empty": self.cells_empty,
                "rows_matched": self.rows_matched,
                "rows_unmatched": self.rows_unmatched,
            },
            "warnings": self.warnings,
            "fields": [f.as_dict() for f in self.fields],
        }


class _Values:
    """All values a fill needs, loaded in one query, plus the subtree to add them up."""

    def __init__(self, org: OrgUnit, period: Period, element_ids: set[int]) -> None:
        self.org = org
        self.data: dict[tuple[int, int, int | None], Decimal] = {}
        rows = DataValue.objects.filter(
            element_id__in=element_ids, org_unit__path__startswith=org.path, period=period.code
        ).values_list("element_id", "org_unit_id", "category_option_id", "value")
        for e, u, o, v in rows:
            self.data[(e, u, o)] = v
        self.children: dict[int, list[int]] = {}
        for pk, parent in OrgUnit.objects.filter(
            path__startswith=org.path, is_active=True
        ).values_list("pk", "parent_id"):
            if parent is not None:
                self.children.setdefault(parent, []).append(pk)

    def _sum(self, element: int, unit: int, option: int | None) -> tuple[Decimal | None, int, int]:
        """(total, units added, units missing) below ``unit``, using a unit's own value first."""
        own = self.data.get((element, unit, option))
        if own is not None:
            return own, 1, 0
        kids = self.children.get(unit, [])
        if not kids:
            return None, 0, 1
        total, added, missing = Decimal(0), 0, 0
        for kid in kids:
            v, a, m = self._sum(element, kid, option)
            if v is None or m:
                missing += 1
                continue
            total += v
            added += 1
        return (total if added else None), added, missing

    def get(self, mapping: FieldMapping, unit: OrgUnit, cov: FieldCoverage) -> Decimal | None:
        if mapping.element is None:
            return None
        element, option = mapping.element.pk, mapping.category_option_id
        factor = Decimal(repr(mapping.factor))
        own = self.data.get((element, unit.pk, option))
        if own is not None:
            return own * factor
        if unit.is_village or not self.children.get(unit.pk):
            cov.missing_units.append(unit.name)
            return None
        if not mapping.element.additive:
            cov.reasons.append(R_NOT_ADDITIVE)
            return None
        kids = self.children[unit.pk]
        parts = [self._sum(element, kid, option) for kid in kids]
        missing = [p for p in parts if p[0] is None or p[2]]
        if len(missing) == len(parts):
            cov.reasons.append(f"{R_NO_VALUE}（{unit.name}及下属单位）")
            return None
        if missing:
            cov.reasons.append(f"{R_MISSING_VILLAGES}（{len(missing)} 个下属单位缺数）")
            return None
        cov.notes.append(f"{unit.name}的数值按 {len(parts)} 个下属单位相加得出")
        return sum((p[0] for p in parts if p[0] is not None), Decimal(0)) * factor


_NOT_A_SUM = re.compile(r"(上年|去年|同期|增减|%|％|横向|比上)")


def _sum_row(sheet: Sheet, row: int) -> bool:
    """A total row this period's numbers add up to (not 合计上年 or 增减%)."""
    label = next((str(r[1]) for r in sheet.data_rows if r[0] == row), "")
    return not _NOT_A_SUM.search(re.sub(r"\s+", "", label))


@dataclass
class _Plan:
    """What one fill decides across sheets: the rows it took and what it must tell the clerk."""

    pending: set[int] = field(default_factory=set)  # fields in a suggested same-item group
    matched: list[str] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def unmapped(self, f: TemplateField) -> str:
        """Why a field has no element, as the fill page says it."""
        from qingzhuang.datastore.services import UNMAPPED_PENDING, UNMAPPED_SINGLE

        mapping = getattr(f, "mapping", None)
        if mapping is None:
            return R_UNMAPPED
        if mapping.unmapped_reason == UNMAPPED_SINGLE and f.pk in self.pending:
            return gettext(UNMAPPED_PENDING)
        return str(mapping.unmapped_reason)


def _rows_of(
    sheet: Sheet, org: OrgUnit, matcher: OrgMatcher
) -> tuple[list[tuple[int, OrgUnit]], list[int], list[str]]:
    """The unit rows, the total rows and the labels of rows that are no unit of ``org``."""
    unit_rows: list[tuple[int, OrgUnit]] = []
    total_rows: list[int] = []
    foreign: list[str] = []
    for row, label, is_total, _empty in sheet.data_rows:
        if is_total or is_total_label(label):
            total_rows.append(row)
            continue
        unit = org if matcher.is_root(label) else matcher.match(label)
        if unit is None:
            if label:
                foreign.append(label)
            continue
        unit_rows.append((row, unit))
    return unit_rows, total_rows, foreign


def _shown(labels: list[str]) -> str:
    names = [label[:30] for label in dict.fromkeys(labels)]
    return "、".join(names[:5]) + ("等" if len(names) > 5 else "")


def _plan_indicators(
    sheet: Sheet,
    fields: list[TemplateField],
    org: OrgUnit,
    values: _Values,
    coverage: dict[int, FieldCoverage],
    plan: _Plan,
) -> list[tuple[CellWrite, int]]:
    writes: list[tuple[CellWrite, int]] = []
    level = sheet_level_mismatch(sheet, org)
    for f in fields:
        cov = coverage[f.pk]
        mapping = getattr(f, "mapping", None)
        if level is not None:
            cov.empty += 1
            cov.reasons.append(
                gettext("这是%(level)s的表，所选单位“%(org)s”是%(org_level)s，未填")
                % {
                    "level": level_name(level),
                    "org": org.name,
                    "org_level": org.get_level_display(),
                }
            )
            continue
        if mapping is None or mapping.element is None:
            cov.empty += 1
            cov.reasons.append(plan.unmapped(f))
            continue
        v = values.get(mapping, org, cov)
        if v is None:
            cov.empty += 1
            continue
        target = f.value_cell or f.cell
        writes.append((CellWrite(sheet.name, target, _plain(v)), f.pk))
        cov.filled += 1
    return writes


def _plan_sheet(
    template: ReportTemplate,
    sheet: Sheet,
    fields: list[TemplateField],
    org: OrgUnit,
    matcher: OrgMatcher,
    values: _Values,
    coverage: dict[int, FieldCoverage],
    plan: _Plan,
) -> list[tuple[CellWrite, int]]:
    if sheet.orientation == "rows":
        return _plan_indicators(sheet, fields, org, values, coverage, plan)
    writes: list[tuple[CellWrite, int]] = []
    unit_rows, total_rows, foreign = _rows_of(sheet, org, matcher)
    plan.matched += [unit.name for _row, unit in unit_rows]
    plan.unmatched += [f"{sheet}：{label[:30]}" for label in foreign]
    sums = [row for row in total_rows if _sum_row(sheet, row)]
    # A total is only ours to rewrite when every row under it is one of our units.
    kept = ""
    if unit_rows and sums and foreign:
        kept = gettext("合计行未重算：表中有不属于%(org)s的行（%(rows)s），合计格未改动") % {
            "org": org.name,
            "rows": _shown(foreign),
        }
        plan.warnings.append(
            gettext("%(sheet)s：%(kept)s，请核对") % {"sheet": str(sheet), "kept": kept}
        )
    for f in fields:
        cov = coverage[f.pk]
        mapping = getattr(f, "mapping", None)
        if not unit_rows:
            cov.empty += max(1, len(total_rows))
            cov.reasons.append(R_NO_ROWS)
            continue
        if mapping is None or mapping.element is None:
            cov.empty += len(unit_rows)
            cov.reasons.append(plan.unmapped(f))
            continue
        column_sum = Decimal(0)
        complete = True
        for row, unit in unit_rows:
            v = values.get(mapping, unit, cov)
            if v is None:
                cov.empty += 1
                complete = False
                continue
            column_sum += v
            addr = cell_address(template.format, f, row, f.col)
            writes.append((CellWrite(sheet.name, addr, _plain(v)), f.pk))
            cov.filled += 1
        if not sums:
            continue
        if kept:
            cov.notes.append(kept)
        elif not mapping.element.additive:
            cov.notes.append(gettext("合计行未重算：该指标不能相加，合计格未改动"))
        elif not complete:
            cov.notes.append(gettext("合计行未重算：有单位缺数，合计格未改动"))
        else:
            for row in sums:
                addr = cell_address(template.format, f, row, f.col)
                writes.append((CellWrite(sheet.name, addr, _plain(column_sum)), f.pk))
            cov.notes.append(gettext("合计行按各行相加得出"))
    return writes


def _pending_fields(template: ReportTemplate) -> set[int]:
    return set(
        TemplateField.objects.filter(
            template=template, concepts__status=ConceptStatus.SUGGESTED
        ).values_list("pk", flat=True)
    )


@transaction.atomic
def fill_template(
    *,
    template: ReportTemplate,
    org_unit: OrgUnit,
    period: str | Period,
    output: Path,
    actor: Any,
    source_path: Path | None = None,
) -> FillResult:
    """Write the store's numbers into a copy of the template and report the coverage.

    Row-per-village tables get every village under ``org_unit``; indicator lists get the
    unit's own value, or the sum over its villages when the element adds up (said in the
    coverage). Only the addressed cells change: merges, styles, widths and formulas stay.
    """
    p = parse_period(period)
    output_path_check(output=Path(output), fmt=template.format, parent_must_exist=False)
    src = Path(source_path) if source_path else Path(template.file.path)
    sheets = list(template.sheets.order_by("position"))
    fields = list(
        TemplateField.objects.filter(template=template)
        .select_related("mapping__element", "sheet")
        .order_by("sheet__position", "position")
    )
    element_ids = {
        f.mapping.element_id
        for f in fields
        if hasattr(f, "mapping") and f.mapping.element_id is not None
    }
    values = _Values(org_unit, p, element_ids)  # type: ignore[arg-type]
    matcher = OrgMatcher.below(org_unit)
    coverage = {
        f.pk: FieldCoverage(
            f.sheet.name,
            f.cell,
            f.label,
            f.unit,
            f.mapping.element.code if hasattr(f, "mapping") and f.mapping.element else "",
        )
        for f in fields
    }
    plan = _Plan(pending=_pending_fields(template))
    writes: list[tuple[CellWrite, int]] = []
    by_sheet: dict[int, list[TemplateField]] = {}
    for f in fields:
        by_sheet.setdefault(f.sheet_id, []).append(f)
    for sheet in sheets:
        writes += _plan_sheet(
            template, sheet, by_sheet.get(sheet.pk, []), org_unit, matcher, values, coverage, plan
        )
    owner = {(w.sheet, w.cell): fid for w, fid in writes}
    try:
        report = write_filled_report(
            src, Path(output), [w for w, _ in writes], src_format=template.format
        )
    except WriteError as exc:
        raise InvalidInput(exc.message) from exc
    except OSError as exc:
        raise InvalidInput(
            gettext("无法写入输出文件 %(path)s，请检查路径和权限") % {"path": output}
        ) from exc
    try:
        result = _record_fill(template, org_unit, p, report, owner, coverage, actor)
    except BaseException:
        # the record and the file go together: no saved minutes without a file, and no file
        # that no record points to
        report.path.unlink(missing_ok=True)
        raise
    result.rows_matched = list(dict.fromkeys(plan.matched))
    result.rows_unmatched = list(dict.fromkeys(plan.unmatched))
    result.warnings = plan.warnings
    return result


def _record_fill(
    template: ReportTemplate,
    org_unit: OrgUnit,
    p: Period,
    report: WriteReport,
    owner: dict[tuple[str | None, str], int],
    coverage: dict[int, FieldCoverage],
    actor: Any,
) -> FillResult:
    for w, reason in report.skipped:
        cov = coverage[owner[(w.sheet, w.cell)]]
        cov.filled -= 1
        cov.empty += 1
        cov.reasons.append(f"{w.cell}：{reason}")
    result = FillResult(template, org_unit, p, report.path, list(coverage.values()), [], [])
    event = FillEvent.objects.create(
        template=template,
        org_unit=org_unit,
        period=p.code,
        fields_auto=result.cells_filled,
        fields_typed=result.cells_empty,
        minutes_per_field=minutes_per_field(),
        output=_media_relative(report.path),
        actor=actor if hasattr(actor, "pk") else None,
    )
    result.event_id = event.pk
    audit_record(
        actor=actor,
        action="datastore.template.fill",
        target=event,
        object_repr=f"{template.title} {org_unit.name} {p.code}",
        org_path=org_unit.path,
        after={"filled": result.cells_filled, "empty": result.cells_empty},
    )
    return result


def due_templates(period: Period) -> list[ReportTemplate]:
    """Templates whose frequency fits the period (monthly forms for a month, …)."""
    wanted: dict[str, list[str]] = {
        "month": [Frequency.MONTHLY],
        "quarter": [Frequency.QUARTERLY, Frequency.MONTHLY],
        "year": list(Frequency.values),
    }
    return list(
        ReportTemplate.objects.filter(frequency__in=wanted[period.type])
        .select_related("issuer")
        .order_by("pk")
    )


def forms_export_due(
    *,
    org_unit: OrgUnit,
    period: str | Period,
    actor: Any,
    templates: list[ReportTemplate] | None = None,
) -> tuple[bytes, list[dict[str, Any]]]:
    """Fill every due form for one unit and period into one zip (with a coverage summary)."""
    p = parse_period(period)
    todo = templates if templates is not None else due_templates(p)
    if not todo:
        raise InvalidInput(gettext("这个时期没有需要报送的报表"))
    buffer = io.BytesIO()
    summary: list[dict[str, Any]] = []
    with (
        tempfile.TemporaryDirectory() as tmp,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf,
    ):
        for template in todo:
            name = safe_filename(
                f"{template.pk:04d}", template.title, suffix=output_suffix(template.format)
            )
            result = fill_template(
                template=template, org_unit=org_unit, period=p, output=Path(tmp) / name, actor=actor
            )
            zf.write(result.output, result.output.name)
            data = result.as_dict()
            summary.append(
                {
                    "file": result.output.name,
                    "title": template.title,
                    "issuer": template.issuer.name if template.issuer else "",
                    **data["coverage"],
                }
            )
        header = [
            gettext("文件"),
            gettext("表名"),
            gettext("下发部门"),
            gettext("已填单元格"),
            gettext("未填单元格"),
        ]
        rows = [
            [s["file"], s["title"], s["issuer"], s["cells_filled"], s["cells_empty"]]
            for s in summary
        ]
        zf.writestr("填报情况.csv", csv_bytes(header, rows))
    return buffer.getvalue(), summary
