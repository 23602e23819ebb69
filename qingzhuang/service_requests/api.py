"""JSON API at /api/service_requests/: public intake and status (auth=None), staff actions."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from qingzhuang.core.errors import InvalidInput, NotFound
from qingzhuang.core.ratelimit import ratelimit
from qingzhuang.org.models import OrgLevel, OrgUnit
from qingzhuang.org.roles import require
from qingzhuang.org.scope import scope_for
from qingzhuang.service_requests import selectors, services
from qingzhuang.service_requests.models import Channel, WorkOrder
from qingzhuang.service_requests.workflow import RESIDENT

router = Router(tags=["接诉即办 service_requests"])

_units: dict[str, Any] = {"at": 0.0, "by_code": {}}


def village_by_code(code: str) -> OrgUnit:
    """Villages cached per process for 60 s: the intake path must not query them every time."""
    now = time.monotonic()
    if now - _units["at"] > 60:
        _units["by_code"] = {
            u.code: u
            for u in OrgUnit.objects.filter(
                level__in=[OrgLevel.VILLAGE, OrgLevel.COMMUNITY, OrgLevel.TOWNSHIP], is_active=True
            )
        }
        _units["at"] = now
    unit = _units["by_code"].get(code)
    if unit is None:
        _units["at"] = 0.0
        unit = OrgUnit.objects.filter(
            code=code, level__in=[OrgLevel.VILLAGE, OrgLevel.COMMUNITY, OrgLevel.TOWNSHIP]
        ).first()
        if unit is None:
            raise InvalidInput(
                _("找不到村(社区)代码“%(code)s”，请核对行政区划代码。") % {"code": code}
            )
    return unit  # type: ignore[no-any-return]


class IntakeIn(Schema):
    village_code: str
    request_type: str = "help"
    text: str
    location: str = ""
    phone: str = ""
    name: str = ""
    client_id: str = ""


class RateLimitedBody(Schema):
    code: str
    message: str


class RateLimitedOut(Schema):
    """HTTP 429 from the public rate limits (the API's usual error format)."""

    error: RateLimitedBody


class IntakeOut(Schema):
    tracking_code: str
    created: bool
    status_url: str


@router.post(
    "/intake",
    response={200: IntakeOut, 201: IntakeOut, 429: RateLimitedOut},
    auth=None,
    summary="群众提交诉求（无需登录，用 client_id 防重复；每个地址每分钟限 30 次）",
)
@ratelimit("public_intake")
def intake(request: HttpRequest, payload: IntakeIn) -> Status:
    result = services.request_submit(
        org_unit=village_by_code(payload.village_code),
        request_type=payload.request_type,
        text=payload.text,
        channel=Channel.API,
        actor=RESIDENT,
        location=payload.location,
        resident_phone=payload.phone,
        resident_name=payload.name,
        idempotency_key=payload.client_id,
    )
    code = result.request.tracking_code
    return Status(
        201 if result.created else 200,
        IntakeOut(tracking_code=code, created=result.created, status_url=f"/p/s/{code}/"),
    )


class EventOut(Schema):
    at: dt.datetime
    label: str


class StatusOut(Schema):
    tracking_code: str
    request_type: str
    category: str
    village: str
    state: str
    state_label: str
    created_at: dt.datetime
    resolution_note: str
    # after 重办, until resolved again: the result of the round that was reopened
    previous_resolution_note: str = ""
    events: list[EventOut]


@router.get(
    "/status/{code}",
    response={200: StatusOut, 429: RateLimitedOut},
    auth=None,
    summary="凭查询码查进度（不含个人信息；每个地址每分钟限 120 次）",
)
@ratelimit("public_lookup", methods=("GET",))
def status(request: HttpRequest, code: str) -> StatusOut:
    s = selectors.public_status(tracking_code=code)
    return StatusOut(
        tracking_code=s.tracking_code,
        request_type=s.request_type,
        category=s.category,
        village=s.village,
        state=s.state,
        state_label=s.state_label,
        created_at=s.created_at,
        resolution_note=s.resolution_note,
        previous_resolution_note=s.previous_resolution_note,
        events=[EventOut(at=e["at"], label=e["label"]) for e in s.events],
    )


class OrderOut(Schema):
    id: int
    tracking_code: str
    state: str
    request_type: str
    category: str
    org_unit: str
    text: str
    created_at: dt.datetime
    resolution_due_at: dt.datetime | None
    overdue: bool
    phone: str


def _order_out(o: WorkOrder, user: Any) -> OrderOut:
    from qingzhuang.org.roles import can

    r = o.request
    text = selectors.personal_text_for(user)
    return OrderOut(
        id=o.pk,
        tracking_code=r.tracking_code,
        state=o.state,
        request_type=r.request_type,
        category=r.category,
        org_unit=o.org_unit.name,
        text=text(r.text),
        created_at=o.created_at,
        resolution_due_at=o.resolution_due_at,
        overdue=o.is_overdue,
        phone=r.resident_phone if can(user, "personal_data.view") else r.masked_phone(),
    )


@router.get("/orders", response=list[OrderOut], summary="我的工单（按权限范围）")
def orders(request: HttpRequest, state: str = "open", limit: int = 100) -> list[OrderOut]:
    require(request.user, "requests.handle")  # like the inbox page
    qs = selectors.work_orders(scope=scope_for(request.user), state=state)[
        : max(1, min(limit, 500))
    ]
    return [_order_out(o, request.user) for o in qs]


@router.get("/orders/{pk}", response=OrderOut, summary="工单详情")
def order_detail(request: HttpRequest, pk: int) -> OrderOut:
    require(request.user, "requests.handle")  # like the request's page
    return _order_out(selectors.work_order_get(scope=scope_for(request.user), pk=pk), request.user)


class ActionIn(Schema):
    note: str = ""


ACTIONS = {
    "accept": lambda o, u, n: services.work_order_accept(order=o, acting_user=u, note=n),
    "start": lambda o, u, n: services.work_order_start(order=o, acting_user=u, note=n),
    "resolve": lambda o, u, n: services.work_order_resolve(order=o, acting_user=u, note=n),
    "return": lambda o, u, n: services.work_order_return(order=o, reason=n, acting_user=u),
    "dispatch": lambda o, u, n: services.work_order_dispatch(order=o, acting_user=u, note=n),
    "escalate": lambda o, u, n: services.work_order_escalate(order=o, note=n, acting_user=u),
    "reopen": lambda o, u, n: services.work_order_reopen(order=o, reason=n, acting_user=u),
    "close": lambda o, u, n: services.work_order_close(order=o, acting_user=u, note=n),
}


@router.post(
    "/orders/{pk}/{action}",
    response=OrderOut,
    summary="工单操作：accept/start/resolve/return/dispatch/escalate/reopen/close",
)
def order_action(request: HttpRequest, pk: int, action: str, payload: ActionIn) -> OrderOut:
    fn = ACTIONS.get(action)
    if fn is None:
        raise NotFound(_("没有“%(action)s”这种操作。") % {"action": action})
    order = selectors.work_order_get(scope=scope_for(request.user), pk=pk)
    fn(order, request.user, payload.note)
    order = selectors.work_order_get(scope=scope_for(request.user), pk=pk)
    return _order_out(order, request.user)
