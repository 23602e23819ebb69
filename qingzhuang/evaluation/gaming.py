"""Gaming signals: patterns that suggest satisfaction or resolution figures are not genuine.

They are signals for an inspector to look at, with the evidence — never automatic penalties.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count, F
from django.utils.translation import gettext as _

from qingzhuang.evaluation.aggregates import day_bounds
from qingzhuang.evaluation.models import CommentSentiment, EvaluationSettings
from qingzhuang.evaluation.periods import Period, bounds
from qingzhuang.org.scope import Scope

NEGATIVE_BELOW = 0.3
POSITIVE_ABOVE = 0.8
INLINE_SCORING_LIMIT = 2000
REPEAT_WINDOW_DAYS = 30


def _callbacks(scope: Scope, period: Period) -> Any:
    from qingzhuang.service_requests.models import Callback

    lo, hi = day_bounds(*bounds(period))
    qs = Callback.objects.filter(answered_at__gte=lo, answered_at__lt=hi)
    return scope.filter(qs, field="order__org_unit")


@transaction.atomic
def comment_sentiment_refresh(*, callback_ids: list[int] | None = None, limit: int = 50000) -> int:
    """Score callback comments that have no cached sentiment yet (derived data, not audited)."""
    from qingzhuang.service_requests.models import Callback

    qs = Callback.objects.exclude(comment="").filter(
        sentiment__isnull=True, answered_at__isnull=False
    )
    if callback_ids is not None:
        qs = qs.filter(pk__in=callback_ids)
    rows = list(qs.values_list("pk", "comment")[:limit])
    if not rows:
        return 0
    try:
        from qingzhuang.textclass import sentiment_scores
    except ImportError:
        return 0
    scores = sentiment_scores([c for _, c in rows])
    CommentSentiment.objects.bulk_create(
        [
            CommentSentiment(callback_id=pk, positive=float(p))
            for (pk, _), p in zip(rows, scores, strict=True)
        ],
        ignore_conflicts=True,
    )
    return len(rows)


def contradictions(*, scope: Scope, period: Period) -> dict[str, Any]:
    base = _callbacks(scope, period).exclude(comment="")
    missing = list(
        base.filter(sentiment__isnull=True).values_list("pk", flat=True)[: INLINE_SCORING_LIMIT + 1]
    )
    if missing and len(missing) <= INLINE_SCORING_LIMIT:
        comment_sentiment_refresh(callback_ids=missing)
        missing = []
    rows = (
        base.filter(sentiment__isnull=False)
        .select_related("sentiment", "order__request", "order__org_unit")
        .order_by("-answered_at")
    )
    items = []
    for cb in rows:
        p = cb.sentiment.positive
        if cb.satisfaction in ("satisfied", "fairly") and p < NEGATIVE_BELOW:
            kind = _("满意但评论负面")
        elif cb.satisfaction == "dissatisfied" and p > POSITIVE_ABOVE:
            kind = _("不满意但评论正面")
        else:
            continue
        items.append({"callback": cb, "positive": round(p, 3), "kind": kind})
    return {"items": items, "unscored": len(missing)}


def fast_callbacks(*, scope: Scope, period: Period, minutes: int) -> list[dict[str, Any]]:
    """Units whose callbacks come within minutes of closure and are all 满意."""
    per_unit: dict[int, list[Any]] = defaultdict(list)
    rows = (
        _callbacks(scope, period)
        .filter(
            order__resolved_at__isnull=False,
            answered_at__gte=F("order__resolved_at"),
            answered_at__lte=F("order__resolved_at") + timedelta(minutes=minutes),
        )
        .select_related("order__org_unit", "order__request")
    )
    for cb in rows:
        gap = (cb.answered_at - cb.order.resolved_at).total_seconds() / 60
        if 0 <= gap <= minutes:
            per_unit[cb.order.org_unit_id].append((cb, round(gap, 1)))
    out = []
    for items in per_unit.values():
        if len(items) >= 3 and all(cb.satisfaction == "satisfied" for cb, _ in items):
            out.append(
                {"unit": items[0][0].order.org_unit, "count": len(items), "items": items[:50]}
            )
    return sorted(out, key=lambda x: -x["count"])


def same_phone(*, scope: Scope, period: Period, threshold: int) -> list[dict[str, Any]]:
    """One phone number rating many different orders."""
    base = _callbacks(scope, period).exclude(phone_hash="")
    groups = (
        base.order_by()
        .values("phone_hash")
        .annotate(n=Count("order_id", distinct=True))
        .filter(n__gte=threshold)
        .order_by("-n")[:50]
    )
    out = []
    for g in groups:
        cbs = list(
            base.filter(phone_hash=g["phone_hash"]).select_related(
                "order__request", "order__org_unit"
            )[:50]
        )
        out.append({"phone": g["phone_hash"][:8], "count": g["n"], "items": cbs})
    return out


def reopened_after_solved(*, scope: Scope, period: Period) -> list[dict[str, Any]]:
    """Orders a resident called 解决 that came back: reopened, or the same problem reported again."""
    from qingzhuang.service_requests.models import ServiceRequest, WorkOrder

    lo, hi = day_bounds(*bounds(period))
    orders = (
        scope.filter(
            WorkOrder.objects.filter(
                created_at__gte=lo, created_at__lt=hi, callbacks__resolved="solved"
            ),
            field="org_unit",
        )
        .select_related("request", "org_unit")
        .distinct()
    )
    out: list[dict[str, Any]] = [
        {
            "order": o,
            "why": _("回访称已解决，后被重办 %(n)s 次") % {"n": o.reopen_count},
            "later": None,
        }
        for o in orders.filter(reopen_count__gt=0)[:200]
    ]
    candidates = list(
        orders.filter(reopen_count=0, resolved_at__isnull=False).exclude(request__phone_hash="")[
            :5000
        ]
    )
    # One query for every later request by the same residents, matched in memory (no N+1).
    later_by_key: dict[tuple[str, str, int], list[Any]] = defaultdict(list)
    if candidates:
        first = min(o.resolved_at for o in candidates if o.resolved_at)
        for r in ServiceRequest.objects.filter(
            phone_hash__in={o.request.phone_hash for o in candidates},
            created_at__gt=first,
        ).order_by("created_at"):
            later_by_key[(r.phone_hash, r.category, r.org_unit_id)].append(r)
    window = timedelta(days=REPEAT_WINDOW_DAYS)
    for o in candidates:
        resolved = o.resolved_at
        if resolved is None:
            continue
        key = (o.request.phone_hash, o.request.category, o.request.org_unit_id)
        later = next(
            (r for r in later_by_key[key] if resolved < r.created_at <= resolved + window), None
        )
        if later is not None:
            out.append(
                {
                    "order": o,
                    "why": _("回访称已解决，%(days)s天内同一居民又报同类问题")
                    % {"days": REPEAT_WINDOW_DAYS},
                    "later": later,
                }
            )
    return out


def gaming_signals(*, scope: Scope, period: Period) -> dict[str, Any]:
    cfg = EvaluationSettings.objects.filter(pk=1).first() or EvaluationSettings()
    return {
        "contradictions": contradictions(scope=scope, period=period),
        "fast": fast_callbacks(scope=scope, period=period, minutes=cfg.fast_callback_minutes),
        "same_phone": same_phone(scope=scope, period=period, threshold=cfg.phone_many_orders),
        "reopened": reopened_after_solved(scope=scope, period=period),
        "settings": cfg,
    }
