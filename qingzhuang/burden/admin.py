from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from qingzhuang.burden import services
from qingzhuang.burden.models import AdmissionReview, Demand, Finding, FindingOrigin, Rule


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

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # created through the ledger pages and services (checked and audited)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    # Deleting keeps the ledger's rules: a demand that uploads or other features' findings hang
    # on is refused as on the page, and a deletion goes through the service, so it is audited
    # and the other inspections of the same issuer and year are checked again.

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and services.demand_delete_refusal(demand=obj):
            return False
        return super().has_delete_permission(request, obj)

    def get_deleted_objects(
        self, objs: Any, request: HttpRequest
    ) -> tuple[list[Any], dict[Any, int], set[Any], list[Any]]:
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        refusals = [f"{d}：{r}" for d in objs if (r := services.demand_delete_refusal(demand=d))]
        if refusals:
            # Any protected entry stops the deletion, so dropping the bare "no permission for
            # 事项/检查发现" the refusals caused only changes what the page says: the reasons.
            return deleted, counts, set(), [*protected, *refusals]
        return deleted, counts, perms_needed, protected

    def delete_model(self, request: HttpRequest, obj: Demand) -> None:
        services.demand_delete(demand=obj, actor=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Demand]) -> None:
        with transaction.atomic():  # all selected or none
            for demand in queryset.order_by("pk"):
                services.demand_delete(demand=demand, actor=request.user)


@admin.register(Finding)
class FindingAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["rule_code", "origin", "occurred_on", "message"]
    list_filter = ["rule_code", "origin"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # created through the ledger pages and services (checked and audited)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Feedback and 村级事项准入 findings are records in their own right (the reason a demand
        # carrying them cannot be deleted); rule findings are derived and rebuilt by each check,
        # and must stay deletable for a demand's own deletion to cascade.
        if obj is not None and obj.origin != FindingOrigin.RULE:
            return False
        return super().has_delete_permission(request, obj)


@admin.register(AdmissionReview)
class AdmissionReviewAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["title", "department", "year", "status"]
    list_filter = ["status", "year"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # created through the ledger pages and services (checked and audited)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
