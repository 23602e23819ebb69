"""Datasets behind the dashboards: each is a table (title, headers, rows) that the page shows
as a chart, as a table, and exports — one source, so the three can never disagree."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qingzhuang.evaluation import selectors
from qingzhuang.evaluation.aggregates import fresh_counters, metrics_refresh_pending
from qingzhuang.evaluation.metrics import RATE_NAMES
from qingzhuang.evaluation.models import MetricMonthly
from qingzhuang.evaluation.periods import Period, last_months, parse
from qingzhuang.org.scope import Scope

THREE_RATES = ("response_rate", "resolution_rate", "satisfaction_rate")

# RATE_NAMES stays in the Django-free metrics engine; its labels are marked for translation here.
# Titles, headers and series names are built per call (never at import), in the request's language.
RATE_LABELS: dict[str, Any] = {
    "response_rate": gettext_lazy("响应率"),
    "resolution_rate": gettext_lazy("解决率"),
    "satisfaction_rate": gettext_lazy("满意率"),
    "on_time_rate": gettext_lazy("按期办结率"),
    "reopen_rate": gettext_lazy("重办率"),
    "return_rate": gettext_lazy("退单率"),
    "callback_coverage": gettext_lazy("回访率"),
}


@dataclass
class Dataset:
    key: str
    title: str
    headers: list[str]
    rows: list[list[Any]]
    chart: dict[str, Any] = field(default_factory=dict)
    # For printing a table too wide for the page: the leading columns that name the row (repeated
    # on every column group) and runs of columns that belong together (a rate, its sample, its
    # interval) and are never split across groups.
    key_columns: int = 1
    bundles: list[tuple[int, int]] = field(default_factory=list)  # [start, end) column ranges

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


def rate_label(metric: str) -> str:
    return str(RATE_LABELS.get(metric, RATE_NAMES[metric]))


def rate_header(metric: str) -> str:
    """Column header for a rate shown in percent, e.g. 满意率(%)."""
    return _("%(rate)s(%%)") % {"rate": rate_label(metric)}


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
        _("月份"),
        _("诉求数"),
        *[rate_header(r) for r in THREE_RATES],
        _("不合理诉求(不计分)"),
    ]
    chart = {
        "type": "line",
        "percent": True,
        "x": [r[0] for r in rows],
        "series": [
            {"name": rate_label(r), "data": [row[2 + i] for row in rows]}
            for i, r in enumerate(THREE_RATES)
        ],
    }
    return Dataset("trend", _("三率趋势（近12个月）"), headers, rows, chart)


def hotspot_table(scope: Scope, period: Period) -> Dataset:
    data = selectors.hotspots(scope=scope, period=period)
    rows = [
        [d["area"], d["category"] or _("未分类"), d["n"], d["complaints"], d["dissatisfied"]]
        for d in data
    ]
    chart = {
        "type": "bar",
        "x": [f"{r[0]}·{r[1]}" for r in rows],
        "series": [{"name": _("诉求数"), "data": [r[2] for r in rows]}],
    }
    return Dataset(
        "hotspots",
        _("诉求热点（%(period)s）") % {"period": period.label},
        [_("村(社区)"), _("分类"), _("诉求数"), _("投诉举报"), _("不满意")],
        rows,
        chart,
    )


def unit_table(scope: Scope, period: Period) -> Dataset:
    """Every unit's 三率 with 95% Wilson intervals, ranked by the satisfaction interval's lower
    bound; units under the minimum sample are listed after the ranking, unranked."""
    ranking = selectors.ranking(scope=scope, period=period, metric="satisfaction_rate")
    rows = []
    names: list[str] = []
    intervals: dict[str, list[tuple[float | None, float | None, float | None]]] = {
        r: [] for r in THREE_RATES
    }
    for rank, item in enumerate([*ranking["ranked"], *ranking["insufficient"]], start=1):
        s = item["summary"]
        sat = s["satisfaction_rate"]
        rows.append(
            [
                rank if sat["sufficient"] else _("样本不足"),
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
        names.append(item["unit"].name + ("" if sat["sufficient"] else _("（样本不足）")))
        for r in THREE_RATES:
            intervals[r].append((pct(s[r]["value"]), pct(s[r]["low"]), pct(s[r]["high"])))
    headers = [
        _("满意率排名"),
        _("单位"),
        _("计分工单"),
        _("不合理(不计分)"),
        *[rate_header(r) for r in THREE_RATES],
        _("满意率区间下限(%)"),
        _("满意率区间上限(%)"),
        _("办理时长中位数(小时)"),
        _("P90(小时)"),
    ]
    # Every unit (the unranked ones last, marked), three rates side by side, each with its own
    # 95% interval drawn as an error bar: a band joining separate units would suggest a trend.
    chart = {
        "type": "error_bars",
        "x": names,
        "percent": True,
        "subtitle": _(
            "柱为响应率、解决率和满意率，竖线为各自的95%置信区间；"
            "单位按满意率置信区间的下限排名，样本不足的排在最后。"
        ),
        "band_name": _("95%区间"),
        "series": [
            {
                "name": rate_label(r),
                "data": [v for v, _lo, _hi in intervals[r]],
                "low": [lo for _v, lo, _hi in intervals[r]],
                "high": [hi for _v, _lo, hi in intervals[r]],
            }
            for r in THREE_RATES
        ],
    }
    title = _("各单位三率（%(period)s，95%%置信区间）") % {"period": period.label}
    return Dataset("units", title, headers, rows, chart, key_columns=2)


def score_table(scope: Scope, period: Period) -> Dataset:
    """Latest scores of the first active scheme for the period's quarter/month/year."""
    rows: list[list[Any]] = []
    title = _("单位评分")
    for scheme in selectors.schemes()[:1]:
        code = {
            "month": period.code,
            "quarter": f"{period.year}Q{(period.month_index - 1) // 3 + 1}",
            "year": str(period.year),
        }[scheme.period_type]
        title = _("单位评分：%(scheme)s（%(period)s）") % {"scheme": scheme.name, "period": code}
        for s in selectors.scores(scope=scope, scheme=scheme, period=code):
            ok = [c for c in s.contributions if c["status"] == "ok"]
            rows.append([s.org_unit.name, s.total, len(ok), len(s.contributions) - len(ok), s.pk])
    chart = {
        "type": "bar",
        "x": [r[0] for r in rows],
        "series": [{"name": _("总分"), "data": [r[1] for r in rows]}],
    }
    headers = [_("单位"), _("总分"), _("计分指标数"), _("无数据/样本不足"), _("评分编号")]
    return Dataset("scores", title, headers, rows, chart)


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
        rows += [
            [_("负担工时：%(kind)s") % {"kind": labels.get(k, k)}, round(v, 1)]
            for k, v in sorted(kinds.items())
        ]
    except Exception:  # noqa: S110 — a neighbour not ready must not break this page
        pass
    try:
        from qingzhuang.burden.held_data import savings_hours

        month = period.number if period.type == "month" else None
        hours, available = savings_hours(scope=scope, year=period.year, month=month)
        if available:
            rows.append([_("自动填表节省工时"), round(hours, 1)])
    except Exception:  # noqa: S110
        pass
    chart = {
        "type": "bar",
        "x": [r[0] for r in rows],
        "series": [{"name": _("小时"), "data": [r[1] for r in rows]}],
    }
    title = _("负担工时与自动填表节省（%(period)s）") % {"period": period.label}
    return Dataset("burden", title, [_("项目"), _("小时")], rows, chart)


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
        raise NotFound(_("没有名为“%(key)s”的数据表") % {"key": key})
    with fresh_counters():
        return builders[key](scope, period)
