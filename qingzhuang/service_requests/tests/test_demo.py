"""Demo seed is idempotent (bulk generation: see test_bulk_demo.py)."""

from __future__ import annotations

from io import StringIO
from typing import Any

from qingzhuang.core.demo import run_demo
from qingzhuang.service_requests.models import (
    Callback,
    DutyRule,
    ServiceRequest,
    WorkOrder,
    WorkOrderEvent,
)


def test_demo_twice_changes_nothing_and_covers_states(db: Any) -> None:
    run_demo(out=StringIO())
    counts = (
        ServiceRequest.objects.count(),
        WorkOrder.objects.count(),
        DutyRule.objects.count(),
        WorkOrderEvent.objects.count(),
        Callback.objects.count(),
    )
    states = set(WorkOrder.objects.values_list("state", flat=True))
    assert {
        "received",
        "dispatched",
        "accepted",
        "in_progress",
        "resolved",
        "closed",
        "returned",
        "referred",
        "callback",
    } <= states
    assert WorkOrder.objects.filter(unreasonable_status="approved").exists()
    assert WorkOrder.objects.filter(reopen_count__gt=0).exists()
    run_demo(out=StringIO())
    assert counts == (
        ServiceRequest.objects.count(),
        WorkOrder.objects.count(),
        DutyRule.objects.count(),
        WorkOrderEvent.objects.count(),
        Callback.objects.count(),
    )


def test_demo_shows_every_gaming_signal(db: Any) -> None:
    """A new user sees each 异常信号 once: the demo seeds one case of each in the last two weeks."""
    import datetime as dt

    from django.utils import timezone

    from qingzhuang.evaluation.gaming import gaming_signals
    from qingzhuang.evaluation.periods import parse
    from qingzhuang.org.scope import Scope

    run_demo(out=StringIO())
    today = timezone.localdate()
    months = {today.strftime("%Y-%m"), (today - dt.timedelta(days=14)).strftime("%Y-%m")}
    found = {"contradictions": set(), "fast": set(), "same_phone": set(), "reopened": set()}
    for month in months:
        signals = gaming_signals(scope=Scope.all(), period=parse(month))
        found["contradictions"] |= {
            (i["callback"].satisfaction, i["kind"]) for i in signals["contradictions"]["items"]
        }
        found["fast"] |= {g["unit"].name for g in signals["fast"]}
        found["same_phone"] |= {g["count"] for g in signals["same_phone"]}
        found["reopened"] |= {
            r["later"].text[:6] for r in signals["reopened"]["items"] if r["later"]
        }
    assert found["contradictions"] == {
        ("satisfied", "满意但评论负面"),
        ("dissatisfied", "不满意但评论正面"),
    }
    assert found["fast"] == {"石桥村"}
    assert found["same_phone"] == {5}
    assert found["reopened"] == {"村东头水管上"}
