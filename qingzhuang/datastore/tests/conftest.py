from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from qingzhuang.datastore import services
from qingzhuang.datastore.tests import builders
from qingzhuang.reporting.services import redundancy_analyse, template_import


@pytest.fixture
def catalogue(org_tree: Any, tmp_path: Path) -> dict[str, Any]:
    """Three overlapping templates imported, concepts accepted, 2026 values harvested."""
    paths = {
        "mz": builders.minzheng_xlsx(tmp_path / "minzheng.xlsx"),
        "tj": builders.tongji_xlsx(tmp_path / "tongji.xlsx"),
        "ny": builders.nongye_xlsx(tmp_path / "nongye.xlsx"),
    }
    templates = {k: template_import(path=p, actor="test").template for k, p in paths.items()}
    redundancy_analyse(actor="test")
    services.concepts_accept(actor="test")
    filled = builders.minzheng_xlsx(
        tmp_path / "filled.xlsx",
        values={"东村": [1200, 1100, 300, 15], "西村": [800, 760, 210, 9]},
    )
    services.harvest_file(path=filled, org_unit=org_tree["town"], period="2026", actor="test")
    return {"paths": paths, "templates": templates, **org_tree}


@pytest.fixture
def reset_language() -> Iterator[None]:
    """LocaleMiddleware leaves the last request's language active in the test thread; put the
    default (Chinese) back so English pages do not leak into later tests."""
    yield
    translation.deactivate()
