"""Harvest reads a cell as a person wrote it: a unit or a percent sign is understood or the cell
is refused with the reason; no non-empty cell is ever dropped without a word."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path
from typing import Any

from qingzhuang.datastore import services
from qingzhuang.datastore.models import DataValue
from qingzhuang.datastore.tests import builders


def _csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def _harvest(catalogue: Any, path: Path, period: str) -> dict[str, Any]:
    return services.harvest_file(
        path=path, org_unit=catalogue["town"], period=period, actor="test"
    ).as_dict()


def _value(catalogue: Any, village: str, name: str, period: str) -> Decimal | None:
    row = DataValue.objects.filter(
        element__name=name, org_unit=catalogue[village], period=period
    ).first()
    return None if row is None else row.value


def test_number_with_its_own_unit_is_loaded(catalogue: Any, tmp_path: Path) -> None:
    path = builders.tongji_xlsx(
        tmp_path / "with_unit.xlsx",
        values={
            "中共东村支部委员会": [None, None, "2,345.5亩"],
            "西村村民委员会": [None, None, "１，２００"],
        },
    )
    res = _harvest(catalogue, path, "2027")
    assert res["rejected"] == []
    assert _value(catalogue, "village_a", "耕地面积", "2027") == Decimal("2345.5")
    assert _value(catalogue, "village_b", "耕地面积", "2027") == Decimal("1200")
    loaded = {(r["org"], r["cell"]): r["value"] for r in res["loaded"]}
    assert loaded[("东村", "E5")] == "2345.5"


def test_percent_on_an_amount_and_words_are_rejected_with_the_reason(
    catalogue: Any, tmp_path: Path
) -> None:
    path = builders.tongji_xlsx(
        tmp_path / "messy.xlsx",
        values={
            "中共东村支部委员会": [None, None, "12户", "45%"],
            "西村村民委员会": [None, None, "约300", "1e3"],
        },
    )
    res = _harvest(catalogue, path, "2027")
    rejected = {r["cell"]: r for r in res["rejected"]}
    assert set(rejected) == {"E5", "F5", "E6"}  # 1e3 in a cell is a number the sheet wrote
    assert "百分数" in rejected["F5"]["error"] and "万元" in rejected["F5"]["error"]
    assert rejected["F5"]["value"] == "45%" and rejected["F5"]["org"] == "东村"
    assert "“12户”带的单位“户”" in rejected["E5"]["error"] and "亩" in rejected["E5"]["error"]
    assert "“约300”不是数字" in rejected["E6"]["error"] and "西村" in rejected["E6"]["error"]
    assert _value(catalogue, "village_a", "村集体经济收入", "2027") is None
    assert _value(catalogue, "village_b", "村集体经济收入", "2027") == Decimal("1000")


def test_negative_growth_rate_in_percent_is_loaded(catalogue: Any, tmp_path: Path) -> None:
    path = _csv(
        tmp_path / "growth.csv",
        [["村名", "增长率（%）", "人口增减（人）"], ["东村", "-2.5%", "-12"], ["西村", "3.1", "5"]],
    )
    res = _harvest(catalogue, path, "2025-11")
    assert res["rejected"] == []
    assert _value(catalogue, "village_a", "增长率", "2025-11") == Decimal("-2.5")
    assert _value(catalogue, "village_a", "人口增减", "2025-11") == Decimal("-12")


def test_negative_count_is_still_rejected(catalogue: Any, tmp_path: Path) -> None:
    path = _csv(
        tmp_path / "negative.csv", [["村名", "耕地面积（亩）"], ["东村", "-3"], ["西村", "3"]]
    )
    res = _harvest(catalogue, path, "2028")
    assert [(r["org"], r["value"]) for r in res["rejected"]] == [("东村", "-3")]
    assert "数值不能为负数" in res["rejected"][0]["error"]
