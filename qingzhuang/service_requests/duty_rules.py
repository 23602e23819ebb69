"""The duty list (权责清单) and the categories it defines: the rule that routes a new request,
the rule writes, and staff recategorising a request."""

from __future__ import annotations

import re
import time
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from qingzhuang.audit.services import audit_record, snapshot
from qingzhuang.core.errors import Conflict, InvalidInput
from qingzhuang.org.models import Department, OrgLevel, OrgUnit
from qingzhuang.org.roles import require
from qingzhuang.org.scope import scope_for
from qingzhuang.service_requests.models import DutyRule, ServiceRequest, WorkOrder
from qingzhuang.service_requests.workflow import event_add


def _clean(value: str, limit: int) -> str:
    """Form text as stored: stripped, and cut to the column's size."""
    return (value or "").strip()[:limit]


def _ancestor_paths(unit: OrgUnit) -> list[str]:
    parts = [p for p in unit.path.split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


_rules_cache: dict[str, Any] = {"at": -1e9, "by_category": {}}
RULES_TTL = 30.0


def _active_rules() -> dict[str, list[DutyRule]]:
    """Active rules by category, cached per process for RULES_TTL seconds (intake is hot)."""
    now = time.monotonic()
    if now - _rules_cache["at"] > RULES_TTL:
        by_category: dict[str, list[DutyRule]] = {}
        for rule in (
            DutyRule.objects.filter(is_active=True)
            .select_related("area", "lead_unit", "department")
            .prefetch_related("assisting_units")
        ):
            by_category.setdefault(rule.category, []).append(rule)
        _rules_cache.update(at=now, by_category=by_category)
    return _rules_cache["by_category"]  # type: ignore[no-any-return]


def rules_cache_clear() -> None:
    _rules_cache["at"] = -1e9


def duty_rule_for(*, category: str, unit: OrgUnit) -> DutyRule | None:
    """The most specific active duty rule for the category at this place (area rule first)."""
    if not category:
        return None
    paths = set(_ancestor_paths(unit))
    rules = [r for r in _active_rules().get(category, []) if r.area is None or r.area.path in paths]
    if not rules:
        return None
    return max(rules, key=lambda r: r.area.depth + 1 if r.area else 0)


def _township_of(unit: OrgUnit) -> OrgUnit:
    if unit.level == OrgLevel.TOWNSHIP:
        return unit
    found = (
        OrgUnit.objects.filter(path__in=_ancestor_paths(unit), level=OrgLevel.TOWNSHIP)
        .order_by("-depth")
        .first()
    )
    return found or unit


# ---- editing the duty list ------------------------------------------------------------

# A new category's name: what a township would call a kind of problem, nothing else (no markup).
CATEGORY_NAME = re.compile(r"[\u3400-\u9fffA-Za-z0-9·、/（）()\-]{2,20}")


def _check_category(category: str, *, new_category: bool) -> None:
    from qingzhuang.service_requests.selectors import known_categories  # noqa: PLC0415

    if category in known_categories():
        return
    if not new_category:
        raise InvalidInput(
            _("没有“%(category)s”这个分类。请从列表中选择；确实要新增分类的，请填在“新分类”一栏。")
            % {"category": category}
        )
    if not CATEGORY_NAME.fullmatch(category):
        raise InvalidInput(_("新分类的名称要 2 到 20 个字，只能用汉字、字母和数字。"))


def _rule_summary(rule: DutyRule) -> str:
    if rule.referred_up:
        text = _("上报%(department)s") % {"department": rule.department}
    else:
        lead = rule.lead_unit.name if rule.lead_unit else _("问题所在村(社区)")
        text = f"{_('主办')} {lead} {rule.lead_office}".strip()
    if rule.reason:
        text += _("，依据：%(reason)s") % {"reason": rule.reason}
    return text


@transaction.atomic
def duty_rule_save(
    *,
    acting_user: Any,
    category: str,
    area: OrgUnit | None = None,
    lead_unit: OrgUnit | None = None,
    lead_office: str = "",
    assisting_units: list[OrgUnit] | None = None,
    referred_up: bool = False,
    department: Department | None = None,
    reason: str = "",
    is_active: bool = True,
    new_category: bool = False,
    replace: bool = False,
) -> DutyRule:
    """Create the rule for (category, area), or replace the existing one when `replace` says so.

    The category must be a known one unless `new_category` declares a new one, so a typo never
    starts a category of its own. Replacing a rule is never silent: without `replace` it is
    refused with the current rule in the message, and a replacement that leaves 依据 empty keeps
    the old one (a referral's legal basis must not vanish by an oversight).
    """
    if not isinstance(acting_user, str):
        require(acting_user, "requests.dispatch")
    category = _clean(category, 100)
    if not category:
        raise InvalidInput(_("请选择分类。"))
    _check_category(category, new_category=new_category)
    rule = DutyRule.objects.select_for_update().filter(category=category, area=area).first()
    if rule is not None and not replace:
        raise Conflict(
            _(
                "“%(category)s”（%(area)s）已有规则：%(rule)s。确认替换请勾选“已有规则，确认替换”后再保存。"
            )
            % {
                "category": category,
                "area": area.name if area else _("全镇"),
                "rule": _rule_summary(rule),
            }
        )
    reason = _clean(reason, 300) or (rule.reason if rule else "")
    if referred_up and (department is None or not reason):
        raise InvalidInput(_("属县级部门事项的，必须选择县级部门并写明依据。"))
    before = snapshot(rule) if rule else None
    rule = rule or DutyRule(category=category, area=area)
    rule.lead_unit = None if referred_up else lead_unit
    rule.lead_office = _clean(lead_office, 100)
    rule.referred_up = referred_up
    rule.department = department if referred_up else None
    rule.reason = reason
    rule.is_active = is_active
    rule.save()
    rule.assisting_units.set(assisting_units or [])
    transaction.on_commit(rules_cache_clear)
    rules_cache_clear()
    audit_record(
        actor=acting_user,
        action="service_requests.duty_rule.save",
        target=rule,
        before=before,
        after=snapshot(rule),
    )
    return rule


@transaction.atomic
def duty_rule_delete(*, rule: DutyRule, acting_user: Any) -> None:
    require(acting_user, "requests.dispatch")
    before = snapshot(rule)
    audit_record(
        actor=acting_user, action="service_requests.duty_rule.delete", target=rule, before=before
    )
    rule.delete()
    rules_cache_clear()


# ---- a request's category -------------------------------------------------------------


@transaction.atomic
def request_recategorise(
    *, request: ServiceRequest, category: str, acting_user: Any
) -> ServiceRequest:
    """Staff override of the suggested category; overrides feed the next `qz requests retrain`.

    Only a known category (see `selectors.known_categories`) may be chosen: a typed variant
    would start a category of its own and split hotspots and metrics.
    """
    from qingzhuang.service_requests.selectors import known_categories  # noqa: PLC0415

    require(acting_user, "requests.dispatch")
    scope_for(acting_user).require(request.org_unit)
    category = _clean(category, 100)
    if not category:
        raise InvalidInput(_("请选择分类。"))
    if category != request.category and category not in known_categories():
        raise InvalidInput(
            _("没有“%(category)s”这个分类，请从列表中选择。需要新分类的，请先在权责清单中添加。")
            % {"category": category}
        )
    before = snapshot(request, ["category", "category_overridden"])
    request.category = category
    request.category_overridden = category != request.suggested_category
    request.save(update_fields=["category", "category_overridden"])
    order = WorkOrder.objects.filter(request=request).first()
    if order is not None:
        event_add(
            order=order,
            action="recategorise",
            actor=acting_user,
            from_state=order.state,
            note=f"分类改为“{category}”",
        )
    audit_record(
        actor=acting_user,
        action="service_requests.request.recategorise",
        target=request,
        before=before,
        after=snapshot(request, ["category", "category_overridden"]),
    )
    return request
