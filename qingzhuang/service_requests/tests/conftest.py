from __future__ import annotations

from collections.abc import Iterator

import pytest


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
