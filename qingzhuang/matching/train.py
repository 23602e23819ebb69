"""Fit the comparison score on labelled pairs and write ``data/weights.json``.

Run:  .venv/bin/python -m qingzhuang.matching.train [--pairs PATH] [--write]

Only a dev file may be used here (never a *_test.csv).  The fitted model is ten coefficients
and a threshold, written as JSON with their provenance, so the product needs no pickle and
no scikit-learn at run time.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import random
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from qingzhuang.matching.cli_support import split_path
from qingzhuang.matching.compare import FEATURES, WEIGHTS_PATH, Model, features, hard_reasons
from qingzhuang.matching.model import FieldRef
from qingzhuang.matching.prepare import prepare

DEFAULT_PAIRS = Path(__file__).resolve().parents[3] / "shared/data/field_pairs/pairs_dev.csv"
Pair = tuple[FieldRef, FieldRef, int]


def load_pairs(path: str | os.PathLike[str]) -> list[Pair]:
    """Read pairs_dev.csv-style rows into (left, right, same) triples."""
    out: list[Pair] = []
    with open(path, encoding="utf-8-sig", newline="") as fh:
        for i, row in enumerate(csv.DictReader(fh)):
            pid = row.get("pair_id") or str(i)
            sides = []
            for side in ("left", "right"):
                sides.append(
                    FieldRef(
                        key=f"{pid}:{side}",
                        label=row[f"{side}_label"],
                        unit=row.get(f"{side}_unit", ""),
                        path=split_path(row.get(f"{side}_path", "")),
                        form=row.get(f"{side}_form", ""),
                    )
                )
            out.append((sides[0], sides[1], int(row["same"])))
    return out


def prf(pred: Sequence[bool], gold: Sequence[int]) -> tuple[float, float, float]:
    tp = sum(1 for p, g in zip(pred, gold, strict=True) if p and g)
    fp = sum(1 for p, g in zip(pred, gold, strict=True) if p and not g)
    fn = sum(1 for p, g in zip(pred, gold, strict=True) if not p and g)
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return prec, rec, f1


def _scores(model: Model, pairs: Sequence[Pair]) -> list[float]:
    out = []
    for a, b, _ in pairs:
        pa, pb = prepare(a), prepare(b)
        if hard_reasons(pa, pb):
            out.append(-1.0)
            continue
        z = model.intercept + sum(c * x for c, x in zip(model.coef, features(pa, pb), strict=True))
        out.append(1.0 / (1.0 + math.exp(-z)))
    return out


def fit(pairs: Sequence[Pair], c: float = 1.0) -> Model:
    """Logistic regression on the pairs no hard rule decides; threshold maximises dev F1."""
    from sklearn.linear_model import LogisticRegression

    xs, ys = [], []
    for a, b, y in pairs:
        pa, pb = prepare(a), prepare(b)
        if not hard_reasons(pa, pb):
            xs.append(features(pa, pb))
            ys.append(y)
    clf = LogisticRegression(C=c, max_iter=2000, class_weight="balanced")
    clf.fit(xs, ys)
    model = Model(tuple(float(v) for v in clf.coef_[0]), float(clf.intercept_[0]), 0.5)
    scores = _scores(model, pairs)
    gold = [y for _, _, y in pairs]
    best = max(
        (
            (prf([s >= t for s in scores], gold)[2], -abs(t - 0.5), t)
            for t in [i / 100 for i in range(5, 96)]
        ),
    )
    return Model(model.coef, model.intercept, best[2])


def evaluate(model: Model, pairs: Sequence[Pair]) -> tuple[float, float, float]:
    scores = _scores(model, pairs)
    return prf([s >= model.threshold for s in scores], [y for _, _, y in pairs])


def cross_validate(pairs: Sequence[Pair], k: int = 5, seed: int = 20261126) -> float:
    """Stratified k-fold F1 of the whole fitting procedure (coefficients and threshold)."""
    pos = [p for p in pairs if p[2]]
    neg = [p for p in pairs if not p[2]]
    rng = random.Random(seed)  # noqa: S311 - fold shuffling, not security
    rng.shuffle(pos)
    rng.shuffle(neg)
    folds: list[list[Pair]] = [pos[i::k] + neg[i::k] for i in range(k)]
    pred: list[bool] = []
    gold: list[int] = []
    for i in range(k):
        train = [p for j, f in enumerate(folds) if j != i for p in f]
        model = fit(train)
        scores = _scores(model, folds[i])
        pred += [s >= model.threshold for s in scores]
        gold += [y for _, _, y in folds[i]]
    return prf(pred, gold)[2]


def write_model(model: Model, pairs_path: str, path: Path = WEIGHTS_PATH) -> None:
    data = {
        "coef": dict(zip(FEATURES, (round(c, 4) for c in model.coef), strict=True)),
        "intercept": round(model.intercept, 4),
        "threshold": model.threshold,
        "provenance": (
            f"LogisticRegression(C=1.0, class_weight=balanced) fitted on "
            f"{Path(pairs_path).name} pairs not decided by a hard rule; threshold "
            f"maximises F1 on the same file; {datetime.now(tz=UTC).date().isoformat()}; "
            f"python -m qingzhuang.matching.train --write"
        ),
    }
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--pairs", default=str(DEFAULT_PAIRS))
    ap.add_argument("--write", action="store_true", help="overwrite data/weights.json")
    args = ap.parse_args(argv)
    pairs = load_pairs(args.pairs)
    model = fit(pairs)
    p, r, f = evaluate(model, pairs)
    cv = cross_validate(pairs)
    coef = dict(zip(FEATURES, (round(c, 3) for c in model.coef), strict=True))
    sys.stdout.write(
        f"fit: P={p:.3f} R={r:.3f} F1={f:.3f} threshold={model.threshold}  "
        f"5-fold F1={cv:.3f}\n{coef} intercept={model.intercept:.3f}\n"
    )
    if args.write:
        write_model(model, args.pairs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
