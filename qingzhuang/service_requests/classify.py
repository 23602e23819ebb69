"""Category suggestion at intake: one model per process, loaded once, never trained in a request.

The model file lives at ``<QZ_DATA_DIR>/models/request_category.model`` (written by
``qz requests retrain`` or ``qz requests train --model``). Without a model the intake still works
and the dispatcher chooses the category.

Intake is hot, so a loaded model is "compiled" once (`FastPredictor`): the linear SVMs of the
calibrated ensemble become one coefficient matrix per feature block and their Platt sigmoids
are applied with numpy, which skips sklearn's per-call validation, hstack and per-estimator
loops (2.5 ms → well under 1 ms per request; jieba tokenising is most of what is left). Its
output is checked against the model's own `predict_proba` when it is built; anything it does not
reproduce exactly falls back to the model.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

from config import env

_lock = threading.Lock()
_cache: dict[str, Any] = {"path": None, "mtime": None, "model": None, "checked": 0.0}
# stat() of the model file at most this often per process (a retrain is picked up within it).
STAT_INTERVAL = 5.0
_PROBES = [
    "村口路灯坏了好几天，晚上很黑，请尽快修好。",
    "咨询一下城乡居民医疗保险在哪里缴费，截止到什么时候。",
    "楼下饭店油烟太大，窗户都不敢开。",
]


class FastPredictor:
    """The same probabilities as `CategoryModel.predict_proba`, computed without sklearn's
    per-call overhead. Build with `FastPredictor.compile(model)`, which returns None when the
    model is not the linear + sigmoid-calibrated kind or the result would differ."""

    def __init__(self, model: Any) -> None:
        from sklearn.preprocessing import LabelEncoder

        clf = model.classifier
        self.model = model
        self.labels = [str(c) for c in clf.classes_]
        self.char_vec, self.word_vec = model.char_vec, model.word_vec
        for vec in (self.char_vec, self.word_vec):
            if vec.binary or vec.norm not in ("l1", "l2", None):
                raise TypeError("unsupported vectorizer options")
        self._analyzers = {id(v): v.build_analyzer() for v in (self.char_vec, self.word_vec)}
        self.keywords = model.keywords
        n_char = len(self.char_vec.vocabulary_)
        n_word = len(self.word_vec.vocabulary_)
        weights, intercepts = [], []
        # Per calibrated member: (column slice in the stacked decisions, class index per
        # column, sigmoid a, sigmoid b)
        self.members: list[tuple[slice, np.ndarray, np.ndarray, np.ndarray]] = []
        col = 0
        for member in clf.calibrated_classifiers_:
            est = member.estimator
            if member.method != "sigmoid" or not hasattr(est, "coef_"):
                raise TypeError("not a linear, sigmoid-calibrated model")
            coef = np.asarray(est.coef_, dtype=np.float64)
            if coef.shape[0] == 1 or len(member.classes) == 2:
                raise TypeError("binary models take the sklearn path")
            idx = LabelEncoder().fit(member.classes).transform(est.classes_)
            a = np.array([c.a_ for c in member.calibrators], dtype=np.float64)
            b = np.array([c.b_ for c in member.calibrators], dtype=np.float64)
            weights.append(coef.T)
            intercepts.append(np.asarray(est.intercept_, dtype=np.float64))
            self.members.append((slice(col, col + coef.shape[0]), idx, a, b))
            col += coef.shape[0]
        w = np.ascontiguousarray(np.hstack(weights))
        if w.shape[0] < n_char + n_word:
            raise TypeError("feature blocks do not match the coefficients")
        self.w_char, self.w_word = w[:n_char], w[n_char : n_char + n_word]
        self.w_kw = w[n_char + n_word :]
        self.intercept = np.concatenate(intercepts)
        self.n_classes = len(self.labels)

    @classmethod
    def compile(cls, model: Any) -> FastPredictor | None:
        try:
            fast = cls(model)
            got = fast.predict_proba(_PROBES)
            want = np.asarray(model.predict_proba(_PROBES))
        except Exception:  # an unexpected model shape: the model's own path is used
            return None
        return fast if got.shape == want.shape and np.allclose(got, want, atol=1e-9) else None

    def _block(self, vec: Any, w: np.ndarray, text: str) -> np.ndarray:
        """decision contribution of one TF-IDF block: what `vec.transform([text]) @ w` gives
        (counts → sublinear tf → × idf → l2 norm), from the vocabulary dict directly."""
        counts: dict[int, int] = {}
        vocab = vec.vocabulary_
        for tok in self._analyzers[id(vec)](text):
            j = vocab.get(tok)
            if j is not None:
                counts[j] = counts.get(j, 0) + 1
        if not counts:
            return np.zeros(w.shape[1])
        idx = np.fromiter(counts, dtype=np.intp, count=len(counts))
        tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
        if vec.sublinear_tf:
            tf = np.log(tf) + 1.0
        if vec.use_idf:
            tf = tf * vec.idf_[idx]
        if vec.norm == "l2":
            tf = tf / np.sqrt(np.dot(tf, tf))
        elif vec.norm == "l1":
            tf = tf / np.abs(tf).sum()
        return np.asarray(tf @ w[idx])

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        from scipy.special import expit

        from qingzhuang.textclass.category import _keyword_block

        texts = [t or "" for t in texts]
        dec = np.empty((len(texts), len(self.intercept)))
        for row, text in enumerate(texts):
            dec[row] = self._block(self.char_vec, self.w_char, text) + self._block(
                self.word_vec, self.w_word, text
            )
        if self.keywords:
            dec += np.asarray(_keyword_block(self.keywords, self.n_classes, texts) @ self.w_kw)
        dec += self.intercept
        mean = np.zeros((len(texts), self.n_classes))
        for cols, idx, a, b in self.members:
            proba = np.zeros((len(texts), self.n_classes))
            proba[:, idx] = expit(-(a * dec[:, cols] + b))
            denom = proba.sum(axis=1)[:, np.newaxis]
            uniform = np.full_like(proba, 1 / self.n_classes)
            proba = np.divide(proba, denom, out=uniform, where=denom != 0)
            proba[(proba > 1.0) & (proba <= 1.0 + 1e-5)] = 1.0
            mean += proba
        return mean / len(self.members)

    def predict(self, texts: list[str]) -> list[tuple[str, float]]:
        proba = self.predict_proba(texts)
        best = proba.argmax(axis=1)
        return [(self.labels[i], float(proba[row, i])) for row, i in enumerate(best)]


def model_path() -> Path:
    return env.DATA_DIR / "models" / "request_category.model"


def _load(path: Path) -> Any:
    from qingzhuang.textclass import CategoryModel

    return CategoryModel.load(path)


def current_model() -> Any:
    """The loaded model (a FastPredictor when it compiles), or None without a model file.

    The file's mtime is checked at most every STAT_INTERVAL seconds, so a retrained model is
    picked up by every server process within seconds, without a stat() per request.
    """
    path = model_path()
    now = time.monotonic()
    if _cache["path"] == path and now - _cache["checked"] < STAT_INTERVAL:
        return _cache["model"]
    try:
        mtime = path.stat().st_mtime
    except OSError:
        _cache.update(path=path, mtime=None, model=None, checked=now)
        return None
    if _cache["path"] == path and _cache["mtime"] == mtime:
        _cache["checked"] = now
        return _cache["model"]
    with _lock:
        if not (_cache["path"] == path and _cache["mtime"] == mtime):
            try:
                loaded = _load(path)
                model = FastPredictor.compile(loaded) or loaded
            except Exception:  # a broken or foreign model file must not stop intake
                model = None
            _cache.update(path=path, mtime=mtime, model=model)
        _cache["checked"] = now
    return _cache["model"]


def reset_cache() -> None:
    with _lock:
        _cache.update(path=None, mtime=None, model=None, checked=0.0)


def model_text(subject: str, text: str) -> str:
    """The same joining the trainer uses (subject first: it often names the problem)."""
    subject = (subject or "").strip()
    return f"{subject}。{text}" if subject else text


def suggest(subject: str, text: str) -> tuple[str, float] | None:
    """(category, confidence) or None when no model is installed or the model fails."""
    model = current_model()
    if model is None or not text.strip():
        return None
    import sklearn

    try:
        if isinstance(model, FastPredictor):
            label, confidence = model.predict([model_text(subject, text)])[0]
        else:
            # Per-call input validation is most of sklearn's cost for a single short text.
            with sklearn.config_context(assume_finite=True, skip_parameter_validation=True):
                label, confidence = model.predict([model_text(subject, text)])[0]
    except Exception:  # a broken model must not stop intake: no suggestion instead
        return None
    return str(label), max(0.0, min(1.0, float(confidence)))


def warm_up() -> None:
    """Load (and compile) the model and jieba's dictionary now, not in the first request.

    `qz serve` calls this before forking its workers, so they share the loaded model and none
    of them makes a request wait seconds for it."""
    suggest("", "村口路灯坏了，晚上看不见路。")
