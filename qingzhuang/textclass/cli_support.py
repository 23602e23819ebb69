"""Functions behind `qz requests train|classify` and `qz comments sentiment`.

They stream CSV rows (utf-8, utf-8-sig or gbk), write output atomically (no partial file on
error) and raise ValueError with a plain message the command prints as its one-line error.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from itertools import islice
from typing import Any

from qingzhuang.i18n import gettext as _

from ._csvio import atomic_writer, check_output, read_rows
from ._text import join_subject
from .category import CategoryModel, load_taxonomy_keywords, train_category_model
from .sentiment import sentiment_scores

PathLike = str | os.PathLike[str]
BATCH = 512


def _batches(rows: Iterator[dict[str, str]]) -> Iterator[list[dict[str, str]]]:
    while batch := list(islice(rows, BATCH)):
        yield batch


def train_from_csv(
    input: PathLike,
    text_column: str,
    label_column: str,
    model_path: PathLike,
    *,
    taxonomy_path: PathLike | None = None,
) -> dict[str, Any]:
    """Train a request classifier from a labelled CSV and save it; returns a summary.

    A `subject` column, when present, is prepended to the text (it names the problem).
    Rows with an empty label are skipped.
    """
    # before minutes of training, not after
    check_output(model_path, inputs=[input], example="request_category.model")
    texts: list[str] = []
    labels: list[str] = []
    skipped = 0
    with read_rows(input, [text_column, label_column]) as (fields, rows):
        use_subject = "subject" in fields and text_column != "subject"
        for row in rows:
            label = row[label_column].strip()
            if not label:
                skipped += 1
                continue
            texts.append(join_subject(row["subject"] if use_subject else "", row[text_column]))
            labels.append(label)
    if not texts:
        raise ValueError(_("输入文件没有带标签的数据行"))
    if len(set(labels)) < 2:
        raise ValueError(_("训练数据至少需要 2 个不同的类别"))
    taxonomy = load_taxonomy_keywords(taxonomy_path) if taxonomy_path else None
    start = time.perf_counter()
    model = train_category_model(texts, labels, taxonomy=taxonomy)
    seconds = time.perf_counter() - start
    model.save(model_path)
    counts = {lab: labels.count(lab) for lab in model.labels}
    return {
        "model": str(model_path),
        "rows": len(texts),
        "skipped_rows": skipped,
        "labels": counts,
        "used_subject": use_subject,
        "taxonomy_keywords": len(model.keywords),
        "train_seconds": round(seconds, 2),
    }


def classify_csv(model_path: PathLike, input: PathLike, text_column: str, output: PathLike) -> int:
    """Add `predicted_label` and `confidence` to every row; returns the number of rows."""
    model = CategoryModel.load(model_path)
    n = 0
    with (
        read_rows(input, [text_column]) as (fields, rows),
        atomic_writer(output, inputs=[input]) as out,
    ):
        use_subject = "subject" in fields and text_column != "subject"
        extra = [c for c in ("predicted_label", "confidence") if c not in fields]
        out.writerow(fields + extra)
        for batch in _batches(rows):
            texts = [
                join_subject(r["subject"] if use_subject else "", r[text_column]) for r in batch
            ]
            for row, (label, conf) in zip(batch, model.predict(texts), strict=True):
                row["predicted_label"], row["confidence"] = label, f"{conf:.4f}"
                out.writerow([row.get(c, "") for c in fields + extra])
            n += len(batch)
    return n


def sentiment_csv(input: PathLike, text_column: str, output: PathLike) -> int:
    """Add `positive` (P(positive), 4 decimals) and `sentiment` (1/0) to every row."""
    n = 0
    with (
        read_rows(input, [text_column]) as (fields, rows),
        atomic_writer(output, inputs=[input]) as out,
    ):
        extra = [c for c in ("positive", "sentiment") if c not in fields]
        out.writerow(fields + extra)
        for batch in _batches(rows):
            scores = sentiment_scores([r[text_column] for r in batch])
            for row, p in zip(batch, scores, strict=True):
                row["positive"], row["sentiment"] = f"{p:.4f}", str(int(p >= 0.5))
                out.writerow([row.get(c, "") for c in fields + extra])
            n += len(batch)
    return n


__all__ = ["classify_csv", "sentiment_csv", "train_from_csv"]
