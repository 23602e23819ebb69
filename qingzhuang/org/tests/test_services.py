from __future__ import annotations

from typing import Any

import pytest

from qingzhuang.audit.models import AuditEntry
from qingzhuang.core.errors import InvalidInput
from qingzhuang.org import services
from qingzhuang.org.models import OrgUnit

pytestmark = pytest.mark.django_db

CSV = (
    "code,name,parent_code,level\n"
    "4201,甲县,,county\n"
    "420101,乙镇,4201,township\n"
    "42010101,丙村,420101,village\n"
    "4201010101,丙村一网格,42010101,grid\n"
)


def _import(text: str) -> services.OrgImportResult:
    rows = services.parse_org_csv(text.encode("utf-8"))
    return services.org_units_import(rows=rows, actor="test")


def test_import_creates_tree_with_subtree_paths() -> None:
    result = _import(CSV)
    assert len(result.created) == 4
    village = OrgUnit.objects.get(code="42010101")
    town = OrgUnit.objects.get(code="420101")
    assert village.parent == town
    assert set(OrgUnit.objects.under(town).values_list("code", flat=True)) == {
        "420101",
        "42010101",
        "4201010101",
    }


def test_reimport_changes_nothing() -> None:
    _import(CSV)
    audit_count = AuditEntry.objects.count()
    result = _import(CSV)
    assert result.created == [] and result.updated == []
    assert len(result.unchanged) == 4
    assert AuditEntry.objects.count() == audit_count


def test_children_listed_before_parents_are_imported() -> None:
    lines = CSV.strip().splitlines()
    reordered = "\n".join([lines[0], *reversed(lines[1:])]) + "\n"
    result = _import(reordered)
    assert len(result.created) == 4
    assert OrgUnit.objects.get(code="4201010101").depth == 3


def test_rename_and_move_updates_subtree_paths() -> None:
    _import(CSV + "420102,丁镇,4201,township\n")
    moved = CSV.replace("42010101,丙村,420101,village", "42010101,丙村（新）,420102,village")
    result = _import(moved + "420102,丁镇,4201,township\n")
    assert result.updated == ["42010101"]
    grid = OrgUnit.objects.get(code="4201010101")
    assert grid.is_descendant_of(OrgUnit.objects.get(code="420102"))


def test_gbk_file_is_accepted() -> None:
    rows = services.parse_org_csv(CSV.encode("gbk"))
    assert rows[1]["name"] == "乙镇"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("code,name,level\n1,a,county\n", "缺少列"),
        ("code,name,parent_code,level\n1,甲,,city\n", "层级"),
        ("code,name,parent_code,level\n1,甲,9,village\n", "上级代码 9 不存在"),
        ("code,name,parent_code,level\n1,甲,,county\n1,乙,,county\n", "重复"),
        ("code,name,parent_code,level\n1,甲,2,village\n2,乙,1,village\n", "循环"),
        ("code,name,parent_code,level\n1,甲村,,village\n2,乙县,1,county\n", "层级不对"),
    ],
)
def test_bad_lists_are_rejected_and_nothing_is_saved(text: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        _import(text)
    assert OrgUnit.objects.count() == 0


def test_every_unit_change_is_audited(org_tree: dict[str, Any]) -> None:
    village = org_tree["village_a"]
    services.org_unit_update(unit=village, actor=org_tree["admin"], name="东村村")
    entry = AuditEntry.objects.filter(action="org.unit.update").latest("id")
    assert entry.before["name"] == "东村" and entry.after["name"] == "东村村"
    assert entry.actor == org_tree["admin"]
