"""Request metric definitions (pure): from per-order facts to counters, and counters to rates.

One function (`order_facts`) decides what each work order contributes; the daily counters
and every rate are sums of those facts, so pre-aggregated and raw figures cannot drift apart.

Definitions (all over *scored* orders: not merged, not approved as unreasonable; requests linked
as duplicates are not counted at all):
- 响应率 response_rate = responded within the response deadline / orders whose response is settled
  (responded, or flagged overdue).
- 解决率 resolution_rate = (解决 + partly_weight × 部分解决) / answered callbacks (latest per order).
- 满意率 satisfaction_rate: "top2" = (满意 + 基本满意) / answered callbacks; "weighted" =
  (w_s×满意 + w_f×基本满意 + w_d×不满意) / answered callbacks.
- 按期办结率 on_time_rate = resolved by the resolution deadline / orders resolved or flagged overdue.
- 重办率 reopen_rate = orders reopened at least once / orders resolved at least once.
- 退单率 return_rate = orders returned at least once / scored orders.
- 回访率 callback_coverage = resolved orders with an answered callback / resolved orders.
- 办理时长 hours: resolved_at − request created_at, rounded UP to whole hours; median and
  nearest-rank P90.
Unreasonable orders (approved) are counted separately in `excluded_unreasonable`, never dropped silently.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from qingzhuang.evaluation.scoring import Rate, hist_median, hist_percentile, rate

COUNTER_FIELDS: tuple[str, ...] = (
    "received",
    "complaints",
    "excluded_unreasonable",
    "excluded_merged",
    "scored",
    "response_settled",
    "responded_in_sla",
    "resolution_settled",
    "resolved",
    "resolved_on_time",
    "ever_resolved",
    "reopened",
    "returned",
    "escalated",
    "callbacks",
    "resolved_with_callback",
    "cb_solved",
    "cb_partly",
    "cb_unsolved",
    "cb_satisfied",
    "cb_fairly",
    "cb_dissatisfied",
)

RATE_NAMES: dict[str, str] = {
    "response_rate": "响应率",
    "resolution_rate": "解决率",
    "satisfaction_rate": "满意率",
    "on_time_rate": "按期办结率",
    "reopen_rate": "重办率",
    "return_rate": "退单率",
    "callback_coverage": "回访率",
}
# Rates where a lower value is better (rankings sort the other way).
LOWER_IS_BETTER = {"reopen_rate", "return_rate"}

COMPLAINT_TYPES = ("complaint", "report")
# Names usable as M:<name> in indicator formulas.
METRIC_NAMES = frozenset({*COUNTER_FIELDS, *RATE_NAMES, "median_hours", "p90_hours"})


@dataclass(frozen=True)
class MetricSettings:
    satisfaction_mode: str = "top2"  # "top2" | "weighted"
    weight_satisfied: float = 1.0
    weight_fairly: float = 0.8
    weight_dissatisfied: float = 0.0
    partly_weight: float = 0.0
    min_sample: int = 10


@dataclass(frozen=True)
class OrderFacts:
    """Everything metrics need from one work order (and its latest answered callback)."""

    request_type: str
    request_created_at: datetime
    state: str
    unreasonable_approved: bool
    accepted_at: datetime | None
    response_due_at: datetime | None
    overdue_response: bool
    resolved_at: datetime | None
    resolution_due_at: datetime | None
    overdue_resolution: bool
    reopen_count: int
    returned_count: int
    escalated: bool
    cb_resolved: str = ""  # solved/partly/unsolved, "" when no answered callback
    cb_satisfaction: str = ""


def hours_to_resolve(created: datetime, resolved: datetime) -> int:
    seconds = (resolved - created).total_seconds()
    return max(0, math.ceil(seconds / 3600))


def order_counts(f: OrderFacts) -> tuple[dict[str, int], int | None]:
    """The counters one order adds, and its hours-to-resolve (None if not counted)."""
    c = dict.fromkeys(COUNTER_FIELDS, 0)
    c["received"] = 1
    if f.request_type in COMPLAINT_TYPES:
        c["complaints"] = 1
    if f.state == "merged":
        c["excluded_merged"] = 1
        return c, None
    if f.unreasonable_approved:
        c["excluded_unreasonable"] = 1
        return c, None
    c["scored"] = 1
    if f.accepted_at is not None or f.overdue_response:
        c["response_settled"] = 1
    if f.accepted_at is not None and (
        f.response_due_at is None or f.accepted_at <= f.response_due_at
    ):
        c["responded_in_sla"] = 1
    if f.resolved_at is not None or f.overdue_resolution:
        c["resolution_settled"] = 1
    hours = None
    if f.resolved_at is not None:
        c["resolved"] = 1
        hours = hours_to_resolve(f.request_created_at, f.resolved_at)
        if f.resolution_due_at is None or f.resolved_at <= f.resolution_due_at:
            c["resolved_on_time"] = 1
    if f.resolved_at is not None or f.reopen_count > 0:
        c["ever_resolved"] = 1
    c["reopened"] = int(f.reopen_count > 0)
    c["returned"] = int(f.returned_count > 0)
    c["escalated"] = int(f.escalated)
    if f.cb_satisfaction:
        c["callbacks"] = 1
        c["resolved_with_callback"] = int(f.resolved_at is not None)
        c[f"cb_{f.cb_resolved}"] = 1
        c[f"cb_{f.cb_satisfaction}"] = 1
    return c, hours


def empty_counts() -> dict[str, int]:
    return dict.fromkeys(COUNTER_FIELDS, 0)


def add_counts(total: dict[str, int], more: Mapping[str, Any]) -> dict[str, int]:
    for k in COUNTER_FIELDS:
        total[k] += int(more.get(k) or 0)
    return total


def satisfaction_numerator(c: Mapping[str, int], s: MetricSettings) -> float:
    if s.satisfaction_mode == "weighted":
        return (
            s.weight_satisfied * c["cb_satisfied"]
            + s.weight_fairly * c["cb_fairly"]
            + s.weight_dissatisfied * c["cb_dissatisfied"]
        )
    return float(c["cb_satisfied"] + c["cb_fairly"])


def rates(c: Mapping[str, int], s: MetricSettings) -> dict[str, Rate]:
    m = s.min_sample
    return {
        "response_rate": rate(c["responded_in_sla"], c["response_settled"], min_sample=m),
        "resolution_rate": rate(
            c["cb_solved"] + s.partly_weight * c["cb_partly"], c["callbacks"], min_sample=m
        ),
        "satisfaction_rate": rate(satisfaction_numerator(c, s), c["callbacks"], min_sample=m),
        "on_time_rate": rate(c["resolved_on_time"], c["resolution_settled"], min_sample=m),
        "reopen_rate": rate(c["reopened"], c["ever_resolved"], min_sample=m),
        "return_rate": rate(c["returned"], c["scored"], min_sample=m),
        "callback_coverage": rate(c["resolved_with_callback"], c["resolved"], min_sample=m),
    }


def summarize(c: Mapping[str, int], hist: Mapping[int, int], s: MetricSettings) -> dict[str, Any]:
    """Counters + rates + time to resolve, as one JSON-able dict."""
    out: dict[str, Any] = {k: c[k] for k in COUNTER_FIELDS}
    for name, r in rates(c, s).items():
        out[name] = r.as_dict()
    out["median_hours"] = hist_median(hist)
    out["p90_hours"] = hist_percentile(hist, 90)
    return out


def metric_value(summary: Mapping[str, Any], name: str) -> float | None:
    """A metric by name for formulas: a rate's value, a count, or median/p90 hours."""
    v = summary.get(name)
    if isinstance(v, dict):
        val = v.get("value")
        return float(val) if val is not None else None
    if v is None:
        return None
    return float(v)
