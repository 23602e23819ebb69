from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from qingzhuang.service_requests.models import DutyRule, SlaPolicy


class _ViewOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Listed for reading; every write goes through the page and its audited service."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SlaPolicy)
class SlaPolicyAdmin(_ViewOnlyAdmin):
    """View only: limits are edited on the duty page through `services.sla_policy_save`, which
    validates, audits and clears the deadline cache."""

    list_display = ["request_type", "response_days", "resolution_days", "remind_before_days"]


@admin.register(DutyRule)
class DutyRuleAdmin(_ViewOnlyAdmin):
    """View only: the duty list is edited on its page (/requests/duty/) through
    `services.duty_rule_save`, which validates referrals, audits and refreshes the routing cache."""

    list_display = ["category", "area", "lead_unit", "lead_office", "referred_up", "department"]
    list_filter = ["referred_up", "is_active"]
