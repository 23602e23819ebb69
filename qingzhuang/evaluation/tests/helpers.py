"""Build requests, work orders and callbacks with exact timestamps for hand-computed cases."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from qingzhuang.service_requests.models import Callback, ServiceRequest, WorkOrder

TZ = ZoneInfo("Asia/Shanghai")
_seq = itertools.count(1)


def at(day: int, hour: int = 9, minute: int = 0, month: int = 3, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


def make_order(
    *,
    unit: Any,
    created: datetime,
    area: Any = None,
    category: str = "环境卫生",
    request_type: str = "complaint",
    phone_hash: str = "",
    callback: tuple[str, str] | None = None,
    callback_after: timedelta = timedelta(days=1),
    comment: str = "",
    **order_fields: Any,
) -> WorkOrder:
    n = next(_seq)
    req = ServiceRequest.objects.create(
        tracking_code=f"T{n:07d}",
        channel="web",
        request_type=request_type,
        text=f"测试诉求{n}",
        category=category,
        org_unit=area or unit,
        idempotency_key=f"idem-{n}",
        phone_hash=phone_hash,
        created_at=created,
    )
    order = WorkOrder.objects.create(request=req, org_unit=unit, created_at=created, **order_fields)
    if callback:
        answered = (order.resolved_at or created) + callback_after
        Callback.objects.create(
            order=order,
            channel="phone",
            resolved=callback[0],
            satisfaction=callback[1],
            comment=comment,
            phone_hash=phone_hash,
            answered_at=answered,
            created_at=answered,
        )
    return order
