"""Gaming signals: patterns that suggest satisfaction or resolution figures are not genuine.

They are signals for an inspector to look at, with the evidence — never automatic penalties.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Count, Exists, FloatField, Func, OuterRef, Q, Subquery
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


SHOWN = 200  # rows listed per signal; the heading gives the full count


class MinutesAfter(Func):
    """Minutes from the second datetime to the first, computed by the database itself.

    Django's datetime arithmetic on SQLite calls a Python function per row; julianday() is
    native, so a month of callbacks at a million requests is filtered in the query.
    """

    arity = 2
    output_field = FloatField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="((julianday(%(expressions)s)) * 1440.0)",
            arg_joiner=") - julianday(",
            **extra,
        )

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="(EXTRACT(EPOCH FROM (%(expressions)s)) / 60.0)",
            arg_joiner=" - ",
            **extra,
        )


def contradictions(*, scope: Scope, period: Period) -> dict[str, Any]:
    base = _callbacks(scope, period).exclude(comment="")
    missing = list(
        base.filter(sentiment__isnull=True).values_list("pk", flat=True)[: INLINE_SCORING_LIMIT + 1]
    )
    if missing and len(missing) <= INLINE_SCORING_LIMIT:
        comment_sentiment_refresh(callback_ids=missing)
        missing = []
    satisfied_negative = Q(
        satisfaction__in=("satisfied", "fairly"), sentiment__positive__lt=NEGATIVE_BELOW
    )
    dissatisfied_positive = Q(satisfaction="dissatisfied", sentiment__positive__gt=POSITIVE_ABOVE)
    flagged = base.filter(satisfied_negative | dissatisfied_positive)
    rows = flagged.select_related("sentiment", "order__request", "order__org_unit").order_by(
        "-answered_at", "-id"
    )[:SHOWN]
    items = []
    for cb in rows:
        p = cb.sentiment.positive
        kind = _("不满意但评论正面") if cb.satisfaction == "dissatisfied" else _("满意但评论负面")
        items.append({"callback": cb, "positive": round(p, 3), "kind": kind})
    total = len(items) if len(items) < SHOWN else flagged.count()
    return {"items": items, "total": total, "unscored": len(missing)}


def fast_callbacks(*, scope: Scope, period: Period, minutes: int) -> list[dict[str, Any]]:
    """Units whose callbacks come within minutes of closure and are all 满意."""
    quick = (
        _callbacks(scope, period)
        .filter(order__resolved_at__isnull=False)
        .alias(gap=MinutesAfter("answered_at", "order__resolved_at"))
        .filter(gap__gte=0, gap__lte=minutes)
    )
    units = (
        quick.order_by()
        .values("order__org_unit")
        .annotate(n=Count("id"), other=Count("id", filter=~Q(satisfaction="satisfied")))
        .filter(n__gte=3, other=0)
        .order_by("-n")
    )
    out = []
    for row in units[:50]:
        items = (
            quick.filter(order__org_unit=row["order__org_unit"])
            .annotate(gap_minutes=MinutesAfter("answered_at", "order__resolved_at"))
            .select_related("order__org_unit", "order__request")
            .order_by("-answered_at", "-id")[:50]
        )
        pairs = [(cb, round(cb.gap_minutes, 1)) for cb in items]
        if pairs:
            out.append({"unit": pairs[0][0].order.org_unit, "count": row["n"], "items": pairs})
    return out


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
            base.filter(phone_hash=g["phone_hash"])
            .select_related("order__request", "order__org_unit")
            .order_by("-answered_at", "-id")[:50]
        )
        out.append({"phone": g["phone_hash"][:8], "count": g["n"], "items": cbs})
    return out


def reopened_after_solved(*, scope: Scope, period: Period) -> dict[str, Any]:
    """Orders a resident called 解决 that came back: reopened, or the same problem reported again.

    Both checks run in the database (an EXISTS per order on the (phone_hash, created_at) index),
    so the cost stays flat at a million requests; the first SHOWN of each are listed.
    """
    from qingzhuang.service_requests.models import Callback, ServiceRequest, WorkOrder

    lo, hi = day_bounds(*bounds(period))
    solved = Callback.objects.filter(order=OuterRef("pk"), resolved="solved")
    orders = scope.filter(
        WorkOrder.objects.filter(created_at__gte=lo, created_at__lt=hi).filter(Exists(solved)),
        field="org_unit",
    ).select_related("request", "org_unit")
    reopened = orders.filter(reopen_count__gt=0)
    out: list[dict[str, Any]] = [
        {
            "order": o,
            "why": _("回访称已解决，后被重办 %(n)s 次") % {"n": o.reopen_count},
            "later": None,
        }
        for o in reopened.order_by("-created_at", "-id")[:SHOWN]
    ]
    total = len(out) if len(out) < SHOWN else reopened.count()
    later = (
        ServiceRequest.objects.filter(
            phone_hash=OuterRef("request__phone_hash"),
            created_at__gt=OuterRef("resolved_at"),
            category=OuterRef("request__category"),
            org_unit=OuterRef("request__org_unit"),
        )
        .alias(days=MinutesAfter("created_at", OuterRef("resolved_at")))
        .filter(days__lte=REPEAT_WINDOW_DAYS * 1440)
        .order_by("created_at")
    )
    repeats = (
        orders.filter(reopen_count=0, resolved_at__isnull=False)
        .exclude(request__phone_hash="")
        .annotate(later_id=Subquery(later.values("pk")[:1]))
        .filter(later_id__isnull=False)
    )
    shown = list(repeats.order_by("-created_at", "-id")[:SHOWN])
    later_by_id = ServiceRequest.objects.in_bulk([o.later_id for o in shown])
    why = _("回访称已解决，%(days)s天内同一居民又报同类问题") % {"days": REPEAT_WINDOW_DAYS}
    out += [{"order": o, "why": why, "later": later_by_id.get(o.later_id)} for o in shown]
    total += len(shown) if len(shown) < SHOWN else repeats.count()
    return {"items": out, "total": total}


def gaming_signals(*, scope: Scope, period: Period) -> dict[str, Any]:
    cfg = EvaluationSettings.objects.filter(pk=1).first() or EvaluationSettings()
    return {
        "contradictions": contradictions(scope=scope, period=period),
        "fast": fast_callbacks(scope=scope, period=period, minutes=cfg.fast_callback_minutes),
        "same_phone": same_phone(scope=scope, period=period, threshold=cfg.phone_many_orders),
        "reopened": reopened_after_solved(scope=scope, period=period),
        "settings": cfg,
    }
