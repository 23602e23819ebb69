"""Intake, SLA clocks, callbacks, duty-list routing and duplicate linking."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from qingzhuang.audit.models import AuditEntry
from qingzhuang.core.errors import Conflict, InvalidInput, NotFound
from qingzhuang.org.models import Department
from qingzhuang.service_requests import services, workflow
from qingzhuang.service_requests.models import (
    TRACKING_ALPHABET,
    Attachment,
    Callback,
    ServiceRequest,
    SlaPolicy,
    WorkOrder,
    WorkOrderState,
)
from qingzhuang.service_requests.sla import add_working_days
from qingzhuang.service_requests.tests.helpers import PNG_BYTES, order_for, submit, walk_to

SH = ZoneInfo("Asia/Shanghai")


# ---- SLA across Spring Festival 2026 ------------------------------------------------------


def test_working_days_skip_spring_festival_and_count_makeup_saturday() -> None:
    # Fri 13 Feb 2026; Sat 14 Feb is a make-up workday; 15–23 Feb are the holiday.
    start = dt.datetime(2026, 2, 13, 10, 0, tzinfo=SH)
    assert timezone.localtime(add_working_days(start, 1)).date() == dt.date(2026, 2, 14)
    assert timezone.localtime(add_working_days(start, 2)).date() == dt.date(2026, 2, 24)
    assert timezone.localtime(add_working_days(start, 5)).date() == dt.date(2026, 2, 27)


def test_request_made_during_holiday_starts_clock_after_it() -> None:
    start = dt.datetime(2026, 2, 17, 9, 0, tzinfo=SH)  # 初一
    assert timezone.localtime(add_working_days(start, 1)).date() == dt.date(2026, 2, 24)


def test_work_order_deadlines_follow_sla_table_across_holiday(org_tree: dict[str, Any]) -> None:
    SlaPolicy.objects.filter(request_type="complaint").update(response_days=1, resolution_days=3)
    workflow.sla_cache_clear()
    created = dt.datetime(2026, 2, 13, 16, 0, tzinfo=SH)
    order = order_for(org_tree["village_a"], created_at=created)
    assert timezone.localtime(order.response_due_at).date() == dt.date(2026, 2, 14)
    assert timezone.localtime(order.resolution_due_at).date() == dt.date(2026, 2, 25)


def test_sla_scan_flags_overdue_and_reminds_once(org_tree: dict[str, Any]) -> None:
    created = dt.datetime(2026, 3, 2, 9, 0, tzinfo=SH)  # Monday
    late = order_for(org_tree["village_a"], created_at=created)
    fresh = order_for(org_tree["village_a"], created_at=dt.datetime(2026, 3, 20, 9, 0, tzinfo=SH))
    now = dt.datetime(2026, 3, 23, 10, 0, tzinfo=SH)
    result = services.sla_scan(now=now)
    late.refresh_from_db()
    fresh.refresh_from_db()
    assert late.overdue_response and late.overdue_resolution
    assert not fresh.overdue_resolution
    assert result["overdue_resolution"] == 1
    assert late.events.filter(action="overdue").count() == 1
    again = services.sla_scan(now=now)
    assert again["overdue_resolution"] == 0
    assert late.events.filter(action="overdue").count() == 1


# ---- intake -----------------------------------------------------------------------------


def test_submit_creates_request_order_event_and_audit(org_tree: dict[str, Any]) -> None:
    audit_before = AuditEntry.objects.count()
    result = submit(org_tree["village_a"])
    assert result.created
    r = result.request
    assert len(r.tracking_code) == 8 and set(r.tracking_code) <= set(TRACKING_ALPHABET)
    order = r.work_order
    assert order.state == WorkOrderState.RECEIVED
    assert order.org_unit == org_tree["village_a"]
    assert order.events.get().action == "submit"
    entry = AuditEntry.objects.filter(action="service_requests.request.submit").last()
    assert entry is not None and AuditEntry.objects.count() == audit_before + 1
    assert "13812345678" not in str(entry.after) and "420102" not in str(entry.after)


def test_retry_with_same_client_key_returns_the_first_request(org_tree: dict[str, Any]) -> None:
    first = submit(org_tree["village_a"], idempotency_key="abc-123")
    second = submit(org_tree["village_a"], idempotency_key="abc-123", text="内容不同也算同一次提交")
    assert first.created and not second.created
    assert second.request.pk == first.request.pk
    assert ServiceRequest.objects.count() == 1 and WorkOrder.objects.count() == 1


def test_same_text_phone_and_day_without_key_is_one_request(org_tree: dict[str, Any]) -> None:
    text = "河东组的自来水三天没有来了，请尽快处理"
    a = submit(org_tree["village_a"], text=text)
    b = submit(org_tree["village_a"], text=text)
    assert b.request.pk == a.request.pk and not b.created
    assert ServiceRequest.objects.count() == 1


def test_near_duplicate_is_linked_not_counted_twice(org_tree: dict[str, Any]) -> None:
    a = submit(
        org_tree["village_a"], text="村东头垃圾桶满了好几天没人清运，臭味很大", resident_phone=""
    )
    b = submit(
        org_tree["village_a"],
        text="村东头垃圾桶满了好几天没有人清运，臭味很大！",
        resident_phone="13900000000",
    )
    c = submit(org_tree["village_b"], text="村东头垃圾桶满了好几天没有人清运，臭味很大！")
    assert b.request.duplicate_of_id == a.request.pk
    assert c.request.duplicate_of_id is None  # another village: not the same problem
    assert ServiceRequest.objects.counted().count() == 2


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"text": "坏了"}, "至少5个字"),
        ({"request_type": "rant"}, "类型"),
        ({"resident_phone": "12"}, "电话"),
    ],
)
def test_invalid_submissions_are_refused_in_chinese(
    org_tree: dict[str, Any], kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        submit(org_tree["village_a"], **kwargs)
    assert ServiceRequest.objects.count() == 0


def test_photo_checked_by_content_not_name(org_tree: dict[str, Any]) -> None:
    ok = submit(org_tree["village_a"], photos=[services.Upload("a.png", PNG_BYTES)])
    att = Attachment.objects.get(request=ok.request)
    assert att.content_type == "image/png" and att.size == len(PNG_BYTES)
    with pytest.raises(InvalidInput, match="不是照片"):
        submit(
            org_tree["village_a"],
            photos=[services.Upload("evil.jpg", b"<script>alert(1)</script>")],
        )
    with pytest.raises(InvalidInput, match="8MB"):
        big = b"\xff\xd8\xff" + b"0" * (services.MAX_PHOTO_BYTES + 1)
        submit(org_tree["village_a"], photos=[services.Upload("big.jpg", big)])
    assert ServiceRequest.objects.count() == 1


# ---- duty list routing --------------------------------------------------------------------


def test_duty_rule_routes_to_lead_unit_with_assisting(org_tree: dict[str, Any]) -> None:
    services.duty_rule_save(
        acting_user=org_tree["admin"],
        category="道路交通",
        lead_unit=org_tree["town"],
        lead_office="镇村建办",
        assisting_units=[org_tree["village_a"]],
    )
    order = order_for(org_tree["village_a"], category="道路交通")
    assert order.org_unit == org_tree["town"]
    assert order.lead_office == "镇村建办"
    assert list(order.assisting_units.all()) == [org_tree["village_a"]]


def test_area_rule_beats_everywhere_rule(org_tree: dict[str, Any]) -> None:
    services.duty_rule_save(acting_user="test", category="环境卫生")  # lead = the village itself
    services.duty_rule_save(
        acting_user="test",
        category="环境卫生",
        area=org_tree["village_b"],
        lead_unit=org_tree["town"],
    )
    assert order_for(org_tree["village_a"], category="环境卫生").org_unit == org_tree["village_a"]
    assert order_for(org_tree["village_b"], category="环境卫生").org_unit == org_tree["town"]


def test_county_matter_is_referred_up_not_pushed_down(org_tree: dict[str, Any]) -> None:
    dept = Department.objects.create(name="测试县人社局")
    services.duty_rule_save(
        acting_user="test",
        category="社保医保",
        referred_up=True,
        department=dept,
        reason="养老保险待遇核定属县人社局",
    )
    order = order_for(org_tree["village_a"], category="社保医保")
    assert order.referred_up and order.referred_department == dept
    assert order.org_unit == org_tree["town"]
    with pytest.raises(InvalidInput):
        services.duty_rule_save(
            acting_user="test", category="户籍", referred_up=True, department=None
        )


def test_recategorise_marks_override(org_tree: dict[str, Any]) -> None:
    r = submit(org_tree["village_a"]).request
    services.request_recategorise(request=r, category="城乡建设", acting_user=org_tree["admin"])
    r.refresh_from_db()
    assert r.category == "城乡建设" and r.category_overridden


# ---- callbacks ------------------------------------------------------------------------------


def _resolved(tree: dict[str, Any]) -> WorkOrder:
    return walk_to(
        order_for(tree["village_a"]), "resolved", admin=tree["admin"], worker=tree["worker_a"]
    )


def test_callback_link_answers_once_and_closes_when_satisfied(org_tree: dict[str, Any]) -> None:
    order = _resolved(org_tree)
    cb, token = services.callback_issue_link(order=order, acting_user=org_tree["admin"])
    assert cb.token_hash and token not in (cb.token_hash or "")
    services.callback_answer(
        token=token, resolved="solved", satisfaction="satisfied", comment="谢谢"
    )
    order.refresh_from_db()
    assert order.state == WorkOrderState.CLOSED
    cb.refresh_from_db()
    assert cb.resolved == "solved" and cb.answered_at is not None
    assert cb.phone_hash == order.request.phone_hash != ""
    with pytest.raises(Conflict, match="用过"):
        services.callback_answer(token=token, resolved="unsolved", satisfaction="dissatisfied")
    cb.refresh_from_db()
    assert cb.satisfaction == "satisfied"


def test_expired_callback_link_is_refused(org_tree: dict[str, Any]) -> None:
    order = _resolved(org_tree)
    cb, token = services.callback_issue_link(order=order, acting_user=org_tree["admin"])
    Callback.objects.filter(pk=cb.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    with pytest.raises(InvalidInput, match="过期"):
        services.callback_answer(token=token, resolved="solved", satisfaction="satisfied")
    cb.refresh_from_db()
    assert cb.answered_at is None


def test_new_link_expires_older_link(org_tree: dict[str, Any]) -> None:
    order = _resolved(org_tree)
    _, old = services.callback_issue_link(order=order, acting_user=org_tree["admin"])
    _, new = services.callback_issue_link(order=order, acting_user=org_tree["admin"])
    with pytest.raises(InvalidInput, match="过期"):
        services.callback_answer(token=old, resolved="solved", satisfaction="satisfied")
    services.callback_answer(token=new, resolved="solved", satisfaction="fairly")


def test_unknown_link_is_not_found(org_tree: dict[str, Any]) -> None:
    with pytest.raises(NotFound):
        services.callback_answer(token="nope", resolved="solved", satisfaction="satisfied")


def test_dissatisfied_callback_keeps_order_open_for_reopen(org_tree: dict[str, Any]) -> None:
    order = _resolved(org_tree)
    services.callback_record_phone(
        order=order,
        resolved="unsolved",
        satisfaction="dissatisfied",
        comment="还是漏水",
        acting_user=org_tree["admin"],
    )
    order.refresh_from_db()
    assert order.state == WorkOrderState.CALLBACK
    assert order.callbacks.get().channel == "phone"
    order = services.work_order_reopen(
        order=order, reason="回访不满意", acting_user=org_tree["admin"]
    )
    assert order.state == WorkOrderState.DISPATCHED and order.reopen_count == 1
