"""Run the scheme checker on a stored scheme (the checker itself is pure: checker.py)."""

from __future__ import annotations

from qingzhuang.evaluation.checker import CheckResult, IndicatorInfo, check_scheme
from qingzhuang.evaluation.models import EvaluationScheme, EvaluationSettings
from qingzhuang.evaluation.scoring import FormulaError, parse_formula


def _elements(formula: str) -> list[str]:
    try:
        return parse_formula(formula).elements
    except FormulaError:  # stored before the formula rules: nothing to look up
        return []


def scheme_check(scheme: EvaluationScheme) -> CheckResult:
    """Flags paperwork indicators, formulas over missing data elements, too many indicators,
    too-frequent assessment; outcome share."""
    from qingzhuang.datastore.models import DataElement

    cfg = EvaluationSettings.objects.filter(pk=1).first() or EvaluationSettings()
    items = list(scheme.items.select_related("indicator"))
    codes = {i.indicator.pk: _elements(i.indicator.formula) for i in items}
    wanted = {c for cs in codes.values() for c in cs}
    known = (
        set(DataElement.objects.filter(code__in=wanted).values_list("code", flat=True))
        if wanted
        else set()
    )
    pairs = [
        (
            IndicatorInfo(
                code=item.indicator.code,
                name=item.indicator.name,
                kind=item.indicator.kind,
                formula=item.indicator.formula,
                unit=item.indicator.unit,
                tags=tuple(item.indicator.tags or ()),
                missing=tuple(c for c in codes[item.indicator.pk] if c not in known),
            ),
            item.weight,
        )
        for item in items
    ]
    return check_scheme(
        pairs,
        frequency_per_year=scheme.frequency_per_year,
        max_indicators=cfg.max_indicators,
        max_frequency=cfg.max_frequency,
    )
