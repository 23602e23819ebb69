"""Browser tests on a phone-sized viewport: walkthrough, certificate lookup, voice recorder."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.browser import login, new_page

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_walkthrough_runs_once_on_phone(media_browser: Any, live_server: Any, shot: Any) -> None:
    from qingzhuang.org.models import User
    from qingzhuang.org.tests.factories import build_org_tree

    tree = build_org_tree()
    errors: list[str] = []
    page = new_page(media_browser, errors, phone=True)
    login(page, live_server.url, "worker_a", tree["password"])
    page.goto(f"{live_server.url}/duties/help/")
    box = page.locator(".qz-wt")
    box.wait_for(state="visible")
    assert "欢迎使用轻装" in box.inner_text()
    shot(page, "duties-walkthrough-phone")
    for _ in range(20):
        button = page.locator(".qz-wt-next")
        if button.inner_text() == "我知道了":
            button.click()
            break
        button.click()
    assert not box.is_visible()
    page.wait_for_function(
        "() => localStorage.getItem('qz-walkthrough-done:village_worker') === '1'"
    )
    page.wait_for_timeout(300)  # let the POST finish; no timing is asserted
    assert User.objects.get(username="worker_a").seen_walkthrough is True
    page.reload()
    page.wait_for_load_state("load")
    assert not page.locator(".qz-wt").is_visible()
    page.click("[data-walkthrough-start]")
    assert page.locator(".qz-wt").is_visible()
    assert errors == [], errors


def test_certificate_lookup_on_phone(media_browser: Any, live_server: Any, shot: Any) -> None:
    from qingzhuang.duties.models import Certificate

    # transactional tests start from an empty database: add the entry the lookup needs
    Certificate.objects.get_or_create(
        name="无犯罪记录证明",
        defaults={"village_may_issue": False, "where_instead": "到公安机关（派出所）申请。"},
    )
    errors: list[str] = []
    page = new_page(media_browser, errors, phone=True)
    page.goto(f"{live_server.url}/duties/certificates/")
    page.fill("#id_q", "无犯罪记录证明")
    page.click("button.primary")
    page.wait_for_selector(".answer")
    text = page.inner_text(".answer")
    assert "村里不能开" in text and "公安机关" in text
    shot(page, "duties-certificate-phone")
    assert errors == [], errors


def test_voice_recorder_records_and_uploads(
    media_browser: Any, live_server: Any, shot: Any
) -> None:
    errors: list[str] = []
    page = new_page(media_browser, errors, phone=True)
    page.goto(f"{live_server.url}/duties/help/voice/")
    page.click(".qz-voice-start")
    page.wait_for_selector(".qz-voice-stop:not([hidden])")
    page.wait_for_function(
        "() => !document.querySelector('.qz-voice-clock').textContent.startsWith('0:00')"
    )
    page.click(".qz-voice-stop")
    page.wait_for_selector(".qz-voice-preview:not([hidden])")
    assert page.evaluate("() => document.querySelector('#id_voice').files.length") == 1
    shot(page, "duties-voice-phone")
    page.click("#voice-form button[type=submit]")
    page.wait_for_selector("#voice-result")
    assert "录音正常" in page.inner_text("#voice-result")
    assert errors == [], errors


# A table or button is "broken" on a phone when the page (or a table's box) scrolls sideways,
# or when a button's words wrap one character per line.
_OVERFLOW = """() => {
  const wide = [];
  if (document.documentElement.scrollWidth > window.innerWidth) wide.push('page');
  document.querySelectorAll('main table').forEach((t, i) => {
    const box = t.parentElement;
    if (box.scrollWidth > box.clientWidth + 1) wide.push('table ' + i);
  });
  document.querySelectorAll('main button, main a.button, main td a').forEach((b) => {
    if (b.offsetParent === null) return;
    const line = parseFloat(getComputedStyle(b).lineHeight) || 24;
    const padding = parseFloat(getComputedStyle(b).paddingTop) * 2;
    if (b.getBoundingClientRect().height > line * 1.6 + padding && b.innerText.length <= 4)
      wide.push('wrapped ' + b.innerText);
  });
  return wide;
}"""


def test_task_and_list_tables_fit_a_phone(browser: Any, live_server: Any, shot: Any) -> None:
    from qingzhuang.duties import services
    from qingzhuang.duties.models import ListKind
    from qingzhuang.org.tests.factories import build_org_tree

    tree = build_org_tree()
    for issuer, title in (
        ("示范县市场监督管理局食品安全科", "对辖区小餐馆开展食品安全抽检并每周上报抽检结果"),
        ("<script>alert(1)</script>", "<img src=x onerror=alert(2)>拍照打卡"),
    ):
        services.village_task_register(
            actor=tree["worker_a"], org_unit=tree["village_a"], issuer=issuer, title=title
        )
    services.work_item_save(
        actor=tree["admin"],
        list_kind=ListKind.DUTY,
        name="制定和执行村规民约",
        keywords="村规民约,移风易俗,红白理事会,道德评议会,禁毒禁赌会",
        legal_basis="《中华人民共和国村民委员会组织法》第二十七条",
    )
    errors: list[str] = []
    page = new_page(browser, errors, phone=True)
    page.add_init_script(
        "for (const r of ['village_worker','township_admin'])"
        " localStorage.setItem('qz-walkthrough-done:' + r, '1');"
    )
    login(page, live_server.url, "worker_a", tree["password"])
    page.goto(f"{live_server.url}/duties/tasks/")
    assert page.evaluate(_OVERFLOW) == []
    shot(page, "duties-tasks-phone")
    page.context.clear_cookies()
    login(page, live_server.url, "town_admin", tree["password"])
    page.goto(f"{live_server.url}/duties/lists/")
    assert page.evaluate(_OVERFLOW) == []
    shot(page, "duties-lists-phone")
    assert errors == [], errors
