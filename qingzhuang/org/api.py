"""Org endpoints: who am I, and the units I may see."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from qingzhuang.org.scope import scope_for
from qingzhuang.org.selectors import org_units

router = Router(tags=["组织 org"])


class OrgUnitOut(Schema):
    id: int
    code: str
    name: str
    level: str
    parent_code: str | None


class MeOut(Schema):
    username: str
    display_name: str
    role: str
    org_unit: OrgUnitOut | None


def _unit_out(unit: object) -> OrgUnitOut:
    parent = getattr(unit, "parent", None)
    return OrgUnitOut(
        id=unit.pk,  # type: ignore[attr-defined]
        code=unit.code,  # type: ignore[attr-defined]
        name=unit.name,  # type: ignore[attr-defined]
        level=unit.level,  # type: ignore[attr-defined]
        parent_code=parent.code if parent else None,
    )


@router.get("/me", response=MeOut, summary="当前用户")
def me(request: HttpRequest) -> MeOut:
    user = request.user
    return MeOut(
        username=user.username,
        display_name=user.display_name,  # type: ignore[union-attr]
        role=user.role,  # type: ignore[union-attr]
        org_unit=_unit_out(user.org_unit) if user.org_unit else None,  # type: ignore[union-attr]
    )


@router.get("/units", response=list[OrgUnitOut], summary="可见范围内的组织单位")
def units(request: HttpRequest) -> list[OrgUnitOut]:
    return [_unit_out(u) for u in org_units(scope=scope_for(request.user))]
