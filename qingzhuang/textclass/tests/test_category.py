from __future__ import annotations

from pathlib import Path

import joblib
import pytest

from qingzhuang.textclass.category import CategoryModel, train_category_model


@pytest.fixture(scope="module")
def model(corpus: tuple[list[str], list[str]]) -> CategoryModel:
    texts, labels = corpus
    return train_category_model(
        texts, labels, taxonomy={"校车": "教育", "排污": "环境", "未知": "无"}
    )


def test_predicts_the_obvious_category_with_a_probability(model: CategoryModel) -> None:
    preds = model.predict(["学校强制补课收费", "化工厂排放废气污染", "公交车站台太远"])
    assert [p[0] for p in preds] == ["教育", "环境", "交通"]
    assert all(0.0 < p[1] <= 1.0 for p in preds)
    assert abs(model.predict_proba(["学校"]).sum() - 1.0) < 1e-6


def test_taxonomy_keywords_with_unknown_labels_are_ignored(model: CategoryModel) -> None:
    assert set(model.keywords) == {"校车", "排污"}


def test_save_load_round_trip_keeps_predictions(model: CategoryModel, tmp_path: Path) -> None:
    path = tmp_path / "m.joblib"
    model.save(path)
    loaded = CategoryModel.load(path)
    texts = ["河道污水发臭", "幼儿园收费"]
    assert loaded.predict(texts) == model.predict(texts)
    assert loaded.labels == ["交通", "教育", "环境"]


def test_load_refuses_files_that_are_not_models(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.bin"
    garbage.write_bytes(b"\x00not a model at all")
    with pytest.raises(ValueError, match="无法读取模型文件"):
        CategoryModel.load(garbage)
    other = tmp_path / "other.joblib"
    joblib.dump({"hello": 1}, other)
    with pytest.raises(ValueError, match="不是诉求分类模型文件"):
        CategoryModel.load(other)
    with pytest.raises(ValueError, match="不存在"):
        CategoryModel.load(tmp_path / "missing.joblib")


def test_old_format_version_asks_for_retraining(model: CategoryModel, tmp_path: Path) -> None:
    path = tmp_path / "old.joblib"
    joblib.dump({"format": "qingzhuang.textclass.category", "version": 0, "model": model}, path)
    with pytest.raises(ValueError, match="重新训练"):
        CategoryModel.load(path)


def test_training_needs_two_labels() -> None:
    with pytest.raises(ValueError, match="2 个不同的类别"):
        train_category_model(["a", "b", "c"], ["x", "x", "x"])


def test_extra_unlabelled_texts_keep_vocabulary(corpus: tuple[list[str], list[str]]) -> None:
    texts, labels = corpus
    m = train_category_model(texts, labels, extra_unlabelled=["完全陌生的词语火星探测器"])
    assert "火星探" not in m.char_vec.vocabulary_
    assert m.predict(["学校补课"])[0][0] == "教育"
