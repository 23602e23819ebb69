"""Pages: village work-item admission, certificate lookup, 减负直通车, help and practice mode."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qingzhuang.core.errors import ApplicationError, NotFound
from qingzhuang.core.ratelimit import ratelimit
from qingzhuang.duties import practice, selectors, services
from qingzhuang.duties.forms import (
    AnswerForm,
    CertificateForm,
    CertificateLookupForm,
    CheckForm,
    CodeForm,
    FeedbackForm,
    TaskForm,
    WorkItemForm,
)
from qingzhuang.duties.help_content import topics_for
from qingzhuang.duties.models import Certificate, ListKind, WorkItem
from qingzhuang.duties.voice import MAX_VOICE_SECONDS, sniff_voice, validate_voice_upload
from qingzhuang.org.roles import can, require
from qingzhuang.org.scope import scope_for
from qingzhuang.org.selectors import villages

# ---------------------------------------------------------------- tasks assigned to villages


@login_required
def tasks(request: HttpRequest) -> HttpResponse:
    require(request.user, "duties.register")
    scope = scope_for(request.user)
    units = villages(scope=scope)
    form = TaskForm(request.POST or None, villages=units)
    if request.method == "POST" and form.is_valid():
        try:
            task = services.village_task_register(actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("duties:task_detail", pk=task.pk)
    year = timezone.localdate().year
    return render(
        request,
        "duties/tasks.html",
        {
            "form": form,
            "tasks": selectors.village_tasks(scope=scope)[:50],
            "stats": selectors.task_statistics(scope=scope, year=year),
            "year": year,
        },
    )


@login_required
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "duties.register")
    task = selectors.village_task_get(scope=scope_for(request.user), pk=pk)
    return render(request, "duties/task_detail.html", {"task": task})


@login_required
@require_POST
def check(request: HttpRequest) -> HttpResponse:
    """Check without saving (htmx fragment on the task page)."""
    form = CheckForm(request.POST)
    outcome, error = None, ""
    if form.is_valid():
        text = f"{form.cleaned_data['title']} {form.cleaned_data['detail']}".strip()
        try:
            outcome = services.work_item_check(text, form.cleaned_data["issuer"])
        except ApplicationError as exc:
            error = exc.message
    else:
        error = _("请先写上交办的事项，再点“先核对一下”。")
    return render(request, "duties/_check_result.html", {"outcome": outcome, "error": error})


# ---------------------------------------------------------------- lists


@login_required
def lists(request: HttpRequest) -> HttpResponse:
    items = list(selectors.work_items(include_inactive=can(request.user, "duties.manage")))
    groups = [
        {"kind": k, "label": k.label, "items": [i for i in items if i.list_kind == k]}
        for k in ListKind
    ]
    return render(
        request,
        "duties/lists.html",
        {
            "groups": groups,
            "certificates": selectors.certificates(
                include_inactive=can(request.user, "duties.manage")
            ),
            "manage": can(request.user, "duties.manage"),
        },
    )


@login_required
def work_item_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    require(request.user, "duties.manage")
    item = WorkItem.objects.filter(pk=pk).first() if pk else None
    if pk and item is None:
        raise NotFound(_("找不到这条事项，可能已被删除。请回到清单页重新选择。"))
    initial = {"list_kind": request.GET.get("kind", ListKind.DUTY)} if item is None else None
    form = WorkItemForm(request.POST or None, instance=item, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.work_item_save(actor=request.user, item=item, **form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("已保存。以后登记的事项都按新清单核对。"))
            return redirect("duties:lists")
    return render(
        request,
        "duties/item_form.html",
        {"form": form, "item": item, "title": _("修改事项") if item else _("添加事项")},
    )


@login_required
def certificate_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    require(request.user, "duties.manage")
    cert = Certificate.objects.filter(pk=pk).first() if pk else None
    if pk and cert is None:
        raise NotFound(_("找不到这条证明事项，可能已被删除。请回到清单页重新选择。"))
    form = CertificateForm(request.POST or None, instance=cert)
    if request.method == "POST" and form.is_valid():
        try:
            services.certificate_save(actor=request.user, cert=cert, **form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("已保存。群众查询时马上按新内容答复。"))
            return redirect("duties:lists")
    return render(
        request,
        "duties/item_form.html",
        {"form": form, "item": cert, "title": _("修改证明事项") if cert else _("添加证明事项")},
    )


def certificate_lookup(request: HttpRequest) -> HttpResponse:
    """Public: a resident asks whether the village can issue a certificate (no login)."""
    form = CertificateLookupForm(request.GET or None)
    answer = None
    if form.is_bound and form.is_valid():
        answer = services.certificate_lookup(form.cleaned_data["q"])
    return render(
        request,
        "duties/certificate_lookup.html",
        {
            "form": form,
            "answer": answer,
            "allowed": selectors.certificates().filter(village_may_issue=True),
        },
    )


# ---------------------------------------------------------------- 减负直通车


@login_required
def feedback(request: HttpRequest) -> HttpResponse:
    require(request.user, "duties.feedback")
    form = FeedbackForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            report, code = services.feedback_submit(actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            # Rendered, not redirected: the code is shown once and kept nowhere (not in the session).
            return render(request, "duties/feedback_done.html", {"report": report, "code": code})
    return render(
        request,
        "duties/feedback.html",
        {"form": form, "mine": selectors.my_feedback_reports(user=request.user)[:20]},
    )


@login_required
def feedback_inbox(request: HttpRequest) -> HttpResponse:
    require(request.user, "duties.manage")
    scope = scope_for(request.user)
    status = request.GET.get("status", "")
    year = timezone.localdate().year
    return render(
        request,
        "duties/feedback_inbox.html",
        {
            "reports": selectors.feedback_reports(scope=scope, status=status)[:100],
            "stats": selectors.feedback_statistics(scope=scope, year=year),
            "status": status,
            "year": year,
        },
    )


@login_required
def feedback_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "duties.manage")
    report = selectors.feedback_report_get(scope=scope_for(request.user), pk=pk)
    form = AnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.feedback_answer(
                actor=request.user, report=report, answer=form.cleaned_data["answer"]
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("答复已保存，反映人用查询码就能看到。"))
            return redirect("duties:feedback_inbox")
    return render(
        request,
        "duties/feedback_detail.html",
        {"report": report, "form": form, "answers": selectors.feedback_answers(report=report)},
    )


@login_required
def feedback_evidence(request: HttpRequest, pk: int) -> FileResponse:
    require(request.user, "duties.manage")
    report = selectors.feedback_report_get(scope=scope_for(request.user), pk=pk)
    if not report.evidence:
        raise NotFound(_("这条反映没有上传佐证材料。"))
    stored = str(report.evidence.name)
    name = f"佐证材料-{report.pk}{stored[stored.rfind('.') :]}"
    return FileResponse(report.evidence.open("rb"), as_attachment=True, filename=name)


@ratelimit("public_lookup")  # the lookups are POSTs; showing the form is not counted
def feedback_answer(request: HttpRequest) -> HttpResponse:
    """Public: the reporter reads the answer with the one-time code (POST: codes stay out of URLs)."""
    form = CodeForm(request.POST or None)
    report, error = None, ""
    if request.method == "POST" and form.is_valid():
        try:
            report = selectors.feedback_by_code(form.cleaned_data["code"])
        except ApplicationError as exc:
            error = exc.message
    answers = selectors.feedback_answers(report=report) if report is not None else []
    return render(
        request,
        "duties/feedback_answer.html",
        {"form": form, "report": report, "answers": answers, "error": error},
    )


# ---------------------------------------------------------------- help, walkthrough, practice


def voice_practice(request: HttpRequest) -> HttpResponse:
    """Public: try the voice recorder; the recording is checked and thrown away, never stored."""
    result, error = None, ""
    if request.method == "POST":
        upload = request.FILES.get("voice")
        try:
            validate_voice_upload(upload)
        except ApplicationError as exc:
            error = exc.message
        else:
            result = sniff_voice(upload.read()) if upload is not None else None
    return render(
        request,
        "duties/voice_practice.html",
        {"result": result, "error": error, "max_seconds": MAX_VOICE_SECONDS},
    )


def help_index(request: HttpRequest) -> HttpResponse:
    return render(request, "duties/help.html", {"topics": topics_for(request)})


@login_required
@require_POST
def walkthrough_done(request: HttpRequest) -> JsonResponse:
    services.walkthrough_mark_seen(user=request.user)  # type: ignore[arg-type]
    return JsonResponse({"ok": True})


@login_required
@require_POST
def walkthrough_again(request: HttpRequest) -> HttpResponse:
    services.walkthrough_mark_seen(user=request.user, seen=False)  # type: ignore[arg-type]
    messages.success(request, _("好的，引导从头开始。"))
    return redirect(reverse("duties:help") + "?walkthrough=1")


@login_required
def practice_page(request: HttpRequest) -> HttpResponse:
    require(request.user, "practice.reset")
    if request.method == "POST":
        result = practice.practice_reset(actor=request.user)
        messages.success(
            request,
            _(
                "练习数据已重置：删除 %(tasks)s 条练习登记、%(feedback)s 条练习反映，"
                "重新放入 %(new_tasks)s 条和 %(new_feedback)s 条示例。"
            )
            % {
                "tasks": result["deleted_tasks"],
                "feedback": result["deleted_feedback"],
                "new_tasks": result["seeded_tasks"],
                "new_feedback": result["seeded_feedback"],
            },
        )
        return redirect("duties:practice")
    return render(
        request,
        "duties/practice.html",
        {"township": practice.demo_township(), "logins": selectors.practice_users()},
    )
