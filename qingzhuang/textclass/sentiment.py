"""Comment sentiment with weights that ship inside the package.

Weights are plain arrays (.npz, no pickle) plus a gzipped JSON vocabulary, so loading the shipped
model can never execute code. Features: char 1-3-gram + jieba-word TF-IDF (sublinear tf, l2 per
block). Three linear heads read them: one expert per training domain (food delivery, hotel) and a
logistic gate giving g = P(hotel-like text); the margin is (1-g)·waimai + g·hotel. Each expert is a
fold of several linear models over the same features (see `fit_sentiment_model`): a shared SVM
trained on every review (weight 1 on the food side, 0.3 on the hotel side, where the mostly food
shared head pulled hotel margins the wrong way), the domain's own SVM and, for hotels, an NB-SVM
(Wang & Manning). A text from neither domain (a callback comment) still gets the shared head
through either expert. Platt scaling turns the margin into P(positive). 5-fold CV on the train
splits (bench/sentiment_cv.py): food delivery 0.902 (v2 0.902), hotel 0.905 (v2 0.896). Produced
reproducibly by bench/train_sentiment_model.py.
"""

from __future__ import annotations

import gzip
import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.preprocessing import normalize

from qingzhuang.i18n import gettext as _

from ._text import word_tokens

MODEL_DIR = Path(__file__).resolve().parent / "models"
MODEL_NAME = "sentiment_v3"
FORMAT_VERSION = 3
# rows of `coef` / entries of `intercepts`
HEADS = ("expert_waimai", "expert_hotel", "gate_hotel")
# weight of the shared head folded into each expert (chosen by 5-fold CV on the train splits)
SHARED_WEIGHT = {"expert_waimai": 1.0, "expert_hotel": 0.3}


@dataclass
class SentimentModel:
    """Char + word TF-IDF features, three linear heads (see HEADS); `scores` gives P(positive)."""

    char_vocab: list[str]
    word_vocab: list[str]
    char_idf: np.ndarray
    word_idf: np.ndarray
    coef: np.ndarray  # (len(HEADS), n_char + n_word)
    intercepts: np.ndarray  # (len(HEADS),)
    platt_a: float
    platt_b: float

    def __post_init__(self) -> None:
        self._char = CountVectorizer(
            analyzer="char",
            ngram_range=(1, 3),
            vocabulary={t: i for i, t in enumerate(self.char_vocab)},
        )
        self._word = CountVectorizer(
            analyzer=word_tokens, vocabulary={t: i for i, t in enumerate(self.word_vocab)}
        )
        self._words = frozenset(self.word_vocab)

    def features(self, texts: Sequence[str]) -> csr_matrix:
        texts = [t or "" for t in texts]
        return hstack(
            [
                _tfidf(self._char.transform(texts), self.char_idf),
                _tfidf(self._word.transform(texts), self.word_idf),
            ]
        ).tocsr()

    def decision(self, texts: Sequence[str]) -> np.ndarray:
        """Margin: gate-weighted mixture of the two domain experts (>0 means positive)."""
        return _mix(self.features(texts), self.coef, self.intercepts)

    def scores(self, texts: Sequence[str]) -> list[float]:
        if not texts:
            return []
        margin = self.decision(texts)
        return [float(p) for p in 1.0 / (1.0 + np.exp(-(self.platt_a * margin + self.platt_b)))]

    def explain(self, texts: Sequence[str], k: int = 3) -> list[list[str]]:
        """Per text, up to k words that pushed its margin hardest in the direction of its verdict
        (negative words for a negative verdict), for people checking a flagged comment.

        Per feature j the contribution is x_j·((1-g)·w_waimai_j + g·w_hotel_j), with the text's
        own gate g, so the contributions plus the intercepts add up to `decision`. Only words are
        shown (a character run counts when it is itself a word), and a fragment overlapping one
        already chosen is skipped, so "没人" is not followed by "人管". One feature pass for all
        texts.
        """
        texts = [t or "" for t in texts]
        if not texts:
            return []
        x = self.features(texts).tocsr()
        raw = np.asarray(x @ self.coef.T) + self.intercepts
        gates = 1.0 / (1.0 + np.exp(-raw[:, 2]))
        return [
            self._explain_row(text, x, row, float(gates[row]), k) for row, text in enumerate(texts)
        ]

    def _explain_row(self, text: str, x: csr_matrix, row: int, g: float, k: int) -> list[str]:
        lo, hi = x.indptr[row], x.indptr[row + 1]
        cols, vals = x.indices[lo:hi], x.data[lo:hi]
        if not len(cols):
            return []
        contrib = vals * ((1.0 - g) * self.coef[0, cols] + g * self.coef[1, cols])
        margin = contrib.sum() + (1.0 - g) * self.intercepts[0] + g * self.intercepts[1]
        sign = 1.0 if margin > 0 else -1.0
        n_char = len(self.char_vocab)
        chosen: list[str] = []
        spans: list[tuple[int, int]] = []  # where the chosen words sit in the text
        for i in np.argsort(-sign * contrib, kind="stable"):
            if sign * contrib[i] <= 0 or len(chosen) >= k:
                break
            col = int(cols[i])
            token = (
                self.char_vocab[col] if col < n_char else self.word_vocab[col - n_char]
            ).strip()
            # a character run is shown only when it is a word itself ("敷衍", not "，拖")
            if len(token) < 2 or (col < n_char and token not in self._words):
                continue
            at = text.find(token)
            if at < 0 or any(at < end and start < at + len(token) for start, end in spans):
                continue
            chosen.append(token)
            spans.append((at, at + len(token)))
        return chosen

    def save(self, directory: Path, name: str = MODEL_NAME) -> list[Path]:
        """Write `<name>.npz` (float32 weights) and `<name>.vocab.json.gz`."""
        directory.mkdir(parents=True, exist_ok=True)
        npz = directory / f"{name}.npz"
        vocab = directory / f"{name}.vocab.json.gz"
        np.savez_compressed(
            npz,
            char_idf=self.char_idf.astype(np.float32),
            word_idf=self.word_idf.astype(np.float32),
            coef=self.coef.astype(np.float32),
            intercepts=np.asarray(self.intercepts, dtype=np.float64),
            scalars=np.array([self.platt_a, self.platt_b], dtype=np.float64),
            version=np.array([FORMAT_VERSION]),
        )
        doc = {
            "format": "qingzhuang.textclass.sentiment",
            "version": FORMAT_VERSION,
            "char": self.char_vocab,
            "word": self.word_vocab,
        }
        # mtime=0 keeps the file byte-identical across runs
        with gzip.GzipFile(vocab, "wb", mtime=0) as fh:
            fh.write(json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
        return [npz, vocab]

    @classmethod
    def load(cls, directory: Path = MODEL_DIR, name: str = MODEL_NAME) -> SentimentModel:
        npz_path = directory / f"{name}.npz"
        vocab_path = directory / f"{name}.vocab.json.gz"
        try:
            with np.load(npz_path, allow_pickle=False) as arrays:
                data = {k: arrays[k] for k in arrays.files}
            with gzip.open(vocab_path, "rb") as fh:
                doc = json.loads(fh.read().decode("utf-8"))
        except (OSError, ValueError, KeyError) as exc:
            raise ValueError(_("情感模型文件缺失或损坏：%(path)s") % {"path": npz_path}) from exc
        if int(data["version"][0]) != FORMAT_VERSION or doc.get("version") != FORMAT_VERSION:
            raise ValueError(_("情感模型文件版本不符：%(path)s") % {"path": npz_path})
        if data["coef"].shape != (len(HEADS), len(doc["char"]) + len(doc["word"])):
            raise ValueError(_("情感模型文件缺失或损坏：%(path)s") % {"path": npz_path})
        a, b = (float(v) for v in data["scalars"])
        return cls(
            doc["char"],
            doc["word"],
            data["char_idf"].astype(np.float64),
            data["word_idf"].astype(np.float64),
            data["coef"].astype(np.float64),
            data["intercepts"].astype(np.float64),
            a,
            b,
        )


def _mix(x: csr_matrix, coef: np.ndarray, intercepts: np.ndarray) -> np.ndarray:
    """Gate-weighted expert margin, for a feature matrix."""
    raw = np.asarray(x @ coef.T) + intercepts
    waimai, hotel, gate = raw.T
    g = 1.0 / (1.0 + np.exp(-gate))
    return np.asarray(g * hotel + (1.0 - g) * waimai)


def _tfidf(counts: csr_matrix, idf: np.ndarray) -> csr_matrix:
    """sklearn's TfidfVectorizer(sublinear_tf=True) transform, with a fixed idf."""
    x = csr_matrix(counts, dtype=np.float64)
    x.data = np.log(x.data) + 1.0
    x = x.multiply(idf).tocsr()
    return normalize(x, norm="l2", copy=False)


_LOCK = threading.Lock()
_MODEL: SentimentModel | None = None


def shipped_model() -> SentimentModel:
    """The packaged model, read from disk once per process."""
    global _MODEL
    if _MODEL is None:
        with _LOCK:
            if _MODEL is None:
                _MODEL = SentimentModel.load()
    return _MODEL


def sentiment_scores(texts: Sequence[str]) -> list[float]:
    """P(positive) per text, from the shipped model; why: satisfaction comments need no setup."""
    return shipped_model().scores(list(texts))


def _nb_ratio(x: csr_matrix, y: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    """NB-SVM log-count ratio (Wang & Manning 2012) over binarised features."""
    xb = (x > 0).astype(np.float64)
    p = alpha + np.asarray(xb[y == 1].sum(axis=0)).ravel()
    q = alpha + np.asarray(xb[y == 0].sum(axis=0)).ravel()
    return np.asarray(np.log((p / p.sum()) / (q / q.sum())))


def fit_sentiment_model(
    texts: Sequence[str],
    labels: Sequence[int],
    domains: Sequence[int],
    *,
    c: float = 0.2,
    nb_c: float = 0.1,
    seed: int = 0,
) -> SentimentModel:
    """Train a SentimentModel (used by bench/train_sentiment_model.py).

    labels are 1/0; domains are 0 (food delivery) / 1 (hotel) and only train the experts and gate.
    Every part is linear in the same features, so the shared SVM (weights SHARED_WEIGHT), the
    domain SVMs and the hotel NB-SVM (whose ratio r scales its weights: (x∘r)·w = x·(r∘w)) are
    summed into one weight row per expert.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold
    from sklearn.svm import LinearSVC

    texts = [t or "" for t in texts]
    y = np.asarray(labels, dtype=int)
    dom = np.asarray(domains, dtype=int)
    cv = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=2)
    wv = TfidfVectorizer(analyzer=word_tokens, sublinear_tf=True, min_df=2)
    x = hstack([cv.fit_transform(texts), wv.fit_transform(texts)]).tocsr()

    def svm(xs: csr_matrix, ys: np.ndarray) -> tuple[np.ndarray, float]:
        m = LinearSVC(C=c, random_state=seed).fit(xs, ys)
        return m.coef_.ravel(), float(m.intercept_[0])

    def heads(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        xs, ys, ds = x[rows], y[rows], dom[rows]
        shared_w, shared_b = svm(xs, ys)
        experts = [svm(xs[ds == d], ys[ds == d]) for d in (0, 1)]
        xh, yh = xs[ds == 1], ys[ds == 1]
        r = _nb_ratio(xh, yh)
        nb = LinearSVC(C=nb_c, random_state=seed).fit(xh.multiply(r).tocsr(), yh)
        a_w, a_h = SHARED_WEIGHT["expert_waimai"], SHARED_WEIGHT["expert_hotel"]
        waimai_w = experts[0][0] + a_w * shared_w
        waimai_b = experts[0][1] + a_w * shared_b
        hotel_w = experts[1][0] + a_h * shared_w + r * nb.coef_.ravel()
        hotel_b = experts[1][1] + a_h * shared_b + float(nb.intercept_[0])
        gate = LogisticRegression(C=10.0, max_iter=2000).fit(xs, ds)
        coef = np.vstack([waimai_w, hotel_w, gate.coef_.ravel()])
        return coef, np.array([waimai_b, hotel_b, float(gate.intercept_[0])])

    # Platt scaling on out-of-fold margins of the whole mixture
    margins = np.zeros(len(y))
    folds = StratifiedKFold(5, shuffle=True, random_state=seed)
    for tr, te in folds.split(x, y + 2 * dom):
        margins[te] = _mix(x[te], *heads(tr))
    platt = LogisticRegression(C=1e6, max_iter=1000).fit(margins.reshape(-1, 1), y)
    coef, icpt = heads(np.arange(len(y)))
    char_vocab = sorted(cv.vocabulary_, key=cv.vocabulary_.__getitem__)
    word_vocab = sorted(wv.vocabulary_, key=wv.vocabulary_.__getitem__)
    return SentimentModel(
        char_vocab,
        word_vocab,
        cv.idf_,
        wv.idf_,
        coef,
        icpt,
        float(platt.coef_[0, 0]),
        float(platt.intercept_[0]),
    )
