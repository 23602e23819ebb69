"""Callbacks (回访): the resident's one-time link and its answer, and the staff phone callback.

An answer of 解决 that is not 不满意 closes the order. Once the resident has answered through
the link, no new link and no staff phone answer may replace theirs in that round.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from qingzhuang.audit.services import audit_record, snapshot
from qingzhuang.core.errors import Conflict, InvalidInput, NotFound
from qingzhuang.service_requests.models import (
    Callback,
    CallbackChannel,
    Resolution,
    Satisfaction,
    WorkOrder,
    WorkOrderState,
    hash_token,
)
from qingzhuang.service_requests.workflow import (
    RESIDENT,
    _apply,
    _check,
    _locked,
    _require_dispatcher,
    clean_note,
    event_add,
)

S = WorkOrderState
CALLBACK_LINK_DAYS = 7


@transaction.atomic
def callback_issue_link(
    *, order: WorkOrder, acting_user: Any, valid_days: int = CALLBACK_LINK_DAYS
) -> tuple[Callback, str]:
    """A one-time link for the resident; only its hash is stored. Older open links expire.

    Not once the resident has answered this round: a new link could only bring an answer that
    replaces theirs (see `callback_record_phone`).
    """
    from qingzhuang.service_requests.selectors import resident_answered  # noqa: PLC0415

    order = _locked(order)
    _require_dispatcher(order, acting_user)
    _check(order, "callback")
    if resident_answered(order=order):
        raise Conflict(gettext("群众已通过链接作答，不能再发回访链接。"))
    now = timezone.now()
    _apply(order, "callback", acting_user, "发送回访链接")
    Callback.objects.filter(
        order=order, channel=CallbackChannel.LINK, answered_at__isnull=True, expires_at__gt=now
    ).update(expires_at=now)
    token = secrets.token_urlsafe(24)
    callback = Callback.objects.create(
        order=order,
        channel=CallbackChannel.LINK,
        token_hash=hash_token(token),
        expires_at=now + dt.timedelta(days=valid_days),
        phone_hash=order.request.phone_hash,
        created_at=now,
    )
    return callback, token


def _validate_answer(resolved: str, satisfaction: str) -> None:
    if resolved not in Resolution.values:
        raise InvalidInput(gettext("请选择问题是否解决：解决、部分解决或未解决。"))
    if satisfaction not in Satisfaction.values:
        raise InvalidInput(gettext("请选择满意程度：满意、基本满意或不满意。"))


def _finish_callback(callback: Callback, actor: Any) -> Callback:
    order = _locked(callback.order)
    before = snapshot(order)
    if order.state == S.RESOLVED:
        _apply(order, "callback", actor, "电话回访")
    text = f"{callback.get_resolved_display()}，{callback.get_satisfaction_display()}"
    if callback.comment:
        text += f"：{callback.comment[:200]}"
    event_add(order=order, action="callback_answer", actor=actor, from_state=order.state, note=text)
    if (
        callback.resolved == Resolution.SOLVED
        and callback.satisfaction != Satisfaction.DISSATISFIED
    ):
        _apply(order, "close", actor, "回访满意，自动关闭", closed_at=timezone.now())
    audit_record(
        actor=actor,
        action="service_requests.callback.answer",
        target=callback,
        org_path=order.org_unit.path,
        before=before,
        after=snapshot(callback, ["resolved", "satisfaction", "channel", "answered_at"]),
    )
    return callback


@transaction.atomic
def callback_answer(*, token: str, resolved: str, satisfaction: str, comment: str = "") -> Callback:
    """The resident answers through the one-time link; a used or expired link is refused."""
    _validate_answer(resolved, satisfaction)
    comment = clean_note(comment)
    callback = (
        Callback.objects.select_for_update()
        .select_related("order")
        .filter(token_hash=hash_token(token))
        .first()
    )
    if callback is None:
        raise NotFound(gettext("回访链接无效。请核对短信中的链接，或拨打镇便民服务电话。"))
    if callback.answered_at is not None:
        raise Conflict(gettext("这个回访链接已经用过了，不能重复提交。感谢您的评价！"))
    if callback.expires_at is None or timezone.now() > callback.expires_at:
        raise InvalidInput(gettext("回访链接已过期。如需评价，请拨打镇便民服务电话。"))
    callback.resolved = resolved
    callback.satisfaction = satisfaction
    callback.comment = comment
    callback.answered_at = timezone.now()
    callback.save()
    return _finish_callback(callback, RESIDENT)


@transaction.atomic
def callback_record_phone(
    *, order: WorkOrder, resolved: str, satisfaction: str, comment: str, acting_user: Any
) -> Callback:
    """A staff phone callback (电话回访) recorded by the dispatcher.

    Refused once the resident has answered the link for this round: the latest answered
    callback is the one that counts, and a staff entry must not replace the resident's own.
    """
    from qingzhuang.service_requests.selectors import resident_answered  # noqa: PLC0415

    _validate_answer(resolved, satisfaction)
    comment = clean_note(comment)
    order = _locked(order)
    _require_dispatcher(order, acting_user)
    if order.state not in (S.RESOLVED, S.CALLBACK):
        raise InvalidInput(gettext("只有已办结、待回访的工单才能登记回访结果。"))
    if resident_answered(order=order):
        raise Conflict(gettext("群众已通过链接作答，不能再登记电话回访。"))
    now = timezone.now()
    callback = Callback.objects.create(
        order=order,
        channel=CallbackChannel.PHONE,
        resolved=resolved,
        satisfaction=satisfaction,
        comment=comment,
        phone_hash=order.request.phone_hash,
        answered_by=acting_user,
        answered_at=now,
        created_at=now,
    )
    return _finish_callback(callback, acting_user)
