from __future__ import annotations

from pathlib import Path

import joblib
import numpy as np
import pytest
from scipy.sparse import csr_matrix
from sklearn.svm import LinearSVC

from qingzhuang.textclass.category import NBSVM, CategoryModel, train_category_model


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


def test_save_into_a_missing_directory_says_so_in_one_line(
    model: CategoryModel, tmp_path: Path
) -> None:
    with pytest.raises(ValueError, match="输出文件所在的文件夹不存在") as info:
        model.save(tmp_path / "nodir" / "m.joblib")
    assert "\n" not in str(info.value)


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


def test_model_averages_a_calibrated_svm_and_an_nbsvm(model: CategoryModel) -> None:
    members = model.classifier.calibrated_classifiers_
    assert [type(m.estimator).__name__ for m in members] == ["LinearSVC", "NBSVM"]
    texts = ["学校强制补课收费", "河道污水发臭"]
    feats = model._features(texts)
    mean = sum(m.predict_proba(feats) for m in members) / len(members)
    assert np.allclose(model.predict_proba(texts), mean)


def test_nbsvm_folds_the_log_count_ratio_into_its_coefficients() -> None:
    x = csr_matrix(
        np.array(
            [[1, 0, 1, 0], [2, 0, 1, 0], [0, 1, 1, 0], [0, 2, 0, 1], [0, 0, 1, 2], [0, 1, 0, 3]],
            dtype=float,
        )
    )
    y = np.array(["a", "a", "b", "b", "c", "c"])
    nb = NBSVM(C=1.0).fit(x, y)
    assert nb.coef_.shape == (3, 4)
    assert list(nb.predict(x)) == list(y)
    # class a: feature 0 appears in both a-documents and in none of the others
    p = np.array([2, 0, 2, 0]) + 1.0
    q = np.array([0, 3, 2, 3]) + 1.0
    ratio = np.log((p / p.sum()) / (q / q.sum()))
    svm = LinearSVC(C=1.0, class_weight="balanced", random_state=0)
    svm.fit(x.multiply(ratio).tocsr(), (y == "a").astype(int))
    want = svm.decision_function(x.multiply(ratio).tocsr())
    assert np.allclose(nb.decision_function(x)[:, 0], want)


def test_nbsvm_with_two_classes_follows_the_binary_convention() -> None:
    x = csr_matrix(np.array([[1, 0], [2, 0], [0, 1], [0, 3]], dtype=float))
    nb = NBSVM().fit(x, ["no", "no", "yes", "yes"])
    assert nb.coef_.shape == (1, 2)
    assert nb.decision_function(x).shape == (4,)
    assert list(nb.predict(x)) == ["no", "no", "yes", "yes"]


def test_intake_fast_path_compiles_the_model_and_agrees(model: CategoryModel) -> None:
    from qingzhuang.service_requests.classify import FastPredictor

    fast = FastPredictor.compile(model)
    assert fast is not None
    texts = ["学校强制补课收费", "化工厂排放废气污染", "公交车站台太远", ""]
    assert np.allclose(fast.predict_proba(texts), model.predict_proba(texts), atol=1e-12)
