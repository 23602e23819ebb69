"""Gaming signals: patterns that suggest satisfaction or resolution figures are not genuine.

They are signals for an inspector to look at, with the evidence — never automatic penalties.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from qingzhuang.evaluation import signal_store
from qingzhuang.evaluation.models import (
    FAST_CALLBACK_MAX_MINUTES,
    CommentSentiment,
    EvaluationSettings,
    SignalCandidate,
    SignalKind,
)
from qingzhuang.evaluation.periods import Period, bounds
from qingzhuang.evaluation.signal_store import REPEAT_WINDOW_DAYS
from qingzhuang.org.scope import Scope

INLINE_SCORING_LIMIT = 2000


@transaction.atomic
def comment_sentiment_refresh(
    *, callback_ids: list[int] | None = None, limit: int = 50000, mark: bool = True
) -> int:
    """Score callback comments that have no cached sentiment yet (derived data, not audited).

    Each distinct text is scored once (callbacks often repeat a few stock phrases). The orders
    are marked so their signal candidates pick the new scores up (`mark=False` only for a bulk
    load that rebuilds the candidates afterwards).
    """
    from qingzhuang.service_requests.models import Callback

    qs = Callback.objects.exclude(comment="").filter(
        sentiment__isnull=True, answered_at__isnull=False
    )
    if callback_ids is not None:
        qs = qs.filter(pk__in=callback_ids)
    rows = list(qs.values_list("pk", "order_id", "comment")[:limit])
    if not rows:
        return 0
    try:
        from qingzhuang.textclass import sentiment_scores
    except ImportError:
        return 0
    texts = sorted({c for _, _, c in rows})
    score = dict(zip(texts, (float(p) for p in sentiment_scores(texts)), strict=True))
    CommentSentiment.objects.bulk_create(
        [CommentSentiment(callback_id=pk, positive=score[c]) for pk, _, c in rows],
        ignore_conflicts=True,
        batch_size=2000,
    )
    if mark:
        signal_store.mark_orders({oid for _, oid, _ in rows})
    return len(rows)


SHOWN = 200  # rows listed per signal; the heading gives the full count


def _candidates(kind: str, scope: Scope, period: Period) -> Any:
    lo, hi = bounds(period)
    qs = SignalCandidate.objects.filter(kind=kind, day__gte=lo, day__lte=hi)
    return scope.filter(qs, field="org_unit")


def contradictions(*, scope: Scope, period: Period) -> dict[str, Any]:
    unscored = _candidates(SignalKind.UNSCORED, scope, period)
    missing = list(unscored.values_list("callback_id", flat=True)[: INLINE_SCORING_LIMIT + 1])
    if missing and len(missing) <= INLINE_SCORING_LIMIT:
        comment_sentiment_refresh(callback_ids=missing)
        signal_store.signals_refresh_pending()
        missing = []
    flagged = _candidates(SignalKind.CONTRADICTION, scope, period)
    rows = flagged.select_related(
        "callback__sentiment", "callback__order__request", "callback__order__org_unit"
    ).order_by("-callback__answered_at", "-callback_id")[:SHOWN]
    rows = list(rows)
    words: list[list[str]] = []
    if rows:  # the words that made the model read each comment as it did, for the inspector
        from qingzhuang.textclass.sentiment import shipped_model

        words = shipped_model().explain([c.callback.comment for c in rows])
    items = []
    for c, why in zip(rows, words, strict=True):
        cb = c.callback
        kind = _("不满意但评论正面") if cb.satisfaction == "dissatisfied" else _("满意但评论负面")
        items.append(
            {
                "callback": cb,
                "positive": round(cb.sentiment.positive, 3),
                "kind": kind,
                "words": why,
            }
        )
    total = len(items) if len(items) < SHOWN else flagged.count()
    unscored_n = len(missing) if len(missing) <= INLINE_SCORING_LIMIT else unscored.count()
    return {"items": items, "total": total, "unscored": unscored_n}


def fast_callbacks(*, scope: Scope, period: Period, minutes: int) -> list[dict[str, Any]]:
    """Units whose callbacks come within minutes of closure and are all 满意."""
    minutes = min(minutes, FAST_CALLBACK_MAX_MINUTES)
    quick = _candidates(SignalKind.FAST, scope, period).filter(value__lte=minutes)
    units = (
        quick.order_by()
        .values("org_unit")
        .annotate(n=Count("id"), other=Count("id", filter=~Q(callback__satisfaction="satisfied")))
        .filter(n__gte=3, other=0)
        .order_by("-n", "org_unit")
    )
    out = []
    for row in units[:50]:
        items = (
            quick.filter(org_unit=row["org_unit"])
            .select_related("callback__order__org_unit", "callback__order__request")
            .order_by("-callback__answered_at", "-callback_id")[:50]
        )
        pairs = [(c.callback, round(c.value, 1)) for c in items]
        if pairs:
            out.append({"unit": pairs[0][0].order.org_unit, "count": row["n"], "items": pairs})
    return out


def same_phone(*, scope: Scope, period: Period, threshold: int) -> list[dict[str, Any]]:
    """One phone number rating many different orders within one month."""
    base = _candidates(SignalKind.PHONE, scope, period)
    groups = (
        base.order_by()
        .annotate(month=TruncMonth("day"))
        .values("phone_hash", "month")
        .annotate(n=Count("order_id", distinct=True))
        .filter(n__gte=max(threshold, 2))
        .order_by("-n", "phone_hash", "month")[:50]
    )
    out = []
    for g in groups:
        m = g["month"]
        nxt = (m + timedelta(days=32)).replace(day=1)
        cbs = [
            c.callback
            for c in base.filter(phone_hash=g["phone_hash"], day__gte=m, day__lt=nxt)
            .select_related("callback__order__request", "callback__order__org_unit")
            .order_by("-callback__answered_at", "-callback_id")[:50]
        ]
        out.append({"phone": g["phone_hash"][:8], "count": g["n"], "month": m, "items": cbs})
    return out


def reopened_after_solved(*, scope: Scope, period: Period) -> dict[str, Any]:
    """Orders a resident called 解决 that came back: reopened, or the same problem reported
    again by the same resident within REPEAT_WINDOW_DAYS (first SHOWN of each listed)."""
    reopened = _candidates(SignalKind.REOPENED, scope, period)
    out: list[dict[str, Any]] = [
        {
            "order": c.order,
            "why": _("回访称已解决，后被重办 %(n)s 次") % {"n": c.order.reopen_count},
            "later": None,
        }
        for c in reopened.select_related("order__request", "order__org_unit").order_by(
            "-order__created_at", "-order_id"
        )[:SHOWN]
    ]
    total = len(out) if len(out) < SHOWN else reopened.count()
    repeats = _candidates(SignalKind.REPEAT, scope, period)
    shown = list(
        repeats.select_related("order__request", "order__org_unit", "later").order_by(
            "-order__created_at", "-order_id"
        )[:SHOWN]
    )
    why = _("回访称已解决，%(days)s天内同一居民又报同类问题") % {"days": REPEAT_WINDOW_DAYS}
    out += [{"order": c.order, "why": why, "later": c.later} for c in shown]
    total += len(shown) if len(shown) < SHOWN else repeats.count()
    return {"items": out, "total": total}


def gaming_signals(*, scope: Scope, period: Period) -> dict[str, Any]:
    signal_store.signals_refresh_pending()
    cfg = EvaluationSettings.objects.filter(pk=1).first() or EvaluationSettings()
    return {
        "contradictions": contradictions(scope=scope, period=period),
        "fast": fast_callbacks(scope=scope, period=period, minutes=cfg.fast_callback_minutes),
        "same_phone": same_phone(scope=scope, period=period, threshold=cfg.phone_many_orders),
        "reopened": reopened_after_solved(scope=scope, period=period),
        "settings": cfg,
    }
