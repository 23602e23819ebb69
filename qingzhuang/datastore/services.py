"""Writes for the canonical data store: elements, field mappings, values (with history).

Every function is keyword-only, atomic and audited. Harvest and fill live in
``harvesting.py`` and ``filling.py`` and are re-exported at the bottom of this module.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext, gettext_noop

from qingzhuang.audit.services import audit_record, snapshot
from qingzhuang.core.errors import InvalidInput
from qingzhuang.datastore.models import (
    CategoryOption,
    DataElement,
    DataValue,
    DataValueHistory,
    FieldMapping,
    RuleKind,
    ValidationRule,
    ValueSource,
    ValueType,
)
from qingzhuang.datastore.numbers import (
    EXPONENT,
    GROUPING,
    human_number,
    in_unit,
    read_number,
    same_unit,
)
from qingzhuang.datastore.onesource import NameIndex, ambiguity
from qingzhuang.datastore.periods import Period, parse_period
from qingzhuang.i18n import join_clauses
from qingzhuang.org.models import Department, OrgUnit
from qingzhuang.reporting.models import Concept, ConceptStatus, ReportTemplate, TemplateField

NOT_ADDITIVE = re.compile(r"(率|比重|比例|占比|平均|人均|单产|均价|价格|指数|%|％|增减)")
UNMAPPED_SINGLE = "只有这一张表问到此项，尚未建立数据元"
# Shown instead of UNMAPPED_SINGLE while the field sits in a suggested same-item group: another
# form does ask for it, and a person has yet to confirm that the two are one item.
UNMAPPED_PENDING = gettext_noop("另一张表也问到此项，待在“重复数据项”确认后建立数据元")
OUTLIER_RATIO = 0.5


def _user(actor: Any) -> Any:
    return actor if hasattr(actor, "pk") else None


def guess_additive(name: str, unit: str) -> bool:
    """Counts and areas add up over villages; rates, averages and prices do not."""
    return not (NOT_ADDITIVE.search(name or "") or NOT_ADDITIVE.search(unit or ""))


# Items whose number may rightly fall below zero: changes, growth, differences, profits and
# net results, and anything measured in per cent or per mille (a growth rate of -2.5%). Every
# other item (counts, areas, amounts: 人/户/个/亩/万元 …) must not be negative. A signed item
# that still may not be negative gets a "不能为负数" rule of its own.
SIGNED = re.compile(r"(增减|增长|增幅|变动|变化|差额|差值|利润|盈亏|净|结余)")
SIGNED_UNITS = ("%", "‰")


def may_be_negative(element: DataElement) -> bool:
    """Whether a negative number is a possible value of this item, by its name and unit."""
    if element.value_type == ValueType.PERCENT:
        return True
    if any(same_unit(element.unit or "", u) for u in SIGNED_UNITS):
        return True
    return bool(SIGNED.search(re.sub(r"\s+", "", element.name or "")))


def unit_factor(element_unit: str, field_unit: str) -> float:
    """Multiply an element value by this to get the field's unit (人 → 万人 gives 0.0001)."""
    from qingzhuang.matching.units import convert

    if not element_unit or not field_unit:
        return 1.0
    try:
        factor = convert(1.0, element_unit, field_unit)
    except ValueError:
        return 1.0
    return factor if factor > 0 else 1.0


def next_element_code() -> str:
    """DE00001, DE00002, ...; a deleted element's code is never handed out again, because old
    export files, audit entries and indicator formulas may still name it."""
    from qingzhuang.audit.models import AuditEntry

    pattern = re.compile(r"^DE[0-9]{5}$")
    used = DataElement.objects.filter(code__regex=pattern.pattern).aggregate(m=Max("code"))["m"]
    deleted = AuditEntry.objects.filter(action="datastore.element.delete").values_list(
        "before__code", flat=True
    )
    codes = [c for c in [used, *deleted] if isinstance(c, str) and pattern.match(c)]
    n = int(max(codes)[2:]) + 1 if codes else 1
    return f"DE{n:05d}"


@transaction.atomic
def data_element_create(
    *,
    name: str,
    actor: Any,
    code: str = "",
    unit: str = "",
    aliases: list[str] | None = None,
    definition: str = "",
    period_type: str = "year",
    value_type: str = "number",
    owner: Department | None = None,
    additive: bool | None = None,
) -> DataElement:
    """Create an element as automatic flows need it (no duplicate-name check: concept
    acceptance may rightly make two "男" elements); people use ``element_create``."""
    name = (name or "").strip()
    if not name:
        raise InvalidInput(gettext("数据元名称不能为空"))
    code = (code or "").strip() or next_element_code()
    if DataElement.objects.filter(code=code).exists():
        raise InvalidInput(gettext("编码 %(code)s 已被使用，请换一个") % {"code": code})
    element = DataElement.objects.create(
        code=code,
        name=name[:255],
        unit=unit[:32],
        aliases=sorted(set(aliases or []) - {name}),
        definition=definition,
        period_type=period_type,
        value_type=value_type,
        owner=owner,
        additive=guess_additive(name, unit) if additive is None else additive,
    )
    audit_record(
        actor=actor, action="datastore.element.create", target=element, after=snapshot(element)
    )
    return element


def _map(field_obj: TemplateField, element: DataElement) -> FieldMapping:
    mapping, _ = FieldMapping.objects.update_or_create(
        field=field_obj,
        defaults={
            "element": element,
            "factor": unit_factor(element.unit, field_obj.unit),
            "unmapped_reason": "",
        },
    )
    return mapping


@transaction.atomic
def field_map(
    *, field_obj: TemplateField, element: DataElement | None, actor: Any, reason: str = ""
) -> FieldMapping:
    """Map a field to an element, or mark it unmapped with a reason a person can read."""
    before = None
    existing = FieldMapping.objects.filter(field=field_obj).first()
    if existing is not None:
        before = snapshot(existing)
    if element is None:
        mapping, _ = FieldMapping.objects.update_or_create(
            field=field_obj,
            defaults={"element": None, "unmapped_reason": reason or "人工标记为不对应数据元"},
        )
    else:
        mapping = _map(field_obj, element)
    audit_record(
        actor=actor,
        action="datastore.mapping.set",
        target=mapping,
        object_repr=str(field_obj),
        before=before,
        after=snapshot(mapping),
    )
    return mapping


@dataclass
class AcceptResult:
    concept_id: int
    name: str
    element_code: str
    element_created: bool
    fields_mapped: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "concept": self.concept_id,
            "name": self.name,
            "element": self.element_code,
            "created": self.element_created,
            "fields_mapped": self.fields_mapped,
        }


def _find_existing_element(members: list[TemplateField], name: str) -> DataElement | None:
    mapped = Counter(
        FieldMapping.objects.filter(field__in=members, element__isnull=False).values_list(
            "element_id", flat=True
        )
    )
    if mapped:
        return DataElement.objects.get(pk=mapped.most_common(1)[0][0])
    # Same name is not enough: "男" under 户籍人口 and "男" under 老年人口 are two elements.
    # Link by name only if the element is not already asked for by one of these forms.
    templates = {m.template_id for m in members}
    for element in DataElement.objects.filter(name=name).order_by("pk"):
        if not FieldMapping.objects.filter(
            element=element, field__template_id__in=templates
        ).exists():
            return element
    return None


@transaction.atomic
def concepts_accept(*, actor: Any, concepts: list[Concept] | None = None) -> list[AcceptResult]:
    """Turn suggested concepts into data elements (or link them to existing ones) in one step.

    Every member field is mapped to the element with its unit factor, so harvest and fill can
    use it straight away.
    """
    todo = (
        concepts
        if concepts is not None
        else list(Concept.objects.filter(status=ConceptStatus.SUGGESTED))
    )
    results: list[AcceptResult] = []
    for concept in todo:
        if concept.status != ConceptStatus.SUGGESTED:
            continue
        members = list(
            concept.members.select_related("template__issuer").order_by("template_id", "pk")
        )
        if len(members) < 2:
            continue
        element = _find_existing_element(members, concept.name)
        created = element is None
        if element is None:
            units = Counter(m.unit for m in members if m.unit)
            owner = next((m.template.issuer for m in members if m.template.issuer), None)
            element = data_element_create(
                name=concept.name,
                actor=actor,
                unit=units.most_common(1)[0][0] if units else "",
                aliases=sorted({m.label for m in members}),
                owner=owner,
            )
        else:
            new_aliases = sorted(set(element.aliases or []) | {m.label for m in members})
            new_aliases = [a for a in new_aliases if a != element.name]
            if new_aliases != element.aliases:
                element.aliases = new_aliases
                element.save(update_fields=["aliases"])
        for m in members:
            _map(m, element)
        before = snapshot(concept)
        concept.status = ConceptStatus.ACCEPTED
        concept.element_code = element.code
        concept.save(update_fields=["status", "element_code"])
        audit_record(
            actor=actor,
            action="reporting.concept.accept",
            target=concept,
            before=before,
            after=snapshot(concept),
        )
        results.append(AcceptResult(concept.pk, concept.name, element.code, created, len(members)))
    return results


@transaction.atomic
def template_automap(*, template: ReportTemplate, actor: Any) -> int:
    """Map the fields of a newly imported template to elements that already exist.

    Uses the same-item engine against a few fields already mapped to each element (and the
    element's own name), so a form that arrives after the catalogue is built fills at once.
    Fields left over are marked unmapped with a reason. When the match offers several elements
    of one name, the field goes to the one that owns it (see ``onesource``) and the ambiguity is
    audited. Returns the number of fields mapped.
    """
    from qingzhuang.matching import FieldRef, find_concepts

    fields = list(template.fields.filter(mapping__isnull=True).select_related("sheet"))
    if not fields:
        return 0
    # The sheet title states what every field of the sheet counts (设施农业…, 规模养殖…).
    refs = [
        FieldRef(
            key=f"F{f.pk}",
            label=f.label,
            unit=f.unit,
            path=tuple(f.path),
            form="new",
            title=f.sheet.title or f.sheet.name or "",
        )
        for f in fields
    ]
    element_of: dict[str, int] = {}
    per_element: Counter[int] = Counter()
    mapped = (
        FieldMapping.objects.filter(element__isnull=False)
        .exclude(field__template=template)
        .select_related("field__sheet")
        .order_by("element_id", "pk")
    )
    for mp in mapped:
        if mp.element_id is None:
            continue
        if per_element[mp.element_id] >= 3:
            continue
        per_element[mp.element_id] += 1
        f = mp.field
        key = f"M{f.pk}"
        refs.append(
            FieldRef(
                key=key,
                label=f.label,
                unit=f.unit,
                path=tuple(f.path),
                form=f"E{mp.element_id}",
                title=f.sheet.title or f.sheet.name or "",
            )
        )
        element_of[key] = mp.element_id
    for element in DataElement.objects.exclude(pk__in=list(per_element)):
        key = f"E{element.pk}"
        refs.append(FieldRef(key=key, label=element.name, unit=element.unit, form=key))
        element_of[key] = element.pk
    result = find_concepts(refs)
    chosen: dict[int, int] = {}
    ambiguous: list[dict[str, Any]] = []
    names: NameIndex | None = None
    by_pk = {f.pk: f for f in fields}
    for concept in result.concepts:
        new = [m.key for m in concept.members if m.key.startswith("F")]
        elements = {element_of[m.key] for m in concept.members if m.key in element_of}
        if len(new) != 1 or not elements:
            continue
        if len(elements) == 1:
            chosen[int(new[0][1:])] = elements.pop()
            continue
        # Several elements for one item: the one that owns the name, never a new one (一数一源).
        names = names or NameIndex.build()
        f = by_pk[int(new[0][1:])]
        pick = names.choose(f.label, elements)
        if pick is not None:
            chosen[f.pk] = pick.pk
            ambiguous.append({"cell": f.cell, **ambiguity(pick, names.namesakes(pick))})
    elements_by_pk = DataElement.objects.in_bulk(list(set(chosen.values())))
    n = 0
    for f in fields:
        if f.pk in chosen:
            _map(f, elements_by_pk[chosen[f.pk]])
            n += 1
        else:
            FieldMapping.objects.create(field=f, element=None, unmapped_reason=UNMAPPED_SINGLE)
    audit_record(
        actor=actor,
        action="datastore.mapping.automap",
        target=template,
        after={"mapped": n, "unmapped": len(fields) - n, "ambiguous": ambiguous},
    )
    return n


def refresh_unmapped(*, template: ReportTemplate) -> None:
    """Drop "unmapped" markers so a later automap or concept acceptance can retry them."""
    FieldMapping.objects.filter(field__template=template, element__isnull=True).delete()


# ---------------------------------------------------------------- values


@dataclass
class ValueCheck:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _where(where: str) -> str:
    """The "where：" that starts a message about one number, in the active language."""
    return gettext("%(where)s：") % {"where": where}


def written_number(
    value: Any,
    *,
    where: str = "",
    element: DataElement | None = None,
    unit: str | None = None,
    exponent: bool = False,
) -> Decimal:
    """A number as a person typed it or a cell holds it, in ``unit`` (by default the element's).

    The one reading shared by entry, the API, imports and harvest (``numbers.read_number``).
    A unit written after the number is kept only when it is this item's unit or converts to
    it: "2,345.5亩" for a 亩 field is 2345.5, "45%" for a per-cent item is 45. Anything else
    is refused with the reason (a percent sign on a 万元 item, words, 1e3), never dropped.
    """
    prefix = _where(where) if where else ""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Decimal(str(value))  # a number from a machine (JSON), not typed text
    written = read_number(str(value if value is not None else ""), exponent=exponent)
    shown = {"value": written.text}
    if written.blank:
        raise InvalidInput(prefix + gettext("请填写数值"))
    if written.problem == EXPONENT:
        raise InvalidInput(
            prefix
            + gettext("“%(value)s”是科学计数法，请写成普通数字，例如 1000（不要写 1e3）") % shown
        )
    if written.problem == GROUPING:
        raise InvalidInput(
            prefix
            + gettext("“%(value)s”里的逗号位置不对：千位分隔请写成 1,234，小数点请用“.”") % shown
        )
    if written.problem:
        raise InvalidInput(prefix + gettext("“%(value)s”不是数字，请只填写数字") % shown)
    target = (element.unit if element is not None else "") if unit is None else unit
    if not target and element is not None and element.value_type == ValueType.PERCENT:
        target = "%"  # a per-cent item without a unit of its own
    try:
        return in_unit(written, target)
    except ValueError:
        pass
    names = shown | {"written": written.unit, "unit": target}
    if same_unit(written.unit, "%"):
        message = gettext("“%(value)s”是百分数，但这一项不是百分比，请只填写数字")
        if target:
            message = gettext(
                "“%(value)s”是百分数，但这一项的单位是“%(unit)s”，不是百分比；请核对后只填写数字"
            )
    elif target:
        message = gettext(
            "“%(value)s”带的单位“%(written)s”与这一项的单位“%(unit)s”不同，也不能换算；"
            "请核对后只填写数字"
        )
    else:
        message = gettext("“%(value)s”带了单位“%(written)s”，这一项没有定单位；请只填写数字")
    raise InvalidInput(prefix + message % names)


def to_decimal(value: Any, *, where: str = "", element: DataElement | None = None) -> Decimal:
    """A number to store: read as ``written_number`` reads it (in the element's unit), then
    checked to fit the store and kept to six decimals."""
    prefix = _where(where) if where else ""
    result = written_number(value, where=where, element=element)
    if not result.is_finite():
        raise InvalidInput(prefix + gettext("数值无效"))
    if abs(result) >= Decimal(10) ** 17:
        raise InvalidInput(prefix + gettext("数值过大，请检查单位"))
    return result.quantize(Decimal("0.000001"))


def _known(
    codes: list[str], org_unit: OrgUnit, period: str, pending: dict[str, Decimal]
) -> dict[str, Decimal]:
    out = {c: v for c, v in pending.items() if c in codes}
    rows = DataValue.objects.filter(
        element__code__in=[c for c in codes if c not in out],
        org_unit=org_unit,
        period=period,
        category_option__isnull=True,
    ).values_list("element__code", "value")
    out.update(dict(rows))
    return out


def check_value(
    *,
    element: DataElement,
    org_unit: OrgUnit,
    period: Period,
    value: Decimal,
    where: str = "",
    pending: dict[str, Decimal] | None = None,
) -> ValueCheck:
    """Validation rules, in plain words of the active language: errors block the save,
    warnings are shown. Always checked: no negative number unless ``may_be_negative``, and
    no fraction for an 整数 element; the rest comes from the element's rules."""
    check = ValueCheck()
    prefix = _where(where or element.name)
    pending = dict(pending or {})
    pending[element.code] = value
    signed = may_be_negative(element)
    if value < 0 and not signed:
        check.errors.append(prefix + gettext("数值不能为负数"))
    if element.value_type == ValueType.INTEGER and value != value.to_integral_value():
        check.errors.append(
            prefix
            + gettext("要填整数，不能有小数（填的是 %(value)s）") % {"value": human_number(value)}
        )
    rules = ValidationRule.objects.filter(active=True, element=element)
    # JSON containment is not portable to SQLite; rules are few, so filter here.
    related = [
        r
        for r in ValidationRule.objects.filter(active=True).select_related("element")
        if element.code in (r.others or [])
    ]
    for rule in list(rules) + [r for r in related if r.element_id != element.pk]:
        target = check.errors if rule.is_error else check.warnings
        total_code = rule.element.code
        if rule.kind == RuleKind.NON_NEGATIVE:
            # Counts are refused above already; a signed item may be held to it by a rule.
            if rule.element_id == element.pk and value < 0 and signed:
                target.append(
                    prefix + gettext("数值不能为负数（规则“%(rule)s”）") % {"rule": rule.name}
                )
        elif rule.kind == RuleKind.SUM_EQUALS:
            known = _known([total_code, *rule.others], org_unit, period.code, pending)
            if all(c in known for c in [total_code, *rule.others]):
                parts = sum((known[c] for c in rule.others), Decimal(0))
                if parts != known[total_code]:
                    target.append(
                        prefix
                        + gettext("%(rule)s不成立（分项之和 %(parts)s ≠ 合计 %(total)s）")
                        % {
                            "rule": rule.name,
                            "parts": human_number(parts),
                            "total": human_number(known[total_code]),
                        }
                    )
        elif rule.kind == RuleKind.NOT_ABOVE and rule.others:
            known = _known([total_code, rule.others[0]], org_unit, period.code, pending)
            if (
                total_code in known
                and rule.others[0] in known
                and known[total_code] > known[rule.others[0]]
            ):
                target.append(
                    prefix
                    + gettext("%(rule)s（其中项 %(part)s 大于总数 %(total)s）")
                    % {
                        "rule": rule.name,
                        "part": human_number(known[total_code]),
                        "total": human_number(known[rule.others[0]]),
                    }
                )
    prev = (
        DataValue.objects.filter(
            element=element,
            org_unit=org_unit,
            period=period.previous().code,
            category_option__isnull=True,
        )
        .values_list("value", flat=True)
        .first()
    )
    ratio = next((r.ratio for r in rules if r.kind == RuleKind.OUTLIER), OUTLIER_RATIO)
    if prev is not None and prev > 0 and abs(value - prev) / prev > Decimal(str(ratio)):
        check.warnings.append(
            prefix
            + gettext("与上期（%(previous)s）相比变化超过 %(percent)s%%，请核实")
            % {"previous": human_number(prev), "percent": human_number(Decimal(str(ratio)) * 100)}
        )
    return check


@dataclass
class SetResult:
    data_value: DataValue | None
    status: str  # created / updated / unchanged / conflict
    existing: Decimal | None = None
    warnings: list[str] = field(default_factory=list)


def _option(code: str | None) -> CategoryOption | None:
    if not code:
        return None
    option = CategoryOption.objects.filter(code=code).first()
    if option is None:
        raise InvalidInput(gettext("找不到分类选项“%(code)s”") % {"code": code})
    return option


@transaction.atomic
def data_value_set(
    *,
    element: DataElement,
    org_unit: OrgUnit,
    period: str | Period,
    value: Any,
    actor: Any,
    source: str = ValueSource.ENTRY,
    category_option: CategoryOption | None = None,
    source_file: str = "",
    source_cell: str = "",
    overwrite: bool = True,
    where: str = "",
    validate: bool = True,
    pending: dict[str, Decimal] | None = None,
) -> SetResult:
    """Store one number under its key, with provenance, history and validation.

    With ``overwrite=False`` an existing different value is reported as a conflict and kept,
    which is what harvest needs: a filled form never silently replaces a known number.
    """
    p = parse_period(period)
    number = to_decimal(value, where=where or element.name, element=element)
    warnings: list[str] = []
    if validate:
        check = check_value(
            element=element, org_unit=org_unit, period=p, value=number, where=where, pending=pending
        )
        if check.errors:
            raise InvalidInput(join_clauses(check.errors))
        warnings = check.warnings
    existing = (
        DataValue.objects.select_for_update()
        .filter(
            element=element,
            org_unit=org_unit,
            period=p.code,
            category_option=category_option,
        )
        .first()
    )
    user = _user(actor)
    if existing is not None:
        if existing.value == number:
            return SetResult(existing, "unchanged", existing.value, warnings)
        if not overwrite:
            return SetResult(existing, "conflict", existing.value, warnings)
        before = snapshot(existing)
        old = existing.value
        existing.value = number
        existing.source = source
        existing.source_file = source_file[:255]
        existing.source_cell = source_cell[:64]
        existing.updated_by = user
        existing.save()
        dv, status = existing, "updated"
    else:
        before, old = None, None
        dv = DataValue.objects.create(
            element=element,
            org_unit=org_unit,
            period=p.code,
            period_type=p.type,
            category_option=category_option,
            value=number,
            source=source,
            source_file=source_file[:255],
            source_cell=source_cell[:64],
            updated_by=user,
        )
        status = "created"
    DataValueHistory.objects.create(
        data_value=dv,
        old_value=old,
        new_value=number,
        source=source,
        source_file=source_file[:255],
        source_cell=source_cell[:64],
        changed_by=user,
        actor_label="" if user else str(actor)[:64],
    )
    audit_record(
        actor=actor,
        action=f"datastore.value.{'update' if before else 'create'}",
        target=dv,
        object_repr=f"{element.name} {org_unit.name} {p.code}",
        org_path=org_unit.path,
        before=before,
        after=snapshot(dv),
    )
    return SetResult(dv, status, old, warnings)


from qingzhuang.datastore.catalogue import (  # noqa: E402
    category_option_create,
    category_option_delete,
    category_option_update,
    element_create,
    element_delete,
    element_delete_blockers,
    element_option_attach,
    element_option_detach,
    element_update,
)
from qingzhuang.datastore.exchange import store_export, store_import  # noqa: E402
from qingzhuang.datastore.filling import FillResult, fill_template, forms_export_due  # noqa: E402
from qingzhuang.datastore.harvesting import HarvestResult, harvest_file  # noqa: E402
from qingzhuang.datastore.merging import MergeResult, element_merge  # noqa: E402
from qingzhuang.datastore.rules import (  # noqa: E402
    rule_describe,
    validation_rule_check,
    validation_rule_create,
    validation_rule_set_active,
    validation_rule_update,
)

__all__ = [
    "AcceptResult",
    "FillResult",
    "HarvestResult",
    "MergeResult",
    "SetResult",
    "category_option_create",
    "category_option_delete",
    "category_option_update",
    "check_value",
    "concepts_accept",
    "data_element_create",
    "data_value_set",
    "element_create",
    "element_delete",
    "element_delete_blockers",
    "element_merge",
    "element_option_attach",
    "element_option_detach",
    "element_update",
    "field_map",
    "fill_template",
    "forms_export_due",
    "harvest_file",
    "rule_describe",
    "store_export",
    "store_import",
    "template_automap",
    "validation_rule_check",
    "validation_rule_create",
    "validation_rule_set_active",
    "validation_rule_update",
]
