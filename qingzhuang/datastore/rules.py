"""Validation rules kept by hand: what ``services.check_value`` checks as numbers come in.

A rule belongs to one element. ``sum_equals``: the element is a total and ``others`` are its
parts; ``not_above``: the element is a part and ``others[0]`` the total it may not exceed;
``outlier``: ``ratio`` is the change from the previous period that raises a warning;
``non_negative`` only states what is always checked. ``is_error`` decides whether a failing
number is refused or only flagged. Re-exported from ``services``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext

from qingzhuang.audit.services import audit_record, snapshot
from qingzhuang.core.errors import Conflict, InvalidInput
from qingzhuang.datastore.catalogue import require_manage, unit_label
from qingzhuang.datastore.models import DataElement, RuleKind, ValidationRule
from qingzhuang.i18n import join_list

OUTLIER_RATIO = 0.5
RATIO_MIN, RATIO_MAX = 0.01, 10.0  # 1% .. 1000%


@dataclass(frozen=True)
class RuleSpec:
    """A rule after checking: what ``validation_rule_create``/``_update`` will store."""

    name: str
    kind: str
    others: list[str]
    ratio: float
    is_error: bool


def default_rule_name(
    kind: str, element: DataElement, others: Sequence[DataElement], ratio: float
) -> str:
    if kind == RuleKind.SUM_EQUALS:
        return "+".join(o.name for o in others) + f"等于{element.name}"
    if kind == RuleKind.NOT_ABOVE and others:
        return f"{element.name}不大于{others[0].name}"
    if kind == RuleKind.OUTLIER:
        return f"{element.name}与上期相比变化不超过{round(ratio * 100):g}%"
    return f"{element.name}不能为负数"


def _check_comparable(element: DataElement, other: DataElement) -> None:
    field = "others"
    if other.unit.strip() != element.unit.strip():
        raise InvalidInput(
            gettext(
                "“%(other)s”的单位是“%(other_unit)s”，“%(element)s”的单位是"
                "“%(element_unit)s”，单位不同的数不能相加或比较。"
                "请选单位相同的数据元，或先把单位统一。"
            )
            % {
                "other": other.name,
                "other_unit": unit_label(other.unit),
                "element": element.name,
                "element_unit": unit_label(element.unit),
            },
            extra={"field": field},
        )
    if other.period_type != element.period_type:
        raise InvalidInput(
            gettext(
                "“%(other)s”按%(other_period_type)s填报，“%(element)s”按"
                "%(element_period_type)s填报，两个数不在同一个时期，这条规则永远不会检查。"
                "请选时期类型相同的数据元。"
            )
            % {
                "other": other.name,
                "other_period_type": other.get_period_type_display(),
                "element": element.name,
                "element_period_type": element.get_period_type_display(),
            },
            extra={"field": field},
        )


def validation_rule_check(
    *,
    element: DataElement,
    kind: str,
    others: Sequence[str],
    ratio: float = OUTLIER_RATIO,
    is_error: bool = True,
    name: str = "",
    rule: ValidationRule | None = None,
) -> RuleSpec:
    """Check a rule without saving it (the page preview uses this too).

    ``others`` are element codes: the parts of a total (sum_equals) or the one total a part
    may not exceed (not_above). They must share the element's unit and period type, because
    check_value compares the stored numbers as they are.
    """
    if kind not in RuleKind.values:
        raise InvalidInput(gettext("请选择规则类型"), extra={"field": "kind"})
    codes = list(dict.fromkeys(c.strip() for c in others if c and c.strip()))
    if kind in (RuleKind.NON_NEGATIVE, RuleKind.OUTLIER):
        codes = []
    if element.code in codes:
        raise InvalidInput(
            gettext("规则不能拿“%(name)s”和它自己比较，请选另一个数据元") % {"name": element.name},
            extra={"field": "others"},
        )
    if kind == RuleKind.SUM_EQUALS and len(codes) < 2:
        raise InvalidInput(gettext("“分项之和等于合计”至少要选两个分项"), extra={"field": "others"})
    if kind == RuleKind.NOT_ABOVE and len(codes) != 1:
        raise InvalidInput(
            gettext("“其中项不大于总数”要选一个总数（只能选一个）"), extra={"field": "others"}
        )
    found = {e.code: e for e in DataElement.objects.filter(code__in=codes)}
    missing = [c for c in codes if c not in found]
    if missing:
        raise InvalidInput(
            gettext("找不到数据元：%(codes)s") % {"codes": join_list(missing)},
            extra={"field": "others"},
        )
    for code in codes:
        _check_comparable(element, found[code])
    if kind == RuleKind.OUTLIER:
        if not (math.isfinite(ratio) and RATIO_MIN <= ratio <= RATIO_MAX):
            raise InvalidInput(
                gettext("变化幅度请填 1 到 1000 之间的百分数，例如 50 表示增减超过 50% 时提醒"),
                extra={"field": "ratio"},
            )
        clash = ValidationRule.objects.filter(element=element, kind=RuleKind.OUTLIER, active=True)
        if rule is not None:
            clash = clash.exclude(pk=rule.pk)
        other_rule = clash.first()
        if other_rule is not None:
            raise Conflict(
                gettext(
                    "“%(element)s”已有一条“与上期相比变化过大”的规则（“%(rule)s”），"
                    "一个数据元只需要一条，请直接修改那一条。"
                )
                % {"element": element.name, "rule": other_rule.name},
                extra={"field": "kind"},
            )
        is_error = False  # check_value only ever warns about a jump
    else:
        ratio = OUTLIER_RATIO
    if kind == RuleKind.NON_NEGATIVE:
        is_error = True  # a negative number is always refused
    name = (name or "").strip() or default_rule_name(
        kind, element, [found[c] for c in codes], ratio
    )
    if len(name) > 255:
        raise InvalidInput(gettext("规则名称太长，请控制在 255 个字以内"), extra={"field": "name"})
    return RuleSpec(name=name, kind=kind, others=codes, ratio=ratio, is_error=is_error)


@transaction.atomic
def validation_rule_create(
    *,
    name: str,
    kind: str,
    element: DataElement,
    others: Sequence[str],
    actor: Any,
    is_error: bool = True,
    ratio: float = OUTLIER_RATIO,
    replace: bool = True,
) -> ValidationRule:
    """Add a rule to an element. With ``replace`` (scripts, the demo) a rule of the same name on
    the same element is updated in place, so running a script again changes nothing; the
    pages pass ``replace=False`` and get a plain refusal instead of a silent overwrite."""
    require_manage(actor)
    existing = ValidationRule.objects.filter(element=element, name=(name or "").strip()).first()
    spec = validation_rule_check(
        element=element,
        kind=kind,
        others=others,
        ratio=ratio,
        is_error=is_error,
        name=name,
        rule=existing,
    )
    existing = existing or ValidationRule.objects.filter(element=element, name=spec.name).first()
    if existing is not None and not replace:
        raise Conflict(
            gettext("“%(element)s”已有名为“%(rule)s”的规则，请换个名称，或直接修改那一条")
            % {"element": element.name, "rule": spec.name},
            extra={"field": "name"},
        )
    if existing is not None:
        return _rule_save(actor=actor, rule=existing, spec=spec)
    rule = ValidationRule.objects.create(
        element=element,
        name=spec.name,
        kind=spec.kind,
        others=spec.others,
        ratio=spec.ratio,
        is_error=spec.is_error,
    )
    audit_record(actor=actor, action="datastore.rule.create", target=rule, after=snapshot(rule))
    return rule


def _rule_save(*, actor: Any, rule: ValidationRule, spec: RuleSpec) -> ValidationRule:
    before = snapshot(rule)
    rule.name, rule.kind, rule.others = spec.name, spec.kind, spec.others
    rule.ratio, rule.is_error = spec.ratio, spec.is_error
    if snapshot(rule) == before:  # a script run again: nothing to record
        return rule
    rule.save()
    audit_record(
        actor=actor,
        action="datastore.rule.update",
        target=rule,
        before=before,
        after=snapshot(rule),
    )
    return rule


@transaction.atomic
def validation_rule_update(
    *,
    actor: Any,
    rule: ValidationRule,
    name: str,
    kind: str,
    others: Sequence[str],
    ratio: float = OUTLIER_RATIO,
    is_error: bool = True,
) -> ValidationRule:
    """Change a rule; the next number typed or harvested is checked against the new rule."""
    require_manage(actor)
    rule = ValidationRule.objects.select_for_update().select_related("element").get(pk=rule.pk)
    spec = validation_rule_check(
        element=rule.element,
        kind=kind,
        others=others,
        ratio=ratio,
        is_error=is_error,
        name=name,
        rule=rule,
    )
    if (
        ValidationRule.objects.filter(element=rule.element, name=spec.name)
        .exclude(pk=rule.pk)
        .exists()
    ):
        raise Conflict(
            gettext("“%(element)s”已有名为“%(rule)s”的规则，请换个名称")
            % {"element": rule.element.name, "rule": spec.name},
            extra={"field": "name"},
        )
    return _rule_save(actor=actor, rule=rule, spec=spec)


@transaction.atomic
def validation_rule_set_active(*, actor: Any, rule: ValidationRule, active: bool) -> ValidationRule:
    """Stop (or resume) checking a rule without losing it. Resuming checks the rule again,
    since the elements it names may have changed in the meantime."""
    require_manage(actor)
    rule = ValidationRule.objects.select_for_update().select_related("element").get(pk=rule.pk)
    if rule.active == active:
        return rule
    if active:
        validation_rule_check(
            element=rule.element,
            kind=rule.kind,
            others=rule.others or [],
            ratio=rule.ratio,
            is_error=rule.is_error,
            name=rule.name,
            rule=rule,
        )
    before = snapshot(rule)
    rule.active = active
    rule.save(update_fields=["active"])
    audit_record(
        actor=actor,
        action="datastore.rule.activate" if active else "datastore.rule.deactivate",
        target=rule,
        before=before,
        after=snapshot(rule),
    )
    return rule


def rule_describe(
    *,
    kind: str,
    element: DataElement,
    others: Sequence[DataElement],
    ratio: float,
    is_error: bool,
) -> str:
    """What a rule means for the person typing the numbers, in one or two plain sentences of
    the active language (worked out each time it is shown, never stored)."""
    if kind == RuleKind.SUM_EQUALS and others:
        text = (
            gettext(
                "同一单位、同一时期，%(parts)s之和必须等于“%(total)s”；不通过时不许保存。"
                "这几个数都填了才会检查。"
            )
            if is_error
            else gettext(
                "同一单位、同一时期，%(parts)s之和必须等于“%(total)s”；不通过时只提醒核实，"
                "仍可保存。这几个数都填了才会检查。"
            )
        )
        return text % {"parts": "+".join(f"“{o.name}”" for o in others), "total": element.name}
    if kind == RuleKind.NOT_ABOVE and others:
        text = (
            gettext(
                "同一单位、同一时期，“%(part)s”不能大于“%(total)s”；不通过时不许保存。"
                "两个数都填了才会检查。"
            )
            if is_error
            else gettext(
                "同一单位、同一时期，“%(part)s”不能大于“%(total)s”；不通过时只提醒核实，"
                "仍可保存。两个数都填了才会检查。"
            )
        )
        return text % {"part": element.name, "total": others[0].name}
    if kind == RuleKind.OUTLIER:
        pct = round(ratio * 100, 1)
        text = (
            gettext(
                "“%(name)s”与上期相比增减超过 %(pct)s%% 时，提醒填报人核实（只提醒，不阻止保存）。"
                "例如上期是 100，本期低于 %(low)s 或高于 %(high)s 时提醒。"
            )
            if pct < 100
            else gettext(
                "“%(name)s”与上期相比增减超过 %(pct)s%% 时，提醒填报人核实（只提醒，不阻止保存）。"
                "例如上期是 100，本期高于 %(high)s 时提醒。"
            )
        )
        return text % {
            "name": element.name,
            "pct": f"{pct:g}",
            "low": f"{100 - pct:g}",
            "high": f"{100 + pct:g}",
        }
    if kind == RuleKind.NON_NEGATIVE:
        return gettext(
            "“%(name)s”不能填负数，否则不许保存。（除增减、增长率、利润等可正可负的项外，数据元本来就做这项检查。）"
        ) % {"name": element.name}
    return gettext("请先选好规则类型和要比较的数据元。")
