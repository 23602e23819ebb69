import itertools

from qingzhuang.matching import redundancy
from qingzhuang.matching.model import FieldRef
from qingzhuang.matching.redundancy import candidate_pairs, find_concepts, pair_key


def field(key, label, unit="人", path=(), form=None):
    return FieldRef(key=key, label=label, unit=unit, path=tuple(path), form=form or key)


def _together(result, a, b):
    return any({a, b} <= {m.key for m in c.members} for c in result.concepts)


def test_pair_key_is_sorted():
    assert pair_key("b", "a") == ("a", "b") == pair_key("a", "b")


def test_same_item_across_forms_becomes_one_concept_with_pairs():
    fields = [
        field("f1", "（三）乡村劳动力资源数", "万人", form="甲"),
        field("f2", "乡村劳动力资 源", "人", form="乙"),
        field("f3", "3.乡村劳动力资源", "人", form="丙"),
        field("f4", "小学数", "所", form="丁"),
    ]
    result = find_concepts(fields)
    assert len(result.concepts) == 1
    concept = result.concepts[0]
    assert {m.key for m in concept.members} == {"f1", "f2", "f3"}
    assert all(a < b and 0 < s <= 1 for a, b, s in concept.pairs)
    assert [s.key for s in result.singletons] == ["f4"]


def test_rejected_pair_is_never_joined_even_through_a_third_field():
    fields = [
        field("a", "耕地面积", "亩", form="甲"),
        field("b", "耕地面积", "公顷", form="乙"),
        field("c", "耕地面积", "亩", form="丙"),
    ]
    assert _together(find_concepts(fields), "a", "b")
    result = find_concepts(fields, rejected={frozenset({"a", "b"})})
    assert not _together(result, "a", "b")


def test_confirmed_pair_is_joined_even_if_the_score_is_low():
    fields = [field("a", "外出务工人员", form="甲"), field("b", "离乡从业人数", form="乙")]
    assert not find_concepts(fields).concepts
    result = find_concepts(fields, confirmed={frozenset({"a", "b"})})
    assert _together(result, "a", "b")


def test_fields_of_one_form_are_never_merged():
    fields = [
        field("x1", "耕地面积", "亩", form="甲"),
        field("x2", "耕地面积", "亩", form="甲"),
        field("y", "耕地面积", "公顷", form="乙"),
    ]
    result = find_concepts(fields)
    for concept in result.concepts:
        forms = [m.form for m in concept.members]
        assert len(forms) == len(set(forms))
    assert _together(result, "x1", "y") or _together(result, "x2", "y")


def test_chaining_is_guarded_by_the_representative():
    # b resembles both a and c; a and c are different items (年龄口径)
    fields = [
        field("a", "60岁以上老年人口", form="甲"),
        field("b", "老年人口", form="乙"),
        field("c", "65岁以上老年人口", form="丙"),
    ]
    result = find_concepts(fields)
    assert not _together(result, "a", "c")


def test_blocking_compares_far_fewer_than_all_pairs(monkeypatch):
    calls = []
    real = redundancy.score_prepared

    def counting(a, b, model=None):
        calls.append(1)
        return real(a, b, model)

    monkeypatch.setattr(redundancy, "score_prepared", counting)
    items = [
        "耕地面积",
        "有效灌溉面积",
        "乡村人口",
        "乡村户数",
        "小学数",
        "卫生室数",
        "造林面积",
        "生猪存栏",
        "粮食产量",
        "油料产量",
        "茶叶产量",
        "水产品产量",
        "村委会数",
        "自然村数",
        "通电话村数",
        "农业机械总动力",
        "化肥施用量",
        "农用塑料薄膜使用量",
        "地膜覆盖面积",
        "机电井数",
    ]
    fields = [
        field(f"t{t}f{i}", label, "个", form=f"t{t}")
        for t in range(60)
        for i, label in enumerate(items)
    ]
    n = len(fields)
    result = find_concepts(fields)
    all_pairs = n * (n - 1) // 2
    assert result.compared == len(calls)
    assert len(calls) < all_pairs / 20
    assert len(candidate_pairs(fields)) < all_pairs / 20
    sizes = sorted(len(c.members) for c in result.concepts)
    assert sizes == [60] * len(items)


def test_candidate_pairs_find_spelling_variants_across_buckets():
    fields = [
        field("a", "乡村从业人员数", form="甲"),
        field("b", "（四）乡村从业人员", form="乙"),
        field("c", "农村从业人员合计", form="丙"),
    ]
    pairs = {frozenset({x.key, y.key}) for x, y in candidate_pairs(fields)}
    assert pairs == {frozenset(p) for p in itertools.combinations("abc", 2)}
