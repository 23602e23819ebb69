from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from qingzhuang.burden import services
from qingzhuang.burden.models import AdmissionReview, Demand, Finding, Rule


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["code", "title", "applies_to", "threshold", "threshold_alt", "enabled"]
    readonly_fields = ["code", "applies_to"]

    def save_model(self, request: HttpRequest, obj: Rule, form: Any, change: bool) -> None:
        # Go through the service so the change is validated and audited like on the page.
        fields = {k: getattr(obj, k) for k in services.RULE_EDITABLE}
        services.rule_update(rule=Rule.objects.get(pk=obj.pk), actor=request.user, **fields)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Demand)
class DemandAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["title", "kind", "issuer", "received", "org_unit"]
    list_filter = ["kind"]
    search_fields = ["title"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Finding)
class FindingAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["rule_code", "origin", "occurred_on", "message"]
    list_filter = ["rule_code", "origin"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AdmissionReview)
class AdmissionReviewAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["title", "department", "year", "status"]
    list_filter = ["status", "year"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
