"""数据填报 with two people on one village: a stale page never replaces a number someone saved
after it was opened, and a refused save keeps what was typed."""

from __future__ import annotations

import re
from decimal import Decimal
from html import unescape
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from qingzhuang.core.errors import Conflict
from qingzhuang.datastore import services
from qingzhuang.datastore.entering import data_entry_save
from qingzhuang.datastore.models import DataElement, DataValue, ValueType


def login(client: Client, tree: dict[str, Any], who: str) -> Client:
    assert client.login(username=tree[who].username, password=tree["password"])
    return client


def _code(name: str) -> str:
    return DataElement.objects.get(name=name).code


def _page(client: Client, tree: Any, period: str = "2026") -> dict[str, str]:
    """The entry page's hidden "was_" inputs, as a browser would post them back."""
    html = client.get(
        reverse("datastore:entry"), {"org": tree["village_a"].code, "period": period}
    ).content.decode()
    return dict(re.findall(r'name="(was_[^"]+)" value="([^"]*)"', html))


def _post(client: Client, tree: Any, fields: dict[str, str], period: str = "2026") -> Any:
    data = {"org": tree["village_a"].code, "period": period, **fields}
    return client.post(reverse("datastore:entry"), data)


def _stored(tree: Any, name: str, period: str = "2026") -> Decimal | None:
    row = DataValue.objects.filter(
        element__name=name, org_unit=tree["village_a"], period=period
    ).first()
    return None if row is None else row.value


def _other_person_saves(tree: Any, name: str, value: str, period: str = "2026") -> None:
    data_entry_save(
        org_unit=tree["village_a"],
        period=period,
        typed={_code(name): value},
        seen={},
        actor=tree["admin"],
    )


def test_new_value_typed_on_a_stale_page_does_not_replace_one_saved_meanwhile(
    client: Client, catalogue: Any
) -> None:
    login(client, catalogue, "worker_a")
    code = _code("耕地面积")
    seen = _page(client, catalogue)
    assert seen[f"was_{code}"] == ""  # still asked for
    _other_person_saves(catalogue, "耕地面积", "2100")

    resp = _post(client, catalogue, {**seen, f"v_{code}": "2150"})

    assert resp.status_code == 409
    assert _stored(catalogue, "耕地面积") == Decimal("2100")
    text = unescape(resp.content.decode())
    assert "已被他人填写或修改" in text and "“耕地面积”（现在是 2,100）" in text
    assert f'name="v_{code}" inputmode="decimal" size="8" ' in text  # now a known number
    assert 'value="2150"' not in text  # not put back where saving again would overwrite


def test_correction_on_a_stale_page_is_refused_and_nothing_is_saved(
    client: Client, catalogue: Any
) -> None:
    login(client, catalogue, "worker_a")
    hj, area = _code("户籍人口"), _code("耕地面积")
    seen = _page(client, catalogue)
    assert seen[f"was_{hj}"] == "1200"
    _other_person_saves(catalogue, "户籍人口", "1250")

    resp = _post(client, catalogue, {**seen, f"v_{hj}": "1300", f"v_{area}": "350"})

    assert resp.status_code == 409
    assert _stored(catalogue, "户籍人口") == Decimal("1250")
    assert _stored(catalogue, "耕地面积") is None  # all or nothing
    text = unescape(resp.content.decode())
    assert "“户籍人口”（现在是 1,250）" in text
    assert f'name="v_{area}" inputmode="decimal" value="350"' in text  # the rest is kept


def test_current_page_still_saves_new_values_and_corrections(
    client: Client, catalogue: Any
) -> None:
    login(client, catalogue, "worker_a")
    hj, area = _code("户籍人口"), _code("耕地面积")
    seen = _page(client, catalogue)
    resp = _post(client, catalogue, {**seen, f"v_{hj}": "1300", f"v_{area}": "350"})
    assert resp.status_code == 200
    assert (_stored(catalogue, "户籍人口"), _stored(catalogue, "耕地面积")) == (
        Decimal("1300"),
        Decimal("350"),
    )


def test_typing_the_number_someone_just_saved_is_no_conflict(
    client: Client, catalogue: Any
) -> None:
    login(client, catalogue, "worker_a")
    code = _code("耕地面积")
    seen = _page(client, catalogue)
    _other_person_saves(catalogue, "耕地面积", "2100")
    resp = _post(client, catalogue, {**seen, f"v_{code}": "2,100"})
    assert resp.status_code == 200
    assert _stored(catalogue, "耕地面积") == Decimal("2100")


def test_service_refuses_an_item_merged_away_instead_of_skipping_it(catalogue: Any) -> None:
    with pytest.raises(Conflict, match="已被合并或删除"):
        data_entry_save(
            org_unit=catalogue["village_a"],
            period="2026",
            typed={"DE09999": "5"},
            seen={"DE09999": ""},
            actor=catalogue["admin"],
        )


def test_typed_numbers_stay_in_their_boxes_after_a_validation_error(
    client: Client, catalogue: Any
) -> None:
    login(client, catalogue, "worker_a")
    people, area = _code("户籍人口"), _code("耕地面积")
    fields = {f"v_{people}": "1500", f"v_{area}": "-1"}
    resp = _post(client, catalogue, {**_page(client, catalogue, "2027"), **fields}, "2027")
    assert resp.status_code == 400
    text = resp.content.decode()
    assert f'name="v_{people}" inputmode="decimal" value="1500"' in text
    assert f'name="v_{area}" inputmode="decimal" value="-1"' in text
    assert "数值不能为负数" in text
    assert _stored(catalogue, "户籍人口", "2027") is None


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("１，２３４．５", "1234.5"), ("\u3000＋１２\u3000", "12"), ("2,345.5亩", "2345.5")],
)
def test_numbers_typed_with_a_chinese_input_method_are_saved(
    client: Client, catalogue: Any, typed: str, stored: str
) -> None:
    login(client, catalogue, "worker_a")
    resp = _post(client, catalogue, {f"v_{_code('耕地面积')}": typed})
    assert resp.status_code == 200
    assert _stored(catalogue, "耕地面积") == Decimal(stored)


@pytest.mark.parametrize(
    ("typed", "message"),
    [("1e3", "科学计数法"), ("50%", "百分数"), ("12,5", "逗号位置不对")],
)
def test_entry_refuses_exponent_percent_and_odd_commas_plainly(
    client: Client, catalogue: Any, typed: str, message: str
) -> None:
    login(client, catalogue, "worker_a")
    code = _code("耕地面积")
    resp = _post(client, catalogue, {f"v_{code}": typed})
    assert resp.status_code == 400
    text = unescape(resp.content.decode())
    assert message in text and f'name="v_{code}" inputmode="decimal" value="{typed}"' in text
    assert _stored(catalogue, "耕地面积") is None


def test_entry_refuses_a_fraction_for_an_integer_element(client: Client, catalogue: Any) -> None:
    element = DataElement.objects.get(name="低保户数")
    services.element_update(
        actor="test",
        element=element,
        name=element.name,
        aliases=element.aliases,
        definition=element.definition,
        unit=element.unit,
        value_type=ValueType.INTEGER,
        period_type=element.period_type,
        owner=element.owner,
        additive=element.additive,
    )
    login(client, catalogue, "worker_a")
    resp = _post(client, catalogue, {f"v_{element.code}": "12.5"}, "2027")
    assert resp.status_code == 400
    assert "要填整数，不能有小数（填的是 12.5）" in resp.content.decode()
    assert _stored(catalogue, "低保户数", "2027") is None
