"""Words that scripts put on the page follow the page language too (they come from the server)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def reset_language() -> Any:
    yield
    translation.deactivate()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_voice_recorder_words_follow_the_page_language(
    client: Client, org_tree: dict[str, Any], language: str, reset_language: None
) -> None:
    client.post("/i18n/setlang/", {"language": language, "next": "/"})
    body = client.get("/p/").content.decode()
    found = re.search(r'<script id="qz-voice-labels" type="application/json">(.*?)</script>', body)
    assert found
    labels = json.loads(found.group(1))
    assert {"start", "stop", "done", "recording", "limit"} <= set(labels)
    assert "{n}" in labels["done"] and "{max}" in labels["recording"]
    han = [k for k, v in labels.items() if HAN.search(v)]
    assert han == ([] if language == "en" else list(labels))


TEMPLATES = Path(__file__).resolve().parents[1] / "qingzhuang"


def _template_texts() -> Iterator[tuple[str, str]]:
    """(path, text) of every template with translated blocks and comments removed: what is
    left is shown as written, in every page language."""
    for path in sorted(TEMPLATES.rglob("templates/**/*.html")):
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"\{%\s*blocktranslate.*?\{%\s*endblocktranslate\s*%\}", "", text, flags=re.S)
        text = re.sub(r"\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}", "", text, flags=re.S)
        text = re.sub(r"\{#.*?#\}", "", text, flags=re.S)
        yield str(path.relative_to(TEMPLATES)), text


def test_templates_have_no_chinese_outside_translation_tags() -> None:
    """Chinese words in a template reach English pages untranslated unless a translate tag
    carries them. Template logic ({% if h.trend == '上升' %}) compares data and may be Chinese."""
    found = []
    for path, text in _template_texts():
        text = re.sub(r"\{%.*?%\}", "", text, flags=re.S)  # translate tags and template logic
        found += [f"{path}: {m}" for m in HAN.findall(text)[:1]]
    assert found == []


FULL_WIDTH_NEXT_TO_VALUE = re.compile(
    r"(?:%\}|\}\})[：；（）、，]|[：；（）、，](?:\{%|\{\{)|join:\"、\""
)


def test_templates_leave_punctuation_around_values_to_the_page_language() -> None:
    """A full-width mark written next to a value ("{% translate '频次' %}：{{ f }}") shows as
    "Frequency：monthly" on English pages; the qz_punct tags and filters translate it."""
    found = []
    for path, text in _template_texts():
        found += [f"{path}: {m.group()}" for m in FULL_WIDTH_NEXT_TO_VALUE.finditer(text)]
    assert found == []


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("zh-hans", "频次：每月 单位（3） 甲、&lt;b&gt;；（x），"),
        ("en", "频次: 每月 单位 (3) 甲, &lt;b&gt;;  (x), "),
    ],
)
def test_punctuation_tags_follow_the_page_language(
    language: str, expected: str, reset_language: None
) -> None:
    from django.template import engines

    page = engines["django"].from_string(
        "{% load qz_punct %}频次{% colon %}每月 单位{{ n|paren }} {{ names|join_list }}"
        "{% semicolon %}{% lparen %}x{% rparen %}{% comma %}"
    )
    translation.activate(language)
    assert page.render({"n": 3, "names": ["甲", "<b>"]}) == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [("zh-hans", "甲、乙；丙"), ("en", "甲, 乙; 丙")],
)
def test_error_messages_join_lists_like_the_templates(
    language: str, expected: str, reset_language: None
) -> None:
    """Messages built in Python (CSV column lists, several problems) use the same marks."""
    from qingzhuang.i18n import join_clauses, join_list

    translation.activate(language)
    assert join_clauses([join_list(["甲", "乙"]), "丙"]) == expected
