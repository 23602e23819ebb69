"""Label and heading normalisation.

Report forms ask for one item in many spellings: traditional characters, full-width digits,
outline numbering (一、 （一） 1． ①), spaces inside words ("乡村劳动力资 源"), "其中：" prefixes,
units written into the label ("废水产生量（吨）") and trailing 数/合计.  Everything here turns
such text into a canonical string so that the comparison looks only at meaning-bearing
characters.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import opencc

from qingzhuang.matching.units import is_unit

_T2S = opencc.OpenCC("t2s")

_CIRCLED = re.compile(r"^[\s]*[\u2460-\u24ff\u2776-\u2793\u3251-\u325f\u32b1-\u32bf]")
_CN_NUM = "一二三四五六七八九十百零〇"
_PREFIXES = [
    re.compile(rf"^\(([{_CN_NUM}]+|\d{{1,3}}|[a-z])\)[、.,:;\s]*"),  # (一) (1) (a)
    re.compile(rf"^[{_CN_NUM}]+[、.,:;]+"),  # 一、 (not "八 角": a space is no separator)
    re.compile(r"^\d{1,3}(?:\.\d{1,3})*(?:[、,:;\s]+|\.(?!\d))[、\s]*"),  # 1. 1、 1.2.
    re.compile(r"^\d{1,3}\)[、.\s]*"),  # 1)
    re.compile(r"^[a-z][、.)]\s*"),  # a、 b.
    re.compile(r"^[ⅰ-ⅻⅠ-Ⅻ]+[、.\s]*"),
    re.compile(r"^其中[:\s]*"),  # 其中： (of which)
    re.compile(r"^[-—－–~～]+"),
]
_BRACKET_Q = re.compile(r"\s*\[([^\[\]]*)\]\s*$")
_TRAILING_UNIT = re.compile(r"\(([^()]{1,12})\)\s*$")
_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)
_SUFFIXES = ("总数", "个数", "合计", "总计", "小计", "数")


@lru_cache(maxsize=100_000)
def light(text: str) -> str:
    """繁→简 and full→half width (NFKC) while keeping punctuation; circled numbers dropped."""
    t = _T2S.convert(text or "")
    t = _CIRCLED.sub("", t)
    return unicodedata.normalize("NFKC", t).replace("\u3000", " ").strip().lower()


def split_column_qualifier(text: str) -> tuple[str, str]:
    """Split "生 姜 [产量]" into ("生 姜", "产量"): the bracket names the column measured."""
    m = _BRACKET_Q.search(text)
    if not m:
        return text, ""
    return text[: m.start()], m.group(1)


def strip_numbering(text: str) -> str:
    """Remove outline numbering and "其中：" prefixes, repeatedly ("（1）、其中：红薯" → "红薯")."""
    t = text.strip()
    for _ in range(6):
        before = t
        for pat in _PREFIXES:
            t = pat.sub("", t, count=1).strip()
        if t == before:
            break
    return t


def pull_unit(text: str) -> tuple[str, str]:
    """Split a unit written in trailing parentheses out of a label ("用水量（万吨）")."""
    m = _TRAILING_UNIT.search(text)
    if m and is_unit(m.group(1)):
        return text[: m.start()].strip(), m.group(1).strip()
    return text, ""


def squash(text: str) -> str:
    """Drop whitespace and punctuation (keeps letters, digits and CJK)."""
    return _PUNCT.sub("", text)


def strip_suffix(text: str) -> str:
    """Drop a trailing 数/总数/合计 ("乡村劳动力资源数" → "乡村劳动力资源"), keeping ≥2 chars."""
    for suf in _SUFFIXES:
        if text.endswith(suf) and len(text) - len(suf) >= 2:
            return text[: -len(suf)]
    return text


_IN_HEADING = re.compile(r"^在(.+)中[:：]?$")
_NOISE_HEADING = re.compile(r"^\(?接前|^[-—－–]+$|^\W*$")


@lru_cache(maxsize=100_000)
def clean_heading(text: str) -> str:
    """Normalise an ancestor heading; "" for continuation notes like "（接前三、）"."""
    t = light(text)
    t, _ = split_column_qualifier(t)
    if _NOISE_HEADING.search(t):
        return ""
    t = strip_numbering(t)
    m = _IN_HEADING.match(t)
    if m:
        t = m.group(1)
    t, _ = pull_unit(t)
    return strip_suffix(squash(t))


@lru_cache(maxsize=100_000)
def normalize_label(text: str) -> tuple[str, str, str]:
    """Return (canonical label, unit found in the label, column qualifier).

    The canonical label is simplified, half-width, unnumbered, without punctuation, spaces
    or trailing 数/合计; the lexicon is applied later because it is configurable.
    """
    t = light(text)
    t, column = split_column_qualifier(t)
    t = strip_numbering(t)
    t, unit = pull_unit(t)
    t = strip_numbering(t)
    return strip_suffix(squash(t)), unit, column
