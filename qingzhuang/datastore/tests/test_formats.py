"""Harvest and fill keep the issuer's format: CSV stays CSV, Word stays Word."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from qingzhuang.datastore import services
from qingzhuang.datastore.filling import template_for_file
from qingzhuang.datastore.models import DataValue
from qingzhuang.sheets.layout import layout_signature


def _csv(path: Path, rows: list[list[str]], encoding: str = "utf-8-sig") -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def test_csv_harvest_then_fill_another_csv(catalogue: Any, tmp_path: Path) -> None:
    header = ["村名", "常住人口（人）", "耕地面积（亩）"]
    filled = _csv(
        tmp_path / "in.csv", [header, ["东村", "1100", "2000"], ["西村", "760", "1500"]], "gbk"
    )
    res = services.harvest_file(path=filled, org_unit=catalogue["town"], period="2026Q3", actor="t")
    assert res.loaded and not res.conflicts
    assert DataValue.objects.filter(period="2026Q3", element__name="耕地面积").count() == 2
    blank = _csv(tmp_path / "blank.csv", [["单位", "耕地面积（亩）"], ["西村", ""], ["东村", ""]])
    template = template_for_file(path=blank, actor="t")
    out = services.fill_template(
        template=template,
        org_unit=catalogue["town"],
        period="2026Q3",
        output=tmp_path / "out.csv",
        actor="t",
        source_path=blank,
    )
    rows = list(csv.reader(out.output.open(encoding="utf-8-sig")))
    assert rows[1:] == [["西村", "1500"], ["东村", "2000"]]


def test_docx_fill_keeps_word_layout(catalogue: Any, tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("村人口表")
    document.add_paragraph("制表机关：测试县卫健局")
    table = document.add_table(rows=4, cols=3)
    a = table.cell(0, 0).merge(table.cell(1, 0))
    a.text = "村名"
    b = table.cell(0, 1).merge(table.cell(0, 2))
    b.text = "人口"
    table.cell(1, 1).text = "户籍人口（人）"
    table.cell(1, 2).text = "常住人口（人）"
    table.cell(2, 0).text = "东村"
    table.cell(3, 0).text = "西村"
    src = tmp_path / "form.docx"
    document.save(str(src))
    template = template_for_file(path=src, actor="t")
    res = services.fill_template(
        template=template,
        org_unit=catalogue["town"],
        period="2026",
        output=tmp_path / "out.docx",
        actor="t",
    )
    out = docx.Document(str(res.output)).tables[0]
    assert [out.cell(2, 1).text, out.cell(2, 2).text, out.cell(3, 1).text] == [
        "1200",
        "1100",
        "800",
    ]
    assert layout_signature(res.output) == layout_signature(src)
