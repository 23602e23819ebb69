"""Precomputed gaming-signal candidates (SignalCandidate), kept exactly equal to the raw data.

The signals page used to scan a period's callbacks and orders on every view (≈1.2 s at a million
requests). It now reads small candidate tables instead; this module is their one definition:

- `candidates_for(orders=..., callbacks=..., phones=...)` computes candidate rows from raw data;
- writes (request, order, callback saves and deletes, sentiment scoring) upsert SignalPending keys
  in their own transaction — "o:<order id>" or "p:<month>:<phone hash>";
- every read calls `signals_refresh_pending()` first, which recomputes just the marked keys;
- `signals_rebuild()` recomputes everything month by month (after bulk loads), and
  `signals_verify()` lists any difference from a fresh computation (empty = consistent).

Concurrency follows the metric counters (aggregates.py): markers are deleted before the raw rows
are re-read, and refreshers share the counters' advisory lock on PostgreSQL.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Exists, FloatField, Func, OuterRef, Q, Subquery
from django.utils import timezone

from qingzhuang.evaluation.aggregates import (
    _dt,
    _dtr,
    _lock_refreshers,
    _months,
    _raw_rows,
    day_bounds,
    local_day,
    month_start,
)
from qingzhuang.evaluation.models import (
    FAST_CALLBACK_MAX_MINUTES,
    SignalCandidate,
    SignalKind,
    SignalPending,
)

NEGATIVE_BELOW = 0.3  # a 满意/基本满意 rating whose comment scores below this contradicts it
POSITIVE_ABOVE = 0.8  # a 不满意 rating whose comment scores above this contradicts it
REPEAT_WINDOW_DAYS = 30
CHUNK = 500  # ids per IN (...) list

ORDER_KINDS = (
    SignalKind.CONTRADICTION,
    SignalKind.UNSCORED,
    SignalKind.FAST,
    SignalKind.REOPENED,
    SignalKind.REPEAT,
)

# (kind, day, org_unit_id, order_id, callback_id, later_id, phone_hash, value)
Row = tuple[str, date, int, int, int | None, int | None, str, float | None]
PhoneMonth = tuple[date, str]


def _chunks(ids: Iterable[Any]) -> Iterator[list[Any]]:
    items = sorted(ids)
    for i in range(0, len(items), CHUNK):
        yield items[i : i + CHUNK]


class MinutesAfter(Func):
    """Minutes from the second datetime to the first, computed by the database itself.

    Django's datetime arithmetic on SQLite calls a Python function per row; julianday() is
    native, so the repeat-report window is checked inside the query.
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


# --- the definition ----------------------------------------------------------------------------


def _callback_rows(cb_q: Q) -> Iterator[Row]:
    """CONTRADICTION, UNSCORED and FAST rows for the answered callbacks matching cb_q."""
    from qingzhuang.service_requests.models import Callback

    qs = (
        Callback.objects.filter(cb_q, answered_at__isnull=False)
        .order_by()
        .values_list(
            "id",
            "order_id",
            "order__org_unit_id",
            "answered_at",
            "order__resolved_at",
            "comment",
            "satisfaction",
            "sentiment__positive",
        )
    )
    for cid, oid, unit, answered, resolved, comment, satisfaction, positive in _raw_rows(qs):
        answered = _dtr(answered)
        day = local_day(answered)
        if comment:
            if positive is None:
                yield (SignalKind.UNSCORED, day, unit, oid, cid, None, "", None)
            elif (satisfaction in ("satisfied", "fairly") and positive < NEGATIVE_BELOW) or (
                satisfaction == "dissatisfied" and positive > POSITIVE_ABOVE
            ):
                yield (SignalKind.CONTRADICTION, day, unit, oid, cid, None, "", positive)
        resolved = _dt(resolved)
        if resolved is not None:
            gap = (answered - resolved).total_seconds() / 60
            if 0 <= gap <= FAST_CALLBACK_MAX_MINUTES:
                yield (SignalKind.FAST, day, unit, oid, cid, None, "", gap)


def _phone_rows(month: date, phones: list[str] | None) -> Iterator[Row]:
    """PHONE rows: every callback answered in `month` whose number rated at least two
    different orders in that month (all of them when phones is None)."""
    from qingzhuang.service_requests.models import Callback

    nxt = (month + timedelta(days=32)).replace(day=1)
    lo, hi = day_bounds(month, nxt - timedelta(days=1))
    qs = Callback.objects.filter(answered_at__gte=lo, answered_at__lt=hi).exclude(phone_hash="")
    if phones is not None:
        qs = qs.filter(phone_hash__in=phones)
    by_phone: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    cols = ("id", "order_id", "order__org_unit_id", "answered_at", "phone_hash")
    for row in _raw_rows(qs.order_by().values_list(*cols)):
        by_phone[row[4]].append(row)
    for phone, rows in by_phone.items():
        if len({r[1] for r in rows}) < 2:
            continue
        for cid, oid, unit, answered, _phone in rows:
            yield (SignalKind.PHONE, local_day(_dtr(answered)), unit, oid, cid, None, phone, None)


def _order_rows(order_q: Q) -> Iterator[Row]:
    """REOPENED and REPEAT rows for the orders matching order_q that a resident called 解决."""
    from qingzhuang.service_requests.models import Callback, ServiceRequest, WorkOrder

    solved = Callback.objects.filter(order=OuterRef("pk"), resolved="solved")
    orders = WorkOrder.objects.filter(order_q).filter(Exists(solved)).order_by()
    for oid, unit, created in _raw_rows(
        orders.filter(reopen_count__gt=0).values_list("id", "org_unit_id", "created_at")
    ):
        yield (SignalKind.REOPENED, local_day(_dtr(created)), unit, oid, None, None, "", None)
    later = (
        ServiceRequest.objects.filter(
            phone_hash=OuterRef("request__phone_hash"),
            created_at__gt=OuterRef("resolved_at"),
            category=OuterRef("request__category"),
            org_unit=OuterRef("request__org_unit"),
        )
        .alias(gap=MinutesAfter("created_at", OuterRef("resolved_at")))
        .filter(gap__lte=REPEAT_WINDOW_DAYS * 1440)
        .order_by("created_at", "id")
    )
    repeats = (
        orders.filter(reopen_count=0, resolved_at__isnull=False)
        .exclude(request__phone_hash="")
        .annotate(later_id=Subquery(later.values("pk")[:1]))
        .filter(later_id__isnull=False)
        .values_list("id", "org_unit_id", "created_at", "later_id")
    )
    for oid, unit, created, later_id in _raw_rows(repeats):
        yield (SignalKind.REPEAT, local_day(_dtr(created)), unit, oid, None, later_id, "", None)


def candidates_for(
    *,
    orders: Q | None = None,
    callbacks: Q | None = None,
    phone_months: Iterable[tuple[date, list[str] | None]] = (),
) -> Iterator[Row]:
    """Candidate rows computed from raw data: order kinds for `orders`, callback kinds for
    `callbacks`, PHONE rows for each (month, phones or None for every number)."""
    if callbacks is not None:
        yield from _callback_rows(callbacks)
    if orders is not None:
        yield from _order_rows(orders)
    for month, phones in phone_months:
        yield from _phone_rows(month, phones)


def _insert(rows: Iterable[Row]) -> int:
    batch: list[SignalCandidate] = []
    n = 0
    for kind, day, unit, oid, cid, later, phone, value in rows:
        batch.append(
            SignalCandidate(
                kind=kind,
                day=day,
                org_unit_id=unit,
                order_id=oid,
                callback_id=cid,
                later_id=later,
                phone_hash=phone,
                value=value,
            )
        )
        if len(batch) >= 2000:
            SignalCandidate.objects.bulk_create(batch)
            n += len(batch)
            batch = []
    if batch:
        SignalCandidate.objects.bulk_create(batch)
        n += len(batch)
    return n


# --- rebuild and verify ------------------------------------------------------------------------


def _raw_span() -> tuple[date, date] | None:
    from django.db.models import Max, Min

    from qingzhuang.service_requests.models import Callback, WorkOrder

    o = WorkOrder.objects.aggregate(lo=Min("created_at"), hi=Max("created_at"))
    c = Callback.objects.aggregate(lo=Min("answered_at"), hi=Max("answered_at"))
    s = SignalCandidate.objects.aggregate(lo=Min("day"), hi=Max("day"))
    days = [local_day(v) for v in (o["lo"], o["hi"], c["lo"], c["hi"]) if v is not None]
    days += [v for v in (s["lo"], s["hi"]) if v is not None]
    return (min(days), max(days)) if days else None


def _month_rows(m: date) -> Iterator[Row]:
    nxt = (m + timedelta(days=32)).replace(day=1)
    lo, hi = day_bounds(m, nxt - timedelta(days=1))
    yield from candidates_for(
        orders=Q(created_at__gte=lo, created_at__lt=hi),
        callbacks=Q(answered_at__gte=lo, answered_at__lt=hi),
        phone_months=[(m, None)],
    )


def signals_rebuild() -> dict[str, Any]:
    """Recompute every candidate from raw data, one month per transaction."""
    span = _raw_span()
    rows = 0
    # Markers first: every write before this point is covered by the month passes below, which
    # read the raw rows later; writes during the rebuild leave fresh markers.
    SignalPending.objects.all().delete()
    if span is None:
        SignalCandidate.objects.all().delete()
        return {"signal_rows": 0}
    for lo_day, _hi in _months(month_start(span[0]), span[1]):
        m = month_start(lo_day)
        nxt = (m + timedelta(days=32)).replace(day=1)
        with transaction.atomic():
            _lock_refreshers()
            SignalCandidate.objects.filter(day__gte=m, day__lt=nxt).delete()
            rows += _insert(_month_rows(m))
    return {"signal_rows": rows}


def _key(r: Row) -> tuple[Any, ...]:
    value = None if r[7] is None else round(r[7], 6)
    return (str(r[0]), r[1], r[2], r[3], r[4], r[5], r[6], value)


def signals_verify() -> list[dict[str, Any]]:
    """Candidates that differ from a fresh computation (empty means exactly consistent)."""
    signals_refresh_pending()
    span = _raw_span()
    if span is None:
        return []
    diffs: list[dict[str, Any]] = []
    cols = ("kind", "day", "org_unit_id", "order_id", "callback_id", "later_id", "phone_hash")
    for lo_day, _hi in _months(month_start(span[0]), span[1]):
        m = month_start(lo_day)
        nxt = (m + timedelta(days=32)).replace(day=1)
        fresh = sorted(map(_key, _month_rows(m)), key=repr)
        stored = sorted(
            (
                _key(r)
                for r in SignalCandidate.objects.filter(day__gte=m, day__lt=nxt).values_list(
                    *cols, "value"
                )
            ),
            key=repr,
        )
        if fresh != stored:
            missing = set(fresh) - set(stored)
            extra = set(stored) - set(fresh)
            diffs += [{"signal": list(map(str, k)), "raw": True, "stored": False} for k in missing]
            diffs += [{"signal": list(map(str, k)), "raw": False, "stored": True} for k in extra]
            if len(fresh) != len(stored) and not (missing or extra):
                diffs.append({"signal": [str(m), "duplicate rows"], "raw": True, "stored": True})
    return diffs


# --- incremental path --------------------------------------------------------------------------


def _phone_key(answered_at: datetime | None, phone: str) -> str | None:
    if answered_at is None or not phone:
        return None
    return f"p:{month_start(local_day(answered_at)).isoformat()}:{phone}"


def mark(keys: Iterable[str | None]) -> None:
    now = timezone.now()
    markers = [SignalPending(key=k, marked_at=now) for k in set(keys) if k]
    if markers:
        SignalPending.objects.bulk_create(
            markers, update_conflicts=True, unique_fields=["key"], update_fields=["marked_at"]
        )


def mark_orders(order_ids: Iterable[int]) -> None:
    mark(f"o:{i}" for i in order_ids)


def signals_pending() -> bool:
    return SignalPending.objects.exists()


def signals_refresh_pending() -> int:
    """Recompute every marked key from raw data; call before reading candidates."""
    if not signals_pending():
        return 0
    from qingzhuang.service_requests.models import Callback

    with transaction.atomic():
        _lock_refreshers()
        rows = list(SignalPending.objects.values_list("id", "key"))
        if not rows:
            return 0
        for ids in _chunks(r[0] for r in rows):
            SignalPending.objects.filter(id__in=ids).delete()
        orders: set[int] = set()
        phones: dict[date, set[str]] = defaultdict(set)
        for _id, key in rows:
            if key.startswith("o:"):
                orders.add(int(key[2:]))
            else:
                _p, month_text, number = key.split(":", 2)
                phones[date.fromisoformat(month_text)].add(number)
        for ids in _chunks(orders):
            SignalCandidate.objects.filter(order_id__in=ids, kind__in=ORDER_KINDS).delete()
            _insert(candidates_for(orders=Q(pk__in=ids), callbacks=Q(order_id__in=ids)))
            # A changed order (its unit, say) also changes its callbacks' PHONE rows.
            answered = Callback.objects.filter(order_id__in=ids, answered_at__isnull=False)
            for at, number in answered.exclude(phone_hash="").values_list(
                "answered_at", "phone_hash"
            ):
                if at is not None:
                    phones[month_start(local_day(at))].add(number)
        for month, numbers in phones.items():
            nxt = (month + timedelta(days=32)).replace(day=1)
            for chunk in _chunks(numbers):
                SignalCandidate.objects.filter(
                    kind=SignalKind.PHONE, phone_hash__in=chunk, day__gte=month, day__lt=nxt
                ).delete()
                _insert(candidates_for(phone_months=[(month, chunk)]))
    return len(rows)


# Signal receivers: mark what a write may have changed (never recompute inside the write).


def on_callback_init(sender: Any, instance: Any, **kwargs: Any) -> None:
    d = instance.__dict__
    instance._qz_sig_orig = (d.get("order_id"), d.get("answered_at"), d.get("phone_hash", ""))


def on_callback_change(sender: Any, instance: Any, **kwargs: Any) -> None:
    orig = getattr(instance, "_qz_sig_orig", (None, None, ""))
    keys = {
        f"o:{instance.order_id}" if instance.order_id else None,
        f"o:{orig[0]}" if orig[0] else None,
        _phone_key(instance.answered_at, instance.phone_hash),
        _phone_key(orig[1], orig[2]),
    }
    mark(keys)
    instance._qz_sig_orig = (instance.order_id, instance.answered_at, instance.phone_hash)


def on_order_change(sender: Any, instance: Any, created: bool = False, **kwargs: Any) -> None:
    # A new order has no callbacks yet, so no candidates (the intake skips the upsert).
    if created and instance.resolved_at is None and not instance.reopen_count:
        return
    mark_orders([instance.pk])


def on_request_init(sender: Any, instance: Any, **kwargs: Any) -> None:
    d = instance.__dict__
    instance._qz_sig_orig = (d.get("phone_hash", ""), d.get("created_at"))


def _orders_that_may_repeat(phone: str, at: datetime | None) -> set[int]:
    """Orders an (earlier) request from `phone` could be the repeat of: resolved within the
    repeat window before `at`."""
    from qingzhuang.service_requests.models import WorkOrder

    if not phone or at is None:
        return set()
    qs = WorkOrder.objects.filter(
        request__phone_hash=phone,
        resolved_at__gte=at - timedelta(days=REPEAT_WINDOW_DAYS, minutes=1),
        resolved_at__lt=at,
    )
    return set(qs.values_list("id", flat=True))


def on_request_change(sender: Any, instance: Any, created: bool = False, **kwargs: Any) -> None:
    from qingzhuang.service_requests.models import WorkOrder

    orders = _orders_that_may_repeat(instance.phone_hash, instance.created_at)
    if not created:
        orig = getattr(instance, "_qz_sig_orig", ("", None))
        orders |= _orders_that_may_repeat(*orig)
        orders |= set(WorkOrder.objects.filter(request_id=instance.pk).values_list("id", flat=True))
        orders |= set(
            SignalCandidate.objects.filter(later_id=instance.pk).values_list("order_id", flat=True)
        )
    mark_orders(orders)
    instance._qz_sig_orig = (instance.phone_hash, instance.created_at)


def connect_signals() -> None:
    from django.db.models.signals import post_delete, post_init, post_save

    from qingzhuang.service_requests.models import Callback, ServiceRequest, WorkOrder

    post_init.connect(on_callback_init, sender=Callback, dispatch_uid="qz_sig_cb_init")
    post_save.connect(on_callback_change, sender=Callback, dispatch_uid="qz_sig_cb_save")
    post_delete.connect(on_callback_change, sender=Callback, dispatch_uid="qz_sig_cb_del")
    post_save.connect(on_order_change, sender=WorkOrder, dispatch_uid="qz_sig_order_save")
    post_delete.connect(on_order_change, sender=WorkOrder, dispatch_uid="qz_sig_order_del")
    post_init.connect(on_request_init, sender=ServiceRequest, dispatch_uid="qz_sig_sr_init")
    post_save.connect(on_request_change, sender=ServiceRequest, dispatch_uid="qz_sig_sr_save")
    post_delete.connect(on_request_change, sender=ServiceRequest, dispatch_uid="qz_sig_sr_del")
