"""Reads for report templates and the redundancy report (templates are a shared catalogue)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, Prefetch, QuerySet
from django.utils.translation import gettext as _

from qingzhuang.core.errors import NotFound
from qingzhuang.reporting.models import (
    Concept,
    ConceptStatus,
    FieldMatch,
    MatchStatus,
    ReportTemplate,
    Sheet,
    TemplateField,
)


def templates_list(*, issuer_id: int | None = None, q: str = "") -> QuerySet[ReportTemplate]:
    qs = ReportTemplate.objects.select_related("issuer").annotate(field_count=Count("fields"))
    if issuer_id:
        qs = qs.filter(issuer_id=issuer_id)
    if q:
        qs = qs.filter(title__icontains=q)
    return qs.order_by("-created_at", "-id")


def template_detail(*, pk: int) -> ReportTemplate:
    """A template with its sheets and fields (and their element mapping) in three queries."""
    fields = TemplateField.objects.select_related("mapping__element").order_by("position")
    try:
        return (
            ReportTemplate.objects.select_related("issuer")
            .prefetch_related(
                Prefetch(
                    "sheets",
                    queryset=Sheet.objects.order_by("position").prefetch_related(
                        Prefetch("fields", queryset=fields)
                    ),
                )
            )
            .get(pk=pk)
        )
    except ReportTemplate.DoesNotExist as exc:
        raise NotFound(_("找不到该报表模板，可能已被删除")) from exc


@dataclass
class RedundantItem:
    concept: Concept
    fields: list[TemplateField]
    issuers: list[str]
    asks_per_year: int
    minutes_wasted_per_year: float
    pairs: list[FieldMatch] = field(default_factory=list)


def redundancy_report(*, status: str = "") -> list[RedundantItem]:
    """Items asked for by two or more issuers: how often a year, by whom, minutes wasted.

    Minutes wasted = every asking beyond the most frequent one, times the minutes one
    field takes to look up and type (per reporting unit).
    """
    minutes = float(getattr(settings, "QZ_MINUTES_PER_FIELD", 0.5))
    qs = Concept.objects.prefetch_related(
        Prefetch(
            "members",
            queryset=TemplateField.objects.select_related("template__issuer", "sheet").order_by(
                "template_id"
            ),
        )
    ).order_by("status", "id")
    if status:
        qs = qs.filter(status=status)
    matches: dict[tuple[int, int], FieldMatch] = {
        (m.field_a_id, m.field_b_id): m
        for m in FieldMatch.objects.exclude(status=MatchStatus.REJECTED)
    }
    items: list[RedundantItem] = []
    for concept in qs:
        members = list(concept.members.all())
        asks = [m.template.times_per_year for m in members]
        total = sum(asks)
        issuers = sorted({m.template.issuer.name for m in members if m.template.issuer})
        ordered = sorted(members, key=lambda f: f.pk)
        pairs = []
        for i, a in enumerate(ordered):
            for b in ordered[i + 1 :]:
                match = matches.get((a.pk, b.pk))
                if match is not None:
                    # the page names both fields: reuse the prefetched rows, no query each
                    match.field_a, match.field_b = a, b
                    pairs.append(match)
        items.append(
            RedundantItem(
                concept,
                members,
                issuers,
                total,
                (total - max(asks, default=0)) * minutes,
                pairs,
            )
        )
    items.sort(
        key=lambda it: (it.concept.status != ConceptStatus.SUGGESTED, -it.minutes_wasted_per_year)
    )
    return items


def redundancy_totals(items: list[RedundantItem]) -> dict[str, Any]:
    return {
        "items": len(items),
        "multi_issuer": sum(1 for it in items if len(it.issuers) >= 2),
        "minutes": sum(it.minutes_wasted_per_year for it in items),
    }


def field_get(*, pk: int) -> TemplateField:
    try:
        return TemplateField.objects.select_related("template").get(pk=pk)
    except TemplateField.DoesNotExist as exc:
        raise NotFound(_("找不到该字段")) from exc


def concept_get(*, pk: int) -> Concept:
    try:
        return Concept.objects.get(pk=pk)
    except Concept.DoesNotExist as exc:
        raise NotFound(_("找不到该数据项建议，可能已重新分析")) from exc
