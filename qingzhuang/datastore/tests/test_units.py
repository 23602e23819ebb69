"""Periods, row-name matching and validation rules."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, transaction

from qingzhuang.core.errors import InvalidInput
from qingzhuang.datastore import services
from qingzhuang.datastore.models import DataValue, RuleKind
from qingzhuang.datastore.orgmatch import OrgMatcher, is_total_label, norm_name
from qingzhuang.datastore.periods import parse_period


@pytest.mark.parametrize(
    ("text", "code", "kind"),
    [
        ("2026", "2026", "year"),
        ("2026年", "2026", "year"),
        ("2026Q3", "2026Q3", "quarter"),
        ("2026q1", "2026Q1", "quarter"),
        ("2026年第三季度", "2026Q3", "quarter"),
        ("2026-09", "2026-09", "month"),
        ("2026-9", "2026-09", "month"),
        ("2026年9月", "2026-09", "month"),
    ],
)
def test_period_forms_are_canonical(text: str, code: str, kind: str) -> None:
    p = parse_period(text)
    assert (p.code, p.type) == (code, kind)


@pytest.mark.parametrize("text", ["", "26", "2026Q5", "2026-13", "明年"])
def test_bad_period_is_refused_in_chinese(text: str) -> None:
    with pytest.raises(InvalidInput, match="时期"):
        parse_period(text)


def test_previous_period_crosses_year() -> None:
    assert parse_period("2026Q1").previous().code == "2025Q4"
    assert parse_period("2026-01").previous().code == "2025-12"
    assert parse_period("2026").previous().code == "2025"


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("东村", "东"),
        ("中共东村支部委员会", "东"),
        ("东村村民委员会", "东"),
        ("1.东村", "东"),
        ("新华社区居民委员会", "新华"),
        ("中共新华社区党总支部委员会", "新华"),
    ],
)
def test_row_names_normalise(label: str, expected: str) -> None:
    assert norm_name(label) == expected


def test_matcher_finds_villages_and_ignores_totals(org_tree: Any) -> None:
    m = OrgMatcher.below(org_tree["town"])
    assert m.match("中共东村支部委员会") == org_tree["village_a"]
    assert m.match("西 村") == org_tree["village_b"]
    assert m.match("北村") is None
    assert m.is_root("测试镇")
    assert is_total_label("合 计") and is_total_label("小计") and not is_total_label("东村")


def _element(name: str, code: str) -> Any:
    return services.data_element_create(name=name, code=code, unit="人", actor="t")


def test_sum_rule_male_plus_female_equals_total(org_tree: Any) -> None:
    total, male, female = _element("户籍人口", "T"), _element("男", "M"), _element("女", "F")
    services.validation_rule_create(
        name="男+女=合计", kind=RuleKind.SUM_EQUALS, element=total, others=["M", "F"], actor="t"
    )
    v = org_tree["village_a"]
    services.data_value_set(element=total, org_unit=v, period="2026", value=100, actor="t")
    services.data_value_set(element=male, org_unit=v, period="2026", value=60, actor="t")
    with pytest.raises(InvalidInput, match="男\\+女=合计"):
        services.data_value_set(element=female, org_unit=v, period="2026", value=30, actor="t")
    services.data_value_set(element=female, org_unit=v, period="2026", value=40, actor="t")
    assert DataValue.objects.filter(org_unit=v).count() == 3


def test_sub_item_not_above_total(org_tree: Any) -> None:
    total, old = _element("户籍人口", "T"), _element("老年人口", "O")
    services.validation_rule_create(
        name="老年人口不大于户籍人口", kind=RuleKind.NOT_ABOVE, element=old, others=["T"], actor="t"
    )
    v = org_tree["village_a"]
    services.data_value_set(element=total, org_unit=v, period="2026", value=100, actor="t")
    with pytest.raises(InvalidInput, match="大于总数"):
        services.data_value_set(element=old, org_unit=v, period="2026", value=101, actor="t")


def test_outlier_is_a_warning_and_history_is_kept(org_tree: Any) -> None:
    e = _element("户籍人口", "T")
    v = org_tree["village_a"]
    services.data_value_set(element=e, org_unit=v, period="2025", value=100, actor="t")
    res = services.data_value_set(element=e, org_unit=v, period="2026", value=300, actor="t")
    assert res.status == "created" and "变化超过" in res.warnings[0]
    again = services.data_value_set(element=e, org_unit=v, period="2026", value=310, actor="t")
    assert again.status == "updated"
    assert [h.new_value for h in again.data_value.history.all()] == [Decimal(310), Decimal(300)]  # type: ignore[union-attr]


def test_value_key_is_unique_in_database_without_option(org_tree: Any) -> None:
    e = _element("户籍人口", "T")
    v = org_tree["village_a"]
    services.data_value_set(element=e, org_unit=v, period="2026", value=1, actor="t")
    with pytest.raises(IntegrityError), transaction.atomic():
        DataValue.objects.create(
            element=e, org_unit=v, period="2026", period_type="year", value=2, source="entry"
        )


def test_unit_factor_converts_between_field_and_element() -> None:
    assert services.unit_factor("人", "万人") == pytest.approx(0.0001)
    assert services.unit_factor("亩", "公顷") == pytest.approx(1 / 15)
    assert services.unit_factor("人", "亩") == 1.0


@pytest.mark.django_db
def test_township_row_names_match_ethnic_and_shortened_names(org_tree: dict[str, Any]) -> None:
    from qingzhuang.datastore.orgmatch import OrgMatcher
    from qingzhuang.org.services import org_unit_create

    county = org_tree["county"]
    xiagu = org_unit_create(
        code="T9001", name="下谷坪土家族乡", level="township", parent=county, actor="t"
    )
    org_unit_create(code="T9002", name="松柏镇", level="township", parent=county, actor="t")
    matcher = OrgMatcher.below(county)
    assert matcher.match("下谷乡") == xiagu
    assert matcher.match("下谷坪土家族乡") == xiagu
    assert matcher.match("松柏") is not None
    assert matcher.match("宋洛乡") is None
