"""Stratified 5-fold CV of sentiment-model variants on the *train* splits only (never *_test).

    .venv/bin/python bench/sentiment_cv.py [--data ../shared/data] [--only NAME ...]

Folds: StratifiedKFold(5, shuffle, seed 0) inside each domain's train file; fold k of the joint
experiment trains on every other fold of both domains (idf and vocabulary fitted on those rows
only) and is scored per domain on fold k. Prints mean ± sd accuracy per domain for each variant.
All choices of bench/train_sentiment_model.py were made from this table; n_jobs=1 throughout.
"""

from __future__ import annotations

import argparse
import csv
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC

from qingzhuang.textclass._text import word_tokens

ROOT = Path(__file__).resolve().parents[1]
TRAIN_FILES = ("waimai_10k_train.csv", "ChnSentiCorp_htl_all_train.csv")
SEED = 0


def read(path: Path) -> tuple[list[str], list[int]]:
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return [r["review"] or "" for r in rows], [int(r["label"]) for r in rows]


class Data:
    def __init__(self, texts: list[str], y: np.ndarray, dom: np.ndarray) -> None:
        self.texts = texts
        self.y = y
        self.dom = dom
        self.words = [" ".join(word_tokens(t)) for t in texts]  # jieba once, space-joined
        self.folds = np.zeros(len(y), dtype=int)
        for d in (0, 1):
            idx = np.flatnonzero(dom == d)
            skf = StratifiedKFold(5, shuffle=True, random_state=SEED)
            for k, (_, te) in enumerate(skf.split(idx, y[idx])):
                self.folds[idx[te]] = k


def feats(
    data: Data,
    tr: np.ndarray,
    te: np.ndarray,
    *,
    char: tuple[int, int] = (1, 3),
    word: tuple[int, int] | None = (1, 1),
    min_df: int = 2,
) -> tuple[csr_matrix, csr_matrix]:
    """Char (and word) TF-IDF, sublinear tf, l2 per block, fitted on rows `tr`."""
    blocks_tr, blocks_te = [], []
    cv = TfidfVectorizer(analyzer="char", ngram_range=char, sublinear_tf=True, min_df=min_df)
    blocks_tr.append(cv.fit_transform([data.texts[i] for i in tr]))
    blocks_te.append(cv.transform([data.texts[i] for i in te]))
    if word is not None:
        wv = TfidfVectorizer(
            analyzer="word",
            tokenizer=str.split,
            token_pattern=None,
            lowercase=False,
            ngram_range=word,
            sublinear_tf=True,
            min_df=min_df,
        )
        blocks_tr.append(wv.fit_transform([data.words[i] for i in tr]))
        blocks_te.append(wv.transform([data.words[i] for i in te]))
    return hstack(blocks_tr).tocsr(), hstack(blocks_te).tocsr()


# A variant: (data, train rows, test rows) -> margin for the test rows (>0 = positive)
Variant = Callable[[Data, np.ndarray, np.ndarray], np.ndarray]


def current_v2(data: Data, tr: np.ndarray, te: np.ndarray) -> np.ndarray:
    """The shipped v2 recipe: shared SVM + gated per-domain experts, C=0.2."""
    xtr, xte = feats(data, tr, te)
    y, d = data.y[tr], data.dom[tr]
    shared = LinearSVC(C=0.2, random_state=SEED).fit(xtr, y)
    exp = [LinearSVC(C=0.2, random_state=SEED).fit(xtr[d == k], y[d == k]) for k in (0, 1)]
    gate = LogisticRegression(C=10.0, max_iter=2000).fit(xtr, d)
    g = gate.predict_proba(xte)[:, 1]
    return np.asarray(
        shared.decision_function(xte)
        + g * exp[1].decision_function(xte)
        + (1 - g) * exp[0].decision_function(xte)
    )


def in_domain(make: Callable[[], object], **fkw: object) -> Variant:
    """One model per domain trained on that domain's rows only (oracle domain at test time)."""

    def run(data: Data, tr: np.ndarray, te: np.ndarray) -> np.ndarray:
        out = np.zeros(len(te))
        for k in (0, 1):
            trk, tek = tr[data.dom[tr] == k], te[data.dom[te] == k]
            xtr, xte = feats(data, trk, tek, **fkw)  # type: ignore[arg-type]
            clf = make().fit(xtr, data.y[trk])  # type: ignore[attr-defined]
            out[data.dom[te] == k] = clf.decision_function(xte)
        return out

    return run


def pooled(make: Callable[[], object], **fkw: object) -> Variant:
    """One model on both domains' rows, no domain information."""

    def run(data: Data, tr: np.ndarray, te: np.ndarray) -> np.ndarray:
        xtr, xte = feats(data, tr, te, **fkw)  # type: ignore[arg-type]
        clf = make().fit(xtr, data.y[tr])  # type: ignore[attr-defined]
        return np.asarray(clf.decision_function(xte))

    return run


def augment(x: csr_matrix, g: np.ndarray) -> csr_matrix:
    """Daumé's feature augmentation: [shared, (1-g)·x, g·x] with g = P(hotel)."""
    from scipy.sparse import diags

    return hstack([x, diags(1 - g) @ x, diags(g) @ x]).tocsr()


def easy_da(make: Callable[[], object], *, oracle: bool = False, **fkw: object) -> Variant:
    """Frustratingly easy DA: shared + per-domain copies; test domain from a gate (or oracle)."""

    def run(data: Data, tr: np.ndarray, te: np.ndarray) -> np.ndarray:
        xtr, xte = feats(data, tr, te, **fkw)  # type: ignore[arg-type]
        if oracle:
            gte = data.dom[te].astype(float)
        else:
            gate = LogisticRegression(C=10.0, max_iter=2000).fit(xtr, data.dom[tr])
            gte = gate.predict_proba(xte)[:, 1]
        clf = make().fit(augment(xtr, data.dom[tr].astype(float)), data.y[tr])  # type: ignore[attr-defined]
        return np.asarray(clf.decision_function(augment(xte, gte)))

    return run


def nb_ratio(x: csr_matrix, y: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    """Wang & Manning's log-count ratio over binarised features."""
    xb = (x > 0).astype(np.float64)
    p = alpha + np.asarray(xb[y == 1].sum(0)).ravel()
    q = alpha + np.asarray(xb[y == 0].sum(0)).ravel()
    return np.asarray(np.log((p / p.sum()) / (q / q.sum())))


def mixed(
    *, c: float = 0.2, a_waimai: float = 1.0, a_hotel: float = 1.0, nb_hotel: float = 0.0
) -> Variant:
    """v2 with the shared head weighted per side of the gate, optionally an NB-SVM hotel expert.

    margin = (1-g)·(waimai + a_waimai·shared) + g·(hotel + a_hotel·shared [+ nb_hotel·nbsvm]).
    """

    def run(data: Data, tr: np.ndarray, te: np.ndarray) -> np.ndarray:
        from scipy.sparse import diags

        xtr, xte = feats(data, tr, te)
        y, d = data.y[tr], data.dom[tr]
        shared = LinearSVC(C=c, random_state=SEED).fit(xtr, y).decision_function(xte)
        exp = [
            LinearSVC(C=c, random_state=SEED).fit(xtr[d == k], y[d == k]).decision_function(xte)
            for k in (0, 1)
        ]
        gate = LogisticRegression(C=10.0, max_iter=2000).fit(xtr, d)
        g = gate.predict_proba(xte)[:, 1]
        hotel = exp[1] + a_hotel * shared
        if nb_hotel:
            xh, yh = xtr[d == 1], y[d == 1]
            r = diags(nb_ratio(xh, yh))
            nb = LinearSVC(C=0.1, random_state=SEED).fit(xh @ r, yh).decision_function(xte @ r)
            hotel = hotel + nb_hotel * nb
        return np.asarray((1 - g) * (exp[0] + a_waimai * shared) + g * hotel)

    return run


def shipped_recipe(data: Data, tr: np.ndarray, te: np.ndarray) -> np.ndarray:
    """End to end: qingzhuang.textclass.sentiment.fit_sentiment_model on the fold's train rows."""
    from qingzhuang.textclass.sentiment import fit_sentiment_model

    model = fit_sentiment_model(
        [data.texts[i] for i in tr], data.y[tr].tolist(), data.dom[tr].tolist()
    )
    return model.decision([data.texts[i] for i in te])


def svm(c: float) -> Callable[[], object]:
    return lambda: LinearSVC(C=c, random_state=SEED)


def lr(c: float) -> Callable[[], object]:
    return lambda: LogisticRegression(C=c, max_iter=3000)


VARIANTS: dict[str, Variant] = {
    "v2 shipped (shared+gated experts, C=0.2)": current_v2,
    "bench baseline: in-domain char1-3 SVM C=0.5": in_domain(svm(0.5), word=None),
    "pooled char1-3+word SVM C=0.2": pooled(svm(0.2)),
    "pooled char1-3+word SVM C=0.5": pooled(svm(0.5)),
    "in-domain char1-3+word SVM C=0.2": in_domain(svm(0.2)),
    "in-domain char1-3+word SVM C=0.5": in_domain(svm(0.5)),
    "easyDA gate char1-3+word SVM C=0.2": easy_da(svm(0.2)),
    "easyDA gate char1-3+word SVM C=0.5": easy_da(svm(0.5)),
    "v2, shared weight 0.3 on hotel side": mixed(a_hotel=0.3),
    "v2, shared 0.3 on hotel side + hotel NB-SVM": mixed(a_hotel=0.3, nb_hotel=1.0),
    "v2 + hotel NB-SVM": mixed(nb_hotel=1.0),
    "shipped recipe, end to end (fit_sentiment_model)": shipped_recipe,
}


def evaluate(data: Data, name: str, fn: Variant) -> tuple[np.ndarray, np.ndarray]:
    """Per-fold accuracy (5, 2) and the out-of-fold margins."""
    acc = np.zeros((5, 2))
    oof = np.zeros(len(data.y))
    for k in range(5):
        tr, te = np.flatnonzero(data.folds != k), np.flatnonzero(data.folds == k)
        m = fn(data, tr, te)
        oof[te] = m
        ok = (m > 0).astype(int) == data.y[te]
        for d in (0, 1):
            acc[k, d] = ok[data.dom[te] == d].mean()
    return acc, oof


def load(data_dir: Path) -> Data:
    texts: list[str] = []
    labels: list[int] = []
    doms: list[int] = []
    for d, name in enumerate(TRAIN_FILES):
        t, y = read(data_dir / "sentiment" / name)
        texts += t
        labels += y
        doms += [d] * len(t)
    return Data(texts, np.array(labels), np.array(doms))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--only", nargs="*", help="substrings of variant names to run")
    args = ap.parse_args()
    data = load(args.data)
    print(f"{'variant':52s} {'waimai':>15s} {'hotel':>15s} {'s':>5s}")
    for name, fn in VARIANTS.items():
        if args.only and not any(s in name for s in args.only):
            continue
        start = time.perf_counter()
        acc, _ = evaluate(data, name, fn)
        mu, sd = acc.mean(0), acc.std(0, ddof=1)
        print(
            f"{name:52s} {mu[0]:.4f} ± {sd[0]:.4f} {mu[1]:.4f} ± {sd[1]:.4f} "
            f"{time.perf_counter() - start:5.0f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
