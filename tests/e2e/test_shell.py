from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.browser import login, new_page

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_login_and_home_in_chinese(browser: Any, live_server: Any, shot: Any) -> None:
    from qingzhuang.org.tests.factories import build_org_tree

    tree = build_org_tree()
    errors: list[str] = []
    page = new_page(browser, errors)
    login(page, live_server.url, "town_admin", tree["password"])
    assert "您好" in page.inner_text("h1")
    shot(page, "home-desktop")
    assert errors == [], errors


def test_phone_menu_toggles(browser: Any, live_server: Any, shot: Any) -> None:
    from qingzhuang.org.tests.factories import build_org_tree

    tree = build_org_tree()
    errors: list[str] = []
    page = new_page(browser, errors, phone=True)
    login(page, live_server.url, "town_admin", tree["password"])
    assert not page.is_visible("#mainnav")
    page.click(".menu-toggle")
    assert page.is_visible("#mainnav")
    shot(page, "home-phone-menu")
    assert errors == [], errors
