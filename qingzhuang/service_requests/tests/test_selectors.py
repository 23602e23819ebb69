"""Reads: hotspots, overdue counts, the public status and the masking of personal data."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from qingzhuang.org.scope import Scope
from qingzhuang.service_requests import selectors, services
from qingzhuang.service_requests.models import WorkOrder
from qingzhuang.service_requests.tests.helpers import order_for, submit, walk_to

# ---- hotspots leave praise out -------------------------------------------------------------


def test_hotspots_leave_out_praise_by_category_and_by_type(org_tree: dict[str, Any]) -> None:
    a = org_tree["village_a"]
    for i in range(4):
        submit(a, text=f"感谢村里修好了路灯，给你们点赞，第{i}次表扬", category="表扬")
        submit(
            a,
            text=f"表扬网格员{i}号，帮老人送医，非常负责",
            request_type="praise",
            category="邻里纠纷",
        )
        submit(a, text=f"网格员{i}号很负责，谢谢", request_type="praise", category="环境卫生")
        submit(a, text=f"三组路口的路灯又坏了第{i}次，晚上很黑", category="道路交通")
    spots = selectors.hotspots(scope=Scope.all())
    assert [(h.category, h.count) for h in spots] == [("道路交通", 4)]


def test_text_hotspots_leave_out_praise(org_tree: dict[str, Any]) -> None:
    praise = "感谢村里及时修好了村口的路灯，办事效率很高，给你们点赞！"
    units = (org_tree["village_a"], org_tree["village_b"], org_tree["village_a"])
    for i, unit in enumerate(units):
        submit(unit, text=praise, request_type="praise", resident_phone=f"1380000000{i}")
        submit(
            unit,
            text=praise.replace("感谢", "谢谢"),
            category="表扬",
            resident_phone=f"1390000000{i}",
        )
    complaint = "幸福路12号门口的路灯坏了三天了，晚上一片漆黑，老人出门很危险，请尽快维修"
    for i, unit in enumerate((org_tree["village_a"], org_tree["village_b"], org_tree["village_b"])):
        submit(unit, text=complaint, category="道路交通", resident_phone=f"1370000000{i}")
    labels = [h.category for h in selectors.text_hotspots(scope=Scope.all())]
    assert labels == ["道路交通（内容相近）"]


# ---- overdue is computed from the deadlines at read time -----------------------------------


def test_overdue_counts_and_filter_follow_deadlines_without_a_scan(
    org_tree: dict[str, Any],
) -> None:
    a = org_tree["village_a"]
    now = timezone.now()
    late_response = order_for(a, created_at=now - dt.timedelta(days=20))  # never accepted
    late_resolution = walk_to(
        order_for(a, created_at=now - dt.timedelta(days=40)),
        "accepted",
        admin=org_tree["admin"],
        worker=org_tree["worker_a"],
    )
    WorkOrder.objects.filter(pk=late_resolution.pk).update(
        response_due_at=now + dt.timedelta(days=1), overdue_response=False
    )
    on_time = order_for(a)
    done_late = walk_to(
        order_for(a, created_at=now - dt.timedelta(days=40)),
        "closed",
        admin=org_tree["admin"],
        worker=org_tree["worker_a"],
    )
    WorkOrder.objects.update(overdue_response=False, overdue_resolution=False)  # no scan ran
    scope = Scope.all()
    assert selectors.inbox_counts(scope=scope)["overdue"] == 2
    got = set(
        selectors.work_orders(scope=scope, state="open", overdue=True).values_list("pk", flat=True)
    )
    assert got == {late_response.pk, late_resolution.pk}
    assert on_time.pk not in got and done_late.pk not in got
    flagged = {o.pk: o.is_overdue for o in selectors.work_orders(scope=scope, state="")}
    assert flagged[late_response.pk] and flagged[late_resolution.pk]
    assert not flagged[on_time.pk]


# ---- a reopened order does not show its old result as the current one ----------------------


def test_public_status_of_reopened_order_labels_the_old_result(org_tree: dict[str, Any]) -> None:
    order = walk_to(
        order_for(org_tree["village_a"]),
        "closed",
        admin=org_tree["admin"],
        worker=org_tree["worker_a"],
    )
    code = order.request.tracking_code
    assert selectors.public_status(tracking_code=code).resolution_note == "已更换灯泡"
    services.work_order_reopen(order=order, reason="群众说又坏了", acting_user=org_tree["admin"])
    status = selectors.public_status(tracking_code=code)
    assert status.state == "dispatched"
    assert status.resolution_note == ""
    assert status.previous_resolution_note == "已更换灯泡"


# ---- masking personal data in free text ----------------------------------------------------


def test_masking_reuses_the_shared_privacy_function() -> None:
    from qingzhuang.core.privacy import redact

    text = "我电话13812345678 身份证420101199001011234"
    masked = selectors.mask_personal_text(text)
    assert masked == redact(text)
    assert "13812345678" not in masked and "420101199001011234" not in masked


@pytest.mark.parametrize(("personal", "shown"), [(True, True), (False, False)])
def test_text_for_user_masks_only_without_personal_data_rights(
    org_tree: dict[str, Any], personal: bool, shown: bool
) -> None:
    from qingzhuang.org.models import Role
    from qingzhuang.org.tests.factories import UserFactory

    user = (
        org_tree["admin"]
        if personal
        else UserFactory(role=Role.DEPARTMENT_STAFF, org_unit=org_tree["town"])
    )
    mask = selectors.personal_text_for(user)
    assert ("13812345678" in mask("电话13812345678")) is shown


def test_inbox_counts_by_state_within_scope(org_tree: dict[str, Any]) -> None:
    a, b = org_tree["village_a"], org_tree["village_b"]
    states = ["received", "returned", "dispatched", "in_progress", "resolved", "callback"]
    states += ["closed", "closed"]
    for state in states:
        WorkOrder.objects.filter(pk=order_for(a).pk).update(state=state)
    WorkOrder.objects.filter(pk=order_for(b).pk).update(state="received")
    counts = selectors.inbox_counts(scope=Scope.of_unit(a))
    assert (counts["open"], counts["received"], counts["callback"]) == (4, 2, 2)
    assert selectors.inbox_counts(scope=Scope.all())["received"] == 3
