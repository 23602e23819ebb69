"""Rebuild the parent/child tree of indicator lists from their numbering.

Forms number their rows 一、 > （一） > 1． > (1) > ① > a、, with un-numbered items and
"其中：" sub-items in between, and indentation that is only roughly consistent.  The
rules below were tuned against the Hubei 2016 report system (鄂农年/A3xx/M3xx forms).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .grid import squash

_PATTERNS: list[tuple[float, re.Pattern[str]]] = [
    (1, re.compile(r"^[一二三四五六七八九十]+\s*[、．.]")),
    (2, re.compile(r"^[（(]\s*[一二三四五六七八九十]+\s*[）)]")),
    (3, re.compile(r"^\d+\s*(?:[、．.]+|\s)(?!\d)")),
    (4, re.compile(r"^[（(]\s*\d+\s*[）)]")),
    (5, re.compile(r"^[①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳]")),
    (6, re.compile(r"^[a-zA-Z]\s*[、．.]")),
]
_OF_WHICH = re.compile(r"^(?:其\s*中|[\u4e00-\u9fff、]{1,10}中)\s*[：:;；]")


def numbering_rank(text: str) -> float | None:
    t = text.strip()
    for rank, pattern in _PATTERNS:
        if pattern.match(t):
            return rank
    return None


def is_of_which(text: str) -> bool:
    return bool(_OF_WHICH.match(squash(text)))


@dataclass
class _Node:
    text: str
    kind: str  # "num" | "plain" | "qz" | "cont"
    rank: float
    indent: int
    path: list[str]
    root_single: bool = False
    siblings: int = 0


@dataclass
class HierarchyBuilder:
    """Feed labels top-down with ``add``; each call returns the label's full path."""

    stack: list[_Node] = field(default_factory=list)

    def add(self, text: str, indent: int) -> list[str]:
        rank = numbering_rank(text)
        if squash(text).startswith(("附报", "补充资料")):
            rank = 1
        if rank is not None:
            node = self._add_numbered(text, rank, indent)
        elif is_of_which(text):
            node = self._add_of_which(text, indent)
        else:
            node = self._add_plain(text, indent)
        self.stack.append(node)
        return list(node.path)

    def _parent_path(self) -> list[str]:
        return list(self.stack[-1].path) if self.stack else []

    def _add_numbered(self, text: str, rank: float, indent: int) -> _Node:
        while self.stack:
            top = self.stack[-1]
            if top.kind in ("qz", "cont") or top.rank >= rank:
                self.stack.pop()
            elif top.kind == "plain" and len(self.stack) == 1 and top.siblings > 0:
                self.stack.pop()  # a list of root-level plain rows does not own sections
            elif top.kind == "plain" and top.indent > indent + 1:
                self.stack.pop()  # less indented than the plain row: not its child
            else:
                break
        return _Node(text, "num", rank, indent, [*self._parent_path(), text])

    def _add_of_which(self, text: str, indent: int) -> _Node:
        top = self.stack[-1] if self.stack else None
        if top is not None and top.kind in ("qz", "cont") and indent > top.indent + 1:
            parent_rank = top.rank
        else:
            while self.stack and self.stack[-1].kind in ("qz", "cont"):
                self.stack.pop()
            parent_rank = self.stack[-1].rank if self.stack else 0
        return _Node(text, "qz", parent_rank + 0.25, indent, [*self._parent_path(), text])

    def _sibling_plain(self, indent: int) -> int | None:
        passed_numbered = False
        for i in range(len(self.stack) - 1, -1, -1):
            node = self.stack[i]
            if node.kind == "num":
                passed_numbered = True
            elif node.kind == "plain" and abs(node.indent - indent) <= 1:
                if passed_numbered and i == 0 and node.root_single:
                    return None
                return i
        return None

    def _add_plain(self, text: str, indent: int) -> _Node:
        if self.stack and self.stack[-1].kind in ("qz", "cont"):
            cont = self._continuation(indent, text)
            if cont is not None:
                del self.stack[cont:]
                path = [*self._parent_path(), text]
                return _Node(
                    text, "cont", self.stack[-1].rank + 0.25 if self.stack else 0.25, indent, path
                )
            while self.stack and self.stack[-1].kind in ("qz", "cont"):
                self.stack.pop()
        top = self.stack[-1] if self.stack else None
        if (
            top is not None
            and top.kind == "plain"
            and indent >= top.indent + 2
            and (len(self.stack) == 1 or top.indent > 0)
        ):
            return _Node(
                text, "plain", top.rank + 0.5, indent, [*top.path, text], root_single=False
            )
        sib = self._sibling_plain(indent)
        if sib is not None:
            siblings = self.stack[sib].siblings + 1
            del self.stack[sib:]
            rank = self.stack[-1].rank + 0.5 if self.stack else 0.5
            return _Node(
                text, "plain", rank, indent, [*self._parent_path(), text], siblings=siblings
            )
        rank = self.stack[-1].rank + 0.5 if self.stack else 0.5
        return _Node(
            text, "plain", rank, indent, [*self._parent_path(), text], root_single=not self.stack
        )

    def _continuation(self, indent: int, text: str) -> int | None:
        """Index of the 其中 item that an un-numbered row continues, if it does."""
        heads = [i for i, n in enumerate(self.stack) if n.kind in ("qz", "cont")]
        first_qz = min(self.stack[i].indent for i in heads)
        if indent < first_qz - 2:
            return None
        start = heads[0]
        if start > 0:
            parent = self.stack[start - 1]
            if self.stack[start].indent > parent.indent + 1 and indent <= parent.indent + 1:
                return None
            if _looks_like_sibling(parent.text, text):
                return None
        numbered_between = False
        for i in range(start - 1, -1, -1):
            node = self.stack[i]
            if node.kind == "num":
                numbered_between = True
            elif (
                node.kind == "plain"
                and abs(node.indent - indent) <= 1
                and numbered_between
                and not (i == 0 and node.root_single)
            ):
                return None
        for i in reversed(heads):
            if self.stack[i].indent <= indent + 1:
                return i
        return heads[0]


def _strip_number(text: str) -> str:
    t = squash(text)
    for _rank, pattern in _PATTERNS:
        m = pattern.match(t)
        if m:
            return t[m.end() :]
    return t


def _looks_like_sibling(parent: str, text: str) -> bool:
    """'家禽出笼' / '家禽存笼': same stem, so a sibling of the parent, not a 其中 item."""
    a, b = _strip_number(parent), _strip_number(text)
    prefix = 0
    while prefix < min(len(a), len(b)) and a[prefix] == b[prefix]:
        prefix += 1
    suffix = 0
    while suffix < min(len(a), len(b)) and a[-1 - suffix] == b[-1 - suffix]:
        suffix += 1
    return prefix >= 2 or suffix >= 3
