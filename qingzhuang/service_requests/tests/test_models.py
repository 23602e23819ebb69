"""Invariants held by the database itself, not only by the services."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import IntegrityError, transaction

from qingzhuang.service_requests.models import Callback, DutyRule, WorkOrder
from qingzhuang.service_requests.tests.helpers import order_for


def test_approved_unreasonable_needs_reviewer_in_db(org_tree: dict[str, Any]) -> None:
    order = order_for(org_tree["village_a"])
    with pytest.raises(IntegrityError), transaction.atomic():
        WorkOrder.objects.filter(pk=order.pk).update(unreasonable_status="approved")


def test_merged_order_needs_target_in_db(org_tree: dict[str, Any]) -> None:
    order = order_for(org_tree["village_a"])
    with pytest.raises(IntegrityError), transaction.atomic():
        WorkOrder.objects.filter(pk=order.pk).update(state="merged")


def test_answered_callback_needs_both_answers_in_db(org_tree: dict[str, Any]) -> None:
    from django.utils import timezone

    order = order_for(org_tree["village_a"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Callback.objects.create(
            order=order,
            channel="phone",
            answered_at=timezone.now(),
            resolved="solved",
            created_at=timezone.now(),
        )


def test_one_everywhere_rule_per_category_in_db(db: Any) -> None:
    DutyRule.objects.create(category="环境卫生")
    with pytest.raises(IntegrityError), transaction.atomic():
        DutyRule.objects.create(category="环境卫生")


def test_referral_rule_needs_department_in_db(db: Any) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        DutyRule.objects.create(category="户籍", referred_up=True, reason="x")
