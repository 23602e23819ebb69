"""Comment-sentiment accuracy: shipped model vs TF-IDF+LinearSVC baseline vs snownlp.

    .venv/bin/python bench/sentiment.py [--data ../shared/data] [--no-snownlp]

Baseline and ours are trained on the *_train splits only; every figure is on *_test.
"""

from __future__ import annotations

import argparse
import csv
import time
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

from qingzhuang.textclass.sentiment import MODEL_DIR, MODEL_NAME, sentiment_scores

ROOT = Path(__file__).resolve().parents[1]
SETS = ("waimai_10k", "ChnSentiCorp_htl_all")
SNOWNLP_REFERENCE = {"waimai_10k": 0.790, "ChnSentiCorp_htl_all": 0.710}


def read(path: Path) -> tuple[list[str], np.ndarray]:
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return [r["review"] or "" for r in rows], np.array([int(r["label"]) for r in rows])


def baseline(train: tuple[list[str], np.ndarray], test: list[str]) -> np.ndarray:
    vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=2)
    clf = LinearSVC(C=0.5).fit(vec.fit_transform(train[0]), train[1])
    return np.asarray(clf.predict(vec.transform(test)))


def snownlp_predict(texts: list[str]) -> np.ndarray | None:
    try:
        from snownlp import SnowNLP
    except ImportError:
        return None
    return np.array([int(SnowNLP(t).sentiments >= 0.5) if t.strip() else 1 for t in texts])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--no-snownlp", action="store_true", help="skip snownlp (slow: ~1 min)")
    args = ap.parse_args()
    base = args.data / "sentiment"
    print(f"{'test set':24s} {'n':>5s} {'ours':>7s} {'tfidf+svm':>10s} {'snownlp':>9s}")
    for name in SETS:
        train = read(base / f"{name}_train.csv")
        texts, y = read(base / f"{name}_test.csv")
        start = time.perf_counter()
        ours = (np.array(sentiment_scores(texts)) >= 0.5).astype(int)
        per_ms = (time.perf_counter() - start) / len(texts) * 1000
        start = time.perf_counter()
        for t in texts[:300]:
            sentiment_scores([t])
        one_ms = (time.perf_counter() - start) / min(300, len(texts)) * 1000
        base_pred = baseline(train, texts)
        snow = None if args.no_snownlp else snownlp_predict(texts)
        snow_txt = (
            f"{(snow == y).mean():9.4f}"
            if snow is not None
            else f"not installed (ref {SNOWNLP_REFERENCE[name]:.3f})"
        )
        print(
            f"{name:24s} {len(y):5d} {(ours == y).mean():7.4f} "
            f"{(base_pred == y).mean():10.4f} {snow_txt}   ours {per_ms:.2f} ms/text batch, "
            f"{one_ms:.2f} ms one at a time"
        )
    print("baseline: TF-IDF char 1-3 + LinearSVC(C=0.5), trained on the same-domain train split;")
    size = sum(f.stat().st_size for f in MODEL_DIR.glob(f"{MODEL_NAME}.*"))
    print(
        f"ours: one shipped model ({MODEL_NAME}, {size / 2**20:.2f} MiB) trained on both train "
        "splits, no domain given at scoring time (bench/train_sentiment_model.py)."
    )


if __name__ == "__main__":
    main()
