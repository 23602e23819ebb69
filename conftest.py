"""Fixtures shared by the whole suite: a small org tree built through the real services."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from config import env


@pytest.fixture(autouse=True)
def _fresh_cache() -> Any:
    """Rate-limit counters and other cached state must not leak between tests."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


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
