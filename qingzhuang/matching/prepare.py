"""Turn a FieldRef into the normalised view that comparison and blocking work on."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from qingzhuang.matching.lexicon import Lexicon, load_lexicon
from qingzhuang.matching.model import FieldRef
from qingzhuang.matching.normalize import clean_heading, light, normalize_label, squash
from qingzhuang.matching.qualifiers import Quals, extract
from qingzhuang.matching.units import Unit, parse_unit

# Leaves that name a measure or a breakdown rather than an item: their meaning comes from
# the heading above them ("玉米 > 面积", "乡村人口 > 男").
_GENERIC_WORDS = (
    "面积 产量 总产 总产量 单产 产值 男 女 男性 女性 合计 小计 总计 其他 其中 计 数量 金额 人数 "
    "户数 个数 本年 上年 上年同期 本期 养殖 捕捞 城镇 乡村 播种面积 收获面积 年末 年初 新增 累计 "
    "减少 增加 小计 其他类 其他养殖 其他作物 其他品种 数 值 实际 计划 "
    # measures whose subject is the form itself (an environmental facility, a company …)
    "总投资额 投资额 投资 运行费用 费用 耗电量 用电量 产生量 处理量 处置量 利用量 综合利用量 "
    "贮存量 排放量 设计处理能力 处理能力 收入 支出 产品产量 从业人员 职工人数"
)
GENERIC = frozenset(_GENERIC_WORDS.split())

_LEXICON: Lexicon = load_lexicon()


def set_lexicon(lexicon: Lexicon) -> None:
    """Replace the lexicon (e.g. a county's own synonyms file) and drop cached views."""
    global _LEXICON
    _LEXICON = lexicon
    prepare.cache_clear()


def get_lexicon() -> Lexicon:
    return _LEXICON


@dataclass(frozen=True, slots=True, eq=False)
class Prepared:
    ref: FieldRef
    label: str  # canonical leaf label after the lexicon
    plain: str  # canonical leaf label before the lexicon
    qlabel: str  # label qualified by its parent when the leaf alone is generic
    ancestors: tuple[str, ...]
    parent: str
    subject: str  # the form's title, standing in for the parent of a generic top-level leaf
    generic: bool
    unit: Unit | None
    quals: Quals
    synonym: bool
    grams: frozenset[str]


def _grams(text: str) -> frozenset[str]:
    if len(text) <= 1:
        return frozenset({text}) if text else frozenset()
    return frozenset(text[i : i + 2] for i in range(len(text) - 1))


def _split_path(ref: FieldRef) -> tuple[tuple[str, ...], str]:
    """Ancestors (raw) and the column qualifier.

    The column is the bracket of the leaf's own path element ("生 姜 [产量]"), or the headings
    after the leaf ("（三）家禽饲养 > 产值 现价": the sheet parser puts the value column of an
    indicator list there).  Those trailing headings also stay among the ancestors, so the
    similarity features see the same context as before.
    """
    path = [p for p in ref.path if p and p.strip()]
    label = normalize_label(ref.label)[0]
    if path:
        last_label, _, last_col = normalize_label(path[-1])
        if last_label == label:
            return tuple(path[:-1]), last_col
    for k in range(len(path) - 2, -1, -1):
        if normalize_label(path[k])[0] == label:
            return tuple(path), " ".join(path[k + 1 :])
    return tuple(path), ""


@lru_cache(maxsize=200_000)
def prepare(ref: FieldRef) -> Prepared:
    """Normalise one field once; cached because blocking and grouping reuse it many times."""
    lex = _LEXICON
    plain, label_unit, column = normalize_label(ref.label)
    raw_ancestors, path_column = _split_path(ref)
    column = column or path_column
    ancestors = tuple(a for a in (clean_heading(x) for x in raw_ancestors) if a)
    label, syn = lex.canonical(plain)
    canon_anc = tuple(lex.canonical(a)[0] for a in ancestors)
    generic = label in GENERIC or len(label) <= 1
    parent = ""
    for anc in reversed(canon_anc):
        if anc not in GENERIC:
            parent = anc
            break
    title = ref.title or ref.form.rsplit(":", 1)[-1]
    subject = ""
    if generic and not canon_anc and title:
        subject = clean_heading(title)
    qlabel = f"{parent or subject}/{label}" if generic and (parent or subject) else label
    unit = parse_unit(ref.unit) or parse_unit(label_unit)
    quals = extract(
        label,
        canon_anc,
        light(column),
        light(ref.form),
        raw=(light(ref.label), *(light(a) for a in raw_ancestors)),
        title=squash(light(title)),
        item=qlabel,
    )
    return Prepared(
        ref,
        label,
        plain,
        qlabel,
        canon_anc,
        parent,
        subject,
        generic,
        unit,
        quals,
        syn,
        _grams(qlabel),
    )
