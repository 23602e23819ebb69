from __future__ import annotations

from pathlib import Path

import pytest

from qingzhuang.textclass.sentiment import MODEL_DIR, SentimentModel, sentiment_scores


def test_shipped_model_separates_obvious_comments() -> None:
    pos, neg, pos2, neg2 = sentiment_scores(
        [
            "很满意，问题当天就解决了",
            "根本没人管，太差了",
            "服务态度很好，谢谢",
            "打了三次电话都没人处理，失望",
        ]
    )
    assert pos > 0.7 and pos2 > 0.7
    assert neg < 0.3 and neg2 < 0.3
    assert sentiment_scores([]) == []


def test_shipped_weights_are_small_and_pickle_free() -> None:
    files = list(MODEL_DIR.glob("sentiment_v*"))
    assert len(files) == 2
    assert sum(f.stat().st_size for f in files) < 5 * 2**20


def test_missing_weights_give_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="情感模型文件缺失或损坏"):
        SentimentModel.load(tmp_path)
