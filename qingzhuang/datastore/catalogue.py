"""The catalogue kept by hand: data elements and breakdowns (category options).

Automatic flows (concept acceptance, harvest, import) create elements without asking anyone.
The staff pages go through these functions instead, which refuse what would make the store
inconsistent: a second element under a name already in use, a unit change under stored
numbers, a breakdown removed while numbers use it. Validation rules are in ``rules.py``.

Every write is keyword-only, atomic and audited, and re-exported from ``services``. This module
imports ``services`` only inside functions, because ``services`` imports it at the bottom.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext, ngettext

from qingzhuang.audit.services import audit_record, snapshot
from qingzhuang.core.errors import Conflict, InvalidInput
from qingzhuang.datastore.models import (
    CategoryOption,
    DataElement,
    DataValue,
    FieldMapping,
    PeriodType,
    ValidationRule,
    ValueType,
)
from qingzhuang.i18n import join_clauses, join_list, pgettext
from qingzhuang.org.models import Department
from qingzhuang.org.roles import require

# Who may change the catalogue: the people who already turn form fields into elements.
MANAGE = "templates.manage"
OPTION_CODE = re.compile(r"^[A-Za-z0-9_.\-]{1,32}$")


def require_manage(actor: Any) -> None:
    """People need the capability; a plain label ("cli", "demo") is a trusted system caller."""
    if not isinstance(actor, str):
        require(actor, MANAGE)


def _word(text: str) -> str:
    return re.sub(r"\s+", "", text).casefold()


def unit_label(unit: str) -> str:
    return unit or gettext("（未填单位）")


# ---------------------------------------------------------------- elements


def clean_aliases(name: str, aliases: Iterable[str]) -> list[str]:
    """Aliases in the order given, without blanks, repeats or the name itself."""
    out: list[str] = []
    seen = {_word(name)}
    for raw in aliases:
        alias = str(raw).strip()
        if not alias or _word(alias) in seen:
            continue
        if len(alias) > 255:
            raise InvalidInput(
                gettext("别名“%(alias)s…”太长，请控制在 255 个字以内") % {"alias": alias[:20]},
                extra={"field": "aliases"},
            )
        seen.add(_word(alias))
        out.append(alias)
    return out


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise InvalidInput(gettext("请填写数据元名称，例如“户籍人口”"), extra={"field": "name"})
    if len(name) > 255:
        raise InvalidInput(gettext("名称太长，请控制在 255 个字以内"), extra={"field": "name"})
    return name


def _clean_kinds(unit: str, value_type: str, period_type: str) -> str:
    unit = (unit or "").strip()
    if len(unit) > 32:
        raise InvalidInput(
            gettext("计量单位太长，请只写单位本身，例如“人”“万元”"), extra={"field": "unit"}
        )
    if value_type not in ValueType.values:
        raise InvalidInput(
            gettext("请选择值类型：数值、整数或百分比"), extra={"field": "value_type"}
        )
    if period_type not in PeriodType.values:
        raise InvalidInput(gettext("请选择时期类型：月、季或年"), extra={"field": "period_type"})
    return unit


def _check_words_free(*, name: str, aliases: list[str], element: DataElement | None) -> None:
    """One wording names one element. Only words new to this element are checked, so an
    element that concept acceptance already gave a shared name (two "男") stays editable."""
    own: set[str] = set()
    if element is not None:
        own = {_word(element.name), *(_word(str(a)) for a in element.aliases or [])}
    name_is_new = _word(name) not in own
    new_aliases = [a for a in aliases if _word(a) not in own]
    if not name_is_new and not new_aliases:
        return
    # word -> (code, name, whether it is that element's name); names win over aliases, and
    # the element with the smallest code is the one named in the message
    names: dict[str, tuple[str, str, bool]] = {}
    aliases_of: dict[str, tuple[str, str, bool]] = {}
    others = DataElement.objects.order_by("code").values_list("code", "name", "aliases")
    if element is not None:
        others = others.exclude(pk=element.pk)
    for code, other_name, other_aliases in others:
        names.setdefault(_word(other_name), (code, other_name, True))
        for alias in other_aliases or []:
            aliases_of.setdefault(_word(str(alias)), (code, other_name, False))
    taken = aliases_of | names
    if name_is_new and _word(name) in taken:
        code, other, is_name = taken[_word(name)]
        if is_name:
            raise InvalidInput(
                gettext(
                    "已有同名数据元 %(code)s“%(other)s”。同一个数只建一个数据元：请直接修改那一个；"
                    "如果确实是另一个数，请在名称里写清区别，例如“%(name)s（男）”。"
                )
                % {"code": code, "other": other, "name": name},
                extra={"field": "name"},
            )
        raise InvalidInput(
            gettext(
                "“%(name)s”已是数据元 %(code)s“%(other)s”的别名，说明它们是同一个数。"
                "请直接修改那一个，或换一个能区分的名称。"
            )
            % {"name": name, "code": code, "other": other},
            extra={"field": "name"},
        )
    for alias in new_aliases:
        if _word(alias) in taken:
            code, other, is_name = taken[_word(alias)]
            if is_name:
                msg = gettext(
                    "别名“%(alias)s”已是数据元 %(code)s“%(other)s”的名称，同一个说法只能对应一个数据元。"
                    "请删掉这个别名，或先修改那个数据元。"
                )
            else:
                msg = gettext(
                    "别名“%(alias)s”已是数据元 %(code)s“%(other)s”的别名，同一个说法只能对应一个数据元。"
                    "请删掉这个别名，或先修改那个数据元。"
                )
            raise InvalidInput(
                msg % {"alias": alias, "code": code, "other": other}, extra={"field": "aliases"}
            )


@transaction.atomic
def element_create(
    *,
    actor: Any,
    name: str,
    aliases: Iterable[str] = (),
    definition: str = "",
    unit: str = "",
    value_type: str = ValueType.NUMBER,
    period_type: str = PeriodType.YEAR,
    owner: Department | None = None,
    additive: bool = True,
    options: Iterable[CategoryOption] = (),
) -> DataElement:
    """An element typed in by a person. The code is generated, never chosen by hand, and a
    name or alias another element already uses is refused (one number, one element)."""
    from qingzhuang.datastore.services import data_element_create

    require_manage(actor)
    name = _clean_name(name)
    alias_list = clean_aliases(name, aliases)
    unit = _clean_kinds(unit, value_type, period_type)
    _check_words_free(name=name, aliases=alias_list, element=None)
    element = data_element_create(
        name=name,
        actor=actor,
        unit=unit,
        aliases=alias_list,
        definition=(definition or "").strip(),
        period_type=period_type,
        value_type=value_type,
        owner=owner,
        additive=additive,
    )
    if alias_list:  # data_element_create sorts them; keep the order the person typed
        element.aliases = alias_list
        element.save(update_fields=["aliases"])
    for option in options:
        element_option_attach(actor=actor, element=element, option=option)
    return element


ELEMENT_EDITABLE = (
    "name",
    "aliases",
    "definition",
    "unit",
    "value_type",
    "period_type",
    "owner_id",
    "additive",
)


def element_fingerprint(*, element: DataElement) -> str:
    """A short hash of what the edit page can change, handed out with the page and given back
    to ``element_update``, so a save from a page opened before someone else's change is refused
    instead of silently undoing it (aliases drive harvest matching). A hash rather than a
    version column, as in burden: it also notices writes that go around ``element_update``
    (concept acceptance adding aliases, a merge), and a change undone in between is none."""
    values = {name: getattr(element, name) for name in ELEMENT_EDITABLE}
    text = json.dumps(values, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


@transaction.atomic
def element_update(
    *,
    actor: Any,
    element: DataElement,
    name: str,
    aliases: Iterable[str],
    definition: str,
    unit: str,
    value_type: str,
    period_type: str,
    owner: Department | None,
    additive: bool,
    expected_fingerprint: str | None = None,
) -> DataElement:
    """Change what an element says. The code never changes (files and formulas name it). The
    unit and period type are fixed once numbers are stored, since those numbers were given in
    that unit for those periods; with no numbers yet, a new unit re-derives the factors of the
    form fields mapped to it, so auto-fill keeps writing the right figures.
    Given ``expected_fingerprint`` (``element_fingerprint`` of the element as the page showed
    it), the save is refused with Conflict when the element has changed since; callers that
    do not give one (CLI, other services) save as before."""
    from qingzhuang.datastore.services import unit_factor

    require_manage(actor)
    element = DataElement.objects.select_for_update().get(pk=element.pk)
    if expected_fingerprint is not None and expected_fingerprint != element_fingerprint(
        element=element
    ):
        raise Conflict(gettext("这一项在您打开后已被他人修改，请刷新页面查看最新内容后再改。"))
    name = _clean_name(name)
    alias_list = clean_aliases(name, aliases)
    unit = _clean_kinds(unit, value_type, period_type)
    _check_words_free(name=name, aliases=alias_list, element=element)
    stored = element.values.count()
    if stored and unit != element.unit:
        raise InvalidInput(
            ngettext(
                "“%(name)s”已存有 %(count)s 个数值，都是按“%(unit)s”填的，"
                "不能再改单位（改了这些数就都错了）。如果单位确实定错了，请新建一个数据元。",
                "“%(name)s”已存有 %(count)s 个数值，都是按“%(unit)s”填的，"
                "不能再改单位（改了这些数就都错了）。如果单位确实定错了，请新建一个数据元。",
                stored,
            )
            % {"name": element.name, "count": stored, "unit": unit_label(element.unit)},
            extra={"field": "unit"},
        )
    if stored and period_type != element.period_type:
        raise InvalidInput(
            ngettext(
                "“%(name)s”已存有 %(count)s 个按%(period_type)s填的数值，"
                "不能再改时期类型。如果确实要按别的时期填，请新建一个数据元。",
                "“%(name)s”已存有 %(count)s 个按%(period_type)s填的数值，"
                "不能再改时期类型。如果确实要按别的时期填，请新建一个数据元。",
                stored,
            )
            % {
                "name": element.name,
                "count": stored,
                "period_type": element.get_period_type_display(),
            },
            extra={"field": "period_type"},
        )
    before = snapshot(element)
    unit_changed = unit != element.unit
    element.name, element.aliases, element.definition = name, alias_list, (definition or "").strip()
    element.unit, element.value_type, element.period_type = unit, value_type, period_type
    element.owner, element.additive = owner, additive
    element.save()
    refactored = 0
    if unit_changed:
        for mapping in element.mappings.select_related("field"):
            factor = unit_factor(unit, mapping.field.unit)
            if factor != mapping.factor:
                mapping.factor = factor
                mapping.save(update_fields=["factor", "updated_at"])
                refactored += 1
    after = snapshot(element)
    if refactored:
        after["mapping_factors_updated"] = refactored
    audit_record(
        actor=actor, action="datastore.element.update", target=element, before=before, after=after
    )
    return element


def _rules_naming(element: DataElement) -> list[ValidationRule]:
    # JSON containment is not portable to SQLite; rules are few, so filter here.
    return [
        r
        for r in ValidationRule.objects.exclude(element=element).select_related("element")
        if element.code in (r.others or [])
    ]


def _indicators_naming(code: str) -> list[str]:
    """Evaluation indicators whose formula reads this element (``E:<code>``)."""
    from qingzhuang.evaluation.models import Indicator

    exact = re.compile(rf"\bE:{re.escape(code)}(?![A-Za-z0-9_.@\-\u4e00-\u9fff])")
    rows = Indicator.objects.filter(formula__contains=f"E:{code}").values_list("name", "formula")
    return [name for name, formula in rows if exact.search(formula)]


def element_delete_blockers(element: DataElement) -> list[str]:
    """Why an element cannot be deleted, in plain words of the active language; empty when it
    can. The pages list these, and ``element_delete`` gives them (in Chinese) as its refusal."""
    reasons: list[str] = []
    fields = element.mappings.count()
    if fields:
        reasons.append(
            ngettext(
                "有 %(n)s 个表格字段对应到它，删掉后这些报表就不能自动填写了"
                "（见编辑页“哪些报表字段用到它”）",
                "有 %(n)s 个表格字段对应到它，删掉后这些报表就不能自动填写了"
                "（见编辑页“哪些报表字段用到它”）",
                fields,
            )
            % {"n": fields}
        )
    values = element.values.count()
    if values:
        reasons.append(
            ngettext(
                "已存有 %(n)s 个数值，这些是各单位填报的记录，不能随数据元一起删除",
                "已存有 %(n)s 个数值，这些是各单位填报的记录，不能随数据元一起删除",
                values,
            )
            % {"n": values}
        )
    sep = pgettext("punctuation", "、")
    rules = _rules_naming(element)
    if rules:
        named = sep.join(
            gettext("“%(element)s”的规则“%(rule)s”") % {"element": r.element.name, "rule": r.name}
            for r in rules
        )
        reasons.append(
            ngettext(
                "%(rules)s用到了它，请先修改那些规则",
                "%(rules)s用到了它，请先修改那些规则",
                len(rules),
            )
            % {"rules": named}
        )
    indicators = _indicators_naming(element.code)
    if indicators:
        named = sep.join(f"“{n}”" for n in indicators)
        reasons.append(
            ngettext(
                "考核指标%(names)s的公式用到了它，请先在考核方案里改公式",
                "考核指标%(names)s的公式用到了它，请先在考核方案里改公式",
                len(indicators),
            )
            % {"names": named}
        )
    return reasons


@transaction.atomic
def element_delete(*, actor: Any, element: DataElement) -> None:
    """Delete an element nobody uses yet (a typo, a duplicate made by hand). Anything that
    refers to it blocks the deletion, so nothing is ever half-deleted; its own rules go with it
    and are kept in the audit entry."""
    require_manage(actor)
    element = DataElement.objects.select_for_update().get(pk=element.pk)
    reasons = element_delete_blockers(element)
    if reasons:
        raise Conflict(
            gettext("不能删除数据元“%(name)s”：%(reasons)s。")
            # Translators: separator between clauses of a list inside a sentence.
            % {"name": element.name, "reasons": join_clauses(reasons)}
        )
    before = snapshot(element)
    before["category_options"] = list(element.category_options.values_list("code", flat=True))
    before["rules"] = [snapshot(r) for r in element.rules.order_by("pk")]
    audit_record(actor=actor, action="datastore.element.delete", target=element, before=before)
    element.delete()


# ---------------------------------------------------------------- breakdowns


def _next_option_code() -> str:
    taken = set(CategoryOption.objects.values_list("code", flat=True))
    n = 1
    while f"CO{n:03d}" in taken:
        n += 1
    return f"CO{n:03d}"


def _clean_option_name(name: str, option: CategoryOption | None) -> str:
    name = (name or "").strip()
    if not name:
        raise InvalidInput(gettext("请填写分类名称，例如“男”“60岁以上”"), extra={"field": "name"})
    if len(name) > 50:
        raise InvalidInput(gettext("分类名称太长，请控制在 50 个字以内"), extra={"field": "name"})
    clash = CategoryOption.objects.filter(name=name)
    if option is not None:
        clash = clash.exclude(pk=option.pk)
    found = clash.first()
    if found is not None:
        raise InvalidInput(
            gettext("已有名为“%(name)s”的分类（编码 %(code)s），请直接使用它")
            % {"name": name, "code": found.code},
            extra={"field": "name"},
        )
    return name


@transaction.atomic
def category_option_create(*, actor: Any, code: str, name: str) -> CategoryOption:
    """A breakdown such as 男/女. The code is what export files use; left blank, one is made."""
    require_manage(actor)
    code = (code or "").strip() or _next_option_code()
    if not OPTION_CODE.match(code):
        raise InvalidInput(
            gettext("分类编码只能用字母、数字、下划线、点和短横线，最多 32 个，例如 M、F、AGE60"),
            extra={"field": "code"},
        )
    existing = CategoryOption.objects.filter(code__iexact=code).first()
    if existing is not None:
        raise InvalidInput(
            gettext("分类编码 %(code)s 已被“%(name)s”使用，请换一个")
            % {"code": existing.code, "name": existing.name},
            extra={"field": "code"},
        )
    option = CategoryOption.objects.create(code=code, name=_clean_option_name(name, None))
    audit_record(
        actor=actor, action="datastore.option.create", target=option, after=snapshot(option)
    )
    return option


@transaction.atomic
def category_option_update(*, actor: Any, option: CategoryOption, name: str) -> CategoryOption:
    """Rename a breakdown; its code stays, since export files and harvest mappings use it."""
    require_manage(actor)
    option = CategoryOption.objects.select_for_update().get(pk=option.pk)
    before = snapshot(option)
    option.name = _clean_option_name(name, option)
    option.save(update_fields=["name"])
    audit_record(
        actor=actor,
        action="datastore.option.update",
        target=option,
        before=before,
        after=snapshot(option),
    )
    return option


def _option_in_use(option: CategoryOption, element: DataElement | None = None) -> str:
    """Why an option cannot be removed (from one element, or at all); empty when it can."""
    values = DataValue.objects.filter(category_option=option)
    mappings = FieldMapping.objects.filter(category_option=option)
    if element is not None:
        values, mappings = values.filter(element=element), mappings.filter(element=element)
    n = values.count()
    if n:
        return ngettext(
            "已有 %(count)s 个数值按“%(option)s”分开存储",
            "已有 %(count)s 个数值按“%(option)s”分开存储",
            n,
        ) % {"count": n, "option": option.name}
    n = mappings.count()
    if n:
        return ngettext(
            "有 %(count)s 个表格字段按“%(option)s”对应到数据元",
            "有 %(count)s 个表格字段按“%(option)s”对应到数据元",
            n,
        ) % {"count": n, "option": option.name}
    if element is None:
        users = list(option.dataelement_set.values_list("name", flat=True)[:5])
        if users:
            return gettext("数据元%(names)s还在用它，请先从这些数据元上移除") % {
                "names": join_list(f"“{u}”" for u in users)
            }
    return ""


@transaction.atomic
def category_option_delete(*, actor: Any, option: CategoryOption) -> None:
    require_manage(actor)
    option = CategoryOption.objects.select_for_update().get(pk=option.pk)
    reason = _option_in_use(option)
    if reason:
        raise Conflict(
            gettext("不能删除分类“%(option)s”：%(reason)s。")
            % {"option": option.name, "reason": reason}
        )
    audit_record(
        actor=actor, action="datastore.option.delete", target=option, before=snapshot(option)
    )
    option.delete()


def _locked_pair(
    element: DataElement, option: CategoryOption
) -> tuple[DataElement, CategoryOption]:
    found = CategoryOption.objects.filter(pk=option.pk).first() if option.pk else None
    if found is None:
        raise InvalidInput(
            gettext("找不到分类“%(option)s”，可能已被删除，请刷新页面后重选")
            % {"option": option.name}
        )
    return DataElement.objects.select_for_update().get(pk=element.pk), found


def _option_codes(element: DataElement) -> list[str]:
    return list(element.category_options.order_by("code").values_list("code", flat=True))


@transaction.atomic
def element_option_attach(
    *, actor: Any, element: DataElement, option: CategoryOption
) -> DataElement:
    """Let this element be given per breakdown (男/女 ...); attaching twice changes nothing."""
    require_manage(actor)
    element, option = _locked_pair(element, option)
    if element.category_options.filter(pk=option.pk).exists():
        return element
    element.category_options.add(option)
    audit_record(
        actor=actor,
        action="datastore.element.option_attach",
        target=element,
        after={"option": option.code, "options": _option_codes(element)},
    )
    return element


@transaction.atomic
def element_option_detach(
    *, actor: Any, element: DataElement, option: CategoryOption
) -> DataElement:
    """Stop breaking this element down by an option, unless numbers or fields already do."""
    require_manage(actor)
    element, option = _locked_pair(element, option)
    if not element.category_options.filter(pk=option.pk).exists():
        return element
    reason = _option_in_use(option, element)
    if reason:
        raise Conflict(
            gettext(
                "“%(element)s”%(reason)s，不能移除这个分类。"
                "这些数要保留；如果分类名称写错了，请到“分类选项”里改名。"
            )
            % {"element": element.name, "reason": reason}
        )
    element.category_options.remove(option)
    audit_record(
        actor=actor,
        action="datastore.element.option_detach",
        target=element,
        before={"option": option.code},
        after={"option": option.code, "options": _option_codes(element)},
    )
    return element
