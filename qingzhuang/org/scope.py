"""The one scoping mechanism: which part of the organisation tree a user may see.

Every selector that returns organisation data takes a Scope and calls `scope.filter(...)`.
A village worker's scope is their village subtree; a township admin's is the township subtree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext as _

from qingzhuang.core.errors import PermissionDenied

if TYPE_CHECKING:
    from qingzhuang.org.models import OrgUnit

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class Scope:
    """A set of subtree roots, identified by their materialised paths."""

    paths: tuple[str, ...] = ()
    everything: bool = False
    user_id: int | None = None
    role: str = ""

    @classmethod
    def all(cls) -> Scope:
        return cls(everything=True)

    @classmethod
    def nothing(cls) -> Scope:
        return cls()

    @classmethod
    def of_unit(cls, unit: OrgUnit, **kwargs: Any) -> Scope:
        return cls(paths=(unit.path,), **kwargs)

    def q(self, field: str = "org_unit") -> Q:
        """A Q object restricting `field` (a FK to OrgUnit, or "" for OrgUnit itself)."""
        if self.everything:
            return Q()
        if not self.paths:
            return Q(pk__in=[])
        prefix = f"{field}__path__startswith" if field else "path__startswith"
        q = Q()
        for path in self.paths:
            q |= Q(**{prefix: path})
        return q

    def ids_q(self, field: str = "org_unit") -> Q:
        """Like `q`, as `field_id IN (units in scope)`: lets the database use an index that
        starts with the unit column (e.g. requests by unit and time) instead of joining every
        row to the unit table."""
        if self.everything:
            return Q()
        from qingzhuang.org.models import OrgUnit

        units = OrgUnit.objects.filter(self.q("")).values("pk")
        return Q(**{f"{field}_id__in": units})

    def filter(self, qs: QuerySet[M], field: str = "org_unit") -> QuerySet[M]:
        return qs.filter(self.q(field))

    def contains(self, unit: OrgUnit | None) -> bool:
        if self.everything:
            return True
        if unit is None:
            return False
        return any(unit.path.startswith(p) for p in self.paths)

    def require(self, unit: OrgUnit | None) -> None:
        if not self.contains(unit):
            raise PermissionDenied(
                _("您没有权限查看或处理该单位的数据。如需访问，请联系镇党政办。")
            )


def scope_for(user: Any) -> Scope:
    """The scope of a logged-in user; anonymous users see nothing."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Scope.nothing()
    if user.is_superuser:
        return Scope(everything=True, user_id=user.pk, role="superuser")
    unit = user.org_unit
    if unit is None:
        return Scope(user_id=user.pk, role=user.role)
    return Scope(paths=(unit.path,), user_id=user.pk, role=user.role)
