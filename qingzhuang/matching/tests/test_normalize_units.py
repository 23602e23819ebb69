import pytest

from qingzhuang.matching.normalize import clean_heading, normalize_label
from qingzhuang.matching.units import compatible, convert, parse_unit


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("（三）乡村劳动力资 源", "乡村劳动力资源"),
        ("一、荒山荒地造林面积", "荒山荒地造林面积"),
        ("1．人工造林", "人工造林"),
        ("(1)自备水", "自备水"),
        ("①务工", "务工"),
        ("其中：从事农业人员数", "从事农业人员"),
        ("（1）、其中：红薯", "红薯"),
        ("5.八 角", "八角"),
        ("十七、蚕茧合计", "蚕茧"),
    ],
)
def test_numbering_spaces_and_suffixes_are_removed(raw, expected):
    assert normalize_label(raw)[0] == expected


def test_traditional_and_full_width_become_simplified_half_width():
    assert normalize_label("（六）豆類")[0] == "豆类"
    assert normalize_label("鄉村從業人員數")[0] == normalize_label("乡村从业人员数")[0]
    assert normalize_label("ＡＢ１２３")[0] == "ab123"


def test_unit_in_parentheses_is_pulled_out_but_other_notes_stay():
    assert normalize_label("12.废气实际处理量(万立方米)")[:2] == ("废气实际处理量", "万立方米")
    assert normalize_label("设计处理能力（吨/日）")[1] == "吨/日"
    assert normalize_label("烟（粉）尘排放量")[0] == "烟粉尘排放量"


def test_column_qualifier_in_brackets_is_split_off():
    assert normalize_label("生 姜 [产量]") == ("生姜", "", "产量")


def test_headings_drop_continuation_notes_and_in_phrasing():
    assert clean_heading("（接前三、）") == ""
    assert clean_heading("在年末果园面积中：") == "年末果园面积"


@pytest.mark.parametrize(
    ("value", "src", "dst", "expected"),
    [
        (1.5, "万人", "人", 15000),
        (1, "公顷", "亩", 15),
        (3, "千公顷", "公顷", 3000),
        (2, "吨", "公斤", 2000),
        (1, "亿元", "万元", 10000),
        (5, "公里", "米", 5000),
        (30, "%", "‰", 300),
        (1, "万吨/日", "吨/日", 10000),
    ],
)
def test_convert_within_a_dimension(value, src, dst, expected):
    assert convert(value, src, dst) == pytest.approx(expected)


def test_units_of_different_dimension_do_not_convert():
    assert compatible("户", "人") is False
    assert compatible("吨", "亩") is False
    assert compatible("万人", "人") is True
    assert compatible("", "人") is None
    with pytest.raises(ValueError, match="单位不可换算"):
        convert(1, "户", "人")


def test_unknown_unit_is_its_own_dimension():
    u = parse_unit("除氟化物为千克外")
    assert u is not None and not u.known
    assert compatible("除氟化物为千克外", "千克") is False
