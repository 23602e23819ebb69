"""Fixtures shared by the whole suite: a small org tree built through the real services."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from config import env
from tests.e2e.browser import (  # noqa: F401 (registers the browser fixtures suite-wide)
    _close_pages,
    browser,
    media_browser,
    playwright_session,
    shot,
)


@pytest.fixture(autouse=True)
def _fresh_cache() -> Any:
    """Rate-limit counters and per-process caches (duty rules, SLA table, villages, the
    category model) must not leak between tests."""
    from django.core.cache import cache

    from qingzhuang.service_requests import api, classify, services, sla

    def clear() -> None:
        cache.clear()
        services.rules_cache_clear()
        sla.sla_cache_clear()
        api._units["at"] = 0.0
        classify.reset_cache()

    clear()
    yield
    clear()


@pytest.fixture(autouse=True)
def _default_language() -> Any:
    """Django leaves the last request's language active in the thread: start and end each test
    in the default language (zh-hans), so an English page test cannot leak into the next test."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def shared_data() -> Path:
    """../shared/data, or a clean skip when this checkout has no shared data beside it."""
    if not env.SHARED_DATA_DIR.is_dir():
        pytest.skip(f"../shared/data not available at {env.SHARED_DATA_DIR}")
    return env.SHARED_DATA_DIR


@pytest.fixture
def org_tree(db: Any) -> dict[str, Any]:
    """County > township > two villages (A, B) > one grid each, and one user per role."""
    from qingzhuang.org.tests.factories import build_org_tree

    return build_org_tree()
