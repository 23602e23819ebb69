"""Checks against ../shared/data; skipped when the folder is absent."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from qingzhuang.textclass.category import load_taxonomy_keywords
from qingzhuang.textclass.sentiment import sentiment_scores

DATA = Path(__file__).resolve().parents[4] / "shared" / "data"
pytestmark = [
    pytest.mark.shared_data,
    pytest.mark.skipif(not DATA.is_dir(), reason=f"shared data folder absent: {DATA}"),
]


def test_shipped_sentiment_model_on_waimai_test_sample() -> None:
    with open(DATA / "sentiment" / "waimai_10k_test.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))[:600]
    scores = sentiment_scores([r["review"] for r in rows])
    acc = sum((s >= 0.5) == (r["label"] == "1") for s, r in zip(scores, rows, strict=True)) / len(
        rows
    )
    assert acc > 0.85


def test_taxonomy_maps_sub_categories_to_first_level() -> None:
    kw = load_taxonomy_keywords(DATA / "requests" / "category_taxonomy.csv")
    assert kw["违章建筑"] == "城乡建设"
    assert len(kw) > 200
