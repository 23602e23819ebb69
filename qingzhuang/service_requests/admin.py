from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from qingzhuang.service_requests.models import DutyRule, SlaPolicy


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """View only: limits are edited on the duty page through `services.sla_policy_save`, which
    validates, audits and clears the deadline cache."""

    list_display = ["request_type", "response_days", "resolution_days", "remind_before_days"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(DutyRule)
class DutyRuleAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """View only: the duty list is edited on its page (/requests/duty/) through
    `services.duty_rule_save`, which validates referrals, audits and refreshes the routing cache."""

    list_display = ["category", "area", "lead_unit", "lead_office", "referred_up", "department"]
    list_filter = ["referred_up", "is_active"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
