"""Browser fixtures for every browser test in the suite (tests/e2e and the apps' e2e tests).

Playwright's sync API allows one running instance per thread, so one session-wide Playwright
launches both browsers: the plain one and one with a fake microphone. The root conftest
registers these fixtures; they start nothing until a test asks for a browser.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
MEDIA_ARGS = [*ARGS, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]


@pytest.fixture(scope="session")
def playwright_session() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (apt-get install chromium fonts-noto-cjk)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop; the Django ORM is used from the test thread.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_session: Any) -> Iterator[Any]:
    launched = playwright_session.chromium.launch(executable_path=CHROMIUM, args=ARGS)
    yield launched
    launched.close()


@pytest.fixture(scope="session")
def media_browser(playwright_session: Any) -> Iterator[Any]:
    """Chromium with a fake microphone that needs no permission prompt."""
    launched = playwright_session.chromium.launch(executable_path=CHROMIUM, args=MEDIA_ARGS)
    yield launched
    launched.close()


@pytest.fixture
def shot() -> Any:
    ARTIFACTS.mkdir(exist_ok=True)

    def take(page: Any, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


_open_contexts: list[Any] = []


@pytest.fixture(autouse=True)
def _close_pages() -> Iterator[None]:
    """Close every browser context new_page opened during the test. An open context keeps
    keep-alive connections to the live server, each holding a server thread with its own
    database connection; on PostgreSQL those would keep the test database from being dropped."""
    yield
    while _open_contexts:
        _open_contexts.pop().close()


def new_page(
    browser: Any, errors: list[str], *, phone: bool = False, bypass_csp: bool = False
) -> Any:
    """A page in a fresh context; console errors go to ``errors``. ``bypass_csp`` lets a test
    inject its own script (the accessibility checker) past the pages' Content-Security-Policy."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844} if phone else {"width": 1280, "height": 900},
        locale="zh-CN",
        accept_downloads=True,
        bypass_csp=bypass_csp,
    )
    _open_contexts.append(context)
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return page


def login(page: Any, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button.primary")
    page.wait_for_url(f"{base}/")
