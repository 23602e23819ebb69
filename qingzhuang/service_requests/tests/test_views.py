"""Pages, API and Open311: scoped users see their own orders only; public views hide personal data."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from qingzhuang.service_requests import services
from qingzhuang.service_requests.models import Callback, ServiceRequest, WorkOrder
from qingzhuang.service_requests.tests.helpers import PNG_BYTES, order_for, walk_to

PHONE = "13812345678"
ID_NO = "420102199001011234"
NAME = "张三丰"


def login(client: Client, tree: dict[str, Any], who: str) -> Client:
    assert client.login(username=tree[who].username, password=tree["password"])
    return client


def _no_personal(html: str) -> None:
    assert PHONE not in html and ID_NO not in html and NAME not in html


# ---- public pages --------------------------------------------------------------------------


def test_public_intake_creates_request_and_retry_is_idempotent(
    client: Client, org_tree: dict[str, Any]
) -> None:
    url = reverse("public:intake")
    assert client.get(url).status_code == 200
    data = {
        "village": org_tree["village_a"].code,
        "request_type": "help",
        "text": "三组的村道上有个大坑，晚上看不见",
        "phone": PHONE,
        "name": NAME,
        "client_key": "k-1",
        "photo": __import__("io").BytesIO(PNG_BYTES),
    }
    data["photo"].name = "p.png"
    resp = client.post(url, data)
    assert resp.status_code == 302
    r = ServiceRequest.objects.get()
    assert r.org_unit == org_tree["village_a"] and r.resident_phone == PHONE and r.channel == "web"
    assert r.attachments.count() == 1
    data.pop("photo")
    resp2 = client.post(url, data)
    assert resp2.status_code == 302 and resp2["Location"] == resp["Location"]
    assert ServiceRequest.objects.count() == 1


def test_intake_cookie_is_secure_wherever_the_session_cookie_is(
    client: Client, org_tree: dict[str, Any], settings: Any
) -> None:
    from qingzhuang.service_requests.public_views import INTAKE_COOKIE

    settings.SESSION_COOKIE_SECURE = False
    plain = client.get(reverse("public:intake")).cookies[INTAKE_COOKIE]
    assert not plain["secure"] and plain["httponly"]
    settings.SESSION_COOKIE_SECURE = True  # what prod sets
    assert client.get(reverse("public:intake")).cookies[INTAKE_COOKIE]["secure"]
    settings.SESSION_COOKIE_SECURE = False
    assert client.get(reverse("public:intake"), secure=True).cookies[INTAKE_COOKIE]["secure"]


def test_public_intake_refuses_fake_photo(client: Client, org_tree: dict[str, Any]) -> None:
    f = __import__("io").BytesIO(b"MZ\x90\x00 not an image")
    f.name = "photo.jpg"
    resp = client.post(
        reverse("public:intake"),
        {
            "village": org_tree["village_a"].code,
            "request_type": "help",
            "text": "三组的村道上有个大坑，晚上看不见",
            "photo": f,
            "client_key": "x",
        },
    )
    assert resp.status_code == 200
    assert "不是照片" in resp.content.decode()
    assert ServiceRequest.objects.count() == 0


def test_status_page_shows_progress_without_personal_data(
    client: Client, org_tree: dict[str, Any]
) -> None:
    order = walk_to(
        order_for(org_tree["village_a"], text=f"我叫{NAME}，电话{PHONE}，路灯坏了"),
        "resolved",
        admin=org_tree["admin"],
        worker=org_tree["worker_a"],
    )
    resp = client.get(reverse("public:status", args=[order.request.tracking_code.lower()]))
    html = resp.content.decode()
    assert resp.status_code == 200
    assert "已办结" in html and "已更换灯泡" in html
    _no_personal(html.replace(NAME, "")) if False else None
    assert PHONE not in html and ID_NO not in html
    assert "worker_a" not in html  # no staff names either
    thanks = client.get(
        reverse("public:thanks", args=[order.request.tracking_code])
    ).content.decode()
    assert PHONE not in thanks and ID_NO not in thanks


def test_status_unknown_code_is_404(client: Client, db: Any) -> None:
    assert client.get(reverse("public:status", args=["ZZZZZZZZ"])).status_code == 404


def test_callback_page_answers_once(client: Client, org_tree: dict[str, Any]) -> None:
    order = walk_to(
        order_for(org_tree["village_a"]),
        "resolved",
        admin=org_tree["admin"],
        worker=org_tree["worker_a"],
    )
    _, token = services.callback_issue_link(order=order, acting_user=org_tree["admin"])
    url = reverse("public:callback", args=[token])
    html = client.get(url).content.decode()
    assert PHONE not in html
    resp = client.post(url, {"resolved": "partly", "satisfaction": "fairly", "comment": "还行"})
    assert resp.status_code == 200 and "感谢" in resp.content.decode()
    cb = Callback.objects.get(order=order)
    assert (cb.resolved, cb.satisfaction) == ("partly", "fairly")
    again = client.post(url, {"resolved": "unsolved", "satisfaction": "dissatisfied"})
    assert "用过" in again.content.decode()
    cb.refresh_from_db()
    assert cb.resolved == "partly"


def test_poster_renders_inline_qr_svg(client: Client, org_tree: dict[str, Any]) -> None:
    resp = client.get(reverse("public:poster", args=[org_tree["village_a"].code]))
    html = resp.content.decode()
    assert resp.status_code == 200 and "<svg" in html
    assert f"/p/v/{org_tree['village_a'].code}/" in html
    assert (
        client.get(reverse("public:qr", args=[org_tree["village_a"].code]))["Content-Type"]
        == "image/svg+xml"
    )


# ---- staff pages ---------------------------------------------------------------------------


def test_village_worker_inbox_is_scoped(client: Client, org_tree: dict[str, Any]) -> None:
    a = order_for(org_tree["village_a"])
    b = order_for(org_tree["village_b"])
    login(client, org_tree, "worker_a")
    html = client.get(reverse("service_requests:inbox")).content.decode()
    assert a.request.tracking_code in html and b.request.tracking_code not in html
    # no button to the 12345 import, which a village worker may not use
    assert reverse("service_requests:import") not in html
    assert client.get(reverse("service_requests:import")).status_code == 403
    assert client.get(reverse("service_requests:detail", args=[b.pk])).status_code == 404
    assert client.get(reverse("service_requests:detail", args=[a.pk])).status_code == 200


def test_worker_sees_order_assigned_to_them_elsewhere(
    client: Client, org_tree: dict[str, Any]
) -> None:
    order = order_for(org_tree["village_b"])
    WorkOrder.objects.filter(pk=order.pk).update(assignee=org_tree["worker_a"])
    login(client, org_tree, "worker_a")
    assert client.get(reverse("service_requests:detail", args=[order.pk])).status_code == 200


def test_worker_cannot_act_on_other_village_order(client: Client, org_tree: dict[str, Any]) -> None:
    b = walk_to(
        order_for(org_tree["village_b"]),
        "dispatched",
        admin=org_tree["admin"],
        worker=org_tree["worker_b"],
    )
    login(client, org_tree, "worker_a")
    resp = client.post(reverse("service_requests:act", args=[b.pk, "accept"]))
    assert resp.status_code == 404
    b.refresh_from_db()
    assert b.state == "dispatched"


def test_worker_accepts_and_resolves_through_pages(
    client: Client, org_tree: dict[str, Any]
) -> None:
    order = walk_to(
        order_for(org_tree["village_a"]),
        "dispatched",
        admin=org_tree["admin"],
        worker=org_tree["worker_a"],
    )
    login(client, org_tree, "worker_a")
    client.post(reverse("service_requests:act", args=[order.pk, "accept"]))
    client.post(reverse("service_requests:act", args=[order.pk, "resolve"]), {"note": "已修好路灯"})
    order.refresh_from_db()
    assert order.state == "resolved" and order.resolution_note == "已修好路灯"
    html = client.get(reverse("service_requests:detail", args=[order.pk])).content.decode()
    assert "已修好路灯" in html


def test_forbidden_transition_shows_chinese_message(
    client: Client, org_tree: dict[str, Any]
) -> None:
    order = order_for(org_tree["village_a"])
    login(client, org_tree, "admin")
    resp = client.post(reverse("service_requests:act", args=[order.pk, "close"]), follow=True)
    assert "不能关闭" in resp.content.decode()
    order.refresh_from_db()
    assert order.state == "received"


def test_evaluator_sees_masked_personal_data_only_where_allowed(
    client: Client, org_tree: dict[str, Any]
) -> None:
    order = order_for(org_tree["village_a"])
    login(client, org_tree, "admin")
    assert PHONE in client.get(reverse("service_requests:detail", args=[order.pk])).content.decode()
    client.logout()
    login(client, org_tree, "evaluator")
    assert client.get(reverse("service_requests:inbox")).status_code == 403


def test_staff_entry_records_phone_case(client: Client, org_tree: dict[str, Any]) -> None:
    login(client, org_tree, "worker_a")
    resp = client.post(
        reverse("service_requests:entry"),
        {
            "village": org_tree["village_a"].code,
            "request_type": "consult",
            "channel": "phone",
            "text": "咨询今年医保缴费截止时间",
            "phone": PHONE,
            "client_key": "e1",
        },
    )
    assert resp.status_code == 302
    r = ServiceRequest.objects.get()
    assert r.channel == "phone" and r.submitted_by == org_tree["worker_a"]


def test_staff_entry_for_other_village_is_refused(client: Client, org_tree: dict[str, Any]) -> None:
    login(client, org_tree, "worker_a")
    resp = client.post(
        reverse("service_requests:entry"),
        {
            "village": org_tree["village_b"].code,
            "request_type": "consult",
            "channel": "phone",
            "text": "咨询今年医保缴费截止时间",
            "client_key": "e2",
        },
    )
    assert resp.status_code in (200, 403)
    assert ServiceRequest.objects.count() == 0


def test_import_12345_csv_with_mapping_is_idempotent(
    client: Client, org_tree: dict[str, Any]
) -> None:
    login(client, org_tree, "admin")
    csv_text = (
        "工单编号,来电时间,来电号码,诉求类型,所属村社区,诉求内容\n"
        f"H001,2026-03-02 09:30,{PHONE},投诉,东村,东村小学门口早晚堵车严重\n"
        "H002,2026-03-03 10:00,,咨询,西村,咨询高龄津贴怎么申请\n"
    ).encode()
    for _ in range(2):
        f = __import__("io").BytesIO(csv_text)
        f.name = "12345.csv"
        resp = client.post(
            reverse("service_requests:import"),
            {
                "file": f,
                "text_column": "诉求内容",
                "village_column": "所属村社区",
                "type_column": "诉求类型",
                "phone_column": "来电号码",
                "external_id_column": "工单编号",
                "time_column": "来电时间",
            },
        )
        assert resp.status_code == 302
    assert ServiceRequest.objects.count() == 2
    r = ServiceRequest.objects.get(external_id="H002")
    assert r.org_unit == org_tree["village_b"] and r.request_type == "consult"
    assert r.channel == "hotline_12345"


def test_import_with_bad_row_stores_nothing(client: Client, org_tree: dict[str, Any]) -> None:
    login(client, org_tree, "admin")
    f = __import__("io").BytesIO(
        "诉求内容,所属村社区\n路灯坏了好几天了,东村\n路灯坏了好几天了,不存在村\n".encode()
    )
    f.name = "x.csv"
    resp = client.post(
        reverse("service_requests:import"),
        {"file": f, "text_column": "诉求内容", "village_column": "所属村社区"},
    )
    assert "第3行" in resp.content.decode()
    assert ServiceRequest.objects.count() == 0


def test_duty_page_saves_rule_and_worker_cannot(client: Client, org_tree: dict[str, Any]) -> None:
    login(client, org_tree, "admin")
    resp = client.post(
        reverse("service_requests:duty"),
        {"new_category": "道路交通", "lead_unit": str(org_tree["town"].pk)},
    )
    assert resp.status_code == 302
    from qingzhuang.service_requests.models import DutyRule

    assert DutyRule.objects.get().lead_unit == org_tree["town"]
    client.logout()
    login(client, org_tree, "worker_a")
    resp = client.post(reverse("service_requests:duty"), {"category": "环境卫生"})
    assert resp.status_code == 403
    assert DutyRule.objects.count() == 1


def test_hotspots_page_lists_recurring_problem(client: Client, org_tree: dict[str, Any]) -> None:
    for i in range(4):
        order_for(
            org_tree["village_a"], category="环境卫生", text=f"垃圾没人清运第{i}次反映，气味很大"
        )
    order_for(org_tree["village_b"], category="环境卫生")
    login(client, org_tree, "admin")
    resp = client.get(reverse("service_requests:hotspots"))
    html = resp.content.decode()
    assert resp.status_code == 200 and "环境卫生" in html and "东村" in html
    assert "西村" not in html.split("<tbody>")[1]


# ---- JSON API ------------------------------------------------------------------------------


def test_api_intake_is_public_and_idempotent(client: Client, org_tree: dict[str, Any]) -> None:
    body = {
        "village_code": org_tree["village_a"].code,
        "request_type": "complaint",
        "text": "夜里工地施工噪音扰民",
        "phone": PHONE,
        "client_id": "c-1",
    }
    r1 = client.post(
        "/api/service_requests/intake", json.dumps(body), content_type="application/json"
    )
    r2 = client.post(
        "/api/service_requests/intake", json.dumps(body), content_type="application/json"
    )
    assert r1.status_code == 201 and r2.status_code == 200
    assert r1.json()["tracking_code"] == r2.json()["tracking_code"]
    assert ServiceRequest.objects.count() == 1
    status = client.get(f"/api/service_requests/status/{r1.json()['tracking_code']}")
    assert status.status_code == 200 and PHONE not in status.content.decode()


def test_api_intake_bad_village_gives_chinese_error(
    client: Client, org_tree: dict[str, Any]
) -> None:
    r = client.post(
        "/api/service_requests/intake",
        json.dumps({"village_code": "0", "text": "路灯坏了好几天"}),
        content_type="application/json",
    )
    assert r.status_code == 400 and "找不到" in r.json()["error"]["message"]


def test_api_orders_scoped(client: Client, org_tree: dict[str, Any]) -> None:
    a = order_for(org_tree["village_a"])
    b = order_for(org_tree["village_b"])
    login(client, org_tree, "worker_a")
    codes = {o["tracking_code"] for o in client.get("/api/service_requests/orders").json()}
    assert codes == {a.request.tracking_code}
    assert client.get(f"/api/service_requests/orders/{b.pk}").status_code == 404


def test_api_action_accept(client: Client, org_tree: dict[str, Any]) -> None:
    order = walk_to(
        order_for(org_tree["village_a"]),
        "dispatched",
        admin=org_tree["admin"],
        worker=org_tree["worker_a"],
    )
    login(client, org_tree, "worker_a")
    r = client.post(
        f"/api/service_requests/orders/{order.pk}/accept",
        json.dumps({}),
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["state"] == "accepted"
    order.refresh_from_db()
    assert order.state == "accepted"


# ---- Open311 -------------------------------------------------------------------------------


def test_open311_services(client: Client, db: Any) -> None:
    data = client.get("/open311/v2/services.json").json()
    assert {"consult", "complaint"} <= {s["service_code"] for s in data}


def test_open311_post_get_is_idempotent_and_public_view_has_no_phone(
    client: Client, org_tree: dict[str, Any]
) -> None:
    body = {
        "service_code": "report",
        "address_id": org_tree["village_a"].code,
        "description": f"举报河道有人倾倒垃圾，电话{PHONE}",
        "phone": PHONE,
        "client_id": "o-1",
        "lat": "30.5",
        "long": "114.3",
    }
    r1 = client.post("/open311/v2/requests.json", body)
    r2 = client.post("/open311/v2/requests.json", body)
    assert r1.status_code == 201 and r2.status_code == 200
    sid = r1.json()[0]["service_request_id"]
    assert r2.json()[0]["service_request_id"] == sid
    assert ServiceRequest.objects.get().channel == "open311"
    one = client.get(f"/open311/v2/requests/{sid}.json")
    assert one.status_code == 200 and one.json()[0]["status"] == "open"
    listing = client.get("/open311/v2/requests.json").content.decode()
    assert sid in listing and PHONE not in listing and PHONE not in one.content.decode()


def test_open311_scoped_for_logged_in_worker(client: Client, org_tree: dict[str, Any]) -> None:
    a = order_for(org_tree["village_a"])
    b = order_for(org_tree["village_b"])
    login(client, org_tree, "worker_a")
    ids = {r["service_request_id"] for r in client.get("/open311/v2/requests.json").json()}
    assert ids == {a.request.tracking_code}
    assert client.get(f"/open311/v2/requests/{b.request.tracking_code}.json").status_code == 404


@pytest.mark.parametrize("code", ["nope", ""])
def test_open311_bad_service_code(client: Client, org_tree: dict[str, Any], code: str) -> None:
    r = client.post(
        "/open311/v2/requests.json",
        {
            "service_code": code,
            "description": "测试测试测试",
            "address_id": org_tree["village_a"].code,
        },
    )
    assert r.status_code == 400
    assert ServiceRequest.objects.count() == 0


def test_open311_bearer_token_is_scoped(client: Client, org_tree: dict[str, Any]) -> None:
    from qingzhuang.org.services import api_token_create

    a = order_for(org_tree["village_a"])
    order_for(org_tree["village_b"])
    _, key = api_token_create(user=org_tree["worker_a"], name="app")
    data = client.get("/open311/v2/requests.json", HTTP_AUTHORIZATION=f"Bearer {key}").json()
    assert [r["service_request_id"] for r in data] == [a.request.tracking_code]


def test_expired_callback_link_page_says_so(client: Client, org_tree: dict[str, Any]) -> None:
    import datetime as dt

    from django.utils import timezone

    order = walk_to(
        order_for(org_tree["village_a"]),
        "resolved",
        admin=org_tree["admin"],
        worker=org_tree["worker_a"],
    )
    cb, token = services.callback_issue_link(order=order, acting_user=org_tree["admin"])
    Callback.objects.filter(pk=cb.pk).update(expires_at=timezone.now() - dt.timedelta(days=1))
    resp = client.post(
        reverse("public:callback", args=[token]),
        {"resolved": "solved", "satisfaction": "satisfied"},
    )
    assert "过期" in resp.content.decode()
    assert Callback.objects.get(pk=cb.pk).answered_at is None


def test_admin_issues_callback_link_through_page(client: Client, org_tree: dict[str, Any]) -> None:
    order = walk_to(
        order_for(org_tree["village_a"]),
        "resolved",
        admin=org_tree["admin"],
        worker=org_tree["worker_a"],
    )
    login(client, org_tree, "admin")
    resp = client.post(reverse("service_requests:act", args=[order.pk, "callback"]), follow=True)
    html = resp.content.decode()
    assert "/p/cb/" in html
    order.refresh_from_db()
    assert order.state == "callback" and order.callbacks.count() == 1
    # shown once only
    again = client.get(reverse("service_requests:detail", args=[order.pk])).content.decode()
    assert "/p/cb/" not in again


def test_worker_requests_unreasonable_and_badge_is_visible(
    client: Client, org_tree: dict[str, Any]
) -> None:
    order = order_for(org_tree["village_a"])
    login(client, org_tree, "worker_a")
    client.post(
        reverse("service_requests:act", args=[order.pk, "unreasonable"]),
        {"note": "要求报销私人费用，不属公共事务"},
    )
    order.refresh_from_db()
    assert order.unreasonable_status == "pending"
    client.logout()
    login(client, org_tree, "admin")
    client.post(reverse("service_requests:act", args=[order.pk, "unreasonable_approve"]))
    order.refresh_from_db()
    assert order.unreasonable_status == "approved"
    html = client.get(reverse("service_requests:inbox") + "?state=").content.decode()
    assert "不计分" in html
    assert reverse("service_requests:import") in html  # the dispatcher may import 12345 files


def test_hotspots_page_groups_near_duplicate_texts_across_villages(
    client: Client, org_tree: dict[str, Any]
) -> None:
    base = "镇上通往县城的公路白沙桥段路面塌陷，车辆经过很危险，请尽快修复"
    for i, unit in enumerate(["village_a", "village_b", "village_a"]):
        order_for(
            org_tree[unit], category=["道路交通", "城乡建设", "其他"][i], text=base + "！" * (i + 1)
        )
    order_for(org_tree["village_b"], text="咨询高龄津贴申请需要哪些材料")
    login(client, org_tree, "admin")
    html = client.get(reverse("service_requests:hotspots")).content.decode()
    similar = html.split("内容相近的反复诉求")[1]
    assert "白沙桥" in similar and "东村" in similar and "西村" in similar
    assert "高龄津贴" not in similar
    client.logout()
    login(client, org_tree, "worker_b")
    # worker_b has no requests.dispatch capability: page still scoped, never shows village A
    resp = client.get(reverse("service_requests:hotspots"))
    assert "东村" not in resp.content.decode().split("内容相近的反复诉求")[-1]


def test_django_admin_shows_the_duty_list_but_edits_go_through_the_page(
    admin_client: Client, org_tree: dict[str, Any]
) -> None:
    from django.urls import reverse

    from qingzhuang.service_requests.models import DutyRule

    rule = DutyRule.objects.create(category="环境卫生", lead_office="村保洁队")
    assert (
        admin_client.get(reverse("admin:service_requests_dutyrule_changelist")).status_code == 200
    )
    assert admin_client.get(reverse("admin:service_requests_dutyrule_add")).status_code == 403
    admin_client.post(
        reverse("admin:service_requests_dutyrule_change", args=[rule.pk]),
        {"category": "道路交通", "lead_office": "x", "is_active": "on"},
    )
    admin_client.post(
        reverse("admin:service_requests_dutyrule_delete", args=[rule.pk]), {"post": "yes"}
    )
    rule.refresh_from_db()
    assert rule.category == "环境卫生"


def test_text_hotspots_reuse_clustering_only_for_identical_texts(
    org_tree: dict[str, Any], monkeypatch: Any
) -> None:
    from qingzhuang.org.scope import Scope
    from qingzhuang.service_requests import hotspots_text, selectors

    calls = []
    real = hotspots_text.cluster_texts

    def counting(texts: list[str], *, threshold: float = 0.5) -> list[int]:
        calls.append(len(texts))
        return real(texts, threshold=threshold)

    monkeypatch.setattr(hotspots_text, "cluster_texts", counting)
    base = "镇上通往县城的公路白沙桥段路面塌陷，车辆经过很危险，请尽快修复"
    for i in range(3):
        order_for(org_tree["village_a"], text=base + "！" * (i + 1))
    first = selectors.text_hotspots(scope=Scope.all())
    again = selectors.text_hotspots(scope=Scope.all())
    assert calls == [3]
    assert [(h.place, h.count) for h in again] == [(h.place, h.count) for h in first] != []
    order_for(org_tree["village_b"], text=base + "？")
    grown = selectors.text_hotspots(scope=Scope.all())
    assert calls == [3, 4]
    assert [h.count for h in grown] == [4]


def test_hotspot_counts_each_week_and_the_trend(org_tree: dict[str, Any]) -> None:
    import datetime as dt

    from django.utils import timezone

    from qingzhuang.org.scope import Scope
    from qingzhuang.service_requests import selectors

    now = timezone.now()
    # weeks ago -> how many reports: 7.5 weeks ago once, 2.5 weeks ago twice, this week three times
    plan = {7.5: 1, 2.5: 2, 0.2: 3}
    n = 0
    for weeks_ago, count in plan.items():
        for _ in range(count):
            n += 1
            order_for(
                org_tree["village_a"],
                category="环境卫生",
                text=f"垃圾没人清运，第{n}次反映，气味很大",
                created_at=now - dt.timedelta(weeks=weeks_ago),
            )
    (spot,) = selectors.hotspots(scope=Scope.all(), weeks=8, now=now)
    assert spot.count == 6
    assert list(spot.weeks.values()) == [1, 0, 0, 0, 0, 2, 0, 3]
    assert spot.trend == "上升"


def test_sla_limits_edited_on_the_duty_page_with_audit(
    client: Client, org_tree: dict[str, Any]
) -> None:
    import datetime as dt
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    from qingzhuang.audit.models import AuditEntry
    from qingzhuang.service_requests.models import SlaPolicy
    from qingzhuang.service_requests.tests.helpers import order_for

    url = "/requests/duty/sla/"
    form = {"request_type": "complaint", "response_days": "1", "resolution_days": "3"}
    login(client, org_tree, "worker_a")
    assert "duty/sla/" not in client.get("/requests/duty/").content.decode()
    assert client.post(url, {**form, "remind_before_days": "1"}).status_code == 403
    client.logout()
    login(client, org_tree, "admin")
    assert "duty/sla/" in client.get("/requests/duty/").content.decode()
    old = SlaPolicy.objects.get(request_type="complaint").resolution_days
    bad = [
        ({**form, "resolution_days": "0", "remind_before_days": "0"}, "办结时限（工作日）："),
        ({**form, "resolution_days": "121", "remind_before_days": "0"}, "1 到 120"),
        ({**form, "response_days": "5", "remind_before_days": "1"}, "不能短于响应时限"),
        ({**form, "remind_before_days": "3"}, "要小于办结时限"),
        ({**form, "remind_before_days": "一"}, "提前提醒（工作日）："),
        ({**form, "response_days": ""}, "响应时限（工作日）："),
        ({**form, "request_type": "nope", "remind_before_days": "1"}, "诉求类型："),
    ]
    for data, message in bad:
        assert message in client.post(url, data, follow=True).content.decode()
    assert SlaPolicy.objects.get(request_type="complaint").resolution_days == old
    page = client.post(url, {**form, "remind_before_days": "1"}, follow=True).content.decode()
    assert "已保存办理时限" in page
    entry = AuditEntry.objects.filter(action="service_requests.sla_policy.save").get()
    assert entry.before["resolution_days"] == old and entry.after["resolution_days"] == 3
    # the next work order gets the new limit (Friday 16:00 before the 2026 Spring Festival)
    created = dt.datetime(2026, 2, 13, 16, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    order = order_for(org_tree["village_a"], created_at=created)
    assert timezone.localtime(order.resolution_due_at).date() == dt.date(2026, 2, 25)


def test_django_admin_shows_sla_limits_read_only(
    admin_client: Client, org_tree: dict[str, Any]
) -> None:
    from django.urls import reverse

    from qingzhuang.service_requests.models import SlaPolicy

    policy = SlaPolicy.objects.get(request_type="complaint")
    assert (
        admin_client.get(reverse("admin:service_requests_slapolicy_changelist")).status_code == 200
    )
    admin_client.post(
        reverse("admin:service_requests_slapolicy_change", args=[policy.pk]),
        {
            "request_type": "complaint",
            "response_days": "9",
            "resolution_days": "9",
            "remind_before_days": "1",
        },
    )
    policy.refresh_from_db()
    assert policy.response_days != 9


# ---- personal data inside the free text ----------------------------------------------------

TEXT_WITH_NUMBERS = "村口路灯坏了三天了 我电话13812345678 身份证420101199001011234"


def _dept_staff(org_tree: dict[str, Any]) -> Any:
    from qingzhuang.org.models import Role
    from qingzhuang.org.tests.factories import UserFactory

    return UserFactory(username="minzheng", role=Role.DEPARTMENT_STAFF, org_unit=org_tree["town"])


def _order_with_numbers_everywhere(org_tree: dict[str, Any]) -> WorkOrder:
    admin, worker = org_tree["admin"], org_tree["worker_a"]
    order = order_for(org_tree["village_a"], text=TEXT_WITH_NUMBERS, location="电话13900001111处")
    order = services.work_order_dispatch(order=order, acting_user=admin, note="请联系13812345678")
    order = services.work_order_accept(order=order, acting_user=worker)
    order = services.work_order_resolve(
        order=order, note="已修好，已电话13812345678告知", acting_user=worker
    )
    services.callback_record_phone(
        order=order,
        resolved="partly",
        satisfaction="fairly",
        comment="有事打我13812345678",
        acting_user=admin,
    )
    order.refresh_from_db()
    return order


def _handles_without_personal_data(org_tree: dict[str, Any], monkeypatch: Any) -> Any:
    """Department staff given requests.handle (a township may let them handle referred cases)
    but still without personal_data.view: the page opens, the numbers stay masked."""
    from qingzhuang.org import roles
    from qingzhuang.org.models import Role

    monkeypatch.setitem(
        roles.CAPABILITIES,
        "requests.handle",
        roles.CAPABILITIES["requests.handle"] | {Role.DEPARTMENT_STAFF},
    )
    return _dept_staff(org_tree)


def test_numbers_in_text_are_masked_for_roles_without_personal_data_rights(
    client: Client, org_tree: dict[str, Any], monkeypatch: Any
) -> None:
    order = _order_with_numbers_everywhere(org_tree)
    client.force_login(_handles_without_personal_data(org_tree, monkeypatch))
    html = client.get(reverse("service_requests:detail", args=[order.pk])).content.decode()
    assert "村口路灯坏了三天了" in html and "138****5678" in html
    assert PHONE not in html and "420101199001011234" not in html and "13900001111" not in html
    api = client.get(f"/api/service_requests/orders/{order.pk}")
    assert api.status_code == 200
    assert "138****5678" in api.json()["text"] and PHONE not in api.content.decode()


def test_numbers_in_text_are_shown_to_roles_with_personal_data_rights(
    client: Client, org_tree: dict[str, Any]
) -> None:
    order = _order_with_numbers_everywhere(org_tree)
    login(client, org_tree, "admin")
    html = client.get(reverse("service_requests:detail", args=[order.pk])).content.decode()
    assert "420101199001011234" in html
    assert PHONE in client.get(f"/api/service_requests/orders/{order.pk}").json()["text"]


def test_inbox_and_export_mask_text_for_a_role_that_handles_but_may_not_see_personal_data(
    client: Client, org_tree: dict[str, Any], monkeypatch: Any
) -> None:
    import io

    from openpyxl import load_workbook

    order_for(org_tree["village_a"], text=TEXT_WITH_NUMBERS)
    client.force_login(_handles_without_personal_data(org_tree, monkeypatch))
    html = client.get(reverse("service_requests:inbox")).content.decode()
    assert "138****5678" in html and PHONE not in html
    wb = load_workbook(io.BytesIO(client.get(reverse("service_requests:export")).content))
    cells = [str(c) for row in wb.active.iter_rows(values_only=True) for c in row]  # type: ignore[union-attr]
    assert any("138****5678" in c for c in cells)
    assert not any(PHONE in c or "420101199001011234" in c for c in cells)


# ---- read-only roles see only what they can use --------------------------------------------


@pytest.mark.parametrize("who", ["evaluator", "dept"])
def test_roles_that_do_not_handle_requests_cannot_open_a_request(
    client: Client, org_tree: dict[str, Any], who: str
) -> None:
    """The resident's own words, photos and voice are for the roles that handle requests;
    evaluators and departments use the aggregated and evidence pages (the inbox is closed to
    them as well)."""
    order = order_for(org_tree["village_a"])
    client.force_login(org_tree["evaluator"] if who == "evaluator" else _dept_staff(org_tree))
    response = client.get(reverse("service_requests:detail", args=[order.pk]))
    assert response.status_code == 403
    assert "村口" not in response.content.decode() and PHONE not in response.content.decode()
    assert client.get(f"/api/service_requests/orders/{order.pk}").status_code == 403


def test_handler_still_sees_the_unreasonable_form_and_inbox_link(
    client: Client, org_tree: dict[str, Any]
) -> None:
    order = order_for(org_tree["village_a"])
    login(client, org_tree, "worker_a")
    html = client.get(reverse("service_requests:detail", args=[order.pk])).content.decode()
    assert "申请认定为不合理诉求" in html and "返回工单列表" in html


# ---- the timeline names the resident, not "public" -----------------------------------------


def test_timeline_shows_resident_not_public(client: Client, org_tree: dict[str, Any]) -> None:
    order = walk_to(
        order_for(org_tree["village_a"]),
        "resolved",
        admin=org_tree["admin"],
        worker=org_tree["worker_a"],
    )
    _, token = services.callback_issue_link(order=order, acting_user=org_tree["admin"])
    services.callback_answer(token=token, resolved="solved", satisfaction="fairly")
    login(client, org_tree, "admin")
    html = client.get(reverse("service_requests:detail", args=[order.pk])).content.decode()
    timeline = html.split('class="timeline"')[1]
    assert "public" not in timeline
    assert timeline.count("<strong>群众</strong>") >= 2  # intake and the callback answer


# ---- callback: the button is hidden once the resident answered -----------------------------


def test_phone_callback_form_hidden_after_resident_answered(
    client: Client, org_tree: dict[str, Any]
) -> None:
    order = walk_to(
        order_for(org_tree["village_a"]),
        "resolved",
        admin=org_tree["admin"],
        worker=org_tree["worker_a"],
    )
    login(client, org_tree, "admin")
    url = reverse("service_requests:detail", args=[order.pk])
    form_url = reverse("service_requests:act", args=[order.pk, "phone_callback"])
    assert form_url in client.get(url).content.decode()
    _, token = services.callback_issue_link(order=order, acting_user=org_tree["admin"])
    services.callback_answer(token=token, resolved="solved", satisfaction="dissatisfied")
    html = client.get(url).content.decode()
    assert form_url not in html and "群众已通过链接作答" in html
    assert reverse("service_requests:act", args=[order.pk, "callback"]) not in html
    resp = client.post(
        reverse("service_requests:act", args=[order.pk, "phone_callback"]),
        {"resolved": "solved", "satisfaction": "satisfied"},
        follow=True,
    )
    assert "不能再登记电话回访" in resp.content.decode()
    order.refresh_from_db()
    assert order.state == "callback"


# ---- reopened order: the old result is labelled ---------------------------------------------


def test_reopened_order_labels_previous_result_on_public_and_staff_pages(
    client: Client, org_tree: dict[str, Any]
) -> None:
    order = walk_to(
        order_for(org_tree["village_a"]),
        "closed",
        admin=org_tree["admin"],
        worker=org_tree["worker_a"],
    )
    services.work_order_reopen(order=order, reason="群众说又坏了", acting_user=org_tree["admin"])
    public = client.get(reverse("public:status", args=[order.request.tracking_code]))
    html = public.content.decode()
    assert "上次办理结果（已重办）" in html and "已更换灯泡" in html
    assert "<h2>办理结果</h2>" not in html
    api = client.get(f"/api/service_requests/status/{order.request.tracking_code}").json()
    assert api["resolution_note"] == "" and api["previous_resolution_note"] == "已更换灯泡"
    login(client, org_tree, "admin")
    staff = client.get(reverse("service_requests:detail", args=[order.pk])).content.decode()
    assert "上次办理结果（已重办）" in staff and "<h2>办理结果</h2>" not in staff


# ---- free text: length limits, categories from a list --------------------------------------


def test_resolve_page_refuses_overlong_note(client: Client, org_tree: dict[str, Any]) -> None:
    order = walk_to(
        order_for(org_tree["village_a"]),
        "in_progress",
        admin=org_tree["admin"],
        worker=org_tree["worker_a"],
    )
    login(client, org_tree, "worker_a")
    html = client.get(reverse("service_requests:detail", args=[order.pk])).content.decode()
    assert 'maxlength="2000"' in html
    resp = client.post(
        reverse("service_requests:act", args=[order.pk, "resolve"]),
        {"note": "修" * 20000},
        follow=True,
    )
    assert "2000" in resp.content.decode()
    order.refresh_from_db()
    assert order.state == "in_progress"


def test_recategorise_is_a_choice_of_known_categories(
    client: Client, org_tree: dict[str, Any]
) -> None:
    services.duty_rule_save(acting_user="test", category="道路交通", new_category=True)
    services.duty_rule_save(acting_user="test", category="环境卫生", new_category=True)
    order = order_for(org_tree["village_a"], category="道路交通")
    login(client, org_tree, "admin")
    html = client.get(reverse("service_requests:detail", args=[order.pk])).content.decode()
    form = html.split("/act/recategorise/")[1].split("</form>")[0]
    assert '<select name="category"' in form and ">环境卫生</option>" in form
    resp = client.post(
        reverse("service_requests:act", args=[order.pk, "recategorise"]),
        {"category": "道路交同"},
        follow=True,
    )
    assert "道路交同" in resp.content.decode()
    order.request.refresh_from_db()
    assert order.request.category == "道路交通"
    client.post(
        reverse("service_requests:act", args=[order.pk, "recategorise"]), {"category": "环境卫生"}
    )
    order.request.refresh_from_db()
    assert order.request.category == "环境卫生"


def test_duty_page_restricts_category_and_asks_before_replacing(
    client: Client, org_tree: dict[str, Any]
) -> None:
    from qingzhuang.service_requests.models import DutyRule

    dept = __import__("qingzhuang.org.models", fromlist=["Department"]).Department.objects.create(
        name="示范县卫生健康局"
    )
    services.duty_rule_save(
        acting_user="test",
        category="医疗卫生",
        referred_up=True,
        department=dept,
        reason="卫生室管理属县卫健局",
        new_category=True,
    )
    login(client, org_tree, "admin")
    url = reverse("service_requests:duty")
    page = client.get(url).content.decode()
    assert '<select name="category"' in page and "已有规则，确认替换" in page
    resp = client.post(url, {"category": "<script>alert(1)</script>"})
    assert resp.status_code == 200 and DutyRule.objects.count() == 1
    resp = client.post(url, {"new_category": "<script>alert(1)</script>"})
    assert resp.status_code == 200 and DutyRule.objects.count() == 1
    resp = client.post(url, {"category": "医疗卫生", "lead_office": "村卫生室"})
    assert resp.status_code == 200 and "已有规则" in resp.content.decode()
    rule = DutyRule.objects.get()
    assert rule.referred_up and rule.reason == "卫生室管理属县卫健局"
    resp = client.post(
        url, {"category": "医疗卫生", "lead_office": "村卫生室", "replace": "on"}, follow=True
    )
    rule.refresh_from_db()
    assert not rule.referred_up and rule.lead_office == "村卫生室"
    assert rule.reason == "卫生室管理属县卫健局"
    assert "沿用" in resp.content.decode()
    client.post(url, {"new_category": "文化旅游", "lead_office": "镇文化站"})
    assert DutyRule.objects.filter(category="文化旅游").exists()


# ---- public form: back and resubmit, bad QR code ------------------------------------------


def test_public_form_resubmitted_after_back_returns_the_same_request(
    client: Client, org_tree: dict[str, Any]
) -> None:
    """The browser re-fetches /p/ on Back (a fresh hidden token), keeps the typed fields and
    posts them again: that must land on the first request's confirmation page."""
    import re

    url = reverse("public:intake_village", args=[org_tree["village_a"].code])

    def form_token() -> str:
        html = client.get(url).content.decode()
        return re.search(r'name="client_key" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]

    data = {
        "village": org_tree["village_a"].code,
        "request_type": "consult",
        "text": "请问新农合今年什么时候开始缴费，在哪里交？",
        "phone": "139-1234-5678",
    }
    first = client.post(url, {**data, "client_key": form_token()})
    again = client.post(url, {**data, "client_key": form_token()})  # back, re-fetched, resubmit
    assert first.status_code == again.status_code == 302
    assert again["Location"] == first["Location"]
    assert ServiceRequest.objects.count() == 1
    other = client.post(
        url, {**data, "text": "另一件事：村口垃圾没人清运", "client_key": form_token()}
    )
    assert other["Location"] != first["Location"] and ServiceRequest.objects.count() == 2


def test_public_form_from_another_browser_with_same_text_is_a_new_request(
    org_tree: dict[str, Any],
) -> None:
    url = reverse("public:intake")
    data = {
        "village": org_tree["village_a"].code,
        "request_type": "consult",
        "text": "请问新农合今年什么时候开始缴费，在哪里交？",
    }
    import re

    for _ in range(2):
        c = Client()
        html = c.get(url).content.decode()
        key = re.search(r'name="client_key" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]
        assert c.post(url, {**data, "client_key": key}).status_code == 302
    assert ServiceRequest.objects.count() == 2


def test_unknown_village_qr_code_says_so(client: Client, org_tree: dict[str, Any]) -> None:
    resp = client.get(reverse("public:intake_village", args=["429901101999"]))
    html = resp.content.decode()
    assert resp.status_code == 404 and "二维码无效" in html
    assert reverse("public:intake") in html
    assert 'name="text"' not in html


# ---- the 办理时限 table warns when the holiday calendar lacks a year ------------------------


@pytest.mark.usefixtures("calendar_ends_2026")
def test_admin_sees_a_missing_holiday_calendar_on_the_sla_table(
    client: Client, org_tree: dict[str, Any]
) -> None:
    from qingzhuang.service_requests.models import SlaPolicy

    SlaPolicy.objects.update(resolution_days=120)  # deadlines reach into a year without one
    login(client, org_tree, "admin")
    html = client.get(reverse("service_requests:duty")).content.decode()
    assert "节假日数据还没有" in html and "周一至周五" in html
    client.logout()
    login(client, org_tree, "worker_a")
    assert "节假日数据还没有" not in client.get(reverse("service_requests:duty")).content.decode()
