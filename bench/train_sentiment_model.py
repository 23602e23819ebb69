"""Produce the shipped sentiment weights in qingzhuang/textclass/models/ (reproducible).

Trains on the *train* splits only (waimai_10k + ChnSentiCorp_htl_all); never on *_test. The file
order fixes the domain ids the experts and gate are trained on: 0 = waimai, 1 = hotel. Every
choice in the recipe (features, C, shared-head weights, the hotel NB-SVM) comes from the 5-fold CV
table of bench/sentiment_cv.py, also on the train splits only.

    .venv/bin/python bench/train_sentiment_model.py [--data ../shared/data] [--out DIR]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import time
from pathlib import Path

from qingzhuang.textclass.sentiment import MODEL_DIR, MODEL_NAME, fit_sentiment_model

ROOT = Path(__file__).resolve().parents[1]
TRAIN_FILES = ("waimai_10k_train.csv", "ChnSentiCorp_htl_all_train.csv")


def read(path: Path) -> tuple[list[str], list[int]]:
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return [r["review"] or "" for r in rows], [int(r["label"]) for r in rows]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--out", type=Path, default=MODEL_DIR)
    args = ap.parse_args()
    texts: list[str] = []
    labels: list[int] = []
    domains: list[int] = []
    for domain, name in enumerate(TRAIN_FILES):
        t, y = read(args.data / "sentiment" / name)
        texts += t
        labels += y
        domains += [domain] * len(t)
        print(f"{name}: {len(t)} rows")
    start = time.perf_counter()
    model = fit_sentiment_model(texts, labels, domains)
    print(
        f"trained in {time.perf_counter() - start:.1f}s; "
        f"{len(model.char_vocab)} char + {len(model.word_vocab)} word features"
    )
    for old in args.out.glob("sentiment_v*"):
        if not old.name.startswith(MODEL_NAME + "."):
            old.unlink()  # a previous format's files; the loader reads only MODEL_NAME
            print(f"removed {old}")
    for path in model.save(args.out):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
        print(f"wrote {path} ({path.stat().st_size / 1024:.0f} KiB, sha256 {digest})")


if __name__ == "__main__":
    main()
