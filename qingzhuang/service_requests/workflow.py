"""Work-order state machine (派单/签收/办理/办结/退单/督办/重办/合并/回访/关闭).

Every transition is one typed, atomic service that checks the role and scope, moves the state
through the TRANSITIONS table, writes a timeline event and an audit entry in the same transaction.
Callbacks (``callbacks.py``), 不合理诉求 (``unreasonable.py``) and the SLA scan (``sla_scan.py``)
build on the helpers here.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from qingzhuang.audit.services import audit_record, snapshot
from qingzhuang.core.errors import InvalidInput
from qingzhuang.org.models import Department, OrgUnit
from qingzhuang.org.roles import require
from qingzhuang.org.scope import scope_for
from qingzhuang.service_requests.models import (
    OPEN_STATES,
    Callback,
    CallbackChannel,
    WorkOrder,
    WorkOrderEvent,
    WorkOrderState,
)
from qingzhuang.service_requests.sla import sla_deadlines

S = WorkOrderState
# The actor label of what residents do themselves (intake on /p/, the API, a callback link);
# pages show it as 群众 (see ACTOR_LABELS).
RESIDENT = "public"

# action -> (states it may start from, state it leads to; None = state unchanged)
TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    "dispatch": (frozenset({S.RECEIVED, S.RETURNED}), S.DISPATCHED),
    "accept": (frozenset({S.DISPATCHED}), S.ACCEPTED),
    "start": (frozenset({S.ACCEPTED}), S.IN_PROGRESS),
    "resolve": (frozenset({S.ACCEPTED, S.IN_PROGRESS}), S.RESOLVED),
    "return": (frozenset({S.DISPATCHED, S.ACCEPTED, S.IN_PROGRESS}), S.RETURNED),
    "escalate": (
        frozenset({S.RECEIVED, S.DISPATCHED, S.ACCEPTED, S.IN_PROGRESS, S.RETURNED}),
        None,
    ),
    "reopen": (frozenset({S.RESOLVED, S.CALLBACK, S.CLOSED}), S.DISPATCHED),
    "refer": (frozenset({S.RECEIVED, S.RETURNED}), S.REFERRED),
    "merge": (frozenset(OPEN_STATES), S.MERGED),
    "callback": (frozenset({S.RESOLVED, S.CALLBACK}), S.CALLBACK),
    "close": (frozenset({S.RESOLVED, S.CALLBACK, S.REFERRED}), S.CLOSED),
}

# Chinese, as the timeline shows them; marked for the catalogue so that an error can name the
# action in the reader's language.
ACTION_LABELS = {
    "submit": gettext_noop("受理"),
    "dispatch": gettext_noop("派单"),
    "accept": gettext_noop("签收"),
    "start": gettext_noop("开始办理"),
    "resolve": gettext_noop("办结"),
    "return": gettext_noop("退单"),
    "escalate": gettext_noop("督办"),
    "reopen": gettext_noop("重办"),
    "refer": gettext_noop("转县级部门"),
    "merge": gettext_noop("合并"),
    "callback": gettext_noop("发起回访"),
    "callback_answer": gettext_noop("回访结果"),
    "close": gettext_noop("关闭"),
    "remind": gettext_noop("临期提醒"),
    "overdue": gettext_noop("超时"),
    "unreasonable_request": gettext_noop("申请认定不合理诉求"),
    "unreasonable_review": gettext_noop("审核不合理诉求"),
    "recategorise": gettext_noop("改分类"),
    "voice_summary": gettext_noop("语音摘要"),
}

# Who did a step, for actors that are not user accounts (the timeline stores the label).
ACTOR_LABELS = {
    RESIDENT: gettext_noop("群众"),
    "sla-scan": gettext_noop("系统"),
    "system": gettext_noop("系统"),
}


def actor_display(event: WorkOrderEvent) -> str:
    """The name the timeline shows: the user, or 群众/系统 in the reader's language."""
    if event.actor is not None:
        return str(event.actor)
    label = ACTOR_LABELS.get(event.actor_label)
    return gettext(label) if label else event.actor_label


# Notes, reasons, results and callback comments: enough for a full account, short enough for
# the resident's status page (which shows the result in full).
MAX_NOTE = 2000
MAX_REASON = 300  # stored in a column of this size


def clean_note(text: str | None, limit: int = MAX_NOTE) -> str:
    """The note as stored; a longer one is refused with a message rather than cut silently."""
    text = (text or "").strip()
    if len(text) > limit:
        raise InvalidInput(
            gettext("填写的内容最多 %(max)s 字，现在有 %(n)s 字，请精简后再提交。")
            % {"max": limit, "n": len(text)}
        )
    return text


def _check(order: WorkOrder, action: str) -> str | None:
    allowed, target = TRANSITIONS[action]
    if order.state not in allowed:
        raise InvalidInput(
            gettext("工单当前状态为“%(state)s”，不能%(action)s。请刷新页面查看最新状态。")
            % {"state": order.get_state_display(), "action": gettext(ACTION_LABELS[action])}
        )
    return target


def _require_handler(order: WorkOrder, user: Any) -> None:
    """Handlers act on orders of their own unit subtree or assigned to them."""
    require(user, "requests.handle")
    if order.assignee_id is not None and order.assignee_id == user.pk:
        return
    scope_for(user).require(order.org_unit)


def _require_dispatcher(order: WorkOrder, user: Any) -> None:
    require(user, "requests.dispatch")
    scope_for(user).require(order.org_unit)


def event_add(
    *, order: WorkOrder, action: str, actor: Any, from_state: str, note: str = "", at: Any = None
) -> WorkOrderEvent:
    is_user = getattr(actor, "is_authenticated", False)
    return WorkOrderEvent.objects.create(
        order=order,
        action=action,
        actor=actor if is_user else None,
        actor_label=(str(actor) if actor is not None else "system")[:100],
        from_state=from_state,
        to_state=order.state,
        note=note,
        at=at or timezone.now(),
    )


def _apply(order: WorkOrder, action: str, actor: Any, note: str = "", **changes: Any) -> WorkOrder:
    """Move the order, save, add the timeline event and the audit entry."""
    target = _check(order, action)
    before = snapshot(order)
    from_state = order.state
    if target is not None:
        order.state = target
    for name, value in changes.items():
        setattr(order, name, value)
    order.save()
    event_add(order=order, action=action, actor=actor, from_state=from_state, note=note)
    audit_record(
        actor=actor,
        action=f"service_requests.work_order.{action}",
        target=order,
        before=before,
        after=snapshot(order),
    )
    return order


def _locked(order: WorkOrder) -> WorkOrder:
    return (
        WorkOrder.objects.select_for_update().select_related("org_unit", "request").get(pk=order.pk)
    )


@transaction.atomic
def work_order_dispatch(
    *,
    order: WorkOrder,
    acting_user: Any,
    org_unit: OrgUnit | None = None,
    assignee: Any = None,
    note: str = "",
) -> WorkOrder:
    """派单: the dispatcher sends the order to a unit (and optionally a person)."""
    note = clean_note(note)
    order = _locked(order)
    _require_dispatcher(order, acting_user)
    unit = org_unit or order.org_unit
    scope_for(acting_user).require(unit)
    if assignee is not None and (
        assignee.org_unit is None or not assignee.org_unit.is_descendant_of(unit)
    ):
        raise InvalidInput(gettext("承办人不属于所派单位，请重新选择承办人。"))
    return _apply(
        order,
        "dispatch",
        acting_user,
        note or f"派至{unit.name}",
        org_unit=unit,
        assignee=assignee,
        dispatched_at=timezone.now(),
    )


@transaction.atomic
def work_order_accept(*, order: WorkOrder, acting_user: Any, note: str = "") -> WorkOrder:
    """签收: the responsible unit takes the order; this is the response time."""
    note = clean_note(note)
    order = _locked(order)
    _require_handler(order, acting_user)
    now = timezone.now()
    overdue = order.overdue_response or bool(order.response_due_at and now > order.response_due_at)
    return _apply(
        order,
        "accept",
        acting_user,
        note,
        accepted_at=order.accepted_at or now,
        assignee=order.assignee or acting_user,
        overdue_response=overdue,
    )


@transaction.atomic
def work_order_start(*, order: WorkOrder, acting_user: Any, note: str = "") -> WorkOrder:
    note = clean_note(note)
    order = _locked(order)
    _require_handler(order, acting_user)
    return _apply(order, "start", acting_user, note, started_at=order.started_at or timezone.now())


@transaction.atomic
def work_order_resolve(*, order: WorkOrder, acting_user: Any, note: str) -> WorkOrder:
    """办结: needs a written result the resident can read on the status page."""
    note = clean_note(note)
    if not note:
        raise InvalidInput(gettext("请填写办理结果，再点办结。"))
    order = _locked(order)
    _require_handler(order, acting_user)
    now = timezone.now()
    overdue = order.overdue_resolution or bool(
        order.resolution_due_at and now > order.resolution_due_at
    )
    return _apply(
        order,
        "resolve",
        acting_user,
        note,
        resolved_at=now,
        resolution_note=note,
        overdue_resolution=overdue,
    )


@transaction.atomic
def work_order_return(*, order: WorkOrder, reason: str, acting_user: Any) -> WorkOrder:
    """退单: the unit sends the order back to the dispatcher with a reason."""
    reason = clean_note(reason)
    if not reason:
        raise InvalidInput(
            gettext("退单必须写明理由（例如：不属于本村职责，应由镇综合执法中队办理）。")
        )
    order = _locked(order)
    _require_handler(order, acting_user)
    return _apply(
        order,
        "return",
        acting_user,
        reason,
        returned_count=order.returned_count + 1,
        assignee=None,
    )


@transaction.atomic
def work_order_escalate(*, order: WorkOrder, note: str, acting_user: Any) -> WorkOrder:
    """督办: flags the order for supervision; the state does not change."""
    note = clean_note(note)
    order = _locked(order)
    _require_dispatcher(order, acting_user)
    return _apply(
        order,
        "escalate",
        acting_user,
        note or "督办",
        escalated=True,
        escalation_count=order.escalation_count + 1,
    )


@transaction.atomic
def work_order_reopen(*, order: WorkOrder, reason: str, acting_user: Any) -> WorkOrder:
    """重办: back to the responsible unit with a fresh resolution clock.

    A callback link still open belongs to the result being reopened, so it expires: the next
    callback round starts with the next 办结.
    """
    reason = clean_note(reason)
    if not reason:
        raise InvalidInput(gettext("重办必须写明理由（例如：回访群众表示问题未解决）。"))
    order = _locked(order)
    _require_dispatcher(order, acting_user)
    now = timezone.now()
    _, resolution_due = sla_deadlines(request_type=order.request.request_type, start=now)
    order = _apply(
        order,
        "reopen",
        acting_user,
        reason,
        reopen_count=order.reopen_count + 1,
        dispatched_at=now,
        resolved_at=None,
        closed_at=None,
        resolution_due_at=resolution_due,
        overdue_resolution=False,
    )
    Callback.objects.filter(
        order=order, channel=CallbackChannel.LINK, answered_at__isnull=True, expires_at__gt=now
    ).update(expires_at=now)
    return order


@transaction.atomic
def work_order_refer(
    *, order: WorkOrder, department: Department, reason: str, acting_user: Any
) -> WorkOrder:
    """上报: a county department's matter goes up instead of down to the village."""
    reason = clean_note(reason, MAX_REASON)
    if not reason:
        raise InvalidInput(gettext("转县级部门必须写明依据（例如权责清单第几条）。"))
    order = _locked(order)
    _require_dispatcher(order, acting_user)
    return _apply(
        order,
        "refer",
        acting_user,
        f"转{department.name}：{reason}",
        referred_up=True,
        referred_department=department,
        referral_reason=reason,
    )


@transaction.atomic
def work_order_merge(*, order: WorkOrder, into: WorkOrder, acting_user: Any) -> WorkOrder:
    """合并: a duplicate order joins another and is no longer counted on its own."""
    if order.pk == into.pk:
        raise InvalidInput(gettext("不能把工单合并到它自己。"))
    order = _locked(order)
    into = _locked(into)
    _require_dispatcher(order, acting_user)
    _require_dispatcher(into, acting_user)
    if into.state == S.MERGED:
        raise InvalidInput(gettext("目标工单本身已被合并，请合并到它所合并进的工单。"))
    request = order.request
    request.duplicate_of_id = into.request_id
    request.save(update_fields=["duplicate_of"])
    return _apply(
        order, "merge", acting_user, f"合并到 {into.request.tracking_code}", merged_into=into
    )


@transaction.atomic
def work_order_close(*, order: WorkOrder, acting_user: Any, note: str = "") -> WorkOrder:
    note = clean_note(note)
    order = _locked(order)
    _require_dispatcher(order, acting_user)
    return _apply(order, "close", acting_user, note, closed_at=timezone.now())
