from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from qingzhuang.org import services
from qingzhuang.org.models import Department, OrgUnit, User


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin[OrgUnit]):
    list_display = ["name", "code", "level", "parent", "is_active"]
    list_filter = ["level", "is_active"]
    search_fields = ["name", "code"]
    readonly_fields = ["path", "depth"]

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        """Route admin edits through the services so paths and the audit log stay right."""
        if change:
            services.org_unit_update(
                unit=obj,
                actor=request.user,
                name=obj.name,
                level=obj.level,
                parent=obj.parent,
                is_active=obj.is_active,
            )
        else:
            created = services.org_unit_create(
                code=obj.code, name=obj.name, level=obj.level, parent=obj.parent, actor=request.user
            )
            obj.pk = created.pk


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin[Department]):
    list_display = ["name", "short_name", "county"]


@admin.register(User)
class QzUserAdmin(UserAdmin):  # type: ignore[type-arg]
    list_display = ["username", "display_name", "role", "org_unit", "is_active"]
    list_filter = ["role", "is_active"]
    fieldsets = (
        *UserAdmin.fieldsets,
        ("轻装", {"fields": ("role", "org_unit", "department", "display_name")}),
    )  # type: ignore[misc]
