"""Every transition of the work-order state machine, allowed and forbidden."""

from __future__ import annotations

from typing import Any

import pytest

from qingzhuang.audit.models import AuditEntry
from qingzhuang.core.errors import InvalidInput, PermissionDenied
from qingzhuang.org.models import Department
from qingzhuang.service_requests import services
from qingzhuang.service_requests.models import WorkOrder, WorkOrderState
from qingzhuang.service_requests.tests.helpers import order_for, walk_to
from qingzhuang.service_requests.workflow import TRANSITIONS

ALL_STATES = [s.value for s in WorkOrderState]


def _do(action: str, order: WorkOrder, tree: dict[str, Any]) -> WorkOrder:
    admin, worker = tree["admin"], tree["worker_a"]
    if action == "dispatch":
        return services.work_order_dispatch(order=order, acting_user=admin)
    if action == "accept":
        return services.work_order_accept(order=order, acting_user=worker)
    if action == "start":
        return services.work_order_start(order=order, acting_user=worker)
    if action == "resolve":
        return services.work_order_resolve(order=order, note="已处理", acting_user=worker)
    if action == "return":
        return services.work_order_return(order=order, reason="不属于本村", acting_user=worker)
    if action == "escalate":
        return services.work_order_escalate(order=order, note="请加快", acting_user=admin)
    if action == "reopen":
        return services.work_order_reopen(order=order, reason="群众反映未解决", acting_user=admin)
    if action == "refer":
        dept, _ = Department.objects.get_or_create(name="测试县水利局")
        return services.work_order_refer(
            order=order, department=dept, reason="属县水利局职责", acting_user=admin
        )
    if action == "merge":
        other = order_for(tree["village_a"])
        return services.work_order_merge(order=order, into=other, acting_user=admin)
    if action == "callback":
        return services.callback_issue_link(order=order, acting_user=admin)[0].order
    if action == "close":
        return services.work_order_close(order=order, acting_user=admin)
    raise AssertionError(action)


CASES = [(a, s) for a in TRANSITIONS for s in ALL_STATES]


@pytest.mark.parametrize(("action", "state"), CASES)
def test_transition_table_is_enforced(org_tree: dict[str, Any], action: str, state: str) -> None:
    order = walk_to(
        order_for(org_tree["village_a"]),
        state,
        admin=org_tree["admin"],
        worker=org_tree["worker_a"],
    )
    assert order.state == state
    allowed, target = TRANSITIONS[action]
    events_before = order.events.count()
    audit_before = AuditEntry.objects.count()
    if state in allowed:
        _do(action, order, org_tree)
        order.refresh_from_db()
        assert order.state == (target or state)
        assert order.events.count() == events_before + 1
        assert AuditEntry.objects.count() > audit_before
    else:
        with pytest.raises(InvalidInput, match="不能"):
            _do(action, order, org_tree)
        order.refresh_from_db()
        assert order.state == state
        assert order.events.count() == events_before


def test_full_happy_path_records_timeline_with_actors(org_tree: dict[str, Any]) -> None:
    order = order_for(org_tree["village_a"])
    order = walk_to(order, "closed", admin=org_tree["admin"], worker=org_tree["worker_a"])
    actions = list(order.events.values_list("action", "actor__username"))
    assert [a for a, _ in actions] == [
        "submit",
        "dispatch",
        "accept",
        "start",
        "resolve",
        "callback",
        "close",
    ]
    assert ("accept", "worker_a") in actions
    assert order.accepted_at and order.resolved_at and order.closed_at


def test_return_needs_reason_and_goes_back_to_dispatcher(org_tree: dict[str, Any]) -> None:
    order = walk_to(
        order_for(org_tree["village_a"]),
        "dispatched",
        admin=org_tree["admin"],
        worker=org_tree["worker_a"],
    )
    with pytest.raises(InvalidInput, match="理由"):
        services.work_order_return(order=order, reason=" ", acting_user=org_tree["worker_a"])
    order = services.work_order_return(
        order=order, reason="应由镇执法中队办理", acting_user=org_tree["worker_a"]
    )
    assert order.state == WorkOrderState.RETURNED
    assert order.returned_count == 1
    assert order.assignee is None


def test_reopen_counts_and_resets_resolution_clock(org_tree: dict[str, Any]) -> None:
    order = walk_to(
        order_for(org_tree["village_a"]),
        "closed",
        admin=org_tree["admin"],
        worker=org_tree["worker_a"],
    )
    old_due = order.resolution_due_at
    order = services.work_order_reopen(
        order=order, reason="群众说没修好", acting_user=org_tree["admin"]
    )
    assert order.reopen_count == 1
    assert order.state == WorkOrderState.DISPATCHED
    assert order.resolution_due_at is not None and old_due is not None
    assert order.resolution_due_at >= old_due
    assert order.closed_at is None


def test_worker_of_other_village_cannot_act(org_tree: dict[str, Any]) -> None:
    order = walk_to(
        order_for(org_tree["village_a"]),
        "dispatched",
        admin=org_tree["admin"],
        worker=org_tree["worker_a"],
    )
    with pytest.raises(PermissionDenied):
        services.work_order_accept(order=order, acting_user=org_tree["worker_b"])
    order.refresh_from_db()
    assert order.state == WorkOrderState.DISPATCHED


def test_village_worker_cannot_dispatch(org_tree: dict[str, Any]) -> None:
    order = order_for(org_tree["village_a"])
    with pytest.raises(PermissionDenied):
        services.work_order_dispatch(order=order, acting_user=org_tree["worker_a"])


def test_escalate_keeps_state_and_counts(org_tree: dict[str, Any]) -> None:
    order = walk_to(
        order_for(org_tree["village_a"]),
        "accepted",
        admin=org_tree["admin"],
        worker=org_tree["worker_a"],
    )
    order = services.work_order_escalate(
        order=order, note="群众多次来电", acting_user=org_tree["admin"]
    )
    order = services.work_order_escalate(
        order=order, note="再次督办", acting_user=org_tree["admin"]
    )
    assert order.state == WorkOrderState.ACCEPTED
    assert order.escalated and order.escalation_count == 2


def test_merge_links_duplicate_and_excludes_from_scores(org_tree: dict[str, Any]) -> None:
    a = order_for(org_tree["village_a"])
    b = order_for(org_tree["village_a"])
    services.work_order_merge(order=b, into=a, acting_user=org_tree["admin"])
    b.refresh_from_db()
    assert b.state == WorkOrderState.MERGED and b.merged_into_id == a.pk
    assert b.request.duplicate_of_id == a.request_id
    assert set(WorkOrder.objects.scored().values_list("pk", flat=True)) == {a.pk}
    with pytest.raises(InvalidInput):
        services.work_order_merge(order=a, into=a, acting_user=org_tree["admin"])


def test_unreasonable_needs_another_reviewer_and_is_excluded_visibly(
    org_tree: dict[str, Any],
) -> None:
    order = order_for(org_tree["village_a"])
    admin = org_tree["admin"]
    with pytest.raises(InvalidInput):
        services.request_mark_unreasonable(order=order, reason="", acting_user=org_tree["worker_a"])
    services.request_mark_unreasonable(
        order=order,
        reason="要求村里报销私人装修费用，不属于公共事务",
        acting_user=org_tree["worker_a"],
    )
    order.refresh_from_db()
    assert order.unreasonable_status == "pending"
    assert order in WorkOrder.objects.scored()  # pending does not yet exclude
    # the requester cannot approve their own request
    services.request_mark_unreasonable  # noqa: B018
    order2 = order_for(org_tree["village_a"])
    services.request_mark_unreasonable(order=order2, reason="重复无理要求多次", acting_user=admin)
    with pytest.raises(PermissionDenied):
        services.request_unreasonable_review(order=order2, approve=True, acting_user=admin)
    services.request_unreasonable_review(order=order, approve=True, acting_user=admin)
    order.refresh_from_db()
    assert order.unreasonable_status == "approved"
    assert order.unreasonable_reviewed_by == admin
    assert order not in WorkOrder.objects.scored()
    assert order.events.filter(action="unreasonable_review").exists()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_timeline_and_public_status_speak_the_page_language(
    org_tree: dict[str, Any], language: str
) -> None:
    import re

    from django.utils import translation

    from qingzhuang.service_requests import selectors

    order = walk_to(
        order_for(org_tree["village_a"]),
        "closed",
        admin=org_tree["admin"],
        worker=org_tree["worker_a"],
    )
    with translation.override(language):
        status = selectors.public_status(tracking_code=order.request.tracking_code)
    labels = [e["label"] for e in status.events]
    assert labels
    han = [bool(re.search(r"[\u4e00-\u9fff]", label)) for label in labels]
    assert all(han) if language == "zh-hans" else not any(han)


# ---- callbacks: the resident's own answer is not overwritten ---------------------------------


def _resolved(org_tree: dict[str, Any]) -> WorkOrder:
    return walk_to(
        order_for(org_tree["village_a"]),
        "resolved",
        admin=org_tree["admin"],
        worker=org_tree["worker_a"],
    )


def test_phone_callback_refused_after_resident_answered_the_link(
    org_tree: dict[str, Any],
) -> None:
    from qingzhuang.core.errors import Conflict
    from qingzhuang.service_requests.models import Callback

    admin = org_tree["admin"]
    order = _resolved(org_tree)
    _cb, token = services.callback_issue_link(order=order, acting_user=admin)
    services.callback_answer(token=token, resolved="solved", satisfaction="dissatisfied")
    order.refresh_from_db()
    assert order.state == WorkOrderState.CALLBACK
    with pytest.raises(Conflict, match="群众已通过链接作答，不能再登记电话回访"):
        services.callback_record_phone(
            order=order, resolved="solved", satisfaction="satisfied", comment="", acting_user=admin
        )
    order.refresh_from_db()
    assert order.state == WorkOrderState.CALLBACK
    assert list(Callback.objects.filter(order=order).values_list("channel", flat=True)) == ["link"]


def test_phone_callback_allowed_again_after_reopen_and_new_resolution(
    org_tree: dict[str, Any],
) -> None:
    admin, worker = org_tree["admin"], org_tree["worker_a"]
    order = _resolved(org_tree)
    _cb, token = services.callback_issue_link(order=order, acting_user=admin)
    services.callback_answer(token=token, resolved="unsolved", satisfaction="dissatisfied")
    order.refresh_from_db()
    order = services.work_order_reopen(order=order, reason="群众说没修好", acting_user=admin)
    order = services.work_order_accept(order=order, acting_user=worker)
    order = services.work_order_resolve(order=order, note="换了新灯", acting_user=worker)
    services.callback_record_phone(
        order=order, resolved="solved", satisfaction="satisfied", comment="", acting_user=admin
    )
    order.refresh_from_db()
    assert order.state == WorkOrderState.CLOSED


def test_reopen_expires_the_open_callback_link(org_tree: dict[str, Any]) -> None:
    admin = org_tree["admin"]
    order = _resolved(org_tree)
    _cb, token = services.callback_issue_link(order=order, acting_user=admin)
    order.refresh_from_db()
    services.work_order_reopen(order=order, reason="群众来电说没修好", acting_user=admin)
    with pytest.raises(InvalidInput, match="过期"):
        services.callback_answer(token=token, resolved="solved", satisfaction="satisfied")


def test_satisfaction_metric_counts_the_residents_answer(org_tree: dict[str, Any]) -> None:
    """The QA case: 3 satisfied phone callbacks + 1 resident 不满意 must stay 75%, not 100%."""
    from django.utils import timezone

    from qingzhuang.core.errors import ApplicationError
    from qingzhuang.evaluation.aggregates import metrics_rebuild
    from qingzhuang.evaluation.periods import parse
    from qingzhuang.evaluation.selectors import request_metrics
    from qingzhuang.org.scope import Scope

    admin, worker = org_tree["admin"], org_tree["worker_a"]
    texts = ["村口路灯坏了三天", "三组垃圾桶满了没人清运", "学校门口早晚堵车严重", "河边护栏松动了"]
    orders = [
        walk_to(order_for(org_tree["village_a"], text=t), "resolved", admin=admin, worker=worker)
        for t in texts
    ]
    for order in orders[:3]:
        services.callback_record_phone(
            order=order, resolved="solved", satisfaction="satisfied", comment="", acting_user=admin
        )
    order = orders[3]
    _cb, token = services.callback_issue_link(order=order, acting_user=admin)
    services.callback_answer(token=token, resolved="solved", satisfaction="dissatisfied")
    order.refresh_from_db()
    with pytest.raises(ApplicationError, match="链接作答"):
        services.callback_record_phone(
            order=order, resolved="solved", satisfaction="satisfied", comment="", acting_user=admin
        )
    metrics_rebuild()
    month = timezone.localdate().strftime("%Y-%m")
    m = request_metrics(scope=Scope.all(), period=parse(month))[None]
    assert m["satisfaction_rate"]["value"] == pytest.approx(0.75)


# ---- free-text limits ----------------------------------------------------------------------


def test_overlong_resolution_note_is_refused_with_a_message(org_tree: dict[str, Any]) -> None:
    order = walk_to(
        order_for(org_tree["village_a"]),
        "in_progress",
        admin=org_tree["admin"],
        worker=org_tree["worker_a"],
    )
    with pytest.raises(InvalidInput, match="2000"):
        services.work_order_resolve(
            order=order, note="已修好。" * 5000, acting_user=org_tree["worker_a"]
        )
    order.refresh_from_db()
    assert order.state == WorkOrderState.IN_PROGRESS and order.resolution_note == ""
    services.work_order_resolve(order=order, note="好" * 2000, acting_user=org_tree["worker_a"])


@pytest.mark.parametrize("action", ["return", "escalate", "dispatch_note", "phone_callback"])
def test_other_notes_are_capped_too(org_tree: dict[str, Any], action: str) -> None:
    admin, worker = org_tree["admin"], org_tree["worker_a"]
    long = "字" * 2001
    if action == "return":
        order = walk_to(order_for(org_tree["village_a"]), "dispatched", admin=admin, worker=worker)
        call = lambda: services.work_order_return(order=order, reason=long, acting_user=worker)  # noqa: E731
    elif action == "escalate":
        order = order_for(org_tree["village_a"])
        call = lambda: services.work_order_escalate(order=order, note=long, acting_user=admin)  # noqa: E731
    elif action == "dispatch_note":
        order = order_for(org_tree["village_a"])
        call = lambda: services.work_order_dispatch(order=order, note=long, acting_user=admin)  # noqa: E731
    else:
        order = _resolved(org_tree)
        call = lambda: services.callback_record_phone(  # noqa: E731
            order=order,
            resolved="solved",
            satisfaction="satisfied",
            comment=long,
            acting_user=admin,
        )
    events = order.events.count()
    with pytest.raises(InvalidInput, match="2000"):
        call()
    assert order.events.count() == events


def test_no_new_link_once_the_resident_answered_this_round(org_tree: dict[str, Any]) -> None:
    """A second link would let someone else's answer replace the resident's, like a phone one."""
    from qingzhuang.core.errors import Conflict

    admin = org_tree["admin"]
    order = _resolved(org_tree)
    _cb, token = services.callback_issue_link(order=order, acting_user=admin)
    services.callback_answer(token=token, resolved="unsolved", satisfaction="dissatisfied")
    order.refresh_from_db()
    with pytest.raises(Conflict, match="群众已通过链接作答"):
        services.callback_issue_link(order=order, acting_user=admin)
    assert order.callbacks.count() == 1
