"""Category suggestion at intake: one model per process, loaded once, never trained in a request.

The model file lives at ``<QZ_DATA_DIR>/models/request_category.model`` (written by
``qz requests retrain`` or ``qz requests train --model``). Without a model the intake still works
and the dispatcher chooses the category.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from config import env

_lock = threading.Lock()
_cache: dict[str, Any] = {"path": None, "mtime": None, "model": None}


def model_path() -> Path:
    return env.DATA_DIR / "models" / "request_category.model"


def _load(path: Path) -> Any:
    from qingzhuang.textclass import CategoryModel

    return CategoryModel.load(path)


def current_model() -> Any:
    path = model_path()
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return None
    if _cache["path"] == path and _cache["mtime"] == mtime:
        return _cache["model"]
    with _lock:
        if not (_cache["path"] == path and _cache["mtime"] == mtime):
            try:
                model = _load(path)
            except Exception:  # a broken or foreign model file must not stop intake
                model = None
            _cache.update(path=path, mtime=mtime, model=model)
    return _cache["model"]


def reset_cache() -> None:
    with _lock:
        _cache.update(path=None, mtime=None, model=None)


def model_text(subject: str, text: str) -> str:
    """The same joining the trainer uses (subject first: it often names the problem)."""
    subject = (subject or "").strip()
    return f"{subject}。{text}" if subject else text


def suggest(subject: str, text: str) -> tuple[str, float] | None:
    """(category, confidence) or None when no model is installed or the model fails."""
    model = current_model()
    if model is None or not text.strip():
        return None
    import sklearn

    try:
        # Per-call input validation is most of sklearn's cost for a single short text.
        with sklearn.config_context(assume_finite=True, skip_parameter_validation=True):
            label, confidence = model.predict([model_text(subject, text)])[0]
    except Exception:  # a broken model must not stop intake: no suggestion instead
        return None
    return str(label), max(0.0, min(1.0, float(confidence)))
