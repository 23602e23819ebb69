from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _own_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads the category model of the shared data dir (var/ unless QZ_DATA_DIR is
    set): a `qz demo` or `qz requests retrain` run there must not change what tests see."""
    from config import env

    data_dir = tmp_path / "data"
    data_dir.mkdir()
    monkeypatch.setattr(env, "DATA_DIR", data_dir)


@pytest.fixture(autouse=True)
def _fresh_process_caches() -> Iterator[None]:
    """Per-process caches (SLA table, duty rules, villages, model, rate-limit counters) must not
    leak between tests."""
    from django.core.cache import cache

    from qingzhuang.service_requests import api, classify, services, workflow

    cache.clear()

    services.rules_cache_clear()
    workflow.sla_cache_clear()
    api._units["at"] = 0.0
    classify.reset_cache()
    yield
    services.rules_cache_clear()
    workflow.sla_cache_clear()
    api._units["at"] = 0.0
