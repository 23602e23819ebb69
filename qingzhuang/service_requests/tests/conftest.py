from __future__ import annotations

import datetime as dt
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

    from qingzhuang.service_requests import api, classify, services, sla

    cache.clear()

    services.rules_cache_clear()
    sla.sla_cache_clear()
    api._units["at"] = 0.0
    classify.reset_cache()
    yield
    services.rules_cache_clear()
    sla.sla_cache_clear()
    api._units["at"] = 0.0


@pytest.fixture
def calendar_ends_2026(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """chinesecalendar as it is before the State Council publishes 2027's schedule (the
    installed version may know more years by the time this runs)."""
    from qingzhuang.service_requests import sla as sla_module

    real = sla_module.chinese_calendar.is_workday

    def is_workday(day: dt.date) -> bool:
        if day.year > 2026:
            raise NotImplementedError(f"no available data for year {day.year}")
        return bool(real(day))

    sla_module.is_workday.cache_clear()
    monkeypatch.setattr(sla_module.chinese_calendar, "is_workday", is_workday)
    yield
    sla_module.is_workday.cache_clear()
