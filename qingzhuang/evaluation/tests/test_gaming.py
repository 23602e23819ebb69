"""Gaming signals on hand-built cases: each fires on the bad pattern and not on a normal one."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.test import Client

from qingzhuang.evaluation.gaming import gaming_signals
from qingzhuang.evaluation.periods import parse
from qingzhuang.evaluation.tests.helpers import at, make_order
from qingzhuang.org.scope import Scope, scope_for

P = parse("2026-03")


def test_satisfied_but_negative_comment_is_flagged(org_tree: dict[str, Any]) -> None:
    a = org_tree["village_a"]
    bad = make_order(
        unit=a,
        created=at(3),
        resolved_at=at(3, 12),
        callback=("solved", "satisfied"),
        comment="根本没人来处理，敷衍了事，太失望了，非常差",
    )
    make_order(
        unit=a,
        created=at(3),
        resolved_at=at(3, 12),
        callback=("solved", "satisfied"),
        comment="处理得很及时，工作人员态度很好，非常满意",
    )
    items = gaming_signals(scope=Scope.all(), period=P)["contradictions"]["items"]
    assert [i["callback"].order_id for i in items] == [bad.pk]
    assert items[0]["kind"] == "满意但评论负面"
    # the inspector sees which words of the comment made it read negative
    words = items[0]["words"]
    assert words and all(w in bad.callbacks.get().comment for w in words)


def test_instant_all_satisfied_callbacks_are_flagged_per_unit(org_tree: dict[str, Any]) -> None:
    a, b = org_tree["village_a"], org_tree["village_b"]
    for i in range(3):
        make_order(
            unit=a,
            created=at(3 + i),
            resolved_at=at(3 + i, 12),
            callback=("solved", "satisfied"),
            callback_after=timedelta(minutes=2),
        )
    for i in range(3):  # fast but not all satisfied: not the pattern
        make_order(
            unit=b,
            created=at(3 + i),
            resolved_at=at(3 + i, 12),
            callback=("solved", "satisfied" if i else "fairly"),
            callback_after=timedelta(minutes=2),
        )
    fast = gaming_signals(scope=Scope.all(), period=P)["fast"]
    assert [g["unit"].pk for g in fast] == [a.pk]
    assert fast[0]["count"] == 3


def test_same_phone_rating_many_orders(org_tree: dict[str, Any]) -> None:
    a = org_tree["village_a"]
    for i in range(5):
        make_order(
            unit=a,
            created=at(3 + i),
            resolved_at=at(3 + i, 12),
            phone_hash="f" * 64,
            callback=("solved", "satisfied"),
        )
    for i in range(4):
        make_order(
            unit=a,
            created=at(3 + i),
            resolved_at=at(3 + i, 12),
            phone_hash="e" * 64,
            callback=("solved", "satisfied"),
        )
    groups = gaming_signals(scope=Scope.all(), period=P)["same_phone"]
    assert [(g["phone"], g["count"]) for g in groups] == [("ffffffff", 5)]


def test_solved_then_reopened_or_reported_again(org_tree: dict[str, Any]) -> None:
    a = org_tree["village_a"]
    reopened = make_order(
        unit=a,
        created=at(3),
        resolved_at=at(3, 12),
        reopen_count=1,
        callback=("solved", "satisfied"),
    )
    first = make_order(
        unit=a,
        created=at(4),
        resolved_at=at(4, 12),
        phone_hash="a" * 64,
        category="路灯",
        callback=("solved", "satisfied"),
    )
    again = make_order(unit=a, created=at(20), phone_hash="a" * 64, category="路灯")
    make_order(
        unit=a,
        created=at(5),
        resolved_at=at(5, 12),
        phone_hash="b" * 64,
        category="路灯",
        callback=("solved", "satisfied"),
    )
    make_order(unit=a, created=at(6), phone_hash="b" * 64, category="垃圾")  # other problem: fine
    make_order(
        unit=a,
        created=at(7),
        resolved_at=at(7, 12),
        phone_hash="c" * 64,
        category="路灯",
        callback=("solved", "satisfied"),
    )
    make_order(unit=a, created=at(7) + timedelta(days=31), phone_hash="c" * 64, category="路灯")
    signals = gaming_signals(scope=Scope.all(), period=P)["reopened"]
    items = signals["items"]
    assert signals["total"] == 2
    assert {i["order"].pk for i in items} == {reopened.pk, first.pk}
    assert [i["later"] for i in items if i["order"].pk == first.pk] == [again.request]


def test_signals_page_scoped(client: Client, org_tree: dict[str, Any]) -> None:
    for unit in (org_tree["village_a"], org_tree["village_b"]):
        make_order(
            unit=unit,
            created=at(3),
            resolved_at=at(3, 12),
            reopen_count=1,
            callback=("solved", "satisfied"),
        )
    assert client.login(username="worker_a", password=org_tree["password"])
    r = client.get("/evaluation/signals/?period=2026-03")
    assert r.status_code == 200
    html = r.content.decode()
    assert "东村" in html and "西村" not in html
    data = gaming_signals(scope=scope_for(org_tree["worker_a"]), period=P)
    assert len(data["reopened"]["items"]) == data["reopened"]["total"] == 1
