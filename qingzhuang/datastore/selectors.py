"""Reads for the data store; every read of values takes the user's scope."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.utils.translation import gettext as _

from qingzhuang.core.errors import NotFound
from qingzhuang.datastore.models import (
    CategoryOption,
    DataElement,
    DataValue,
    FieldMapping,
    FillEvent,
    ValidationRule,
)
from qingzhuang.datastore.periods import Period
from qingzhuang.org.models import OrgUnit
from qingzhuang.org.scope import Scope


def elements_list(*, q: str = "") -> QuerySet[DataElement]:
    qs = DataElement.objects.select_related("owner").annotate(field_count=Count("mappings"))
    if q:
        qs = qs.filter(name__icontains=q)
    return qs.order_by("code")


def element_get(*, code: str) -> DataElement:
    try:
        return DataElement.objects.get(code=code)
    except DataElement.DoesNotExist as exc:
        raise NotFound(_("找不到数据元 %(code)s") % {"code": code}) from exc


def element_detail(*, pk: int) -> DataElement:
    try:
        return DataElement.objects.select_related("owner").get(pk=pk)
    except DataElement.DoesNotExist as exc:
        raise NotFound(_("找不到这个数据元，可能已被删除。请回到数据元列表重新选择。")) from exc


def element_fields(*, element: DataElement) -> QuerySet[FieldMapping]:
    """The form fields filled from this element (template, sheet, cell, breakdown, factor)."""
    return (
        FieldMapping.objects.filter(element=element)
        .select_related("field__template__issuer", "field__sheet", "category_option")
        .order_by(
            "field__template__title",
            "field__template_id",
            "field__sheet__position",
            "field__position",
        )
    )


def element_usage(*, element: DataElement) -> dict[str, Any]:
    """How much the store holds under this element, as counts only (no unit's numbers).

    Whole-store counts on purpose: whether a unit change or a deletion is safe depends on every
    stored number, not only on those the viewer may read.
    """
    values = DataValue.objects.filter(element=element)
    periods = sorted(set(values.order_by().values_list("period", flat=True).distinct()[:200]))
    by_option = dict(
        values.filter(category_option__isnull=False)
        .order_by()
        .values_list("category_option_id")
        .annotate(n=Count("id"))
        .values_list("category_option_id", "n")
    )
    return {
        "values": values.count(),
        "units": values.order_by().values("org_unit_id").distinct().count(),
        "periods": periods,
        "fields": FieldMapping.objects.filter(element=element).count(),
        "by_option": by_option,
    }


def rule_get(*, pk: int) -> ValidationRule:
    try:
        return ValidationRule.objects.select_related("element").get(pk=pk)
    except ValidationRule.DoesNotExist as exc:
        raise NotFound(_("找不到这条规则，可能已被删除。请回到数据元页面重新选择。")) from exc


def describe_rules(rules: list[ValidationRule]) -> list[dict[str, Any]]:
    """Each rule with the elements it names and what it means in plain Chinese."""
    from qingzhuang.datastore.rules import rule_describe

    codes = {c for r in rules for c in (r.others or [])}
    by_code = {e.code: e for e in DataElement.objects.filter(code__in=codes)}
    out = []
    for rule in rules:
        others = [by_code[c] for c in rule.others or [] if c in by_code]
        out.append(
            {
                "rule": rule,
                "others": others,
                "missing": [c for c in rule.others or [] if c not in by_code],
                "text": rule_describe(
                    kind=rule.kind,
                    element=rule.element,
                    others=others,
                    ratio=rule.ratio,
                    is_error=rule.is_error,
                ),
            }
        )
    return out


def element_rules(*, element: DataElement) -> dict[str, list[dict[str, Any]]]:
    """Rules of this element, and rules of other elements that name it (a total's parts)."""
    own = list(element.rules.select_related("element").order_by("-active", "pk"))
    # JSON containment is not portable to SQLite; rules are few, so filter here.
    naming = [
        r
        for r in ValidationRule.objects.exclude(element=element).select_related("element")
        if element.code in (r.others or [])
    ]
    return {"own": describe_rules(own), "naming": describe_rules(naming)}


def category_options_list() -> list[CategoryOption]:
    """Every breakdown with how many elements use it and how many numbers are stored by it."""
    options: list[CategoryOption] = list(
        CategoryOption.objects.annotate(element_count=Count("dataelement"))
    )
    counts = dict(
        DataValue.objects.filter(category_option__isnull=False)
        .order_by()
        .values_list("category_option_id")
        .annotate(n=Count("id"))
        .values_list("category_option_id", "n")
    )
    for option in options:
        option.value_count = counts.get(option.pk, 0)  # type: ignore[attr-defined]
    return options


def category_option_get(*, pk: int) -> CategoryOption:
    try:
        return CategoryOption.objects.get(pk=pk)
    except CategoryOption.DoesNotExist as exc:
        raise NotFound(_("找不到这个分类选项，可能已被删除。")) from exc


def data_values(
    *,
    scope: Scope,
    org_unit: OrgUnit | None = None,
    period: str = "",
    element_code: str = "",
) -> QuerySet[DataValue]:
    qs = scope.filter(
        DataValue.objects.select_related("element", "org_unit", "category_option"),
        field="org_unit",
    )
    if org_unit is not None:
        scope.require(org_unit)
        qs = qs.filter(org_unit=org_unit)
    if period:
        qs = qs.filter(period=period)
    if element_code:
        qs = qs.filter(element__code=element_code)
    return qs.order_by("element__code", "org_unit__path", "period")


def latest_period(*, scope: Scope) -> str:
    """The most recent period with form-mapped values in scope, so pages open on real data."""
    rows = (
        scope.filter(DataValue.objects.all(), field="org_unit")
        .filter(element__mappings__isnull=False)  # values some form can actually use
        .values_list("period", flat=True)
    )
    periods = sorted(set(rows.order_by().distinct()[:500]), key=_period_sort_key)
    return periods[-1] if periods else ""


def _period_sort_key(code: str) -> tuple[int, int]:
    from qingzhuang.datastore.periods import parse_period

    p = parse_period(code)
    return (p.year, p.month_index)


def entry_form(*, scope: Scope, org_unit: OrgUnit, period: Period) -> dict[str, Any]:
    """Elements a unit still has to enter for a period (asked by some form, not yet known)."""
    scope.require(org_unit)
    elements = list(DataElement.objects.filter(mappings__isnull=False).distinct().order_by("code"))
    known = {
        v.element_id: v
        for v in DataValue.objects.filter(
            org_unit=org_unit, period=period.code, category_option__isnull=True
        )
    }
    previous = dict(
        DataValue.objects.filter(
            org_unit=org_unit, period=period.previous().code, category_option__isnull=True
        ).values_list("element_id", "value")
    )
    missing = [e for e in elements if e.pk not in known]
    for e in missing:
        e.previous_value = previous.get(e.pk)  # type: ignore[attr-defined]
    return {
        "missing": missing,
        "known": [(e, known[e.pk]) for e in elements if e.pk in known],
    }


def savings_summary(*, scope: Scope, year: int, month: int | None = None) -> dict[str, Any]:
    """Cells auto-filled vs typed and minutes saved, per template, issuer and month.

    The burden ledger and the home card read this; it groups in SQL so it stays cheap.
    """
    qs = scope.filter(FillEvent.objects.all(), field="org_unit").filter(created_at__year=year)
    if month:
        qs = qs.filter(created_at__month=month)
    rows = list(
        qs.values(
            "template_id",
            "template__title",
            "template__issuer__name",
            "created_at__month",
            "minutes_per_field",
        ).annotate(auto=Sum("fields_auto"), typed=Sum("fields_typed"), fills=Count("id"))
    )
    by_template: dict[int, dict[str, Any]] = {}
    by_issuer: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"auto": 0, "typed": 0, "minutes": 0.0}
    )
    by_month: dict[int, dict[str, Any]] = defaultdict(
        lambda: {"auto": 0, "typed": 0, "minutes": 0.0}
    )
    total = {"auto": 0, "typed": 0, "minutes": 0.0, "fills": 0}
    for r in rows:
        minutes = (r["auto"] or 0) * r["minutes_per_field"]
        t = by_template.setdefault(
            r["template_id"],
            {
                "template": r["template_id"],
                "title": r["template__title"],
                "issuer": r["template__issuer__name"] or "",
                "auto": 0,
                "typed": 0,
                "minutes": 0.0,
                "fills": 0,
            },
        )
        for bucket in (
            t,
            by_issuer[r["template__issuer__name"] or ""],
            by_month[r["created_at__month"]],
            total,
        ):
            bucket["auto"] += r["auto"] or 0
            bucket["typed"] += r["typed"] or 0
            bucket["minutes"] += minutes
        t["fills"] += r["fills"]
        total["fills"] += r["fills"]
    return {
        "year": year,
        "month": month,
        **total,
        "hours": round(total["minutes"] / 60, 1),
        "by_template": sorted(by_template.values(), key=lambda x: -x["minutes"]),
        "by_issuer": [{"issuer": k, **v} for k, v in sorted(by_issuer.items())],
        "by_month": [{"month": k, **v} for k, v in sorted(by_month.items())],
    }
