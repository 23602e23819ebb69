"""The log page speaks plain words: every action code has a label, every actor a name."""

from __future__ import annotations

import ast
import itertools
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from qingzhuang.audit import labels
from qingzhuang.audit.services import audit_record
from qingzhuang.org.tests.factories import UserFactory

SOURCES = Path(__file__).resolve().parents[2]  # the qingzhuang package


def _work_order_actions() -> list[str]:
    from qingzhuang.service_requests.workflow import TRANSITIONS

    return list(TRANSITIONS)


# An action built from a variable (f"prefix.{action}") cannot be read from the source alone:
# say here where its values come from. A new such call fails the lint test until it is added.
DYNAMIC: dict[str, Callable[[], list[str]]] = {
    "service_requests.work_order.{}": _work_order_actions,
}


def _values(node: ast.expr) -> list[str] | None:
    """Every string an expression can give, or None when part of it is a variable."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        a, b = _values(node.body), _values(node.orelse)
        return None if a is None or b is None else a + b
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        a, b = _values(node.left), _values(node.right)
        return None if a is None or b is None else [x + y for x in a for y in b]
    if isinstance(node, ast.JoinedStr):
        parts: list[list[str]] = []
        for value in node.values:
            inner = _values(value.value if isinstance(value, ast.FormattedValue) else value)
            if inner is None:
                return None
            parts.append(inner)
        return ["".join(p) for p in itertools.product(*parts)]
    return None


def _pattern(node: ast.expr) -> str:
    """f"a.{x}" -> "a.{}", the key of DYNAMIC."""
    if isinstance(node, ast.JoinedStr):
        return "".join(
            "{}" if isinstance(v, ast.FormattedValue) else str(getattr(v, "value", ""))
            for v in node.values
        )
    return ast.unparse(node)


def _audit_calls() -> Iterator[tuple[str, ast.Call]]:
    for path in sorted(SOURCES.rglob("*.py")):
        if {"tests", "migrations"} & set(path.parts):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if name == "audit_record":
                yield f"{path.relative_to(SOURCES)}:{node.lineno}", node


def _codes_in_use() -> tuple[set[str], list[str]]:
    codes: set[str] = set()
    problems: list[str] = []
    for where, call in _audit_calls():
        action = next((k.value for k in call.keywords if k.arg == "action"), None)
        if action is None:
            problems.append(f"{where}: audit_record without action=")
            continue
        values = _values(action)
        if values is None:
            pattern = _pattern(action)
            if pattern not in DYNAMIC:
                problems.append(f"{where}: cannot tell the codes of {pattern}; add it to DYNAMIC")
                continue
            values = [pattern.format(v) for v in DYNAMIC[pattern]()]
        codes.update(values)
    return codes, problems


def test_the_source_scan_finds_the_audit_calls() -> None:
    """Guards the lint test below: a scanner that finds nothing would pass it."""
    codes, problems = _codes_in_use()
    assert problems == []
    assert {
        "org.user.create",
        "burden.finding.add",
        "evaluation.settings.update",
        "evaluation.scheme.create",
        "evaluation.scheme.update",
        "duties.work_item.update",
        "service_requests.work_order.dispatch",
    } <= codes


def test_every_action_code_in_the_code_base_has_a_label() -> None:
    codes, _ = _codes_in_use()
    missing = sorted(c for c in codes if c not in labels.ACTION_LABELS)
    assert missing == [], "add a label in qingzhuang/audit/labels.py for: " + ", ".join(missing)


def test_unknown_code_falls_back_to_itself() -> None:
    assert labels.action_label("nobody.knows.this") == "nobody.knows.this"
    assert labels.action_label("org.user.create") != "org.user.create"


def _entries_by(users: list[Any], action: str) -> None:
    for user in users:
        audit_record(actor=user, action=action, object_type="x.Y", object_repr="对象")


def test_log_page_shows_labels_and_display_names_in_a_fixed_number_of_queries(
    client: Client, org_tree: dict[str, Any], django_assert_num_queries: Any
) -> None:
    town = org_tree["town"]
    client.force_login(org_tree["admin"])
    url = reverse("audit:entries")
    _entries_by(
        [UserFactory(username="solo", display_name="独行侠", org_unit=town)],
        "duties.feedback.answer",
    )
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    many = [
        UserFactory(username=f"clerk{i}", display_name=f"办事员{i}号", org_unit=town)
        for i in range(12)
    ]
    _entries_by(many, "org.user.create")
    audit_record(actor="anonymous", action="duties.feedback.submit", object_repr="匿名")
    with django_assert_num_queries(len(few.captured_queries)):
        body = client.get(url).content.decode()
    actors = set(re.findall(r'<td class="actor"[^>]*>([^<]*)</td>', body))
    actions = set(re.findall(r'<td class="action"[^>]*>([^<]*)</td>', body))
    assert {u.display_name for u in many} | {"独行侠"} <= actors
    assert not {u.username for u in many} & actors
    assert "anonymous" not in actors and str(labels.actor_label(None, "anonymous")) in actors
    assert labels.action_label("org.user.create") in actions
    assert not {"org.user.create", "duties.feedback.answer", "duties.feedback.submit"} & actions


def test_labels_go_through_the_translation_catalogue(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(translation._trans, "gettext", lambda m: f"«{m}»", raising=False)
    for code in labels.ACTION_LABELS:
        text = str(labels.action_label(code))
        assert text.startswith("«") and text.endswith("»"), code
    assert str(labels.actor_label(None, "anonymous")).startswith("«")


def test_filter_finds_entries_by_their_label(client: Client, org_tree: dict[str, Any]) -> None:
    client.force_login(org_tree["admin"])
    label = str(labels.action_label("org.unit.create"))
    body = client.get(reverse("audit:entries"), {"action": label}).content.decode()
    assert org_tree["village_a"].name in body  # org.unit.create entries
    assert "worker_a" not in body  # an org.user.create entry
    assert client.get(reverse("audit:entries"), {"action": "org.unit."}).status_code == 200
