"""Quality check on the real-form dev pairs (skips when ../shared/data is absent)."""

import os
from pathlib import Path

import pytest

from qingzhuang.matching.compare import compare
from qingzhuang.matching.train import load_pairs, prf

PAIRS = (
    Path(os.environ.get("QZ_SHARED_DATA", Path(__file__).resolve().parents[4] / "shared/data"))
    / "field_pairs/pairs_dev.csv"
)

pytestmark = [
    pytest.mark.shared_data,
    pytest.mark.skipif(not PAIRS.exists(), reason=f"{PAIRS} is absent (shared data)"),
]


def test_dev_pairs_f1_at_least_0_9():
    pairs = load_pairs(PAIRS)
    pred = [compare(a, b).same for a, b, _ in pairs]
    _, _, f1 = prf(pred, [y for _, _, y in pairs])
    assert f1 >= 0.9


def test_every_decision_on_dev_pairs_has_a_reason():
    for a, b, _ in load_pairs(PAIRS)[:60]:
        d = compare(a, b)
        assert d.reasons and 0.0 <= d.score <= 1.0
