"""`qz data import`: every number goes through the checks entry and harvest apply, problems are
named by their row in one line, and a file with any problem stores nothing."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from qingzhuang.audit.models import AuditEntry
from qingzhuang.core.errors import InvalidInput
from qingzhuang.datastore import services
from qingzhuang.datastore.exchange import CSV_COLUMNS, FORMAT_TAG
from qingzhuang.datastore.models import CategoryOption, DataElement, DataValue, RuleKind, ValueType

HEADER = ",".join(CSV_COLUMNS) + "\n"
VILLAGE_A = "420000100201"


def _row(code: str, name: str, unit: str, value: str, *, org: str = VILLAGE_A) -> str:
    """One line of the documented CSV export format, for period 2026 and no option."""
    return f"{code},{name},{unit},{org},,2026,,{value},harvest,f.xlsx,表!C4\n"


def _import_csv(tmp_path: Path, body: str) -> Any:
    path = tmp_path / "values.csv"
    path.write_text(HEADER + body, encoding="utf-8-sig")
    out = io.StringIO()
    call_command("data", "import", str(path), "--json", stdout=out)
    return json.loads(out.getvalue())


def _people() -> DataElement:
    return services.data_element_create(actor="test", code="DE00001", name="户籍人口", unit="人")


@pytest.mark.parametrize("value", ["abc", "1万", "五千"])
def test_a_word_in_the_csv_is_one_line_naming_the_row(
    org_tree: Any, tmp_path: Path, value: str
) -> None:
    _people()
    with pytest.raises(CommandError) as exc:
        _import_csv(tmp_path, _row("DE00001", "户籍人口", "人", value))
    message = str(exc.value)
    assert message.startswith("第1条“户籍人口”：") and value in message
    assert "\n" not in message
    assert not DataValue.objects.exists()


def test_a_negative_count_is_refused_like_entry_and_harvest(org_tree: Any, tmp_path: Path) -> None:
    _people()
    audits = AuditEntry.objects.count()
    with pytest.raises(CommandError, match="第1条“户籍人口”：数值不能为负数"):
        _import_csv(tmp_path, _row("DE00001", "户籍人口", "人", "-7"))
    assert not DataValue.objects.exists()
    assert AuditEntry.objects.count() == audits


def test_a_fraction_for_an_integer_item_is_refused(org_tree: Any, tmp_path: Path) -> None:
    services.data_element_create(
        actor="test", code="DE00002", name="低保户数", unit="户", value_type=ValueType.INTEGER
    )
    with pytest.raises(CommandError, match="第1条“低保户数”：要填整数"):
        _import_csv(tmp_path, _row("DE00002", "低保户数", "户", "12.5"))
    assert not DataValue.objects.exists()


def test_a_change_may_be_negative(org_tree: Any, tmp_path: Path) -> None:
    res = _import_csv(tmp_path, _row("", "户籍人口增减", "人", "-7"))
    assert res["values_created"] == 1
    assert DataValue.objects.get().value == Decimal(-7)


def test_an_error_rule_of_the_element_is_applied(org_tree: Any, tmp_path: Path) -> None:
    people = _people()
    total = services.data_element_create(actor="test", code="DE00003", name="常住人口", unit="人")
    services.validation_rule_create(
        actor="test", element=people, kind=RuleKind.NOT_ABOVE, name="", others=[total.code]
    )
    services.data_value_set(
        element=total, org_unit=org_tree["village_a"], period="2026", value=100, actor="test"
    )
    with pytest.raises(CommandError, match="第1条“户籍人口”"):
        _import_csv(tmp_path, _row("DE00001", "户籍人口", "人", "120"))
    assert not DataValue.objects.filter(element=people).exists()


def test_rules_see_the_other_numbers_of_the_same_file(org_tree: Any, tmp_path: Path) -> None:
    """A file that changes a total and its parts together is judged on the file's numbers,
    not refused because the store still holds the old parts."""
    total = services.data_element_create(actor="test", code="DE00010", name="总户数", unit="户")
    part_a = services.data_element_create(actor="test", code="DE00011", name="农业户", unit="户")
    part_b = services.data_element_create(actor="test", code="DE00012", name="非农户", unit="户")
    services.validation_rule_create(
        actor="test",
        element=total,
        kind=RuleKind.SUM_EQUALS,
        name="",
        others=[part_a.code, part_b.code],
    )
    for element, value in ((total, 10), (part_a, 6), (part_b, 4)):
        services.data_value_set(
            element=element,
            org_unit=org_tree["village_a"],
            period="2026",
            value=value,
            actor="test",
        )
    res = _import_csv(
        tmp_path,
        _row("DE00010", "总户数", "户", "12")
        + _row("DE00011", "农业户", "户", "7")
        + _row("DE00012", "非农户", "户", "5"),
    )
    assert res["values_updated"] == 3
    with pytest.raises(CommandError, match="分项之和 13 ≠ 合计 12"):
        _import_csv(tmp_path, _row("DE00011", "农业户", "户", "8"))
    assert DataValue.objects.get(element=part_a).value == 7


def test_every_bad_row_is_named_and_nothing_is_stored(org_tree: Any, tmp_path: Path) -> None:
    _people()
    body = (
        _row("DE00001", "户籍人口", "人", "2517")
        + _row("DE00001", "户籍人口", "人", "-1", org="420000100202")
        + _row("", "新数据项X", "人", "abc")
        + _row("DE00001", "户籍人口", "人", "5", org="000000000")
    )
    with pytest.raises(CommandError) as exc:
        _import_csv(tmp_path, body)
    message = str(exc.value)
    assert "第1条" not in message
    assert "第2条“户籍人口”：数值不能为负数" in message
    assert "第3条“新数据项X”：“abc”不是数字" in message
    assert "第4条：找不到单位代码 000000000" in message
    assert "\n" not in message
    assert not DataValue.objects.exists()
    assert not DataElement.objects.filter(name="新数据项X").exists()


def test_more_than_ten_bad_rows_list_the_first_ten(org_tree: Any, tmp_path: Path) -> None:
    _people()
    body = "".join(_row("DE00001", "户籍人口", "人", f"-{n}") for n in range(1, 13))
    with pytest.raises(CommandError) as exc:
        _import_csv(tmp_path, body)
    message = str(exc.value)
    assert "第10条" in message and "第11条" not in message
    assert "另有2条有问题，未一一列出" in message


def test_an_unknown_option_is_refused_not_stored_without_it(org_tree: Any, tmp_path: Path) -> None:
    _people()
    CategoryOption.objects.create(code="M", name="男")
    line = f"DE00001,户籍人口,人,{VILLAGE_A},,2026,F,12,,,\n"
    with pytest.raises(CommandError, match="第1条：找不到分类选项“F”"):
        _import_csv(tmp_path, line)
    assert not DataValue.objects.exists()


def test_json_values_are_checked_the_same_way(org_tree: Any) -> None:
    _people()
    data = {
        "format": FORMAT_TAG,
        "version": 1,
        "values": [
            {"element_code": "DE00001", "org_code": VILLAGE_A, "period": "2026", "value": "abc"},
            {"element_code": "DE00001", "org_code": "420000100202", "period": "2026", "value": -3},
            {"element_code": "DE00001", "org_code": VILLAGE_A, "period": "2025", "value": 12},
        ],
    }
    with pytest.raises(InvalidInput) as exc:
        services.store_import(text=json.dumps(data), fmt="json", actor="test")
    assert "第1条“户籍人口”：“abc”不是数字" in exc.value.message
    assert "第2条“户籍人口”：数值不能为负数" in exc.value.message
    assert "第3条" not in exc.value.message
    assert not DataValue.objects.exists()


def test_a_hand_edited_json_with_broken_records_is_refused_plainly(org_tree: Any) -> None:
    _people()
    values = [{"element_code": "DE00001", "org_code": VILLAGE_A, "period": "2026", "value": 1}]
    broken = {"format": FORMAT_TAG, "version": 1, "values": [*values, ["DE00001", 2]]}
    with pytest.raises(InvalidInput, match="第2条：不是一条数值记录"):
        services.store_import(text=json.dumps(broken), fmt="json", actor="test")
    nameless = {"format": FORMAT_TAG, "version": 1, "elements": [{"code": "DE9"}], "values": []}
    with pytest.raises(InvalidInput, match="elements 第1项缺少 code 或 name"):
        services.store_import(text=json.dumps(nameless), fmt="json", actor="test")
    assert not DataValue.objects.exists()
