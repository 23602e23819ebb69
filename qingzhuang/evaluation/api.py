"""Evaluation endpoints: request metrics, dashboard tables, scores and scheme checks (read-only)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema

from qingzhuang.core.errors import InvalidInput, NotFound
from qingzhuang.evaluation import dashboard, selectors
from qingzhuang.evaluation.models import EvaluationScheme
from qingzhuang.evaluation.periods import parse
from qingzhuang.evaluation.schemes import scheme_check
from qingzhuang.org.roles import require
from qingzhuang.org.scope import scope_for

router = Router(tags=["评价 evaluation"])


class MetricRowOut(Schema):
    key: Any
    metrics: dict[str, Any]


class MetricsOut(Schema):
    period: str
    group_by: str | None
    rows: list[MetricRowOut]


class TableOut(Schema):
    key: str
    title: str
    headers: list[str]
    rows: list[list[Any]]


class ScoreOut(Schema):
    id: int
    unit_code: str
    unit_name: str
    period: str
    total: float | None
    contributions: list[dict[str, Any]]


class CheckOut(Schema):
    ok: bool
    indicator_count: int
    outcome_share: float
    process_share: float
    paperwork_share: float
    findings: list[dict[str, str]]


@router.get("/metrics", response=MetricsOut, summary="诉求指标（按单位/村/分类）")
def metrics(
    request: HttpRequest, period: str, group_by: str | None = None, category: str = ""
) -> MetricsOut:
    require(request.user, "evaluation.view")
    if group_by not in (None, "org_unit", "area", "category"):
        raise InvalidInput(_("group_by 只能是 org_unit、area 或 category"))
    p = parse(period)
    data = selectors.request_metrics(
        scope=scope_for(request.user), period=p, group_by=group_by, category=category
    )
    return MetricsOut(
        period=p.code,
        group_by=group_by,
        rows=[MetricRowOut(key=k, metrics=v) for k, v in data.items()],
    )


@router.get("/tables/{key}", response=TableOut, summary="总览数据表（与图表、导出一致）")
def table(request: HttpRequest, key: str, period: str = "") -> TableOut:
    require(request.user, "evaluation.view")
    scope = scope_for(request.user)
    p = parse(period) if period else dashboard.default_period(scope)
    ds = dashboard.dataset_by_key(scope, p, key)
    return TableOut(key=ds.key, title=ds.title, headers=ds.headers, rows=ds.rows)


@router.get("/schemes/{scheme_id}/scores", response=list[ScoreOut], summary="单位评分")
def scores(request: HttpRequest, scheme_id: int, period: str) -> list[ScoreOut]:
    require(request.user, "evaluation.view")
    scheme = EvaluationScheme.objects.filter(pk=scheme_id).first()
    if scheme is None:
        raise NotFound(_("找不到这个考核方案"))
    return [
        ScoreOut(
            id=s.pk,
            unit_code=s.org_unit.code,
            unit_name=s.org_unit.name,
            period=s.period,
            total=s.total,
            contributions=s.contributions,
        )
        for s in selectors.scores(scope=scope_for(request.user), scheme=scheme, period=period)
    ]


@router.get(
    "/schemes/{scheme_id}/check", response=CheckOut, summary="方案检查（留痕、指标数、频次）"
)
def check(request: HttpRequest, scheme_id: int) -> CheckOut:
    require(request.user, "evaluation.view")
    scheme = EvaluationScheme.objects.filter(pk=scheme_id).first()
    if scheme is None:
        raise NotFound(_("找不到这个考核方案"))
    return CheckOut.model_validate(scheme_check(scheme).as_dict())
