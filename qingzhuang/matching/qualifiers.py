"""Qualifiers that make two similar-looking fields different data items.

Each rule extracts a value per category (age band, 年初/年末, 本年/上年, 新增/累计, sex,
城镇/乡村, 存栏/出栏, measure column, 现价/可比价 …).  Two fields conflict when both state a
value for a category and the values differ.  ``PRESENCE`` categories (持证, 规模, 设施 …)
conflict even when only one side states them, because "持证残疾人" is a subset of "残疾人",
not the same number; they are read from the sheet title too ("畜禽规模养殖情况" makes every
field of that sheet a scale-farm figure).  ``其他项`` is one-sided as well: "其它类" under
"水产品产量" is a part of the total, never the total itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

Quals = dict[str, str]

_AGE_RANGE = re.compile(r"(\d{1,3})\s*(?:周?岁)?\s*(?:-|~|～|至|到|—|–)\s*(\d{1,3})\s*周?岁")
_AGE_UP = re.compile(r"(\d{1,3})\s*周?岁\s*(?:及|或)?\s*(?:以上|以后|上|\+)")
_AGE_DOWN = re.compile(
    r"(\d{1,3})\s*周?岁\s*(?:及|或)?\s*(?:以下|以内|下)|(?:未满|不满|不足)(\d{1,3})\s*周?岁"
)
_AGE_ANY = re.compile(r"(\d{1,3})\s*周?岁")

# (category, [(regex, value)]) — first hit wins within a category, in order
_RULES: list[tuple[str, list[tuple[re.Pattern[str], str]]]] = [
    (
        "时点",
        [(re.compile(r"上年(?:末|底)|年初|期初"), "年初"), (re.compile(r"年末|年底|期末"), "年末")],
    ),
    (
        "年度",
        [
            (re.compile(r"上年同期|上一?年(?![末底])|去年(?![末底])|上期"), "上年"),
            (re.compile(r"本年|当年|今年|本期|本季|全年"), "本年"),
        ],
    ),
    (
        "增减",
        [
            (re.compile(r"新增|增加|新建|新发展"), "新增"),
            (re.compile(r"减少|下降|注销"), "减少"),
            (re.compile(r"累计"), "累计"),
        ],
    ),
    (
        "城乡",
        [
            (re.compile(r"城乡"), "城乡"),
            (re.compile(r"城镇|城市|城区|市区"), "城镇"),
            (re.compile(r"乡村|农村"), "乡村"),
        ],
    ),
    ("存出栏", [(re.compile(r"存栏"), "存栏"), (re.compile(r"出栏"), "出栏")]),
    # output value at current prices and at comparable (constant) prices are two numbers
    (
        "价格口径",
        [
            (re.compile(r"现行价格?|现价|当年价"), "现价"),
            (re.compile(r"可比价|不变价"), "可比价"),
        ],
    ),
    ("水域", [(re.compile(r"淡水"), "淡水"), (re.compile(r"海水|海洋"), "海水")]),
    ("捕养", [(re.compile(r"捕捞"), "捕捞"), (re.compile(r"养殖"), "养殖")]),
]
_SEX = [
    (re.compile(r"^(?:男|男性|男性人口)$|男性|男职工|男劳动力"), "男"),
    (re.compile(r"^(?:女|女性|女性人口)$|女性|女职工|女劳动力|妇女"), "女"),
]
_MEASURE = [
    (re.compile(r"单产|亩产"), "单产"),
    # a price index (缩减指数) and a unit price (本年价格) are not the output value
    (re.compile(r"指数"), "指数"),
    (re.compile(r"产值|现行价格|可比价格|现价|可比价|按.*价格计算"), "产值"),
    (re.compile(r"价格|单价"), "价格"),
    (re.compile(r"代码"), "代码"),
    (re.compile(r"产量|总产"), "产量"),
    (re.compile(r"面积"), "面积"),
]
_FREQ = [
    (re.compile(r"季节|季报|季度|本季"), "季报"),
    (re.compile(r"月报|月度"), "月报"),
    (re.compile(r"半年"), "半年报"),
]
_COUNTED = [(re.compile(r"户数?$|户数"), "户"), (re.compile(r"(?:人|人数|人员|人口)$"), "人")]
PRESENCE = {
    "持证": re.compile(r"持证|有证"),
    # 规模以上工业企业 is a subset of 工业企业, not the same count; so are scale farms
    "规模": re.compile(r"规模以上|规上|限额以上|规模养殖|规模化"),
    # 园地改为耕地 / 退耕改园地 are flows between land uses, not the land itself
    "地类变更": re.compile(r"改为|改成|转为|退耕|改园|改林|改草"),
    # greenhouse (设施农业) area and output are a part of all sown area and output
    "设施": re.compile(r"设施农业|设施(?:栽培|蔬菜|园艺)|大棚|温室"),
    # 外来从业人员 (workers from elsewhere) are not the township's own workforce
    "外来": re.compile(r"外来"),
    # 当年零星植果树 counts trees planted (百株), not the fruit harvested
    "植树": re.compile(r"植树|植果树|栽植"),
    # a year-end forecast (产量及产值预计) is not the final annual figure
    "预计": re.compile(r"预计|预测|预估"),
    # seed and feed used up in production (中间物质消耗 › 用种量) are not the output
    "中间消耗": re.compile(r"中间物质消耗|中间消耗|用种"),
}
# One-sided like PRESENCE, but read only from what the field itself counts (its label, or
# heading/label for a generic leaf), not from every heading above it: "珍珠" under
# "4.其它类" is still 珍珠, and "飞播营林" under "有林地造林面积" is still 飞播营林.
ITEM_PRESENCE = {
    # "其它类" / "其他肉产量" is one part of a total, never the total or another part
    "其他项": re.compile(r"其他|其它"),
    # 造林面积 is the area afforested in the year, not the forest area itself
    "造林": re.compile(r"造林"),
}
ONE_SIDED = {*PRESENCE, *ITEM_PRESENCE}
# The crop category a row sits under: 油菜 under 叶菜类 is a vegetable, 冬油菜籽 under 油料 is
# an oilseed; nearest heading first.
_CATEGORY = [
    (re.compile(r"粮食"), "粮食"),
    (re.compile(r"油料"), "油料"),
    (re.compile(r"蔬菜|菜类"), "蔬菜"),
]
_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)

# Named things a field counts: two labels naming different ones are different items even
# when the rest of the wording matches ("其中：鸡" / "其中：猪", "茶园面积" / "种子园面积").
# Longer names first, so "山羊" is not read as "羊" and "核桃" not as "桃".
_OBJECT_GROUPS = {
    "livestock": "生猪 猪 黄牛 水牛 奶牛 牛 山羊 绵羊 羊 肉鸡 蛋鸡 鸡 鸭 鹅 兔 马 驴 骡 骆驼 蜜蜂",
    "land": "耕地 园地 林地 母树林 用材林 经济林 防护林 薪炭林 竹林 育林 牧草地 草地 水田 旱地 "
    "水浇地 茶园 果园 桑园 种子园 苗圃",
    "crops": "稻谷 小麦 玉米 大豆 马铃薯 甘薯 薯类 油菜籽 花生 油料 棉花 麻类 甘蔗 糖料 烟叶 蔬菜 "
    "食用菌 茶叶 水果 苹果 柑橘 香蕉 葡萄 核桃 板栗 梨 桃 中药材 蚕茧 秸秆",
    "other": "养殖 其他 其它",
}
_OBJECT_NAMES = [name for group in _OBJECT_GROUPS.values() for name in group.split()]
_OBJECT = re.compile("|".join(sorted(_OBJECT_NAMES, key=len, reverse=True)))
_OBJECT_SAME = {"生猪": "猪", "其它": "其他"}


def _age(text: str) -> str | None:
    m = _AGE_RANGE.search(text)
    if m:
        return f"{int(m.group(1))}-{int(m.group(2))}岁"
    m = _AGE_UP.search(text)
    if m:
        return f"{int(m.group(1))}岁以上"
    m = _AGE_DOWN.search(text)
    if m:
        return f"{int(m.group(1) or m.group(2))}岁以下"
    m = _AGE_ANY.search(text)
    return f"{int(m.group(1))}岁" if m else None


def _first(rules: list[tuple[re.Pattern[str], str]], texts: Iterable[str]) -> str | None:
    for text in texts:
        for pat, value in rules:
            if pat.search(text):
                return value
    return None


def extract(
    label: str,
    ancestors: tuple[str, ...],
    column: str,
    form: str,
    raw: tuple[str, ...] = (),
    *,
    title: str = "",
    item: str = "",
) -> Quals:
    """Collect qualifiers from the label, its ancestors, the column heading, the form and
    the sheet title; ``item`` is what the field counts (the label, or heading/label for a
    generic leaf such as "产量").

    The leaf and the column are read first so that a leaf "女" wins over a heading; the
    measure comes only from the leaf and column (an ancestor "年末果园面积" does not make
    "葡萄园" an area *measure* conflict with anything).
    """
    col = _PUNCT.sub("", column)  # "产 量 本年" as a heading cell spells it
    near = [label, col, *reversed(ancestors)]
    out: Quals = {}
    # ages need the punctuation ("60-64岁"), so they are read from the lightly cleaned texts
    # (leaf first, then the column, then the headings nearest first)
    age_texts = [raw[0] if raw else label, column, *reversed(raw[1:])]
    age = next(filter(None, map(_age, age_texts)), None)
    if age:
        out["年龄"] = age
    for cat, rules in _RULES:
        v = _first(rules, near)
        if v:
            out[cat] = v
    sex = _first(_SEX, [label, *reversed(ancestors)])
    if sex:
        out["性别"] = sex
    measure = _first(_MEASURE, [col, label])
    if measure:
        out["指标"] = measure
    freq = _first(_FREQ, [title, form])
    if form or title:
        out["报送频率"] = freq or "年报"
    counted = _first(_COUNTED, [label])
    if counted:
        out["计数对象"] = counted
    for cat, pat in PRESENCE.items():
        if any(pat.search(t) for t in (*near, title)):
            out[cat] = "是"
    for cat, pat in ITEM_PRESENCE.items():
        if pat.search(item or label):
            out[cat] = "是"
    category = _first(_CATEGORY, reversed(ancestors))
    if category:
        out["作物大类"] = category
    # a generic leaf ("产量", "合计") counts what its nearest heading names
    named = _OBJECT.findall(label) or (_OBJECT.findall(ancestors[-1]) if ancestors else [])
    objects = sorted({_OBJECT_SAME.get(m, m) for m in named})
    if objects:
        out["对象"] = "、".join(objects)
    return out


def conflicts(a: Quals, b: Quals) -> list[str]:
    """Plain-Chinese reasons for every qualifier on which ``a`` and ``b`` disagree."""
    reasons = []
    for cat in sorted(set(a) | set(b)):
        va, vb = a.get(cat), b.get(cat)
        if cat == "其他项":
            if (va is None) != (vb is None):
                reasons.append("其他项口径不同：一方是“其他”分项，另一方不是")
            continue
        if cat in ONE_SIDED:
            if (va is None) != (vb is None):
                reasons.append(f"{cat}口径不同：一方限定{cat}，另一方未限定")
            continue
        if cat == "对象":
            if va and vb and not set(va.split("、")) & set(vb.split("、")):
                reasons.append(f"统计对象不同：{va} vs {vb}")
            continue
        if cat == "性别" and (va is None) != (vb is None):
            reasons.append("性别口径不同：一方只统计男性或女性，另一方不分性别")
            continue
        if va and vb and va != vb:
            name = "年龄口径" if cat == "年龄" else cat
            reasons.append(f"{name}不同：{va} vs {vb}")
    return reasons
