"""Reads of the organisation tree, always within a scope."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext

from qingzhuang.core.errors import InvalidInput
from qingzhuang.org.models import ApiToken, OrgLevel, OrgUnit, User
from qingzhuang.org.scope import Scope

VILLAGE_LEVELS = [OrgLevel.VILLAGE, OrgLevel.COMMUNITY]


def unit_by_code(code: str) -> OrgUnit:
    """The unit a command line names by its 行政区划代码 (--org); a plain error when unknown."""
    unit = OrgUnit.objects.filter(code=code).first()
    if unit is None:
        raise InvalidInput(
            gettext("找不到单位代码 %(code)s，请先用 qz org import 导入组织单位") % {"code": code}
        )
    return unit


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


def people(*, scope: Scope, role: str = "", text: str = "") -> QuerySet[User]:
    """Accounts whose unit lies in the scope, unit and department joined for the list.

    System administrators (superusers, staff) are shown only to a system-wide scope: a township
    admin must not reach an account that is stronger than their own.
    """
    qs = scope.filter(User.objects.select_related("org_unit", "department"), field="org_unit")
    if not scope.everything:
        qs = qs.filter(is_superuser=False, is_staff=False)
    if role:
        qs = qs.filter(role=role)
    text = text.strip()
    if text:
        qs = qs.filter(
            Q(username__icontains=text)
            | Q(display_name__icontains=text)
            | Q(org_unit__name__icontains=text)
        )
    return qs.order_by("org_unit__path", "username")


def person_get(*, scope: Scope, pk: int) -> User | None:
    return people(scope=scope).filter(pk=pk).first()


def api_tokens(*, user: User) -> QuerySet[ApiToken]:
    """A person's own API tokens, newest first; nobody lists or revokes another's."""
    return ApiToken.objects.filter(user=user).order_by("-created_at")
