"""Same-item suggestions respect what a sheet title says (QA finding #10).

The redundancy page and ``qz forms match`` must hand the sheet title to the engine: on the
real forms "设施农业生产情况" and "畜禽规模养殖情况" state only in their title that every
field is a greenhouse or scale-farm figure.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.management import call_command

from qingzhuang.matching.units import parse_unit
from qingzhuang.reporting import services
from qingzhuang.reporting.models import Concept, TemplateField


def titled_xlsx(path: Path, title: str, columns: list[str]) -> Path:
    """A village table whose title row is the only place that names what is counted."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "表1"
    ws["A1"] = title
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=2 + len(columns))
    ws["A2"] = "填报单位：测试镇人民政府"
    ws.append(["序号", "村名", *columns])
    for i, village in enumerate(["东村", "西村"], start=1):
        ws.append([i, village, *([None] * len(columns))])
    wb.save(path)
    return path


def _grouped(a: TemplateField, b: TemplateField) -> bool:
    return Concept.objects.filter(members=a).filter(members=b).exists()


@pytest.mark.django_db
def test_greenhouse_sheet_is_not_grouped_with_all_area_by_its_title(tmp_path: Path) -> None:
    columns = ["黄瓜播种面积（亩）", "西红柿播种面积（亩）"]
    greenhouse, veg, veg2 = (
        services.template_import(path=titled_xlsx(tmp_path / f"{n}.xlsx", t, columns), actor="t")
        for n, t in enumerate(["设施农业生产情况", "蔬菜生产情况", "蔬菜种植情况"])
    )
    services.redundancy_analyse(actor="t")

    def cucumber(res: services.ImportResult) -> TemplateField:
        return res.template.fields.get(label__startswith="黄瓜")

    assert _grouped(cucumber(veg), cucumber(veg2))
    assert not _grouped(cucumber(greenhouse), cucumber(veg))
    assert not _grouped(cucumber(greenhouse), cucumber(veg2))


@pytest.fixture
def real_forms(shared_data: Path) -> list[Path]:
    forms = sorted((shared_data / "forms").glob("*.xls"))
    if len(forms) < 2:
        pytest.skip("the two real .xls forms are not in shared data")
    return forms


def _match(paths: list[Path]) -> list[dict[str, Any]]:
    out = io.StringIO()
    call_command("forms", "match", *map(str, paths), "--json", stdout=out)
    concepts: list[dict[str, Any]] = json.loads(out.getvalue())["concepts"]
    return concepts


# Groups the QA tester found on the real forms: (sheet, cell) pairs that are different items.
BAD_PAIRS = [
    # 外来从业人员数 (migrant workers) vs 农林牧渔场从业人员合计 / 乡村从业人员数
    (("乡_镇_社会经济基本情况", "A33"), ("农村基层组织及户数、人口、从业人员情况_二）", "I6")),
    (("乡_镇_社会经济基本情况", "A33"), ("农村基层组织及户数、人口、从业人员情况（一）", "U5")),
    # 一、水产品产量 (total) vs 4.其它类 (its "other" part)
    (("渔 业 生 产 情 况", "A8"), ("渔业生产情况", "H6")),
    # 油菜 sown area vs 设施农业 油菜 (greenhouse only)
    (("经 济 作 物 生 产 情 况", "C34"), ("设施农业生产情况", "H4")),
    # 能繁母牛 (all cattle) vs 畜禽规模养殖情况 (scale farms only)
    (("主 要 畜 禽 生 产 情 况", "A14"), ("畜禽规模养殖情况", "K4")),
    # 苹果 harvested vs 当年零星植果树 苹果 (trees planted, 百株)
    (("茶叶、水果及食用坚果生产情况", "A18"), ("年末茶叶水果园情况", "O5")),
    # 可比价 vs 现价 output value of poultry
    (("农 林 牧 渔 业 总 产 值", "D72"), ("农林牧渔业总产值年度计算表", "H104")),
    # 现价 output value vs 缩减指数
    (("农 林 牧 渔 业 总 产 值", "D9"), ("农林牧渔业总产值年度计算表", "H9")),
    # 三、其他肉产量 vs 八、禽肉产量
    (("非 主 要 畜 禽 生 产 情 况", "D14"), ("畜 禽 水 产 季 节 报", "D18")),
    # 其他畜牧业 output vs 其它畜牧业用种 (seed used)
    (("农林牧渔业总产值年度计算表", "H110"), ("农 林 牧 渔 业 增 加 值 计 算 表", "E43")),
    # 其中：冬油菜籽 (oilseed) vs 油 菜 (leafy vegetable)
    (("经济作物生产情况季节报表", "C14"), ("经 济 作 物 生 产 情 况", "C34")),
]


@pytest.mark.parametrize("reverse", [False, True], ids=["summary-first", "system-first"])
def test_real_forms_no_longer_group_the_reported_different_items(
    real_forms: list[Path], reverse: bool
) -> None:
    concepts = _match(list(reversed(real_forms)) if reverse else real_forms)
    assert len(concepts) > 300
    for concept in concepts:
        cells = {(f["sheet"], f["cell"]) for f in concept["fields"]}
        for a, b in BAD_PAIRS:
            assert not (a in cells and b in cells), concept
        dimensions = {parse_unit(f["unit"]).dimension for f in concept["fields"] if f["unit"]}
        assert len(dimensions) <= 1, concept
        greenhouse = {"设施" in f["sheet"].replace(" ", "") for f in concept["fields"]}
        assert len(greenhouse) == 1, concept
