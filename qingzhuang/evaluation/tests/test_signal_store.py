"""Signal candidates stay exactly equal to a fresh computation from raw data after every kind of
write, and the signals read from them mean what the page says."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from qingzhuang.evaluation.gaming import comment_sentiment_refresh, gaming_signals
from qingzhuang.evaluation.models import (
    CommentSentiment,
    EvaluationSettings,
    SignalCandidate,
    SignalKind,
    SignalPending,
)
from qingzhuang.evaluation.periods import parse
from qingzhuang.evaluation.signal_store import (
    signals_rebuild,
    signals_refresh_pending,
    signals_verify,
)
from qingzhuang.evaluation.tests.helpers import at, make_order
from qingzhuang.org.scope import Scope
from qingzhuang.service_requests.models import Callback

P = parse("2026-03")


def _consistent() -> None:
    signals_refresh_pending()
    assert signals_verify() == []


def _kinds() -> list[tuple[str, int]]:
    signals_refresh_pending()
    return sorted(SignalCandidate.objects.values_list("kind", "order_id"))


def test_writes_keep_candidates_equal_to_raw_data(org_tree: dict[str, Any]) -> None:
    a, b = org_tree["village_a"], org_tree["village_b"]
    first = make_order(
        unit=a,
        created=at(4),
        resolved_at=at(4, 12),
        phone_hash="a" * 64,
        category="路灯",
        callback=("solved", "satisfied"),
        callback_after=timedelta(minutes=5),
    )
    _consistent()
    assert _kinds() == [(SignalKind.FAST, first.pk)]

    # the same resident reports the same problem again: a REPEAT of the first order
    again = make_order(unit=a, created=at(10), phone_hash="a" * 64, category="路灯")
    _consistent()
    assert (SignalKind.REPEAT, first.pk) in _kinds()

    # the order moves to another village: every candidate follows it
    first.org_unit = b
    first.save()
    _consistent()
    assert set(SignalCandidate.objects.values_list("org_unit_id", flat=True)) == {b.pk}

    # the repeat request is withdrawn (deleted): no REPEAT any more
    again.request.delete()
    _consistent()
    assert (SignalKind.REPEAT, first.pk) not in _kinds()

    # the callback's rating changes to 不满意 with a glowing comment: a contradiction once scored
    cb = Callback.objects.get(order=first)
    cb.satisfaction = "dissatisfied"
    cb.comment = "师傅来得很及时，修得很好，非常满意，非常感谢"
    cb.save()
    _consistent()
    assert (SignalKind.UNSCORED, first.pk) in _kinds()
    assert comment_sentiment_refresh() == 1
    _consistent()
    assert (SignalKind.CONTRADICTION, first.pk) in _kinds()

    # reopened after the resident said 解决
    first.reopen_count = 1
    first.save()
    _consistent()
    assert (SignalKind.REOPENED, first.pk) in _kinds()

    # the callback is deleted: its candidates go, the order's REOPENED needs a 解决 callback too
    cb.delete()
    _consistent()
    assert _kinds() == []


def test_rebuild_restores_bulk_loaded_and_tampered_rows(org_tree: dict[str, Any]) -> None:
    a = org_tree["village_a"]
    for i in range(3):
        make_order(
            unit=a,
            created=at(3 + i),
            resolved_at=at(3 + i, 12),
            reopen_count=1,
            callback=("solved", "satisfied"),
        )
    signals_refresh_pending()
    SignalCandidate.objects.filter(kind=SignalKind.REOPENED).first().delete()
    assert len(signals_verify()) == 1
    assert signals_rebuild()["signal_rows"] == 3
    assert signals_verify() == []
    assert not SignalPending.objects.exists()


def test_metrics_command_reports_and_repairs_signal_differences(org_tree: dict[str, Any]) -> None:
    make_order(
        unit=org_tree["village_a"],
        created=at(3),
        resolved_at=at(3, 12),
        reopen_count=2,
        callback=("solved", "satisfied"),
    )
    signals_refresh_pending()
    SignalCandidate.objects.all().delete()
    buf = StringIO()
    call_command("evaluation", "metrics", "--verify-only", "--json", stdout=buf)
    assert json.loads(buf.getvalue())["signal_differences"] == 1
    buf = StringIO()
    call_command("evaluation", "metrics", "--json", stdout=buf)
    out = json.loads(buf.getvalue())
    assert out["signal_differences"] == 0 and out["signal_rows"] == 1


def test_same_phone_counts_orders_within_one_month(org_tree: dict[str, Any]) -> None:
    a = org_tree["village_a"]
    for month in (3, 4):  # three orders in March and three in April: never five in a month
        for i in range(3):
            make_order(
                unit=a,
                created=at(3 + i, month=month),
                resolved_at=at(3 + i, 12, month=month),
                phone_hash="f" * 64,
                callback=("solved", "satisfied"),
            )
    _consistent()
    assert gaming_signals(scope=Scope.all(), period=parse("2026Q1"))["same_phone"] == []
    EvaluationSettings.objects.update_or_create(pk=1, defaults={"phone_many_orders": 3})
    groups = gaming_signals(scope=Scope.all(), period=parse("2026Q2"))["same_phone"]
    assert [(g["phone"], g["count"], g["month"].month) for g in groups] == [("ffffffff", 3, 4)]
    # one order rated twice is still one order
    Callback.objects.create(
        order=groups[0]["items"][0].order,
        channel="phone",
        resolved="solved",
        satisfaction="satisfied",
        phone_hash="f" * 64,
        answered_at=at(20, month=4),
        created_at=at(20, month=4),
    )
    groups = gaming_signals(scope=Scope.all(), period=parse("2026-04"))["same_phone"]
    assert [(g["count"], len(g["items"])) for g in groups] == [(3, 4)]


def test_fast_callback_minutes_applied_when_reading(org_tree: dict[str, Any]) -> None:
    a = org_tree["village_a"]
    for i in range(3):
        make_order(
            unit=a,
            created=at(3 + i),
            resolved_at=at(3 + i, 12),
            callback=("solved", "satisfied"),
            callback_after=timedelta(minutes=30),
        )
    assert gaming_signals(scope=Scope.all(), period=P)["fast"] == []
    EvaluationSettings.objects.update_or_create(pk=1, defaults={"fast_callback_minutes": 45})
    fast = gaming_signals(scope=Scope.all(), period=P)["fast"]
    assert [(g["unit"].pk, g["count"]) for g in fast] == [(a.pk, 3)]
    assert {gap for _cb, gap in fast[0]["items"]} == {30.0}


def test_settings_bounds_match_what_is_stored(db: Any) -> None:
    cfg = EvaluationSettings(fast_callback_minutes=61, phone_many_orders=1)
    with pytest.raises(ValidationError) as err:
        cfg.full_clean()
    assert set(err.value.message_dict) == {"fast_callback_minutes", "phone_many_orders"}


def test_sentiment_scores_each_distinct_text_once(
    org_tree: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from qingzhuang import textclass

    seen: list[list[str]] = []
    real = textclass.sentiment_scores

    def spy(texts: list[str]) -> Any:
        seen.append(list(texts))
        return real(texts)

    monkeypatch.setattr(textclass, "sentiment_scores", spy)
    for _ in range(3):
        make_order(
            unit=org_tree["village_a"],
            created=at(3),
            callback=("solved", "satisfied"),
            comment="问题还在，没有真正解决",
        )
    assert comment_sentiment_refresh() == 3
    assert seen == [["问题还在，没有真正解决"]]
    assert CommentSentiment.objects.count() == 3


def test_signals_follow_a_request_through_the_real_services(org_tree: dict[str, Any]) -> None:
    from django.utils import timezone

    from qingzhuang.evaluation.periods import parse as parse_period
    from qingzhuang.service_requests import services
    from qingzhuang.service_requests.tests.helpers import order_for, submit, walk_to

    admin, worker, a = org_tree["admin"], org_tree["worker_a"], org_tree["village_a"]
    order = walk_to(order_for(a, category="路灯"), "resolved", admin=admin, worker=worker)
    services.callback_record_phone(
        order=order,
        resolved="solved",
        satisfaction="satisfied",
        comment="根本没人来处理，敷衍了事，太失望了，非常差",
        acting_user=admin,
    )
    now = parse_period(timezone.localdate().strftime("%Y-%m"))
    signals = gaming_signals(scope=Scope.all(), period=now)
    assert [i["callback"].order_id for i in signals["contradictions"]["items"]] == [order.pk]
    assert signals["reopened"]["total"] == 0
    # the same resident reports the same problem again
    submit(a, category="路灯")
    signals = gaming_signals(scope=Scope.all(), period=now)
    assert [(i["order"].pk, i["later"] is not None) for i in signals["reopened"]["items"]] == [
        (order.pk, True)
    ]
    # a dispatcher reopens it instead: listed as reopened, no longer as a repeat
    services.work_order_reopen(order=order, reason="回访称未解决", acting_user=admin)
    signals = gaming_signals(scope=Scope.all(), period=now)
    assert [(i["order"].pk, i["later"]) for i in signals["reopened"]["items"]] == [(order.pk, None)]
    assert signals_verify() == []
    scoped = gaming_signals(scope=Scope.of_unit(org_tree["village_b"]), period=now)
    assert scoped["reopened"]["total"] == 0 and scoped["contradictions"]["items"] == []
