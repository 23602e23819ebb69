from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from qingzhuang.textclass.sentiment import (
    HEADS,
    MODEL_DIR,
    MODEL_NAME,
    SentimentModel,
    fit_sentiment_model,
    sentiment_scores,
    shipped_model,
)

POS_FOOD = [
    "送餐很快，味道很好",
    "好吃，分量足，还会再点",
    "很新鲜，包装也好，赞",
    "热乎乎的，好吃",
]
NEG_FOOD = ["送了两个小时，菜都凉了", "太难吃了，再也不点", "少送了一份饭，差评", "又咸又油，难吃"]
POS_HOTEL = [
    "房间干净，前台热情，下次还住",
    "酒店位置好，早餐丰富",
    "床很舒服，服务周到",
    "环境安静，房间大",
]
NEG_HOTEL = [
    "房间有霉味，隔音很差",
    "前台态度恶劣，不会再住",
    "空调坏了没人修，很失望",
    "床单不干净，差",
]


def _tiny_model() -> SentimentModel:
    texts = (POS_FOOD + NEG_FOOD) * 3 + (POS_HOTEL + NEG_HOTEL) * 3
    labels = ([1] * 4 + [0] * 4) * 3 + ([1] * 4 + [0] * 4) * 3
    domains = [0] * 24 + [1] * 24
    return fit_sentiment_model(texts, labels, domains)


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


def test_shipped_model_handles_both_training_domains() -> None:
    scores = sentiment_scores(
        [
            "房间干净，前台很热情，下次还住",
            "房间有霉味，隔音太差了",
            "送得快，味道好",
            "菜都凉了，难吃",
        ]
    )
    assert scores[0] > 0.5 > scores[1]
    assert scores[2] > 0.5 > scores[3]


def test_gate_routes_hotel_and_food_texts_to_their_expert() -> None:
    model = shipped_model()
    raw = np.asarray(
        model.features(["酒店房间很大，早餐不错", "外卖送餐很快，饭菜好吃"]) @ model.coef.T
    )
    gate = raw[:, HEADS.index("gate_hotel")] + model.intercepts[HEADS.index("gate_hotel")]
    assert gate[0] > 0 > gate[1]


def test_blank_and_missing_text_get_a_probability() -> None:
    scores = shipped_model().scores(["", "   "])
    assert all(0.0 <= s <= 1.0 for s in scores)


def test_shipped_weights_are_small_and_pickle_free() -> None:
    files = list(MODEL_DIR.glob("sentiment_v*"))
    assert sorted(f.name for f in files) == [f"{MODEL_NAME}.npz", f"{MODEL_NAME}.vocab.json.gz"]
    assert sum(f.stat().st_size for f in files) < 5 * 2**20
    with np.load(MODEL_DIR / f"{MODEL_NAME}.npz", allow_pickle=False) as arrays:
        assert all(arrays[k].dtype != object for k in arrays.files)


def test_saved_model_scores_the_same_after_loading(tmp_path: Path) -> None:
    model = _tiny_model()
    model.save(tmp_path)
    loaded = SentimentModel.load(tmp_path)
    texts = ["味道很好", "房间太脏", "一般般吧"]
    assert loaded.coef.shape == (len(HEADS), len(loaded.char_vocab) + len(loaded.word_vocab))
    np.testing.assert_allclose(loaded.scores(texts), model.scores(texts), atol=1e-5)
    assert loaded.scores(["分量足，好吃"])[0] > 0.5 > loaded.scores(["隔音很差，失望"])[0]


def test_model_of_another_format_version_is_refused(tmp_path: Path) -> None:
    _tiny_model().save(tmp_path)
    npz = tmp_path / f"{MODEL_NAME}.npz"
    with np.load(npz, allow_pickle=False) as arrays:
        data = {k: arrays[k] for k in arrays.files}
    data["version"] = np.array([2])
    np.savez_compressed(npz, **data)
    with pytest.raises(ValueError, match="情感模型文件版本不符"):
        SentimentModel.load(tmp_path)


def test_missing_weights_give_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="情感模型文件缺失或损坏"):
        SentimentModel.load(tmp_path)


@pytest.mark.parametrize("name", ["waimai_10k_train.csv", "ChnSentiCorp_htl_all_train.csv"])
def test_shipped_model_fits_its_training_rows(shared_data: Path, name: str) -> None:
    """A wrong vocabulary order or idf after save/load would drop this far below training fit."""
    path = shared_data / "sentiment" / name
    if not path.exists():
        pytest.skip(f"{path} absent")
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))[:600]
    pred = np.array(sentiment_scores([r["review"] for r in rows])) >= 0.5
    truth = np.array([r["label"] == "1" for r in rows])
    assert (pred == truth).mean() > 0.93


def test_explain_names_the_words_behind_the_verdict() -> None:
    model = shipped_model()
    texts = ["答复敷衍，拖了很久，问题还是没人管", "师傅来得很及时，修得很好，非常感谢", "", "  "]
    explained = model.explain(texts)
    assert explained[2:] == [[], []]
    for text, words in zip(texts[:2], explained[:2], strict=True):
        assert 1 <= len(words) <= 3
        spans = sorted((text.index(w), text.index(w) + len(w)) for w in words)
        assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))  # no overlap
        # taking the named words out moves the score towards the other side
        before = model.scores([text])[0]
        stripped = text
        for w in words:
            stripped = stripped.replace(w, "")
        after = model.scores([stripped])[0]
        assert (after > before) if before < 0.5 else (after < before)
    assert model.explain(texts[:1], k=1) == [explained[0][:1]]
