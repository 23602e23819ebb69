"""The merge page: choose a target, see what moves, confirm (and the refusals)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from qingzhuang.datastore import services
from qingzhuang.datastore.models import DataElement, DataValue
from qingzhuang.datastore.tests.test_element_admin_pages import html, login


@pytest.fixture
def pair(org_tree: dict[str, Any]) -> dict[str, Any]:
    admin = org_tree["admin"]
    keep = services.element_create(actor=admin, name="户籍人口", unit="人")
    dup = services.element_create(actor=admin, name="户籍总人口", unit="人")
    for element, value in ((keep, 1200), (dup, 1210)):
        services.data_value_set(
            element=element,
            org_unit=org_tree["village_a"],
            period="2025",
            value=value,
            actor="test",
            validate=False,
        )
    return {"keep": keep, "dup": dup, **org_tree}


def test_element_page_links_to_merge(client: Client, pair: Any) -> None:
    login(client, pair, "admin")
    text = html(client.get(reverse("datastore:element_edit", args=[pair["dup"].pk])))
    assert reverse("datastore:element_merge", args=[pair["dup"].pk]) in text


def test_preview_lists_candidates_and_the_numbers_that_differ(client: Client, pair: Any) -> None:
    login(client, pair, "admin")
    url = reverse("datastore:element_merge", args=[pair["dup"].pk])
    text = html(client.get(url))
    assert "户籍人口" in text and 'name="keep_target"' not in text
    resp = client.get(url, {"into": pair["keep"].pk})
    text = html(resp)
    assert resp.status_code == 200
    assert "1,210" in text and "1,200" in text and 'name="keep_target"' in text
    assert DataElement.objects.filter(pk=pair["dup"].pk).exists()


def test_confirm_without_choice_refuses_and_keeps_both(client: Client, pair: Any) -> None:
    login(client, pair, "admin")
    url = reverse("datastore:element_merge", args=[pair["dup"].pk])
    resp = client.post(url, {"into": pair["keep"].pk})
    assert resp.status_code == 409
    assert "不一样" in html(resp)
    assert DataElement.objects.filter(pk=pair["dup"].pk).exists()


def test_confirm_keeping_the_target_merges_and_redirects(client: Client, pair: Any) -> None:
    login(client, pair, "admin")
    url = reverse("datastore:element_merge", args=[pair["dup"].pk])
    resp = client.post(url, {"into": pair["keep"].pk, "keep_target": "1"})
    assert resp.status_code == 302
    assert resp["Location"] == reverse("datastore:element_edit", args=[pair["keep"].pk])
    assert not DataElement.objects.filter(pk=pair["dup"].pk).exists()
    assert DataValue.objects.get(element=pair["keep"]).value == 1200


@pytest.mark.parametrize("into", ["999999", "abc"])
def test_unknown_target_is_a_plain_404(client: Client, pair: Any, into: str) -> None:
    login(client, pair, "admin")
    url = reverse("datastore:element_merge", args=[pair["dup"].pk])
    resp = client.post(url, {"into": into})
    assert resp.status_code == 404 and "找不到要合并进去的数据元" in html(resp)


def test_village_worker_cannot_merge(client: Client, pair: Any) -> None:
    login(client, pair, "worker_a")
    url = reverse("datastore:element_merge", args=[pair["dup"].pk])
    assert client.post(url, {"into": pair["keep"].pk, "keep_target": "1"}).status_code == 403
    assert DataElement.objects.filter(pk=pair["dup"].pk).exists()
