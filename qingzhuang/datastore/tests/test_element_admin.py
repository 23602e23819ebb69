"""Managing the catalogue by hand: elements, breakdowns and validation rules (services)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from qingzhuang.audit.models import AuditEntry
from qingzhuang.core.errors import Conflict, InvalidInput, PermissionDenied
from qingzhuang.datastore import services
from qingzhuang.datastore.models import (
    CategoryOption,
    DataElement,
    FieldMapping,
    RuleKind,
    ValidationRule,
)
from qingzhuang.datastore.periods import parse_period
from qingzhuang.org.models import Department, Role
from qingzhuang.org.tests.factories import UserFactory


@pytest.fixture
def staff(org_tree: dict[str, Any]) -> Any:
    dept = Department.objects.create(name="县民政局")
    return UserFactory(
        username="dept_staff",
        role=Role.DEPARTMENT_STAFF,
        org_unit=org_tree["county"],
        department=dept,
    )


def _new(admin: Any, name: str, unit: str = "人", **kw: Any) -> DataElement:
    return services.element_create(actor=admin, name=name, unit=unit, **kw)


def _actions(target: Any) -> list[str]:
    return list(
        AuditEntry.objects.filter(object_id=str(target.pk), object_type=target._meta.label)
        .order_by("id")
        .values_list("action", flat=True)
    )


# ---------------------------------------------------------------- elements


def test_element_create_generates_code_and_keeps_every_field(org_tree: Any) -> None:
    admin = org_tree["admin"]
    dept = Department.objects.create(name="县统计局")
    male = services.category_option_create(actor=admin, code="M", name="男")
    e = services.element_create(
        actor=admin,
        name=" 户籍人口 ",
        aliases=["户籍人口数", "户籍人口数", "户籍人口", ""],
        definition="年末登记户籍的人数",
        unit="人",
        value_type="integer",
        period_type="quarter",
        owner=dept,
        additive=True,
        options=[male],
    )
    e.refresh_from_db()
    assert e.code == "DE00001"
    assert (e.name, e.aliases, e.unit, e.value_type, e.period_type) == (
        "户籍人口",
        ["户籍人口数"],
        "人",
        "integer",
        "quarter",
    )
    assert e.owner == dept and e.definition == "年末登记户籍的人数"
    assert list(e.category_options.values_list("code", flat=True)) == ["M"]
    entry = AuditEntry.objects.get(action="datastore.element.create", object_id=str(e.pk))
    assert entry.actor == admin and entry.after["code"] == "DE00001"
    assert AuditEntry.objects.filter(action="datastore.element.option_attach").count() == 1


def test_department_staff_may_create_elements(staff: Any) -> None:
    e = _new(staff, "低保户数", unit="户")
    assert DataElement.objects.filter(pk=e.pk).exists()
    assert AuditEntry.objects.get(action="datastore.element.create").actor == staff


@pytest.mark.parametrize("who", ["worker_a", "evaluator"])
def test_element_create_is_refused_without_capability(org_tree: Any, who: str) -> None:
    before = AuditEntry.objects.count()
    with pytest.raises(PermissionDenied):
        _new(org_tree[who], "耕地面积", unit="亩")
    assert not DataElement.objects.exists()
    assert AuditEntry.objects.count() == before


def test_element_create_refuses_empty_name(org_tree: Any) -> None:
    with pytest.raises(InvalidInput, match="请填写数据元名称"):
        _new(org_tree["admin"], "   ")
    assert not DataElement.objects.exists()


def test_element_create_refuses_name_already_used(org_tree: Any) -> None:
    first = _new(org_tree["admin"], "户籍人口")
    with pytest.raises(InvalidInput, match=f"已有同名数据元 {first.code}") as exc:
        _new(org_tree["admin"], "户籍人口")
    assert exc.value.extra["field"] == "name"
    assert DataElement.objects.count() == 1


def test_element_create_refuses_alias_that_names_another_element(org_tree: Any) -> None:
    _new(org_tree["admin"], "户籍人口", aliases=["户口人数"])
    with pytest.raises(InvalidInput, match="别名“户口人数”已是数据元") as exc:
        _new(org_tree["admin"], "常住人口", aliases=["户口人数"])
    assert exc.value.extra["field"] == "aliases"
    with pytest.raises(InvalidInput, match="“户口人数”已是数据元 DE00001“户籍人口”的别名"):
        _new(org_tree["admin"], "户口人数")
    assert DataElement.objects.count() == 1


def test_element_create_with_bad_option_leaves_nothing(org_tree: Any) -> None:
    ghost = CategoryOption(pk=999, code="X", name="不存在")
    with pytest.raises(InvalidInput):
        _new(org_tree["admin"], "外出务工人数", options=[ghost])
    assert not DataElement.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="datastore.").exists()


def test_element_update_changes_fields_but_never_the_code(org_tree: Any) -> None:
    admin = org_tree["admin"]
    e = _new(admin, "劳动力", aliases=["劳力"])
    services.element_update(
        actor=admin,
        element=e,
        name="农村劳动力人数",
        aliases=["劳动力", "劳力"],
        definition="16-60 岁有劳动能力的人",
        unit="万人",
        value_type="number",
        period_type="year",
        owner=None,
        additive=True,
    )
    e.refresh_from_db()
    assert (e.code, e.name, e.unit) == ("DE00001", "农村劳动力人数", "万人")
    assert e.aliases == ["劳动力", "劳力"]
    entry = AuditEntry.objects.get(action="datastore.element.update")
    assert entry.before["name"] == "劳动力" and entry.after["name"] == "农村劳动力人数"


def _update(element: DataElement, actor: Any, **changes: Any) -> DataElement:
    values = {
        "name": element.name,
        "aliases": list(element.aliases),
        "definition": element.definition,
        "unit": element.unit,
        "value_type": element.value_type,
        "period_type": element.period_type,
        "owner": element.owner,
        "additive": element.additive,
    }
    return services.element_update(actor=actor, element=element, **(values | changes))


def test_element_update_refuses_unit_change_once_values_are_stored(org_tree: Any) -> None:
    admin = org_tree["admin"]
    e = _new(admin, "户籍人口")
    services.data_value_set(
        element=e, org_unit=org_tree["village_a"], period="2026", value=1200, actor=admin
    )
    with pytest.raises(InvalidInput, match="已存有 1 个数值") as exc:
        _update(e, admin, name="户籍总人口", unit="万人")
    assert exc.value.extra["field"] == "unit"
    e.refresh_from_db()
    assert (e.name, e.unit) == ("户籍人口", "人")  # the name change was not half-saved
    with pytest.raises(InvalidInput, match="时期"):
        _update(e, admin, period_type="month")
    assert not AuditEntry.objects.filter(action="datastore.element.update").exists()


def test_element_update_unit_change_recomputes_field_factors(catalogue: Any) -> None:
    e = DataElement.objects.get(name="耕地面积")  # mapped by two forms, no values yet
    assert not e.values.exists()
    assert set(e.mappings.values_list("factor", flat=True)) == {1.0}
    _update(e, catalogue["admin"], unit="公顷")
    assert list(e.mappings.values_list("factor", flat=True)) == pytest.approx([15.0, 15.0])
    assert (
        AuditEntry.objects.get(action="datastore.element.update").after["mapping_factors_updated"]
        == e.mappings.count()
    )


def test_element_update_refuses_taking_another_elements_name(org_tree: Any) -> None:
    admin = org_tree["admin"]
    _new(admin, "户籍人口")
    other = _new(admin, "常住人口")
    with pytest.raises(InvalidInput, match="已有同名数据元"):
        _update(other, admin, name="户籍人口")
    other.refresh_from_db()
    assert other.name == "常住人口"


def test_element_update_keeps_a_name_shared_before(org_tree: Any) -> None:
    """Concept acceptance may make two "男" elements; editing one must still be possible."""
    admin = org_tree["admin"]
    services.data_element_create(name="男", unit="人", actor="test")
    twin = services.data_element_create(name="男", unit="人", actor="test")
    _update(twin, admin, definition="老年人口中的男性")
    twin.refresh_from_db()
    assert twin.definition == "老年人口中的男性"


def test_element_update_is_refused_without_capability(org_tree: Any) -> None:
    e = _new(org_tree["admin"], "户籍人口")
    with pytest.raises(PermissionDenied):
        _update(e, org_tree["worker_a"], name="改名")
    e.refresh_from_db()
    assert e.name == "户籍人口"


def test_element_delete_removes_unused_element_and_its_rules(org_tree: Any) -> None:
    admin = org_tree["admin"]
    e = _new(admin, "临时指标")
    rule = services.validation_rule_create(
        name="", kind=RuleKind.OUTLIER, element=e, others=[], ratio=0.3, actor=admin
    )
    services.element_delete(actor=admin, element=e)
    assert not DataElement.objects.filter(pk=e.pk).exists()
    assert not ValidationRule.objects.filter(pk=rule.pk).exists()
    entry = AuditEntry.objects.get(action="datastore.element.delete")
    assert entry.before["code"] == "DE00001" and entry.before["rules"][0]["kind"] == "outlier"


def test_deleted_code_is_never_given_out_again(org_tree: Any) -> None:
    admin = org_tree["admin"]
    _new(admin, "甲")
    second = _new(admin, "乙")
    services.element_delete(actor=admin, element=second)
    assert _new(admin, "丙").code == "DE00003"


def test_element_delete_refused_when_values_exist_and_nothing_half_deleted(org_tree: Any) -> None:
    admin = org_tree["admin"]
    total, part = _new(admin, "户籍人口"), _new(admin, "老年人口")
    own = services.validation_rule_create(
        name="", kind=RuleKind.NOT_ABOVE, element=part, others=[total.code], actor=admin
    )
    services.data_value_set(
        element=part, org_unit=org_tree["village_a"], period="2026", value=10, actor=admin
    )
    with pytest.raises(Conflict, match="已存有 1 个数值"):
        services.element_delete(actor=admin, element=part)
    assert DataElement.objects.filter(pk=part.pk).exists()
    assert ValidationRule.objects.filter(pk=own.pk).exists()
    assert not AuditEntry.objects.filter(action="datastore.element.delete").exists()


def test_element_delete_refused_when_a_form_field_maps_to_it(catalogue: Any) -> None:
    e = DataElement.objects.get(name="耕地面积")
    n = e.mappings.count()
    with pytest.raises(Conflict, match=f"有 {n} 个表格字段对应到它"):
        services.element_delete(actor=catalogue["admin"], element=e)
    assert FieldMapping.objects.filter(element=e).count() == n


def test_element_delete_refused_when_another_rule_refers_to_it(org_tree: Any) -> None:
    admin = org_tree["admin"]
    total, part = _new(admin, "户籍人口"), _new(admin, "老年人口")
    services.validation_rule_create(
        name="老年人口不超过户籍人口",
        kind=RuleKind.NOT_ABOVE,
        element=part,
        others=[total.code],
        actor=admin,
    )
    with pytest.raises(Conflict, match="“老年人口”的规则“老年人口不超过户籍人口”"):
        services.element_delete(actor=admin, element=total)
    assert DataElement.objects.filter(pk=total.pk).exists()


def test_element_delete_is_refused_without_capability(org_tree: Any) -> None:
    e = _new(org_tree["admin"], "临时指标")
    with pytest.raises(PermissionDenied):
        services.element_delete(actor=org_tree["evaluator"], element=e)
    assert DataElement.objects.filter(pk=e.pk).exists()


# ---------------------------------------------------------------- breakdowns


def test_category_option_create_and_rename_are_audited(org_tree: Any) -> None:
    admin = org_tree["admin"]
    option = services.category_option_create(actor=admin, code=" F ", name=" 女 ")
    assert (option.code, option.name) == ("F", "女")
    services.category_option_update(actor=admin, option=option, name="女性")
    option.refresh_from_db()
    assert option.name == "女性" and option.code == "F"
    assert _actions(option) == ["datastore.option.create", "datastore.option.update"]


def test_category_option_without_code_gets_one(org_tree: Any) -> None:
    option = services.category_option_create(actor=org_tree["admin"], code="", name="60岁以上")
    assert option.code == "CO001"


@pytest.mark.parametrize(
    ("code", "name", "message"),
    [
        ("M", "男性", "分类编码 M 已被“男”使用"),
        ("MALE", "男", "已有名为“男”的分类"),
        ("A B", "甲", "分类编码只能用"),
        ("X", "", "请填写分类名称"),
    ],
)
def test_category_option_create_refuses_bad_input(
    org_tree: Any, code: str, name: str, message: str
) -> None:
    services.category_option_create(actor=org_tree["admin"], code="M", name="男")
    with pytest.raises(InvalidInput, match=message):
        services.category_option_create(actor=org_tree["admin"], code=code, name=name)
    assert CategoryOption.objects.count() == 1


def test_category_option_create_is_refused_without_capability(org_tree: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.category_option_create(actor=org_tree["worker_a"], code="M", name="男")
    assert not CategoryOption.objects.exists()


def test_option_attach_and_detach_unused(org_tree: Any) -> None:
    admin = org_tree["admin"]
    e = _new(admin, "户籍人口")
    male = services.category_option_create(actor=admin, code="M", name="男")
    services.element_option_attach(actor=admin, element=e, option=male)
    assert list(e.category_options.all()) == [male]
    services.element_option_detach(actor=admin, element=e, option=male)
    assert not e.category_options.exists()
    entries = AuditEntry.objects.filter(action__startswith="datastore.element.option_")
    assert [x.action for x in entries.order_by("id")] == [
        "datastore.element.option_attach",
        "datastore.element.option_detach",
    ]
    assert entries.last().after == {"option": "M", "options": []}  # type: ignore[union-attr]


def test_option_detach_refused_when_values_use_it(org_tree: Any) -> None:
    admin = org_tree["admin"]
    e = _new(admin, "户籍人口")
    male = services.category_option_create(actor=admin, code="M", name="男")
    services.element_option_attach(actor=admin, element=e, option=male)
    services.data_value_set(
        element=e,
        org_unit=org_tree["village_a"],
        period="2026",
        value=600,
        actor=admin,
        category_option=male,
    )
    with pytest.raises(Conflict, match="已有 1 个数值按“男”分开存储，不能移除这个分类"):
        services.element_option_detach(actor=admin, element=e, option=male)
    assert list(e.category_options.all()) == [male]
    assert not AuditEntry.objects.filter(action="datastore.element.option_detach").exists()


def test_option_attach_is_refused_without_capability(org_tree: Any) -> None:
    e = _new(org_tree["admin"], "户籍人口")
    male = services.category_option_create(actor=org_tree["admin"], code="M", name="男")
    with pytest.raises(PermissionDenied):
        services.element_option_attach(actor=org_tree["worker_a"], element=e, option=male)
    assert not e.category_options.exists()


def test_option_delete_only_when_unused(org_tree: Any) -> None:
    admin = org_tree["admin"]
    e = _new(admin, "户籍人口")
    male = services.category_option_create(actor=admin, code="M", name="男")
    services.element_option_attach(actor=admin, element=e, option=male)
    with pytest.raises(Conflict, match="户籍人口"):
        services.category_option_delete(actor=admin, option=male)
    services.element_option_detach(actor=admin, element=e, option=male)
    services.category_option_delete(actor=admin, option=male)
    assert not CategoryOption.objects.exists()
    assert AuditEntry.objects.filter(action="datastore.option.delete").count() == 1


# ---------------------------------------------------------------- rules


@pytest.fixture
def people(org_tree: Any) -> dict[str, DataElement]:
    admin = org_tree["admin"]
    return {
        "total": _new(admin, "户籍人口"),
        "male": _new(admin, "男性人口"),
        "female": _new(admin, "女性人口"),
        "old": _new(admin, "老年人口"),
        "land": _new(admin, "耕地面积", unit="亩"),
        "monthly": _new(admin, "月末人口", period_type="month"),
    }


def test_rule_create_not_above_checks_values(org_tree: Any, people: Any) -> None:
    admin, v = org_tree["admin"], org_tree["village_a"]
    rule = services.validation_rule_create(
        name="",
        kind=RuleKind.NOT_ABOVE,
        element=people["old"],
        others=[people["total"].code],
        actor=admin,
        replace=False,
    )
    assert rule.name == "老年人口不大于户籍人口"
    assert _actions(rule) == ["datastore.rule.create"]
    services.data_value_set(
        element=people["total"], org_unit=v, period="2026", value=100, actor=admin
    )
    check = services.check_value(
        element=people["old"], org_unit=v, period=parse_period("2026"), value=Decimal(101)
    )
    assert any("大于总数" in m for m in check.errors)


@pytest.mark.parametrize(
    ("kind", "others", "ratio", "message"),
    [
        (RuleKind.NOT_ABOVE, ["land"], 0.5, "单位是“亩”"),
        (RuleKind.NOT_ABOVE, ["monthly"], 0.5, "按月填报"),
        (RuleKind.NOT_ABOVE, ["old"], 0.5, "和它自己比较"),
        (RuleKind.NOT_ABOVE, [], 0.5, "要选一个总数"),
        (RuleKind.SUM_EQUALS, ["male"], 0.5, "至少要选两个分项"),
        (RuleKind.OUTLIER, [], 0.0, "1 到 1000 之间"),
        (RuleKind.OUTLIER, [], 20.0, "1 到 1000 之间"),
        ("bogus", [], 0.5, "请选择规则类型"),
    ],
)
def test_rule_create_refuses_bad_rules(
    org_tree: Any, people: Any, kind: str, others: list[str], ratio: float, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        services.validation_rule_create(
            name="",
            kind=kind,
            element=people["old"],
            others=[people[k].code for k in others],
            ratio=ratio,
            actor=org_tree["admin"],
            replace=False,
        )
    assert not ValidationRule.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="datastore.rule").exists()


def test_rule_create_refuses_unknown_element_code(org_tree: Any, people: Any) -> None:
    with pytest.raises(InvalidInput, match="找不到数据元：DE99999"):
        services.validation_rule_create(
            name="x",
            kind=RuleKind.NOT_ABOVE,
            element=people["old"],
            others=["DE99999"],
            actor=org_tree["admin"],
        )


def test_rule_create_refuses_duplicate_name_from_pages(org_tree: Any, people: Any) -> None:
    args = {
        "name": "分项之和",
        "kind": RuleKind.SUM_EQUALS,
        "element": people["total"],
        "others": [people["male"].code, people["female"].code],
        "actor": org_tree["admin"],
    }
    services.validation_rule_create(**args, replace=False)
    with pytest.raises(Conflict, match="已有名为“分项之和”的规则"):
        services.validation_rule_create(**args, replace=False)
    services.validation_rule_create(**args)  # a script run again changes nothing
    assert ValidationRule.objects.count() == 1
    assert AuditEntry.objects.filter(action__startswith="datastore.rule.").count() == 1
    services.validation_rule_create(**args | {"is_error": False})  # ... or updates in place
    assert ValidationRule.objects.get().is_error is False
    assert AuditEntry.objects.filter(action="datastore.rule.update").count() == 1


def test_rule_create_refuses_second_outlier_rule(org_tree: Any, people: Any) -> None:
    admin = org_tree["admin"]
    services.validation_rule_create(
        name="", kind=RuleKind.OUTLIER, element=people["total"], others=[], ratio=0.3, actor=admin
    )
    with pytest.raises(Conflict, match="已有一条“与上期相比变化过大”的规则"):
        services.validation_rule_create(
            name="另一条",
            kind=RuleKind.OUTLIER,
            element=people["total"],
            others=[],
            ratio=0.2,
            actor=admin,
        )
    assert ValidationRule.objects.count() == 1


def test_rule_create_is_refused_without_capability(org_tree: Any, people: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.validation_rule_create(
            name="",
            kind=RuleKind.OUTLIER,
            element=people["total"],
            others=[],
            ratio=0.3,
            actor=org_tree["worker_a"],
        )
    assert not ValidationRule.objects.exists()


def test_rule_update_changes_what_is_checked(org_tree: Any, people: Any) -> None:
    admin, v = org_tree["admin"], org_tree["village_a"]
    rule = services.validation_rule_create(
        name="", kind=RuleKind.OUTLIER, element=people["total"], others=[], ratio=0.5, actor=admin
    )
    services.validation_rule_update(
        actor=admin,
        rule=rule,
        name="男女之和等于户籍人口",
        kind=RuleKind.SUM_EQUALS,
        others=[people["male"].code, people["female"].code],
        ratio=0.5,
        is_error=True,
    )
    rule.refresh_from_db()
    assert (rule.kind, rule.others) == (
        RuleKind.SUM_EQUALS,
        [people["male"].code, people["female"].code],
    )
    entry = AuditEntry.objects.get(action="datastore.rule.update")
    assert entry.before["kind"] == "outlier" and entry.after["kind"] == "sum_equals"
    for key, value in (("male", 60), ("female", 30)):
        services.data_value_set(
            element=people[key], org_unit=v, period="2026", value=value, actor=admin
        )
    with pytest.raises(InvalidInput, match="男女之和等于户籍人口不成立"):
        services.data_value_set(
            element=people["total"], org_unit=v, period="2026", value=100, actor=admin
        )


def test_rule_update_with_bad_data_changes_nothing(org_tree: Any, people: Any) -> None:
    admin = org_tree["admin"]
    rule = services.validation_rule_create(
        name="老年人口不大于户籍人口",
        kind=RuleKind.NOT_ABOVE,
        element=people["old"],
        others=[people["total"].code],
        actor=admin,
    )
    with pytest.raises(InvalidInput, match="单位是“亩”"):
        services.validation_rule_update(
            actor=admin,
            rule=rule,
            name="改了名",
            kind=RuleKind.NOT_ABOVE,
            others=[people["land"].code],
            ratio=0.5,
            is_error=False,
        )
    rule.refresh_from_db()
    assert (rule.name, rule.others, rule.is_error) == (
        "老年人口不大于户籍人口",
        [people["total"].code],
        True,
    )


def test_rule_deactivate_stops_the_check_and_can_be_undone(org_tree: Any, people: Any) -> None:
    admin, v = org_tree["admin"], org_tree["village_a"]
    rule = services.validation_rule_create(
        name="",
        kind=RuleKind.NOT_ABOVE,
        element=people["old"],
        others=[people["total"].code],
        actor=admin,
    )
    services.data_value_set(
        element=people["total"], org_unit=v, period="2026", value=100, actor=admin
    )
    services.validation_rule_set_active(actor=admin, rule=rule, active=False)
    services.data_value_set(
        element=people["old"], org_unit=v, period="2026", value=101, actor=admin
    )
    services.validation_rule_set_active(actor=admin, rule=rule, active=True)
    rule.refresh_from_db()
    assert rule.active
    assert _actions(rule) == [
        "datastore.rule.create",
        "datastore.rule.deactivate",
        "datastore.rule.activate",
    ]


def test_rule_deactivate_is_refused_without_capability(org_tree: Any, people: Any) -> None:
    rule = services.validation_rule_create(
        name="", kind=RuleKind.NON_NEGATIVE, element=people["old"], others=[], actor="cli"
    )
    with pytest.raises(PermissionDenied):
        services.validation_rule_set_active(actor=org_tree["evaluator"], rule=rule, active=False)
    rule.refresh_from_db()
    assert rule.active


def test_rule_describe_says_what_the_rule_means(people: Any) -> None:
    text = services.rule_describe(
        kind=RuleKind.SUM_EQUALS,
        element=people["total"],
        others=[people["male"], people["female"]],
        ratio=0.5,
        is_error=False,
    )
    assert "“男性人口”+“女性人口”之和必须等于“户籍人口”" in text and "只提醒" in text
    text = services.rule_describe(
        kind=RuleKind.NOT_ABOVE,
        element=people["old"],
        others=[people["total"]],
        ratio=0.5,
        is_error=True,
    )
    assert "“老年人口”不能大于“户籍人口”" in text and "不许保存" in text
    text = services.rule_describe(
        kind=RuleKind.OUTLIER, element=people["total"], others=[], ratio=0.3, is_error=True
    )
    assert "30%" in text and "低于 70 或高于 130" in text
