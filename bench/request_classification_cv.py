"""Request category classifier: stratified 5-fold CV on messages_train only (test is not read).

    .venv/bin/python bench/request_classification_cv.py [--data ../shared/data] [--seeds 0 1]

This is how the model's design was chosen. For each fold it trains `train_category_model` once
and scores the members of its probability average separately, so one run compares:
- baseline: TF-IDF char 1-3 + LinearSVC (C=0.5, sublinear, min_df=2), as in the data README;
- svm only: the previous model (char+word TF-IDF + taxonomy keywords, calibrated LinearSVC);
- nb-svm only: the NB-SVM member alone;
- ours: the average of both (what `train_category_model` predicts).
"""

from __future__ import annotations

import argparse
import csv
import time
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC

from qingzhuang.textclass._text import join_subject
from qingzhuang.textclass.category import load_taxonomy_keywords, train_category_model

ROOT = Path(__file__).resolve().parents[1]
NAMES = ["baseline char1-3+LinearSVC", "svm only (previous)", "nb-svm only", "ours (svm+nb-svm)"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    args = ap.parse_args()
    req = args.data / "requests"
    with open(req / "messages_train.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    texts = [join_subject(r.get("subject"), r["text"]) for r in rows]
    y = np.array([r["label"] for r in rows])
    taxonomy = load_taxonomy_keywords(req / "category_taxonomy.csv")
    scores: dict[str, list[float]] = {n: [] for n in NAMES}
    start = time.perf_counter()
    for seed in args.seeds:
        for k, (tr, va) in enumerate(
            StratifiedKFold(5, shuffle=True, random_state=seed).split(texts, y)
        ):
            x_tr, x_va = [texts[i] for i in tr], [texts[i] for i in va]
            vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=2)
            base = LinearSVC(C=0.5).fit(vec.fit_transform(x_tr), y[tr])
            model = train_category_model(x_tr, list(y[tr]), taxonomy=taxonomy)
            feats = model._features(x_va)
            classes = np.array(model.labels)
            svm, nbsvm = model.classifier.calibrated_classifiers_
            preds = [
                base.predict(vec.transform(x_va)),
                classes[svm.predict_proba(feats).argmax(axis=1)],
                classes[nbsvm.predict_proba(feats).argmax(axis=1)],
                classes[model.predict_proba(x_va).argmax(axis=1)],
            ]
            for name, pred in zip(NAMES, preds, strict=True):
                scores[name].append(float(f1_score(y[va], pred, average="macro")))
            print(f"seed {seed} fold {k}: " + "  ".join(f"{scores[n][-1]:.4f}" for n in NAMES))
    print(f"\nmacro-F1 over {len(scores[NAMES[0]])} folds ({time.perf_counter() - start:.0f}s)")
    ref = np.array(scores[NAMES[1]])
    for name in NAMES:
        s = np.array(scores[name])
        print(
            f"{name:28s} {s.mean():.4f} ± {s.std():.4f}   vs svm only {s.mean() - ref.mean():+.4f}"
            f" (better in {(s > ref).sum()}/{len(s)} folds)"
        )


if __name__ == "__main__":
    main()
