"""减负直通车: anonymity (inspect the rows), the group-size rule, the one-time answer code, scope."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from qingzhuang.audit.models import AuditEntry
from qingzhuang.burden.models import Finding
from qingzhuang.core.errors import InvalidInput, NotFound, PermissionDenied
from qingzhuang.duties import selectors, services
from qingzhuang.duties.models import FeedbackReport
from qingzhuang.org.models import OrgLevel
from qingzhuang.org.scope import scope_for
from qingzhuang.org.tests.factories import OrgUnitFactory, UserFactory

from . import evidence_files
from .conftest import login

IP = "203.0.113.77"
UA = "Mozilla/5.0 (Linux; Android 12; QZ-TEST-PHONE)"


def _raw_row(pk: int) -> dict[str, Any]:
    table = FeedbackReport._meta.db_table
    with connection.cursor() as cur:
        cur.execute(f"SELECT * FROM {table} WHERE id = %s", [pk])  # noqa: S608 - table name is ours
        cols = [c[0] for c in cur.description]
        return dict(zip(cols, cur.fetchone(), strict=True))


def _submit(client: Any, anonymous: bool, **extra: Any) -> Any:
    data = {
        "issuer": "县生态环境局",
        "kind": "checkin",
        "occurred_on": "2026-03-02",
        "text": "要求每天在群里拍照打卡",
        **({"anonymous": "on"} if anonymous else {}),
        **extra,
    }
    return client.post(reverse("duties:feedback"), data, REMOTE_ADDR=IP, HTTP_USER_AGENT=UA)


def test_anonymous_report_stores_nothing_identifying(client: Any, org_tree: dict[str, Any]) -> None:
    worker = org_tree["worker_a"]
    login(client, worker, org_tree["password"])
    evidence = SimpleUploadedFile("张三的截图.png", evidence_files.png(), "image/png")
    resp = _submit(client, True, evidence=evidence)
    assert resp.status_code == 200
    report = FeedbackReport.objects.get()
    row = _raw_row(report.pk)
    # who: nobody; where: the township, not the reporter's village
    assert row["reporter_id"] is None and row["reporter_unit_id"] is None
    assert row["org_unit_id"] == org_tree["town"].pk
    assert row["anonymous"] in (True, 1)
    # no timestamp finer than a day, no IP, user agent, session, name or original file name
    session_key = client.session.session_key
    identifying = [IP, UA, session_key, worker.username, str(worker), "张三", worker.org_unit.name]
    flat = json.dumps(row, default=str, ensure_ascii=False)
    for needle in identifying:
        assert needle not in flat, needle
    assert not any(isinstance(v, dt.datetime) for v in row.values())
    # the audit entries (report and ledger finding) carry no actor
    entries = AuditEntry.objects.filter(action__in=["duties.feedback.submit", "burden.finding.add"])
    assert entries.count() == 2
    for e in entries:
        assert e.actor_id is None and e.actor_label == "anonymous"
        dumped = json.dumps([e.before, e.after, e.object_repr, e.org_path], ensure_ascii=False)
        for needle in identifying:
            assert needle not in dumped, needle
        assert f'"reporter": {worker.pk}' not in dumped
    assert e.org_path == org_tree["town"].path


def test_named_report_keeps_reporter(client: Any, org_tree: dict[str, Any]) -> None:
    login(client, org_tree["worker_a"], org_tree["password"])
    _submit(client, False)
    report = FeedbackReport.objects.get()
    assert report.reporter == org_tree["worker_a"]
    assert report.reporter_unit == org_tree["village_a"]
    entry = AuditEntry.objects.get(action="duties.feedback.submit")
    assert entry.actor == org_tree["worker_a"]
    assert list(selectors.my_feedback_reports(user=org_tree["worker_a"])) == [report]


def test_anonymous_report_is_not_in_my_reports(org_tree: dict[str, Any]) -> None:
    services.feedback_submit(
        actor=org_tree["worker_a"],
        issuer="县某局",
        kind="meeting",
        occurred_on=dt.date(2026, 3, 1),
        text="又开会",
        anonymous=True,
    )
    assert not selectors.my_feedback_reports(user=org_tree["worker_a"]).exists()


def test_report_feeds_burden_ledger(org_tree: dict[str, Any]) -> None:
    report, _ = services.feedback_submit(
        actor=org_tree["worker_a"],
        issuer="县统计局",
        kind="repeat_form",
        occurred_on=dt.date(2026, 3, 1),
        text="同一个数报了三次",
        anonymous=True,
    )
    f = Finding.objects.get(ref=f"duties.feedback:{report.pk}")
    assert f.origin == "feedback" and f.kind == "report"
    assert f.org_unit == org_tree["town"]


def test_future_date_is_refused_with_next_step(org_tree: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput, match="重新选择"):
        services.feedback_submit(
            actor=org_tree["worker_a"],
            issuer="x",
            kind="other",
            occurred_on=dt.date(2999, 1, 1),
            text="x",
            anonymous=False,
        )


def test_department_staff_cannot_use_village_channel(org_tree: dict[str, Any]) -> None:
    with pytest.raises(PermissionDenied):
        services.feedback_submit(
            actor=org_tree["evaluator"],
            issuer="x",
            kind="other",
            occurred_on=dt.date(2026, 1, 1),
            text="x",
            anonymous=True,
        )


# ---------------------------------------------------------------- group-size rule


def _reports(org_tree: dict[str, Any], kind: str, issuer: str, n: int) -> None:
    for _ in range(n):
        services.feedback_submit(
            actor=org_tree["worker_a"],
            issuer=issuer,
            kind=kind,
            occurred_on=timezone.localdate(),
            text="情况",
            anonymous=True,
        )


def test_groups_below_three_are_withheld(org_tree: dict[str, Any]) -> None:
    _reports(org_tree, "checkin", "县甲局", 2)
    stats = selectors.feedback_statistics(scope=scope_for(org_tree["admin"]))
    assert stats["total"] is None
    assert stats["by_kind"].rows == [] and stats["by_issuer"].rows == []
    assert stats["by_kind"].withheld_groups == 1
    assert stats["by_kind"].withheld_reports == 2


def test_group_of_three_is_shown_and_smaller_ones_are_not(org_tree: dict[str, Any]) -> None:
    _reports(org_tree, "checkin", "县甲局", 3)
    _reports(org_tree, "meeting", "县乙局", 1)
    stats = selectors.feedback_statistics(scope=scope_for(org_tree["admin"]))
    assert stats["total"] == 4
    assert [(r["key"], r["n"]) for r in stats["by_kind"].rows] == [("checkin", 3)]
    assert [(r["key"], r["n"]) for r in stats["by_issuer"].rows] == [("县甲局", 3)]
    assert stats["by_issuer"].withheld_groups == 1


def test_inbox_page_applies_group_rule(client: Any, org_tree: dict[str, Any]) -> None:
    _reports(org_tree, "meeting", "县乙局", 2)
    login(client, org_tree["admin"], org_tree["password"])
    body = client.get(reverse("duties:feedback_inbox")).content.decode()
    assert "不足 3 条，暂不显示" in body


@pytest.mark.usefixtures("gettext_marked")
def test_withheld_note_on_inbox_goes_through_the_translation_catalogue(
    client: Any, org_tree: dict[str, Any]
) -> None:
    _reports(org_tree, "meeting", "县乙局", 2)
    login(client, org_tree["admin"], org_tree["password"])
    body = client.get(reverse("duties:feedback_inbox")).content.decode()
    assert "为保护反映人未单独列出" in body
    assert re.search(r"«[^«»]*为保护反映人未单独列出[^«»]*»", body), "note is not translatable"


# ---------------------------------------------------------------- one-time answer code


def test_code_is_shown_once_and_only_its_hash_is_stored(
    client: Any, org_tree: dict[str, Any]
) -> None:
    login(client, org_tree["worker_a"], org_tree["password"])
    resp = _submit(client, True)
    code = resp.context["code"]
    assert code in resp.content.decode()
    report = FeedbackReport.objects.get()
    assert report.code_hash == services.hash_answer_code(code)
    flat = json.dumps(_raw_row(report.pk), default=str)
    assert code not in flat and code.replace("-", "") not in flat
    assert code not in json.dumps(dict(client.session.items()), default=str)
    # the feedback page shown afterwards does not repeat it
    assert code not in client.get(reverse("duties:feedback")).content.decode()


def test_answer_is_read_with_the_code(client: Any, org_tree: dict[str, Any]) -> None:
    report, code = services.feedback_submit(
        actor=org_tree["worker_a"],
        issuer="县某局",
        kind="checkin",
        occurred_on=dt.date(2026, 3, 1),
        text="打卡",
        anonymous=True,
    )
    # before the answer
    resp = client.post(reverse("duties:feedback_answer"), {"code": code})
    assert "还没有答复" in resp.content.decode()
    services.feedback_answer(actor=org_tree["admin"], report=report, answer="已取消打卡要求")
    # case-insensitive, dashes optional, no login needed
    resp = client.post(reverse("duties:feedback_answer"), {"code": code.lower().replace("-", "")})
    assert resp.status_code == 200 and "已取消打卡要求" in resp.content.decode()
    report.refresh_from_db()
    assert report.status == "answered" and report.answered_by == org_tree["admin"]


def test_wrong_code_finds_nothing(org_tree: dict[str, Any]) -> None:
    services.feedback_submit(
        actor=org_tree["worker_a"],
        issuer="x",
        kind="other",
        occurred_on=dt.date(2026, 3, 1),
        text="x",
        anonymous=True,
    )
    with pytest.raises(NotFound, match="核对查询码"):
        selectors.feedback_by_code("AAAA-BBBB-CCCC")


def test_codes_differ_between_reports(org_tree: dict[str, Any]) -> None:
    codes = {
        services.feedback_submit(
            actor=org_tree["worker_a"],
            issuer="x",
            kind="other",
            occurred_on=dt.date(2026, 3, 1),
            text="x",
            anonymous=True,
        )[1]
        for _ in range(5)
    }
    assert len(codes) == 5


# ---------------------------------------------------------------- scope


@pytest.fixture
def other_town(org_tree: dict[str, Any]) -> dict[str, Any]:
    town = OrgUnitFactory(
        code="420000200001", name="别镇", level=OrgLevel.TOWNSHIP, parent=org_tree["county"]
    )
    admin = UserFactory(username="other_admin", role="township_admin", org_unit=town)
    return {"town": town, "admin": admin}


def test_other_township_admin_cannot_see_or_answer(
    client: Any, org_tree: dict[str, Any], other_town: dict[str, Any]
) -> None:
    report, _ = services.feedback_submit(
        actor=org_tree["worker_a"],
        issuer="x",
        kind="other",
        occurred_on=dt.date(2026, 3, 1),
        text="秘密内容",
        anonymous=True,
    )
    assert not selectors.feedback_reports(scope=scope_for(other_town["admin"])).exists()
    with pytest.raises(PermissionDenied):
        services.feedback_answer(actor=other_town["admin"], report=report, answer="x")
    login(client, other_town["admin"], org_tree["password"])
    assert "秘密内容" not in client.get(reverse("duties:feedback_inbox")).content.decode()
    assert client.get(reverse("duties:feedback_detail", args=[report.pk])).status_code == 404


def test_village_worker_cannot_open_inbox(client: Any, org_tree: dict[str, Any]) -> None:
    login(client, org_tree["worker_b"], org_tree["password"])
    assert client.get(reverse("duties:feedback_inbox")).status_code == 403


def test_admin_answers_through_page(client: Any, org_tree: dict[str, Any]) -> None:
    report, _ = services.feedback_submit(
        actor=org_tree["worker_a"],
        issuer="x",
        kind="other",
        occurred_on=dt.date(2026, 3, 1),
        text="情况说明",
        anonymous=False,
    )
    login(client, org_tree["admin"], org_tree["password"])
    assert (
        "情况说明"
        in client.get(reverse("duties:feedback_detail", args=[report.pk])).content.decode()
    )
    resp = client.post(reverse("duties:feedback_detail", args=[report.pk]), {"answer": "已处理"})
    assert resp.status_code == 302
    report.refresh_from_db()
    assert report.answer == "已处理"


def test_evidence_download_is_scoped(
    client: Any, org_tree: dict[str, Any], other_town: dict[str, Any]
) -> None:
    report, _ = services.feedback_submit(
        actor=org_tree["worker_a"],
        issuer="x",
        kind="other",
        occurred_on=dt.date(2026, 3, 1),
        text="x",
        anonymous=False,
        evidence=SimpleUploadedFile("a.pdf", b"%PDF-1.4 test", "application/pdf"),
    )
    assert re.fullmatch(r"duties/evidence/[0-9a-f]{32}\.pdf", report.evidence.name)
    login(client, org_tree["admin"], org_tree["password"])
    resp = client.get(reverse("duties:feedback_evidence", args=[report.pk]))
    assert resp.status_code == 200 and b"".join(resp.streaming_content) == b"%PDF-1.4 test"
    client.logout()
    login(client, other_town["admin"], org_tree["password"])
    assert client.get(reverse("duties:feedback_evidence", args=[report.pk])).status_code == 404


def test_evidence_of_wrong_type_is_refused(org_tree: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput, match="照片"):
        services.feedback_submit(
            actor=org_tree["worker_a"],
            issuer="x",
            kind="other",
            occurred_on=dt.date(2026, 3, 1),
            text="x",
            anonymous=True,
            evidence=SimpleUploadedFile("a.exe", b"MZ", "application/x"),
        )
    assert not FeedbackReport.objects.exists()


# ---------------------------------------------------------------- evidence checked by content

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
EXE = b"MZ\x90\x00" + b"\x00" * 100


def _zip(member: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr(member, "<x/>")
    return buf.getvalue()


def _submit_evidence(
    org_tree: dict[str, Any], name: str, content: bytes, anonymous: bool = True
) -> FeedbackReport:
    report, _ = services.feedback_submit(
        actor=org_tree["worker_a"],
        issuer="县某局",
        kind="checkin",
        occurred_on=dt.date(2026, 3, 1),
        text="打卡",
        anonymous=anonymous,
        evidence=SimpleUploadedFile(name, content),
    )
    return report


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("x.png", EXE),  # a Windows program renamed to look like a photo
        ("x.jpg", b"<html><script>alert(1)</script></html>"),
        ("x.pdf", EXE),
        ("x.docx", b"PK\x03\x04" + b"\x00" * 60),  # a broken zip
        ("x.xlsx", _zip("payload/run.exe")),  # a zip, but not a workbook
        ("x.doc", PNG),
        ("x.webp", b"RIFF\x00\x00\x00\x00WAVEfmt "),
    ],
)
def test_evidence_whose_content_is_not_an_allowed_type_is_refused(
    org_tree: dict[str, Any], name: str, content: bytes
) -> None:
    with pytest.raises(InvalidInput, match="内容"):
        _submit_evidence(org_tree, name, content)
    assert not FeedbackReport.objects.exists()
    assert not Finding.objects.exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("截图.png", PNG),
        ("照片.JPG", b"\xff\xd8\xff\xe0" + b"\x00" * 100),
        ("照片.jpeg", PNG),  # a phone may name a PNG screenshot .jpeg: still a picture
        ("动图.gif", b"GIF89a" + b"\x00" * 100),
        ("图.webp", b"RIFF\x00\x00\x00\x00WEBPVP8 " + b"\x00" * 100),
        ("通知.pdf", b"%PDF-1.7\n" + b"\x00" * 100),
        ("通知.docx", _zip("word/document.xml")),
        ("台账.xlsx", _zip("xl/workbook.xml")),
        ("通知.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100),
        ("台账.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100),
    ],
)
def test_evidence_of_an_allowed_type_is_kept(
    org_tree: dict[str, Any], name: str, content: bytes
) -> None:
    # a named report stores the file as sent (anonymous ones are cleaned of their metadata,
    # see test_evidence_metadata.py)
    report = _submit_evidence(org_tree, name, content, anonymous=False)
    with report.evidence.open("rb") as fh:
        assert fh.read() == content


def test_feedback_page_refuses_a_program_named_as_a_photo(
    client: Any, org_tree: dict[str, Any]
) -> None:
    login(client, org_tree["worker_a"], org_tree["password"])
    resp = _submit(client, True, evidence=SimpleUploadedFile("x.png", EXE, "image/png"))
    assert resp.status_code == 200
    assert any("内容" in e for e in resp.context["form"].non_field_errors())
    assert not FeedbackReport.objects.exists()


# ---------------------------------------------------------------- answers keep their history


def test_second_answer_is_added_and_the_reporter_reads_both(
    client: Any, org_tree: dict[str, Any]
) -> None:
    admin = org_tree["admin"]
    report, code = services.feedback_submit(
        actor=org_tree["worker_a"],
        issuer="县某局",
        kind="checkin",
        occurred_on=dt.date(2026, 3, 1),
        text="打卡",
        anonymous=True,
    )
    services.feedback_answer(actor=admin, report=report, answer="已联系县某局，正在协调")
    services.feedback_answer(actor=admin, report=report, answer="县某局已取消每日打卡要求")
    answers = list(report.answers.order_by("id"))
    assert [a.text for a in answers] == ["已联系县某局，正在协调", "县某局已取消每日打卡要求"]
    assert all(a.answered_by == admin and a.answered_on for a in answers)
    report.refresh_from_db()
    assert report.answer == "县某局已取消每日打卡要求" and report.status == "answered"
    body = client.post(reverse("duties:feedback_answer"), {"code": code}).content.decode()
    assert body.index("已联系县某局，正在协调") < body.index("县某局已取消每日打卡要求")
    # the audit trail names what was there before the new answer
    last = AuditEntry.objects.filter(action="duties.feedback.answer").order_by("id").last()
    assert last is not None
    assert last.before is not None and last.before["answer"] == "已联系县某局，正在协调"
    assert last.after is not None and last.after["answer"] == "县某局已取消每日打卡要求"


def test_answer_page_shows_earlier_answers_and_adds_instead_of_replacing(
    client: Any, org_tree: dict[str, Any]
) -> None:
    report, _ = services.feedback_submit(
        actor=org_tree["worker_a"],
        issuer="县某局",
        kind="meeting",
        occurred_on=dt.date(2026, 3, 1),
        text="会太多",
        anonymous=False,
    )
    services.feedback_answer(actor=org_tree["admin"], report=report, answer="第一次的答复")
    login(client, org_tree["admin"], org_tree["password"])
    url = reverse("duties:feedback_detail", args=[report.pk])
    resp = client.get(url)
    body = resp.content.decode()
    assert "第一次的答复" in body
    assert not resp.context["form"]["answer"].value()  # the box starts empty: nothing to overwrite
    assert "不会被替换" in body
    assert client.post(url, {"answer": "第二次的答复"}).status_code == 302
    assert sorted(report.answers.values_list("text", flat=True)) == ["第一次的答复", "第二次的答复"]


# ---------------------------------------------------------------- dates


def test_feedback_date_before_2000_is_refused(org_tree: dict[str, Any]) -> None:
    for day in (dt.date(1, 1, 1), dt.date(1999, 12, 31)):
        with pytest.raises(InvalidInput, match="2000"):
            services.feedback_submit(
                actor=org_tree["worker_a"],
                issuer="x",
                kind="other",
                occurred_on=day,
                text="x",
                anonymous=False,
            )
    assert not FeedbackReport.objects.exists()
    report, _ = services.feedback_submit(
        actor=org_tree["worker_a"],
        issuer="x",
        kind="other",
        occurred_on=dt.date(2000, 1, 1),
        text="x",
        anonymous=False,
    )
    assert report.occurred_on == dt.date(2000, 1, 1)


@pytest.mark.parametrize("day", ["0001-01-01", "2099-01-01"])
def test_feedback_page_puts_a_date_error_on_the_date_field(
    client: Any, org_tree: dict[str, Any], day: str
) -> None:
    login(client, org_tree["worker_a"], org_tree["password"])
    resp = _submit(client, False, occurred_on=day)
    assert resp.status_code == 200
    assert resp.context["form"].errors.get("occurred_on")
    assert not FeedbackReport.objects.exists()


def test_named_reporter_sees_every_answer_on_the_feedback_page(
    client: Any, org_tree: dict[str, Any]
) -> None:
    report, _ = services.feedback_submit(
        actor=org_tree["worker_a"],
        issuer="县某局",
        kind="meeting",
        occurred_on=dt.date(2026, 3, 1),
        text="会太多",
        anonymous=False,
    )
    services.feedback_answer(actor=org_tree["admin"], report=report, answer="先答复一句")
    services.feedback_answer(actor=org_tree["admin"], report=report, answer="再补充一句")
    login(client, org_tree["worker_a"], org_tree["password"])
    body = client.get(reverse("duties:feedback")).content.decode()
    assert body.index("先答复一句") < body.index("再补充一句")
