"""End-to-end journeys on the demo township in Debian's chromium (issue 8 item 7, issue 9).

One `qz demo` per module (see fixtures.py). The journeys run in file order: the resident's
request from journey 2 is dispatched, resolved and called back in journey 3. Every journey
asserts that the browser logged no console errors (CSP violations are console errors) and
saves screenshots under test-artifacts/.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.styles import Alignment

from tests.e2e.browser import login, new_page
from tests.e2e.fixtures import (
    DEMO_PASSWORD,
    SKIP_WALKTHROUGH,
    demo_server_fixture,  # noqa: F401 (registers the fixture)
)

pytestmark = [pytest.mark.e2e]

STATE: dict[str, Any] = {}
PERIOD = "2031"  # a period the demo has no numbers for: the value entered is the one filled
VALUE = 4321


def _page(
    browser: Any, errors: list[str], *, phone: bool = False, walkthrough: bool = False
) -> Any:
    page = new_page(browser, errors, phone=phone)  # closed after the test
    if not walkthrough:
        page.context.add_init_script(SKIP_WALKTHROUGH)
    return page


def _villages() -> list[Any]:
    from qingzhuang.org.models import User

    home = User.objects.get(username="qingshan").org_unit
    other = home.parent.children.exclude(pk=home.pk).order_by("path").first()
    return [home, other]


def _water_form(path: Path, *, title: str, issuer: str, group: str, other: str) -> Path:
    """A village-rows form: 序号 | 村名 | <group> > 自来水入户户数（户） / <other>."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "供水"
    ws["A1"] = title
    ws.merge_cells("A1:D1")
    ws["A1"].alignment = Alignment(horizontal="center")
    ws["A2"] = "填报单位："
    ws["D2"] = f"制表机关：{issuer}"
    ws["A3"], ws["B3"], ws["C3"] = "序号", "村名", group
    ws.merge_cells("A3:A4")
    ws.merge_cells("B3:B4")
    ws.merge_cells("C3:D3")
    ws["C4"], ws["D4"] = "自来水入户户数（户）", other
    for i, unit in enumerate(_villages(), start=1):
        ws.cell(4 + i, 1, i)
        ws.cell(4 + i, 2, unit.name)
    ws.column_dimensions["B"].width = 16
    ws.column_dimensions["C"].width = 22
    ws.column_dimensions["D"].width = 22
    wb.save(path)
    return path


# ---- 1. templates → redundancy → accept → enter → fill → download ---------------------------


def test_templates_redundancy_accept_fill_download(
    browser: Any, demo_server: str, shot: Any, tmp_path: Path
) -> None:
    from qingzhuang.datastore.models import DataElement
    from qingzhuang.org.models import OrgLevel, OrgUnit
    from qingzhuang.reporting.models import ReportTemplate

    base = demo_server
    a = _water_form(
        tmp_path / "shuiwu.xlsx",
        title="农村饮水安全情况统计表",
        issuer="示范县水务局",
        group="饮用水安全",
        other="饮水不安全户数（户）",
    )
    b = _water_form(
        tmp_path / "weijian.xlsx",
        title="农村供水与卫生厕所情况表",
        issuer="示范县卫生健康局",
        group="农村供水",
        other="卫生厕所户数（户）",
    )
    errors: list[str] = []
    page = _page(browser, errors)
    login(page, base, "admin", DEMO_PASSWORD)
    page.goto(f"{base}/templates/")
    page.set_input_files("input[name=files]", [str(a), str(b)])
    page.click("form.panel button.primary")
    page.wait_for_selector(".messages, .msg-ok, [role=status], table")
    assert "农村饮水安全情况统计表" in page.content()
    shot(page, "journey1-templates-uploaded")

    page.goto(f"{base}/templates/redundancy/?status=suggested")
    section = page.locator("section.panel", has_text="自来水入户").first
    section.wait_for()
    assert "示范县水务局" in section.inner_text() and "示范县卫生健康局" in section.inner_text()
    shot(page, "journey1-redundancy")
    section.locator("button[value=accept]").click()
    page.wait_for_load_state("load")
    element = DataElement.objects.filter(name__contains="自来水入户").get()
    page.goto(f"{base}/templates/redundancy/?status=accepted")  # the full list is paged
    accepted = page.locator("section.panel", has_text="自来水入户").first
    assert "已建数据元" in accepted.inner_text()

    home, _other = _villages()
    page.goto(f"{base}/data/entry/?org={home.code}&period={PERIOD}")
    page.fill(f"input[name=v_{element.code}]", str(VALUE))
    page.click("form.panel button.primary")
    page.wait_for_load_state("load")
    shot(page, "journey1-entry")
    # now known: no longer asked for, listed with its value (and a box to correct it)
    assert page.locator(f"form.stack input[name=v_{element.code}]").count() == 0
    known = page.locator("tr", has=page.locator(f"input[name=v_{element.code}]"))
    assert f"{VALUE:,}" in known.inner_text()

    template = ReportTemplate.objects.get(title="农村饮水安全情况统计表")
    township = OrgUnit.objects.get(level=OrgLevel.TOWNSHIP)
    page.goto(f"{base}/data/fill/?template={template.pk}")
    page.select_option("select[name=org]", township.code)
    page.fill("input[name=period]", PERIOD)
    page.click("form.panel button.primary")
    link = page.locator("a", has_text="下载填好的报表")
    link.wait_for()
    shot(page, "journey1-fill")
    with page.expect_download() as info:
        link.click()
    target = tmp_path / "filled.xlsx"
    info.value.save_as(target)
    ws = openpyxl.load_workbook(target).active
    rows = {ws.cell(r, 2).value: ws.cell(r, 3).value for r in range(5, ws.max_row + 1)}
    assert rows[home.name] == VALUE, rows
    assert ws["A1"].value == "农村饮水安全情况统计表"  # the issuer's own layout is kept
    assert errors == [], errors


# ---- 2. resident request on a phone ------------------------------------------------------------


def test_resident_submits_request_on_phone(browser: Any, demo_server: str, shot: Any) -> None:
    base = demo_server
    home, _ = _villages()
    errors: list[str] = []
    page = _page(browser, errors, phone=True)
    page.goto(f"{base}/p/")
    assert "录了语音，上面的文字可以不写" in page.content()
    page.select_option("#id_village", home.code)
    page.check("input[name=request_type][value=help]")
    page.fill("#id_text", "二组桥头的路灯坏了一个多星期，晚上过桥看不见，老人孩子容易摔倒")
    page.fill("#id_location", "二组桥头")
    page.fill("#id_phone", "13900001111")
    shot(page, "journey2-intake-phone")
    page.click("button.primary.big")
    page.wait_for_url("**/p/ok/**")
    code = page.inner_text(".code").strip()
    assert len(code) == 8
    shot(page, "journey2-thanks-phone")
    page.click("a.button.primary")
    page.wait_for_url(f"**/p/s/{code}/")
    text = page.inner_text("main") if page.locator("main").count() else page.content()
    assert code in text
    assert "13900001111" not in page.content()
    shot(page, "journey2-status-phone")
    STATE["code"] = code
    assert errors == [], errors


# ---- 3. dispatch, handle, resolve, callback --------------------------------------------------


def test_dispatch_resolve_and_callback(browser: Any, demo_server: str, shot: Any) -> None:
    from qingzhuang.service_requests.models import WorkOrder

    if "code" not in STATE:
        pytest.skip("journey 2 did not submit a request")
    base = demo_server
    order = WorkOrder.objects.get(request__tracking_code=STATE["code"])
    home, _ = _villages()
    detail = f"{base}/requests/{order.pk}/"
    errors: list[str] = []

    admin = _page(browser, errors)
    login(admin, base, "admin", DEMO_PASSWORD)
    admin.goto(detail)
    dispatch = admin.locator("form[action$='/act/dispatch/']")
    dispatch.locator("select[name=org_unit]").select_option(str(home.pk))
    dispatch.locator("button[type=submit]").click()
    admin.wait_for_load_state("load")
    shot(admin, "journey3-dispatched")
    order.refresh_from_db()
    assert order.state == "dispatched" and order.org_unit == home

    worker = _page(browser, errors)
    login(worker, base, "qingshan", DEMO_PASSWORD)
    worker.goto(detail)
    worker.locator("form[action$='/act/accept/'] button").click()
    worker.wait_for_load_state("load")
    worker.locator("form[action$='/act/start/'] button").click()
    worker.wait_for_load_state("load")
    resolve = worker.locator("form[action$='/act/resolve/']")
    resolve.locator("input[name=note]").fill("已更换路灯灯泡，晚上亮了")
    resolve.locator("button").click()
    worker.wait_for_load_state("load")
    shot(worker, "journey3-resolved-by-worker")
    order.refresh_from_db()
    assert order.state == "resolved" and order.resolution_note == "已更换路灯灯泡，晚上亮了"

    admin.goto(detail)
    admin.locator("form[action$='/act/callback/'] button").click()
    link = admin.locator("input[data-select]")
    link.wait_for()
    url = link.input_value()
    assert "/p/cb/" in url
    shot(admin, "journey3-callback-link")

    phone = _page(browser, errors, phone=True)
    phone.goto(url)
    phone.check("input[name=resolved][value=solved]")
    phone.check("input[name=satisfaction][value=satisfied]")
    phone.fill("textarea[name=comment]", "修得很快，谢谢")
    shot(phone, "journey3-callback-phone")
    phone.locator("form button[type=submit]").click()
    phone.wait_for_load_state("load")
    shot(phone, "journey3-callback-done-phone")
    cb = order.callbacks.get(channel="link")
    assert cb.answered_at is not None and cb.resolved == "solved" and cb.satisfaction == "satisfied"
    phone.goto(f"{base}/p/s/{STATE['code']}/")
    assert "已更换路灯灯泡" in phone.content()
    assert errors == [], errors


# ---- 4. evaluation charts --------------------------------------------------------------------


def test_evaluation_overview_charts_render(browser: Any, demo_server: str, shot: Any) -> None:
    base = demo_server
    errors: list[str] = []
    page = _page(browser, errors)
    login(page, base, "admin", DEMO_PASSWORD)
    page.goto(f"{base}/evaluation/")
    charts = page.locator(".chart[data-chart]")
    assert charts.count() >= 1
    page.wait_for_function(
        "() => [...document.querySelectorAll('.chart[data-chart]')]"
        ".every(c => c.querySelector('canvas, svg'))"
    )
    shot(page, "journey4-evaluation")
    assert errors == [], errors


# ---- 5. first-time walkthrough on a phone ----------------------------------------------------


def test_first_time_walkthrough_on_phone(browser: Any, demo_server: str, shot: Any) -> None:
    from qingzhuang.org.models import User

    base = demo_server
    User.objects.filter(username="pingjia").update(seen_walkthrough=False)
    errors: list[str] = []
    page = _page(browser, errors, phone=True, walkthrough=True)
    login(page, base, "pingjia", DEMO_PASSWORD)
    box = page.locator(".qz-wt")
    box.wait_for(state="visible")
    shot(page, "journey5-walkthrough-phone")
    steps = 0
    while page.locator(".qz-wt-next").inner_text() != "我知道了":
        page.click(".qz-wt-next")
        steps += 1
        assert steps < 20
    page.click(".qz-wt-next")
    assert not box.is_visible()
    page.wait_for_function("() => localStorage.getItem('qz-walkthrough-done:evaluator') === '1'")
    page.wait_for_timeout(300)  # let the "done" POST finish; nothing is timed
    assert User.objects.get(username="pingjia").seen_walkthrough is True
    page.reload()
    assert not page.locator(".qz-wt").is_visible()
    assert errors == [], errors


# ---- 6. voice message on /p/ with a fake microphone ---------------------------------------------


def test_voice_message_recorded_and_played_back(
    media_browser: Any, demo_server: str, shot: Any
) -> None:
    from qingzhuang.service_requests.models import ServiceRequest
    from qingzhuang.service_requests.voice import VOICE_ONLY_TEXT

    base = demo_server
    home, _ = _villages()
    errors: list[str] = []
    page = _page(media_browser, errors, phone=True)
    page.goto(f"{base}/p/")
    page.select_option("#id_village", home.code)
    page.click(".qz-voice-start")
    page.wait_for_selector(".qz-voice-stop:not([hidden])")
    page.wait_for_function(
        "() => !document.querySelector('.qz-voice-clock').textContent.startsWith('0:00')"
    )
    page.click(".qz-voice-stop")
    page.wait_for_selector(".qz-voice-preview:not([hidden])")
    assert page.evaluate("() => document.querySelector('#id_voice').files.length") == 1
    shot(page, "journey6-voice-recorded-phone")
    page.click("button.primary.big")  # no text: the recording is enough
    page.wait_for_url("**/p/ok/**")
    code = page.inner_text(".code").strip()
    request = ServiceRequest.objects.get(tracking_code=code)
    voice = request.attachments.get()
    assert voice.kind == "voice" and voice.size > 0 and request.text == VOICE_ONLY_TEXT

    staff = _page(media_browser, errors)
    login(staff, base, "qingshan", DEMO_PASSWORD)
    staff.goto(f"{base}/requests/{request.work_order.pk}/")
    audio = staff.locator(".voice-msg audio")
    src = audio.get_attribute("src")
    assert src and "/media/" not in src
    status = staff.evaluate(
        "(u) => fetch(u).then(r => r.status + ' ' + r.headers.get('content-type'))", src
    )
    assert status.startswith("200 audio/"), status
    staff.fill(".voice-msg textarea[name=summary]", "老人说二组水井的抽水泵坏了，想请村里派人修")
    staff.click(".voice-msg button.primary")
    staff.wait_for_load_state("load")
    shot(staff, "journey6-voice-summary")
    request.refresh_from_db()
    assert request.text == "老人说二组水井的抽水泵坏了，想请村里派人修"
    assert errors == [], errors
