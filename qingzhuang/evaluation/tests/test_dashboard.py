"""Dashboard labels: the Chinese stays exactly as the metrics engine names it; English follows."""

from __future__ import annotations

import re

from django.utils import translation

from qingzhuang.evaluation import dashboard
from qingzhuang.evaluation.metrics import RATE_NAMES

HAN = re.compile(r"[\u4e00-\u9fff]")


def test_rate_labels_cover_every_rate_and_keep_the_engine_names_in_chinese() -> None:
    assert {k: dashboard.rate_label(k) for k in RATE_NAMES} == RATE_NAMES
    assert set(dashboard.RATE_LABELS) == set(RATE_NAMES)
    assert dashboard.rate_header("satisfaction_rate") == "满意率(%)"


def test_rate_labels_and_headers_are_english_in_english() -> None:
    with translation.override("en"):
        labels = [dashboard.rate_label(k) for k in RATE_NAMES]
        headers = [dashboard.rate_header(k) for k in RATE_NAMES]
    assert [t for t in labels + headers if HAN.search(t)] == []
    assert all(h.endswith("(%)") for h in headers)
    assert dashboard.rate_label("satisfaction_rate") == "满意率"  # back to the default afterwards
