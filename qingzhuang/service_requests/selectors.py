"""Reads for resident requests. Every selector returning org data takes the caller's scope.

Scoping rule: a user sees work orders whose responsible unit is inside their scope, plus orders
assigned to them personally (a village worker never sees another village's orders).

Hotspots (``hotspots.py``), the public status page (``public_status.py``), the masking of
personal numbers (``masking.py``) and the missing-holiday-calendar warning (``sla.py``) live in
their own modules and are re-exported here, so every caller imports its reads from one module.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from qingzhuang.core.errors import NotFound
from qingzhuang.org.scope import Scope
from qingzhuang.service_requests.hotspots import (
    PRAISE_CATEGORIES,
    Hotspot,
    hotspots,
    rank_hotspots,
    text_hotspots,
)
from qingzhuang.service_requests.masking import mask_personal_text, personal_text_for
from qingzhuang.service_requests.models import (
    OPEN_STATES,
    Callback,
    CallbackChannel,
    DutyRule,
    ServiceRequest,
    WorkOrder,
    WorkOrderEvent,
)
from qingzhuang.service_requests.public_status import (
    PUBLIC_EVENT_ACTIONS,
    PUBLIC_STEPS,
    RESULT_STATES,
    PublicStatus,
    current_and_previous_result,
    public_status,
)
from qingzhuang.service_requests.sla import holiday_calendar_missing, holiday_calendar_warning

__all__ = [
    # hotspots.py
    "PRAISE_CATEGORIES",
    "Hotspot",
    "hotspots",
    "rank_hotspots",
    "text_hotspots",
    # masking.py
    "mask_personal_text",
    "personal_text_for",
    # public_status.py
    "PUBLIC_EVENT_ACTIONS",
    "PUBLIC_STEPS",
    "RESULT_STATES",
    "PublicStatus",
    "current_and_previous_result",
    "public_status",
    # sla.py
    "holiday_calendar_missing",
    "holiday_calendar_warning",
    # defined here
    "callbacks",
    "duty_rules",
    "inbox_counts",
    "known_categories",
    "overdue_q",
    "requests_in_scope",
    "requests_public",
    "resident_answered",
    "timeline",
    "work_order_by_tracking",
    "work_order_get",
    "work_orders",
]


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
