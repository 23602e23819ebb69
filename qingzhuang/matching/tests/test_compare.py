import pytest

from qingzhuang.matching.compare import compare
from qingzhuang.matching.model import FieldRef


def f(label, unit="", path=(), form="", key=None):
    return FieldRef(
        key=key or f"{form}|{'>'.join(path)}|{label}",
        label=label,
        unit=unit,
        path=tuple(path),
        form=form,
    )


def test_same_item_in_other_unit_scale_is_same_and_says_conversion():
    d = compare(
        f("（三）乡村劳动力资源数", "万人", ["三、乡村人口与从业人员"], "甲"),
        f("（三）乡村劳动力资 源", "人", ["三、乡村、人口、户数及农村从业人员情况"], "乙"),
    )
    assert d.same
    assert any("单位可换算" in r and "万人" in r for r in d.reasons)


def test_households_versus_persons_are_different():
    d = compare(f("乡村户数", "户", form="甲"), f("乡村户数", "人", form="乙"))
    assert not d.same
    assert any("单位不可换算" in r for r in d.reasons)


@pytest.mark.parametrize(
    ("left", "right", "word"),
    [
        ("60岁以上老年人口", "65岁以上老年人口", "年龄"),
        ("60岁以上老年人口", "60-64岁老年人口", "年龄"),
        ("年初耕地面积", "年末耕地面积", "时点"),
        ("本年造林面积", "上年造林面积", "年度"),
        ("新增农村公路里程", "累计农村公路里程", "增减"),
        ("持证残疾人数", "残疾人数", "持证"),
        ("城镇常住人口", "农村常住人口", "城乡"),
        ("男性从业人员", "女性从业人员", "性别"),
        ("生猪存栏", "生猪出栏", "存出栏"),
        ("男性从业人员", "从业人员", "性别"),
        ("规模以上工业企业单位数", "工业企业单位数", "规模"),
        ("园地改为耕地", "耕地", "地类变更"),
        ("其中：鸡", "其中：猪", "统计对象"),
        ("年末实有茶园面积", "年末实有种子园面积", "统计对象"),
        ("其它奶产量", "牛奶产量", "统计对象"),
        ("马铃薯", "马", "统计对象"),
    ],
)
def test_qualifier_conflicts_make_items_different(left, right, word):
    d = compare(f(left, "人", form="甲"), f(right, "人", form="乙"))
    assert not d.same
    assert any(word in r for r in d.reasons), d.reasons


def test_same_qualifier_wording_variants_still_match():
    d = compare(f("60岁及以上老年人口", "人", form="甲"), f("60周岁以上老年人口", "人", form="乙"))
    assert d.same, d.reasons


def test_same_short_leaf_under_different_parents_is_different():
    a = f("男", "人", ["户籍人口"], "甲")
    b = f("1．男", "人", ["老年人口"], "乙")
    assert not compare(a, b).same
    assert compare(a, f("男", "万人", ["户籍人口数"], "丙")).same


def test_subitem_under_male_versus_female_is_different():
    a = f("其中：从事农业人员", "人", ["乡村从业人员", "男"], "甲")
    b = f("其中：从事农业人员数", "人", ["乡村从业人员数", "女"], "乙")
    c = f("其中：从事农业人员数", "万人", ["乡村从业人员数", "1．男"], "丙")
    assert not compare(a, b).same
    assert compare(a, c).same


def test_leaf_repeated_as_last_path_element_is_handled():
    a = f("葡萄园", "亩", ["在年末果园面积中：", "葡萄园"], "甲")
    b = f("葡萄园", "公顷", ["五、年末果园面积"], "乙")
    assert compare(a, b).same


def test_measure_column_conflict():
    a = f("生 姜", "吨", ["（四）根茎类", "生 姜 [产量]"], "甲")
    b = f("生 姜", "吨", ["（四）根茎类", "生 姜 [单产(公斤)]"], "乙")
    assert not compare(a, b).same


def test_synonym_from_lexicon_matches_and_trap_does_not():
    assert compare(f("西红柿", "吨", form="甲"), f("番茄", "吨", form="乙")).same
    d = compare(f("烟（粉）尘排放量", "吨", form="甲"), f("烟尘排放量", "吨", form="乙"))
    assert not d.same


def test_two_cells_of_one_form_are_never_the_same_item():
    d = compare(f("耕地面积", "亩", form="甲", key="a"), f("耕地面积", "亩", form="甲", key="b"))
    assert not d.same


def test_unrelated_items_score_low_and_scores_are_probabilities():
    d = compare(f("小学数", "所", form="甲"), f("有效灌溉面积", "公顷", form="乙"))
    assert not d.same
    d2 = compare(f("有效灌溉面积", "亩", form="甲"), f("有效灌溉面积", "公顷", form="乙"))
    assert 0.0 <= d.score < d2.score <= 1.0


@pytest.mark.parametrize(
    ("left", "right"),
    [("生猪存栏", "猪存栏"), ("其他奶产量", "其它奶产量"), ("山羊存栏", "年末山羊存栏")],
)
def test_same_counted_thing_in_other_words_still_matches(left, right):
    d = compare(f(left, "头", form="甲"), f(right, "头", form="乙"))
    assert d.same, d.reasons


def test_generic_leaf_counts_what_its_heading_names():
    d = compare(
        f("产量", "吨", ["薯类"], "甲"),
        f("产量", "吨", ["烟叶"], "乙"),
    )
    assert not d.same
