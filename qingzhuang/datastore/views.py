from __future__ import annotations

import tempfile
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_POST

from qingzhuang.core.errors import ApplicationError, InvalidInput, NotFound
from qingzhuang.core.exports import download
from qingzhuang.datastore import selectors, services
from qingzhuang.datastore.catalogue import MANAGE
from qingzhuang.datastore.entering import data_entry_save, entry_token
from qingzhuang.datastore.filenames import safe_filename
from qingzhuang.datastore.filling import output_suffix
from qingzhuang.datastore.models import FillEvent
from qingzhuang.datastore.periods import Period, make, parse_period
from qingzhuang.org.models import OrgUnit
from qingzhuang.org.roles import can, require
from qingzhuang.org.scope import scope_for
from qingzhuang.org.selectors import org_units, villages
from qingzhuang.reporting.models import ReportTemplate


def _default_period() -> Period:
    return make(timezone.localdate().year)


def _period(request: HttpRequest, source: Any) -> Period:
    text = source.get("period", "")
    return parse_period(text) if text else _default_period()


def _unit(request: HttpRequest, code: str, *, village_only: bool = False) -> OrgUnit:
    scope = scope_for(request.user)
    qs = villages(scope=scope) if village_only else org_units(scope=scope)
    unit = qs.filter(code=code).first() if code else None
    if unit is None and not code:
        unit = qs.first()
    if unit is None:
        raise NotFound(gettext("找不到该单位，或您没有权限处理它的数据"))
    return unit


@login_required
def element_list(request: HttpRequest) -> HttpResponse:
    elements = selectors.elements_list(q=request.GET.get("q", ""))
    return render(
        request,
        "datastore/element_list.html",
        {"elements": elements, "can_manage": can(request.user, MANAGE)},
    )


@login_required
def entry(request: HttpRequest) -> HttpResponse:
    """One page per village and period, asking only for numbers not yet known."""
    require(request.user, "data.enter")
    source = request.POST if request.method == "POST" else request.GET
    unit = _unit(request, source.get("org", ""), village_only=True)
    period = _period(request, source)
    scope = scope_for(request.user)
    errors: dict[str, list[str]] = {}
    typed: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        typed = {
            k[2:]: str(v).strip()
            for k, v in request.POST.items()
            if k.startswith("v_") and str(v).strip()
        }
        # what each number was when the page was shown, so a save over a later one is refused
        seen = {k[4:]: str(v).strip() for k, v in request.POST.items() if k.startswith("was_")}
        try:
            result = data_entry_save(
                org_unit=unit, period=period, typed=typed, seen=seen, actor=request.user
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
            found, conflicts = exc.extra.get("errors"), exc.extra.get("conflicts")
            errors = found if isinstance(found, dict) else {}
            # A number typed over someone else's is not put back in a box, where saving again
            # would overwrite theirs: the message names it, and the page shows theirs.
            for code in conflicts if isinstance(conflicts, list) else []:
                typed.pop(code, None)
            status = exc.http_status
        else:
            messages.success(
                request,
                ngettext("已保存 %(n)s 个数值。", "已保存 %(n)s 个数值。", result.saved)
                % {"n": result.saved},
            )
            for w in result.warnings:
                messages.warning(request, w)
            typed = {}
    form = selectors.entry_form(scope=scope, org_unit=unit, period=period)
    seen_now = {e.code: entry_token(v.value) for e, v in form["known"]}
    return render(
        request,
        "datastore/entry.html",
        {
            "unit": unit,
            "period": period,
            "units": villages(scope=scope),
            "form": form,
            "errors": errors,
            "typed": typed,
            "seen": seen_now,
        },
        status=status,
    )


@login_required
@require_POST
def entry_check(request: HttpRequest) -> HttpResponse:
    """htmx: check one number as it is typed and return the messages for it."""
    require(request.user, "data.enter")
    unit = _unit(request, request.POST.get("org", ""), village_only=True)
    period = _period(request, request.POST)
    code = request.POST.get("code", "")
    element = selectors.element_get(code=code)
    text = request.POST.get(f"v_{code}", "").strip()
    msgs: list[tuple[str, str]] = []
    if text:
        try:
            check = services.check_value(
                element=element,
                org_unit=unit,
                period=period,
                value=services.to_decimal(text, where=element.name, element=element),
            )
            msgs = [("error", m) for m in check.errors] + [("warning", m) for m in check.warnings]
        except InvalidInput as exc:
            msgs = [("error", exc.message)]
    return render(request, "datastore/_check.html", {"msgs": msgs})


def _save_upload(upload: Any, tmp: str) -> Path:
    name = Path(str(upload.name or "upload").replace("\\", "/")).name
    target = Path(tmp) / safe_filename(Path(name).stem, suffix=Path(name).suffix)
    with target.open("wb") as fh:
        for chunk in upload.chunks():
            fh.write(chunk)
    return target


@login_required
def harvest(request: HttpRequest) -> HttpResponse:
    require(request.user, "data.enter")
    scope = scope_for(request.user)
    result = None
    error = ""
    status = 200
    if request.method == "POST":
        try:
            unit = _unit(request, request.POST.get("org", ""))
            period = _period(request, request.POST)
            upload = request.FILES.get("file")
            if upload is None:
                raise InvalidInput(gettext("请选择已填好的报表文件"))
            with tempfile.TemporaryDirectory() as tmp:
                path = _save_upload(upload, tmp)
                result = services.harvest_file(
                    path=path,
                    org_unit=unit,
                    period=period,
                    actor=request.user,
                    original_name=path.name,
                ).as_dict()
        except ApplicationError as exc:
            error = exc.message
            status = 403 if exc.http_status == 403 else 400
    return render(
        request,
        "datastore/harvest.html",
        {"units": org_units(scope=scope), "result": result, "error": error},
        status=status,
    )


def _fill_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "fills"


@login_required
def fill(request: HttpRequest) -> HttpResponse:
    require(request.user, "data.enter")
    scope = scope_for(request.user)
    result = None
    error = ""
    if request.method == "POST":
        try:
            unit = _unit(request, request.POST.get("org", ""))
            period = _period(request, request.POST)
            try:
                template = ReportTemplate.objects.get(pk=int(request.POST.get("template") or 0))
            except (ReportTemplate.DoesNotExist, ValueError) as exc:
                raise NotFound(gettext("请选择要填写的报表")) from exc
            name = safe_filename(
                template.title, unit.name, period.code, suffix=output_suffix(template.format)
            )
            out = _fill_dir() / uuid.uuid4().hex / name
            fill_result = services.fill_template(
                template=template, org_unit=unit, period=period, output=out, actor=request.user
            )
            result = fill_result.as_dict() | {"event": fill_result.event_id}
        except ApplicationError as exc:
            error = exc.message
    return render(
        request,
        "datastore/fill.html",
        {
            "units": org_units(scope=scope),
            "templates": ReportTemplate.objects.select_related("issuer").order_by("title"),
            "result": result,
            "error": error,
            "selected": request.GET.get("template", ""),
            "default_period": selectors.latest_period(scope=scope) or _default_period().code,
        },
        status=400 if error else 200,
    )


@login_required
def fill_download(request: HttpRequest, pk: int) -> FileResponse:
    scope = scope_for(request.user)
    event = (
        scope.filter(FillEvent.objects.select_related("org_unit"), field="org_unit")
        .filter(pk=pk)
        .first()
    )
    if event is None or not event.output:
        raise NotFound(gettext("找不到该文件，或您没有权限下载"))
    path = Path(settings.MEDIA_ROOT) / event.output
    if not path.is_file():
        raise NotFound(gettext("文件已过期，请重新生成"))
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name)


@login_required
@require_POST
def export_due(request: HttpRequest) -> HttpResponse:
    """All forms due for a period, filled for one unit, in one zip."""
    require(request.user, "data.enter")
    unit = _unit(request, request.POST.get("org", ""))
    period = _period(request, request.POST)
    with transaction.atomic():
        data, _summary = services.forms_export_due(org_unit=unit, period=period, actor=request.user)
    return download(data, safe_filename(unit.code, period.code, suffix=".zip"), "application/zip")
