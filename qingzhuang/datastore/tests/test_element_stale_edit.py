"""Two people editing one data element: a save from a page opened before the other person's
change is refused (aliases drive harvest matching), and the typed input stays on the page."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from qingzhuang.audit.models import AuditEntry
from qingzhuang.core.errors import Conflict
from qingzhuang.datastore import services
from qingzhuang.datastore.catalogue import element_fingerprint
from qingzhuang.datastore.models import DataElement

STALE = "这一项在您打开后已被他人修改，请刷新页面查看最新内容后再改。"


def login(client: Client, tree: dict[str, Any], who: str) -> Client:
    assert client.login(username=tree[who].username, password=tree["password"])
    return client


@pytest.fixture
def element(org_tree: Any) -> DataElement:
    return services.element_create(actor=org_tree["admin"], name="村集体经济收入", unit="万元")


def _opened(client: Client, element: DataElement) -> dict[str, str]:
    """The edit page's form as a browser would post it back unchanged."""
    html = unescape(
        client.get(reverse("datastore:element_edit", args=[element.pk])).content.decode()
    )
    fingerprint = re.search(r'name="fingerprint" value="([0-9a-f]+)"', html)
    assert fingerprint is not None
    return {
        "name": element.name,
        "aliases": "\n".join(element.aliases),
        "definition": element.definition,
        "unit": element.unit,
        "value_type": element.value_type,
        "period_type": element.period_type,
        "owner": "",
        "additive": "on",
        "fingerprint": fingerprint.group(1),
    }


def test_stale_page_cannot_wipe_aliases_saved_meanwhile(
    client: Client, org_tree: Any, element: DataElement
) -> None:
    login(client, org_tree, "admin")
    a, b = _opened(client, element), _opened(client, element)
    url = reverse("datastore:element_edit", args=[element.pk])

    assert client.post(url, {**a, "aliases": "集体收入\n村集体收入"}).status_code == 302
    resp = client.post(url, {**b, "definition": "当年村集体经营、发包等收入合计"})

    assert resp.status_code == 409
    element.refresh_from_db()
    assert element.aliases == ["集体收入", "村集体收入"] and element.definition == ""
    text = unescape(resp.content.decode())
    assert STALE in text
    assert "当年村集体经营、发包等收入合计" in text  # B's typing is kept on the page
    assert f'value="{b["fingerprint"]}"' in text  # and saving again is refused again
    assert AuditEntry.objects.filter(action="datastore.element.update").count() == 1


def test_current_page_saves(client: Client, org_tree: Any, element: DataElement) -> None:
    login(client, org_tree, "admin")
    url = reverse("datastore:element_edit", args=[element.pk])
    first = client.post(url, {**_opened(client, element), "aliases": "集体收入"})
    element.refresh_from_db()  # the page opened again shows the new aliases
    second = client.post(url, {**_opened(client, element), "definition": "口径"})
    assert (first.status_code, second.status_code) == (302, 302)
    element.refresh_from_db()
    assert (element.aliases, element.definition) == (["集体收入"], "口径")


def test_change_made_around_the_edit_page_also_makes_it_stale(
    org_tree: Any, element: DataElement
) -> None:
    fingerprint = element_fingerprint(element=element)
    element.aliases = ["集体收入"]  # as concept acceptance adds aliases
    element.save(update_fields=["aliases"])
    with pytest.raises(Conflict, match="已被他人修改"):
        services.element_update(
            actor=org_tree["admin"],
            element=element,
            name=element.name,
            aliases=[],
            definition="",
            unit=element.unit,
            value_type=element.value_type,
            period_type=element.period_type,
            owner=None,
            additive=True,
            expected_fingerprint=fingerprint,
        )
    element.refresh_from_db()
    assert element.aliases == ["集体收入"]


def test_new_element_page_has_no_fingerprint(client: Client, org_tree: Any) -> None:
    login(client, org_tree, "admin")
    html = client.get(reverse("datastore:element_new")).content.decode()
    assert 'name="fingerprint"' not in html and 'name="name"' in html
