"""What check_value always checks: no negative count, no fraction for an 整数 item; changes,
growth rates and profits may be negative."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from qingzhuang.core.errors import InvalidInput
from qingzhuang.datastore import services
from qingzhuang.datastore.models import DataValue, RuleKind, ValueType
from qingzhuang.datastore.periods import parse_period


def _element(name: str, unit: str, **kwargs: Any) -> Any:
    return services.data_element_create(actor="test", name=name, unit=unit, **kwargs)


def _errors(org_tree: Any, element: Any, value: str) -> list[str]:
    return services.check_value(
        element=element,
        org_unit=org_tree["village_a"],
        period=parse_period("2026"),
        value=Decimal(value),
    ).errors


@pytest.mark.parametrize(
    ("name", "unit"),
    [
        ("常住人口", "人"),
        ("低保户数", "户"),
        ("卫生室", "个"),
        ("耕地面积", "亩"),
        ("村集体经济收入", "万元"),
    ],
)
def test_counts_areas_and_amounts_may_not_be_negative(org_tree: Any, name: str, unit: str) -> None:
    errors = _errors(org_tree, _element(name, unit), "-1")
    assert errors == [f"{name}：数值不能为负数"]


@pytest.mark.parametrize(
    ("name", "unit", "kwargs"),
    [
        ("增长率", "%", {}),
        ("村集体经济收入增长", "万元", {}),
        ("户籍人口增减", "人", {}),
        ("耕地面积变动", "亩", {}),
        ("收支差额", "万元", {}),
        ("合作社利润", "万元", {}),
        ("企业盈亏", "万元", {}),
        ("净增人口", "人", {}),
        ("比重", "", {"value_type": ValueType.PERCENT}),
    ],
)
def test_changes_rates_and_results_may_be_negative(
    org_tree: Any, name: str, unit: str, kwargs: dict[str, Any]
) -> None:
    element = _element(name, unit, **kwargs)
    assert services.may_be_negative(element)
    assert _errors(org_tree, element, "-2.5") == []


def test_a_signed_item_can_still_be_held_non_negative_by_a_rule(org_tree: Any) -> None:
    share = _element("贫困人口占比", "%")
    services.validation_rule_create(
        actor="test", element=share, kind=RuleKind.NON_NEGATIVE, name="", others=[]
    )
    errors = _errors(org_tree, share, "-1")
    assert (
        len(errors) == 1 and "数值不能为负数" in errors[0] and "贫困人口占比不能为负数" in errors[0]
    )
    assert _errors(org_tree, share, "3") == []


def test_a_count_with_its_rule_is_refused_once(org_tree: Any) -> None:
    people = _element("常住人口", "人")
    services.validation_rule_create(
        actor="test", element=people, kind=RuleKind.NON_NEGATIVE, name="", others=[]
    )
    assert _errors(org_tree, people, "-1") == ["常住人口：数值不能为负数"]


def test_negative_growth_rate_is_stored(org_tree: Any) -> None:
    rate = _element("增长率", "%")
    res = services.data_value_set(
        element=rate, org_unit=org_tree["village_a"], period="2026", value="-2.5%", actor="test"
    )
    assert res.status == "created" and res.data_value is not None
    assert res.data_value.value == Decimal("-2.5")


def test_integer_element_refuses_a_fraction_with_a_plain_message(org_tree: Any) -> None:
    households = _element("低保户数", "户", value_type=ValueType.INTEGER)
    assert _errors(org_tree, households, "12.5") == [
        "低保户数：要填整数，不能有小数（填的是 12.5）"
    ]
    assert _errors(org_tree, households, "12") == []
    assert _errors(org_tree, households, "12.000") == []
    with pytest.raises(InvalidInput, match="要填整数"):
        services.data_value_set(
            element=households,
            org_unit=org_tree["village_a"],
            period="2026",
            value="12.5",
            actor="test",
        )
    assert not DataValue.objects.filter(element=households).exists()


def test_number_element_still_takes_a_fraction(org_tree: Any) -> None:
    area = _element("耕地面积", "亩")
    assert _errors(org_tree, area, "12.5") == []
