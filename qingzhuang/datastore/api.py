"""Data values over JSON: read within the caller's scope, write one value at a time."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema

from qingzhuang.core.errors import NotFound
from qingzhuang.datastore import selectors, services
from qingzhuang.datastore.models import ValueSource
from qingzhuang.org.roles import require
from qingzhuang.org.scope import scope_for
from qingzhuang.org.selectors import org_unit_get

router = Router(tags=["数据仓 data"])


class ValueOut(Schema):
    element: str
    element_name: str
    org: str
    org_name: str
    period: str
    value: str
    source: str


class ValueIn(Schema):
    element: str
    org: str
    period: str
    value: str


class ValueWriteOut(Schema):
    status: str
    value: ValueOut
    warnings: list[str]


def _out(v: object) -> ValueOut:
    return ValueOut(
        element=v.element.code,  # type: ignore[attr-defined]
        element_name=v.element.name,  # type: ignore[attr-defined]
        org=v.org_unit.code,  # type: ignore[attr-defined]
        org_name=v.org_unit.name,  # type: ignore[attr-defined]
        period=v.period,  # type: ignore[attr-defined]
        value=format(v.value.normalize(), "f"),  # type: ignore[attr-defined]
        source=v.source,  # type: ignore[attr-defined]
    )


@router.get("/values", response=list[ValueOut], summary="读取数值（只返回本人权限范围内）")
def list_values(
    request: HttpRequest, org: str = "", period: str = "", element: str = ""
) -> list[ValueOut]:
    scope = scope_for(request.user)
    unit = None
    if org:
        unit = org_unit_get(scope=scope, code=org)
        if unit is None:
            raise NotFound(_("找不到该单位，或您没有权限查看"))
    qs = selectors.data_values(scope=scope, org_unit=unit, period=period, element_code=element)
    return [_out(v) for v in qs[:5000]]


@router.post("/values", response=ValueWriteOut, summary="写入一个数值（带校验与留痕）")
def write_value(request: HttpRequest, payload: ValueIn) -> ValueWriteOut:
    require(request.user, "data.enter")
    scope = scope_for(request.user)
    unit = org_unit_get(scope=scope, code=payload.org)
    if unit is None:
        raise NotFound(_("找不到该单位，或您没有权限填报"))
    element = selectors.element_get(code=payload.element)
    res = services.data_value_set(
        element=element,
        org_unit=unit,
        period=payload.period,
        value=payload.value,
        actor=request.user,
        source=ValueSource.ENTRY,
    )
    if res.data_value is None:  # pragma: no cover - data_value_set always returns one
        raise NotFound(_("写入失败"))
    return ValueWriteOut(status=res.status, value=_out(res.data_value), warnings=res.warnings)
