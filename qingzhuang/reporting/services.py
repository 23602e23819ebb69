"""Writes for report templates: import, redundancy analysis, match decisions.

Every function is keyword-only, atomic and audited; pages, API, CLI and tests all call these.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qingzhuang.audit.services import audit_record, snapshot
from qingzhuang.core.errors import InvalidInput, NotFound
from qingzhuang.i18n import join_list
from qingzhuang.org.models import Department
from qingzhuang.org.services import department_get_or_create
from qingzhuang.reporting.models import (
    Concept,
    ConceptStatus,
    FieldMatch,
    Frequency,
    MatchStatus,
    ReportTemplate,
    Sheet,
    TemplateField,
)
from qingzhuang.sheets import ParsedWorkbook, SheetError, parse_file

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
ALLOWED_SUFFIXES = {".xlsx", ".xls", ".csv", ".docx"}
_ISSUER_END = re.compile(r"(局|委|委员会|办|办公室|部|厅|院|中心|政府|所|站|处|科|室|会|队)$")


@dataclass
class ImportResult:
    template: ReportTemplate
    created: bool
    mapped: int = 0  # fields mapped to existing data elements (templates_import only)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def structure_signature(parsed: ParsedWorkbook) -> str:
    """Same form, blank or filled, gives the same signature (values are not part of it)."""
    items = [[s.name or "", f.cell, f.label, f.unit] for s in parsed.sheets for f in s.fields]
    raw = json.dumps(items, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(raw.encode()).hexdigest()


def guess_frequency(text: str) -> str:
    if "月报" in text or "月度" in text:
        return Frequency.MONTHLY
    if "季报" in text or "季度" in text or "季节" in text:
        return Frequency.QUARTERLY
    if "半年" in text:
        return Frequency.HALF_YEARLY
    if "年报" in text or "年度" in text or "年末" in text:
        return Frequency.YEARLY
    return Frequency.YEARLY


def clean_issuer(text: str) -> str:
    """Keep an issuer recovered from the file only if it looks like an organisation name."""
    t = re.sub(r"\s+", "", text or "")
    return t if len(t) >= 3 and _ISSUER_END.search(t) else ""


def parse_template_file(path: Path, display_name: str) -> ParsedWorkbook:
    """Parse an upload, turning every engine error into a plain-language InvalidInput."""
    suffix = Path(display_name).suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        raise InvalidInput(
            _("%(file)s：不支持的文件类型，请上传 .xlsx、.xls、.csv 或 .docx 文件")
            % {"file": display_name}
        )
    if not path.is_file():
        raise InvalidInput(_("找不到文件：%(path)s") % {"path": display_name})
    size = path.stat().st_size
    if size == 0:
        raise InvalidInput(_("%(file)s：文件是空的，没有任何内容") % {"file": display_name})
    if size > MAX_UPLOAD_BYTES:
        raise InvalidInput(
            _("%(file)s：文件过大（超过 20MB），请拆分后再上传") % {"file": display_name}
        )
    try:
        parsed = parse_file(path, display_name=display_name)
    except SheetError as exc:
        raise InvalidInput(exc.message) from exc
    return parsed


def template_import(
    *,
    path: Path,
    actor: Any,
    original_name: str | None = None,
    issuer: str | None = None,
    title: str | None = None,
    frequency: str | None = None,
    deadline: date | None = None,
    legal_basis: str = "",
) -> ImportResult:
    """Store a template and its parsed fields; the same file (by sha256) is stored only once.

    Why the wrapper: the uploaded file is written to MEDIA_ROOT inside the transaction, so a
    failure removes it again and nothing is left half-saved.
    """
    saved: list[str] = []
    try:
        return _template_import(
            path=Path(path),
            actor=actor,
            original_name=original_name or Path(path).name,
            issuer=issuer,
            title=title,
            frequency=frequency,
            deadline=deadline,
            legal_basis=legal_basis,
            saved=saved,
        )
    except BaseException:
        _delete_stored(saved)
        raise


@dataclass
class BatchImportResult:
    results: list[ImportResult]
    analysis: AnalysisResult


def templates_import(
    *,
    files: Iterable[tuple[Path, str]],
    actor: Any,
    issuer: str | None = None,
    title: str | None = None,
    frequency: str | None = None,
    deadline: date | None = None,
) -> BatchImportResult:
    """Store several templates, map their fields and re-analyse redundancy, all or nothing.

    ``files`` holds (path on disk, name to show) pairs. Why this exists: stored files are not
    part of the database transaction, so when a later file (or the analysis) fails and the
    rows of the earlier templates are rolled back, their files in MEDIA_ROOT are deleted here
    as well. Pages and the CLI import several files only through this function.
    """
    from qingzhuang.datastore.services import template_automap

    saved: list[str] = []
    try:
        with transaction.atomic():
            results: list[ImportResult] = []
            for path, name in files:
                res = _template_import(
                    path=Path(path),
                    actor=actor,
                    original_name=name,
                    issuer=issuer,
                    title=title,
                    frequency=frequency,
                    deadline=deadline,
                    legal_basis="",
                    saved=saved,
                )
                if res.created:
                    res.mapped = template_automap(template=res.template, actor=actor)
                results.append(res)
            analysis = redundancy_analyse(actor=actor)
    except BaseException:
        _delete_stored(saved)
        raise
    return BatchImportResult(results, analysis)


def _delete_stored(names: list[str]) -> None:
    """Remove files stored by an import that did not commit (best effort: the error that
    caused the rollback is the one to report)."""
    for name in names:
        with contextlib.suppress(OSError):
            default_storage.delete(name)


@transaction.atomic
def _template_import(
    *,
    path: Path,
    actor: Any,
    original_name: str,
    issuer: str | None,
    title: str | None,
    frequency: str | None,
    deadline: date | None,
    legal_basis: str,
    saved: list[str],
) -> ImportResult:
    parsed = parse_template_file(path, original_name)
    sha = file_sha256(path)
    existing = ReportTemplate.objects.filter(sha256=sha).first()
    if existing is not None:
        return ImportResult(existing, False)
    if frequency and frequency not in Frequency.values:
        raise InvalidInput(
            _("报送频次“%(frequency)s”无效，可选：%(choices)s")
            % {"frequency": frequency, "choices": join_list(Frequency.values)}
        )
    issuer_name = (issuer or "").strip() or clean_issuer(parsed.issuer)
    department: Department | None = None
    if issuer_name:
        department = department_get_or_create(name=issuer_name, actor=actor)
    the_title = (title or "").strip() or parsed.title or Path(original_name).stem
    template = ReportTemplate(
        sha256=sha,
        original_name=original_name[:255],
        format=parsed.format,
        issuer=department,
        title=the_title[:255],
        frequency=frequency or guess_frequency(the_title + original_name),
        deadline=deadline,
        legal_basis=legal_basis,
        structure_sig=structure_signature(parsed),
        uploaded_by=actor if hasattr(actor, "pk") else None,
    )
    with path.open("rb") as fh:
        suffix = Path(original_name).suffix.lower()
        template.file.save(f"{sha[:16]}{suffix}", File(fh), save=False)
    saved.append(str(template.file.name))
    template.save()
    _store_sheets(template, parsed)
    audit_record(
        actor=actor, action="reporting.template.import", target=template, after=snapshot(template)
    )
    return ImportResult(template, True)


def _store_sheets(template: ReportTemplate, parsed: ParsedWorkbook) -> None:
    fields: list[TemplateField] = []
    for pos, ps in enumerate(parsed.sheets):
        sheet = Sheet.objects.create(
            template=template,
            position=pos,
            name=ps.name,
            title=(ps.title or "")[:255],
            orientation=ps.orientation,
            header_first=ps.header_rows[0],
            header_last=ps.header_rows[1],
            label_col=ps.label_col,
            value_col=ps.value_col,
            meta=dict(ps.meta),
            data_rows=[[r.row, r.label, r.is_total, r.is_empty] for r in ps.data_rows],
        )
        seen: set[str] = set()
        for i, pf in enumerate(ps.fields):
            if pf.cell in seen:
                continue
            seen.add(pf.cell)
            fields.append(
                TemplateField(
                    template=template,
                    sheet=sheet,
                    position=i,
                    cell=pf.cell,
                    path=list(pf.path),
                    label=pf.label[:255],
                    unit=(pf.unit or "")[:32],
                    orientation=ps.orientation,
                    row=pf.row,
                    col=pf.col,
                    value_cell=pf.value_cell or "",
                    code=(pf.code or "")[:32],
                )
            )
    TemplateField.objects.bulk_create(fields, batch_size=500)


@transaction.atomic
def template_update(
    *,
    template: ReportTemplate,
    actor: Any,
    title: str | None = None,
    frequency: str | None = None,
    deadline: date | None = None,
    issuer: str | None = None,
) -> ReportTemplate:
    before = snapshot(template)
    if title:
        template.title = title[:255]
    if frequency:
        if frequency not in Frequency.values:
            raise InvalidInput(_("报送频次无效"))
        template.frequency = frequency
    if deadline is not None:
        template.deadline = deadline
    if issuer:
        template.issuer = department_get_or_create(name=issuer, actor=actor)
    template.save()
    audit_record(
        actor=actor,
        action="reporting.template.update",
        target=template,
        before=before,
        after=snapshot(template),
    )
    return template


@dataclass
class AnalysisResult:
    concepts: int
    compared: int
    fields: int
    new_pairs: int = 0
    concept_ids: list[int] = field(default_factory=list)


def _key_pairs(status: str) -> set[frozenset[str]]:
    rows = FieldMatch.objects.filter(status=status).values_list("field_a_id", "field_b_id")
    return {frozenset((str(a), str(b))) for a, b in rows}


def _mapped_elements() -> dict[int, int]:
    """Field id → data element id, for the fields already mapped to an element."""
    from qingzhuang.datastore.models import FieldMapping

    return dict(
        FieldMapping.objects.filter(element__isnull=False).values_list("field_id", "element_id")
    )


@transaction.atomic
def redundancy_analyse(*, actor: Any) -> AnalysisResult:
    """Group all stored fields into concepts, keeping every human decision.

    Rejected pairs never end up together and confirmed pairs always do; suggestions from an
    earlier run are replaced, decisions are not. Fields already grouped in an accepted concept
    are not suggested again unless a new field joins them.
    """
    from qingzhuang.matching import FieldRef, find_concepts

    rows = TemplateField.objects.values_list(
        "pk", "label", "unit", "path", "template_id", "sheet__title", "sheet__name"
    )
    refs = [
        FieldRef(
            key=str(pk),
            label=label,
            unit=unit,
            path=tuple(path),
            form=str(tid),
            title=title or name or "",
        )
        for pk, label, unit, path, tid, title, name in rows
    ]
    result = find_concepts(
        refs, rejected=_key_pairs(MatchStatus.REJECTED), confirmed=_key_pairs(MatchStatus.CONFIRMED)
    )
    Concept.objects.filter(status=ConceptStatus.SUGGESTED).delete()
    FieldMatch.objects.filter(status=MatchStatus.SUGGESTED).delete()
    accepted_sets = [
        frozenset(c.members.values_list("pk", flat=True))
        for c in Concept.objects.filter(status=ConceptStatus.ACCEPTED)
    ]
    element_of = _mapped_elements()
    through = Concept.members.through
    links = []
    matches: dict[tuple[int, int], float] = {}
    ids: list[int] = []
    for concept in result.concepts:
        member_ids = frozenset(int(m.key) for m in concept.members)
        if any(member_ids <= acc for acc in accepted_sets):
            continue
        if len({element_of.get(m) for m in member_ids}) == 1 and member_ids <= element_of.keys():
            continue  # every field already reads and writes one data element: kept once
        obj = Concept.objects.create(name=concept.name[:255])
        ids.append(obj.pk)
        links += [through(concept_id=obj.pk, templatefield_id=m) for m in sorted(member_ids)]
        for a, b, score in concept.pairs:
            x, y = sorted((int(a), int(b)))
            matches[(x, y)] = score
    through.objects.bulk_create(links, batch_size=1000)
    decided = set(
        FieldMatch.objects.exclude(status=MatchStatus.SUGGESTED).values_list(
            "field_a_id", "field_b_id"
        )
    )
    FieldMatch.objects.bulk_create(
        [
            FieldMatch(field_a_id=a, field_b_id=b, score=s, status=MatchStatus.SUGGESTED)
            for (a, b), s in matches.items()
            if (a, b) not in decided
        ],
        batch_size=1000,
    )
    audit_record(
        actor=actor,
        action="reporting.redundancy.analyse",
        object_type="Concept",
        object_repr="重复数据项分析",
        after={"concepts": len(ids), "fields": len(refs), "compared": result.compared},
    )
    return AnalysisResult(len(ids), result.compared, len(refs), len(matches), ids)


def _decide(
    *, field_a: TemplateField, field_b: TemplateField, status: str, actor: Any
) -> FieldMatch:
    if field_a.pk == field_b.pk:
        raise InvalidInput(_("不能把一个字段和它自己比较"))
    a, b = (field_a, field_b) if field_a.pk < field_b.pk else (field_b, field_a)
    match, _created = FieldMatch.objects.select_for_update().get_or_create(
        field_a=a, field_b=b, defaults={"status": status}
    )
    before = snapshot(match)
    match.status = status
    match.decided_by = actor if hasattr(actor, "pk") else None
    match.decided_at = timezone.now()
    match.save()
    audit_record(
        actor=actor,
        action=f"reporting.match.{'confirm' if status == MatchStatus.CONFIRMED else 'reject'}",
        target=match,
        object_repr=f"{a.label} ↔ {b.label}",
        before=before,
        after=snapshot(match),
    )
    return match


@transaction.atomic
def match_confirm(*, field_a: TemplateField, field_b: TemplateField, actor: Any) -> FieldMatch:
    """A person says the two fields ask for the same data item."""
    return _decide(field_a=field_a, field_b=field_b, status=MatchStatus.CONFIRMED, actor=actor)


@transaction.atomic
def match_reject(*, field_a: TemplateField, field_b: TemplateField, actor: Any) -> FieldMatch:
    """A person says the two fields differ; the pair is never suggested again."""
    match = _decide(field_a=field_a, field_b=field_b, status=MatchStatus.REJECTED, actor=actor)
    # Take the pair out of any suggestion now, without waiting for the next analysis.
    for concept in Concept.objects.filter(status=ConceptStatus.SUGGESTED, members=field_a).filter(
        members=field_b
    ):
        concept.members.remove(field_b)
        if concept.members.count() < 2:
            concept.delete()
    return match


@transaction.atomic
def concept_members_reject(*, concept: Concept, actor: Any) -> int:
    """Reject every pair of a suggested concept (the whole suggestion is wrong)."""
    if concept.status != ConceptStatus.SUGGESTED:
        raise InvalidInput(_("只能否决待确认的建议"))
    members = list(concept.members.order_by("pk"))
    n = 0
    for i, a in enumerate(members):
        for b in members[i + 1 :]:
            if a.template_id != b.template_id:
                _decide(field_a=a, field_b=b, status=MatchStatus.REJECTED, actor=actor)
                n += 1
    concept.delete()
    return n


def template_get(*, pk: int) -> ReportTemplate:
    try:
        return ReportTemplate.objects.get(pk=pk)
    except ReportTemplate.DoesNotExist as exc:
        raise NotFound(_("找不到该报表模板，可能已被删除")) from exc


def most_common_unit(units: list[str]) -> str:
    counted = Counter(u for u in units if u)
    return counted.most_common(1)[0][0] if counted else ""
