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
    unit: str = ""


@dataclass
class HierarchyBuilder:
    """Feed labels top-down with ``add``; each call returns the label's full path."""

    stack: list[_Node] = field(default_factory=list)

    def add(self, text: str, indent: int, unit: str = "") -> list[str]:
        """``unit`` is the row's 计量单位: under an un-numbered parent a row in another
        unit (耕地面积 in 亩 after 户籍人口 / 其中：老年人口) has left the 其中 block."""
        rank = numbering_rank(text)
        if squash(text).startswith(("附报", "补充资料")):
            rank = 1
        if rank is not None:
            node = self._add_numbered(text, rank, indent)
        elif is_of_which(text):
            node = self._add_of_which(text, indent)
        else:
            node = self._add_plain(text, indent, unit)
        node.unit = unit
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

    def _add_plain(self, text: str, indent: int, unit: str) -> _Node:
        if self.stack and self.stack[-1].kind in ("qz", "cont"):
            cont = self._continuation(indent, text, unit)
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
        while self.stack and self.stack[-1].kind == "plain" and self.stack[-1].indent > indent + 1:
            self.stack.pop()  # less indented than the plain rows above: not their child
        rank = self.stack[-1].rank + 0.5 if self.stack else 0.5
        return _Node(
            text, "plain", rank, indent, [*self._parent_path(), text], root_single=not self.stack
        )

    def _continuation(self, indent: int, text: str, unit: str) -> int | None:
        """Index of the 其中 item that an un-numbered row continues, if it does."""
        heads = [i for i, n in enumerate(self.stack) if n.kind in ("qz", "cont")]
        first_qz = min(self.stack[i].indent for i in heads)
        if indent < first_qz - 2:
            return None
        start = heads[0]
        if start > 0 and _leaves_block(
            self.stack[start - 1], self.stack[start], text, indent, unit
        ):
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


def _leaves_block(parent: _Node, head: _Node, text: str, indent: int, unit: str) -> bool:
    """Whether a row after ``parent``'s 其中 items is the parent's sibling instead."""
    if head.indent > parent.indent + 1 and indent <= parent.indent + 1:
        return True  # the 其中 items were indented and this row is back at the parent
    if _looks_like_sibling(parent.text, text):
        return True
    if parent.kind != "plain":
        return False  # a numbered parent's siblings are numbered: 竹材采运 (根) is still its part
    if _other_kind(unit, head.unit or parent.unit):
        return True  # 户籍人口 / 其中：老年人口 / 耕地面积（亩）
    # With flat indentation and one unit only the name tells a sibling apart:
    # 户籍人口 / 其中：男 / 常住人口, but 收入 / 其中：经营收入 / 投资收入 goes on.
    return (
        indent <= parent.indent + 1
        and _common_suffix(parent.text, text) >= 2
        and _common_suffix(head.text, text) < 2
    )


_MAGNITUDE = re.compile(r"^(?:万|千|百|十|亿)(?=.)")
_UNIT_KINDS = {
    **dict.fromkeys(("亩", "公顷", "平方米", "平方公里", "ha", "m2"), "area"),
    **dict.fromkeys(("吨", "公斤", "千克", "克", "斤", "担", "kg", "t"), "weight"),
}


def _unit_kind(unit: str) -> str:
    """'万人' and '人' measure the same thing, so do '亩' and '公顷'."""
    base = _MAGNITUDE.sub("", squash(unit).lower())
    return _UNIT_KINDS.get(base, base)


def _other_kind(unit: str, head_unit: str) -> bool:
    """A row measured in another kind of unit than the 其中 item (人 → 亩) is not part of it."""
    return bool(unit and head_unit) and _unit_kind(unit) != _unit_kind(head_unit)


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
    return prefix >= 2 or _common_suffix(parent, text) >= 3


def _common_suffix(a: str, b: str) -> int:
    """Shared trailing characters: the head noun of '户籍人口' and '常住人口' is '人口'."""
    a, b = _strip_of_which(_strip_number(a)), _strip_of_which(_strip_number(b))
    n = 0
    while n < min(len(a), len(b)) and a[-1 - n] == b[-1 - n]:
        n += 1
    return n


def _strip_of_which(text: str) -> str:
    m = _OF_WHICH.match(text)
    return text[m.end() :] if m else text
