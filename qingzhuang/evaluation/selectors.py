"""Reads for evaluation. Every selector takes the acting user's scope.

Request metrics come from the MetricDaily counters (SQL sums), never from the raw million rows;
drill-down evidence comes from the raw work orders, filtered the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.utils.translation import gettext

from qingzhuang.evaluation.aggregates import day_bounds, metrics_refresh_pending
from qingzhuang.evaluation.metrics import (
    COUNTER_FIELDS,
    LOWER_IS_BETTER,
    MetricSettings,
    add_counts,
    empty_counts,
    summarize,
)
from qingzhuang.evaluation.models import EvaluationScheme, EvaluationSettings, MetricMonthly, Score
from qingzhuang.evaluation.periods import Period, bounds
from qingzhuang.evaluation.scoring import hist_merge
from qingzhuang.org.scope import Scope

GROUPS = {"org_unit": "org_unit_id", "area": "area_id", "category": "category", "month": "month"}


def metric_settings() -> MetricSettings:
    cfg = EvaluationSettings.objects.filter(pk=1).first() or EvaluationSettings()
    return MetricSettings(
        satisfaction_mode=cfg.satisfaction_mode,
        weight_satisfied=cfg.weight_satisfied,
        weight_fairly=cfg.weight_fairly,
        weight_dissatisfied=cfg.weight_dissatisfied,
        partly_weight=cfg.partly_weight,
        min_sample=cfg.min_sample,
    )


def metric_rows(
    *, scope: Scope, start: date, end: date, category: str = "", unit_ids: Iterable[int] = ()
) -> QuerySet[MetricMonthly]:
    """Monthly counter rows in scope (periods are whole months): both the responsible unit
    and the area must be visible to the user. Pending counter keys are refreshed first."""
    metrics_refresh_pending()
    qs = MetricMonthly.objects.filter(month__gte=start.replace(day=1), month__lte=end)
    qs = scope.filter(scope.filter(qs, field="org_unit"), field="area")
    if category:
        qs = qs.filter(category__startswith=category)
    ids = list(unit_ids)
    if ids:
        qs = qs.filter(org_unit_id__in=ids)
    return qs


def _sums() -> dict[str, Sum]:
    return {k: Sum(k) for k in COUNTER_FIELDS}


def request_metrics(
    *,
    scope: Scope,
    period: Period,
    group_by: str | None = None,
    category: str = "",
    with_hist: bool = True,
    settings: MetricSettings | None = None,
    unit_ids: Iterable[int] = (),
) -> dict[Any, dict[str, Any]]:
    """Metric summaries for a period, keyed by the group value (None when not grouped)."""
    s = settings or metric_settings()
    start, end = bounds(period)
    qs = metric_rows(scope=scope, start=start, end=end, category=category, unit_ids=unit_ids)
    col = GROUPS[group_by] if group_by else None
    counts: dict[Any, dict[str, int]] = {}
    base = qs.order_by()
    agg = base.values(col).annotate(**_sums()) if col else [base.aggregate(**_sums())]
    for row in agg:
        key = row[col] if col else None
        counts[key] = add_counts(empty_counts(), row)
    hists: dict[Any, list[dict[str, int]]] = {k: [] for k in counts}
    if with_hist:
        fields = [col, "ttr_hist"] if col else ["ttr_hist"]
        for row in base.exclude(ttr_hist={}).values_list(*fields):
            hists.setdefault(row[0] if col else None, []).append(row[-1])
    return {k: summarize(c, hist_merge(hists.get(k, [])), s) for k, c in counts.items()}


def metric_trend(
    *, scope: Scope, months: Sequence[Period], settings: MetricSettings | None = None
) -> list[dict[str, Any]]:
    """One summary per month (without time-to-resolve, which needs histograms)."""
    s = settings or metric_settings()
    start, _ = bounds(months[0])
    _, end = bounds(months[-1])
    per_month = (
        metric_rows(scope=scope, start=start, end=end)
        .order_by()
        .values("month")
        .annotate(**_sums())
    )
    by_month: dict[str, dict[str, int]] = {m.code: empty_counts() for m in months}
    for row in per_month:
        code = f"{row['month'].year}-{row['month'].month:02d}"
        if code in by_month:
            add_counts(by_month[code], row)
    return [
        {"period": m.code, "label": m.label, **summarize(by_month[m.code], {}, s)} for m in months
    ]


def ranking(
    *, scope: Scope, period: Period, metric: str, settings: MetricSettings | None = None
) -> dict[str, list[dict[str, Any]]]:
    """Units ranked by the Wilson lower bound (upper bound for lower-is-better rates).

    Units under the minimum sample are listed apart so two lucky requests never top the table.
    """
    from qingzhuang.org.models import OrgUnit

    data = request_metrics(scope=scope, period=period, group_by="org_unit", settings=settings)
    units = {u.pk: u for u in OrgUnit.objects.filter(pk__in=list(data))}
    ranked: list[dict[str, Any]] = []
    small: list[dict[str, Any]] = []
    for uid, summary in data.items():
        r = summary[metric]
        row = {"unit": units[uid], "rate": r, "summary": summary}
        (ranked if r["sufficient"] else small).append(row)
    lower = metric in LOWER_IS_BETTER
    ranked.sort(key=lambda x: (x["rate"]["high"] if lower else -x["rate"]["low"], x["unit"].code))
    small.sort(key=lambda x: x["unit"].code)
    return {"ranked": ranked, "insufficient": small}


def hotspots(*, scope: Scope, period: Period, limit: int = 10) -> list[dict[str, Any]]:
    """Village × category pairs with the most requests in the period (praise is not a problem)."""
    from qingzhuang.org.models import OrgUnit
    from qingzhuang.service_requests.selectors import PRAISE_CATEGORIES

    start, end = bounds(period)
    rows = list(
        metric_rows(scope=scope, start=start, end=end)
        .exclude(category__in=PRAISE_CATEGORIES)
        .order_by()
        .values("area_id", "category")
        .annotate(
            n=Sum("received"), complaints=Sum("complaints"), dissatisfied=Sum("cb_dissatisfied")
        )
        .order_by("-n", "area_id", "category")[:limit]
    )
    names = dict(
        OrgUnit.objects.filter(pk__in=[r["area_id"] for r in rows]).values_list("pk", "name")
    )
    return [{**r, "area": names.get(r["area_id"], "")} for r in rows]


def evidence_orders(
    *,
    scope: Scope,
    period: Period,
    unit_id: int | None = None,
    category: str = "",
    only: str = "",
    limit: int = 200,
) -> QuerySet[Any]:
    """The raw work orders behind a metric (the same filters the counters use)."""
    from qingzhuang.service_requests.models import WorkOrder

    start, end = bounds(period)
    lo, hi = day_bounds(start, end)
    qs: QuerySet[Any] = WorkOrder.objects.filter(
        created_at__gte=lo, created_at__lt=hi, request__duplicate_of__isnull=True
    ).select_related("request", "org_unit", "request__org_unit")
    qs = scope.filter(scope.filter(qs, field="org_unit"), field="request__org_unit")
    if unit_id:
        qs = qs.filter(org_unit_id=unit_id)
    if category:
        qs = qs.filter(request__category__startswith=category)
    if only == "unreasonable":
        qs = qs.filter(unreasonable_status="approved")
    elif only == "reopened":
        qs = qs.filter(reopen_count__gt=0)
    elif only == "returned":
        qs = qs.filter(returned_count__gt=0)
    elif only == "dissatisfied":
        qs = qs.filter(callbacks__satisfaction="dissatisfied").distinct()
    return qs.order_by("-created_at", "-id")[:limit]


def schemes() -> QuerySet[EvaluationScheme]:
    return EvaluationScheme.objects.filter(is_active=True).prefetch_related("items__indicator")


def scores(*, scope: Scope, scheme: EvaluationScheme, period: str) -> QuerySet[Score]:
    qs = Score.objects.filter(scheme=scheme, period=period).select_related("org_unit")
    return scope.filter(qs, field="org_unit").order_by("-total", "org_unit__code")


def score_get(*, scope: Scope, pk: int) -> Score:
    from qingzhuang.core.errors import NotFound

    score = Score.objects.select_related("org_unit", "scheme").filter(pk=pk).first()
    if score is None:
        raise NotFound(gettext("找不到这条评分记录，可能已重新计算，请回到评分列表。"))
    scope.require(score.org_unit)
    return score


def score_periods(*, scheme: EvaluationScheme) -> list[str]:
    return list(
        Score.objects.filter(scheme=scheme)
        .values_list("period", flat=True)
        .annotate(n=Count("id"))
        .order_by("-period")
    )
