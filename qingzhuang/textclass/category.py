"""Request category classifier for 接诉即办 routing.

Char 1-3-gram TF-IDF + jieba-word TF-IDF + optional taxonomy-keyword block, fed to two linear
models whose sigmoid-calibrated probabilities are averaged, so `confidence` can drive "route
automatically vs. ask a person":
- a LinearSVC with balanced class weights;
- an NB-SVM (one-vs-rest LinearSVCs on features scaled by each class's naive-Bayes log-count
  ratio; Wang & Manning 2012). Its scaling is folded into the coefficients, so it is an ordinary
  linear model at prediction time.
Choices were made by 5-fold CV on messages_train only (bench/request_classification_cv.py):
the pair gave about +0.007 macro-F1 over the SVM alone, better in 9 of 10 folds.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import joblib
import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

from qingzhuang.core.outputs import atomic_output, output_path_check
from qingzhuang.i18n import gettext as _
from qingzhuang.i18n import join_list

from ._text import word_tokens

FORMAT_NAME = "qingzhuang.textclass.category"
FORMAT_VERSION = 1
KEYWORD_WEIGHT = 0.3  # CV on train: 0.2-0.3 best; 1.0 lets keywords overrule the text
_GENERIC_KEYWORDS = frozenset({"其他", "其它", "综合"})
SVM_C = 0.5
NB_ALPHA = 1.0  # add-one smoothing of the per-class feature counts in the log-count ratio


class NBSVM(ClassifierMixin, BaseEstimator):
    """One-vs-rest LinearSVCs on features scaled by the naive-Bayes log-count ratio.

    For class c, r_c = log((p_c / |p_c|) / (q_c / |q_c|)) where p_c (q_c) counts, with
    smoothing `alpha`, the training documents of (not of) class c that contain each feature.
    The SVM for c is trained on x * r_c; its weights times r_c are stored in `coef_`, so
    `decision_function(x) = x @ coef_.T + intercept_` like any sklearn linear model. With two
    classes there is one row, for `classes_[1]`, as sklearn's binary convention expects.
    """

    def __init__(self, C: float = SVM_C, alpha: float = NB_ALPHA) -> None:
        self.C = C
        self.alpha = alpha

    def fit(self, x: Any, y: Any) -> NBSVM:
        x = csr_matrix(x)
        y = np.asarray(y)
        self.classes_ = np.unique(y)
        if len(self.classes_) < 2:
            raise ValueError(_("训练数据至少需要 2 个不同的类别"))
        present = (x > 0).astype(np.float64)
        targets = self.classes_[1:] if len(self.classes_) == 2 else self.classes_
        coefs, intercepts = [], []
        for cls in targets:
            pos = y == cls
            p = np.asarray(present[pos].sum(axis=0)).ravel() + self.alpha
            q = np.asarray(present[~pos].sum(axis=0)).ravel() + self.alpha
            ratio = np.log((p / p.sum()) / (q / q.sum()))
            svm = LinearSVC(C=self.C, class_weight="balanced", random_state=0)
            svm.fit(csr_matrix(x.multiply(ratio)), pos.astype(int))
            coefs.append(svm.coef_[0] * ratio)
            intercepts.append(svm.intercept_[0])
        self.coef_ = np.vstack(coefs)
        self.intercept_ = np.asarray(intercepts)
        self.n_features_in_ = x.shape[1]
        return self

    def decision_function(self, x: Any) -> np.ndarray:
        scores = np.asarray(x @ self.coef_.T) + self.intercept_
        return np.asarray(scores.ravel() if scores.shape[1] == 1 else scores)

    def predict(self, x: Any) -> np.ndarray:
        scores = self.decision_function(x)
        if scores.ndim == 1:
            return np.asarray(self.classes_[(scores > 0).astype(int)])
        return np.asarray(self.classes_[scores.argmax(axis=1)])


class AveragedCalibrated:
    """The mean of the probabilities of several fitted `CalibratedClassifierCV` models.

    It exposes `classes_` and the pooled `calibrated_classifiers_`, and averages over them
    exactly as `CalibratedClassifierCV.predict_proba` does, so code that understands one
    calibrated linear model (service_requests.classify.FastPredictor) understands this too.
    """

    def __init__(self, models: Sequence[CalibratedClassifierCV]) -> None:
        first = models[0].classes_
        if any(list(m.classes_) != list(first) for m in models):
            raise ValueError("models disagree on the classes")
        self.classes_ = first
        self.calibrated_classifiers_ = [c for m in models for c in m.calibrated_classifiers_]

    def predict_proba(self, x: Any) -> np.ndarray:
        total = np.zeros((x.shape[0], len(self.classes_)))
        for member in self.calibrated_classifiers_:
            total += member.predict_proba(x)
        return total / len(self.calibrated_classifiers_)

    def predict(self, x: Any) -> np.ndarray:
        return np.asarray(self.classes_[self.predict_proba(x).argmax(axis=1)])


class CategoryModel:
    """A trained classifier; build it with `train_category_model`, persist with save/load."""

    def __init__(
        self,
        char_vec: TfidfVectorizer,
        word_vec: TfidfVectorizer,
        keywords: dict[str, list[int]],
        classifier: AveragedCalibrated | CalibratedClassifierCV,
    ) -> None:
        self.char_vec = char_vec
        self.word_vec = word_vec
        self.keywords = keywords
        self.classifier = classifier

    @property
    def labels(self) -> list[str]:
        return [str(c) for c in self.classifier.classes_]

    def _features(self, texts: Sequence[str]) -> csr_matrix:
        return _features(self.char_vec, self.word_vec, self.keywords, len(self.labels), texts)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Calibrated class probabilities, columns in `self.labels` order."""
        if not texts:
            return np.zeros((0, len(self.labels)))
        return np.asarray(self.classifier.predict_proba(self._features(texts)))

    def predict(self, texts: Sequence[str]) -> list[tuple[str, float]]:
        """(label, calibrated probability of that label) for each text."""
        proba = self.predict_proba(texts)
        labels = self.labels
        best = proba.argmax(axis=1) if len(proba) else np.zeros(0, dtype=int)
        return [(labels[i], float(proba[row, i])) for row, i in enumerate(best)]

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write a joblib file tagged with format name and version so `load` can refuse others."""
        target = output_path_check(path, example="request_category.model")
        payload = {"format": FORMAT_NAME, "version": FORMAT_VERSION, "model": self}
        with atomic_output(target) as tmp:
            joblib.dump(payload, tmp, compress=3)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> CategoryModel:
        """Read a file written by `save`. Only load files you trust: joblib runs pickle."""
        p = Path(path)
        if not p.is_file():
            raise ValueError(_("模型文件不存在：%(path)s") % {"path": p})
        try:
            payload = joblib.load(p)
        except Exception as exc:  # pickle raises many unrelated types on a foreign file
            raise ValueError(
                _("无法读取模型文件 %(path)s：它不是分类模型文件或已损坏") % {"path": p}
            ) from exc
        if not isinstance(payload, dict) or payload.get("format") != FORMAT_NAME:
            raise ValueError(_("%(path)s 不是诉求分类模型文件") % {"path": p})
        if payload.get("version") != FORMAT_VERSION:
            raise ValueError(
                _(
                    "模型文件 %(path)s 的格式版本为 %(version)s，本程序需要版本 %(required)s，请重新训练"
                )
                % {"path": p, "version": payload.get("version"), "required": FORMAT_VERSION}
            )
        model = payload.get("model")
        if not isinstance(model, cls):
            raise ValueError(_("%(path)s 不是诉求分类模型文件") % {"path": p})
        return model


def load_taxonomy_keywords(path: str | os.PathLike[str]) -> dict[str, str]:
    """Read a 3-level category tree CSV (一级分类,二级分类,三级分类) as keyword -> top category.

    The 2nd/3rd-level names are what staff call the sub-topics; each one points to its top level.
    """
    out: dict[str, str] = {}
    with open(path, encoding="utf-8-sig", newline="") as fh:
        for row in csv.reader(fh):
            if len(row) < 2 or row[0] == "一级分类":
                continue
            top = row[0].strip()
            for cell in row[1:]:
                for part in _split_names(cell):
                    out.setdefault(part, top)
    return out


def _split_names(cell: str) -> list[str]:
    for sep in "、/（）()，,":
        cell = cell.replace(sep, "|")
    return [p.strip() for p in cell.split("|") if len(p.strip()) >= 2]


def _keyword_block(
    keywords: Mapping[str, Sequence[int]], n_labels: int, texts: Sequence[str]
) -> csr_matrix:
    counts = np.zeros((len(texts), n_labels))
    for row, text in enumerate(texts):
        for word, cats in keywords.items():
            if word in text:
                counts[row, cats] += 1.0
    return csr_matrix(np.log1p(counts) * KEYWORD_WEIGHT)


def _features(
    char_vec: TfidfVectorizer,
    word_vec: TfidfVectorizer,
    keywords: Mapping[str, Sequence[int]],
    n_labels: int,
    texts: Sequence[str],
) -> csr_matrix:
    texts = [t or "" for t in texts]
    blocks = [char_vec.transform(texts), word_vec.transform(texts)]
    if keywords:
        blocks.append(_keyword_block(keywords, n_labels, texts))
    return hstack(blocks).tocsr()


def train_category_model(
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    extra_unlabelled: Iterable[str] | None = None,
    taxonomy: Mapping[str, str] | None = None,
) -> CategoryModel:
    """Fit the request classifier.

    `extra_unlabelled` texts only refine IDF weights (vocabulary stays from the labelled set);
    in CV this gave no gain on the provincial board data, so it is optional. `taxonomy` maps
    sub-category names to top-level labels (see `load_taxonomy_keywords`); entries whose label
    is not among `labels` are ignored. It added about +0.006 macro-F1 in CV.
    """
    texts = [t or "" for t in texts]
    labels = [str(lab) for lab in labels]
    if len(texts) != len(labels):
        raise ValueError(_("文本数量与标签数量不一致"))
    if not texts:
        raise ValueError(_("没有训练数据"))
    classes = sorted(set(labels))
    if len(classes) < 2:
        raise ValueError(_("训练数据至少需要 2 个不同的类别"))
    counts = {c: labels.count(c) for c in classes}
    n_splits = max(2, min(5, min(counts.values())))
    if min(counts.values()) < 2:
        rare = [c for c, n in counts.items() if n < 2]
        raise ValueError(
            _("每个类别至少需要 2 条样本，以下类别不足：%(labels)s") % {"labels": join_list(rare)}
        )
    min_df = 2 if len(texts) >= 200 else 1
    char_vec = TfidfVectorizer(
        analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=min_df
    )
    word_vec = TfidfVectorizer(analyzer=word_tokens, sublinear_tf=True, min_df=min_df)
    extra = [t for t in (extra_unlabelled or []) if t]
    char_vec.fit(texts)
    word_vec.fit(texts)
    if extra:
        char_vec = _refit_idf(char_vec, texts + extra)
        word_vec = _refit_idf(word_vec, texts + extra)
    index = {c: i for i, c in enumerate(classes)}
    keywords: dict[str, list[int]] = {}
    for word, top in (taxonomy or {}).items():
        if top in index and word not in _GENERIC_KEYWORDS and word.strip():
            keywords.setdefault(word.strip(), []).append(index[top])
    x = _features(char_vec, word_vec, keywords, len(classes), texts)
    y = np.asarray(labels)
    members = []
    for est in (LinearSVC(C=SVM_C, class_weight="balanced", random_state=0), NBSVM()):
        clf = CalibratedClassifierCV(est, method="sigmoid", cv=n_splits, ensemble=False)
        members.append(clf.fit(x, y))
    return CategoryModel(char_vec, word_vec, keywords, AveragedCalibrated(members))


def _refit_idf(vec: TfidfVectorizer, corpus: list[str]) -> TfidfVectorizer:
    params: dict[str, Any] = vec.get_params()
    params.update(vocabulary=vec.vocabulary_, min_df=1)
    return TfidfVectorizer(**params).fit(corpus)
