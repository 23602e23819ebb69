"""Merging a duplicate data element into the one that stays (一数一源).

Two elements for one number happen: concept acceptance named two fields alike, an older demo
made a twin, somebody added one by hand. ``merge_plan`` says what a merge would do; the
service ``element_merge`` does it in one transaction: numbers and their history, form fields,
breakdowns, validation rules, accepted concepts and indicator formulas move to the target, the
duplicate's name and aliases become aliases of the target, and the duplicate is deleted.
Numbers stored under both for the same unit and period must agree, unless the caller chooses
to keep the target's (the other number is then kept in the value's history).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext, ngettext

from qingzhuang.audit.services import audit_record, snapshot
from qingzhuang.core.errors import Conflict, InvalidInput
from qingzhuang.datastore.catalogue import (
    _indicators_naming,
    _rules_naming,
    clean_aliases,
    require_manage,
)
from qingzhuang.datastore.models import (
    DataElement,
    DataValue,
    DataValueHistory,
    FieldMapping,
    ValidationRule,
)
from qingzhuang.datastore.numbers import human_number
from qingzhuang.datastore.periods import parse_period
from qingzhuang.i18n import join_clauses, join_list

SHOWN_CONFLICTS = 5


@dataclass(frozen=True)
class ValueConflict:
    unit_name: str
    period: str
    option: str
    source_value: Decimal
    target_value: Decimal

    @property
    def period_label(self) -> str:
        return parse_period(self.period).label

    def describe(self) -> str:
        where = f"{self.unit_name} {self.period_label}"
        if self.option:
            where += f"（{self.option}）"
        return gettext("%(where)s：%(source)s 与 %(target)s") % {
            "where": where,
            "source": human_number(self.source_value),
            "target": human_number(self.target_value),
        }


@dataclass
class MergePlan:
    """What merging ``source`` into ``target`` does; counts are of the source's things."""

    source: DataElement
    target: DataElement
    moved: int = 0  # numbers only the source has: they move
    same: int = 0  # numbers both have with the same value: the source's copy goes
    conflicts: list[ValueConflict] = field(default_factory=list)
    fields: int = 0
    rules: int = 0
    indicators: int = 0
    concepts: int = 0
    problems: list[str] = field(default_factory=list)  # reasons the merge cannot be done


@dataclass
class MergeResult:
    target: DataElement
    moved: int
    same: int
    conflicts_kept: int
    fields: int
    rules: int
    indicators: int
    concepts: int


def _kind_problems(source: DataElement, target: DataElement) -> list[str]:
    if source.pk == target.pk:
        return [gettext("不能把数据元合并到它自己")]
    problems = []
    if source.unit.strip() != target.unit.strip():
        problems.append(
            gettext("计量单位不同（%(source)s / %(target)s）")
            % {"source": source.unit or "—", "target": target.unit or "—"}
        )
    if source.value_type != target.value_type:
        problems.append(
            gettext("数值类型不同（%(source)s / %(target)s）")
            % {
                "source": source.get_value_type_display(),
                "target": target.get_value_type_display(),
            }
        )
    if source.period_type != target.period_type:
        problems.append(
            gettext("填报周期不同（%(source)s / %(target)s）")
            % {
                "source": source.get_period_type_display(),
                "target": target.get_period_type_display(),
            }
        )
    return problems


def _self_rules(source: DataElement, target: DataElement) -> list[ValidationRule]:
    """Rules that would compare the target with itself once the source's code is the target's."""
    both = {source.code, target.code}
    out = []
    for rule in ValidationRule.objects.filter(element__in=[source, target]):
        if both & set(rule.others or []):
            out.append(rule)
    return out


def _key(value: DataValue) -> tuple[int, str, int | None]:
    return (value.org_unit_id, value.period, value.category_option_id)


def merge_plan(*, source: DataElement, target: DataElement) -> MergePlan:
    """Count what a merge would move and find the numbers that disagree; changes nothing."""
    plan = MergePlan(source=source, target=target)
    plan.problems = _kind_problems(source, target)
    if source.pk == target.pk:
        return plan
    for rule in _self_rules(source, target):
        plan.problems.append(
            gettext("“%(element)s”的规则“%(rule)s”会变成拿它和自己比较，请先修改或停用这条规则")
            % {"element": rule.element.name, "rule": rule.name}
        )
    held = {
        _key(v): v.value
        for v in DataValue.objects.filter(element=target).only(
            "org_unit_id", "period", "category_option_id", "value"
        )
    }
    for value in (
        DataValue.objects.filter(element=source)
        .select_related("org_unit", "category_option")
        .order_by("org_unit__path", "period", "pk")
    ):
        theirs = held.get(_key(value))
        if theirs is None:
            plan.moved += 1
        elif theirs == value.value:
            plan.same += 1
        else:
            plan.conflicts.append(
                ValueConflict(
                    unit_name=value.org_unit.name,
                    period=value.period,
                    option=value.category_option.name if value.category_option else "",
                    source_value=value.value,
                    target_value=theirs,
                )
            )
    plan.fields = FieldMapping.objects.filter(element=source).count()
    plan.rules = source.rules.count() + len(_rules_naming(source))
    plan.indicators = len(_indicators_naming(source.code))
    from qingzhuang.reporting.models import Concept

    plan.concepts = Concept.objects.filter(element_code=source.code).count()
    return plan


def conflicts_message(plan: MergePlan) -> str:
    shown = join_list([c.describe() for c in plan.conflicts[:SHOWN_CONFLICTS]])
    more = len(plan.conflicts) - SHOWN_CONFLICTS
    if more > 0:
        shown += gettext("等，另有 %(n)s 处") % {"n": more}
    return ngettext(
        "有 %(n)s 个数在两个数据元里不一样（%(list)s）。请先在数据录入里改正其中一个，"
        "或选择以“%(target)s”的数为准",
        "有 %(n)s 个数在两个数据元里不一样（%(list)s）。请先在数据录入里改正其中一个，"
        "或选择以“%(target)s”的数为准",
        len(plan.conflicts),
    ) % {"n": len(plan.conflicts), "list": shown, "target": plan.target.name}


def _move_values(
    source: DataElement, target: DataElement, actor: Any, keep_target: bool
) -> tuple[int, int, int]:
    held = {_key(v): v for v in DataValue.objects.filter(element=target)}
    move, drop = [], []
    pairs: dict[int, DataValue] = {}  # source value id -> the target value that stays
    for value in DataValue.objects.filter(element=source):
        theirs = held.get(_key(value))
        if theirs is None:
            move.append(value.pk)
        else:
            drop.append(value)
            pairs[value.pk] = theirs
    DataValue.objects.filter(pk__in=move).update(element=target)
    # The dropped copies' history moves to the value that stays, oldest first as it was.
    history = list(DataValueHistory.objects.filter(data_value_id__in=pairs).order_by("pk"))
    copies = []
    for h in history:
        h.pk = None
        h.data_value = pairs[h.data_value_id]
        copies.append(h)
    label = gettext("合并自 %(code)s") % {"code": source.code}
    user = None if isinstance(actor, str) else actor
    kept = 0
    for value in drop:
        theirs = pairs[value.pk]
        if theirs.value != value.value:
            kept += 1
            copies.append(
                DataValueHistory(
                    data_value=theirs,
                    old_value=value.value,
                    new_value=theirs.value,
                    source=theirs.source,
                    changed_by=user,
                    actor_label=label[:64],
                )
            )
    DataValueHistory.objects.bulk_create(copies)
    DataValue.objects.filter(pk__in=[v.pk for v in drop]).delete()
    return len(move), len(drop) - kept, kept


_CODE_TAIL = r"(?![A-Za-z0-9_.@\-\u4e00-\u9fff])"


def _rewrite_formulas(source: DataElement, target: DataElement) -> int:
    from qingzhuang.evaluation.models import Indicator

    exact = re.compile(rf"\bE:{re.escape(source.code)}{_CODE_TAIL}")
    changed = 0
    for indicator in Indicator.objects.select_for_update().filter(
        formula__contains=f"E:{source.code}"
    ):
        formula = exact.sub(f"E:{target.code}", indicator.formula)
        if formula != indicator.formula:
            indicator.formula = formula
            indicator.save(update_fields=["formula"])
            changed += 1
    return changed


def _repoint_rules(source: DataElement, target: DataElement) -> int:
    own = ValidationRule.objects.filter(element=source).update(element=target)
    naming = _rules_naming(source)
    for rule in naming:
        others: list[str] = []
        for code in rule.others:
            code = target.code if code == source.code else code
            if code not in others:
                others.append(code)
        rule.others = others
        rule.save(update_fields=["others"])
    return own + len(naming)


@transaction.atomic
def element_merge(
    *,
    actor: Any,
    source: DataElement,
    target: DataElement,
    keep_target_on_conflict: bool = False,
) -> MergeResult:
    """Merge ``source`` into ``target`` and delete ``source``; all or nothing, audited."""
    require_manage(actor)
    locked = {
        e.pk: e
        for e in DataElement.objects.select_for_update()
        .filter(pk__in=[source.pk, target.pk])
        .order_by("pk")
    }
    if source.pk not in locked or target.pk not in locked:
        raise Conflict(gettext("要合并的数据元已被删除，请刷新页面后重新选择。"))
    source, target = locked[source.pk], locked[target.pk]
    plan = merge_plan(source=source, target=target)
    if plan.problems:
        raise (InvalidInput if _kind_problems(source, target) else Conflict)(
            gettext("不能把“%(source)s”合并到“%(target)s”：%(reasons)s。")
            % {
                "source": source.name,
                "target": target.name,
                "reasons": join_clauses(plan.problems),
            }
        )
    if plan.conflicts and not keep_target_on_conflict:
        raise Conflict(conflicts_message(plan) + gettext("。"))

    before = {"source": snapshot(source), "target": snapshot(target)}
    before["source"]["category_options"] = list(
        source.category_options.values_list("code", flat=True)
    )
    target.category_options.add(*source.category_options.all())
    moved, same, kept = _move_values(source, target, actor, keep_target_on_conflict)
    fields = FieldMapping.objects.filter(element=source).update(element=target)
    rules = _repoint_rules(source, target)
    indicators = _rewrite_formulas(source, target)
    from qingzhuang.reporting.models import Concept

    concepts = Concept.objects.filter(element_code=source.code).update(element_code=target.code)
    target.aliases = clean_aliases(
        target.name, [*(target.aliases or []), source.name, *(source.aliases or [])]
    )
    if not target.definition.strip():
        target.definition = source.definition
    if target.owner_id is None:
        target.owner_id = source.owner_id
    target.save(update_fields=["aliases", "definition", "owner"])
    DataElement.objects.filter(pk=source.pk).delete()
    counts = {
        "moved": moved,
        "same": same,
        "conflicts_kept": kept,
        "fields": fields,
        "rules": rules,
        "indicators": indicators,
        "concepts": concepts,
    }
    audit_record(
        actor=actor,
        action="datastore.element.merge",
        target=target,
        object_repr=f"{source.code} → {target.code}",
        before=before,
        after={**snapshot(target), "merged": counts},
    )
    return MergeResult(target=target, **counts)


def merge_candidates(*, element: DataElement, limit: int = 200) -> list[DataElement]:
    """Elements ``element`` could be merged into: same unit, value type and period type;
    the ones that share a word of its name come first, then the rest by name."""
    rows = list(
        DataElement.objects.filter(
            unit=element.unit, value_type=element.value_type, period_type=element.period_type
        )
        .exclude(pk=element.pk)
        .only("code", "name", "aliases")
        .order_by("name", "code")
    )
    own = {element.name, *(element.aliases or [])}

    def overlap(other: DataElement) -> int:
        words = {other.name, *(other.aliases or [])}
        return max(_common(a, b) for a in own for b in words)

    return sorted(rows, key=lambda e: -overlap(e))[:limit]


def _common(a: str, b: str) -> int:
    """Length of the longest common substring of two short names."""
    best = 0
    for i in range(len(a)):
        for j in range(i + best + 1, len(a) + 1):
            if a[i:j] in b:
                best = j - i
            else:
                break
    return best


__all__ = [
    "MergePlan",
    "MergeResult",
    "ValueConflict",
    "conflicts_message",
    "element_merge",
    "merge_candidates",
    "merge_plan",
]
