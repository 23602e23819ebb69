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
from qingzhuang.service_requests import services, sla
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


# ---- years the holiday calendar does not cover yet -----------------------------------------


def test_new_years_eve_2026_plus_one_working_day_is_not_new_years_day() -> None:
    # Fri 1 Jan 2027 is 元旦 whether or not the installed calendar knows 2027 yet.
    start = dt.datetime(2026, 12, 31, 16, 30, tzinfo=SH)
    assert timezone.localtime(add_working_days(start, 1)).date() == dt.date(2027, 1, 4)
    # 16:30 UTC on 31 Dec is already New Year's Day in Shanghai, still due on the 4th
    utc = dt.datetime(2026, 12, 31, 16, 30, tzinfo=dt.UTC)
    assert timezone.localtime(add_working_days(utc, 1)).date() == dt.date(2027, 1, 4)


@pytest.mark.usefixtures("calendar_ends_2026")
def test_fixed_date_holidays_are_days_off_in_a_year_without_a_calendar() -> None:
    # weekdays only: 元旦, 清明 (the solar term), 劳动节 1–2 May, 国庆节 1–3 Oct
    off = [dt.date(2027, 1, 1), dt.date(2027, 4, 5), dt.date(2027, 10, 1), dt.date(2028, 4, 4)]
    off += [dt.date(2028, 5, 1), dt.date(2028, 5, 2), dt.date(2028, 10, 2), dt.date(2028, 10, 3)]
    assert [d for d in off if sla.is_workday(d)] == []
    assert sla.is_workday(dt.date(2027, 1, 4)) and sla.is_workday(dt.date(2028, 10, 4))
    assert not sla.is_workday(dt.date(2027, 1, 2))  # a Saturday
    start = dt.datetime(2027, 9, 30, 10, 0, tzinfo=SH)  # Thursday; Fri 1 Oct is 国庆节
    assert timezone.localtime(add_working_days(start, 1)).date() == dt.date(2027, 10, 4)


def test_no_warning_while_the_installed_calendar_covers_the_deadlines(
    org_tree: dict[str, Any],
) -> None:
    march_2025 = dt.datetime(2025, 3, 3, 9, 0, tzinfo=SH)
    assert sla.holiday_calendar_missing(now=march_2025) == []
    assert sla.holiday_calendar_warning(now=march_2025) == ""


@pytest.mark.usefixtures("calendar_ends_2026")
def test_admins_are_warned_when_deadlines_reach_a_year_without_a_calendar(
    org_tree: dict[str, Any],
) -> None:
    assert sla.holiday_calendar_missing(now=dt.datetime(2026, 6, 1, 9, 0, tzinfo=SH)) == []
    december = dt.datetime(2026, 12, 20, 9, 0, tzinfo=SH)
    assert sla.holiday_calendar_missing(now=december) == [2027]
    warning = sla.holiday_calendar_warning(now=december)
    assert "2027" in warning and "周一至周五" in warning and "春节" in warning
    # a long resolution limit reaches the next year sooner
    SlaPolicy.objects.filter(request_type="complaint").update(resolution_days=120)
    assert sla.holiday_calendar_missing(now=dt.datetime(2026, 9, 1, 9, 0, tzinfo=SH)) == [2027]


def test_work_order_deadlines_follow_sla_table_across_holiday(org_tree: dict[str, Any]) -> None:
    SlaPolicy.objects.filter(request_type="complaint").update(response_days=1, resolution_days=3)
    sla.sla_cache_clear()
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
        new_category=True,
        lead_unit=org_tree["town"],
        lead_office="镇村建办",
        assisting_units=[org_tree["village_a"]],
    )
    order = order_for(org_tree["village_a"], category="道路交通")
    assert order.org_unit == org_tree["town"]
    assert order.lead_office == "镇村建办"
    assert list(order.assisting_units.all()) == [org_tree["village_a"]]


def test_area_rule_beats_everywhere_rule(org_tree: dict[str, Any]) -> None:
    services.duty_rule_save(
        acting_user="test", category="环境卫生", new_category=True
    )  # the village
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
        new_category=True,
        referred_up=True,
        department=dept,
        reason="养老保险待遇核定属县人社局",
    )
    order = order_for(org_tree["village_a"], category="社保医保")
    assert order.referred_up and order.referred_department == dept
    assert order.org_unit == org_tree["town"]
    with pytest.raises(InvalidInput):
        services.duty_rule_save(
            acting_user="test",
            category="户籍",
            referred_up=True,
            department=None,
            new_category=True,
        )


def test_recategorise_marks_override(org_tree: dict[str, Any]) -> None:
    services.duty_rule_save(acting_user="test", category="城乡建设", new_category=True)
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


# ---- phone numbers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("13812345678", "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("0086-13812345678", "13812345678"),
        ("０７１２－１２３４５６７", "0712-1234567"),
        ("0712-1234567", "0712-1234567"),
        ("07121234567", "0712-1234567"),
        ("010-12345678", "010-12345678"),
        ("(027) 8765 4321", "027-87654321"),
        ("0712-1234567-801", "0712-1234567转801"),
        ("0712-1234567转801", "0712-1234567转801"),
    ],
)
def test_phone_numbers_are_accepted_and_stored_normalised(
    org_tree: dict[str, Any], raw: str, stored: str
) -> None:
    r = submit(org_tree["village_a"], resident_phone=raw).request
    assert r.resident_phone == stored
    if stored.startswith("1"):
        assert r.phone_hash == submit(org_tree["village_b"]).request.phone_hash


@pytest.mark.parametrize(
    "raw",
    ["1381234567", "138123456789", "12812345678", "abc123", "1381234567a", "12345", "712-1234567"],
)
def test_bad_phone_numbers_are_refused_with_the_expected_forms(
    org_tree: dict[str, Any], raw: str
) -> None:
    with pytest.raises(InvalidInput, match="13812345678.*0712-1234567"):
        submit(org_tree["village_a"], resident_phone=raw)
    assert ServiceRequest.objects.count() == 0


def test_twelve_three_four_five_import_reports_bad_phone_by_row(org_tree: dict[str, Any]) -> None:
    from qingzhuang.service_requests import importer

    rows = [
        {"诉求内容": "东村小学门口早晚堵车严重", "来电号码": "13812345678"},
        {"诉求内容": "咨询高龄津贴怎么申请", "来电号码": "1381234567"},
    ]
    with pytest.raises(InvalidInput, match="第3行.*来电号码"):
        importer.requests_import(
            rows=rows,
            mapping={"text": "诉求内容", "phone": "来电号码"},
            default_unit=org_tree["village_a"],
            units=[org_tree["village_a"]],
            actor="test",
        )
    assert ServiceRequest.objects.count() == 0


# ---- categories: chosen from the known list ------------------------------------------------


def test_recategorise_refuses_unknown_category(org_tree: dict[str, Any]) -> None:
    services.duty_rule_save(acting_user="test", category="道路交通", new_category=True)
    r = submit(org_tree["village_a"], category="道路交通").request
    with pytest.raises(InvalidInput, match="道路交同"):
        services.request_recategorise(request=r, category="道路交同", acting_user=org_tree["admin"])
    r.refresh_from_db()
    assert r.category == "道路交通" and not r.category_overridden


def test_known_categories_come_from_duty_list_and_model(org_tree: dict[str, Any]) -> None:
    from qingzhuang.service_requests import selectors

    services.duty_rule_save(acting_user="test", category="道路交通", new_category=True)
    services.duty_rule_save(acting_user="test", category="表扬", new_category=True)
    submit(org_tree["village_a"], category="错别字分类")  # a stray value is not a known category
    assert selectors.known_categories() == ["表扬", "道路交通"]


def test_duty_rule_for_unknown_category_needs_explicit_new_category(
    org_tree: dict[str, Any],
) -> None:
    from qingzhuang.service_requests.models import DutyRule

    with pytest.raises(InvalidInput, match="新分类"):
        services.duty_rule_save(acting_user="test", category="道路交通")
    with pytest.raises(InvalidInput, match="汉字"):
        services.duty_rule_save(
            acting_user="test", category="<script>alert(1)</script>", new_category=True
        )
    assert DutyRule.objects.count() == 0
    services.duty_rule_save(acting_user="test", category="道路交通", new_category=True)
    assert DutyRule.objects.count() == 1


def test_duty_rule_replacement_needs_confirmation_and_keeps_reason(
    org_tree: dict[str, Any],
) -> None:
    from qingzhuang.service_requests.models import DutyRule

    dept = Department.objects.create(name="测试县卫健局")
    services.duty_rule_save(
        acting_user="test",
        category="医疗卫生",
        referred_up=True,
        department=dept,
        reason="乡村医生执业属县卫健局",
        new_category=True,
    )
    with pytest.raises(Conflict, match="已有规则"):
        services.duty_rule_save(
            acting_user=org_tree["admin"], category="医疗卫生", lead_office="村卫生室"
        )
    rule = DutyRule.objects.get()
    assert rule.referred_up and rule.reason == "乡村医生执业属县卫健局"
    services.duty_rule_save(
        acting_user=org_tree["admin"], category="医疗卫生", lead_office="村卫生室", replace=True
    )
    rule.refresh_from_db()
    assert not rule.referred_up and rule.lead_office == "村卫生室"
    assert rule.reason == "乡村医生执业属县卫健局"  # not dropped silently
