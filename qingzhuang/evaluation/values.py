"""Indicator values per unit and period: formulas over data elements (E:) and request metrics (M:).

`M:<metric>` is a request metric of the unit (a rate's value, a count, median_hours, p90_hours);
`M:<metric>@<category>` restricts it to categories starting with that text.
`E:<CODE>` is a data element's value for the unit: the period itself, else its year, else the
year before (population figures are annual and often lag a year).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from qingzhuang.evaluation.metrics import RATE_NAMES, MetricSettings, metric_value
from qingzhuang.evaluation.periods import Period
from qingzhuang.evaluation.scoring import parse_formula


@dataclass
class IndicatorResult:
    value: float | None
    status: str  # ok | no_data | insufficient_sample
    sample: int | None = None
    evidence: dict[str, Any] = field(default_factory=dict)


def split_metric(var: str) -> tuple[str, str]:
    """'M:complaints@环境' -> ('complaints', '环境')."""
    name = var[2:]
    metric, _, category = name.partition("@")
    return metric, category


def _settings(cfg: Any) -> MetricSettings:
    return MetricSettings(
        satisfaction_mode=cfg.satisfaction_mode,
        weight_satisfied=cfg.weight_satisfied,
        weight_fairly=cfg.weight_fairly,
        weight_dissatisfied=cfg.weight_dissatisfied,
        partly_weight=cfg.partly_weight,
        min_sample=cfg.min_sample,
    )


def _element_values(
    codes: set[str], unit_ids: list[int], p: Period
) -> dict[tuple[str, int], dict[str, Any]]:
    from qingzhuang.datastore.models import DataValue

    wanted = [p.code, str(p.year), str(p.year - 1)]
    out: dict[tuple[str, int], dict[str, Any]] = {}
    rows = DataValue.objects.filter(
        element__code__in=codes,
        org_unit_id__in=unit_ids,
        period__in=wanted,
        category_option__isnull=True,
    ).values_list("id", "element__code", "org_unit_id", "period", "value")
    for vid, code, uid, period, value in rows:
        key = (code, uid)
        rank = wanted.index(period)
        if key not in out or rank < out[key]["rank"]:
            out[key] = {
                "id": vid,
                "element": code,
                "period": period,
                "value": float(value),
                "rank": rank,
            }
    return out


def evaluate(
    *, indicators: Sequence[Any], units: Sequence[Any], period: Period, settings: Any
) -> dict[tuple[int, str], IndicatorResult]:
    """Every indicator for every unit: value, whether it may be scored, and the evidence."""
    from qingzhuang.evaluation.selectors import request_metrics
    from qingzhuang.org.scope import Scope

    s = _settings(settings)
    formulas = {ind.code: parse_formula(ind.formula) for ind in indicators}
    elements = {v[2:] for f in formulas.values() for v in f.variables if v.startswith("E:")}
    categories = {
        split_metric(v)[1] for f in formulas.values() for v in f.variables if v.startswith("M:")
    }
    unit_ids = [u.pk for u in units]
    metrics = {
        cat: request_metrics(
            scope=Scope.all(),
            period=period,
            group_by="org_unit",
            category=cat,
            settings=s,
            unit_ids=unit_ids,
        )
        for cat in categories
    }
    evalues = _element_values(elements, unit_ids, period) if elements else {}
    out: dict[tuple[int, str], IndicatorResult] = {}
    for unit in units:
        for ind in indicators:
            out[(unit.pk, ind.code)] = _one(
                formulas[ind.code], unit.pk, period, metrics, evalues, s
            )
    return out


def _one(
    formula: Any,
    uid: int,
    period: Period,
    metrics: dict[str, Any],
    evalues: dict[tuple[str, int], dict[str, Any]],
    s: MetricSettings,
) -> IndicatorResult:
    env: dict[str, float | None] = {}
    evidence: dict[str, Any] = {"variables": {}, "requests": [], "data_values": []}
    sample: int | None = None
    insufficient = False
    for var in formula.variables:
        if var.startswith("E:"):
            dv = evalues.get((var[2:], uid))
            env[var] = dv["value"] if dv else None
            if dv:
                evidence["data_values"].append(
                    {k: dv[k] for k in ("id", "element", "period", "value")}
                )
        else:
            metric, cat = split_metric(var)
            summary = metrics.get(cat, {}).get(uid)
            env[var] = (
                metric_value(summary, metric)
                if summary
                else (0.0 if metric not in RATE_NAMES and not metric.endswith("_hours") else None)
            )
            evidence["requests"].append(
                {"unit": uid, "period": period.code, "category": cat, "metric": metric}
            )
            if metric in RATE_NAMES:
                denom = summary[metric]["denominator"] if summary else 0
                sample = denom if sample is None else min(sample, denom)
                insufficient = insufficient or denom < s.min_sample
        evidence["variables"][var] = env[var]
    value = formula.evaluate(env)
    if value is None:
        return IndicatorResult(None, "no_data", sample, evidence)
    if insufficient:
        return IndicatorResult(value, "insufficient_sample", sample, evidence)
    return IndicatorResult(value, "ok", sample, evidence)


def goal_tree(*, scope: Any, period: Period) -> list[dict[str, Any]]:
    """The goal tree with progress (0..1) per node for the villages in scope.

    A leaf's progress is the mean, over villages with enough data, of how far its indicator has
    moved from baseline (or floor) to target; parents are weighted means of their children.
    """
    from qingzhuang.evaluation.models import EvaluationSettings, Goal
    from qingzhuang.evaluation.scoring import GoalNode, progress, rollup
    from qingzhuang.org.models import OrgUnit

    goals = list(Goal.objects.select_related("indicator").order_by("order", "id"))
    if not goals:
        return []
    units = list(scope.filter(OrgUnit.objects.villages().filter(is_active=True), field=""))
    indicators = {g.indicator.code: g.indicator for g in goals if g.indicator}
    cfg = EvaluationSettings.objects.filter(pk=1).first() or EvaluationSettings()
    table = (
        evaluate(indicators=list(indicators.values()), units=units, period=period, settings=cfg)
        if units
        else {}
    )
    leaf: dict[str, float | None] = {}
    for code, ind in indicators.items():
        start = ind.baseline if ind.baseline is not None else ind.floor
        ps = [
            progress(r.value, baseline=start, target=ind.target)
            for (uid, c), r in table.items()
            if c == code and r.status == "ok" and r.value is not None
        ]
        leaf[code] = sum(ps) / len(ps) if ps else None
    nodes = {
        g.pk: GoalNode(g.name, g.weight, leaf.get(g.indicator.code) if g.indicator else None)
        for g in goals
    }
    roots = []
    for g in goals:
        if g.parent_id and g.parent_id in nodes:
            nodes[g.parent_id].children.append(nodes[g.pk])
        else:
            roots.append(nodes[g.pk])
    for r in roots:
        rollup(r)

    def flat(n: GoalNode, depth: int) -> list[dict[str, Any]]:
        row = {
            "name": n.name,
            "weight": n.weight,
            "progress": n.progress,
            "depth": depth,
            "pct": None if n.progress is None else round(100 * n.progress),
        }
        return [row] + [x for c in n.children for x in flat(c, depth + 1)]

    return [x for r in roots for x in flat(r, 0)]
