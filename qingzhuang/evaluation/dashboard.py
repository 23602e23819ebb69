"""Datasets behind the dashboards: each is a table (title, headers, rows) that the page shows
as a chart, as a table, and exports — one source, so the three can never disagree."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Max

from qingzhuang.evaluation import selectors
from qingzhuang.evaluation.aggregates import fresh_counters, metrics_refresh_pending
from qingzhuang.evaluation.metrics import RATE_NAMES
from qingzhuang.evaluation.models import MetricMonthly
from qingzhuang.evaluation.periods import Period, last_months, parse
from qingzhuang.org.scope import Scope

THREE_RATES = ("response_rate", "resolution_rate", "satisfaction_rate")


@dataclass
class Dataset:
    key: str
    title: str
    headers: list[str]
    rows: list[list[Any]]
    chart: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "headers": self.headers,
            "rows": self.rows,
            "chart": self.chart,
        }


def pct(v: float | None) -> float | None:
    return None if v is None else round(100 * v, 1)


def default_period(scope: Scope) -> Period:
    """The latest month with requests in scope (this month when there are none)."""
    from django.utils import timezone

    metrics_refresh_pending()
    last = scope.filter(MetricMonthly.objects.all(), field="org_unit").aggregate(d=Max("month"))[
        "d"
    ]
    d = last or timezone.localdate()
    return parse(f"{d.year}-{d.month:02d}")


def trend(scope: Scope, period: Period, months: int = 12) -> Dataset:
    data = selectors.metric_trend(scope=scope, months=last_months(period, months))
    rows = [
        [
            d["period"],
            d["received"],
            *[pct(d[r]["value"]) for r in THREE_RATES],
            d["excluded_unreasonable"],
        ]
        for d in data
    ]
    headers = [
        "月份",
        "诉求数",
        *[RATE_NAMES[r] + "(%)" for r in THREE_RATES],
        "不合理诉求(不计分)",
    ]
    chart = {
        "type": "line",
        "percent": True,
        "x": [r[0] for r in rows],
        "series": [
            {"name": RATE_NAMES[r], "data": [row[2 + i] for row in rows]}
            for i, r in enumerate(THREE_RATES)
        ],
    }
    return Dataset("trend", "三率趋势（近12个月）", headers, rows, chart)


def hotspot_table(scope: Scope, period: Period) -> Dataset:
    data = selectors.hotspots(scope=scope, period=period)
    rows = [
        [d["area"], d["category"] or "未分类", d["n"], d["complaints"], d["dissatisfied"]]
        for d in data
    ]
    chart = {
        "type": "bar",
        "x": [f"{r[0]}·{r[1]}" for r in rows],
        "series": [{"name": "诉求数", "data": [r[2] for r in rows]}],
    }
    return Dataset(
        "hotspots",
        f"诉求热点（{period.label}）",
        ["村(社区)", "分类", "诉求数", "投诉举报", "不满意"],
        rows,
        chart,
    )


def unit_table(scope: Scope, period: Period) -> Dataset:
    """Every unit's 三率 with 95% Wilson intervals, ranked by the satisfaction interval's lower
    bound; units under the minimum sample are listed after the ranking, unranked."""
    ranking = selectors.ranking(scope=scope, period=period, metric="satisfaction_rate")
    rows = []
    for rank, item in enumerate([*ranking["ranked"], *ranking["insufficient"]], start=1):
        s = item["summary"]
        sat = s["satisfaction_rate"]
        rows.append(
            [
                rank if sat["sufficient"] else "样本不足",
                item["unit"].name,
                s["scored"],
                s["excluded_unreasonable"],
                *[pct(s[r]["value"]) for r in THREE_RATES],
                pct(sat["low"]),
                pct(sat["high"]),
                s["median_hours"],
                s["p90_hours"],
            ]
        )
    headers = [
        "满意率排名",
        "单位",
        "计分工单",
        "不合理(不计分)",
        "响应率(%)",
        "解决率(%)",
        "满意率(%)",
        "满意率区间下限(%)",
        "满意率区间上限(%)",
        "办理时长中位数(小时)",
        "P90(小时)",
    ]
    ranked = [r for r in rows if isinstance(r[0], int)]
    chart = {
        "type": "interval",
        "x": [r[1] for r in ranked],
        "percent": True,
        "series": [
            {
                "name": "满意率",
                "data": [r[6] for r in ranked],
                "low": [r[7] for r in ranked],
                "high": [r[8] for r in ranked],
            }
        ],
    }
    return Dataset("units", f"各单位三率（{period.label}，95%置信区间）", headers, rows, chart)


def score_table(scope: Scope, period: Period) -> Dataset:
    """Latest scores of the first active scheme for the period's quarter/month/year."""
    rows: list[list[Any]] = []
    title = "单位评分"
    for scheme in selectors.schemes()[:1]:
        code = {
            "month": period.code,
            "quarter": f"{period.year}Q{(period.month_index - 1) // 3 + 1}",
            "year": str(period.year),
        }[scheme.period_type]
        title = f"单位评分：{scheme.name}（{code}）"
        for s in selectors.scores(scope=scope, scheme=scheme, period=code):
            ok = [c for c in s.contributions if c["status"] == "ok"]
            rows.append([s.org_unit.name, s.total, len(ok), len(s.contributions) - len(ok), s.pk])
    chart = {
        "type": "bar",
        "x": [r[0] for r in rows],
        "series": [{"name": "总分", "data": [r[1] for r in rows]}],
    }
    return Dataset(
        "scores", title, ["单位", "总分", "计分指标数", "无数据/样本不足", "评分编号"], rows, chart
    )


def burden_table(scope: Scope, period: Period) -> Dataset:
    """Burden hours (by demand kind) and auto-fill savings from the neighbouring apps.

    Either may be missing (not installed or no data yet): the page then shows an empty state.
    """
    from qingzhuang.evaluation.periods import month_periods

    months = {m.number for m in month_periods(period)}
    rows: list[list[Any]] = []
    try:
        from qingzhuang.burden.selectors import dashboard as burden_dashboard

        kinds: dict[str, float] = {}
        for r in burden_dashboard(scope=scope, year=period.year)["by_kind"]:
            if r["month"] in months:
                kinds[r["kind"]] = kinds.get(r["kind"], 0.0) + r["hours"]
        from qingzhuang.burden.models import DemandKind

        labels = dict(DemandKind.choices)
        rows += [[f"负担工时：{labels.get(k, k)}", round(v, 1)] for k, v in sorted(kinds.items())]
    except Exception:  # noqa: S110 — a neighbour not ready must not break this page
        pass
    try:
        from qingzhuang.burden.held_data import savings_hours

        month = period.number if period.type == "month" else None
        hours, available = savings_hours(scope=scope, year=period.year, month=month)
        if available:
            rows.append(["自动填表节省工时", round(hours, 1)])
    except Exception:  # noqa: S110
        pass
    chart = {
        "type": "bar",
        "x": [r[0] for r in rows],
        "series": [{"name": "小时", "data": [r[1] for r in rows]}],
    }
    return Dataset(
        "burden", f"负担工时与自动填表节省（{period.label}）", ["项目", "小时"], rows, chart
    )


def overview(scope: Scope, period: Period) -> dict[str, Any]:
    with fresh_counters():  # one pending-counter check for the whole page
        totals = selectors.request_metrics(scope=scope, period=period).get(None)
        return {
            "period": period,
            "totals": totals,
            "datasets": [
                trend(scope, period),
                unit_table(scope, period),
                hotspot_table(scope, period),
                score_table(scope, period),
                burden_table(scope, period),
            ],
        }


def dataset_by_key(scope: Scope, period: Period, key: str) -> Dataset:
    from qingzhuang.core.errors import NotFound

    builders = {
        "trend": trend,
        "units": unit_table,
        "hotspots": hotspot_table,
        "scores": score_table,
        "burden": burden_table,
    }
    if key not in builders:
        raise NotFound(f"没有名为“{key}”的数据表")
    with fresh_counters():
        return builders[key](scope, period)
