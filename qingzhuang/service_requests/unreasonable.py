"""不合理诉求: a handler asks to mark a request unreasonable, another person reviews it; an
approved order no longer counts in the unit's scores."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from qingzhuang.audit.services import audit_record, snapshot
from qingzhuang.core.errors import Conflict, InvalidInput, PermissionDenied
from qingzhuang.service_requests.models import UnreasonableStatus, WorkOrder
from qingzhuang.service_requests.workflow import (
    MAX_REASON,
    _locked,
    _require_dispatcher,
    _require_handler,
    clean_note,
    event_add,
)


@transaction.atomic
def request_mark_unreasonable(*, order: WorkOrder, reason: str, acting_user: Any) -> WorkOrder:
    """Ask to mark the request unreasonable; it only takes effect after a reviewer approves."""
    reason = clean_note(reason, MAX_REASON)
    if len(reason) < 4:
        raise InvalidInput(gettext("请写明认定为不合理诉求的具体理由（至少4个字）。"))
    order = _locked(order)
    _require_handler(order, acting_user)
    if order.unreasonable_status in (UnreasonableStatus.PENDING, UnreasonableStatus.APPROVED):
        raise Conflict(gettext("该工单已申请或已认定为不合理诉求。"))
    before = snapshot(order)
    order.unreasonable_status = UnreasonableStatus.PENDING
    order.unreasonable_reason = reason
    order.unreasonable_requested_by = acting_user
    order.save()
    event_add(
        order=order,
        action="unreasonable_request",
        actor=acting_user,
        from_state=order.state,
        note=reason,
    )
    audit_record(
        actor=acting_user,
        action="service_requests.work_order.unreasonable_request",
        target=order,
        before=before,
        after=snapshot(order),
    )
    return order


@transaction.atomic
def request_unreasonable_review(
    *, order: WorkOrder, approve: bool, acting_user: Any, note: str = ""
) -> WorkOrder:
    """A reviewer (not the requester) approves or rejects; approved orders leave unit scores."""
    note = clean_note(note)
    order = _locked(order)
    _require_dispatcher(order, acting_user)
    if order.unreasonable_status != UnreasonableStatus.PENDING:
        raise InvalidInput(gettext("该工单没有待审核的不合理诉求申请。"))
    if order.unreasonable_requested_by_id == acting_user.pk:
        raise PermissionDenied(gettext("申请人不能审核自己的申请，请由另一位负责人审核。"))
    before = snapshot(order)
    order.unreasonable_status = (
        UnreasonableStatus.APPROVED if approve else UnreasonableStatus.REJECTED
    )
    order.unreasonable_reviewed_by = acting_user
    order.unreasonable_reviewed_at = timezone.now()
    order.save()
    event_add(
        order=order,
        action="unreasonable_review",
        actor=acting_user,
        from_state=order.state,
        note=("同意：不计入考核" if approve else "不同意") + (f"，{note}" if note else ""),
    )
    audit_record(
        actor=acting_user,
        action="service_requests.work_order.unreasonable_review",
        target=order,
        before=before,
        after=snapshot(order),
    )
    return order
