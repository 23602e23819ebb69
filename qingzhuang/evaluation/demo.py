"""Demo evaluation: outcome-heavy indicators, one deliberately bad paperwork indicator (flagged by
the checker), a quarterly scheme with weights, a goal tree, and scores for the 12 villages.

Idempotent: a second `qz demo` finds everything in place and changes nothing.
"""

from __future__ import annotations

import random
from typing import Any

from django.utils import timezone

from qingzhuang.core.demo import DemoContext
from qingzhuang.evaluation import services
from qingzhuang.evaluation.aggregates import metrics_rebuild, metrics_verify, raw_range
from qingzhuang.evaluation.models import EvaluationSettings, Indicator, Score

SCHEME = "村(社区)为民服务年度考核"
DEMO_MIN_SAMPLE = 3  # the hand-made demo has only a few requests per village

INDICATORS: list[dict[str, Any]] = [
    {
        "code": "SATISFACTION",
        "name": "群众满意率",
        "formula": "M:satisfaction_rate",
        "unit": "%",
        "floor": 0.7,
        "target": 0.95,
        "baseline": 0.65,
        "kind": "outcome",
        "tags": ["接诉即办"],
    },
    {
        "code": "RESOLUTION",
        "name": "诉求解决率",
        "formula": "M:resolution_rate",
        "unit": "%",
        "floor": 0.6,
        "target": 0.95,
        "baseline": 0.53,
        "kind": "outcome",
        "tags": ["接诉即办"],
    },
    {
        "code": "ENV_PER_1000",
        "name": "环境类投诉每千人",
        "unit": "件/千人",
        "formula": "M:complaints@环境 / E:{population} * 1000",
        "direction": "lower",
        "floor": 8,
        "target": 1,
        "baseline": 6,
        "kind": "outcome",
        "tags": ["人居环境"],
    },
    {
        "code": "DIBAO_ONTIME",
        "name": "低保按时复核率",
        "formula": "E:EVAL_DIBAO_ONTIME / E:EVAL_DIBAO_DUE",
        "unit": "%",
        "floor": 0.8,
        "target": 1.0,
        "baseline": 0.85,
        "kind": "outcome",
        "tags": ["民生兜底"],
    },
    {
        "code": "REOPEN",
        "name": "诉求重办率",
        "formula": "M:reopen_rate",
        "unit": "%",
        "direction": "lower",
        "floor": 0.2,
        "target": 0.02,
        "kind": "outcome",
        "tags": ["接诉即办"],
    },
    {
        "code": "RESPONSE",
        "name": "诉求响应率",
        "formula": "M:response_rate",
        "unit": "%",
        "floor": 0.7,
        "target": 1.0,
        "kind": "process",
        "tags": ["接诉即办"],
    },
    # Deliberately bad: rewards paperwork. The scheme checker flags it on the 考核方案 page.
    {
        "code": "LEDGER_PHOTOS",
        "name": "工作台账和走访照片数量",
        "formula": "E:EVAL_LEDGER_PHOTOS",
        "unit": "张",
        "floor": 0,
        "target": 200,
        "kind": "process",
        "tags": ["留痕"],
    },
]
WEIGHTS = {
    "SATISFACTION": 30,
    "RESOLUTION": 25,
    "ENV_PER_1000": 15,
    "DIBAO_ONTIME": 15,
    "REOPEN": 5,
    "RESPONSE": 5,
    "LEDGER_PHOTOS": 5,
}
# The population figure is the data store demo's 户籍人口 (一数一源: one element per figure);
# only the figures no other demo holds are created here.
POPULATION_NAME = "户籍人口"
POPULATION_FALLBACK_CODE = "EVAL_POP_TOTAL"  # only when no 户籍人口 element exists yet
ELEMENTS = [
    ("EVAL_DIBAO_DUE", "低保应复核户数", "户"),
    ("EVAL_DIBAO_ONTIME", "低保按时复核户数", "户"),
    ("EVAL_LEDGER_PHOTOS", "工作台账和走访照片数量", "张"),  # read by the bad indicator; no values
]


def _population(ctx: DemoContext, admin: Any, year: str) -> Any:
    """The one 户籍人口 element (the data store demo runs first and creates it), with a
    figure for every village for this year or the year before (what indicators read)."""
    from qingzhuang.datastore import services as ds
    from qingzhuang.datastore.models import DataElement, DataValue

    found = list(DataElement.objects.filter(name=POPULATION_NAME).order_by("code"))
    # an older demo's twin (EVAL_POP_TOTAL) is used only when it is the only one
    el = next((e for e in found if e.code != POPULATION_FALLBACK_CODE), None) or next(
        iter(found), None
    )
    if el is None:
        el = ds.data_element_create(
            code=POPULATION_FALLBACK_CODE,
            name=POPULATION_NAME,
            unit="人",
            actor=admin,
            period_type="year",
        )
    recent = {str(int(year) - 1), year}
    for village in ctx.villages:
        values = DataValue.objects.filter(element=el, org_unit=village, category_option=None)
        if values.filter(period__in=recent).exists():
            continue
        ds.data_value_set(
            element=el, org_unit=village, period=year, value=_pop(village), actor=admin
        )
    return el


def _pop(village: Any) -> int:
    return 800 + (int(village.code[-3:]) * 137) % 2200


def _elements(ctx: DemoContext) -> Any:
    """Create the demo's own elements and values; return the population element."""
    from qingzhuang.datastore import services as ds
    from qingzhuang.datastore.models import DataElement, DataValue

    admin = ctx.users.get("admin", "demo")
    year = str(timezone.localdate().year)
    rng = random.Random(7)  # noqa: S311 — demo figures, not security
    population = _population(ctx, admin, year)
    for code, name, unit in ELEMENTS:
        el = DataElement.objects.filter(code=code).first() or ds.data_element_create(
            code=code, name=name, unit=unit, actor=admin, period_type="year"
        )
        if code == "EVAL_LEDGER_PHOTOS":
            continue
        for village in ctx.villages:
            pop = _pop(village)
            value = {
                "EVAL_DIBAO_DUE": 20 + pop // 100,
                "EVAL_DIBAO_ONTIME": 20 + pop // 100 - rng.randint(0, 4),
            }[code]
            if not DataValue.objects.filter(element=el, org_unit=village, period=year).exists():
                ds.data_value_set(
                    element=el, org_unit=village, period=year, value=value, actor=admin
                )
    return population


def _goals(admin: Any) -> None:
    ind = {i.code: i for i in Indicator.objects.all()}
    root = services.goal_create(name="群众满意的乡镇", actor=admin)
    served = services.goal_create(
        name="诉求办得快办得好", parent=root, weight=3, actor=admin, order=1
    )
    for code in ("SATISFACTION", "RESOLUTION", "REOPEN"):
        services.goal_create(name=ind[code].name, parent=served, indicator=ind[code], actor=admin)
    env = services.goal_create(name="人居环境更好", parent=root, weight=1, actor=admin, order=2)
    services.goal_create(
        name=ind["ENV_PER_1000"].name, parent=env, indicator=ind["ENV_PER_1000"], actor=admin
    )
    welfare = services.goal_create(name="兜底保障到位", parent=root, weight=1, actor=admin, order=3)
    services.goal_create(
        name=ind["DIBAO_ONTIME"].name, parent=welfare, indicator=ind["DIBAO_ONTIME"], actor=admin
    )


def counters_stale() -> bool:
    """Cheap check (two aggregate queries): do the monthly counters cover every counted order,
    and does every month of orders have counters?"""
    from django.db.models import Sum

    from qingzhuang.evaluation.models import MetricMonthly
    from qingzhuang.service_requests.models import WorkOrder

    if raw_range() is None:
        return False
    raw = WorkOrder.objects.filter(request__duplicate_of__isnull=True).count()
    stored = MetricMonthly.objects.aggregate(n=Sum("received"))["n"] or 0
    if raw != stored:
        return True
    # Exact check too when it is cheap (bulk-generated orders are always covered by the count).
    return raw < 100_000 and bool(metrics_verify_recent())


def metrics_verify_recent() -> list[Any]:
    """Verify the most recent 180 days exactly (the hand-made demo requests live there)."""
    from datetime import timedelta

    rng = raw_range()
    if rng is None:
        return []
    return metrics_verify(start=max(rng[0], rng[1] - timedelta(days=180)), end=rng[1])


def seed(ctx: DemoContext) -> None:
    admin = ctx.users.get("admin", "demo")
    if not EvaluationSettings.objects.exists():
        services.settings_update(actor=admin, min_sample=DEMO_MIN_SAMPLE)
        ctx.say(
            f"评价：演示数据较少，参与排名的最少样本设为 {DEMO_MIN_SAMPLE}（可在“诉求指标”页修改）"
        )
    # The request demo writes timelines with queryset.update() and bulk_create (no signals):
    # rebuild the counters from the raw data when they do not account for every order.
    rebuilt = counters_stale()
    if rebuilt:
        r = metrics_rebuild()
        ctx.say(f"评价：已按原始工单重算诉求指标汇总（{r['rows']} 行）")
    population = _elements(ctx)
    for spec in INDICATORS:
        spec = {**spec, "formula": spec["formula"].format(population=population.code)}
        existing = Indicator.objects.filter(code=spec["code"]).first()
        # Earlier demos read a twin 户籍人口 (EVAL_POP_TOTAL): point them at the shared one.
        stale = (
            existing is not None
            and population.code != POPULATION_FALLBACK_CODE
            and f"E:{POPULATION_FALLBACK_CODE}" in existing.formula
        )
        if existing is None or stale:
            services.indicator_upsert(actor=admin, **spec)
    scheme = services.scheme_upsert(
        name=SCHEME,
        period_type="year",
        frequency_per_year=1,
        description="以结果和群众满意度为主、一年考核一次（演示）",
        actor=admin,
    )
    for order, (code, weight) in enumerate(WEIGHTS.items()):
        services.scheme_item_set(
            scheme=scheme,
            indicator=Indicator.objects.get(code=code),
            weight=weight,
            order=order,
            actor=admin,
        )
    _goals(admin)
    periods = [str(timezone.localdate().year)]
    for period in periods:
        if rebuilt or not Score.objects.filter(scheme=scheme, period=period).exists():
            services.scores_compute(scheme=scheme, period=period, actor=admin)
    from qingzhuang.evaluation.gaming import comment_sentiment_refresh
    from qingzhuang.evaluation.signal_store import signals_rebuild

    # Score every comment (each distinct text once), then recompute the gaming-signal
    # candidates from raw data: the request demo bulk-loads without signals.
    while comment_sentiment_refresh(limit=100_000, mark=False):
        pass
    r = signals_rebuild()
    ctx.say(f"评价：已按原始数据重算异常信号候选（{r['signal_rows']} 行）")
    ctx.say(
        f"评价：指标 {Indicator.objects.count()} 项，方案“{SCHEME}”，"
        f"评分 {Score.objects.filter(scheme=scheme).count()} 条（{'、'.join(periods)}）"
    )
