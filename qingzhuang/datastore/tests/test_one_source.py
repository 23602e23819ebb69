"""一数一源: automatic mapping never makes another element for a name the store already has."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from qingzhuang.datastore import services
from qingzhuang.datastore.harvesting import elements_for_unmapped
from qingzhuang.datastore.models import DataElement, DataValue, FieldMapping
from qingzhuang.reporting.models import TemplateField
from qingzhuang.reporting.services import template_import


def _csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def _hj() -> DataElement:
    """The element the catalogue fixture built from three forms (it holds the values)."""
    return DataElement.objects.filter(name="户籍人口", mappings__isnull=False).distinct().get()


def _second_hj(code: str = "A_POP_TOTAL") -> DataElement:
    """What the evaluation demo does: another element that is also called 户籍人口."""
    return services.data_element_create(code=code, name="户籍人口", unit="人", actor="t")


def test_harvest_with_two_same_named_elements_links_the_one_with_values(
    catalogue: Any, tmp_path: Path
) -> None:
    owner = _hj()
    other = _second_hj()
    path = _csv(
        tmp_path / "pop.csv",
        [["村名", "户籍人口", "外出务工人数"], ["东村", "1200", "30"], ["西村", "800", "20"]],
    )

    res = services.harvest_file(
        path=path, org_unit=catalogue["town"], period="2026", actor="t"
    ).as_dict()

    assert DataElement.objects.filter(name="户籍人口").count() == 2
    assert res["unchanged"] == 2  # 1200 and 800 are the values the owner already holds
    assert not DataValue.objects.filter(element=other).exists()
    assert res["ambiguous_elements"] == [
        {"name": "户籍人口", "used": owner.code, "others": [other.code]}
    ]
    assert any(owner.code in w and other.code in w for w in res["warnings"])
    assert DataElement.objects.filter(name="外出务工人数").count() == 1


def test_automap_picks_the_element_with_more_values_over_a_lower_code(
    catalogue: Any, tmp_path: Path
) -> None:
    owner = _hj()
    _second_hj(code="A_POP_TOTAL")  # sorts before DE…, but holds no values
    path = _csv(tmp_path / "pop2.csv", [["单位", "户籍人口"], ["东村", ""], ["西村", ""]])
    template = template_import(path=path, actor="t").template

    assert services.template_automap(template=template, actor="t") == 1

    mapping = FieldMapping.objects.get(field__template=template)
    assert mapping.element == owner


def test_automap_with_no_values_anywhere_picks_the_lowest_code(
    org_tree: Any, tmp_path: Path
) -> None:
    first = services.data_element_create(code="P2", name="常住人口", unit="人", actor="t")
    services.data_element_create(code="P1", name="常住人口", unit="人", actor="t")
    path = _csv(tmp_path / "res.csv", [["村名", "常住人口（人）"], ["东村", ""]])
    template = template_import(path=path, actor="t").template

    services.template_automap(template=template, actor="t")

    assert FieldMapping.objects.get(field__template=template).element.code == "P1"  # type: ignore[union-attr]
    assert first.code == "P2"


def test_unmapped_field_is_linked_to_an_element_that_already_has_its_name(
    org_tree: Any, tmp_path: Path
) -> None:
    existing = services.data_element_create(
        code="X1", name="外出务工人数", aliases=["外出务工人员"], unit="人", actor="t"
    )
    path = _csv(
        tmp_path / "work.csv",
        [["村名", "外出务工人数", "外出务工人员", "新项目"], ["东村", "", "", ""]],
    )
    template = template_import(path=path, actor="t").template
    fields = list(TemplateField.objects.filter(template=template).order_by("position"))

    created = elements_for_unmapped(template, fields, "t")

    by_label = {f.label: FieldMapping.objects.get(field=f).element for f in fields}
    assert by_label["外出务工人数"] == existing
    assert by_label["新项目"] is not None and by_label["新项目"] != existing
    # the same form asking twice is two different things: the alias match is not reused here
    assert by_label["外出务工人员"] not in (None, existing)
    assert created == 2
    assert DataElement.objects.filter(name="外出务工人数").count() == 1
