"""The intake's category suggestion degrades to "no suggestion", never to a failed intake."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from qingzhuang.service_requests import classify


class BrokenModel:
    def predict(self, texts: list[str]) -> list[tuple[str, float]]:
        raise RuntimeError("corrupt")


def test_broken_model_gives_no_suggestion(monkeypatch: Any) -> None:
    monkeypatch.setattr(classify, "current_model", lambda: BrokenModel())
    assert classify.suggest("", "路灯坏了好几天") is None


def test_unreadable_model_file_is_ignored(tmp_path: Path, monkeypatch: Any) -> None:
    (tmp_path / "m").write_bytes(b"not a model")
    monkeypatch.setattr(classify, "model_path", lambda: tmp_path / "m")
    classify.reset_cache()
    assert classify.current_model() is None
    assert classify.suggest("", "路灯坏了好几天") is None


def test_subject_is_joined_like_the_trainer() -> None:
    assert classify.model_text("路灯", "坏了") == "路灯。坏了"
    assert classify.model_text("", "坏了") == "坏了"
