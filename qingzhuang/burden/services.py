"""Writes for the burden ledger: demands, findings, documents, rules and 准入 reviews.

Every function is keyword-only, atomic and audited; views, API, CLI and demo all call these.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from qingzhuang.audit.services import audit_record, snapshot
from qingzhuang.burden import held_data, limits, selectors
from qingzhuang.burden.csv_io import CsvRow
from qingzhuang.burden.models import (
    AdmissionReview,
    BurdenRevision,
    Demand,
    DemandKind,
    DocumentUpload,
    EstimateKind,
    Finding,
    FindingOrigin,
    ReviewStatus,
    Rule,
)
from qingzhuang.burden.neardup import COPY_THRESHOLD, containment
from qingzhuang.burden.rules_engine import (
    DemandInput,
    FindingOut,
    check_demand,
    count_prior_inspections,
)
from qingzhuang.burden.textextract import ExtractError, count_chars, extract_text, file_format
from qingzhuang.core.errors import Conflict, InvalidInput, NotFound
from qingzhuang.i18n import join_list
from qingzhuang.org.models import Department, OrgLevel, OrgUnit
from qingzhuang.org.scope import Scope
from qingzhuang.org.services import department_get_or_create

DEMAND_FIELDS = [
    "kind", "title", "issuer_id", "received", "deadline", "chars", "asks_followup",
    "specific_task", "duration_minutes", "attendees", "level", "covered_by_document",
    "approval_code", "demand_text", "template_id", "respondents", "frequency_per_year",
    "hours_per_response", "preparation_hours", "estimate_kind",
]  # fmt: skip


# ---------------------------------------------------------------- checking (no storage)


def default_org_unit() -> OrgUnit:
    """The township whose ledger the CLI writes to when no --org is given."""
    towns = list(OrgUnit.objects.filter(level=OrgLevel.TOWNSHIP, is_active=True)[:2])
    if len(towns) != 1:
        raise InvalidInput(_("请用 --org 指定乡镇的行政区划代码（系统里有多个或没有乡镇）。"))
    return towns[0]


def _enrich(inputs: list[DemandInput], *, org_unit: OrgUnit | None) -> None:
    """Add the facts that need the database: catalogue membership, earlier inspections."""
    titles: dict[int, set[str]] = {}
    for d in inputs:
        if d.kind == DemandKind.REPORT and d.form_admitted is None and d.received is not None:
            year = d.received.year
            if year not in titles:
                titles[year] = selectors.approved_titles(year=year)
            d.form_admitted = d.title in titles[year]
    ledger = (
        selectors.inspections_per_issuer_year(scope=Scope.of_unit(org_unit))
        if org_unit is not None
        else {}
    )
    count_prior_inspections(inputs, ledger)


def demands_check(
    *, rows: list[CsvRow], org_unit: OrgUnit | None = None, require_received: bool = True
) -> dict[str, Any]:
    """Check a batch against the current rules without storing anything (CLI contract).

    The rows first pass the same validation as `demands_import`, so a file that checks clean
    also imports; every bad row is named in one error. `require_received=False` lets the API
    check a single demand that has no received date yet.
    """
    _rows_validate(rows, org_unit=org_unit, require_received=require_received)
    settings = selectors.rule_settings()
    _enrich([r.demand for r in rows], org_unit=org_unit)
    return {
        "demands": [
            {
                "row": r.row,
                "title": r.demand.title,
                "findings": [f.as_dict() for f in check_demand(r.demand, settings)],
            }
            for r in rows
        ]
    }


# ---------------------------------------------------------------- burden estimate


def default_estimate(d: DemandInput, *, attendees: int | None = None) -> dict[str, Any]:
    """A first PRA-style estimate when the issuer gives none (documented in the README)."""
    if d.kind == DemandKind.MEETING:
        minutes = d.duration_minutes or 60
        return {
            "respondents": attendees or 1,
            "frequency_per_year": 1,
            "hours_per_response": (Decimal(minutes) / 60 + Decimal("0.5")).quantize(
                Decimal("0.01")
            ),
            "preparation_hours": Decimal("0"),
        }
    if d.kind == DemandKind.DOCUMENT:
        reading = Decimal(max(1, (d.chars or 3000) // 3000)) * Decimal("0.5")
        return {
            "respondents": 1,
            "frequency_per_year": 1,
            "hours_per_response": reading + (Decimal("4") if d.asks_followup else Decimal("1")),
            "preparation_hours": Decimal("0"),
        }
    if d.kind == DemandKind.INSPECTION:
        return {
            "respondents": 1,
            "frequency_per_year": 1,
            "hours_per_response": Decimal("8"),
            "preparation_hours": Decimal("8"),
        }
    if d.kind == DemandKind.APP:
        text = d.demand_text + d.title
        per_year = 250 if ("每日" in text or "每天" in text) else 52 if "每周" in text else 12
        return {
            "respondents": 1,
            "frequency_per_year": per_year,
            "hours_per_response": Decimal("0.25"),
            "preparation_hours": Decimal("0"),
        }
    return {
        "respondents": 1,
        "frequency_per_year": 1,
        "hours_per_response": Decimal("2"),
        "preparation_hours": Decimal("1"),
    }


# ---------------------------------------------------------------- demands and findings


def demand_input(demand: Demand) -> DemandInput:
    """The checker's view of a stored demand."""
    return DemandInput(
        kind=demand.kind,
        title=demand.title,
        issuer=demand.issuer.name if demand.issuer else "",
        received=demand.received,
        deadline=demand.deadline,
        chars=demand.chars,
        asks_followup=demand.asks_followup,
        specific_task=demand.specific_task,
        duration_minutes=demand.duration_minutes,
        covered_by_document=demand.covered_by_document,
        approval_code=demand.approval_code,
        demand_text=demand.demand_text,
    )


def _template_facts(demand: Demand, d: DemandInput) -> None:
    if demand.kind != DemandKind.REPORT:
        return
    template = demand.template
    if template is None:
        # No template linked: the form's fields are known from its 准入 review, if any.
        review = (
            AdmissionReview.objects.filter(title=demand.title, year=demand.received.year)
            .order_by("-submitted_at")
            .first()
        )
        if review is not None and review.analysis.get("fields_total"):
            d.fields_total = int(review.analysis["fields_total"])
            d.held_labels = [h["label"] for h in review.analysis.get("held", [])]
            d.fields_held = len(d.held_labels)
        return
    if template is not None:
        approved = AdmissionReview.objects.filter(template=template, status=ReviewStatus.APPROVED)
        if approved.exists() or getattr(template, "admission_status", "") == "approved":
            d.form_admitted = True
        fields = held_data.fields_from_template(template)
        held = held_data.held_fields(fields, template=template)
        d.fields_total, d.fields_held = held.total, len(held.held)
        d.held_labels = [h["label"] for h in held.held]


@transaction.atomic
def demand_findings_refresh(*, demand: Demand, actor: Any) -> list[Finding]:
    """Re-run the rules on one stored demand; feedback and other origins are left alone."""
    d = demand_input(demand)
    _template_facts(demand, d)
    ledger = selectors.inspections_per_issuer_year(
        scope=Scope.of_unit(demand.org_unit), before=demand.received
    )
    _enrich([d], org_unit=None)
    if d.kind == DemandKind.INSPECTION:
        d.prior_inspections = ledger.get((d.issuer, demand.received.year), 0)
    found = check_demand(d, selectors.rule_settings())
    return _store_findings(demand, found, actor=actor)


def _store_findings(demand: Demand, found: list[FindingOut], *, actor: Any) -> list[Finding]:
    old = list(
        demand.findings.filter(origin=FindingOrigin.RULE).values_list("rule_code", flat=True)
    )
    demand.findings.filter(origin=FindingOrigin.RULE).delete()
    rows = [
        Finding(
            org_unit=demand.org_unit,
            demand=demand,
            issuer=demand.issuer,
            kind=demand.kind,
            rule_code=f.rule,
            message=f.message,
            source=f.source,
            origin=FindingOrigin.RULE,
            occurred_on=demand.received,
        )
        for f in found
    ]
    Finding.objects.bulk_create(rows)
    new = [f.rule for f in found]
    if sorted(old) != sorted(new):
        audit_record(
            actor=actor,
            action="burden.finding.refresh",
            target=demand,
            org_path=demand.org_unit.path,
            before={"rules": sorted(old)},
            after={"rules": sorted(new)},
        )
    return rows


# Facts a person types from which the estimate is derived: checked before the estimate is.
FACT_NUMBERS = ["chars", "duration_minutes", "attendees"]


def _build_demand(
    *,
    org_unit: OrgUnit | None,
    kind: str,
    title: str,
    received: date,
    actor: Any,
    issuer: Department | None,
    source: str,
    fields: dict[str, Any],
) -> Demand:
    """The unsaved, validated demand `demand_create` would store (estimate filled in)."""
    if kind not in DemandKind.values:
        raise InvalidInput(_("类别无效，请选择报表、文件、会议、督查检查考核或APP要求。"))
    if not title.strip():
        raise InvalidInput(_("请填写事项名称。"))
    unknown = set(fields) - set(DEMAND_FIELDS) - {"template"}
    if unknown:
        raise InvalidInput(_("未知字段：%(fields)s") % {"fields": join_list(sorted(unknown))})
    for name in FACT_NUMBERS:
        problem = limits.number_problem(Demand, name, fields.get(name))
        if problem:
            raise InvalidInput(problem)
    probe = DemandInput(
        kind=kind,
        title=title,
        chars=fields.get("chars"),
        asks_followup=bool(fields.get("asks_followup")),
        duration_minutes=fields.get("duration_minutes"),
        demand_text=fields.get("demand_text", ""),
    )
    for key, value in default_estimate(probe, attendees=fields.get("attendees")).items():
        if fields.get(key) in (None, ""):
            fields[key] = value
    unit = {"org_unit": org_unit} if org_unit is not None else {}
    demand = Demand(**unit, kind=kind, title=title.strip(), received=received, issuer=issuer,
                    source=source, created_by=actor if hasattr(actor, "pk") else None,
                    **fields)  # fmt: skip
    _validate_demand(demand)
    return demand


@transaction.atomic
def demand_create(
    *,
    org_unit: OrgUnit,
    kind: str,
    title: str,
    received: date,
    actor: Any,
    issuer: Department | None = None,
    source: str = "entry",
    **fields: Any,
) -> Demand:
    """Register one demand, fill a default burden estimate if none is given, and check it."""
    demand = _build_demand(org_unit=org_unit, kind=kind, title=title, received=received,
                           actor=actor, issuer=issuer, source=source, fields=fields)  # fmt: skip
    demand.save()
    audit_record(actor=actor, action="burden.demand.create", target=demand,
                 org_path=org_unit.path, after=snapshot(demand))  # fmt: skip
    demand_findings_refresh(demand=demand, actor=actor)
    return demand


def _row_title(r: CsvRow) -> str:
    return r.demand.title or f"第{r.row}行事项"


def _row_fields(r: CsvRow) -> dict[str, Any]:
    d = r.demand
    return {"deadline": d.deadline, "chars": d.chars, "asks_followup": d.asks_followup,
            "duration_minutes": d.duration_minutes, "covered_by_document": d.covered_by_document,
            "approval_code": d.approval_code, "demand_text": d.demand_text}  # fmt: skip


def _row_demand(
    r: CsvRow, *, org_unit: OrgUnit | None, issuer: Department | None, actor: Any
) -> Demand:
    """The demand a CSV row would store; its problems are named by the data row."""
    d = r.demand
    if d.received is None:
        raise InvalidInput(
            _("第%(row)s行 received 列：入账需要收到日期，请填写 YYYY-MM-DD。") % {"row": r.row}
        )
    longest = Department._meta.get_field("name").max_length or 0
    try:
        if len(d.issuer) > longest:
            raise InvalidInput(_("下达部门名称太长，最多%(n)s个字。") % {"n": longest})
        return _build_demand(org_unit=org_unit, kind=d.kind, title=_row_title(r),
                             received=d.received, actor=actor, issuer=issuer, source="import",
                             fields=_row_fields(r))  # fmt: skip
    except InvalidInput as exc:
        raise InvalidInput(
            _("第%(row)s行：%(problem)s") % {"row": r.row, "problem": exc.message}
        ) from exc


SHOWN_ROW_PROBLEMS = 10


def _rows_validate(rows: list[CsvRow], *, org_unit: OrgUnit | None, require_received: bool) -> None:
    """Raise one InvalidInput naming every row `demands_import` would refuse."""
    problems = []
    for r in rows:
        if r.demand.received is None and not require_received:
            continue
        try:
            _row_demand(r, org_unit=org_unit, issuer=None, actor=None)
        except InvalidInput as exc:
            problems.append(exc.message)
    if not problems:
        return
    shown = problems[:SHOWN_ROW_PROBLEMS]
    if len(problems) > len(shown):
        shown.append(_("另有%(n)s行有问题，未一一列出。") % {"n": len(problems) - len(shown)})
    raise InvalidInput(" ".join(shown))


def _ledger_fingerprints(*, org_unit: OrgUnit, titles: set[str]) -> dict[str, Demand]:
    """The fingerprints of this unit's stored demands with these titles (a duplicate shares
    its title, so only those are read)."""
    stored = Demand.objects.filter(org_unit=org_unit, title__in=titles).order_by("pk")
    return {demand_fingerprint(demand=d): d for d in stored}


@transaction.atomic
def demands_import(*, rows: list[CsvRow], org_unit: OrgUnit, actor: Any) -> dict[str, Any]:
    """Store a whole CSV batch (all or nothing) and return its findings like `demands_check`.

    A row equal to a demand already in this unit's ledger (same `demand_fingerprint`: the
    same file imported twice, or a row repeated) is skipped and listed under "skipped".
    """
    _rows_validate(rows, org_unit=org_unit, require_received=True)
    known = _ledger_fingerprints(org_unit=org_unit, titles={_row_title(r).strip() for r in rows})
    out, skipped = [], []
    for r in rows:
        name = r.demand.issuer.strip()
        issuer = Department.objects.filter(name=name).first() if name else None
        row = _row_demand(r, org_unit=org_unit, issuer=issuer, actor=actor)
        # A department not yet known cannot be the issuer of a stored demand: no duplicate.
        same = known.get(demand_fingerprint(demand=row)) if issuer or not name else None
        if same is not None:
            message = _("第%(row)s行：与已登记的“%(title)s”重复，已跳过") % {
                "row": r.row, "title": same.title,
            }  # fmt: skip
            skipped.append({"row": r.row, "title": same.title, "id": same.pk, "message": message})
            continue
        if name and issuer is None:
            issuer = department_get_or_create(name=name, actor=actor)
        demand = demand_create(org_unit=org_unit, kind=row.kind, title=row.title,
                               received=row.received, issuer=issuer, actor=actor,
                               source="import", **_row_fields(r))  # fmt: skip
        known[demand_fingerprint(demand=demand)] = demand
        findings = demand.findings.order_by("pk")
        out.append(
            {
                "row": r.row,
                "title": demand.title,
                "id": demand.pk,
                "findings": [
                    {"rule": f.rule_code, "message": f.message, "source": f.source}
                    for f in findings
                ],
            }
        )
    return {"demands": out, "skipped": skipped}


# What a person may correct on a stored demand: every field of the entry page.
DEMAND_EDITABLE = [
    "kind", "title", "issuer", "received", "deadline", "chars", "asks_followup",
    "specific_task", "duration_minutes", "attendees", "level", "covered_by_document",
    "approval_code", "demand_text", "template", "respondents", "frequency_per_year",
    "hours_per_response", "preparation_hours",
]  # fmt: skip
ESTIMATE_FIELDS = ["respondents", "frequency_per_year", "hours_per_response", "preparation_hours"]
# Facts only one kind has; they are cleared when a demand's kind is corrected.
KIND_ONLY_FIELDS: dict[str, list[str]] = {
    DemandKind.REPORT: ["template"],
    DemandKind.DOCUMENT: ["chars", "asks_followup", "specific_task"],
    DemandKind.MEETING: ["duration_minutes", "attendees", "level", "covered_by_document"],
    DemandKind.INSPECTION: ["approval_code"],
    DemandKind.APP: ["demand_text"],
}


def _auto_estimate(demand: Demand) -> dict[str, Any]:
    """The estimate `demand_create` would fill for these facts."""
    probe = DemandInput(
        kind=demand.kind,
        title=demand.title,
        chars=demand.chars,
        asks_followup=demand.asks_followup,
        duration_minutes=demand.duration_minutes,
        demand_text=demand.demand_text,
    )
    return default_estimate(probe, attendees=demand.attendees)


# Every number a demand keeps, facts first, so a problem is named where the user typed it.
DEMAND_NUMBERS = [*FACT_NUMBERS, *ESTIMATE_FIELDS]


def _validate_demand(demand: Demand) -> None:
    """The checks a demand passes at entry and after every correction."""
    if not demand.title.strip():
        raise InvalidInput(_("请填写事项名称。"))
    for name in ("received", "deadline"):
        value = getattr(demand, name)
        problem = limits.date_problem(value) if isinstance(value, date) else ""
        if problem:
            label = {f.name: str(f.verbose_name) for f in Demand._meta.concrete_fields}[name]
            raise InvalidInput(_("%(field)s：%(problem)s") % {"field": label, "problem": problem})
    if demand.deadline and demand.deadline < demand.received:
        raise InvalidInput(_("截止日期早于收到日期，请核对。"))
    for name in DEMAND_NUMBERS:
        problem = limits.number_problem(Demand, name, getattr(demand, name))
        if problem:
            raise InvalidInput(problem)
    if all(getattr(demand, name) is not None for name in ESTIMATE_FIELDS):
        problem = limits.hours_problem(*(getattr(demand, name) for name in ESTIMATE_FIELDS))
        if problem:
            raise InvalidInput(problem)
    try:
        demand.full_clean(exclude=["org_unit", "issuer", "template", "created_by"])
    except ValidationError as exc:
        labels = {f.name: str(f.verbose_name) for f in Demand._meta.fields}
        problems = [
            f"{labels[name]}：{'；'.join(errors)}" if name in labels else "；".join(errors)
            for name, errors in exc.message_dict.items()
        ]
        raise InvalidInput("；".join(problems)) from exc


def _inspection_key(demand: Demand) -> tuple[int | None, int] | None:
    if demand.kind != DemandKind.INSPECTION:
        return None
    return (demand.issuer_id, demand.received.year)


def _recheck_inspections(
    *, unit: OrgUnit, keys: set[tuple[int | None, int] | None], exclude: int, actor: Any
) -> None:
    """An inspection moved, corrected or deleted changes how many came before the others of
    the same issuer and year, so those may cross or leave the yearly plan: check them again.
    Only ledgers that count this unit are affected, i.e. its own and its ancestors'."""
    wanted = Q(pk__in=[])
    for key in keys:
        if key is None:
            continue
        issuer_id, year = key
        issuer = Q(issuer_id=issuer_id) if issuer_id else Q(issuer__isnull=True)
        wanted |= issuer & Q(received__year=year)
    parts = [p for p in unit.path.split("/") if p]
    ancestors = ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]
    others = (
        Demand.objects.filter(wanted, kind=DemandKind.INSPECTION, org_unit__path__in=ancestors)
        .exclude(pk=exclude)
        .select_related("org_unit", "issuer", "template")
        .order_by("received", "pk")
    )
    for other in others:
        demand_findings_refresh(demand=other, actor=actor)


# Marked for the catalogue here and translated where it is raised (in the reader's language).
STALE_EDIT = gettext_noop("这一项在您打开后已被他人修改，请刷新页面查看最新内容后再改。")


def demand_fingerprint(*, demand: Demand) -> str:
    """A short hash of the demand's correctable values, handed out with the edit page and given
    back to `demand_revise`, so a save made from a page that is no longer current is refused
    instead of silently undoing someone else's correction. A hash rather than a version column:
    it needs no migration and also notices writes that go around `demand_revise` (an upload
    updating the length); a change undone in between is no conflict, as the page is current."""
    values: dict[str, str | None] = {}
    for field in Demand._meta.concrete_fields:
        if field.name not in DEMAND_EDITABLE:
            continue
        value = getattr(demand, field.attname)  # issuer_id, not the issuer: no query
        if isinstance(value, Decimal):
            value = value.normalize()  # 2.5 as given and 2.50 as read back are the same value
        values[field.attname] = None if value is None else str(value)
    text = json.dumps(values, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


@transaction.atomic
def demand_revise(
    *,
    demand: Demand,
    actor: Any,
    estimate_kind: str = EstimateKind.RE_ESTIMATE,
    reason: str = "",
    expected_fingerprint: str | None = None,
    **changes: Any,
) -> BurdenRevision | None:
    """Correct a stored demand (any field of the entry page), then re-estimate and re-check it.

    Estimate fields given as None are estimated again as at entry. Estimate fields left as
    they were follow the new facts while they still hold the automatic estimate (correcting a
    meeting's attendees corrects its hours) and stay put when someone set them by hand.
    A change of yearly hours is also kept as a BurdenRevision, so the dashboard can tell a
    re-estimate (the first figure was wrong) from a program change (the issuer changed the
    demand); that revision is returned, None when the hours did not move. Nothing is saved
    when any check fails, and the caller's object is refreshed only on success.
    Given `expected_fingerprint` (what `demand_fingerprint` said when the page was opened),
    the save is refused with Conflict when the stored demand has changed since; callers that
    do not give one (CLI, demo, other services) save as before.
    """
    if estimate_kind not in (EstimateKind.RE_ESTIMATE, EstimateKind.PROGRAM_CHANGE):
        raise InvalidInput(_("请选择“重新估算”或“实际要求变化”。"))
    unknown = set(changes) - set(DEMAND_EDITABLE)
    if unknown:
        raise InvalidInput(_("不能修改：%(fields)s") % {"fields": join_list(sorted(unknown))})
    kind = changes.get("kind", demand.kind)
    if kind not in DemandKind.values:
        raise InvalidInput(_("类别无效，请选择报表、文件、会议、督查检查考核或APP要求。"))
    # Work on the stored row, so the audit's "before" is what the database held.
    row = Demand.objects.select_for_update().get(pk=demand.pk)
    if expected_fingerprint is not None and expected_fingerprint != demand_fingerprint(demand=row):
        raise Conflict(_(STALE_EDIT))
    before, hours_before = snapshot(row), row.burden_hours
    auto_before, inspection_before = _auto_estimate(row), _inspection_key(row)
    if kind != row.kind:
        empty = {f.name: f.get_default() for f in Demand._meta.concrete_fields}
        for name in KIND_ONLY_FIELDS[row.kind]:
            if name not in KIND_ONLY_FIELDS[kind] and name not in changes:
                setattr(row, name, empty[name])
    estimates = {k: changes.pop(k) for k in ESTIMATE_FIELDS if k in changes}
    for name, value in changes.items():
        if name in ("title", "approval_code", "demand_text", "level"):
            value = (value or "").strip()
        setattr(row, name, value)
    auto_after = _auto_estimate(row)
    for key in ESTIMATE_FIELDS:
        current = getattr(row, key)
        value = estimates.get(key, current)
        if value in (None, "") or (value == current and current == auto_before[key]):
            value = auto_after[key]
        if value == current:
            value = current  # keep the stored form (4.00, not 4) so no change is recorded
        setattr(row, key, value)
    _validate_demand(row)
    changed = [k for k, v in snapshot(row).items() if before[k] != v]
    if not changed:
        return None
    revision = None
    if row.burden_hours != hours_before:
        row.estimate_kind = estimate_kind
        labels = {f.attname: str(f.verbose_name) for f in Demand._meta.concrete_fields}
        what = "、".join(labels[k] for k in changed)
        revision = BurdenRevision(
            demand=row, estimate_kind=estimate_kind, hours_before=hours_before,
            hours_after=row.burden_hours, reason=reason.strip() or f"修改登记：{what}",
            revised_by=actor if hasattr(actor, "pk") else None,
        )  # fmt: skip
    row.save()
    if revision is not None:
        revision.save()
    after = snapshot(row)
    changed = [k for k, v in after.items() if before[k] != v]
    audit_record(actor=actor, action="burden.demand.revise", target=row, org_path=row.org_unit.path,
                 before={k: before[k] for k in changed}, after={k: after[k] for k in changed})  # fmt: skip
    demand_findings_refresh(demand=row, actor=actor)
    _recheck_inspections(unit=row.org_unit, keys={inspection_before, _inspection_key(row)},
                         exclude=row.pk, actor=actor)  # fmt: skip
    demand.refresh_from_db()
    return revision


def demand_delete_refusal(*, demand: Demand) -> str:
    """Why a demand must not be deleted, or "" when it may.

    Its rule findings and estimate history are derived from it and go with it (the audit entry
    keeps them). Uploaded originals and findings other features added (基层反映, 村级事项准入)
    are records in their own right that a cascade would silently destroy.
    """
    documents = demand.documents.count()
    others = demand.findings.exclude(origin=FindingOrigin.RULE).count()
    held = []
    if documents:
        held.append(_("附有%(n)s份上传的原文文件（字数和照搬检查的依据）") % {"n": documents})
    if others:
        held.append(_("关联了%(n)s条基层反映或村级事项准入的问题记录") % {"n": others})
    if not held:
        return ""
    return _(
        "不能删除：这一项%(reasons)s，删除会把它们一起删掉。如果是登记内容有误，请点“修改”更正。"
    ) % {"reasons": _("，").join(held)}


@transaction.atomic
def demand_delete(*, demand: Demand, actor: Any) -> None:
    """Remove a demand entered by mistake, with its rule findings and estimate history."""
    row = Demand.objects.select_for_update().get(pk=demand.pk)
    refusal = demand_delete_refusal(demand=row)
    if refusal:
        raise Conflict(refusal)
    before = snapshot(row)
    before["findings"] = sorted(row.findings.values_list("rule_code", flat=True))
    before["revisions"] = [
        snapshot(r, fields=["estimate_kind", "hours_before", "hours_after", "reason"])
        for r in row.revisions.order_by("pk")
    ]
    unit, inspection = row.org_unit, _inspection_key(row)
    audit_record(actor=actor, action="burden.demand.delete", target=row, org_path=unit.path,
                 before=before)  # fmt: skip
    pk = row.pk
    row.delete()
    _recheck_inspections(unit=unit, keys={inspection}, exclude=pk, actor=actor)


@transaction.atomic
def finding_add(
    *,
    org_unit: OrgUnit,
    rule_code: str,
    message: str,
    source: str,
    origin: str,
    occurred_on: date,
    actor: Any,
    demand: Demand | None = None,
    issuer: Department | None = None,
    kind: str = "",
    ref: str = "",
) -> Finding:
    """Add a finding from another feature (基层反映 feedback, 村级事项准入 …) to the ledger."""
    if origin not in FindingOrigin.values:
        raise InvalidInput(_("来源无效。"))
    if not rule_code or not message.strip() or not source.strip():
        raise InvalidInput(_("请写明规则编号、问题和依据。"))
    if kind and kind not in DemandKind.values:
        raise InvalidInput(_("类别无效。"))
    finding = Finding.objects.create(
        org_unit=org_unit, demand=demand, issuer=issuer or (demand.issuer if demand else None),
        kind=kind or (demand.kind if demand else ""), rule_code=rule_code, message=message.strip(),
        source=source.strip(), origin=origin, occurred_on=occurred_on, ref=ref,
    )  # fmt: skip
    audit_record(actor=actor, action="burden.finding.add", target=finding,
                 org_path=org_unit.path, after=snapshot(finding))  # fmt: skip
    return finding


@transaction.atomic
def findings_recheck(*, scope: Scope, actor: Any) -> int:
    """Re-run the rules on every demand in scope (after an admin changed a rule)."""
    demands = scope.filter(Demand.objects.select_related("org_unit", "issuer", "template"))
    n = 0
    for demand in demands.order_by("received", "pk"):
        demand_findings_refresh(demand=demand, actor=actor)
        n += 1
    return n


# ---------------------------------------------------------------- rules

RULE_EDITABLE = [
    "title",
    "enabled",
    "threshold",
    "threshold_alt",
    "keywords",
    "exceptions",
    "citation",
]


@transaction.atomic
def rule_update(*, rule: Rule, actor: Any, **changes: Any) -> Rule:
    """Change a rule's threshold, keywords or citation (admins only; checked by the caller)."""
    unknown = set(changes) - set(RULE_EDITABLE)
    if unknown:
        raise InvalidInput(_("不能修改：%(fields)s") % {"fields": join_list(sorted(unknown))})
    if not str(changes.get("citation", rule.citation)).strip():
        raise InvalidInput(_("请写明规则依据（引用的文件名称和条款）。"))
    for key in ("threshold", "threshold_alt"):
        value = changes.get(key)
        if value is not None and int(value) < 0:
            raise InvalidInput(_("阈值不能为负数。"))
    before = snapshot(rule)
    for key, value in changes.items():
        setattr(rule, key, value)
    rule.save()
    audit_record(actor=actor, action="burden.rule.update", target=rule, before=before,
                 after=snapshot(rule))  # fmt: skip
    return rule


# ---------------------------------------------------------------- documents


@transaction.atomic
def document_upload(
    *,
    org_unit: OrgUnit,
    name: str,
    data: bytes,
    actor: Any,
    demand: Demand | None = None,
    upper_name: str = "",
    upper_data: bytes | None = None,
) -> DocumentUpload:
    """Store a document, count its characters and, given the upper-level original, how much
    of it is copied. With a demand, the demand's length is updated and re-checked."""
    try:
        fmt = file_format(name)
        text = extract_text(name, data)
        upper_text = extract_text(upper_name, upper_data) if upper_data else ""
    except ExtractError as exc:
        raise InvalidInput(str(exc)) from exc
    share = containment(text, upper_text) if upper_text else None
    doc = DocumentUpload(
        demand=demand, org_unit=org_unit, original_name=Path(name).name[:255], format=fmt,
        text=text, chars=count_chars(text), upper_name=Path(upper_name).name[:255] if upper_name else "",
        upper_text=upper_text, containment=share,
        is_copy=share is not None and share >= COPY_THRESHOLD,
        uploaded_by=actor if hasattr(actor, "pk") else None,
    )  # fmt: skip
    digest = hashlib.sha256(data).hexdigest()[:16]
    doc.file.save(f"{digest}.{fmt}", ContentFile(data), save=False)
    doc.save()
    audit_record(actor=actor, action="burden.document.upload", target=doc, org_path=org_unit.path,
                 after=snapshot(doc, fields=["id", "original_name", "chars", "containment", "is_copy"]))  # fmt: skip
    if demand is not None:
        demand.chars = doc.chars
        demand.save(update_fields=["chars"])
        demand_findings_refresh(demand=demand, actor=actor)
    return doc


# ---------------------------------------------------------------- 准入 admission review


@dataclass
class AdmissionInput:
    title: str
    year: int
    respondents: int = 1
    frequency_per_year: int = 1
    hours_per_response: Decimal = Decimal("1")
    preparation_hours: Decimal = Decimal("0")
    legal_basis: str = ""


def _approved_forms(exclude: int | None) -> list[tuple[str, list[held_data.FieldRef]]]:
    others = []
    qs = AdmissionReview.objects.filter(status=ReviewStatus.APPROVED)
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    for review in qs.only("title", "analysis"):
        refs = [
            held_data.FieldRef(
                key=str(i), label=f["label"], unit=f.get("unit", ""), form=str(review.pk)
            )
            for i, f in enumerate(review.analysis.get("fields", []))
        ]
        others.append((review.title, refs))
    return others


def admission_analyse(*, fields: list[held_data.FieldRef], burden_hours: Decimal,
                      exclude: int | None = None, template: Any = None) -> dict[str, Any]:  # fmt: skip
    """What a reviewer sees before deciding: held fields, overlaps, the burden added."""
    held = held_data.held_fields(fields, template=template)
    overlaps = held_data.overlapping_fields(fields, _approved_forms(exclude))
    return {
        "fields": [{"label": f.label, "unit": f.unit} for f in fields],
        "fields_total": held.total,
        "held": held.held,
        "held_percent": held.percent,
        "store_available": held.store_available,
        "overlaps": overlaps,
        "overlap_count": len({o["label"] for o in overlaps}),
        "burden_hours": float(burden_hours),
    }


def _admission_numbers_check(form: AdmissionInput) -> None:
    """The year and the estimate must be ones the ledger can keep and show."""
    if not isinstance(form.year, int) or not limits.year_in_range(form.year):
        raise InvalidInput(
            _("年度应在%(first)s到%(last)s之间。")
            % {"first": limits.EARLIEST_YEAR, "last": limits.latest_year()}
        )
    for name in ESTIMATE_FIELDS:
        problem = limits.number_problem(AdmissionReview, name, getattr(form, name))
        if problem:
            raise InvalidInput(problem)
    problem = limits.hours_problem(*(getattr(form, name) for name in ESTIMATE_FIELDS))
    if problem:
        raise InvalidInput(problem)


@transaction.atomic
def admission_submit(
    *, org_unit: OrgUnit, department: Department, name: str, data: bytes, form: AdmissionInput,
    actor: Any, template: Any = None,
) -> AdmissionReview:  # fmt: skip
    """A department asks to send a new form down; the file is parsed and analysed at once.

    A form its department already has waiting for review is refused: the pending one is
    what the reviewer decides on (a revised form is submitted after the decision).
    """
    if not form.title.strip():
        raise InvalidInput(_("请填写报表名称。"))
    _admission_numbers_check(form)
    # Lock the department so two submissions of the same form cannot both pass the check.
    Department.objects.select_for_update().filter(pk=department.pk).first()
    pending = AdmissionReview.objects.filter(
        department=department, title=form.title.strip(), status=ReviewStatus.PENDING
    ).first()
    if pending is not None:
        raise Conflict(
            _("“%(title)s”已经提交过，正在等待审查，请不要重复提交。") % {"title": pending.title}
        )
    suffix = Path(name).suffix.lower()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"form{suffix}"
        path.write_bytes(data)
        try:
            fields = held_data.fields_from_file(path, display_name=Path(name).name)
        except Exception as exc:
            message = getattr(exc, "message", None) or _(
                "报表文件无法读取，请上传 xlsx、xls、csv 或 docx 格式的空白表样。"
            )
            raise InvalidInput(str(message)) from exc
    if not fields:
        raise InvalidInput(_("没有在文件中找到任何填报项，请上传空白表样（含表头）。"))
    review = AdmissionReview(
        org_unit=org_unit, department=department, title=form.title.strip(), year=form.year,
        original_name=Path(name).name[:255], template=template, legal_basis=form.legal_basis,
        respondents=form.respondents, frequency_per_year=form.frequency_per_year,
        hours_per_response=form.hours_per_response, preparation_hours=form.preparation_hours,
        submitted_by=actor if hasattr(actor, "pk") else None,
    )  # fmt: skip
    review.analysis = admission_analyse(
        fields=fields, burden_hours=review.burden_hours, template=template
    )
    digest = hashlib.sha256(data).hexdigest()[:16]
    review.file.save(f"{digest}{suffix}", ContentFile(data), save=False)
    review.save()
    audit_record(actor=actor, action="burden.admission.submit", target=review, org_path=org_unit.path,
                 after=snapshot(review, fields=["id", "title", "year", "department", "status"]))  # fmt: skip
    return review


@transaction.atomic
def admission_decide(
    *, review: AdmissionReview, status: str, reason: str, actor: Any
) -> AdmissionReview:
    """Approve, reject, or answer "use existing data" — always with a reason, audited.

    The stored row is locked and read again, so of two reviewers deciding at once the second
    is refused rather than overwriting the first; the caller's object is refreshed.
    """
    row = AdmissionReview.objects.select_for_update().get(pk=review.pk)
    if review.status != ReviewStatus.PENDING or row.status != ReviewStatus.PENDING:
        raise Conflict(_("这份申请已经有结论，不能重复审查。"))
    if status not in (ReviewStatus.APPROVED, ReviewStatus.REJECTED, ReviewStatus.USE_EXISTING):
        raise InvalidInput(_("请选择准入、不予准入或使用已有数据。"))
    if not reason.strip():
        raise InvalidInput(_("请写明审查理由。"))
    before = snapshot(row, fields=["status", "reason"])
    row.status = status
    row.reason = reason.strip()
    row.decided_by = actor if hasattr(actor, "pk") else None
    row.decided_at = timezone.now()
    row.save()
    if row.template_id:
        # Mirror the decision on the reporting app's template so its pages show it too.
        from qingzhuang.reporting.models import ReportTemplate

        ReportTemplate.objects.filter(pk=row.template_id).update(admission_status=status)
    audit_record(actor=actor, action="burden.admission.decide", target=row, org_path=row.org_unit.path,
                 before=before, after=snapshot(row, fields=["status", "reason"]))  # fmt: skip
    review.refresh_from_db()
    return review


def admission_get_for_decision(*, scope: Scope, pk: int) -> AdmissionReview:
    review = selectors.admission_get(scope=scope, pk=pk)
    if review is None:  # pragma: no cover - selector raises
        raise NotFound(_("找不到这份准入申请。"))
    return review
