"""What each role may do. Checked in services; pages only hide what a role cannot use."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from qingzhuang.core.errors import PermissionDenied
from qingzhuang.org.models import Role

# capability -> roles allowed (superusers may do everything)
CAPABILITIES: dict[str, frozenset[str]] = {
    "org.manage": frozenset({Role.TOWNSHIP_ADMIN}),
    "audit.view": frozenset({Role.TOWNSHIP_ADMIN, Role.EVALUATOR}),
    "templates.manage": frozenset({Role.TOWNSHIP_ADMIN, Role.DEPARTMENT_STAFF}),
    "data.enter": frozenset({Role.TOWNSHIP_ADMIN, Role.VILLAGE_WORKER}),
    "burden.manage": frozenset({Role.TOWNSHIP_ADMIN}),
    "burden.view": frozenset(
        {Role.TOWNSHIP_ADMIN, Role.EVALUATOR, Role.DEPARTMENT_STAFF, Role.VILLAGE_WORKER}
    ),
    "admission.submit": frozenset({Role.DEPARTMENT_STAFF, Role.TOWNSHIP_ADMIN}),
    "admission.decide": frozenset({Role.TOWNSHIP_ADMIN}),
    "requests.dispatch": frozenset({Role.TOWNSHIP_ADMIN}),
    "requests.handle": frozenset({Role.TOWNSHIP_ADMIN, Role.VILLAGE_WORKER}),
    "evaluation.manage": frozenset({Role.TOWNSHIP_ADMIN}),
    "evaluation.view": frozenset(
        {Role.TOWNSHIP_ADMIN, Role.EVALUATOR, Role.DEPARTMENT_STAFF, Role.VILLAGE_WORKER}
    ),
    "personal_data.view": frozenset({Role.TOWNSHIP_ADMIN, Role.VILLAGE_WORKER}),
    # duties: village work-item lists, tasks assigned to villages, 减负直通车, practice mode
    "duties.manage": frozenset({Role.TOWNSHIP_ADMIN}),
    "duties.register": frozenset({Role.TOWNSHIP_ADMIN, Role.VILLAGE_WORKER}),
    "duties.feedback": frozenset({Role.TOWNSHIP_ADMIN, Role.VILLAGE_WORKER}),
    "practice.reset": frozenset({Role.TOWNSHIP_ADMIN}),
}


def can(user: Any, capability: str) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    return user.role in CAPABILITIES.get(capability, frozenset())


def require(user: Any, capability: str) -> None:
    if not can(user, capability):
        raise PermissionDenied(_("您的角色没有这项操作的权限。如确需办理，请联系镇党政办。"))
