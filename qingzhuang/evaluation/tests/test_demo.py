"""The evaluation demo builds on the data store demo instead of twinning its elements."""

from __future__ import annotations

import importlib
from io import StringIO
from typing import Any

import pytest

from qingzhuang.core.demo import DemoContext

# The demos the evaluation demo builds on, in INSTALLED_APPS order (the request demo is left
# out to keep this quick: without requests the per-1000 indicator is 0, still a value).
BASE = ["org", "reporting", "datastore"]


def _seed(ctx: DemoContext, *apps: str) -> None:
    for app in apps:
        importlib.import_module(f"qingzhuang.{app}.demo").seed(ctx)


def _env_scored() -> list[dict[str, Any]]:
    from qingzhuang.evaluation.demo import SCHEME
    from qingzhuang.evaluation.models import Score

    return [
        c
        for s in Score.objects.filter(scheme__name=SCHEME)
        for c in s.contributions
        if c["indicator"] == "ENV_PER_1000" and c["status"] == "ok"
    ]


@pytest.mark.django_db
def test_demo_reuses_the_population_element_and_its_indicator_scores() -> None:
    from qingzhuang.datastore.models import DataElement
    from qingzhuang.evaluation.demo import SCHEME
    from qingzhuang.evaluation.models import EvaluationScheme, Indicator
    from qingzhuang.evaluation.schemes import scheme_check
    from qingzhuang.evaluation.scoring import parse_formula

    ctx = DemoContext(out=StringIO())
    _seed(ctx, *BASE)
    pop = DataElement.objects.get(name="户籍人口")  # the data store demo's element
    _seed(ctx, "evaluation")
    assert list(DataElement.objects.filter(name="户籍人口")) == [pop]
    env = Indicator.objects.get(code="ENV_PER_1000")
    assert f"E:{pop.code}" in parse_formula(env.formula).variables
    assert _env_scored(), "the per-1000 indicator must score with the shared population figure"
    scheme = EvaluationScheme.objects.get(name=SCHEME)
    assert not [f for f in scheme_check(scheme).findings if f.code == "missing_element"]
    _seed(ctx, "evaluation")  # idempotent
    assert DataElement.objects.filter(name="户籍人口").count() == 1
    assert Indicator.objects.get(code="ENV_PER_1000").formula == env.formula


@pytest.mark.django_db
def test_demo_moves_an_earlier_demo_indicator_off_the_twin_element() -> None:
    from qingzhuang.datastore.models import DataElement
    from qingzhuang.evaluation import services
    from qingzhuang.evaluation.models import Indicator

    ctx = DemoContext(out=StringIO())
    _seed(ctx, *BASE)
    DataElement.objects.create(code="EVAL_POP_TOTAL", name="户籍人口", unit="人")
    services.indicator_upsert(
        code="ENV_PER_1000",
        name="环境类投诉每千人",
        formula="M:complaints@环境 / E:EVAL_POP_TOTAL * 1000",
        direction="lower",
        floor=8,
        target=1,
        actor="test",
    )
    _seed(ctx, "evaluation")
    shared = DataElement.objects.filter(name="户籍人口").exclude(code="EVAL_POP_TOTAL").get()
    assert Indicator.objects.get(code="ENV_PER_1000").formula == (
        f"M:complaints@环境 / E:{shared.code} * 1000"
    )
