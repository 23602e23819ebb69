"""Does a document merely copy an upper-level one? Character-shingle containment, pure Python.

Uses `qingzhuang.textclass.neardup.containment` when that engine exists, so the product has one
definition of "copied"; otherwise a 5-character shingle containment computed here.
"""

from __future__ import annotations

import re
from collections.abc import Callable

SHINGLE = 5
COPY_THRESHOLD = 0.6  # share of the lower document's shingles found in the upper one


def _normalise(text: str) -> str:
    # Whitespace and punctuation differ between copies; keep letters, digits and CJK only.
    return re.sub(r"[\W_]+", "", text.lower())


def shingles(text: str, k: int = SHINGLE) -> set[str]:
    t = _normalise(text)
    if len(t) < k:
        return {t} if t else set()
    return {t[i : i + k] for i in range(len(t) - k + 1)}


def own_containment(a: str, b: str) -> float:
    """Share of a's shingles that also occur in b (0..1). 0 when a is empty."""
    sa = shingles(a)
    if not sa:
        return 0.0
    return len(sa & shingles(b)) / len(sa)


def _engine() -> Callable[[str, str], float]:
    try:
        from qingzhuang.textclass.neardup import containment as shared  # type: ignore[import-not-found]
    except ImportError:
        return own_containment
    return shared  # type: ignore[no-any-return]


def containment(a: str, b: str) -> float:
    """How much of document `a` is contained in document `b`, 0..1."""
    value = float(_engine()(a, b))
    return max(0.0, min(1.0, value))
