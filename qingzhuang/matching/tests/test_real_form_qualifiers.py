"""Qualifiers that keep different items of the real county forms apart (QA finding #10).

Every field below is what the sheet parser reads from 2016年农村统计年报汇总表.xls or
2016年湖北农林牧渔业综合统计报表制度.xls: label, unit, header path (leaf included, then any
value-column heading) and the sheet's own title.
"""

from __future__ import annotations

import pytest

from qingzhuang.matching.compare import compare
from qingzhuang.matching.model import FieldRef
from qingzhuang.matching.redundancy import find_concepts


def real(form: str, cell: str, label: str, unit: str, path: tuple[str, ...], title: str):
    return FieldRef(key=f"{form}!{cell}", label=label, unit=unit, path=path, form=form, title=title)


GREENHOUSE_RAPE = real("汇总:设施", "H4", "油菜", "亩", ("油菜",), "设施农业生产情况")
GREENHOUSE_RAPE_HA = real(
    "制度:设施", "C11", "油 菜", "公顷", ("一、 蔬菜", "油 菜", "面 积"), "设施农业生产情况"
)
LEAFY_RAPE = real(
    "制度:经济",
    "C34",
    "油 菜",
    "千公顷",
    ("经济作物", "七、蔬菜及食用菌", "（一）叶菜类", "油 菜", "播种面积"),
    "经济作物生产情况",
)
LEAFY_RAPE_VEG = real(
    "制度:蔬菜",
    "C13",
    "油 菜",
    "千公顷",
    ("一、蔬菜及食用菌", "（一）叶菜类", "油 菜", "播种面积"),
    "蔬菜、瓜果生产情况",
)
WINTER_RAPESEED = real(
    "制度:经济季",
    "C14",
    "其中：冬油菜籽",
    "千公顷",
    ("经济作物", "一、油料", "油菜籽", "其中：冬油菜籽", "播种面积"),
    "经济作物生产情况",  # the season is kept out here: the category alone must separate them
)
ALL_COWS = real(
    "制度:畜禽",
    "A14",
    "其中：能繁母牛",
    "万头",
    ("一、畜禽存栏", "牛", "2.奶牛", "其中：能繁母牛"),
    "主要畜禽生产情况",
)
SCALE_COWS = real(
    "汇总:规模", "K4", "其中：能繁母牛", "头", ("其中：能繁母牛",), "畜禽规模养殖情况"
)
SCALE_COWS_2 = real(
    "制度:规模",
    "A15",
    "其中：能繁母牛",
    "头",
    ("二、牛规模养殖户（单位）个数", "牛存栏", "其中：能繁母牛"),
    "畜禽规模养殖情况",
)
FISH_TOTAL = real("制度:渔业", "A8", "一、水产品产量", "吨", ("一、水产品产量",), "渔业生产情况")
FISH_OTHER = real(
    "汇总:渔业", "H6", "4.其它类", "吨", ("一、水产品产量", "4.其它类"), "渔业生产情况"
)
PEARL_UNDER_OTHER = real(
    "制度:渔业",
    "A22",
    "珍珠",
    "吨",
    ("一、水产品产量", "(二)淡水养殖产量", "4.其它类", "珍珠"),
    "渔业生产情况",
)
PEARL = real("汇总:渔业", "Q7", "珍珠", "吨", ("一、水产品产量", "珍珠"), "渔业生产情况")
OTHER_MEAT = real(
    "制度:非主要",
    "F14",
    "三、其他肉产量",
    "吨",
    ("三、其他肉产量", "（肉、产品） 产 量"),
    "非主要畜禽生产情况",
)
OTHER_MEAT_2 = real(
    "汇总:其它畜牧", "K5", "其它肉产量", "吨", ("三", "其它肉产量"), "其他畜牲业生产情况"
)
POULTRY_MEAT = real("汇总:主要畜牧", "AD5", "禽肉", "吨", ("禽肉",), "主要畜牲业生产情况")
MIGRANT_WORKERS = real(
    "制度:乡镇",
    "A33",
    "外来从业人员数",
    "人",
    ("二、人口与就业", "户籍人口", "外来从业人员数"),
    "乡(镇)社会经济基本情况",
)
FARM_WORKERS = real(
    "汇总:基层二",
    "I6",
    "③农林牧渔场从业人员合计",
    "人",
    ("（接前三、）", "（接前（四））", "③农林牧渔场从业人员合计"),
    "年报封面",
)
RURAL_WORKERS = real(
    "汇总:基层一",
    "U5",
    "（四）乡村从业人员数",
    "人",
    ("三、乡村、人口、户数及农村从业人员情况", "（四）乡村从业人员数"),
    "农村基层组织及户数、人口、从业人员情况（一）",
)
RURAL_WORKERS_2 = real(
    "制度:条件一",
    "A29",
    "（四）乡村从业人员数",
    "万人",
    ("三、乡村人口与从业人员", "（四）乡村从业人员数"),
    "农业生产条件（一）",
)
APPLES = real(
    "制度:水果", "A18", "1.苹果", "", ("二、园林水果", "1.苹果"), "茶叶、水果及食用坚果生产情况"
)
APPLE_TREES = real(
    "汇总:果园", "O5", "苹果", "百株", ("附报：当年零星植果树", "苹果"), "年末茶叶水果园情况"
)


def _value(form: str, cell: str, label: str, unit: str, parents: tuple[str, ...], column: str):
    title = "农林牧渔业总产值年度计算表" if form == "年度" else "农林牧渔业总产值"
    return real(form, cell, label, unit, ("农林牧渔业总产值", *parents, label, column), title)


POULTRY_COMPARABLE = _value(
    "总产值", "D72", "（三）家禽饲养", "万元", ("三、牧业产值",), "按可比价格计算"
)
POULTRY_CURRENT = _value("年度", "H104", "（三）家禽饲养", "万元", ("三、牧业",), "产值 现价")
POULTRY_COMPARABLE_2 = _value(
    "年度", "I104", "（三）家禽饲养", "万元", ("三、牧业",), "产值 可比价"
)
TOTAL_COMPARABLE = _value("总产值", "D9", "农林牧渔业总产值", "万元", (), "按可比价格计算")
TOTAL_INDEX = _value("年度", "H9", "农林牧渔业总产值", "", (), "缩减 指数")
OTHER_HUSBANDRY = _value("年度", "H110", "（五）其他畜牧业", "万元", ("三、牧业",), "产值 现价")
OTHER_HUSBANDRY_SEED = real(
    "制度:增加值",
    "E43",
    "其它畜牧业用种",
    "万元",
    ("(一)农林牧渔业中间物质消耗", "1、用种量", "其它畜牧业用种", "价格"),
    "农林牧渔业增加值计算表",
)
WHEAT = real(
    "制度:粮食",
    "D12",
    "1.小麦",
    "吨",
    ("粮食作物", "(一)夏收粮食", "1.小麦", "总产量"),
    "粮食作物生产情况",
)
WHEAT_SEED = real(
    "制度:增加值",
    "D23",
    "小麦",
    "吨",
    ("(一)农林牧渔业中间物质消耗", "1、用种量", "小麦", "数量"),
    "农林牧渔业增加值计算表",
)
FORECAST_EGGS = real(
    "制度:预计",
    "E11",
    "十七、禽蛋产量",
    "吨",
    ("十七、禽蛋产量",),
    "全年主要农林牧渔产品产量及产值预计",
)
COUNTY_EGGS = real(
    "制度:县",
    "A95",
    "禽蛋产量",
    "吨",
    ("四、农业", "(三)农产品产量", "禽蛋产量"),
    "县(市)社会经济基本情况",
)
AFFORESTED = real(
    "制度:林业", "A28", "二、有林地造林面积", "公顷", ("二、有林地造林面积",), "林业生产情况"
)
FOREST = real(
    "制度:县",
    "A165",
    "森林面积",
    "公顷",
    ("十二、资源与环境", "森林面积"),
    "县(市)社会经济基本情况",
)
FORESTRY_COMPARABLE = _value(
    "总产值", "D50", "（一）林木的培育和种植", "万元", ("二、林业产值",), "按可比价格计算"
)
FORESTRY_INDEX = _value("年度", "G74", "（一）林木的培育和种植", "", ("二、林业",), "缩减 指数")
FORESTRY_QUARTER_AREA = real(
    "制度:季度",
    "E22",
    "（一）林木的培育和种植",
    "公顷",
    ("农林牧渔业总产值", "二、林业", "（一）林木的培育和种植", "产 量 本季"),
    "农林牧渔业总产值季度计算表",
)


@pytest.mark.parametrize(
    ("a", "b", "word"),
    [
        (GREENHOUSE_RAPE, LEAFY_RAPE, "设施"),
        (GREENHOUSE_RAPE_HA, LEAFY_RAPE_VEG, "设施"),
        (ALL_COWS, SCALE_COWS, "规模"),
        (ALL_COWS, SCALE_COWS_2, "规模"),
        (FISH_TOTAL, FISH_OTHER, "其他"),
        (OTHER_MEAT, POULTRY_MEAT, "其他"),
        (MIGRANT_WORKERS, FARM_WORKERS, "外来"),
        (MIGRANT_WORKERS, RURAL_WORKERS, "外来"),
        (APPLES, APPLE_TREES, "植树"),
        (POULTRY_COMPARABLE, POULTRY_CURRENT, "价格口径"),
        (TOTAL_COMPARABLE, TOTAL_INDEX, "指标"),
        (OTHER_HUSBANDRY, OTHER_HUSBANDRY_SEED, "指标"),
        (FORESTRY_COMPARABLE, FORESTRY_INDEX, "指标"),
        (WINTER_RAPESEED, LEAFY_RAPE, "作物大类"),
        (WHEAT, WHEAT_SEED, "中间消耗"),
        (FORECAST_EGGS, COUNTY_EGGS, "预计"),
        (AFFORESTED, FOREST, "造林"),
    ],
)
def test_real_form_fields_that_differ_by_a_qualifier_are_different(a, b, word):
    d = compare(a, b)
    assert not d.same
    assert any(word in r for r in d.reasons), d.reasons


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (GREENHOUSE_RAPE, GREENHOUSE_RAPE_HA),  # greenhouse area on both forms (亩 vs 公顷)
        (SCALE_COWS, SCALE_COWS_2),  # scale farms on both forms, title vs header
        (PEARL, PEARL_UNDER_OTHER),  # a named item under "其它类" is still that item
        (OTHER_MEAT, OTHER_MEAT_2),  # "other" on both sides
        (RURAL_WORKERS, RURAL_WORKERS_2),
        (POULTRY_COMPARABLE, POULTRY_COMPARABLE_2),  # 按可比价格计算 = 产值 可比价
        (LEAFY_RAPE, LEAFY_RAPE_VEG),
    ],
)
def test_same_item_with_the_same_qualifiers_still_matches(a, b):
    d = compare(a, b)
    assert d.same, d.reasons


def test_quarterly_sheet_differs_from_the_annual_one_by_its_title():
    annual = real("年", "A1", "禽肉产量", "吨", ("禽肉产量",), "主要畜禽生产情况")
    quarterly = real("季", "A1", "禽肉产量", "吨", ("禽肉产量",), "畜禽水产季节报")
    d = compare(annual, quarterly)
    assert not d.same
    assert any("报送频率" in r for r in d.reasons), d.reasons


def test_a_concept_never_holds_two_units_that_cannot_be_converted():
    # Each neighbouring pair looks alike (the middle field has no unit), but 万元 and 公顷
    # can never be one number, so they must not end up in one concept through the middle.
    fields = [
        real("乙", "A1", "林木的培育和种植", "", ("林木的培育和种植",), "林业"),
        real("甲", "A1", "林木的培育和种植", "万元", ("林木的培育和种植",), "林业"),
        real("丙", "A1", "林木的培育和种植", "公顷", ("林木的培育和种植",), "林业"),
    ]
    assert compare(fields[0], fields[1]).same and compare(fields[0], fields[2]).same
    result = find_concepts(fields)
    for concept in result.concepts:
        units = {m.unit for m in concept.members}
        assert not {"万元", "公顷"} <= units, concept.members
    assert result.concepts  # the field without a unit still joins one of them


def test_real_value_table_fields_never_group_across_incompatible_units():
    fields = [FORESTRY_COMPARABLE, FORESTRY_INDEX, FORESTRY_QUARTER_AREA]
    for concept in find_concepts(fields).concepts:
        assert not {"万元", "公顷"} <= {m.unit for m in concept.members}
