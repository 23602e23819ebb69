"""Harvest checks a form's own total rows and says plainly which unit, item and cell it means."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from qingzhuang.core.errors import InvalidInput
from qingzhuang.datastore import services
from qingzhuang.datastore.models import DataValue, RuleKind
from qingzhuang.datastore.tests import builders


def _csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def _harvest(catalogue: Any, path: Path, period: str = "2026") -> dict[str, Any]:
    return services.harvest_file(
        path=path, org_unit=catalogue["town"], period=period, actor="test"
    ).as_dict()


def test_total_row_that_does_not_add_up_is_a_warning_naming_column_total_and_sum(
    catalogue: Any, tmp_path: Path
) -> None:
    path = builders.minzheng_xlsx(
        tmp_path / "bad_total.xlsx",
        values={
            "东村": [1200, 1100, 300, 15],
            "西村": [800, 760, 210, 9],
            "合计": [9999, 1860, 510, 24],
        },
    )
    res = _harvest(catalogue, path)
    assert res["unchanged"] == 8  # the values themselves still load (here: already known)
    assert [(m["cell"], m["total"], m["sum"]) for m in res["total_mismatches"]] == [
        ("C8", "9999", "2000")
    ]
    assert res["total_mismatches"][0]["label"] == "户籍人口"
    text = [w for w in res["warnings"] if "9,999" in w]
    assert len(text) == 1
    assert "户籍人口" in text[0] and "2,000" in text[0] and "第8行第C列" in text[0]


def test_total_row_that_adds_up_gives_no_warning(catalogue: Any, tmp_path: Path) -> None:
    path = builders.minzheng_xlsx(
        tmp_path / "good_total.xlsx",
        values={
            "东村": [1200, 1100, 300, 15],
            "西村": [800, 760, 210, 9],
            "合计": [2000, 1860, 510, 24],
        },
    )
    res = _harvest(catalogue, path)
    assert res["total_mismatches"] == []
    assert not [w for w in res["warnings"] if "合计" in w]


def test_csv_total_row_is_checked_and_values_still_load(catalogue: Any, tmp_path: Path) -> None:
    path = _csv(
        tmp_path / "filled2.csv",
        [
            ["村名", "户籍人口（人）", "耕地面积（亩）"],
            ["东村", "3001", "5000"],
            ["西村", "2000", "100"],
            ["合计", "9999", "5100"],
        ],
    )
    res = _harvest(catalogue, path, period="2027")
    assert res["loaded_count"] == 4
    assert [(m["label"], m["total"], m["sum"]) for m in res["total_mismatches"]] == [
        ("户籍人口", "9999", "5001")
    ]


def test_rounded_decimals_in_total_row_are_not_flagged(catalogue: Any, tmp_path: Path) -> None:
    path = _csv(
        tmp_path / "income.csv",
        [
            ["村名", "村集体经济收入（万元）"],
            ["东村", "12.34"],
            ["西村", "10.01"],
            ["合计", "22.4"],
        ],
    )
    assert _harvest(catalogue, path)["total_mismatches"] == []
    wrong = _csv(
        tmp_path / "income_wrong.csv",
        [
            ["村名", "村集体经济收入（万元）"],
            ["东村", "12.34"],
            ["西村", "10.01"],
            ["合计", "23.4"],
        ],
    )
    mismatch = _harvest(catalogue, wrong, period="2025")["total_mismatches"]
    assert [(m["total"], m["sum"]) for m in mismatch] == [("23.4", "22.35")]


def test_harvest_page_shows_the_total_warning(
    client: Client, catalogue: Any, tmp_path: Path
) -> None:
    path = builders.minzheng_xlsx(
        tmp_path / "page_total.xlsx",
        values={"东村": [1200, 1100, 300, 15], "西村": [800, 760, 210, 9], "合计": [9999]},
    )
    assert client.login(username=catalogue["admin"].username, password=catalogue["password"])
    with path.open("rb") as fh:
        resp = client.post(
            reverse("datastore:harvest"),
            {"file": fh, "org": catalogue["town"].code, "period": "2026"},
        )
    html = resp.content.decode()
    assert resp.status_code == 200
    assert "9,999" in html and "2,000" in html


def test_harvest_warning_names_unit_item_and_cell(catalogue: Any, tmp_path: Path) -> None:
    path = builders.minzheng_xlsx(
        tmp_path / "jump.xlsx", values={"东村": [1200, 1100, 300, 15], "西村": [800, 760, 210, 9]}
    )
    res = _harvest(catalogue, path, period="2027")
    assert res["warnings"] == []
    jump = builders.minzheng_xlsx(tmp_path / "jump2.xlsx", values={"西村": [4000]})
    res = _harvest(catalogue, jump, period="2028")
    assert len(res["warnings"]) == 1
    warning = res["warnings"][0]
    assert "西村" in warning and "户籍人口" in warning and "第7行第C列" in warning
    assert "（800）" in warning and "800.000000" not in warning


def _element(name: str, code: str) -> Any:
    return services.data_element_create(name=name, code=code, unit="人", actor="t")


def test_outlier_message_writes_numbers_as_people_do(org_tree: Any) -> None:
    e = _element("耕地面积", "T")
    v = org_tree["village_a"]
    services.data_value_set(element=e, org_unit=v, period="2024", value="1234.5", actor="t")
    res = services.data_value_set(element=e, org_unit=v, period="2025", value="12.5", actor="t")
    assert "（1,234.5）" in res.warnings[0]
    res = services.data_value_set(element=e, org_unit=v, period="2026", value="930", actor="t")
    assert "（12.5）" in res.warnings[0]
    res = services.data_value_set(element=e, org_unit=v, period="2027", value="100", actor="t")
    assert "（930）" in res.warnings[0]


def test_rule_messages_write_numbers_as_people_do(org_tree: Any) -> None:
    total, old = _element("户籍人口", "T"), _element("老年人口", "O")
    male, female = _element("男", "M"), _element("女", "F")
    services.validation_rule_create(
        name="老年人口不大于户籍人口", kind=RuleKind.NOT_ABOVE, element=old, others=["T"], actor="t"
    )
    services.validation_rule_create(
        name="男+女=合计", kind=RuleKind.SUM_EQUALS, element=total, others=["M", "F"], actor="t"
    )
    v = org_tree["village_a"]
    for element, value in [(total, 100), (female, 60)]:
        services.data_value_set(
            element=element, org_unit=v, period="2026", value=value, actor="t", validate=False
        )
    with pytest.raises(InvalidInput) as exc:
        services.data_value_set(element=old, org_unit=v, period="2026", value=5000, actor="t")
    assert "其中项 5,000 大于总数 100" in exc.value.message
    with pytest.raises(InvalidInput) as exc:
        services.data_value_set(element=male, org_unit=v, period="2026", value="12.5", actor="t")
    assert "分项之和 72.5 ≠ 合计 100" in exc.value.message
    assert not DataValue.objects.filter(element=old).exists()
    assert DataValue.objects.get(element=total).value == Decimal(100)


def test_total_warning_says_when_rows_without_a_unit_were_left_out(
    catalogue: Any, tmp_path: Path
) -> None:
    path = _csv(
        tmp_path / "with_unknown.csv",
        [
            ["村名", "户籍人口（人）"],
            ["东村", "1200"],
            ["北村", "50"],
            ["西村", "800"],
            ["合计", "2050"],
        ],
    )
    res = _harvest(catalogue, path)
    assert [(m["total"], m["sum"], m["rows_not_counted"]) for m in res["total_mismatches"]] == [
        ("2050", "2000", 1)
    ]
    assert any("另有 1 行" in w for w in res["warnings"])
    assert res["rows_unmatched"]
