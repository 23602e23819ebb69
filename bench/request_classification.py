"""Request category classifier: baseline vs ours on messages_test (trained on messages_train).

    .venv/bin/python bench/request_classification.py [--data ../shared/data] [--extra-unlabelled]

All design choices were made by 5-fold CV on messages_train (bench/request_classification_cv.py);
messages_test is only scored here. The "svm only" line is the previous model: the calibrated SVM
member of ours on its own, shown for reference, not used to choose anything.
"""

from __future__ import annotations

import argparse
import csv
import time
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import accuracy_score, classification_report, confusion_matrix, f1_score
from sklearn.svm import LinearSVC

from qingzhuang.textclass._text import join_subject
from qingzhuang.textclass.category import load_taxonomy_keywords, train_category_model

ROOT = Path(__file__).resolve().parents[1]


def read(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def texts_of(rows: list[dict[str, str]]) -> list[str]:
    return [join_subject(r.get("subject"), r["text"]) for r in rows]


def line(name: str, y: list[str], pred: list[str], train_s: float, ms: float) -> None:
    print(
        f"{name:28s} macro-F1 {f1_score(y, pred, average='macro'):.4f}  "
        f"acc {accuracy_score(y, pred):.4f}  train {train_s:5.1f}s  predict {ms:6.2f} ms/request"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--train", type=Path, help="default DATA/requests/messages_train.csv")
    ap.add_argument("--test", type=Path, help="default DATA/requests/messages_test.csv")
    ap.add_argument("--taxonomy", type=Path, help="default DATA/requests/category_taxonomy.csv")
    ap.add_argument(
        "--extra-unlabelled",
        action="store_true",
        help="also fit IDF on messages_hot + messages_with_replies (no gain in CV)",
    )
    args = ap.parse_args()
    req = args.data / "requests"
    train = read(args.train or req / "messages_train.csv")
    test = read(args.test or req / "messages_test.csv")
    x_tr, y_tr = texts_of(train), [r["label"] for r in train]
    x_te, y_te = texts_of(test), [r["label"] for r in test]
    print(f"train {len(x_tr)}  test {len(x_te)}")

    start = time.perf_counter()
    vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=2)
    base = LinearSVC(C=0.5).fit(vec.fit_transform(x_tr), y_tr)
    base_s = time.perf_counter() - start
    start = time.perf_counter()
    base_pred = [str(base.predict(vec.transform([t]))[0]) for t in x_te]
    line(
        "baseline char1-3+LinearSVC",
        y_te,
        base_pred,
        base_s,
        (time.perf_counter() - start) / len(x_te) * 1000,
    )

    extra = None
    if args.extra_unlabelled:
        # drop unlabelled rows that repeat a test message, so no test text shapes the IDF
        seen = {r["text"][:60] for r in test}
        extra = [
            join_subject(r.get("subject"), r["text"])
            for name in ("messages_hot.csv", "messages_with_replies.csv")
            for r in read(req / name)
            if r["text"][:60] not in seen
        ]
    taxonomy = load_taxonomy_keywords(args.taxonomy or req / "category_taxonomy.csv")
    for tax_name, tax in (("ours, no taxonomy", None), ("ours (+taxonomy keywords)", taxonomy)):
        start = time.perf_counter()
        model = train_category_model(x_tr, y_tr, extra_unlabelled=extra, taxonomy=tax)
        train_s = time.perf_counter() - start
        model.predict(x_te[:5])  # warm jieba
        start = time.perf_counter()
        pred = [model.predict([t])[0] for t in x_te]
        ms = (time.perf_counter() - start) / len(x_te) * 1000
        labels = [p[0] for p in pred]
        line(tax_name, y_te, labels, train_s, ms)
    svm_member = model.classifier.calibrated_classifiers_[0]
    svm_proba = svm_member.predict_proba(model._features(x_te))
    svm_pred = [model.labels[i] for i in svm_proba.argmax(axis=1)]
    print(
        f"{'  svm only (previous model)':28s} macro-F1 {f1_score(y_te, svm_pred, average='macro'):.4f}"
        f"  acc {accuracy_score(y_te, svm_pred):.4f}"
    )
    conf = np.array([p[1] for p in pred])
    correct = np.array(labels) == np.array(y_te)
    for cut in (0.5, 0.7, 0.9):
        sel = conf >= cut
        print(
            f"  confidence ≥ {cut}: {sel.mean():.1%} of requests, accuracy {correct[sel].mean():.4f}"
        )
    print("\nconfusion matrix (rows = true, columns = predicted):")
    print("  ".join(f"{i}={c}" for i, c in enumerate(model.labels)))
    print(confusion_matrix(y_te, labels, labels=model.labels))
    print(classification_report(y_te, labels, digits=4))


if __name__ == "__main__":
    main()
