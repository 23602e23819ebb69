from __future__ import annotations

import csv
from pathlib import Path

import pytest

from qingzhuang.textclass.cli_support import classify_csv, sentiment_csv, train_from_csv


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    with open(path, "w", encoding=encoding, newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_train_then_classify_gbk_csv(tmp_path: Path, corpus: tuple[list[str], list[str]]) -> None:
    texts, labels = corpus
    train = write_csv(
        tmp_path / "train.csv",
        [["text", "label"], *map(list, zip(texts, labels, strict=True))],
        encoding="gbk",
    )
    model = tmp_path / "m.joblib"
    summary = train_from_csv(train, "text", "label", model)
    assert summary["rows"] == len(texts) and summary["labels"]["教育"] == 6
    inp = write_csv(
        tmp_path / "in.csv",
        [["id", "text"], ["7", "学校乱收费补课"], ["8", "工厂废气污染"]],
        encoding="utf-8-sig",
    )
    out = tmp_path / "out.csv"
    assert classify_csv(model, inp, "text", out) == 2
    rows = read_csv(out)
    assert [r["id"] for r in rows] == ["7", "8"]
    assert [r["predicted_label"] for r in rows] == ["教育", "环境"]
    assert all(0 < float(r["confidence"]) <= 1 for r in rows)


def test_missing_column_is_named(tmp_path: Path) -> None:
    inp = write_csv(tmp_path / "in.csv", [["body", "label"], ["x", "a"]])
    with pytest.raises(ValueError, match="缺少列：text"):
        train_from_csv(inp, "text", "label", tmp_path / "m.joblib")
    with pytest.raises(ValueError, match="缺少列：review"):
        sentiment_csv(inp, "review", tmp_path / "o.csv")


def test_empty_input_and_single_label_are_refused(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(ValueError, match="空的"):
        train_from_csv(empty, "text", "label", tmp_path / "m.joblib")
    header_only = write_csv(tmp_path / "h.csv", [["text", "label"]])
    with pytest.raises(ValueError, match="没有带标签"):
        train_from_csv(header_only, "text", "label", tmp_path / "m.joblib")
    one = write_csv(tmp_path / "one.csv", [["text", "label"], ["a", "x"], ["b", "x"]])
    with pytest.raises(ValueError, match="2 个不同的类别"):
        train_from_csv(one, "text", "label", tmp_path / "m.joblib")
    assert not (tmp_path / "m.joblib").exists()


def test_unreadable_model_leaves_no_output(tmp_path: Path) -> None:
    bad = tmp_path / "bad.joblib"
    bad.write_text("hello")
    inp = write_csv(tmp_path / "in.csv", [["text"], ["x"]])
    with pytest.raises(ValueError, match="模型文件"):
        classify_csv(bad, inp, "text", tmp_path / "out.csv")
    assert not (tmp_path / "out.csv").exists()


def test_sentiment_csv_adds_probability_and_label(tmp_path: Path) -> None:
    inp = write_csv(
        tmp_path / "c.csv",
        [
            ["no", "review"],
            ["1", "很满意，问题当天就解决了"],
            ["2", "根本没人管，太差了"],
            ["3", ""],
        ],
        encoding="gbk",
    )
    out = tmp_path / "s.csv"
    assert sentiment_csv(inp, "review", out) == 3
    rows = read_csv(out)
    assert [r["sentiment"] for r in rows[:2]] == ["1", "0"]
    assert rows[0]["no"] == "1" and len(rows[0]["positive"].split(".")[1]) == 4


def test_output_file_gets_normal_permissions(tmp_path: Path) -> None:
    import os
    import stat

    inp = write_csv(tmp_path / "c.csv", [["review"], ["很满意"]])
    out = tmp_path / "s.csv"
    old = os.umask(0o022)
    try:
        sentiment_csv(inp, "review", out)
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == 0o644


def test_output_in_a_missing_directory_is_refused(tmp_path: Path) -> None:
    inp = write_csv(tmp_path / "c.csv", [["review"], ["很满意"]])
    missing = tmp_path / "nonexist"
    with pytest.raises(ValueError, match="输出文件所在的文件夹不存在") as info:
        sentiment_csv(inp, "review", missing / "x.csv")
    assert "\n" not in str(info.value) and str(missing) in str(info.value)
    assert not missing.exists()


def test_output_that_is_the_input_is_refused_and_input_kept(
    tmp_path: Path, corpus: tuple[list[str], list[str]]
) -> None:
    texts, labels = corpus
    train = write_csv(
        tmp_path / "train.csv", [["text", "label"], *map(list, zip(texts, labels, strict=True))]
    )
    model = tmp_path / "m.joblib"
    train_from_csv(train, "text", "label", model)
    inp = write_csv(tmp_path / "in.csv", [["text"], ["学校乱收费补课"]])
    before = inp.read_bytes()
    same = tmp_path / "sub" / ".." / "in.csv"  # the same file by another spelling
    (tmp_path / "sub").mkdir()
    with pytest.raises(ValueError, match="输出文件不能和输入文件相同"):
        classify_csv(model, inp, "text", same)
    with pytest.raises(ValueError, match="输出文件不能和输入文件相同"):
        sentiment_csv(inp, "text", inp)
    assert inp.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["train.csv", "m.joblib", "in.csv", "sub"]
    )


def test_model_into_a_missing_directory_is_refused_before_training(
    tmp_path: Path, corpus: tuple[list[str], list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    from qingzhuang.textclass import cli_support

    texts, labels = corpus
    train = write_csv(
        tmp_path / "train.csv", [["text", "label"], *map(list, zip(texts, labels, strict=True))]
    )
    trained: list[int] = []
    monkeypatch.setattr(
        cli_support, "train_category_model", lambda *a, **k: trained.append(1) or None
    )
    with pytest.raises(ValueError, match="输出文件所在的文件夹不存在"):
        train_from_csv(train, "text", "label", tmp_path / "nodir" / "m.joblib")
    assert trained == []


def test_model_path_that_is_a_folder_is_refused_before_training(
    tmp_path: Path, corpus: tuple[list[str], list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    from qingzhuang.textclass import cli_support

    texts, labels = corpus
    train = write_csv(
        tmp_path / "train.csv", [["text", "label"], *map(list, zip(texts, labels, strict=True))]
    )
    trained: list[int] = []
    monkeypatch.setattr(
        cli_support, "train_category_model", lambda *a, **k: trained.append(1) or None
    )
    with pytest.raises(ValueError, match="输出路径是一个文件夹.*例如 request_category.model"):
        train_from_csv(train, "text", "label", tmp_path)
    assert trained == []


def test_output_that_is_a_folder_is_refused_in_plain_words(tmp_path: Path) -> None:
    inp = write_csv(tmp_path / "c.csv", [["review"], ["很满意"]])
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(ValueError, match="^输出路径是一个文件夹，请给出文件名，例如 out.csv$"):
        sentiment_csv(inp, "review", out)
    assert list(out.iterdir()) == []


def test_saved_model_gets_normal_permissions(
    tmp_path: Path, corpus: tuple[list[str], list[str]]
) -> None:
    import os
    import stat

    texts, labels = corpus
    train = write_csv(
        tmp_path / "train.csv", [["text", "label"], *map(list, zip(texts, labels, strict=True))]
    )
    old = os.umask(0o022)
    try:
        train_from_csv(train, "text", "label", tmp_path / "m.model")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "m.model").stat().st_mode) == 0o644
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.model", "train.csv"]
