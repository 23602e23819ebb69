"""The printable report: wide tables stay readable (no number broken across lines)."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from pypdf import PdfReader

from qingzhuang.evaluation.dashboard import Dataset
from qingzhuang.evaluation.exports import pdf_bytes

UNITS = ["新华社区", "杨家湾村", "桃园村", "河东社区", "清水村", "白鹤村", "石桥村", "示范镇"]
RATES = ["响应率", "解决率", "满意率", "按期办结率", "重办率", "退单率", "回访率"]


def _metrics_like() -> Dataset:
    """The shape of the 诉求指标 table: a key column and 27 columns of figures."""
    headers = ["责任单位", "受理", "计分工单", "不合理(不计分)", "合并(不计分)"]
    bundles = []
    for r in RATES:
        bundles.append((len(headers), len(headers) + 3))
        headers += [f"{r}(%)", "样本", "95%区间"]
    headers += ["办理时长中位数(小时)", "P90(小时)"]
    rows: list[list[Any]] = []
    for i, name in enumerate(UNITS):
        row: list[Any] = [name, 1062 + i, 1062, 0, 0]
        for _ in RATES:
            row += [100.0, 31, "20.7–100.0（样本不足）"]
        row += [107.0, 121.5]
        rows.append(row)
    return Dataset("metrics", "诉求指标（2026年11月，按责任单位）", headers, rows, bundles=bundles)


@pytest.fixture
def pages() -> list[Any]:
    return list(PdfReader(io.BytesIO(pdf_bytes("月报", "范围", [_metrics_like()]))).pages)


def test_no_number_or_interval_is_broken_across_lines(pages: list[Any]) -> None:
    ds = _metrics_like()
    figures = {str(c) for r in ds.rows for c in r if isinstance(c, (int, float))}
    for page in pages:
        lines = [ln.strip() for ln in page.extract_text().splitlines()]
        numeric = {ln for ln in lines if re.fullmatch(r"[\d.]+", ln)}
        assert numeric <= figures, numeric - figures
        assert all("20.7–100.0" in ln for ln in lines if "–" in ln)
    text = "\n".join(p.extract_text() for p in pages)
    assert text.count("100.0\n") + text.count("100.0 ") >= len(UNITS) * len(RATES)


def test_headers_do_not_wrap_one_character_per_line(pages: list[Any]) -> None:
    for page in pages:
        lines = [ln.strip() for ln in page.extract_text().splitlines()]
        single = [ln for ln in lines if len(ln) == 1 and re.match(r"[\u4e00-\u9fff]", ln)]
        assert single == []


def test_wide_table_is_split_into_landscape_column_groups_repeating_the_unit(
    pages: list[Any],
) -> None:
    text = "\n".join(p.extract_text() for p in pages)
    groups = text.count("诉求指标（2026年11月，按责任单位）")
    assert groups >= 2 and "(1/" in text
    for page in pages:
        box = page.mediabox
        assert box.width > box.height  # landscape
    for name in UNITS:  # the unit column is repeated in every group
        assert text.count(name) == groups
    for part in text.split("诉求指标（2026年11月，按责任单位）")[1:]:  # a rate keeps its interval
        assert part.replace("\n", "").count("率(%)") == part.count("95%区间")
    joined = text.replace("\n", "")  # a header may wrap onto two lines
    for r in RATES:  # every column is printed once, none dropped
        assert joined.count(f"{r}(%)") == 1


def test_narrow_tables_stay_on_one_page() -> None:
    ds = Dataset("x", "单位评分", ["单位", "总分"], [[u, 88.5] for u in UNITS])
    pdf = PdfReader(io.BytesIO(pdf_bytes("月报", "范围", [ds])))
    assert len(pdf.pages) == 1
    assert all(u in pdf.pages[0].extract_text() for u in UNITS)
