"""Redundancy analysis at scale: 1,000 synthetic templates / 50,000 fields.

    .venv/bin/python bench/redundancy_scale.py [--templates 1000] [--fields 50] [--pairs PATH]

Fields are drawn from the real labels, headings and units in pairs_dev.csv, multiplied by
qualifiers (年末/年初, 本年/上年, 新增, 男/女, 城镇/乡村, age bands) and rendered with the
variation real forms show: outline numbering, 其中： prefixes, spaces inside words, units in
labels or scaled (人/万人, 公顷/亩), lexicon synonyms, traditional characters and reworded
parent headings.  Popularity is Zipf-like, so a few items recur in hundreds of templates.
Prints wall time, peak RSS, pairs compared and concepts found.
"""

from __future__ import annotations

import argparse
import itertools
import random
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import opencc  # noqa: E402

from qingzhuang.matching.model import FieldRef  # noqa: E402
from qingzhuang.matching.prepare import get_lexicon  # noqa: E402
from qingzhuang.matching.redundancy import find_concepts  # noqa: E402
from qingzhuang.matching.train import DEFAULT_PAIRS, load_pairs  # noqa: E402

NUMBERING = ["{}", "一、{}", "（一）{}", "1．{}", "(1){}", "①{}", "2.{}", "其中：{}", "b、{}"]
SCALES = {
    "人": "万人",
    "万人": "人",
    "公顷": "亩",
    "亩": "公顷",
    "吨": "万吨",
    "万吨": "吨",
    "公斤": "吨",
    "户": "万户",
    "万元": "元",
    "千公顷": "公顷",
}
QUALIFIERS = [
    "",
    "",
    "",
    "年末",
    "年初",
    "本年",
    "上年",
    "新增",
    "城镇",
    "乡村",
    "60岁以上",
    "65岁以上",
    "持证",
]
CHILDREN = ["", "", "", "", "男", "女"]
Item = tuple[tuple[str, ...], str, str]


def base_items(pairs_path: str) -> list[Item]:
    seen: dict[tuple[tuple[str, ...], str, str], None] = {}
    for a, b, _ in load_pairs(pairs_path):
        for f in (a, b):
            path = f.path[:-1] if f.path and f.path[-1].startswith(f.label) else f.path
            seen[(path, f.label, f.unit)] = None
    return list(seen)


def concepts(items: list[Item], rng: random.Random, n: int) -> list[Item]:
    out: list[Item] = []
    for _ in range(n):
        path, label, unit = rng.choice(items)
        q, child = rng.choice(QUALIFIERS), rng.choice(CHILDREN)
        if q:
            label = f"{q}{label}"
        if child:
            path, label = (*path, label), child
        out.append((path, label, unit))
    return out


def render(
    item: Item, rng: random.Random, t2t: opencc.OpenCC, synonyms: list[tuple[str, str]]
) -> tuple[tuple[str, ...], str, str]:
    path, label, unit = item
    r = rng.random()
    if r < 0.15 and synonyms:
        canon, variant = rng.choice(synonyms)
        label = label.replace(canon, variant)
    elif r < 0.25 and len(label) > 3:
        k = rng.randrange(1, len(label))
        label = f"{label[:k]} {label[k:]}"
    elif r < 0.3:
        label = t2t.convert(label)
    if unit and rng.random() < 0.3:
        unit = SCALES.get(unit, unit)
    if unit and rng.random() < 0.15:
        label, unit = f"{label}（{unit}）", ""
    label = rng.choice(NUMBERING).format(label)
    if path and rng.random() < 0.3:
        path = (*path[:-1], rng.choice(NUMBERING).format(path[-1].split("、")[-1]))
    return path, label, unit


def generate(n_templates: int, per: int, pairs_path: str, seed: int = 7) -> list[FieldRef]:
    rng = random.Random(seed)
    vocab = concepts(base_items(pairs_path), rng, 6000)
    cum = list(itertools.accumulate(1.0 / (i + 1) ** 0.8 for i in range(len(vocab))))
    t2t = opencc.OpenCC("s2t")
    lex = get_lexicon()
    synonyms = [(c, v) for v, c in lex.rewrite.items() if v != c]
    fields: list[FieldRef] = []
    for t in range(n_templates):
        chosen: dict[int, None] = {}
        while len(chosen) < per:
            chosen[rng.choices(range(len(vocab)), cum_weights=cum)[0]] = None
        for k, idx in enumerate(chosen):
            path, label, unit = render(vocab[idx], rng, t2t, synonyms)
            fields.append(
                FieldRef(
                    key=f"T{t:04d}F{k:03d}",
                    label=label,
                    unit=unit,
                    path=path,
                    form=f"T{t:04d}:模板{t}",
                )
            )
    return fields


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--templates", type=int, default=1000)
    ap.add_argument("--fields", type=int, default=50, help="fields per template")
    ap.add_argument("--pairs", default=str(DEFAULT_PAIRS))
    args = ap.parse_args()
    t0 = time.perf_counter()
    fields = generate(args.templates, args.fields, args.pairs)
    t1 = time.perf_counter()
    result = find_concepts(fields)
    t2 = time.perf_counter()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    n = len(fields)
    sizes = sorted((len(c.members) for c in result.concepts), reverse=True)
    print(f"templates: {args.templates}  fields: {n:,}  (generated in {t1 - t0:.1f} s)")
    print(f"find_concepts wall time: {t2 - t1:.1f} s")
    print(f"peak RSS: {rss_mb:,.0f} MB")
    print(f"pairs compared: {result.compared:,}  (all pairs would be {n * (n - 1) // 2:,})")
    print(
        f"concepts: {len(result.concepts):,}  fields in concepts: {sum(sizes):,}  "
        f"singletons: {len(result.singletons):,}  largest: {sizes[:5]}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
