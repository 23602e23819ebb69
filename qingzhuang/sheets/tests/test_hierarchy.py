"""Indicator-list hierarchy: where a 其中 block ends, and plain rows at a shallower indent."""

from __future__ import annotations

from pathlib import Path

from qingzhuang.sheets import parse_file
from qingzhuang.sheets.hierarchy import HierarchyBuilder

from .builders import rows_xlsx

HEADER = ("指标名称", "计量单位", "代码", "本年")


def _paths(path: Path) -> dict[str, list[str]]:
    return {f.label: f.path for f in parse_file(path).sheets[0].fields}


def test_qizhong_block_ends_when_the_unit_changes(tmp_path: Path) -> None:
    rows = [
        HEADER,
        ("户籍人口", "人", "01"),
        ("其中：60岁以上老年人口", "人", "02"),
        ("耕地面积", "亩", "03"),
        ("低保户数", "户", "04"),
        ("村集体经济收入", "万元", "05"),
    ]
    paths = _paths(rows_xlsx(tmp_path / "list.xlsx", rows))
    assert paths["其中：60岁以上老年人口"] == ["户籍人口", "其中：60岁以上老年人口"]
    assert paths["耕地面积"] == ["耕地面积"]
    assert paths["低保户数"] == ["低保户数"]
    assert paths["村集体经济收入"] == ["村集体经济收入"]


def test_qizhong_block_ends_at_a_same_unit_sibling_named_like_the_parent(tmp_path: Path) -> None:
    rows = [
        HEADER,
        ("一、人口", None, None),
        ("户籍人口", "人", "01"),
        ("其中：男", "人", "02"),
        ("常住人口", "人", "03"),
        ("二、土地", None, None),
        ("耕地面积", "亩", "04"),
    ]
    paths = _paths(rows_xlsx(tmp_path / "list.xlsx", rows))
    assert paths["其中：男"] == ["一、人口", "户籍人口", "其中：男"]
    assert paths["常住人口"] == ["一、人口", "常住人口"]
    assert paths["耕地面积"] == ["二、土地", "耕地面积"]


def test_qizhong_block_goes_on_with_items_of_the_same_kind(tmp_path: Path) -> None:
    rows = [
        HEADER,
        ("户籍人口", "人", "01"),
        ("其中：男", "人", "02"),
        ("女", "人", "03"),
        ("村集体经济收入", "万元", "04"),
        ("其中：经营收入", "万元", "05"),
        ("投资收入", "万元", "06"),
    ]
    paths = _paths(rows_xlsx(tmp_path / "list.xlsx", rows))
    assert paths["女"] == ["户籍人口", "女"]
    assert paths["投资收入"] == ["村集体经济收入", "投资收入"]


def test_qizhong_items_in_their_own_unit_go_on_until_that_unit_changes() -> None:
    # 鄂农年04: income brackets count people (万人) under a money total (万元).
    builder = HierarchyBuilder()
    builder.add("8.劳务收入", 0)
    builder.add("劳务经济总收入（年）", 2, "万元")
    builder.add("其中：月收入500元以下", 2, "万人")
    assert builder.add("501-1000元", 2, "万人")[-2] == "劳务经济总收入（年）"
    assert builder.add("3000元以上", 0, "万人")[-2] == "劳务经济总收入（年）"
    assert builder.add("外出从业天数", 0, "天") == ["8.劳务收入", "外出从业天数"]


def test_indentation_back_at_the_parent_ends_an_indented_qizhong_block() -> None:
    builder = HierarchyBuilder()
    builder.add("猪", 0, "万头")
    builder.add("其中：能繁殖母猪", 8, "万头")
    assert builder.add("牛", 0, "万头") == ["牛"]


def test_plain_row_less_indented_than_the_plain_rows_above_is_their_sibling() -> None:
    # 鄂农年 主要畜禽: 猪/牛 are indented, 羊 is not; all three sit under 二、畜禽出栏.
    builder = HierarchyBuilder()
    builder.add("二、畜禽出栏", 0)
    assert builder.add("猪", 6, "万头") == ["二、畜禽出栏", "猪"]
    assert builder.add("牛", 6, "万头") == ["二、畜禽出栏", "牛"]
    assert builder.add("羊", 0, "万只") == ["二、畜禽出栏", "羊"]
    assert builder.add("1.山羊", 0, "万只") == ["二、畜禽出栏", "羊", "1.山羊"]
    assert builder.add("活家禽", 0, "万只") == ["二、畜禽出栏", "活家禽"]
