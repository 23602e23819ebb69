"""Staff pages at /requests/: inbox, detail with timeline and actions, entry, import, duty list,
hotspots. Thin: parse, fetch in scope, call the service, render."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qingzhuang.core.errors import ApplicationError, InvalidInput
from qingzhuang.core.forms import errors_text
from qingzhuang.org.models import Department, OrgLevel, OrgUnit, User
from qingzhuang.org.roles import can, require
from qingzhuang.org.scope import scope_for
from qingzhuang.org.selectors import org_units
from qingzhuang.service_requests import importer, selectors, services, voice
from qingzhuang.service_requests.forms import (
    DutyRuleForm,
    ImportForm,
    NoteForm,
    RecategoriseForm,
    SlaPolicyForm,
    StaffEntryForm,
)
from qingzhuang.service_requests.models import (
    AttachmentKind,
    Resolution,
    Satisfaction,
    SlaPolicy,
    WorkOrder,
    WorkOrderState,
)
from qingzhuang.service_requests.workflow import (
    ACTION_LABELS,
    MAX_NOTE,
    MAX_REASON,
    TRANSITIONS,
    actor_display,
)


def _village_choices(request: HttpRequest) -> list[tuple[str, str]]:
    scope = scope_for(request.user)
    units = org_units(scope=scope).filter(level__in=[OrgLevel.VILLAGE, OrgLevel.COMMUNITY])
    return [(u.code, u.name) for u in units]


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    require(request.user, "requests.handle")
    scope = scope_for(request.user)
    state = request.GET.get("state", "open")
    overdue = request.GET.get("overdue") == "1"
    query = request.GET.get("q", "")
    qs = selectors.work_orders(scope=scope, state=state, overdue=overdue, query=query)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "service_requests/inbox.html",
        {
            "page": page,
            "state": state,
            "overdue": overdue,
            "q": query,
            "counts": selectors.inbox_counts(scope=scope),
            "states": WorkOrderState.choices,
            "show_personal": can(request.user, "personal_data.view"),
            "can_import": can(request.user, "requests.dispatch"),
        },
    )


def inbox_export(request: HttpRequest) -> HttpResponse:
    """The current inbox filter as an Excel file (personal data only for permitted roles)."""
    from qingzhuang.core.exports import download
    from qingzhuang.service_requests.exports import work_orders_export

    require(request.user, "requests.handle")
    filters = {k: request.GET.get(k, "") for k in ("state", "overdue", "q")}
    qs = selectors.work_orders(
        scope=scope_for(request.user),
        state=filters["state"] or "open",
        overdue=filters["overdue"] == "1",
        query=filters["q"],
    )
    content = work_orders_export(orders=qs, acting_user=request.user, filters=filters)
    stamp = timezone.localtime().strftime("%Y%m%d")
    return download(
        content,
        f"诉求工单-{stamp}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def _actions_for(user: Any, state: str) -> list[str]:
    dispatcher = can(user, "requests.dispatch")
    handler = can(user, "requests.handle")
    mine = {"accept", "start", "resolve", "return"}
    out = []
    for action, (allowed, _target) in TRANSITIONS.items():
        if state not in allowed or action == "merge":
            continue
        if (action in mine and handler) or (action not in mine and dispatcher):
            out.append(action)
    return out


def _handled_order(request: HttpRequest, pk: int) -> WorkOrder:
    """An order the user may open: one in their scope, for a role that handles requests.

    A single request carries the resident's own words, photos and voice; evaluators and county
    departments work from the aggregated and evidence pages, which mask personal data.
    """
    require(request.user, "requests.handle")
    return selectors.work_order_get(scope=scope_for(request.user), pk=pk)


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_for(request.user)
    order = _handled_order(request, pk)
    can_dispatch = can(request.user, "requests.dispatch")
    attachments = list(order.request.attachments.select_related("summary_by"))
    result, previous_result = selectors.current_and_previous_result(order)
    in_callback = order.state in (WorkOrderState.RESOLVED, WorkOrderState.CALLBACK)
    resident_answered = in_callback and selectors.resident_answered(order=order)
    context = {
        "order": order,
        "r": order.request,
        "events": _timeline(order, mask=selectors.personal_text_for(request.user)),
        "callbacks": selectors.callbacks(order=order),
        "result": result,
        "previous_result": previous_result,
        "resident_answered": resident_answered,
        "can_phone_callback": can_dispatch and in_callback and not resident_answered,
        "recategorise_form": RecategoriseForm(
            categories=selectors.known_categories(),
            current=order.request.category,
            initial={"category": order.request.category},
        )
        if can_dispatch and order.is_open
        else None,
        "max_note": MAX_NOTE,
        "max_reason": MAX_REASON,
        "photos": [a for a in attachments if a.kind == AttachmentKind.PHOTO],
        "voices": [a for a in attachments if a.kind == AttachmentKind.VOICE],
        "voice_only": voice.is_voice_only(order.request),
        "can_handle": can(request.user, "requests.handle"),
        "actions": [
            a
            for a in _actions_for(request.user, order.state)
            if not (a == "callback" and resident_answered)
        ],
        "show_personal": can(request.user, "personal_data.view"),
        "can_dispatch": can_dispatch,
        "units": org_units(scope=scope).exclude(level=OrgLevel.GRID) if can_dispatch else [],
        "departments": Department.objects.all() if can_dispatch else [],
        "assignees": User.objects.filter(
            org_unit__path__startswith=order.org_unit.path, is_active=True
        )
        if can_dispatch
        else [],
        "resolutions": Resolution.choices,
        "satisfactions": Satisfaction.choices,
        "callback_link": request.session.pop(f"cb-{order.pk}", ""),
        "duplicates": order.request.duplicates.select_related("work_order")[:10],
    }
    return render(request, "service_requests/detail.html", context)


def _timeline(order: Any, *, mask: Callable[[str], str]) -> list[dict[str, Any]]:
    states = dict(WorkOrderState.choices)
    return [
        {
            "at": e.at,
            "who": actor_display(e),
            "label": _(ACTION_LABELS.get(e.action, e.action)),
            "change": (
                f"{states.get(e.from_state, '—')} → {states.get(e.to_state, '')}"
                if e.from_state != e.to_state
                else ""
            ),
            "note": mask(e.note),
        }
        for e in selectors.timeline(order=order)
    ]


@login_required
@require_POST
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    scope = scope_for(request.user)
    order = selectors.work_order_get(scope=scope, pk=pk)
    p = request.POST
    user = request.user
    note_form = NoteForm(p)
    try:
        if not note_form.is_valid():
            raise InvalidInput(errors_text(note_form))
        note = note_form.cleaned_data["note"].strip()
        if action == "dispatch":
            unit = get_object_or_404(OrgUnit, pk=p.get("org_unit")) if p.get("org_unit") else None
            assignee = get_object_or_404(User, pk=p.get("assignee")) if p.get("assignee") else None
            services.work_order_dispatch(
                order=order, acting_user=user, org_unit=unit, assignee=assignee, note=note
            )
        elif action == "accept":
            services.work_order_accept(order=order, acting_user=user, note=note)
        elif action == "start":
            services.work_order_start(order=order, acting_user=user, note=note)
        elif action == "resolve":
            services.work_order_resolve(order=order, acting_user=user, note=note)
        elif action == "return":
            services.work_order_return(order=order, reason=note, acting_user=user)
        elif action == "escalate":
            services.work_order_escalate(order=order, note=note, acting_user=user)
        elif action == "reopen":
            services.work_order_reopen(order=order, reason=note, acting_user=user)
        elif action == "refer":
            dept = get_object_or_404(Department, pk=p.get("department") or 0)
            services.work_order_refer(order=order, department=dept, reason=note, acting_user=user)
        elif action == "close":
            services.work_order_close(order=order, acting_user=user, note=note)
        elif action == "merge":
            target = selectors.work_order_by_tracking(scope=scope, tracking_code=p.get("into", ""))
            services.work_order_merge(order=order, into=target, acting_user=user)
        elif action == "callback":
            _callback, token = services.callback_issue_link(order=order, acting_user=user)
            request.session[f"cb-{order.pk}"] = request.build_absolute_uri(
                reverse("public:callback", args=[token])
            )
        elif action == "phone_callback":
            services.callback_record_phone(
                order=order,
                resolved=p.get("resolved", ""),
                satisfaction=p.get("satisfaction", ""),
                comment=note,
                acting_user=user,
            )
        elif action == "unreasonable":
            services.request_mark_unreasonable(order=order, reason=note, acting_user=user)
        elif action in ("unreasonable_approve", "unreasonable_reject"):
            services.request_unreasonable_review(
                order=order, approve=action == "unreasonable_approve", acting_user=user, note=note
            )
        elif action == "recategorise":
            form = RecategoriseForm(
                p, categories=selectors.known_categories(), current=order.request.category
            )
            if not form.is_valid():
                raise InvalidInput(errors_text(form))
            services.request_recategorise(
                request=order.request, category=form.cleaned_data["category"], acting_user=user
            )
        else:
            raise InvalidInput(_("未知操作。"))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已完成。"))
    return redirect("service_requests:detail", pk=order.pk)


@login_required
def attachment_file(request: HttpRequest, pk: int, att_pk: int) -> FileResponse:
    """A photo or voice message of an order in the user's scope (never a public media URL)."""
    order = _handled_order(request, pk)
    att = get_object_or_404(order.request.attachments, pk=att_pk)
    response = FileResponse(att.file.open("rb"), content_type=att.content_type)
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def voice_summary(request: HttpRequest, pk: int, att_pk: int) -> HttpResponse:
    order = _handled_order(request, pk)
    att = get_object_or_404(order.request.attachments, pk=att_pk)
    try:
        voice.request_voice_summary(
            attachment=att, summary=request.POST.get("summary", ""), acting_user=request.user
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("语音摘要已保存。"))
    return redirect("service_requests:detail", pk=order.pk)


@login_required
def entry(request: HttpRequest) -> HttpResponse:
    """Staff entry for phone / walk-in / WeChat cases."""
    require(request.user, "requests.handle")
    choices = _village_choices(request)
    form = StaffEntryForm(
        request.POST or None,
        request.FILES or None,
        villages=choices,
        categories=selectors.known_categories(),
        initial={"client_key": __import__("uuid").uuid4().hex},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        unit = get_object_or_404(OrgUnit, code=d["village"])
        scope_for(request.user).require(unit)
        photos = [services.Upload(d["photo"].name, d["photo"].read())] if d.get("photo") else []
        try:
            result = services.request_submit(
                org_unit=unit,
                request_type=d["request_type"],
                text=d["text"],
                channel=d["channel"],
                actor=request.user,
                subject=d["subject"],
                location=d["location"],
                resident_phone=d["phone"],
                resident_name=d["name"],
                resident_id_number=d["id_number"],
                idempotency_key=d["client_key"],
                external_id=d["external_id"],
                category=d["category"],
                photos=photos,
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, _("已登记，查询码 %(code)s。") % {"code": result.request.tracking_code}
            )
            return redirect("service_requests:detail", pk=result.request.work_order.pk)
    return render(request, "service_requests/entry.html", {"form": form})


@login_required
def import_view(request: HttpRequest) -> HttpResponse:
    require(request.user, "requests.dispatch")
    scope = scope_for(request.user)
    form = ImportForm(request.POST or None, request.FILES or None)
    headers: list[str] = []
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        f = d["file"]
        try:
            headers, rows = importer.read_table(f.name, f.read())
            units = list(
                org_units(scope=scope).filter(level__in=[OrgLevel.VILLAGE, OrgLevel.COMMUNITY])
            )
            default = request.user.org_unit  # type: ignore[union-attr]
            if default is None:
                raise InvalidInput(_("您的账号没有所属单位，无法确定默认村(社区)。"))
            mapping = {k.removesuffix("_column"): v for k, v in d.items() if k.endswith("_column")}
            result = importer.requests_import(
                rows=rows, mapping=mapping, default_unit=default, units=units, actor=request.user
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("导入完成：%(rows)s 行，新增 %(created)s，已存在 %(unchanged)s。")
                % {"rows": result.rows, "created": result.created, "unchanged": result.unchanged},
            )
            return redirect("service_requests:inbox")
    return render(request, "service_requests/import.html", {"form": form, "headers": headers})


@login_required
def duty_list(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    units = [(str(u.pk), u.name) for u in org_units(scope=scope).exclude(level=OrgLevel.GRID)]
    depts = [(str(d.pk), d.name) for d in Department.objects.all()]
    form = DutyRuleForm(
        request.POST or None,
        units=units,
        departments=depts,
        categories=selectors.known_categories(),
        initial=_duty_rule_initial(scope, request.GET.get("edit", "")),
    )
    if request.method == "POST":
        require(request.user, "requests.dispatch")
        if "delete" in request.POST:
            rule = get_object_or_404(selectors.duty_rules(scope=scope), pk=request.POST["delete"])
            services.duty_rule_delete(rule=rule, acting_user=request.user)
            messages.success(request, _("已删除。"))
            return redirect("service_requests:duty")
        if form.is_valid():
            d = form.cleaned_data
            by_pk = {str(u.pk): u for u in org_units(scope=scope)}
            dept = (
                Department.objects.filter(pk=d["department"]).first() if d["department"] else None
            )
            new_category = d["new_category"].strip()
            try:
                rule = services.duty_rule_save(
                    acting_user=request.user,
                    category=d["category"] or new_category,
                    new_category=bool(new_category),
                    replace=d["replace"],
                    area=by_pk.get(d["area"]),
                    lead_unit=by_pk.get(d["lead_unit"]),
                    lead_office=d["lead_office"],
                    assisting_units=[by_pk[x] for x in d["assisting_units"] if x in by_pk],
                    referred_up=dept is not None,
                    department=dept,
                    reason=d["reason"],
                )
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                if rule.reason and not d["reason"].strip():
                    messages.success(
                        request,
                        _("已保存。依据没有填写，沿用原规则的依据：“%(reason)s”。")
                        % {"reason": rule.reason},
                    )
                else:
                    messages.success(request, _("已保存。"))
                return redirect("service_requests:duty")
    manage = can(request.user, "requests.dispatch")
    return render(
        request,
        "service_requests/duty.html",
        {
            "rules": selectors.duty_rules(scope=scope),
            "form": form,
            "manage": manage,
            "sla": SlaPolicy.objects.all(),
            "sla_max": services.SLA_MAX_DAYS,
            "holiday_warning": selectors.holiday_calendar_warning() if manage else "",
        },
    )


def _duty_rule_initial(scope: Any, edit: str) -> dict[str, Any]:
    """修改: the form filled with an existing rule, replacing it on save (that is the intent)."""
    rule = (
        selectors.duty_rules(scope=scope).filter(pk=int(edit)).first() if edit.isdigit() else None
    )
    if rule is None:
        return {}
    return {
        "category": rule.category,
        "area": str(rule.area_id or ""),
        "lead_unit": str(rule.lead_unit_id or ""),
        "lead_office": rule.lead_office,
        "assisting_units": [str(u.pk) for u in rule.assisting_units.all()],
        "department": str(rule.department_id or ""),
        "reason": rule.reason,
        "replace": True,
    }


@login_required
def hotspots(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    try:
        weeks = max(2, min(52, int(request.GET.get("weeks", "8"))))
    except ValueError:
        weeks = 8
    spots = selectors.hotspots(scope=scope, weeks=weeks)[:30]
    similar = selectors.text_hotspots(scope=scope, weeks=weeks)[:20]
    chart = [{"name": f"{h.place}·{h.category}", "weeks": h.weeks} for h in spots[:5]]
    context = {"spots": spots, "similar": similar, "weeks": weeks, "chart": chart}
    return render(request, "service_requests/hotspots.html", context)


@login_required
@require_POST
def sla_save(request: HttpRequest) -> HttpResponse:
    """One row of the 办理时限 table (working days), through the audited service."""
    require(request.user, "requests.dispatch")
    form = SlaPolicyForm(request.POST)
    try:
        if not form.is_valid():
            raise InvalidInput(errors_text(form))
        services.sla_policy_save(acting_user=request.user, **form.cleaned_data)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已保存办理时限；新受理的诉求按新时限计算，已在办的不变。"))
    return redirect("service_requests:duty")


@login_required
def posters(request: HttpRequest) -> HttpResponse:
    return render(request, "service_requests/posters.html", {"villages": _village_choices(request)})
