"""Merging a duplicate data element into the one that stays (一数一源)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from qingzhuang.audit.models import AuditEntry
from qingzhuang.core.errors import Conflict, InvalidInput, PermissionDenied
from qingzhuang.datastore import services
from qingzhuang.datastore.merging import merge_candidates, merge_plan
from qingzhuang.datastore.models import (
    DataElement,
    DataValue,
    DataValueHistory,
    FieldMapping,
    RuleKind,
    ValidationRule,
)
from qingzhuang.evaluation.models import Indicator
from qingzhuang.org.models import Role
from qingzhuang.org.tests.factories import UserFactory
from qingzhuang.reporting.models import (
    Concept,
    ConceptStatus,
    ReportTemplate,
    Sheet,
    TemplateField,
)


def _new(admin: Any, name: str, unit: str = "人", **kw: Any) -> DataElement:
    return services.element_create(actor=admin, name=name, unit=unit, **kw)


def _set(element: DataElement, unit: Any, period: str, value: Any, option: Any = None) -> None:
    services.data_value_set(
        element=element,
        org_unit=unit,
        period=period,
        value=value,
        actor="test",
        category_option=option,
        validate=False,
    )


def _field(label: str, element: DataElement) -> TemplateField:
    template = ReportTemplate.objects.create(
        title=f"{label}表", sha256=label, original_name=f"{label}.xlsx", format="xlsx"
    )
    sheet = Sheet.objects.create(template=template, name="Sheet1")
    field = TemplateField.objects.create(
        template=template, sheet=sheet, cell="B3", label=label, path=[label], row=3, col=2
    )
    FieldMapping.objects.create(field=field, element=element)
    return field


@pytest.fixture
def twins(org_tree: dict[str, Any]) -> dict[str, Any]:
    admin = org_tree["admin"]
    keep = _new(admin, "户籍人口", aliases=["户籍人数"], definition="年末登记户籍的人数")
    dup = _new(admin, "户籍总人口", aliases=["总户籍人口"])
    return {"keep": keep, "dup": dup, **org_tree}


def _values(element: DataElement) -> dict[tuple[str, str], Decimal]:
    return {
        (v.org_unit.name, v.period): v.value
        for v in DataValue.objects.filter(element=element).select_related("org_unit")
    }


def test_merge_moves_everything_that_names_the_duplicate(twins: dict[str, Any]) -> None:
    admin, keep, dup = twins["admin"], twins["keep"], twins["dup"]
    east, west = twins["village_a"], twins["village_b"]
    _set(keep, east, "2025", 1200)
    _set(dup, west, "2025", 800)
    _set(dup, east, "2024", 1150)
    field = _field("户籍总人口", dup)
    part = _new(admin, "户籍男性人口")
    rule = services.validation_rule_create(
        name="", kind=RuleKind.NOT_ABOVE, element=part, others=[dup.code], actor=admin
    )
    own_rule = services.validation_rule_create(
        name="", kind=RuleKind.OUTLIER, element=dup, others=[], ratio=0.3, actor=admin
    )
    concept = Concept.objects.create(
        name="户籍总人口", status=ConceptStatus.ACCEPTED, element_code=dup.code
    )
    indicator = Indicator.objects.create(
        code="ENV",
        name="每千人环境投诉",
        formula=f"M:complaints@环境 / E:{dup.code} * 1000 + E:{dup.code}0",
        target=1,
        floor=5,
        direction="lower",
    )

    result = services.element_merge(actor=admin, source=dup, target=keep)

    assert not DataElement.objects.filter(pk=dup.pk).exists()
    assert _values(keep) == {
        ("东村", "2025"): Decimal(1200),
        ("西村", "2025"): Decimal(800),
        ("东村", "2024"): Decimal(1150),
    }
    assert FieldMapping.objects.get(field=field).element == keep
    rule.refresh_from_db()
    own_rule.refresh_from_db()
    assert rule.others == [keep.code] and own_rule.element == keep
    concept.refresh_from_db()
    assert concept.element_code == keep.code
    indicator.refresh_from_db()
    # Only the exact code is rewritten, not a longer code that starts with it.
    assert indicator.formula == f"M:complaints@环境 / E:{keep.code} * 1000 + E:{dup.code}0"
    keep.refresh_from_db()
    assert keep.aliases == ["户籍人数", "户籍总人口", "总户籍人口"]
    assert keep.definition == "年末登记户籍的人数"
    assert (result.moved, result.same, result.fields, result.rules, result.indicators) == (
        2,
        0,
        1,
        2,
        1,
    )
    entry = AuditEntry.objects.get(action="datastore.element.merge")
    assert entry.before["source"]["code"] == dup.code and entry.after["code"] == keep.code


def test_equal_numbers_collapse_and_keep_both_histories(twins: dict[str, Any]) -> None:
    keep, dup, east = twins["keep"], twins["dup"], twins["village_a"]
    _set(keep, east, "2025", 1200)
    _set(dup, east, "2025", 1100)
    _set(dup, east, "2025", 1200)  # corrected later to the same number

    result = services.element_merge(actor=twins["admin"], source=dup, target=keep)

    assert result.same == 1 and result.moved == 0
    value = DataValue.objects.get(element=keep)
    assert value.value == Decimal(1200)
    assert sorted(h.new_value for h in DataValueHistory.objects.filter(data_value=value)) == [
        Decimal(1100),
        Decimal(1200),
        Decimal(1200),
    ]


def test_different_numbers_refuse_the_merge_and_change_nothing(twins: dict[str, Any]) -> None:
    keep, dup, east = twins["keep"], twins["dup"], twins["village_a"]
    _set(keep, east, "2025", 1200)
    _set(dup, east, "2025", 1210)
    field = _field("户籍总人口", dup)

    with pytest.raises(Conflict) as exc:
        services.element_merge(actor=twins["admin"], source=dup, target=keep)

    assert "东村" in exc.value.message and "2025" in exc.value.message
    assert "1,200" in exc.value.message and "1,210" in exc.value.message
    assert DataElement.objects.filter(pk=dup.pk).exists()
    assert _values(dup) == {("东村", "2025"): Decimal(1210)}
    assert FieldMapping.objects.get(field=field).element == dup
    assert not AuditEntry.objects.filter(action="datastore.element.merge").exists()


def test_keep_target_on_conflict_records_the_dropped_number(twins: dict[str, Any]) -> None:
    keep, dup, east = twins["keep"], twins["dup"], twins["village_a"]
    _set(keep, east, "2025", 1200)
    _set(dup, east, "2025", 1210)

    result = services.element_merge(
        actor=twins["admin"], source=dup, target=keep, keep_target_on_conflict=True
    )

    assert result.conflicts_kept == 1
    value = DataValue.objects.get(element=keep)
    assert value.value == Decimal(1200)
    dropped = DataValueHistory.objects.filter(data_value=value, old_value=Decimal(1210)).get()
    assert dropped.new_value == Decimal(1200)
    assert dup.code in dropped.actor_label


def test_breakdowns_of_the_duplicate_are_attached_to_the_target(twins: dict[str, Any]) -> None:
    admin, keep, dup, east = twins["admin"], twins["keep"], twins["dup"], twins["village_a"]
    male = services.category_option_create(actor=admin, code="M", name="男")
    services.element_option_attach(actor=admin, element=dup, option=male)
    _set(dup, east, "2025", 600, option=male)

    services.element_merge(actor=admin, source=dup, target=keep)

    assert list(keep.category_options.values_list("code", flat=True)) == ["M"]
    assert DataValue.objects.get(element=keep).category_option == male


@pytest.mark.parametrize(
    ("changes", "word"),
    [
        ({"unit": "户"}, "单位"),
        ({"value_type": "percent"}, "类型"),
        ({"period_type": "quarter"}, "周期"),
    ],
)
def test_elements_of_different_kinds_cannot_merge(
    twins: dict[str, Any], changes: dict[str, str], word: str
) -> None:
    other = _new(twins["admin"], "户数", **{"unit": "人", **changes})
    with pytest.raises(InvalidInput) as exc:
        services.element_merge(actor=twins["admin"], source=other, target=twins["keep"])
    assert word in exc.value.message
    assert DataElement.objects.filter(pk=other.pk).exists()


def test_an_element_cannot_merge_into_itself(twins: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput):
        services.element_merge(actor=twins["admin"], source=twins["keep"], target=twins["keep"])


def test_a_rule_that_would_compare_the_target_with_itself_blocks(twins: dict[str, Any]) -> None:
    admin, keep, dup = twins["admin"], twins["keep"], twins["dup"]
    services.validation_rule_create(
        name="", kind=RuleKind.NOT_ABOVE, element=keep, others=[dup.code], actor=admin
    )
    with pytest.raises(Conflict) as exc:
        services.element_merge(actor=admin, source=dup, target=keep)
    assert "规则" in exc.value.message
    assert ValidationRule.objects.get(element=keep).others == [dup.code]


def test_only_catalogue_keepers_may_merge(twins: dict[str, Any]) -> None:
    worker = UserFactory(role=Role.VILLAGE_WORKER, org_unit=twins["village_a"])
    with pytest.raises(PermissionDenied):
        services.element_merge(actor=worker, source=twins["dup"], target=twins["keep"])


def test_plan_counts_what_would_move_without_changing_anything(twins: dict[str, Any]) -> None:
    keep, dup, east, west = twins["keep"], twins["dup"], twins["village_a"], twins["village_b"]
    _set(keep, east, "2025", 1200)
    _set(dup, east, "2025", 1200)
    _set(dup, west, "2025", 800)
    _set(keep, west, "2024", 790)
    _set(dup, west, "2024", 795)
    plan = merge_plan(source=dup, target=keep)
    assert (plan.moved, plan.same) == (1, 1)
    assert [(c.unit_name, c.period, c.source_value, c.target_value) for c in plan.conflicts] == [
        ("西村", "2024", Decimal(795), Decimal(790))
    ]
    assert DataValue.objects.filter(element=dup).count() == 3


def test_candidates_are_same_kind_and_namesakes_first(twins: dict[str, Any]) -> None:
    admin, keep, dup = twins["admin"], twins["keep"], twins["dup"]
    _new(admin, "耕地面积", unit="亩")
    unrelated = _new(admin, "常住人口")
    names = [e.name for e in merge_candidates(element=dup)]
    assert names[0] == keep.name
    assert unrelated.name in names and "耕地面积" not in names and dup.name not in names


def test_cli_merge_by_code_and_plain_errors(twins: dict[str, Any]) -> None:
    import io
    import json

    from django.core.management import CommandError, call_command

    keep, dup, east = twins["keep"], twins["dup"], twins["village_a"]
    _set(keep, east, "2025", 1200)
    _set(dup, east, "2025", 1210)
    with pytest.raises(CommandError) as exc:
        call_command("data", "merge", dup.code, keep.code, stdout=io.StringIO())
    assert "不一样" in str(exc.value)
    with pytest.raises(CommandError) as exc:
        call_command("data", "merge", "NOPE", keep.code, stdout=io.StringIO())
    assert "NOPE" in str(exc.value)
    out = io.StringIO()
    call_command("data", "merge", dup.code, keep.code, "--keep-target", "--json", stdout=out)
    assert json.loads(out.getvalue())["conflicts_kept"] == 1
    assert not DataElement.objects.filter(pk=dup.pk).exists()
