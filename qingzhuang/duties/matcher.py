"""Match free text (a task title, a certificate a resident asks for) against named list entries.

Pure Python, no Django: the lists come in as `Entry` tuples. Text is normalised the same way
report labels are (traditional → simplified, full-width → half-width, punctuation dropped), so
"無犯罪記錄證明" and "无犯罪记录 证明" match the same entry. A term contained in the text
counts fully; a term of four or more characters also matches approximately (voice typing and
typos: "人口普查登记" ~ "人口普查登計"), and longer matched terms beat shorter ones.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from qingzhuang.matching.normalize import light, squash

FUZZY_MIN_LEN = 4
FUZZY_THRESHOLD = 88.0
_SPLIT = re.compile(r"[\n,，、;；|/]+")


@dataclass(frozen=True)
class Entry:
    key: str  # the list it belongs to (e.g. "duty") or any label the caller wants back
    id: int
    name: str
    terms: tuple[str, ...]  # name + keywords, as written


@dataclass(frozen=True)
class Hit:
    entry: Entry
    term: str
    score: float


def norm(text: str) -> str:
    """The comparison form of a text: simplified, half-width, lower case, no spaces/punctuation."""
    return squash(light(text or ""))


def split_keywords(raw: str) -> list[str]:
    """Keywords as an admin types them: one per line, or separated by commas/顿号/semicolons."""
    return [k.strip() for k in _SPLIT.split(raw or "") if k.strip()]


def make_entry(*, key: str, id: int, name: str, keywords: str) -> Entry:
    terms = [name, *split_keywords(keywords)]
    seen: list[str] = []
    for t in terms:
        if t not in seen:
            seen.append(t)
    return Entry(key=key, id=id, name=name, terms=tuple(seen))


def _term_score(term: str, text: str) -> float:
    if len(term) < 2:
        return 0.0
    if term in text:
        ratio = 100.0
    elif len(term) >= FUZZY_MIN_LEN and len(text) >= FUZZY_MIN_LEN:
        ratio = fuzz.partial_ratio(term, text)
        if ratio < FUZZY_THRESHOLD:
            return 0.0
    else:
        return 0.0
    # Longer terms are more specific: "为村民出具无犯罪记录证明" beats "证明".
    return ratio / 100.0 * (1.0 + min(len(term), 12) / 12.0)


def best_hits(text: str, entries: Iterable[Entry]) -> list[Hit]:
    """Every entry that matches, best first (score, then the longer matched term)."""
    t = norm(text)
    if not t:
        return []
    hits: list[Hit] = []
    for entry in entries:
        best: Hit | None = None
        for raw in entry.terms:
            term = norm(raw)
            score = _term_score(term, t)
            if score > 0 and (best is None or score > best.score):
                best = Hit(entry=entry, term=raw, score=score)
        if best is not None:
            hits.append(best)
    hits.sort(key=lambda h: (-h.score, -len(norm(h.term)), h.entry.id))
    return hits


def pick(hits: Sequence[Hit], priority: dict[str, int], margin: float = 0.05) -> Hit | None:
    """The top hit, except that a higher-priority list wins a near-tie.

    A task matching a negative-list entry about as well as a duty entry is flagged: letting a
    pushed-down task through is the costlier mistake.
    """
    if not hits:
        return None
    top = hits[0].score
    close = [h for h in hits if h.score >= top - margin]
    return max(close, key=lambda h: (priority.get(h.entry.key, 0), h.score, -h.entry.id))
