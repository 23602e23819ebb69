from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_login_page_is_chinese_and_has_no_inline_script(client: Client) -> None:
    response = client.get("/accounts/login/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "登录轻装" in body and 'lang="zh-hans"' in body
    assert "<script>" not in body
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_home_requires_login(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_login_then_home_shows_role(org_tree: dict[str, Any], client: Client) -> None:
    response = client.post(
        "/accounts/login/", {"username": "town_admin", "password": org_tree["password"]}
    )
    assert response.status_code == 302
    body = client.get("/").content.decode()
    assert "镇党政办管理员" in body


def test_brute_force_locks_account(org_tree: dict[str, Any], client: Client) -> None:
    for _ in range(5):
        client.post("/accounts/login/", {"username": "worker_a", "password": "wrong-password"})
    response = client.post(
        "/accounts/login/", {"username": "worker_a", "password": org_tree["password"]}
    )
    assert response.status_code == 429
    assert "锁定" in response.content.decode()


def test_not_found_page_is_friendly_chinese(client: Client) -> None:
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_english_can_be_selected(org_tree: dict[str, Any], client: Client) -> None:
    client.login(username="town_admin", password=org_tree["password"])
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = client.get("/").content.decode()
    assert 'lang="en"' in body
    assert "Log out" in body
    # each language is offered in its own name, so a reader of either can find it
    for code, name in (("zh-hans", "简体中文"), ("en", "English")):
        assert f'lang="{code}"' in body.split('id="lang-select"')[1].split("</select>")[0]
        assert f">{name}</option>" in body


def test_home_cards_are_translated_to_english(org_tree: dict[str, Any], client: Client) -> None:
    import re

    from django.test import RequestFactory
    from django.utils import translation

    from qingzhuang.core.home import home_cards

    request = RequestFactory().get("/")
    request.user = org_tree["admin"]
    with translation.override("en"):
        cards = home_cards(request)
    assert len(cards) >= 4
    han = re.compile(r"[\u4e00-\u9fff]")
    untranslated = [
        str(c[k]) for c in cards for k in ("title", "text", "figure") if han.search(str(c.get(k)))
    ]
    assert untranslated == []


def test_nav_shows_only_permitted_pages(org_tree: dict[str, Any], client: Client) -> None:
    client.login(username="worker_a", password=org_tree["password"])
    body = client.get("/").content.decode()
    assert "/audit/" not in body
    client.logout()
    client.login(username="town_admin", password=org_tree["password"])
    assert "/audit/" in client.get("/").content.decode()


def test_logout_requires_post_with_csrf(org_tree: dict[str, Any]) -> None:
    client = Client(enforce_csrf_checks=True)
    client.login(username="town_admin", password=org_tree["password"])
    response = client.post("/accounts/logout/")
    assert response.status_code == 403
    assert "页面已过期" in response.content.decode()


def test_password_change(org_tree: dict[str, Any], client: Client) -> None:
    client.login(username="worker_a", password=org_tree["password"])
    response = client.post(
        "/accounts/password/",
        {
            "old_password": org_tree["password"],
            "new_password1": "a-much-better-pass-9",
            "new_password2": "a-much-better-pass-9",
        },
    )
    assert response.status_code == 302
    client.logout()
    assert client.login(username="worker_a", password="a-much-better-pass-9")


def test_password_pages_are_the_products_own(org_tree: dict[str, Any], client: Client) -> None:
    """Django admin ships templates with the same names; a village worker must not land on
    "Django 管理" with a link to an admin site they may not use."""
    client.login(username="worker_a", password=org_tree["password"])
    for url in ("/accounts/password/", "/accounts/password/done/"):
        body = client.get(url).content.decode()
        assert 'class="brand"' in body, url
        assert "Django" not in body and 'href="/admin/"' not in body, url
    wrong = client.post(
        "/accounts/password/",
        {
            "old_password": "not-it",
            "new_password1": "x-9-long-pass",
            "new_password2": "x-9-long-pass",
        },
    ).content.decode()
    assert 'class="error" role="alert"' in wrong and "旧密码" in wrong


def test_browser_language_does_not_override_chinese_default(client: Client) -> None:
    body = client.get("/accounts/login/", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert "登录轻装" in body.content.decode()


def test_favicon_ico_points_at_the_icon_and_healthz_answers(client: Client) -> None:
    resp = client.get("/favicon.ico")
    assert resp.status_code == 302 and resp["Location"].endswith("core/favicon.svg")
    from django.contrib.staticfiles import finders

    assert finders.find("core/favicon.svg")
    assert client.get("/healthz").json() == {"status": "ok"}
