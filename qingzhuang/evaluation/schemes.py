"""Run the scheme checker on a stored scheme (the checker itself is pure: checker.py)."""

from __future__ import annotations

from qingzhuang.evaluation.checker import CheckResult, IndicatorInfo, check_scheme
from qingzhuang.evaluation.models import EvaluationScheme, EvaluationSettings


def scheme_check(scheme: EvaluationScheme) -> CheckResult:
    """Flags paperwork indicators, too many indicators, too-frequent assessment; outcome share."""
    cfg = EvaluationSettings.objects.filter(pk=1).first() or EvaluationSettings()
    pairs = [
        (
            IndicatorInfo(
                code=item.indicator.code,
                name=item.indicator.name,
                kind=item.indicator.kind,
                formula=item.indicator.formula,
                unit=item.indicator.unit,
                tags=tuple(item.indicator.tags or ()),
            ),
            item.weight,
        )
        for item in scheme.items.select_related("indicator")
    ]
    return check_scheme(
        pairs,
        frequency_per_year=scheme.frequency_per_year,
        max_indicators=cfg.max_indicators,
        max_frequency=cfg.max_frequency,
    )
