"""Help index, walkthrough, practice reset, API and CLI."""

from __future__ import annotations

import json
import re
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from qingzhuang.audit.models import AuditEntry
from qingzhuang.burden.models import Finding
from qingzhuang.core.errors import NotFound, PermissionDenied
from qingzhuang.duties import help_content, practice, services
from qingzhuang.duties.models import FeedbackReport, VillageTask
from qingzhuang.org.models import Role, User

from .conftest import login


def test_help_index_for_visitor_lists_only_public_topics(client: Any, db: Any) -> None:
    body = client.get(reverse("duties:help")).content.decode()
    assert "开证明前先查一查" in body
    assert "答复基层反映" not in body
    assert "data-walkthrough-start" not in body


def test_help_index_for_admin_lists_admin_topics(client: Any, org_tree: dict[str, Any]) -> None:
    login(client, org_tree["admin"], org_tree["password"])
    body = client.get(reverse("duties:help")).content.decode()
    assert "答复基层反映" in body and "练习模式" in body
    assert 'id="qz-walkthrough"' in body and "duties/walkthrough.js" in body


def test_walkthrough_tag_gives_role_steps(org_tree: dict[str, Any]) -> None:
    request = RequestFactory().get("/")
    request.user = org_tree["worker_a"]
    html = Template("{% load duties_help %}{% walkthrough %}").render(Context({"request": request}))
    data = json.loads(
        html.split('id="qz-walkthrough" type="application/json">')[1].split("</script>")[0]
    )
    assert data["role"] == "village_worker" and data["seen"] is False
    assert any("减负直通车" in s["text"] for s in data["steps"])
    assert data["done_url"] == reverse("duties:walkthrough_done")


def test_walkthrough_tag_renders_nothing_for_visitors(db: Any) -> None:
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    html = Template("{% load duties_help %}{% walkthrough %}").render(Context({"request": request}))
    assert "qz-walkthrough" not in html


def test_walkthrough_done_and_again(client: Any, org_tree: dict[str, Any]) -> None:
    login(client, org_tree["worker_a"], org_tree["password"])
    assert client.post(reverse("duties:walkthrough_done")).json() == {"ok": True}
    assert User.objects.get(pk=org_tree["worker_a"].pk).seen_walkthrough is True
    client.post(reverse("duties:walkthrough_again"))
    assert User.objects.get(pk=org_tree["worker_a"].pk).seen_walkthrough is False


def test_forms_have_no_maxlength_traps(client: Any, org_tree: dict[str, Any]) -> None:
    login(client, org_tree["admin"], org_tree["password"])
    for name in (
        "duties:tasks",
        "duties:feedback",
        "duties:work_item_new",
        "duties:certificate_new",
    ):
        body = client.get(reverse(name)).content.decode()
        assert "maxlength" not in body, name
        assert "<label" in body


# ---------------------------------------------------------------- practice


def test_practice_reset_only_touches_demo_township(
    demo_town: Any, org_tree: dict[str, Any]
) -> None:
    admin = User.objects.get(username="admin")
    first = practice.practice_reset(actor=admin)
    assert first["seeded_tasks"] == len(practice.TASKS)
    assert first["seeded_feedback"] == len(practice.FEEDBACK)
    # practice: a worker adds something in the demo township
    qingshan = User.objects.get(username="qingshan")
    services.village_task_register(
        actor=qingshan, org_unit=qingshan.org_unit, issuer="x", title="练习登记一条"
    )
    # real data elsewhere
    real = services.village_task_register(
        actor=org_tree["worker_a"],
        org_unit=org_tree["village_a"],
        issuer="县文旅局",
        title="卖门票",
    )
    real_report, _ = services.feedback_submit(
        actor=org_tree["worker_a"],
        issuer="x",
        kind="other",
        occurred_on=real.assigned_on,
        text="真实反映",
        anonymous=True,
    )
    second = practice.practice_reset(actor=admin)
    assert second["deleted_tasks"] == len(practice.TASKS) + 1
    assert second["deleted_feedback"] == len(practice.FEEDBACK)
    assert second["deleted_findings"] > 0
    assert not VillageTask.objects.filter(title="练习登记一条").exists()
    assert VillageTask.objects.filter(pk=real.pk).exists()
    assert FeedbackReport.objects.filter(pk=real_report.pk).exists()
    assert Finding.objects.filter(ref=f"duties.task:{real.pk}").exists()
    assert Finding.objects.filter(ref=f"duties.feedback:{real_report.pk}").exists()
    # the examples are back, once each, and their answers too
    assert VillageTask.objects.filter(
        org_unit__path__startswith=demo_town.township.path
    ).count() == len(practice.TASKS)
    answered = FeedbackReport.objects.filter(status="answered").count()
    assert answered == sum(1 for f in practice.FEEDBACK if f[7])
    assert AuditEntry.objects.filter(action="duties.practice.reset").count() == 2


def test_practice_reset_refused_for_worker(demo_town: Any) -> None:
    with pytest.raises(PermissionDenied):
        practice.practice_reset(actor=User.objects.get(username="qingshan"))


def test_practice_reset_refused_for_admin_of_other_township(
    demo_town: Any, org_tree: dict[str, Any]
) -> None:
    with pytest.raises(PermissionDenied):
        practice.practice_reset(actor=org_tree["admin"])


def test_practice_reset_without_demo_says_run_demo(db: Any) -> None:
    with pytest.raises(NotFound, match="qz demo"):
        practice.practice_reset(actor="cli")


def test_practice_button(client: Any, demo_town: Any) -> None:
    assert client.login(username="admin", password="qz-demo-2026")
    assert "重置练习数据" in client.get(reverse("duties:practice")).content.decode()
    resp = client.post(reverse("duties:practice"))
    assert resp.status_code == 302
    assert FeedbackReport.objects.count() == len(practice.FEEDBACK)


def test_practice_command_is_idempotent(demo_town: Any) -> None:
    out = StringIO()
    call_command("practice", "reset", "--json", stdout=out)
    call_command("practice", "reset", "--json", stdout=(out2 := StringIO()))
    first, second = json.loads(out.getvalue()), json.loads(out2.getvalue())
    assert second["deleted_tasks"] == first["seeded_tasks"]
    assert VillageTask.objects.count() == first["seeded_tasks"]


def test_demo_seed_is_idempotent(demo_town: Any) -> None:
    from qingzhuang.duties import demo

    demo.seed(demo_town)
    counts = (VillageTask.objects.count(), FeedbackReport.objects.count(), Finding.objects.count())
    demo.seed(demo_town)
    assert counts == (
        VillageTask.objects.count(),
        FeedbackReport.objects.count(),
        Finding.objects.count(),
    )
    assert counts[0] == len(practice.TASKS)
    # a demo code opens its answer
    report = FeedbackReport.objects.get(
        code_hash=services.hash_answer_code(practice.FEEDBACK[0][0])
    )
    assert report.answer == practice.FEEDBACK[0][7]


# ---------------------------------------------------------------- API and CLI


def test_api_check_needs_login_and_checks(client: Any, org_tree: dict[str, Any]) -> None:
    url = "/api/duties/check"
    assert client.post(url, {"text": "征兵"}, content_type="application/json").status_code == 401
    login(client, org_tree["worker_a"], org_tree["password"])
    resp = client.post(
        url, {"text": "每村完成招商引资任务", "issuer": "县招商局"}, content_type="application/json"
    )
    assert resp.status_code == 200
    assert resp.json()["list"] == "negative" and resp.json()["flagged"] is True


def test_api_certificate_lookup_is_public(client: Any, db: Any) -> None:
    resp = client.get("/api/duties/certificates/lookup", {"q": "无犯罪记录证明"})
    assert resp.status_code == 200
    assert resp.json()["village_may_issue"] is False and "公安" in resp.json()["where_instead"]
    bad = client.get("/api/duties/certificates/lookup", {"q": " "})
    assert bad.status_code == 400 and "请写上" in bad.json()["error"]["message"]


def test_cli_check(db: Any) -> None:
    out = StringIO()
    call_command(
        "duties", "check", "汛期巡查河堤并报告险情", "--issuer", "县应急局", "--json", stdout=out
    )
    assert json.loads(out.getvalue())["list"] == "assist"


def test_voice_practice_checks_and_stores_nothing(
    client: Any, db: Any, tmp_path: Any, settings: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from qingzhuang.duties.voice import demo_voice_wav

    settings.MEDIA_ROOT = tmp_path
    ok = client.post(
        reverse("duties:voice_practice"),
        {"voice": SimpleUploadedFile("v.wav", demo_voice_wav(), "audio/wav")},
    )
    assert "录音正常" in ok.content.decode() and "时长约 2 秒" in ok.content.decode()
    bad = client.post(
        reverse("duties:voice_practice"),
        {"voice": SimpleUploadedFile("v.webm", b"not audio at all" * 10, "audio/webm")},
    )
    assert "不是能识别的录音" in bad.content.decode()
    assert list(tmp_path.iterdir()) == []


def test_date_fields_are_prefilled_with_today(client: Any, org_tree: dict[str, Any]) -> None:
    from django.utils import timezone

    login(client, org_tree["worker_a"], org_tree["password"])
    today = timezone.localdate().isoformat()
    for name in ("duties:tasks", "duties:feedback"):
        assert f'value="{today}"' in client.get(reverse(name)).content.decode(), name


def test_walkthrough_tag_renders_once_per_request(org_tree: dict[str, Any]) -> None:
    request = RequestFactory().get("/")
    request.user = org_tree["admin"]
    html = Template("{% load duties_help %}{% walkthrough %}{% walkthrough %}").render(
        Context({"request": request})
    )
    assert html.count('id="qz-walkthrough"') == 1
    assert html.count("walkthrough.js") == 1


HAN = re.compile(r"[\u4e00-\u9fff]")


def _walkthrough_data(html: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        html.split('id="qz-walkthrough" type="application/json">')[1].split("</script>")[0]
    )
    return data


def test_walkthrough_steps_and_labels_follow_the_language(
    client: Any, org_tree: dict[str, Any]
) -> None:
    login(client, org_tree["worker_a"], org_tree["password"])
    zh = _walkthrough_data(client.get(reverse("duties:help")).content.decode())
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    en = _walkthrough_data(client.get(reverse("duties:help")).content.decode())
    assert zh["labels"]["next"] == "下一步" and zh["labels"]["count"] == "第 {n} 步，共 {total} 步"
    assert all(HAN.search(s["title"]) and HAN.search(s["text"]) for s in zh["steps"])
    shown = [*en["labels"].values(), *(s[k] for s in en["steps"] for k in ("title", "text"))]
    assert [t for t in shown if HAN.search(t)] == []
    assert "{n}" in en["labels"]["count"] and "{total}" in en["labels"]["count"]
    assert any("Burden direct line" in s["text"] for s in en["steps"])
    # selectors pick page elements: never translated
    assert [s["selector"] for s in en["steps"]] == [s["selector"] for s in zh["steps"]]


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_every_roles_walkthrough_is_translated(role: str) -> None:
    from types import SimpleNamespace

    user = SimpleNamespace(is_authenticated=True, role=role)
    with translation.override("en"):
        data = help_content.walkthrough_for(user)
    assert data is not None
    shown = [*data["labels"].values(), *(s[k] for s in data["steps"] for k in ("title", "text"))]
    assert [t for t in shown if HAN.search(t)] == []


def test_help_topics_are_translated(client: Any, org_tree: dict[str, Any]) -> None:
    with translation.override("en"):
        topics = [str(t) for title, _u, _c, steps in help_content.TOPICS for t in (title, *steps)]
    assert [t for t in topics if HAN.search(t)] == []
    login(client, org_tree["admin"], org_tree["password"])
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = client.get(reverse("duties:help")).content.decode()
    assert "Reply to grassroots feedback" in body and "答复基层反映" not in body


@pytest.fixture
def reset_language() -> Any:
    yield
    translation.deactivate()


@pytest.mark.usefixtures("reset_language")
def test_practice_page_in_english_spaces_the_colon_and_translates_roles(
    client: Any, demo_town: Any
) -> None:
    assert client.login(username="admin", password="qz-demo-2026")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = client.get(reverse("duties:practice")).content.decode()
    assert f": {demo_town.township.name}" in body
    assert "Township admin" in body and "Village worker" in body
    assert "镇党政办管理员" not in body and "工作人员" not in body
