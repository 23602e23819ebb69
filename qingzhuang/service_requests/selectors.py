"""Reads for resident requests. Every selector returning org data takes the caller's scope.

Scoping rule: a user sees work orders whose responsible unit is inside their scope, plus orders
assigned to them personally (a village worker never sees another village's orders).
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from qingzhuang.core.errors import NotFound
from qingzhuang.core.privacy import redact
from qingzhuang.org.models import OrgUnit
from qingzhuang.org.scope import Scope
from qingzhuang.service_requests.models import (
    OPEN_STATES,
    Callback,
    CallbackChannel,
    DutyRule,
    RequestType,
    ServiceRequest,
    WorkOrder,
    WorkOrderEvent,
    WorkOrderState,
)


def _order_q(scope: Scope, prefix: str = "") -> Q:
    q = scope.q(f"{prefix}org_unit")
    if scope.user_id is not None and not scope.everything:
        q |= Q(**{f"{prefix}assignee_id": scope.user_id})
    return q


def work_orders(
    *,
    scope: Scope,
    state: str = "",
    overdue: bool = False,
    query: str = "",
    org_unit_id: int | None = None,
) -> QuerySet[WorkOrder]:
    """The inbox: orders in scope, newest first, with what the list shows already joined."""
    qs = WorkOrder.objects.filter(_order_q(scope)).select_related(
        "request", "request__org_unit", "org_unit", "assignee"
    )
    if state == "open":
        qs = qs.open()
    elif state:
        qs = qs.filter(state=state)
    if overdue:
        qs = qs.filter(overdue_q())
    if org_unit_id:
        qs = qs.filter(org_unit_id=org_unit_id)
    if query:
        qs = qs.filter(
            Q(request__tracking_code__iexact=query.strip())
            | Q(request__text__icontains=query.strip())
            | Q(request__category__icontains=query.strip())
        )
    return qs.order_by("-created_at", "-id")


def work_order_get(*, scope: Scope, pk: int) -> WorkOrder:
    order = (
        WorkOrder.objects.filter(_order_q(scope), pk=pk)
        .select_related(
            "request",
            "request__org_unit",
            "org_unit",
            "assignee",
            "referred_department",
            "merged_into__request",
            "request__duplicate_of",
        )
        .first()
    )
    if order is None:
        raise NotFound(_("找不到这张工单，或它不在您的管辖范围内。"))
    return order


def work_order_by_tracking(*, scope: Scope, tracking_code: str) -> WorkOrder:
    order = (
        WorkOrder.objects.filter(_order_q(scope), request__tracking_code=tracking_code.upper())
        .select_related("request", "request__org_unit", "org_unit")
        .first()
    )
    if order is None:
        raise NotFound(_("找不到这张工单，或它不在您的管辖范围内。"))
    return order


def timeline(*, order: WorkOrder) -> QuerySet[WorkOrderEvent]:
    return order.events.select_related("actor").order_by("at", "id")


def callbacks(*, order: WorkOrder) -> QuerySet[Callback]:
    return order.callbacks.select_related("answered_by").order_by("-created_at")


def resident_answered(*, order: WorkOrder) -> bool:
    """Whether the resident has answered through the link since the order was last resolved.

    One round of callbacks runs from 办结 to the next 重办; once the resident has spoken for
    the round, a staff phone callback may not add an answer that would count instead.
    """
    qs = Callback.objects.filter(
        order=order, channel=CallbackChannel.LINK, answered_at__isnull=False
    )
    if order.resolved_at is not None:
        qs = qs.filter(answered_at__gte=order.resolved_at)
    return qs.exists()


def known_categories() -> list[str]:
    """The categories staff choose from: the duty list's and the installed model's.

    Values typed into older requests are deliberately not included, so a typo never becomes a
    choice; a new category starts as a line in the duty list (权责清单).
    """
    from qingzhuang.service_requests import classify

    names = set(DutyRule.objects.values_list("category", flat=True).distinct())
    model = classify.current_model()
    names.update(str(label) for label in getattr(model, "labels", None) or [])
    names.discard("")
    return sorted(names)


def personal_text_for(user: Any) -> Callable[[str], str]:
    """Free text as this user may read it: phone and ID numbers that residents typed into the
    text (or staff into a note) are masked for roles without ``personal_data.view``."""
    from qingzhuang.org.roles import can

    if can(user, "personal_data.view"):
        return _as_is
    return mask_personal_text


def _as_is(text: str) -> str:
    return text


def duty_rules(*, scope: Scope) -> QuerySet[DutyRule]:
    """Rules for everywhere plus rules whose area is inside the scope."""
    return (
        DutyRule.objects.filter(Q(area__isnull=True) | scope.q("area"))
        .select_related("area", "lead_unit", "department")
        .prefetch_related("assisting_units")
        .order_by("category", "area__path")
    )


def overdue_q(now: dt.datetime | None = None) -> Q:
    """Late orders, decided from the deadlines when read rather than from flags a scan sets.

    The flags stay the record for finished orders (and `qz requests sla-scan` still sets them and
    writes the timeline entries); an open order counts as late as soon as a deadline has passed:
    its response deadline while nobody has accepted it, or its resolution deadline. It reads the
    same rows as the flag test did (the open orders in scope): with 1,000,000 requests the
    township's 超时 count went from 134 to 159 ms, in an inbox whose state counts take ~900 ms.
    """
    now = now or timezone.now()
    late_now = Q(resolution_due_at__lt=now) | Q(response_due_at__lt=now, accepted_at__isnull=True)
    return (
        Q(overdue_response=True)
        | Q(overdue_resolution=True)
        | (Q(state__in=OPEN_STATES) & late_now)
    )


_COUNTED_STATES = (
    "received",
    "dispatched",
    "accepted",
    "in_progress",
    "returned",
    "resolved",
    "callback",
)


def inbox_counts(*, scope: Scope) -> dict[str, int]:
    """The inbox cards. Counted in SQL over the unfinished states only: the closed orders are
    nearly all of them, and reading every order's state into Python took ~0.9 s at 1,000,000."""
    qs = WorkOrder.objects.filter(_order_q(scope))
    counts: Counter[str] = Counter(
        dict(
            qs.filter(state__in=_COUNTED_STATES)
            .order_by()
            .values_list("state")
            .annotate(n=Count("id"))
        )
    )
    overdue = qs.open().filter(overdue_q()).count()
    return {
        "open": sum(
            counts[s] for s in ("received", "dispatched", "accepted", "in_progress", "returned")
        ),
        "received": counts["received"] + counts["returned"],
        "callback": counts["resolved"] + counts["callback"],
        "overdue": overdue,
    }


# ---- public (no personal data) -----------------------------------------------------------

PUBLIC_STEPS = [
    ("received", "已受理"),
    ("dispatched", "已派单"),
    ("accepted", "办理中"),
    ("resolved", "已办结"),
    ("closed", "已回访/关闭"),
]
_STEP_OF_STATE = {
    WorkOrderState.RECEIVED: 0,
    WorkOrderState.RETURNED: 0,
    WorkOrderState.DISPATCHED: 1,
    WorkOrderState.ACCEPTED: 2,
    WorkOrderState.IN_PROGRESS: 2,
    WorkOrderState.RESOLVED: 3,
    WorkOrderState.CALLBACK: 3,
    WorkOrderState.CLOSED: 4,
    WorkOrderState.REFERRED: 1,
    WorkOrderState.MERGED: 1,
}


@dataclass
class PublicStatus:
    """What the resident may see: no names, phones, ID numbers or staff names."""

    tracking_code: str
    request_type: str
    category: str
    village: str
    text: str
    created_at: dt.datetime
    state: str
    state_label: str
    step: int
    steps: list[tuple[str, str]]
    resolution_note: str
    events: list[dict[str, Any]] = field(default_factory=list)
    merged_into: str = ""
    # after 重办: the result of the round that was reopened, until the order is resolved again
    previous_resolution_note: str = ""


# the states in which `resolution_note` is the current result (after 重办 it is the last one)
RESULT_STATES = frozenset({WorkOrderState.RESOLVED, WorkOrderState.CALLBACK, WorkOrderState.CLOSED})


def current_and_previous_result(order: WorkOrder) -> tuple[str, str]:
    """(current result, result of a round that was reopened): exactly one is non-empty, or none."""
    if order.state in RESULT_STATES:
        return order.resolution_note, ""
    return "", order.resolution_note


PUBLIC_EVENT_ACTIONS = {
    "submit",
    "dispatch",
    "accept",
    "start",
    "resolve",
    "reopen",
    "refer",
    "merge",
    "close",
    "callback_answer",
}


def public_status(*, tracking_code: str) -> PublicStatus:
    code = (tracking_code or "").strip().upper()
    order = (
        WorkOrder.objects.filter(request__tracking_code=code)
        .select_related("request", "request__org_unit", "org_unit", "merged_into__request")
        .first()
    )
    if order is None:
        raise NotFound(_("没有找到这个查询码，请核对后再试（查询码为8位字母数字）。"))
    from qingzhuang.service_requests.workflow import ACTION_LABELS

    events = [
        {"at": e.at, "label": _(ACTION_LABELS.get(e.action, e.action))}
        for e in order.events.filter(action__in=PUBLIC_EVENT_ACTIONS).order_by("at", "id")
    ]
    r = order.request
    current, previous = current_and_previous_result(order)
    return PublicStatus(
        tracking_code=r.tracking_code,
        request_type=r.get_request_type_display(),
        category=r.category,
        village=r.org_unit.name,
        text=mask_personal_text(r.text),
        created_at=r.created_at,
        state=order.state,
        state_label=order.get_state_display(),
        step=_STEP_OF_STATE.get(WorkOrderState(order.state), 0),
        steps=PUBLIC_STEPS,
        resolution_note=mask_personal_text(current),
        events=events,
        merged_into=order.merged_into.request.tracking_code if order.merged_into else "",
        previous_resolution_note=mask_personal_text(previous),
    )


def mask_personal_text(text: str) -> str:
    """Hide phone and ID numbers residents sometimes type into the text itself (the product's
    one masking rule, `core.privacy.redact`, which the logs use too)."""
    return redact(text or "")


def requests_public(
    *, since: dt.datetime | None = None, limit: int = 100
) -> QuerySet[ServiceRequest]:
    """Open311 public listing (no personal fields are ever serialised from it)."""
    qs = ServiceRequest.objects.select_related("org_unit", "work_order").order_by("-created_at")
    if since:
        qs = qs.filter(created_at__gte=since)
    return qs[:limit]


def requests_in_scope(*, scope: Scope) -> QuerySet[ServiceRequest]:
    return ServiceRequest.objects.filter(
        Q(pk__in=WorkOrder.objects.filter(_order_q(scope)).values("request_id"))
    ).select_related("org_unit", "work_order")


# ---- hotspots (未诉先办 / 每月一题) --------------------------------------------------------


# Praise and thanks are not problems: they never make a hotspot (未诉先办 candidates).
PRAISE_CATEGORIES = ("表扬", "感谢", "表扬感谢")


def _praise_q() -> Q:
    return Q(category__in=PRAISE_CATEGORIES) | Q(request_type=RequestType.PRAISE)


@dataclass
class Hotspot:
    key: str
    category: str
    place: str
    count: int
    weeks: dict[str, int]
    trend: str
    samples: list[str]
    tracking_codes: list[str]


def hotspots(
    *,
    scope: Scope,
    weeks: int = 8,
    min_count: int = 3,
    now: dt.datetime | None = None,
    top: int = 30,
) -> list[Hotspot]:
    """Recurring problems: same category + same village over the last weeks, counted in SQL.

    Scoped by where the problem is (the request's village), so a village sees only its own.
    Praise and thanks are not problems: the 表扬 categories are left out in the counting query,
    and praise-type requests filed under another category are subtracted afterwards (they are
    few, read through a partial index), so the counting stays on the covering index.
    """
    now = now or timezone.now()
    since = now - dt.timedelta(weeks=weeks)
    base = (
        ServiceRequest.objects.filter(scope.ids_q("org_unit"), created_at__gte=since)
        .exclude(category="")
        .exclude(category__in=PRAISE_CATEGORIES)
    )
    starts = [now - dt.timedelta(weeks=i + 1) for i in range(weeks - 1, -1, -1)]
    praise = _praise_elsewhere(starts)
    # one count per week in the same GROUP BY (the last week is open-ended, like the clamp a
    # Python loop would apply to requests stamped a moment after `now`)
    per_week = {
        f"w{i}": Count(
            "id",
            filter=Q(created_at__gte=starts[i])
            & (Q(created_at__lt=starts[i + 1]) if i + 1 < weeks else Q()),
        )
        for i in range(weeks)
    }
    # Enough groups that the top ones are right once the praise is subtracted: only a group
    # that holds praise can fall behind, and there are len(praise) of those.
    groups = [
        {**g, "n": g["n"] - sum(praise.get((g["category"], g["org_unit_id"]), []))}
        for g in base.values("category", "org_unit_id")
        .annotate(n=Count("id"))
        .filter(n__gte=min_count)
        .order_by("-n", "category", "org_unit_id")[: top + len(praise)]
    ]
    groups = sorted(
        (g for g in groups if g["n"] >= min_count),
        key=lambda g: (-g["n"], g["category"], g["org_unit_id"]),
    )[:top]
    if not groups:
        return []
    # Weekly counts only for the groups shown, one indexed (unit, category, created_at) range
    # each, without touching the rest of the period's requests.
    weekly = {
        (g["category"], g["org_unit_id"]): base.filter(
            category=g["category"], org_unit_id=g["org_unit_id"]
        ).aggregate(**per_week)
        for g in groups
    }
    # names afterwards: joining every request row to its unit costs more than the counting
    names = dict(
        OrgUnit.objects.filter(pk__in={g["org_unit_id"] for g in groups}).values_list("pk", "name")
    )
    labels = [timezone.localtime(d).strftime("%m-%d") for d in starts]
    out = []
    for g in groups:
        key = (g["category"], g["org_unit_id"])
        latest = list(
            base.filter(category=key[0], org_unit_id=key[1])
            .exclude(request_type=RequestType.PRAISE)
            .order_by("-created_at")
            .values_list("text", "tracking_code")[:10]
        )
        row: Any = weekly[key]  # the per-week keys are built at run time
        minus = praise.get(key, [0] * weeks)
        values = [int(row[f"w{i}"]) - minus[i] for i in range(weeks)]
        out.append(
            Hotspot(
                key=f"{key[0]}|{names[key[1]]}",
                category=key[0],
                place=names[key[1]],
                count=g["n"],
                weeks=dict(zip(labels, values, strict=True)),
                trend=_trend(values),
                samples=[mask_personal_text(t[:80]) for t, _ in latest[:3]],
                tracking_codes=[c for _, c in latest],
            )
        )
    return out


def _praise_elsewhere(starts: list[dt.datetime]) -> dict[tuple[str, int], list[int]]:
    """Praise-type requests in the counted categories: per (category, unit), per week.

    Not scoped: the caller subtracts them from its (scoped) groups only. Without the scope and
    without an ORDER BY, the covering partial index answers the query; with either, the planner
    prefers an index that reads every request of the period.
    """
    out: dict[tuple[str, int], list[int]] = {}
    rows = (
        ServiceRequest.objects.filter(created_at__gte=starts[0], request_type=RequestType.PRAISE)
        .exclude(category="")
        .exclude(category__in=PRAISE_CATEGORIES)
        .order_by()
        .values_list("category", "org_unit_id", "created_at")
    )
    for category, unit_id, created in rows:
        week = max(0, bisect.bisect_right(starts, created) - 1)
        out.setdefault((category, unit_id), [0] * len(starts))[week] += 1
    return out


def _trend(values: list[int]) -> str:
    half = len(values) // 2
    first, second = sum(values[:half]), sum(values[half:])
    return "上升" if second > first * 1.2 else ("下降" if second < first * 0.8 else "持平")


def _cluster_memo(texts: list[str], *, threshold: float) -> list[int]:
    """`cluster_texts`, memoised on a digest of its exact inputs.

    Clustering is a pure function of the texts (in order) and the threshold, so a cached result
    is always the one a fresh run would give; a new request changes the input and the digest.
    """
    from qingzhuang.service_requests.hotspots_text import cluster_texts

    digest = hashlib.sha256(f"{threshold}".encode())
    for text in texts:
        digest.update(b"\0" + text.encode())
    key = f"qz:hotspot-clusters:{digest.hexdigest()}"
    ids: list[int] | None = cache.get(key)
    if ids is None or len(ids) != len(texts):
        ids = cluster_texts(texts, threshold=threshold)
        cache.set(key, ids, 24 * 3600)
    return ids


def text_hotspots(
    *,
    scope: Scope,
    weeks: int = 8,
    min_count: int = 3,
    threshold: float = 0.5,
    now: dt.datetime | None = None,
    limit: int = 5000,
) -> list[Hotspot]:
    """Recurring problems by wording: near-duplicate texts (MinHash, never all pairs), across
    villages and categories — e.g. the same blocked road reported under different headings."""
    now = now or timezone.now()
    since = now - dt.timedelta(weeks=weeks)
    # Newest first through the created_at index, stopping at `limit`; the unit names are looked
    # up afterwards rather than joined to every row.
    rows = list(
        ServiceRequest.objects.filter(scope.q("org_unit"), created_at__gte=since)
        .exclude(_praise_q())
        .order_by("-created_at")
        .values_list("category", "org_unit_id", "created_at", "text", "tracking_code")[:limit]
    )
    names = dict(OrgUnit.objects.filter(pk__in={r[1] for r in rows}).values_list("pk", "name"))
    ids = _cluster_memo([r[3][:400] for r in rows], threshold=threshold)
    groups: dict[int, list[int]] = defaultdict(list)
    for i, cid in enumerate(ids):
        groups[cid].append(i)
    clustered: dict[tuple[str, str], list[tuple[dt.datetime, str, str]]] = {}
    for members in groups.values():
        if len(members) < min_count:
            continue
        places = Counter(names[rows[i][1]] for i in members)
        cats = Counter(rows[i][0] or "未分类" for i in members)
        place = "、".join(p for p, _ in places.most_common(3))
        label = f"{cats.most_common(1)[0][0]}（内容相近）"
        clustered[(label, place)] = [(rows[i][2], rows[i][3], rows[i][4]) for i in members]
    return rank_hotspots(clustered, now=now, weeks=weeks, min_count=min_count)


def rank_hotspots(
    groups: dict[tuple[str, str], list[tuple[dt.datetime, str, str]]],
    *,
    now: dt.datetime,
    weeks: int,
    min_count: int,
) -> list[Hotspot]:
    out = []
    for (category, place), items in groups.items():
        if len(items) < min_count:
            continue
        per_week: dict[str, int] = {}
        for i in range(weeks - 1, -1, -1):
            start = now - dt.timedelta(weeks=i + 1)
            label = timezone.localtime(start).strftime("%m-%d")
            per_week[label] = sum(
                1 for c, _, _ in items if start < c <= start + dt.timedelta(weeks=1)
            )
        trend = _trend(list(per_week.values()))
        items.sort(key=lambda x: x[0], reverse=True)
        out.append(
            Hotspot(
                key=f"{category}|{place}",
                category=category,
                place=place,
                count=len(items),
                weeks=per_week,
                trend=trend,
                samples=[mask_personal_text(t[:80]) for _, t, _ in items[:3]],
                tracking_codes=[c for _, _, c in items[:10]],
            )
        )
    out.sort(key=lambda h: h.count, reverse=True)
    return out
