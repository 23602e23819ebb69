"""The CLI chain on the real forms in ../shared/data/forms (skipped when absent)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.management import call_command

from qingzhuang.org.services import org_units_import

TOWNS = ["松柏镇", "阳日镇", "木鱼镇", "红坪镇", "新华镇", "宋洛乡", "九湖镇", "下谷乡"]


def qz(*args: str) -> Any:
    out = io.StringIO()
    call_command(*args, "--json", stdout=out)
    return json.loads(out.getvalue())


@pytest.fixture
def real_forms(shared_data: Path) -> list[Path]:
    forms = sorted((shared_data / "forms").glob("*.xls"))
    if not forms:
        pytest.skip("no .xls forms in shared data")
    return forms


def test_parse_and_match_every_real_form(real_forms: list[Path]) -> None:
    for form in real_forms:
        res = qz("forms", "parse", str(form))
        assert res["file"] == str(form) and sum(len(s["fields"]) for s in res["sheets"]) > 50
    matched = qz("forms", "match", *map(str, real_forms))
    assert len(matched["concepts"]) > 50
    files = {f["file"] for c in matched["concepts"] for f in c["fields"]}
    assert files == {str(p) for p in real_forms}


@pytest.mark.django_db
def test_harvest_summary_then_fill_it_back(real_forms: list[Path], tmp_path: Path) -> None:
    summary = next((p for p in real_forms if "汇总" in p.name), None)
    if summary is None:
        pytest.skip("summary form absent")
    rows = [
        {
            "code": "429021000000",
            "name": "神农架林区",
            "parent_code": "",
            "level": "county",
            "line": "1",
        }
    ]
    rows += [
        {
            "code": f"4290211{i:02d}000",
            "name": n,
            "parent_code": "429021000000",
            "level": "township",
            "line": str(i + 2),
        }
        for i, n in enumerate(TOWNS)
    ]
    org_units_import(rows=rows, actor="test")
    qz("forms", "import", *map(str, real_forms))
    qz("concepts", "accept", "--all-suggested")
    harvest = qz("data", "harvest", str(summary), "--org", "429021000000", "--period", "2016")
    assert harvest["loaded_count"] > 1000 and harvest["conflict_count"] == 0
    out = tmp_path / "back.xlsx"
    res = qz(
        "fill", str(summary), "--org", "429021000000", "--period", "2016", "--output", str(out)
    )
    assert res["coverage"]["rows_matched"] == TOWNS
    assert res["coverage"]["cells_filled"] == harvest["loaded_count"]
    first = harvest["loaded"][0]
    ws = openpyxl.load_workbook(out)[first["sheet"]]
    assert str(ws[first["cell"]].value) == first["value"]
