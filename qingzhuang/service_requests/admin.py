from django.contrib import admin

from qingzhuang.service_requests.models import DutyRule, SlaPolicy


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["request_type", "response_days", "resolution_days", "remind_before_days"]


@admin.register(DutyRule)
class DutyRuleAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["category", "area", "lead_unit", "lead_office", "referred_up", "department"]
    list_filter = ["referred_up", "is_active"]
