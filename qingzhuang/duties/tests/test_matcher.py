from __future__ import annotations

from qingzhuang.duties import matcher


def _entries() -> list[matcher.Entry]:
    return [
        matcher.make_entry(key="duty", id=1, name="村庄环境卫生", keywords="村庄清洁、垃圾清运"),
        matcher.make_entry(
            key="negative", id=2, name="出具不在清单内的证明", keywords="无犯罪记录证明\n户籍证明"
        ),
        matcher.make_entry(
            key="assist", id=3, name="协助开展人口普查", keywords="人口普查,统计调查"
        ),
    ]


def test_keywords_split_on_commas_newlines_and_dunhao() -> None:
    assert matcher.split_keywords("a、b,c\nd；e") == ["a", "b", "c", "d", "e"]


def test_traditional_and_full_width_text_matches() -> None:
    hits = matcher.best_hits("要求村裏開具無犯罪記錄證明", _entries())
    assert hits and hits[0].entry.id == 2


def test_fuzzy_match_tolerates_one_wrong_character() -> None:
    # voice typing error: 人口普察
    hits = matcher.best_hits("协助开展人口普察工作", _entries())
    assert hits and hits[0].entry.id == 3


def test_short_term_needs_exact_containment() -> None:
    assert matcher.best_hits("卫生院体检", _entries()) == []


def test_no_match_returns_empty() -> None:
    assert matcher.best_hits("完成旅游节门票销售任务", _entries()) == []


def test_negative_wins_near_tie() -> None:
    entries = [
        matcher.make_entry(key="duty", id=1, name="调解纠纷", keywords=""),
        matcher.make_entry(key="negative", id=2, name="行政执法", keywords=""),
    ]
    hits = matcher.best_hits("调解纠纷并行政执法", entries)
    assert len(hits) == 2
    chosen = matcher.pick(hits, {"negative": 3, "duty": 2})
    assert chosen is not None and chosen.entry.key == "negative"


def test_longer_term_beats_shorter() -> None:
    entries = [
        matcher.make_entry(key="assist", id=1, name="证明", keywords=""),
        matcher.make_entry(key="negative", id=2, name="无犯罪记录证明", keywords=""),
    ]
    hits = matcher.best_hits("开无犯罪记录证明", entries)
    assert hits[0].entry.id == 2
