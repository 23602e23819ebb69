from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qingzhuang.core.errors import ApplicationError, InvalidInput
from qingzhuang.org.roles import can, require
from qingzhuang.reporting import selectors, services
from qingzhuang.reporting.models import Frequency

REDUNDANCY_PAGE_SIZE = 30  # items per page; the real county forms give ~300


def _deadline(text: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise InvalidInput(_("截止日期格式应为 2026-09-30 这样的年-月-日")) from exc


def upload_templates(request: HttpRequest) -> list[services.ImportResult]:
    """Store every uploaded file, or none of them (one bad file rolls all back, files too)."""
    files = request.FILES.getlist("files")
    if not files:
        raise InvalidInput(_("请选择要上传的报表文件"))
    issuer = request.POST.get("issuer", "").strip() or None
    frequency = request.POST.get("frequency", "") or None
    deadline = _deadline(request.POST.get("deadline", ""))
    with tempfile.TemporaryDirectory() as tmp:
        staged: list[tuple[Path, str]] = []
        for n, upload in enumerate(files):
            name = Path(upload.name or "upload").name
            if (upload.size or 0) > services.MAX_UPLOAD_BYTES:
                raise InvalidInput(
                    _("%(file)s：文件过大（超过 20MB），请拆分后再上传") % {"file": name}
                )
            target = Path(tmp) / f"{n}{Path(name).suffix.lower()}"
            with target.open("wb") as fh:
                for chunk in upload.chunks():
                    fh.write(chunk)
            staged.append((target, name))
        batch = services.templates_import(
            files=staged,
            actor=request.user,
            issuer=issuer,
            frequency=frequency,
            deadline=deadline,
        )
    return batch.results


@login_required
def template_list(request: HttpRequest) -> HttpResponse:
    error = ""
    if request.method == "POST":
        require(request.user, "templates.manage")
        try:
            results = upload_templates(request)
        except ApplicationError as exc:
            error = exc.message
        else:
            new = sum(1 for r in results if r.created)
            messages.success(
                request,
                _("已入库 %(new)s 张新报表，%(old)s 张此前已存在。")
                % {"new": new, "old": len(results) - new},
            )
            if len(results) == 1:
                return redirect("reporting:detail", pk=results[0].template.pk)
            return redirect("reporting:list")
    templates = selectors.templates_list(q=request.GET.get("q", ""))
    return render(
        request,
        "reporting/template_list.html",
        {
            "templates": templates,
            "error": error,
            "frequencies": Frequency.choices,
            "can_upload": can(request.user, "templates.manage"),
        },
        status=400 if error else 200,
    )


@login_required
def template_detail(request: HttpRequest, pk: int) -> HttpResponse:
    template = selectors.template_detail(pk=pk)
    return render(
        request,
        "reporting/template_detail.html",
        {"t": template, "can_fill": can(request.user, "data.enter")},
    )


@login_required
def redundancy(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    items = selectors.redundancy_report(status=status)
    return render(
        request,
        "reporting/redundancy.html",
        {
            "page": Paginator(items, REDUNDANCY_PAGE_SIZE).get_page(request.GET.get("page")),
            "status": status,
            "totals": selectors.redundancy_totals(items),
            "can_decide": can(request.user, "templates.manage"),
        },
    )


def _posted_pk(request: HttpRequest, name: str) -> int:
    """An id from a hidden form field; anything that is not one finds nothing (a 404 page)."""
    text = request.POST.get(name, "")
    return int(text) if text.isascii() and text.isdigit() else 0


@login_required
@require_POST
def redundancy_decide(request: HttpRequest) -> HttpResponse:
    """Accept or reject a suggested item, or confirm/reject one pair of fields."""
    from qingzhuang.datastore.services import concepts_accept

    require(request.user, "templates.manage")
    action = request.POST.get("action", "")
    with transaction.atomic():
        if action in ("accept", "reject_all"):
            concept = selectors.concept_get(pk=_posted_pk(request, "concept"))
            if action == "accept":
                concepts_accept(actor=request.user, concepts=[concept])
                messages.success(
                    request,
                    _("已把“%(name)s”建为数据元，各表可自动填写。") % {"name": concept.name},
                )
            else:
                services.concept_members_reject(concept=concept, actor=request.user)
                messages.success(
                    request, _("已否决“%(name)s”，今后不再提示。") % {"name": concept.name}
                )
        elif action in ("confirm", "reject"):
            a = selectors.field_get(pk=_posted_pk(request, "a"))
            b = selectors.field_get(pk=_posted_pk(request, "b"))
            fn = services.match_confirm if action == "confirm" else services.match_reject
            fn(field_a=a, field_b=b, actor=request.user)
            messages.success(request, _("已记录您的判断。"))
        elif action == "analyse":
            result = services.redundancy_analyse(actor=request.user)
            messages.success(request, _("重新分析完成：%(n)s 个建议。") % {"n": result.concepts})
        else:
            raise InvalidInput(_("未知操作"))
    return redirect("reporting:redundancy")
