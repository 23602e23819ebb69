"""Fill writes a row only for a unit of the row's own level, and a total only from all its parts."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from qingzhuang.datastore import services
from qingzhuang.datastore.filling import template_for_file
from qingzhuang.datastore.models import DataElement
from qingzhuang.datastore.orgmatch import OrgMatcher
from qingzhuang.org.services import org_unit_create


def _community(org_tree: Any, name: str = "新华社区") -> Any:
    return org_unit_create(
        code="420000100203", name=name, level="community", parent=org_tree["town"], actor="t"
    )


def _csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def _fill(catalogue: Any, source: Path, output: Path) -> dict[str, Any]:
    template = template_for_file(path=source, actor="t")
    return services.fill_template(
        template=template,
        org_unit=catalogue["town"],
        period="2026",
        output=output,
        actor="t",
        source_path=source,
    ).as_dict()


def test_township_row_never_matches_a_community_of_the_same_name(org_tree: Any) -> None:
    xinhua = _community(org_tree)
    matcher = OrgMatcher.below(org_tree["town"])
    assert matcher.match("新华镇") is None
    assert matcher.match("新华乡") is None
    assert matcher.match("新华街道办事处") is None
    assert matcher.match("新华社区") == xinhua
    assert matcher.match("新华") == xinhua
    assert matcher.match("中共新华社区党总支部委员会") == xinhua
    assert matcher.match("新华居委会") == xinhua


def test_a_longer_name_that_starts_with_ours_is_another_place(org_tree: Any) -> None:
    """青山村小学 and 柳河林场 are a school and a forest farm, not 青山村 and 柳河村; a form
    may still shorten one of our names."""
    qingshan = _community(org_tree, "青山村")
    matcher = OrgMatcher.below(org_tree["town"])
    assert matcher.match("青山村小学") is None
    assert matcher.match("青山林场") is None
    assert matcher.match("青山") == qingshan


def test_a_village_row_is_not_the_township_of_the_same_name(org_tree: Any) -> None:
    matcher = OrgMatcher.below(org_tree["town"])
    assert not matcher.is_root("测试村")
    assert matcher.is_root("测试镇") and matcher.is_root("测试")


def test_county_matcher_tells_a_town_from_a_community_of_the_same_stem(org_tree: Any) -> None:
    town = org_unit_create(
        code="420000200001",
        name="新华镇",
        level="township",
        parent=org_tree["county"],
        actor="t",
    )
    community = _community(org_tree)
    matcher = OrgMatcher.below(org_tree["county"])
    assert matcher.match("新华镇") == town
    assert matcher.match("新华社区") == community
    assert matcher.match("新华居委会") == community


def _other_county_form(path: Path) -> Path:
    """Shape of the 2016 summary form: towns of another county with their numbers, a total."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "基层组织"
    ws["A1"] = "农村基层组织情况"
    ws["A3"], ws["B3"] = "指标名称", "户籍人口（人）"
    rows = [("合计", 67), ("松柏镇", 8), ("新华镇", 9), ("阳日镇", 50)]
    for i, (name, value) in enumerate(rows, start=4):
        ws.cell(i, 1, name)
        ws.cell(i, 2, value)
    wb.save(path)
    return path


def test_fill_leaves_another_countys_town_row_and_its_total_alone(
    catalogue: Any, tmp_path: Path
) -> None:
    xinhua = _community(catalogue)
    element = DataElement.objects.get(name="户籍人口")
    services.data_value_set(element=element, org_unit=xinhua, period="2026", value=1, actor="t")
    source = _other_county_form(tmp_path / "summary.xlsx")

    res = _fill(catalogue, source, tmp_path / "out.xlsx")

    ws = openpyxl.load_workbook(tmp_path / "out.xlsx")["基层组织"]
    assert [ws.cell(r, 2).value for r in range(4, 8)] == [67, 8, 9, 50]
    assert res["coverage"]["rows_matched"] == []
    assert res["coverage"]["cells_filled"] == 0


def test_total_is_not_rewritten_from_some_of_its_rows(catalogue: Any, tmp_path: Path) -> None:
    source = _csv(
        tmp_path / "mixed.csv",
        [["村名", "户籍人口（人）"], ["东村", "5"], ["北村", "7"], ["合计", "12"]],
    )

    res = _fill(catalogue, source, tmp_path / "out.csv")

    rows = list(csv.reader((tmp_path / "out.csv").open(encoding="utf-8-sig")))
    assert rows[1:] == [["东村", "1200"], ["北村", "7"], ["合计", "12"]]
    assert res["coverage"]["rows_matched"] == ["东村"]
    warning = next(w for w in res["warnings"] if "北村" in w)
    assert "合计" in warning and "测试镇" in warning
    field = next(f for f in res["fields"] if f["label"] == "户籍人口")
    assert "合计" in field["note"] and "北村" in field["note"]


def test_total_is_recomputed_when_every_row_is_ours(catalogue: Any, tmp_path: Path) -> None:
    source = _csv(
        tmp_path / "ours.csv",
        [["村名", "户籍人口（人）"], ["东村", "5"], ["西村", "7"], ["合计", "12"]],
    )

    res = _fill(catalogue, source, tmp_path / "out.csv")

    rows = list(csv.reader((tmp_path / "out.csv").open(encoding="utf-8-sig")))
    assert rows[1:] == [["东村", "1200"], ["西村", "800"], ["合计", "2000"]]
    assert res["warnings"] == []


def test_old_total_left_standing_over_a_column_with_a_gap_is_said(
    catalogue: Any, tmp_path: Path
) -> None:
    # the tester's GBK CSV: a template that already held numbers, one unit without a value
    element = DataElement.objects.get(name="耕地面积")
    services.data_value_set(
        element=element, org_unit=catalogue["village_a"], period="2026", value=1234, actor="t"
    )
    source = _csv(
        tmp_path / "old.csv",
        [["村名", "耕地面积（亩）"], ["东村", "3,200"], ["西村", "1,000.5"], ["合计", "6,300.5"]],
    )

    res = _fill(catalogue, source, tmp_path / "out.csv")

    rows = list(csv.reader((tmp_path / "out.csv").open(encoding="utf-8-sig")))
    assert rows[1:] == [["东村", "1234"], ["西村", "1,000.5"], ["合计", "6,300.5"]]
    field = next(f for f in res["fields"] if f["label"] == "耕地面积")
    assert field["status"] == "partial"
    assert "合计" in field["note"] and "未改动" in field["note"]


def _one_unit_sheet(ws: Any, title: str, label: str) -> None:
    ws["A1"] = title
    ws["A3"], ws["B3"], ws["C3"], ws["D3"] = "指标名称", "计量单位", "代码", "本年"
    ws["A4"], ws["B4"], ws["C4"], ws["D4"] = "甲", "乙", "丙", "1"
    ws["A5"], ws["B5"], ws["C5"] = label, "人", "1"


def test_fill_writes_a_one_unit_sheet_only_for_a_unit_of_its_level(
    catalogue: Any, tmp_path: Path
) -> None:
    source = tmp_path / "levels.xlsx"
    wb = openpyxl.Workbook()
    _one_unit_sheet(wb.active, "县(市)社会经济基本情况", "户籍人口")
    wb.active.title = "县"
    _one_unit_sheet(wb.create_sheet("乡"), "乡(镇)社会经济基本情况", "户籍人口")
    _one_unit_sheet(wb.create_sheet("村"), "村社会经济基本情况", "户籍人口")
    wb.save(source)

    res = _fill(catalogue, source, tmp_path / "out.xlsx")

    out = openpyxl.load_workbook(tmp_path / "out.xlsx")
    assert [out[name]["D5"].value for name in ("县", "乡", "村")] == [None, 2000, None]
    reasons = {f["sheet"]: f["reason"] for f in res["fields"]}
    assert "县(市)级" in reasons["县"] and "测试镇" in reasons["县"]
    assert "村级" in reasons["村"] and reasons["乡"] == ""


def _pending_pair(catalogue: Any, tmp_path: Path) -> Any:
    """Two new forms that both ask for 通宽带村数; nobody has confirmed the group yet."""
    from django.db import transaction

    from qingzhuang.reporting.services import redundancy_analyse, template_import

    templates = []
    for n, extra in enumerate(["自来水受益村数（个）", "敬老院个数（个）"]):
        path = _csv(
            tmp_path / f"new{n}.csv", [["村名", "通宽带村数（个）", extra], ["东村", "", ""]]
        )
        template = template_import(path=path, actor="t").template
        services.template_automap(template=template, actor="t")
        templates.append(template)
    with transaction.atomic():
        redundancy_analyse(actor="t")
    return templates[0]


def test_a_field_waiting_on_the_same_item_page_says_so(catalogue: Any, tmp_path: Path) -> None:
    template = _pending_pair(catalogue, tmp_path)

    res = services.fill_template(
        template=template,
        org_unit=catalogue["town"],
        period="2026",
        output=tmp_path / "out.csv",
        actor="t",
    ).as_dict()

    reasons = {f["label"]: f["reason"] for f in res["fields"]}
    assert "重复数据项" in reasons["通宽带村数"] and "只有这一张表" not in reasons["通宽带村数"]
    assert reasons["自来水受益村数"] == services.UNMAPPED_SINGLE


def test_fill_page_shows_why_a_total_was_left_alone(
    client: Any, catalogue: Any, tmp_path: Path
) -> None:
    from django.urls import reverse

    source = _csv(
        tmp_path / "mixed.csv",
        [["村名", "户籍人口（人）"], ["东村", ""], ["北村", "7"], ["合计", "12"]],
    )
    template = template_for_file(path=source, actor="t")
    assert client.login(username=catalogue["admin"].username, password=catalogue["password"])

    resp = client.post(
        reverse("datastore:fill"),
        {"template": template.pk, "org": catalogue["town"].code, "period": "2026"},
    )

    page = resp.content.decode()
    assert resp.status_code == 200
    assert "请核对" in page and "不属于测试镇的行（北村）" in page


def test_real_summary_form_keeps_shennongjias_xinhua_town_and_its_total(
    org_tree: Any, shared_data: Path, tmp_path: Path
) -> None:
    """The tester's case: 2016年农村统计年报汇总表 lists 神农架林区's towns, one of them 新华镇."""
    from qingzhuang.reporting.models import TemplateField
    from qingzhuang.reporting.services import template_import

    source = shared_data / "forms" / "2016年农村统计年报汇总表.xls"
    if not source.is_file():
        pytest.skip("summary form absent")
    xinhua = _community(org_tree)
    template = template_import(path=source, actor="t").template
    element = services.data_element_create(name="村民委员会", unit="个", actor="t")
    field = TemplateField.objects.get(
        template=template, sheet__name="农村基层组织及户数、人口、从业人员情况（一）", cell="H5"
    )
    services.field_map(field_obj=field, element=element, actor="t")
    services.data_value_set(element=element, org_unit=xinhua, period="2026", value=1, actor="t")

    res = services.fill_template(
        template=template,
        org_unit=org_tree["town"],
        period="2026",
        output=tmp_path / "out.xlsx",
        actor="t",
    ).as_dict()

    ws = openpyxl.load_workbook(tmp_path / "out.xlsx")[
        "农村基层组织及户数、人口、从业人员情况（一）"
    ]
    assert (ws["A19"].value, ws["H19"].value, ws["G19"].value) == ("新华镇", 9, None)
    assert ws["H11"].value == 67
    assert res["coverage"]["rows_matched"] == [] and res["coverage"]["cells_filled"] == 0


def test_qz_fill_prints_the_warnings_without_json(catalogue: Any, tmp_path: Path) -> None:
    import io

    from django.core.management import call_command

    source = _csv(
        tmp_path / "mixed.csv",
        [["村名", "户籍人口（人）"], ["东村", "5"], ["北村", "7"], ["合计", "12"]],
    )
    out = io.StringIO()
    call_command(
        "fill",
        str(source),
        "--org",
        catalogue["town"].code,
        "--period",
        "2026",
        "--output",
        str(tmp_path / "out.csv"),
        stdout=out,
    )
    assert "请核对" in out.getvalue() and "北村" in out.getvalue()
