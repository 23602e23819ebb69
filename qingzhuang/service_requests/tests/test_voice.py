"""Voice messages (语音留言): public upload, text optional with voice, scoped playback, summary."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from qingzhuang.audit.models import AuditEntry
from qingzhuang.core.errors import InvalidInput, PermissionDenied
from qingzhuang.duties.voice import demo_voice_wav
from qingzhuang.service_requests import services
from qingzhuang.service_requests.models import (
    Attachment,
    AttachmentKind,
    Channel,
    RequestType,
    ServiceRequest,
    WorkOrder,
)
from qingzhuang.service_requests.tests.helpers import submit
from qingzhuang.service_requests.voice import (
    VOICE_ONLY_TEXT,
    request_submit_voice,
    request_voice_summary,
)

pytestmark = pytest.mark.django_db


def _wav_file(seconds: float = 2.0, name: str = "voice.webm") -> io.BytesIO:
    f = io.BytesIO(demo_voice_wav(seconds))
    f.name = name  # the name lies on purpose: content is sniffed
    return f


def _post(client: Client, tree: dict[str, Any], **extra: Any) -> Any:
    data = {
        "village": tree["village_a"].code,
        "request_type": "help",
        "text": "",
        "client_key": extra.pop("client_key", "voice-1"),
    }
    data.update(extra)
    return client.post(reverse("public:intake"), data)


def _voice_order(tree: dict[str, Any], text: str = "", seconds: float = 2.0) -> WorkOrder:
    result = request_submit_voice(
        voice=services.Upload("v.wav", demo_voice_wav(seconds)),
        text=text,
        org_unit=tree["village_a"],
        request_type=RequestType.HELP,
        channel=Channel.WEB,
        actor="public",
    )
    return WorkOrder.objects.get(request=result.request)


def test_intake_page_says_text_is_optional_with_voice(client: Client, org_tree: Any) -> None:
    html = client.get(reverse("public:intake")).content.decode()
    assert 'name="voice"' in html and 'id="id_voice"' in html and 'accept="audio/*"' in html
    assert "data-voice-recorder" in html and "duties/voice_recorder.js" in html
    assert "录了语音，上面的文字可以不写" in html


def test_voice_only_submission_is_stored_as_voice_attachment(
    client: Client, org_tree: dict[str, Any]
) -> None:
    resp = _post(client, org_tree, voice=_wav_file(2.0))
    assert resp.status_code == 302, resp.content.decode()[:2000]
    r = ServiceRequest.objects.get()
    assert r.text == VOICE_ONLY_TEXT and r.org_unit == org_tree["village_a"]
    assert r.category == "" and r.duplicate_of is None
    att = Attachment.objects.get(request=r)
    assert att.kind == AttachmentKind.VOICE and att.content_type == "audio/wav"
    assert att.duration_seconds == pytest.approx(2.0, abs=0.1)
    assert att.size == len(demo_voice_wav(2.0)) and att.file.name.endswith(".wav")
    assert AuditEntry.objects.filter(action="service_requests.attachment.voice_attach").count() == 1
    # a retry of the same form stores nothing more
    assert _post(client, org_tree, voice=_wav_file(2.0))["Location"] == resp["Location"]
    assert Attachment.objects.count() == 1


def test_text_and_voice_together_keep_the_text(client: Client, org_tree: dict[str, Any]) -> None:
    resp = _post(client, org_tree, text="村口的路灯坏了三天了", voice=_wav_file())
    assert resp.status_code == 302
    r = ServiceRequest.objects.get()
    assert r.text == "村口的路灯坏了三天了" and r.attachments.get().kind == "voice"


def test_neither_text_nor_voice_is_refused_with_plain_words(
    client: Client, org_tree: dict[str, Any]
) -> None:
    resp = _post(client, org_tree)
    assert resp.status_code == 200
    assert "两样有一样就行" in resp.content.decode()
    assert ServiceRequest.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"MZ\x90\x00" + b"\0" * 200, "不是能识别的录音"),
        (b"RIFF", "录音是空的"),
        (demo_voice_wav(70.0), "最长只能 60 秒"),
    ],
)
def test_invalid_voice_is_refused_and_nothing_stored(
    client: Client, org_tree: dict[str, Any], content: bytes, message: str
) -> None:
    f = io.BytesIO(content)
    f.name = "voice.webm"
    resp = _post(client, org_tree, voice=f)
    assert resp.status_code == 200
    assert message in resp.content.decode()
    assert ServiceRequest.objects.count() == 0 and Attachment.objects.count() == 0


def test_voice_only_request_is_not_linked_as_duplicate_of_another(org_tree: Any) -> None:
    first = _voice_order(org_tree, seconds=2.0)
    second = _voice_order(org_tree, seconds=3.0)
    assert first.pk != second.pk
    assert second.request.duplicate_of_id is None
    assert _voice_order(org_tree, seconds=3.0).pk == second.pk  # same recording: a retry


def test_service_refuses_bad_recording_before_storing(org_tree: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput):
        request_submit_voice(
            voice=services.Upload("x.mp3", b"not audio" * 20),
            org_unit=org_tree["village_a"],
            request_type=RequestType.HELP,
            channel=Channel.WEB,
            actor="public",
        )
    assert ServiceRequest.objects.count() == 0


def test_staff_of_the_village_can_play_the_voice(client: Client, org_tree: dict[str, Any]) -> None:
    order = _voice_order(org_tree)
    att = order.request.attachments.get()
    assert client.login(username="worker_a", password=org_tree["password"])
    detail = client.get(reverse("service_requests:detail", args=[order.pk])).content.decode()
    url = reverse("service_requests:attachment", args=[order.pk, att.pk])
    assert f'<audio controls preload="metadata" src="{url}"' in detail
    assert "/media/" not in detail
    resp = client.get(url)
    assert resp.status_code == 200 and resp["Content-Type"] == "audio/wav"
    assert b"".join(resp.streaming_content) == demo_voice_wav()
    assert "no-store" in resp["Cache-Control"]


def test_worker_of_another_village_gets_404_for_the_voice(
    client: Client, org_tree: dict[str, Any]
) -> None:
    order = _voice_order(org_tree)
    att = order.request.attachments.get()
    assert client.login(username="worker_b", password=org_tree["password"])
    url = reverse("service_requests:attachment", args=[order.pk, att.pk])
    assert client.get(url).status_code == 404
    summary_url = reverse("service_requests:voice_summary", args=[order.pk, att.pk])
    assert client.post(summary_url, {"summary": "偷偷改掉的摘要内容"}).status_code == 404
    att.refresh_from_db()
    assert att.summary == ""


def _dept_staff(tree: dict[str, Any]) -> Any:
    """A county department's staff: their scope is the county, so only the role can stop them."""
    from qingzhuang.org.models import Role
    from qingzhuang.org.tests.factories import UserFactory

    return UserFactory(username="minzheng", role=Role.DEPARTMENT_STAFF, org_unit=tree["county"])


@pytest.mark.parametrize("who", ["evaluator", "dept"])
def test_roles_that_do_not_handle_requests_cannot_hear_the_voice_or_open_the_request(
    client: Client, org_tree: dict[str, Any], who: str
) -> None:
    order = _voice_order(org_tree)
    att = order.request.attachments.get()
    client.force_login(org_tree["evaluator"] if who == "evaluator" else _dept_staff(org_tree))
    assert (
        client.get(reverse("service_requests:attachment", args=[order.pk, att.pk])).status_code
        == 403
    )
    assert client.get(reverse("service_requests:detail", args=[order.pk])).status_code == 403
    summary_url = reverse("service_requests:voice_summary", args=[order.pk, att.pk])
    assert client.post(summary_url, {"summary": "评价人员写的语音摘要"}).status_code == 403
    att.refresh_from_db()
    assert att.summary == ""
    assert client.get(f"/api/service_requests/orders/{order.pk}").status_code == 403
    assert client.get("/api/service_requests/orders").status_code == 403


def test_attachment_of_another_order_is_not_served_through_mine(
    client: Client, org_tree: dict[str, Any]
) -> None:
    mine = WorkOrder.objects.get(request=submit(org_tree["village_a"]).request)
    other = _voice_order(org_tree)
    att = other.request.attachments.get()
    assert client.login(username="worker_a", password=org_tree["password"])
    url = reverse("service_requests:attachment", args=[mine.pk, att.pk])
    assert client.get(url).status_code == 404


def test_anonymous_visitor_cannot_fetch_the_voice(client: Client, org_tree: Any) -> None:
    order = _voice_order(org_tree)
    att = order.request.attachments.get()
    resp = client.get(reverse("service_requests:attachment", args=[order.pk, att.pk]))
    assert resp.status_code == 302 and "/accounts/login/" in resp["Location"]


def test_summary_becomes_the_text_of_a_voice_only_request_and_is_audited(
    client: Client, org_tree: dict[str, Any]
) -> None:
    order = _voice_order(org_tree)
    att = order.request.attachments.get()
    assert client.login(username="worker_a", password=org_tree["password"])
    url = reverse("service_requests:voice_summary", args=[order.pk, att.pk])
    resp = client.post(url, {"summary": "王奶奶说三组水井的水泵坏了，吃水困难"})
    assert resp.status_code == 302
    att.refresh_from_db()
    order.request.refresh_from_db()
    assert att.summary == "王奶奶说三组水井的水泵坏了，吃水困难"
    assert att.summary_by == org_tree["worker_a"] and att.summary_at is not None
    assert order.request.text == att.summary
    entry = AuditEntry.objects.get(action="service_requests.attachment.voice_summary")
    assert entry.actor == org_tree["worker_a"]
    assert entry.before["text"] == VOICE_ONLY_TEXT and entry.after["text"] == att.summary
    assert order.events.filter(action="voice_summary").exists()
    detail = client.get(reverse("service_requests:detail", args=[order.pk])).content.decode()
    assert "语音摘要" in detail and "水泵坏了" in detail


def test_summary_does_not_replace_text_the_resident_wrote(org_tree: dict[str, Any]) -> None:
    order = _voice_order(org_tree, text="村口的路灯坏了三天了")
    att = order.request.attachments.get()
    request_voice_summary(
        attachment=att, summary="补充：路灯在小卖部门口", acting_user=org_tree["worker_a"]
    )
    order.request.refresh_from_db()
    assert order.request.text == "村口的路灯坏了三天了"
    assert Attachment.objects.get(pk=att.pk).summary == "补充：路灯在小卖部门口"


def test_summary_needs_the_handle_role_and_scope(org_tree: dict[str, Any]) -> None:
    order = _voice_order(org_tree)
    att = order.request.attachments.get()
    with pytest.raises(PermissionDenied):
        request_voice_summary(
            attachment=att, summary="别村的人写的摘要", acting_user=org_tree["worker_b"]
        )
    with pytest.raises(PermissionDenied):
        request_voice_summary(
            attachment=att, summary="评价人员写的摘要", acting_user=org_tree["evaluator"]
        )
    with pytest.raises(InvalidInput):
        request_voice_summary(attachment=att, summary="短", acting_user=org_tree["worker_a"])
    assert not AuditEntry.objects.filter(
        action="service_requests.attachment.voice_summary"
    ).exists()


def test_staff_entry_form_still_requires_text(client: Client, org_tree: dict[str, Any]) -> None:
    assert client.login(username="worker_a", password=org_tree["password"])
    resp = client.post(
        reverse("service_requests:entry"),
        {"village": org_tree["village_a"].code, "request_type": "help", "channel": "phone"},
    )
    assert resp.status_code == 200 and ServiceRequest.objects.count() == 0
    assert 'name="voice"' not in resp.content.decode()


def test_demo_ships_one_voice_message_idempotently() -> None:
    call_command("demo", stdout=io.StringIO())
    call_command("demo", stdout=io.StringIO())
    voices = Attachment.objects.filter(kind=AttachmentKind.VOICE)
    assert voices.count() == 1
    assert voices.get().request.text == VOICE_ONLY_TEXT


def test_overlong_summary_is_refused_not_cut(org_tree: dict[str, Any]) -> None:
    order = _voice_order(org_tree)
    att = order.request.attachments.get()
    with pytest.raises(InvalidInput, match="2000"):
        request_voice_summary(attachment=att, summary="水" * 2001, acting_user=org_tree["worker_a"])
    assert Attachment.objects.get(pk=att.pk).summary == ""
