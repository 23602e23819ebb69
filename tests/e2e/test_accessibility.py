"""Accessibility: axe-core (from npm, see package.json) checks every kind of page each role can
reach in the demo township, plus the public pages. Any WCAG violation axe reports fails the test.

The crawl follows links breadth-first from the home page and checks one page per URL pattern
(/requests/17/ and /requests/18/ are the same template), GET only, skipping downloads.
"""

from __future__ import annotations

import re
from collections import deque
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.browser import login, new_page
from tests.e2e.fixtures import (
    DEMO_PASSWORD,
    SKIP_WALKTHROUGH,
    demo_server_fixture,  # noqa: F401 (registers the fixture)
)

pytestmark = [pytest.mark.e2e]

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
SKIP = re.compile(
    r"logout|export|format=|download|/media/|/static/|/api/|/admin/|setlang|\.(pdf|xlsx|csv)"
)
RUN_AXE = """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
  .map(v => `${v.id} [${v.impact}] ${v.help}: ${v.nodes.slice(0, 2).map(n => n.html.slice(0, 120)).join(' | ')}`)"""


def _pattern(href: str) -> str:
    return re.sub(r"\d+", "N", href.split("?")[0].split("#")[0])


def _check_pages(page: Any, base: str, start: list[str], limit: int) -> tuple[int, list[str]]:
    """Breadth-first from ``start``; returns (pages checked, violations as 'path: text')."""
    script = AXE.read_text(encoding="utf-8")
    queue, seen_patterns, found, checked = deque(start), set(), [], 0
    while queue and checked < limit:
        href = queue.popleft()
        pattern = _pattern(href)
        if pattern in seen_patterns or SKIP.search(href):
            continue
        seen_patterns.add(pattern)
        response = page.goto(base + href)
        if response is None or "text/html" not in (response.headers.get("content-type") or ""):
            continue
        page.wait_for_load_state("networkidle")
        page.add_script_tag(content=script)
        found += [f"{href}: {v}" for v in page.evaluate(RUN_AXE)]
        checked += 1
        links = page.eval_on_selector_all(
            "a[href^='/']", "els => els.map(e => e.getAttribute('href'))"
        )
        queue.extend(link for link in links if _pattern(link) not in seen_patterns)
    return checked, found


@pytest.mark.parametrize(("username", "limit"), [("admin", 45), ("qingshan", 20)])
def test_signed_in_pages_have_no_accessibility_violations(
    browser: Any, demo_server: str, username: str, limit: int
) -> None:
    assert AXE.exists(), "axe-core is missing: run `make assets` (npm ci installs it)"
    errors: list[str] = []
    page = new_page(browser, errors, bypass_csp=True)
    page.context.add_init_script(SKIP_WALKTHROUGH)
    login(page, demo_server, username, DEMO_PASSWORD)
    checked, violations = _check_pages(page, demo_server, ["/"], limit)
    assert checked >= min(limit, 15)
    assert violations == []


def test_public_pages_have_no_accessibility_violations(browser: Any, demo_server: str) -> None:
    errors: list[str] = []
    page = new_page(browser, errors, phone=True, bypass_csp=True)
    checked, violations = _check_pages(page, demo_server, ["/p/", "/accounts/login/"], 6)
    assert checked >= 2
    assert violations == []
