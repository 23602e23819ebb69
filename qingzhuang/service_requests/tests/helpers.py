"""Scenario builders for request tests: everything goes through the real services."""

from __future__ import annotations

import itertools
from typing import Any

from qingzhuang.service_requests import services
from qingzhuang.service_requests.models import Channel, RequestType, WorkOrder

_seq = itertools.count(1)

PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)


def submit(unit: Any, *, text: str | None = None, **kwargs: Any) -> services.SubmitResult:
    n = next(_seq)
    params: dict[str, Any] = {
        "org_unit": unit,
        "request_type": RequestType.COMPLAINT,
        "text": text or f"第{n}号测试诉求：村口路灯坏了好几天，晚上出行不便，编号{n * 7919}",
        "channel": Channel.WEB,
        "actor": "public",
        "resident_phone": "13812345678",
        "resident_name": "张三丰",
        "resident_id_number": "420102199001011234",
    }
    params.update(kwargs)
    return services.request_submit(**params)


def order_for(unit: Any, **kwargs: Any) -> WorkOrder:
    return WorkOrder.objects.get(request=submit(unit, **kwargs).request)


def walk_to(order: WorkOrder, state: str, *, admin: Any, worker: Any) -> WorkOrder:
    """Drive an order through the real services up to `state`."""
    path = ["dispatched", "accepted", "in_progress", "resolved", "callback", "closed"]
    if state in ("received",):
        return order
    if state == "returned":
        order = services.work_order_dispatch(order=order, acting_user=admin)
        return services.work_order_return(order=order, reason="不属于本村职责", acting_user=worker)
    if state == "referred":
        from qingzhuang.org.models import Department

        dept, _ = Department.objects.get_or_create(name="测试县民政局")
        return services.work_order_refer(
            order=order, department=dept, reason="权责清单第3条", acting_user=admin
        )
    if state == "merged":
        other = order_for(order.request.org_unit)
        return services.work_order_merge(order=order, into=other, acting_user=admin)
    steps = {
        "dispatched": lambda o: services.work_order_dispatch(order=o, acting_user=admin),
        "accepted": lambda o: services.work_order_accept(order=o, acting_user=worker),
        "in_progress": lambda o: services.work_order_start(order=o, acting_user=worker),
        "resolved": lambda o: services.work_order_resolve(
            order=o, note="已更换灯泡", acting_user=worker
        ),
        "callback": lambda o: services.callback_issue_link(order=o, acting_user=admin)[0].order,
        "closed": lambda o: services.work_order_close(order=o, acting_user=admin),
    }
    for step in path:
        order = steps[step](order)
        order.refresh_from_db()
        if step == state:
            return order
    raise AssertionError(state)
