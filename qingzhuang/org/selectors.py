"""Reads of the organisation tree, always within a scope."""

from __future__ import annotations

from django.db.models import QuerySet

from qingzhuang.org.models import OrgLevel, OrgUnit
from qingzhuang.org.scope import Scope

VILLAGE_LEVELS = [OrgLevel.VILLAGE, OrgLevel.COMMUNITY]


def org_units(*, scope: Scope, include_inactive: bool = False) -> QuerySet[OrgUnit]:
    qs = scope.filter(OrgUnit.objects.select_related("parent"), field="")
    if not include_inactive:
        qs = qs.filter(is_active=True)
    return qs.order_by("path")


def villages(*, scope: Scope) -> QuerySet[OrgUnit]:
    """Villages and communities in scope, the rows of most forms."""
    return org_units(scope=scope).filter(level__in=VILLAGE_LEVELS).order_by("code")


def org_unit_get(*, scope: Scope, code: str) -> OrgUnit | None:
    return org_units(scope=scope, include_inactive=True).filter(code=code).first()
