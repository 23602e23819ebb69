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


def _seed_up_to_requests() -> None:
    """The demo of every app up to and including this one (the later apps are not needed)."""
    import importlib

    from django.conf import settings

    from qingzhuang.core.demo import DemoContext

    ctx = DemoContext(out=StringIO())
    for app in settings.INSTALLED_APPS:
        if not app.startswith("qingzhuang.") or app == "qingzhuang.core":
            continue
        try:
            module = importlib.import_module(f"{app}.demo")
        except ModuleNotFoundError:
            continue
        module.seed(ctx)
        if app == "qingzhuang.service_requests":
            return


def test_demo_ends_with_overdue_flags_and_a_category_model(
    db: Any, tmp_path: Any, monkeypatch: Any
) -> None:
    from django.db.models import Q
    from django.utils import timezone

    from config import env
    from qingzhuang.service_requests import classify, demo
    from qingzhuang.service_requests.tests.helpers import submit

    monkeypatch.setattr(env, "DATA_DIR", tmp_path)
    monkeypatch.setattr(demo, "_throwaway_database", lambda: False)  # as a real `qz demo`
    classify.reset_cache()
    _seed_up_to_requests()
    now = timezone.now()
    stale = WorkOrder.objects.open().filter(
        Q(resolution_due_at__lt=now, overdue_resolution=False)
        | Q(response_due_at__lt=now, accepted_at__isnull=True, overdue_response=False)
    )
    assert not stale.exists()
    assert classify.model_path().is_file()
    village = ServiceRequest.objects.first().org_unit  # type: ignore[union-attr]
    new = submit(village, text="三组的垃圾桶满了好几天没人清运，天热气味很大，苍蝇很多").request
    assert new.suggested_category == "环境卫生" and new.category == "环境卫生"


def test_demo_in_a_test_database_leaves_no_model_behind(
    db: Any, tmp_path: Any, monkeypatch: Any
) -> None:
    from config import env
    from qingzhuang.service_requests import classify

    monkeypatch.setattr(env, "DATA_DIR", tmp_path)
    _seed_up_to_requests()
    assert not classify.model_path().exists()
