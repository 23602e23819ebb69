"""The resident's status page (查询码): what a request's progress shows without personal data."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from qingzhuang.core.errors import NotFound
from qingzhuang.service_requests.masking import mask_personal_text
from qingzhuang.service_requests.models import WorkOrder, WorkOrderState

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
