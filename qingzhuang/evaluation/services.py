"""Writes for evaluation: settings, indicators, schemes, goals, scores (each audited)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from qingzhuang.audit.services import audit_record, snapshot
from qingzhuang.core.errors import InvalidInput
from qingzhuang.evaluation import values as indicator_values
from qingzhuang.evaluation.aggregates import metrics_rebuild, metrics_refresh
from qingzhuang.evaluation.metrics import METRIC_NAMES
from qingzhuang.evaluation.models import (
    FAST_CALLBACK_MAX_MINUTES,
    MAX_FREQUENCY_PER_YEAR,
    MAX_MIN_SAMPLE,
    Direction,
    EvaluationScheme,
    EvaluationSettings,
    Goal,
    Indicator,
    IndicatorKind,
    PeriodType,
    SchemeItem,
    Score,
    ScoringRule,
)
from qingzhuang.evaluation.periods import bounds, period_for_scheme
from qingzhuang.evaluation.scoring import FormulaError, linear_score, parse_formula, threshold_score
from qingzhuang.evaluation.values import split_metric
from qingzhuang.i18n import join_list

if TYPE_CHECKING:
    from qingzhuang.org.models import OrgUnit

__all__ = [
    "goal_create",
    "indicator_upsert",
    "metrics_rebuild",
    "metrics_refresh",
    "scheme_item_set",
    "scheme_upsert",
    "scores_compute",
    "settings_get",
    "settings_update",
]


def settings_get() -> EvaluationSettings:
    obj, _ = EvaluationSettings.objects.get_or_create(pk=1)
    return obj


@transaction.atomic
def settings_update(*, actor: Any, **changes: Any) -> EvaluationSettings:
    """Change how metrics are defined (e.g. 满意率 口径); takes effect on the next page load."""
    obj = settings_get()
    before = snapshot(obj)
    allowed = {f.name for f in EvaluationSettings._meta.concrete_fields} - {"id"}
    for key, value in changes.items():
        if key not in allowed:
            raise InvalidInput(gettext("未知的设置项：%(key)s") % {"key": key})
        setattr(obj, key, value)
    if obj.satisfaction_mode not in ("top2", "weighted"):
        raise InvalidInput(gettext("满意率口径只能是 top2（满意+基本满意）或 weighted（加权）"))
    if not 0 <= obj.partly_weight <= 1:
        raise InvalidInput(gettext("部分解决的权重要在 0 到 1 之间"))
    _check_satisfaction_weights(obj)
    if not 1 <= obj.fast_callback_minutes <= FAST_CALLBACK_MAX_MINUTES:
        raise InvalidInput(
            gettext("“秒回访”的分钟数要在 1 到 %(max)s 之间") % {"max": FAST_CALLBACK_MAX_MINUTES}
        )
    if not 2 <= obj.phone_many_orders <= MAX_MIN_SAMPLE:
        raise InvalidInput(
            gettext("同一号码评价工单数要在 2 到 %(max)s 之间") % {"max": MAX_MIN_SAMPLE}
        )
    if not 1 <= obj.min_sample <= MAX_MIN_SAMPLE:
        raise InvalidInput(
            gettext("参与排名的最少样本要在 1 到 %(max)s 之间") % {"max": MAX_MIN_SAMPLE}
        )
    obj.save()
    audit_record(
        actor=actor,
        action="evaluation.settings.update",
        target=obj,
        before=before,
        after=snapshot(obj),
    )
    return obj


def _check_satisfaction_weights(obj: EvaluationSettings) -> None:
    """The 加权 满意率 weights: each 0–1 (NaN fails every comparison), and a better answer
    never weighs less than a worse one."""
    weights = (obj.weight_satisfied, obj.weight_fairly, obj.weight_dissatisfied)
    if not all(0 <= w <= 1 for w in weights):
        raise InvalidInput(gettext("满意率加权的三个权重都要在 0 到 1 之间"))
    if not weights[0] >= weights[1] >= weights[2]:
        raise InvalidInput(gettext("满意率加权的权重要满足：满意 ≥ 基本满意 ≥ 不满意"))


def _require_finite(value: float | None, label: str) -> None:
    """NaN and ±inf would pass the comparisons below silently and cannot be stored as JSON."""
    if value is not None and not math.isfinite(value):
        raise InvalidInput(
            gettext("“%(label)s”要填一个普通数字（不能是 nan 或 inf）") % {"label": label}
        )


def _check_formula(formula: str) -> None:
    """Refuse formulas that parse but can never give a value: unknown request metrics,
    data elements that do not exist, a division by a constant 0."""
    from qingzhuang.datastore.models import DataElement

    try:
        parsed = parse_formula(formula)
    except FormulaError as exc:
        raise InvalidInput(str(exc)) from exc
    for var in parsed.variables:
        if var.startswith("M:") and split_metric(var)[0] not in METRIC_NAMES:
            raise InvalidInput(
                gettext("公式里的诉求指标“%(metric)s”不存在；可用：%(available)s")
                % {"metric": var, "available": join_list(sorted(METRIC_NAMES))}
            )
    codes = parsed.elements
    if codes:
        known = set(DataElement.objects.filter(code__in=codes).values_list("code", flat=True))
        missing = sorted(set(codes) - known)
        if missing:
            raise InvalidInput(gettext("找不到数据元：%(codes)s") % {"codes": join_list(missing)})
    if parsed.divides_by_zero():
        raise InvalidInput(
            gettext("公式里除以 0，永远算不出数值：%(formula)s") % {"formula": formula}
        )


@transaction.atomic
def indicator_upsert(
    *,
    code: str,
    name: str,
    formula: str,
    target: float,
    floor: float,
    direction: str = Direction.HIGHER,
    unit: str = "",
    baseline: float | None = None,
    kind: str = IndicatorKind.OUTCOME,
    tags: Sequence[str] = (),
    description: str = "",
    actor: Any,
) -> Indicator:
    """Create or update an indicator by code; the formula is checked first so that an indicator
    that could never be scored (bad formula, missing element, floor == target) never lands."""
    code = code.strip()
    if not code or not name.strip():
        raise InvalidInput(gettext("指标编码和名称都不能为空"))
    _require_finite(floor, gettext("底线"))
    _require_finite(target, gettext("目标"))
    _require_finite(baseline, gettext("基线"))
    _check_formula(formula)
    if direction not in (Direction.HIGHER, Direction.LOWER):
        raise InvalidInput(gettext("方向只能是 higher（越高越好）或 lower（越低越好）"))
    if (
        direction == Direction.HIGHER
        and floor > target
        or direction == Direction.LOWER
        and floor < target
    ):
        raise InvalidInput(
            gettext("底线要比目标差：越高越好时底线小于目标，越低越好时底线大于目标")
        )
    if floor == target:
        raise InvalidInput(gettext("底线和目标不能相同：得分按数值在底线和目标之间的位置计算"))
    if kind not in IndicatorKind.values:
        raise InvalidInput(gettext("指标类别只能是 outcome、process 或 paperwork"))
    existing = Indicator.objects.filter(code=code).first()
    before = snapshot(existing) if existing else None
    fields = {
        "name": name.strip(),
        "formula": formula,
        "target": target,
        "floor": floor,
        "direction": direction,
        "unit": unit,
        "baseline": baseline,
        "kind": kind,
        "tags": list(tags),
        "description": description,
    }
    ind, created = Indicator.objects.update_or_create(code=code, defaults=fields)
    after = snapshot(ind)
    if created or before != after:
        audit_record(
            actor=actor,
            action="evaluation.indicator." + ("create" if created else "update"),
            target=ind,
            before=before,
            after=after,
        )
    return ind


@transaction.atomic
def scheme_upsert(
    *,
    name: str,
    period_type: str = PeriodType.QUARTER,
    frequency_per_year: int = 4,
    description: str = "",
    actor: Any,
) -> EvaluationScheme:
    if period_type not in PeriodType.values:
        raise InvalidInput(gettext("考核周期只能是 month、quarter 或 year"))
    if not 1 <= frequency_per_year <= MAX_FREQUENCY_PER_YEAR:
        raise InvalidInput(
            gettext("每年考核次数要在 1 到 %(max)s 之间") % {"max": MAX_FREQUENCY_PER_YEAR}
        )
    if not name.strip() or len(name) > 200:
        raise InvalidInput(gettext("方案名称不能为空，也不能超过 200 个字"))
    existing = EvaluationScheme.objects.filter(name=name).first()
    before = snapshot(existing) if existing else None
    scheme, created = EvaluationScheme.objects.update_or_create(
        name=name,
        defaults={
            "period_type": period_type,
            "frequency_per_year": frequency_per_year,
            "description": description,
        },
    )
    if created or before != snapshot(scheme):
        audit_record(
            actor=actor,
            action="evaluation.scheme." + ("create" if created else "update"),
            target=scheme,
            before=before,
            after=snapshot(scheme),
        )
    return scheme


@transaction.atomic
def scheme_item_set(
    *,
    scheme: EvaluationScheme,
    indicator: Indicator,
    weight: float,
    rule: str = ScoringRule.LINEAR,
    steps: Sequence[Sequence[float]] = (),
    order: int = 0,
    actor: Any,
) -> SchemeItem:
    _require_finite(weight, gettext("权重"))
    if weight < 0:
        raise InvalidInput(gettext("权重不能为负数"))
    if rule == ScoringRule.THRESHOLD and not steps:
        raise InvalidInput(gettext("分档计分要写出分档，例如 [[0.9, 1], [0.8, 0.6]]"))
    if rule not in ScoringRule.values:
        raise InvalidInput(gettext("计分规则只能是 linear 或 threshold"))
    existing = SchemeItem.objects.filter(scheme=scheme, indicator=indicator).first()
    before = snapshot(existing) if existing else None
    item, _ = SchemeItem.objects.update_or_create(
        scheme=scheme,
        indicator=indicator,
        defaults={
            "weight": weight,
            "rule": rule,
            "steps": [list(s) for s in steps],
            "order": order,
        },
    )
    if before != snapshot(item):
        audit_record(
            actor=actor,
            action="evaluation.scheme_item.set",
            target=item,
            before=before,
            after=snapshot(item),
        )
    return item


@transaction.atomic
def goal_create(
    *,
    name: str,
    parent: Goal | None = None,
    weight: float = 1.0,
    indicator: Indicator | None = None,
    order: int = 0,
    actor: Any,
) -> Goal:
    _require_finite(weight, gettext("权重"))
    if weight < 0:
        raise InvalidInput(gettext("权重不能为负数"))
    goal, created = Goal.objects.get_or_create(
        parent=parent,
        name=name,
        defaults={"weight": weight, "indicator": indicator, "order": order},
    )
    if created:
        audit_record(
            actor=actor, action="evaluation.goal.create", target=goal, after=snapshot(goal)
        )
    return goal


def score_item(item: SchemeItem, value: float) -> float:
    ind = item.indicator
    if item.rule == ScoringRule.THRESHOLD:
        return threshold_score(value, item.steps, ind.direction)
    return linear_score(value, floor=ind.floor, target=ind.target, direction=ind.direction)


@transaction.atomic
def scores_compute(
    *, scheme: EvaluationScheme, period: str, actor: Any, org_unit: OrgUnit | None = None
) -> list[Score]:
    """Score the active villages/communities under ``org_unit`` for one period, storing each
    indicator's contribution. A scheme belongs to no township, so the caller names the one
    being assessed; without ``org_unit`` every village in the database is scored.

    Indicators whose inputs are missing or whose request sample is below the minimum are shown
    as such and left out of the total (the remaining weights are renormalised), never zeroed.
    """
    from qingzhuang.org.models import OrgUnit

    p = period_for_scheme(scheme, period)
    if bounds(p)[0] > timezone.localdate():
        raise InvalidInput(
            gettext("时期“%(period)s”还没有开始，不能计算评分") % {"period": p.label}
        )
    items = list(scheme.items.select_related("indicator"))
    if not items:
        raise InvalidInput(gettext("这个考核方案还没有指标，请先添加指标和权重。"))
    cfg = settings_get()
    villages = OrgUnit.objects.villages().filter(is_active=True)
    if org_unit is not None:
        villages = villages.under(org_unit)
    units = list(villages)
    table = indicator_values.evaluate(
        indicators=[i.indicator for i in items], units=units, period=p, settings=cfg
    )
    now = timezone.now()
    scores = []
    weight_sum = sum(i.weight for i in items) or 1.0
    for unit in units:
        parts = []
        earned = 0.0
        used = 0.0
        for item in items:
            res = table[(unit.pk, item.indicator.code)]
            entry: dict[str, Any] = {
                "indicator": item.indicator.code,
                "name": item.indicator.name,
                "kind": item.indicator.kind,
                "kind_label": str(item.indicator.get_kind_display()),
                "weight": item.weight,
                "rule": item.rule,
                "value": res.value,
                "status": res.status,
                "sample": res.sample,
                "evidence": res.evidence,
                "score": None,
                "points": None,
            }
            if res.status == "ok" and res.value is not None:
                s = score_item(item, res.value)
                entry["score"] = round(s, 4)
                earned += item.weight * s
                used += item.weight
            parts.append(entry)
        total = round(100 * earned / used, 2) if used else None
        for entry in parts:
            if entry["score"] is not None and used:
                entry["points"] = round(100 * item_weight(entry) * entry["score"] / used, 2)
            entry["weight_share"] = round(entry["weight"] / weight_sum, 4)
        score, _ = Score.objects.update_or_create(
            scheme=scheme,
            org_unit=unit,
            period=p.code,
            defaults={"total": total, "contributions": parts, "computed_at": now},
        )
        scores.append(score)
    audit_record(
        actor=actor,
        action="evaluation.scores.compute",
        target=scheme,
        after={
            "period": p.code,
            "org": org_unit.code if org_unit is not None else "",
            "units": len(scores),
        },
    )
    return scores


def item_weight(entry: dict[str, Any]) -> float:
    return float(entry["weight"])
