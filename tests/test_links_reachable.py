"""Every link a page shows opens for the person who sees it.

Walks the demo township as each demo role, breadth-first over the links on the pages (GET only,
a few pages of each URL shape), and collects any link answering 403, 404 or 500: a button to a
page the user may not open is a dead end.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from html.parser import HTMLParser
from io import StringIO
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from django.test import Client

from qingzhuang.core.demo import run_demo

SKIP = re.compile(
    r"logout|export|format=|download|/media/|/static/|/api/docs|/admin/|setlang|walkthrough=1"
)
PER_SHAPE = 3
MAX_PAGES = 150


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def _links(page: str, html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    out = []
    for href in parser.hrefs:
        if href.startswith(("#", "mailto:", "tel:", "javascript:")) or SKIP.search(href):
            continue
        url = urljoin(page, href)
        if urlsplit(url).netloc not in ("", "testserver"):
            continue
        parts = urlsplit(url)
        out.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return out


def _walk(client: Client) -> tuple[int, list[tuple[str, str, int]]]:
    seen: set[str] = set()
    shapes: Counter[str] = Counter()
    queue: deque[tuple[str, str]] = deque([("/", "")])
    dead: list[tuple[str, str, int]] = []
    while queue and len(seen) < MAX_PAGES:
        url, found_on = queue.popleft()
        if url in seen:
            continue
        shape = re.sub(r"\d+", "N", url.split("?")[0])
        shapes[shape] += 1
        if shapes[shape] > PER_SHAPE:
            continue
        seen.add(url)
        resp = client.get(url)
        if resp.status_code in (403, 404, 500):
            dead.append((found_on, url, resp.status_code))
            continue
        if resp.status_code != 200 or "text/html" not in resp.get("Content-Type", ""):
            continue
        queue.extend((link, url) for link in _links(url, resp.content.decode()))
    return len(seen), dead


@pytest.mark.parametrize("username", ["admin", "qingshan", "xinhua", "minzheng", "pingjia"])
def test_no_page_links_to_a_page_the_viewer_may_not_open(db: Any, username: str) -> None:
    from qingzhuang.org.models import User

    run_demo(out=StringIO())
    client = Client()
    client.force_login(User.objects.get(username=username))
    visited, dead = _walk(client)
    assert visited > 20  # the walk did reach the app's pages
    assert dead == []
