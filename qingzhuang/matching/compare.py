"""Pairwise same-item decision.

Hard rules first (different dimension of unit, conflicting qualifiers, a known look-alike
trap, two cells of one form): these make the pair different whatever the text similarity.
Otherwise a small logistic regression over similarity features gives a calibrated score.
Its coefficients live in ``data/weights.json`` (fitted by ``qingzhuang.matching.train`` on
pairs_dev.csv), so re-fitting never needs code changes or pickles.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz

from qingzhuang.matching.model import Decision, FieldRef
from qingzhuang.matching.prepare import Prepared, get_lexicon, prepare
from qingzhuang.matching.qualifiers import conflicts

WEIGHTS_PATH = Path(__file__).with_name("data") / "weights.json"
FEATURES = (
    "exact",
    "ratio",
    "jaccard",
    "contains",
    "context",
    "generic_parent",
    "synonym",
    "same_unit",
    "unit_missing",
    "short",
)
PARENT_SAME = 85.0  # headings at least this similar (rapidfuzz ratio) count as one parent
HARD_CAP = 0.02  # score given to pairs that a hard rule declares different


@dataclass(frozen=True, slots=True)
class Model:
    coef: tuple[float, ...]
    intercept: float
    threshold: float


def load_model(path: str | os.PathLike[str] | None = None) -> Model:
    """Read coefficients; ``QZ_MATCHING_WEIGHTS`` overrides the packaged file."""
    p = Path(path or os.environ.get("QZ_MATCHING_WEIGHTS") or WEIGHTS_PATH)
    data = json.loads(p.read_text(encoding="utf-8"))
    coef = tuple(float(data["coef"][name]) for name in FEATURES)
    return Model(coef, float(data["intercept"]), float(data["threshold"]))


_MODEL: Model | None = None


def get_model() -> Model:
    global _MODEL
    if _MODEL is None:
        _MODEL = load_model()
    return _MODEL


def set_model(model: Model | None) -> None:
    global _MODEL
    _MODEL = model


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def features(a: Prepared, b: Prepared) -> list[float]:
    """Similarity features in the order of FEATURES (all in 0..1)."""
    exact = float(a.qlabel == b.qlabel)
    ratio = fuzz.ratio(a.qlabel, b.qlabel) / 100.0
    contains = float(
        not exact
        and bool(a.qlabel)
        and bool(b.qlabel)
        and (a.qlabel in b.qlabel or b.qlabel in a.qlabel)
    )
    if a.ancestors and b.ancestors:
        context = fuzz.ratio("".join(a.ancestors), "".join(b.ancestors)) / 100.0
    else:
        context = 0.5
    generic_parent = 0.0
    if a.generic or b.generic:
        generic_parent = fuzz.ratio(a.parent, b.parent) / 100.0 if a.parent and b.parent else 0.0
    synonym = float(exact and (a.synonym or b.synonym) and a.plain != b.plain)
    same_unit = float(a.unit is not None and b.unit is not None and a.unit.text == b.unit.text)
    unit_missing = float(a.unit is None or b.unit is None)
    short = float(min(len(a.label), len(b.label)) <= 2)
    return [
        exact,
        ratio,
        _jaccard(a.grams, b.grams),
        contains,
        context,
        generic_parent,
        synonym,
        same_unit,
        unit_missing,
        short,
    ]


def hard_reasons(a: Prepared, b: Prepared) -> list[str]:
    """Reasons that make the pair different regardless of wording."""
    reasons: list[str] = []
    if a.ref.form and a.ref.form == b.ref.form and a.ref.key != b.ref.key:
        reasons.append("同一张表内的两个单元格，不是同一数据项")
    if a.unit and b.unit and a.unit.dimension != b.unit.dimension:
        reasons.append(f"单位不可换算：{a.unit.text} vs {b.unit.text}")
    reasons.extend(conflicts(a.quals, b.quals))
    trap = get_lexicon().trap(a.qlabel, b.qlabel)
    if trap:
        reasons.append(f"口径不同（词表）：{trap[0]} vs {trap[1]}")
    if a.generic and b.generic and a.label == b.label:
        if _differ(a.parent, b.parent):
            reasons.append(f"同名指标属于不同上级项目：{a.parent} vs {b.parent}")
        elif _differ(a.subject, b.subject):
            reasons.append(
                f"通用指标“{a.label}”无上级标题，所属报表对象不同：{a.subject} vs {b.subject}"
            )
    return reasons


def _differ(x: str, y: str) -> bool:
    """Two headings name different things (both present, and not a near-identical spelling)."""
    return bool(x and y and x != y and fuzz.ratio(x, y) < PARENT_SAME)


def _soft_reasons(a: Prepared, b: Prepared, f: list[float]) -> list[str]:
    out: list[str] = []
    if f[0]:
        out.append("名称规范化后一致" if not f[6] else "名称经同义词表归一后一致")
    else:
        out.append(f"名称相似度 {f[1]:.2f}")
    if a.unit and b.unit and a.unit.text != b.unit.text and a.unit.dimension == b.unit.dimension:
        out.append(f"单位可换算：{a.unit.text}→{b.unit.text}")
    if (a.generic or b.generic) and a.parent and b.parent:
        out.append(f"通用名称，按上级项目比较：{a.parent} / {b.parent}")
    return out


def score_prepared(a: Prepared, b: Prepared, model: Model | None = None) -> tuple[float, bool]:
    """Score without building reasons (the hot path of redundancy analysis)."""
    m = model or get_model()
    if hard_reasons(a, b):
        return HARD_CAP, False
    f = features(a, b)
    z = m.intercept + sum(c * x for c, x in zip(m.coef, f, strict=True))
    p = 1.0 / (1.0 + math.exp(-z))
    return p, p >= m.threshold


def compare(a: FieldRef, b: FieldRef, *, model: Model | None = None) -> Decision:
    """Decide whether two fields ask for the same data item, and say why in plain Chinese."""
    pa, pb = prepare(a), prepare(b)
    hard = hard_reasons(pa, pb)
    if hard:
        return Decision(HARD_CAP, False, hard)
    score, same = score_prepared(pa, pb, model)
    reasons = _soft_reasons(pa, pb, features(pa, pb))
    return Decision(round(score, 4), same, reasons)
