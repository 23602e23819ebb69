"""Pre-aggregated request metrics (MetricDaily), kept exactly equal to the raw work orders.

Two paths, one definition (`metrics.order_counts`):
- `metrics_rebuild(start, end)` recomputes whole days from raw data (after bulk loads, which
  bypass signals, and as a repair tool);
- signals mark (day, unit) keys pending (a MetricPendingRefresh row, upserted in the writer's own
  transaction) on every save/delete of a request, order or callback, and every read of the
  counters first runs `metrics_refresh_pending`, which recomputes just those keys.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from qingzhuang.evaluation.metrics import COUNTER_FIELDS, OrderFacts, order_counts
from qingzhuang.evaluation.models import MetricDaily, MetricMonthly, MetricPendingRefresh

Key = tuple[int, int, str]  # (org_unit_id, area_id, category)
DayUnit = tuple[date, int]

_ORDER_FIELDS = (
    "id",
    "org_unit_id",
    "created_at",
    "state",
    "unreasonable_status",
    "accepted_at",
    "response_due_at",
    "overdue_response",
    "resolved_at",
    "resolution_due_at",
    "overdue_resolution",
    "reopen_count",
    "returned_count",
    "escalated",
    "request__org_unit_id",
    "request__category",
    "request__request_type",
    "request__created_at",
)


def local_day(dt: datetime) -> date:
    return timezone.localtime(dt).date()


def day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00, end+1 00:00) in local time, as aware datetimes."""
    tz = timezone.get_current_timezone()
    lo = datetime.combine(start, time.min).replace(tzinfo=tz)
    hi = datetime.combine(end + timedelta(days=1), time.min).replace(tzinfo=tz)
    return lo, hi


def _raw_rows(qs: Any) -> Iterator[tuple[Any, ...]]:
    """Run an ORM-built values_list query without Django's per-value converters (10x faster
    at a million rows); callers parse datetimes with `_dt`."""
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cur:
        cur.execute(sql, params)
        while rows := cur.fetchmany(5000):
            yield from rows


def _dt(v: Any) -> datetime | None:
    """A raw datetime column: aware (PostgreSQL), or naive UTC / UTC text (SQLite)."""
    if v is None:
        return None
    if not isinstance(v, datetime):
        v = datetime.fromisoformat(v)
    return v if v.tzinfo is not None else v.replace(tzinfo=UTC)


def _dtr(v: Any) -> datetime:
    """_dt for a NOT NULL column."""
    out = _dt(v)
    if out is None:
        raise ValueError("unexpected NULL datetime")
    return out


def _insert(model: Any, objs: Iterable[dict[str, Any]]) -> int:
    """Plain executemany INSERT of counter rows (bulk_create costs ~1 ms per 27-column row)."""
    cols = ["org_unit_id", "area_id", "category", "ttr_hist", *COUNTER_FIELDS]
    first = "day" if model is MetricDaily else "month"
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in [first, *cols])
    sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * (len(cols) + 1))})"  # noqa: S608
    batch: list[tuple[Any, ...]] = []
    n = 0
    with connection.cursor() as cur:
        for o in objs:
            batch.append(
                (
                    o[first].isoformat(),
                    o["org_unit_id"],
                    o["area_id"],
                    o["category"],
                    json.dumps(o["ttr_hist"], sort_keys=True),
                    *[o[c] for c in COUNTER_FIELDS],
                )
            )
            if len(batch) >= 2000:
                cur.executemany(sql, batch)
                n += len(batch)
                batch = []
        if batch:
            cur.executemany(sql, batch)
            n += len(batch)
    return n


def _latest_callbacks(order_filter: Q) -> dict[int, tuple[str, str]]:
    from qingzhuang.service_requests.models import Callback

    out: dict[int, tuple[str, str]] = {}
    rows = (
        Callback.objects.filter(order_filter, answered_at__isnull=False)
        .order_by("order_id", "answered_at", "id")
        .values_list("order_id", "resolved", "satisfaction")
    )
    for order_id, resolved, satisfaction in _raw_rows(rows):
        out[order_id] = (resolved, satisfaction)  # ordered: the last one wins
    return out


def _aggregate(order_q: Q, cb_q: Q) -> dict[tuple[date, int, int, str], dict[str, Any]]:
    """Counters per (day, unit, area, category) for the orders matching order_q."""
    from qingzhuang.service_requests.models import WorkOrder

    callbacks = _latest_callbacks(cb_q)
    groups: dict[tuple[date, int, int, str], dict[str, Any]] = {}
    qs = (
        WorkOrder.objects.filter(order_q, request__duplicate_of__isnull=True)
        .order_by()
        .values_list(*_ORDER_FIELDS)
    )
    tz = timezone.get_current_timezone()
    for row in _raw_rows(qs):
        (
            oid,
            unit_id,
            created,
            state,
            unreasonable,
            accepted,
            rdue,
            rover,
            resolved,
            sdue,
            sover,
            reopen,
            returned,
            escalated,
            area_id,
            category,
            rtype,
            rcreated,
        ) = row
        cb = callbacks.get(oid, ("", ""))
        created = _dtr(created)
        facts = OrderFacts(
            request_type=rtype,
            request_created_at=_dtr(rcreated),
            state=state,
            unreasonable_approved=unreasonable == "approved",
            accepted_at=_dt(accepted),
            response_due_at=_dt(rdue),
            overdue_response=bool(rover),
            resolved_at=_dt(resolved),
            resolution_due_at=_dt(sdue),
            overdue_resolution=bool(sover),
            reopen_count=reopen,
            returned_count=returned,
            escalated=bool(escalated),
            cb_resolved=cb[0],
            cb_satisfaction=cb[1],
        )
        counts, hours = order_counts(facts)
        key = (created.astimezone(tz).date(), unit_id, area_id, category or "")
        g = groups.get(key)
        if g is None:
            g = groups[key] = {**dict.fromkeys(COUNTER_FIELDS, 0), "ttr_hist": {}}
        for k, v in counts.items():
            if v:
                g[k] += v
        if hours is not None:
            h = str(hours)
            g["ttr_hist"][h] = g["ttr_hist"].get(h, 0) + 1
    return groups


def _rows(groups: dict[tuple[date, int, int, str], dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for (day, unit_id, area_id, category), g in groups.items():
        yield {"day": day, "org_unit_id": unit_id, "area_id": area_id, "category": category, **g}


def month_start(d: date) -> date:
    return d.replace(day=1)


def _monthly_from(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Sum day rows (dicts with day/org_unit_id/area_id/category/counters/ttr_hist) per month."""
    out: dict[tuple[date, int, int, str], dict[str, Any]] = {}
    for r in rows:
        key = (month_start(r["day"]), r["org_unit_id"], r["area_id"], r["category"])
        g = out.get(key)
        if g is None:
            g = out[key] = {**dict.fromkeys(COUNTER_FIELDS, 0), "ttr_hist": {}}
        for k in COUNTER_FIELDS:
            g[k] += r[k]
        for h, n in r["ttr_hist"].items():
            g["ttr_hist"][h] = g["ttr_hist"].get(h, 0) + n
    return [
        {"month": m, "org_unit_id": u, "area_id": a, "category": c, **g}
        for (m, u, a, c), g in out.items()
    ]


def _group_dicts(
    groups: dict[tuple[date, int, int, str], dict[str, Any]],
) -> Iterator[dict[str, Any]]:
    yield from _rows(groups)


def _refresh_month(month: date, unit_id: int) -> None:
    """Re-sum one unit's month from its day rows (cheap: at most ~31 × areas × categories rows)."""
    nxt = (month + timedelta(days=32)).replace(day=1)
    MetricMonthly.objects.filter(month=month, org_unit_id=unit_id).delete()
    rows = MetricDaily.objects.filter(org_unit_id=unit_id, day__gte=month, day__lt=nxt).values()
    _insert(MetricMonthly, _monthly_from(dict(r) for r in rows))


def _months(start: date, end: date) -> Iterator[tuple[date, date]]:
    cur = start
    while cur <= end:
        nxt = (cur.replace(day=1) + timedelta(days=32)).replace(day=1)
        yield cur, min(end, nxt - timedelta(days=1))
        cur = nxt


def raw_range() -> tuple[date, date] | None:
    from django.db.models import Max, Min

    from qingzhuang.service_requests.models import WorkOrder

    r = WorkOrder.objects.aggregate(lo=Min("created_at"), hi=Max("created_at"))
    if r["lo"] is None:
        return None
    return local_day(r["lo"]), local_day(r["hi"])


def metrics_rebuild(*, start: date | None = None, end: date | None = None) -> dict[str, Any]:
    """Recompute counters for [start, end] (default: every day with orders) from raw data.

    Needed after bulk loads (bulk_create and queryset.update bypass signals). One month per
    transaction so memory stays flat at a million orders.
    """
    if start is None or end is None:
        rng = raw_range()
        existing = MetricDaily.objects.order_by("day").values_list("day", flat=True)
        first, last = existing.first(), existing.last()
        days = [d for d in (rng[0] if rng else None, rng[1] if rng else None, first, last) if d]
        if not days:
            return {"days": 0, "rows": 0}
        start = start or min(days)
        end = end or max(days)
    rows = 0
    for lo_day, hi_day in _months(start, end):
        lo, hi = day_bounds(lo_day, hi_day)
        with transaction.atomic():
            _lock_refreshers()
            # Markers first (see the incremental path below): these days are recomputed now.
            MetricPendingRefresh.objects.filter(day__gte=lo_day, day__lte=hi_day).delete()
            MetricDaily.objects.filter(day__gte=lo_day, day__lte=hi_day).delete()
            groups = _aggregate(
                Q(created_at__gte=lo, created_at__lt=hi),
                Q(order__created_at__gte=lo, order__created_at__lt=hi),
            )
            _insert(MetricDaily, _rows(groups))
            rows += len(groups)
            # The month row is re-summed from all its days (the range may cover part of a month).
            m = month_start(lo_day)
            MetricMonthly.objects.filter(month=m).delete()
            nxt = (m + timedelta(days=32)).replace(day=1)
            day_rows = (
                dict(r)
                for r in MetricDaily.objects.filter(day__gte=m, day__lt=nxt)
                .values()
                .iterator(chunk_size=5000)
            )
            _insert(MetricMonthly, _monthly_from(day_rows))
    return {"start": start.isoformat(), "end": end.isoformat(), "rows": rows}


def metrics_refresh(keys: Iterable[DayUnit]) -> int:
    """Recompute the counters of some (day, responsible unit) pairs from raw data."""
    n = 0
    keys = set(keys)
    with transaction.atomic():
        for day, unit_id in keys:
            lo, hi = day_bounds(day, day)
            MetricDaily.objects.filter(day=day, org_unit_id=unit_id).delete()
            groups = _aggregate(
                Q(org_unit_id=unit_id, created_at__gte=lo, created_at__lt=hi),
                Q(order__org_unit_id=unit_id, order__created_at__gte=lo, order__created_at__lt=hi),
            )
            _insert(MetricDaily, _rows(groups))
            n += len(groups)
        for month, unit_id in {(month_start(d), u) for d, u in keys}:
            _refresh_month(month, unit_id)
    return n


def _diff(
    expected: dict[tuple[Any, ...], dict[str, Any]],
    got: dict[tuple[Any, ...], dict[str, Any]],
    label: str,
) -> list[dict[str, Any]]:
    return [
        {"key": [label, *[str(k) for k in key]], "raw": expected.get(key), "stored": got.get(key)}
        for key in set(expected) | set(got)
        if expected.get(key) != got.get(key)
    ]


def _stored(model: Any, first: str, **filters: Any) -> dict[tuple[Any, ...], dict[str, Any]]:
    out: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in model.objects.filter(**filters).values():
        r: dict[str, Any] = dict(row)
        key = (r[first], r["org_unit_id"], r["area_id"], r["category"])
        out[key] = {k: r[k] for k in (*COUNTER_FIELDS, "ttr_hist")}
    return out


def metrics_verify(*, start: date, end: date) -> list[dict[str, Any]]:
    """Differences between the stored counters (day rows in [start, end] and the months they
    touch) and a fresh computation from raw data; empty means exactly consistent.

    One raw pass per month, so memory stays flat at a million orders. Pending keys are
    refreshed first, as for every read of the counters.
    """
    metrics_refresh_pending()
    diffs: list[dict[str, Any]] = []
    for lo_day, hi_day in _months(start, end):
        m = month_start(lo_day)
        m_end = (m + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        lo, hi = day_bounds(m, m_end)
        fresh = _aggregate(
            Q(created_at__gte=lo, created_at__lt=hi),
            Q(order__created_at__gte=lo, order__created_at__lt=hi),
        )
        days = {
            key: {k: g[k] for k in (*COUNTER_FIELDS, "ttr_hist")}
            for key, g in fresh.items()
            if lo_day <= key[0] <= hi_day
        }
        diffs += _diff(days, _stored(MetricDaily, "day", day__gte=lo_day, day__lte=hi_day), "day")
        months = {
            (r["month"], r["org_unit_id"], r["area_id"], r["category"]): {
                k: r[k] for k in (*COUNTER_FIELDS, "ttr_hist")
            }
            for r in _monthly_from(_group_dicts(fresh))
        }
        diffs += _diff(months, _stored(MetricMonthly, "month", month=m), "month")
    return diffs


# --- incremental path (signals mark, reads refresh) ------------------------------------------
#
# A write (intake, a workflow step, a callback) only upserts a MetricPendingRefresh marker for
# the (day, unit) keys it touches, inside its own transaction: one small INSERT ... ON CONFLICT.
# Every read of the counters calls `metrics_refresh_pending()` first, which recomputes the marked
# keys from raw data and deletes their markers in one transaction. So the counters a dashboard
# reads are always exactly the raw data, and the intake never pays for re-reading a whole day.
#
# Concurrency: on SQLite every write transaction is BEGIN IMMEDIATE, so writers and refreshers
# are serialized. On PostgreSQL the upsert is ON CONFLICT DO UPDATE, which row-locks an existing
# marker until the writer commits; the refresher deletes its markers *before* re-reading the raw
# rows, so a delete that waited on a writer re-reads that writer's committed change, and a
# writer that waited on the delete inserts a fresh marker. Refreshers take one advisory lock so
# two of them never rebuild the same month rows at once.

_REFRESH_LOCK_ID = 0x717A_6D65  # "qzme": pg_advisory_xact_lock key for metric refreshes


def _lock_refreshers() -> None:
    """Serialize counter rewrites on PostgreSQL (SQLite write transactions already are)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [_REFRESH_LOCK_ID])


def _mark(keys: Iterable[DayUnit]) -> None:
    now = timezone.now()
    markers = [MetricPendingRefresh(day=d, org_unit_id=u, marked_at=now) for d, u in set(keys)]
    if markers:
        MetricPendingRefresh.objects.bulk_create(
            markers,
            update_conflicts=True,
            unique_fields=["day", "org_unit"],
            update_fields=["marked_at"],
        )


# Set while one page (or API call) reads the counters several times: refresh once at its start.
_fresh: ContextVar[bool] = ContextVar("qz_metrics_fresh", default=False)


@contextmanager
def fresh_counters() -> Iterator[None]:
    """Refresh pending keys once, then let the nested counter reads skip the check: the page
    shows the counters as of its start (every key written before that is included)."""
    metrics_refresh_pending()
    token = _fresh.set(True)
    try:
        yield
    finally:
        _fresh.reset(token)


def metrics_pending() -> bool:
    """True when some counters wait for a refresh (one indexed query)."""
    return MetricPendingRefresh.objects.exists()


def metrics_refresh_pending() -> int:
    """Recompute every marked (day, unit) from raw data; call before reading the counters.

    Costs one EXISTS query when nothing is pending. Returns the number of keys refreshed.
    """
    if _fresh.get() or not metrics_pending():
        return 0
    with transaction.atomic():
        _lock_refreshers()
        rows = list(MetricPendingRefresh.objects.values_list("id", "day", "org_unit_id"))
        if not rows:
            return 0
        MetricPendingRefresh.objects.filter(id__in=[r[0] for r in rows]).delete()
        keys = {(day, unit_id) for _, day, unit_id in rows}
        metrics_refresh(keys)
    return len(keys)


def _order_keys(order: Any) -> set[DayUnit]:
    keys: set[DayUnit] = set()
    if order.created_at is not None and order.org_unit_id is not None:
        keys.add((local_day(order.created_at), order.org_unit_id))
    orig = getattr(order, "_qz_eval_orig", None)
    if orig and orig[0] is not None and orig[1] is not None:
        keys.add((local_day(orig[1]), orig[0]))
    return keys


def on_order_init(sender: Any, instance: Any, **kwargs: Any) -> None:
    d = instance.__dict__
    instance._qz_eval_orig = (d.get("org_unit_id"), d.get("created_at"))


def on_order_change(sender: Any, instance: Any, **kwargs: Any) -> None:
    _mark(_order_keys(instance))
    instance._qz_eval_orig = (instance.org_unit_id, instance.created_at)


def on_callback_change(sender: Any, instance: Any, **kwargs: Any) -> None:
    from qingzhuang.service_requests.models import WorkOrder

    row = (
        WorkOrder.objects.filter(pk=instance.order_id)
        .values_list("created_at", "org_unit_id")
        .first()
    )
    if row:
        _mark([(local_day(row[0]), row[1])])


def on_request_change(sender: Any, instance: Any, created: bool = False, **kwargs: Any) -> None:
    from qingzhuang.service_requests.models import WorkOrder

    if created:  # a new request has no work order yet: nothing to mark (saves a query)
        return
    rows = WorkOrder.objects.filter(request_id=instance.pk).values_list("created_at", "org_unit_id")
    keys = [(local_day(c), u) for c, u in rows]
    if keys:
        _mark(keys)


def connect_signals() -> None:
    from django.db.models.signals import post_delete, post_init, post_save

    from qingzhuang.service_requests.models import Callback, ServiceRequest, WorkOrder

    post_init.connect(on_order_init, sender=WorkOrder, dispatch_uid="qz_eval_order_init")
    post_save.connect(on_order_change, sender=WorkOrder, dispatch_uid="qz_eval_order_save")
    post_delete.connect(on_order_change, sender=WorkOrder, dispatch_uid="qz_eval_order_del")
    post_save.connect(on_callback_change, sender=Callback, dispatch_uid="qz_eval_cb_save")
    post_delete.connect(on_callback_change, sender=Callback, dispatch_uid="qz_eval_cb_del")
    post_save.connect(on_request_change, sender=ServiceRequest, dispatch_uid="qz_eval_sr_save")
