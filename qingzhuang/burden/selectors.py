"""Reads for the burden ledger. Every selector returning org data takes the user's scope."""

from __future__ import annotations

import datetime as dt
import re
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    Prefetch,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce, ExtractMonth
from django.utils.translation import gettext, pgettext

from qingzhuang.burden.models import (
    AdmissionReview,
    BurdenRevision,
    Demand,
    Finding,
    FindingOrigin,
    ReviewStatus,
    Rule,
    display_rule_title,
)
from qingzhuang.burden.rules_engine import RuleSetting, setting_from_dict
from qingzhuang.core.errors import NotFound
from qingzhuang.org.scope import Scope

HOURS = ExpressionWrapper(
    Cast(F("respondents"), DecimalField(max_digits=12, decimal_places=2))
    * Cast(F("frequency_per_year"), DecimalField(max_digits=12, decimal_places=2))
    * F("hours_per_response")
    + F("preparation_hours"),
    output_field=DecimalField(max_digits=14, decimal_places=2),
)


def rules_all() -> QuerySet[Rule]:
    return Rule.objects.all()


def rule_titles() -> dict[str, str]:
    """Rule code -> title in the page language, for every code a finding can carry.

    Rule checks use the rule table (a default title translated, a reworded one as written).
    Findings other features add (基层反映 feedback, 村级事项准入 village work items) carry
    codes built from that feature's choices, so their titles are built from its labels.
    """
    titles = _feature_titles()
    titles.update({c: display_rule_title(t) for c, t in Rule.objects.values_list("code", "title")})
    return titles


def _feature_titles() -> dict[str, str]:
    try:
        from qingzhuang.duties.models import FLAGGED_RESULTS, FeedbackKind
    except ImportError:  # pragma: no cover - the ledger works without the duties app
        return {}
    colon = pgettext("punctuation", "：")
    feedback, village = (
        str(FindingOrigin.FEEDBACK.label),
        str(FindingOrigin.VILLAGE_ADMISSION.label),
    )
    titles = {f"FEEDBACK_{k.value.upper()}": f"{feedback}{colon}{k.label}" for k in FeedbackKind}
    titles.update(
        {f"VILLAGE_{r.value.upper()}": f"{village}{colon}{r.label}" for r in FLAGGED_RESULTS}
    )  # fmt: skip
    return titles


def rule_settings() -> list[RuleSetting]:
    """The rule rows as the pure checker's settings."""
    return [
        setting_from_dict(
            {
                "code": r.code,
                "title": r.title,
                "citation": r.citation,
                "enabled": r.enabled,
                "applies_to": r.applies_to,
                "threshold": r.threshold,
                "threshold_alt": r.threshold_alt,
                "keywords": r.keywords,
                "exceptions": r.exceptions,
            }
        )
        for r in Rule.objects.all()
    ]


MONTH = re.compile(r"(\d{4})-(\d{1,2})")


def parse_month(month: str) -> tuple[int, int] | None:
    """(year, month) from "YYYY-MM" as <input type="month"> sends it; None when it is not a
    month a date can have (a hand-edited "99999-01" or "2026-13")."""
    found = MONTH.fullmatch(month.strip())
    if found is None:
        return None
    year, number = int(found[1]), int(found[2])
    if not (dt.MINYEAR <= year <= dt.MAXYEAR and 1 <= number <= 12):
        return None
    return year, number


def demand_list(
    *,
    scope: Scope,
    kind: str = "",
    issuer_id: int | None = None,
    month: str = "",
    year: int | None = None,
) -> QuerySet[Demand]:
    """Demands in scope, newest first, with issuer, unit and findings loaded.

    `month` is "YYYY-MM"; an invalid month is ignored rather than failing the page.
    """
    qs = scope.filter(Demand.objects.all(), field="org_unit")
    if kind:
        qs = qs.filter(kind=kind)
    if issuer_id:
        qs = qs.filter(issuer_id=issuer_id)
    if year:
        qs = qs.filter(received__year=year)
    parsed = parse_month(month)
    if parsed is not None:
        qs = qs.filter(received__year=parsed[0], received__month=parsed[1])
    return (
        qs.select_related("issuer", "org_unit", "template")
        .prefetch_related(Prefetch("findings", queryset=Finding.objects.order_by("rule_code")))
        .annotate(hours=HOURS)
    )


def demand_get(*, scope: Scope, pk: int) -> Demand:
    demand = demand_list(scope=scope).filter(pk=pk).first()
    if demand is None:
        raise NotFound(gettext("找不到这条事项，或您无权查看。"))
    return demand


def finding_list(*, scope: Scope, year: int | None = None) -> QuerySet[Finding]:
    qs = scope.filter(Finding.objects.all(), field="org_unit")
    if year:
        qs = qs.filter(occurred_on__year=year)
    return qs.select_related("demand", "issuer", "org_unit")


def inspections_per_issuer_year(
    *, scope: Scope, before: date | None = None
) -> dict[tuple[str, int], int]:
    """(issuer name, year) -> stored inspections, for the over-plan rule."""
    qs = scope.filter(Demand.objects.filter(kind="inspection"), field="org_unit")
    if before is not None:
        qs = qs.filter(received__lt=before)
    rows = qs.values("issuer__name", "received__year").annotate(n=Count("id"))
    return {(r["issuer__name"] or "", r["received__year"]): r["n"] for r in rows}


def catalogue(*, scope: Scope, year: int) -> QuerySet[AdmissionReview]:
    """The yearly catalogue of approved forms."""
    return (
        scope.filter(AdmissionReview.objects.filter(year=year), field="org_unit")
        .filter(status=ReviewStatus.APPROVED)
        .select_related("department", "decided_by")
        .order_by("department__name", "title")
    )


def approved_titles(*, year: int) -> set[str]:
    """Titles of forms admitted for a year (any unit): a form is identified by its title."""
    return set(
        AdmissionReview.objects.filter(year=year, status=ReviewStatus.APPROVED).values_list(
            "title", flat=True
        )
    )


def admission_list(*, scope: Scope, status: str = "") -> QuerySet[AdmissionReview]:
    qs = scope.filter(AdmissionReview.objects.all(), field="org_unit")
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("department", "submitted_by", "decided_by", "org_unit")


def admission_get(*, scope: Scope, pk: int) -> AdmissionReview:
    review = admission_list(scope=scope).filter(pk=pk).first()
    if review is None:
        raise NotFound(gettext("找不到这份准入申请，或您无权查看。"))
    return review


def _dec(v: Any) -> float:
    return float(v or Decimal("0"))


def finding_counts(*, scope: Scope, year: int, month: int | None = None) -> list[dict[str, Any]]:
    """Findings per rule code, most frequent first: rule checks and what other features add
    (feedback, village work items), by the day each occurred. The dashboard and the monthly
    report both count with this, so they agree."""
    qs = finding_list(scope=scope, year=year)
    if month is not None:
        qs = qs.filter(occurred_on__month=month)
    rows = qs.values("rule_code").annotate(n=Count("id")).order_by("-n", "rule_code")
    return [{"rule": r["rule_code"], "count": r["n"]} for r in rows]


def dashboard(*, scope: Scope, year: int) -> dict[str, Any]:
    """Everything the burden dashboard shows, in a handful of grouped queries."""
    base = demand_list(scope=scope, year=year)
    plain = scope.filter(Demand.objects.filter(received__year=year), field="org_unit").annotate(
        hours=HOURS, m=ExtractMonth("received")
    )
    by_issuer = list(
        plain.values("m", "issuer__name").annotate(h=Sum("hours"), n=Count("id")).order_by("m")
    )
    by_kind = list(plain.values("m", "kind").annotate(h=Sum("hours"), n=Count("id")).order_by("m"))
    findings = finding_counts(scope=scope, year=year)
    revisions = list(
        scope.filter(
            BurdenRevision.objects.filter(demand__received__year=year), field="demand__org_unit"
        )
        .values("estimate_kind")
        .annotate(delta=Coalesce(Sum(F("hours_after") - F("hours_before")), Value(Decimal("0"))))
    )
    totals = plain.aggregate(h=Sum("hours"), n=Count("id"))
    return {
        "by_issuer": [
            {
                "month": r["m"],
                "issuer": r["issuer__name"] or gettext("未注明"),
                "hours": _dec(r["h"]),
                "count": r["n"],
            }
            for r in by_issuer
        ],
        "by_kind": [
            {"month": r["m"], "kind": r["kind"], "hours": _dec(r["h"]), "count": r["n"]}
            for r in by_kind
        ],
        "findings": findings,
        "revisions": {r["estimate_kind"]: _dec(r["delta"]) for r in revisions},
        "total_hours": _dec(totals["h"]),
        "total_demands": totals["n"] or 0,
        "flagged_demands": base.filter(findings__isnull=False).distinct().count(),
    }


def top_redundant_items(*, limit: int = 10) -> list[dict[str, Any]]:
    """Data items asked for by the most forms (from the reporting app's concepts)."""
    try:
        from qingzhuang.reporting.models import Concept
    except ImportError:  # pragma: no cover
        return []
    rows = (
        Concept.objects.annotate(
            forms=Count("members__template", distinct=True), fields=Count("members", distinct=True)
        )
        .filter(forms__gte=2)
        .order_by("-forms", "-fields", "name")[:limit]
    )
    return [{"name": c.name, "forms": c.forms, "fields": c.fields} for c in rows]


def monthly_report(*, scope: Scope, year: int, month: int, unit_name: str = "") -> dict[str, Any]:
    """The monthly burden report (the same dict feeds the xlsx and the PDF)."""
    from qingzhuang.burden.held_data import savings_hours

    demands = list(demand_list(scope=scope, month=f"{year}-{month}").order_by("received", "pk"))
    titles = rule_titles()
    by_issuer: dict[str, dict[str, Any]] = {}
    by_kind: dict[str, dict[str, Any]] = {}
    rows: list[dict[str, Any]] = []
    flagged = 0
    unnamed = gettext("未注明")
    for d in demands:
        name = d.issuer.name if d.issuer else unnamed
        hours = round(_dec(d.hours), 2)  # type: ignore[attr-defined]
        codes = [f.rule_code for f in d.findings.all()]
        flagged += 1 if codes else 0
        i = by_issuer.setdefault(name, {"issuer": name, "count": 0, "hours": 0.0, "findings": 0})
        i["count"] += 1
        i["hours"] = round(i["hours"] + hours, 2)
        i["findings"] += len(codes)
        k = by_kind.setdefault(d.kind, {"kind": d.kind, "count": 0, "hours": 0.0})
        k["count"] += 1
        k["hours"] = round(k["hours"] + hours, 2)
        rows.append(
            {
                "received": d.received.isoformat(),
                "kind": d.kind,
                "title": d.title,
                "issuer": name,
                "hours": hours,
                "rules": [titles.get(c, c) for c in codes],
            }
        )
    saved, known = savings_hours(scope=scope, year=year, month=month)
    total = round(sum(float(r["hours"]) for r in rows), 2)
    when = {"unit": unit_name, "year": year, "month": month}
    title = (
        gettext("%(unit)s%(year)s年%(month)s月基层负担报告")
        if unit_name
        else gettext("%(year)s年%(month)s月基层负担报告")
    )
    return {
        "title": title % when,
        "summary": [
            (gettext("事项总数"), len(rows)),
            (gettext("有问题的事项"), flagged),
            (gettext("负担合计(小时/年)"), total),
            (gettext("自动填表节省(小时)"), saved if known else gettext("暂无数据")),
        ],
        "demands": rows,
        "by_issuer": sorted(by_issuer.values(), key=lambda r: -r["hours"]),
        "by_kind": sorted(by_kind.values(), key=lambda r: -r["hours"]),
        "findings": [
            {**r, "title": titles.get(r["rule"], r["rule"])}
            for r in finding_counts(scope=scope, year=year, month=month)
        ],
    }
