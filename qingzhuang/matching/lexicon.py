"""Synonym lexicon loaded from ``data/synonyms.tsv`` (or a path given by the caller).

The lexicon is data, not code, so that staff can add the wording of their own county's forms
without touching the engine.  See the header of the TSV for its format.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import opencc

DEFAULT_PATH = Path(__file__).with_name("data") / "synonyms.tsv"
_T2S = opencc.OpenCC("t2s")
_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)


def basic_clean(text: str) -> str:
    """繁→简, NFKC, lower case, and removal of spaces and punctuation."""
    t = unicodedata.normalize("NFKC", _T2S.convert(text or "")).lower()
    return _PUNCT.sub("", t)


@dataclass(slots=True)
class Lexicon:
    """Variant → canonical rewrite table plus the list of known look-alike traps."""

    rewrite: dict[str, str] = field(default_factory=dict)
    traps: list[tuple[str, str]] = field(default_factory=list)
    _pattern: re.Pattern[str] | None = None

    def canonical(self, text: str) -> tuple[str, bool]:
        """Rewrite variants to canonical terms; report whether anything was rewritten."""
        if not self.rewrite:
            return text, False
        if self._pattern is None:
            alts = sorted(self.rewrite, key=len, reverse=True)
            self._pattern = re.compile("|".join(re.escape(a) for a in alts))
        out = self._pattern.sub(lambda m: self.rewrite[m.group(0)], text)
        return out, out != text

    def trap(self, a: str, b: str) -> tuple[str, str] | None:
        """Return the trap pair when ``a`` and ``b`` differ exactly by a known trap."""
        for x, y in self.traps:
            for p, q in ((x, y), (y, x)):
                if p in a and q in b and p not in b:
                    return p, q
        return None


def load_lexicon(path: str | os.PathLike[str] | None = None) -> Lexicon:
    """Load the lexicon; ``QZ_MATCHING_SYNONYMS`` overrides the default path."""
    p = Path(path or os.environ.get("QZ_MATCHING_SYNONYMS") or DEFAULT_PATH)
    lex = Lexicon()
    for raw in p.read_text(encoding="utf-8-sig").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        terms = [basic_clean(t) for t in re.split(r"\t+", line.lstrip("!"))]
        terms = [t for t in terms if t]
        if len(terms) < 2:
            continue
        if line.startswith("!"):
            lex.traps.append((terms[0], terms[1]))
            continue
        lex.rewrite[terms[0]] = terms[0]  # so a variant inside the canonical term is left alone
        for variant in terms[1:]:
            if variant != terms[0]:
                lex.rewrite[variant] = terms[0]
    return lex
