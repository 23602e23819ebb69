"""The log on a phone: entries become cards instead of a table squeezed to one character a line."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.browser import login, new_page

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

_SQUEEZED = """() => {
  const out = [];
  if (document.documentElement.scrollWidth > window.innerWidth) out.push('page');
  const box = document.querySelector('.table-wrap');
  if (box.scrollWidth > box.clientWidth + 1) out.push('table scrolls');
  document.querySelectorAll('td.action').forEach((td) => {
    const line = parseFloat(getComputedStyle(td).lineHeight) || 24;
    if (td.getBoundingClientRect().height > line * 3) out.push('squeezed ' + td.innerText);
  });
  return out;
}"""


def test_log_fits_a_phone(browser: Any, live_server: Any, shot: Any) -> None:
    from django.db import transaction

    from qingzhuang.audit.services import audit_record
    from qingzhuang.org.tests.factories import build_org_tree

    tree = build_org_tree()
    with transaction.atomic():
        for action in ("duties.task.register", "service_requests.work_order.sla_flag"):
            audit_record(
                actor=tree["admin"],
                action=action,
                object_type="x.Y",
                object_repr="对辖区小餐馆开展食品安全抽检并每周上报抽检结果_VILLAGE_NEGATIVE",
            )
    errors: list[str] = []
    page = new_page(browser, errors, phone=True)
    page.add_init_script("localStorage.setItem('qz-walkthrough-done:township_admin', '1');")
    login(page, live_server.url, "town_admin", tree["password"])
    page.goto(f"{live_server.url}/audit/")
    assert page.locator("td.action").count() > 0
    assert page.evaluate(_SQUEEZED) == []
    shot(page, "audit-log-phone")
    assert errors == [], errors
