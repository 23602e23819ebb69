"""Text helpers shared by the category and sentiment models (jieba loaded lazily, quietly)."""

from __future__ import annotations

import logging
import threading
from typing import Any

_JIEBA_LOCK = threading.Lock()
_JIEBA: Any = None


def _jieba() -> Any:
    global _JIEBA
    if _JIEBA is None:
        with _JIEBA_LOCK:
            if _JIEBA is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                _JIEBA = jieba
    return _JIEBA


def word_tokens(text: str) -> list[str]:
    """jieba words, lower-cased, without whitespace tokens.

    A module-level function so vectorizers that use it can be pickled.
    """
    return [w for w in _jieba().lcut(text.lower()) if w.strip()]


def join_subject(subject: str | None, text: str | None) -> str:
    """Subject and body as one string: the subject line often names the problem outright."""
    subject = (subject or "").strip()
    text = text or ""
    return f"{subject}。{text}" if subject else text
