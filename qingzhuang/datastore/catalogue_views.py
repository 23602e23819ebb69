"""Pages for keeping the catalogue by hand: elements, breakdowns, validation rules.

Thin views: check the capability, fetch, let a form check the input, call one service, and
show the service's Chinese message next to the field it is about. The views' own messages
follow the page language.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from qingzhuang.core.errors import ApplicationError, Conflict, InvalidInput
from qingzhuang.datastore import merging, selectors, services
from qingzhuang.datastore.catalogue import MANAGE
from qingzhuang.datastore.forms import ElementForm, OptionForm, RuleForm
from qingzhuang.datastore.models import CategoryOption, DataElement, ValidationRule
from qingzhuang.org.roles import require


def _manage(request: HttpRequest) -> None:
    require(request.user, MANAGE)


def _bound(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _show(form: forms.Form, exc: ApplicationError, field: str | None = None) -> None:
    """Put a service error next to the field it is about (or at the top of the form)."""
    target = field if field is not None else str(exc.extra.get("field", ""))
    form.add_error(target if target in form.fields else None, exc.message)


def _status(form: forms.Form) -> int:
    return 400 if form.is_bound and form.errors else 200


# ---------------------------------------------------------------- elements


@login_required
def element_new(request: HttpRequest) -> HttpResponse:
    _manage(request)
    form = ElementForm(_bound(request))
    if request.method == "POST" and form.is_valid():
        try:
            element = services.element_create(actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            _show(form, exc)
        else:
            messages.success(
                request,
                gettext("已建立数据元 %(code)s“%(name)s”。")
                % {"code": element.code, "name": element.name},
            )
            return redirect("datastore:element_edit", pk=element.pk)
    return render(
        request,
        "datastore/element_form.html",
        {"form": form, "element": None},
        status=_status(form),
    )


def _element_page(
    request: HttpRequest, element: DataElement, form: ElementForm, status: int = 200
) -> HttpResponse:
    usage = selectors.element_usage(element=element)
    attached = list(element.category_options.order_by("code"))
    for option in attached:
        option.value_count = usage["by_option"].get(option.pk, 0)  # type: ignore[attr-defined]
    return render(
        request,
        "datastore/element_form.html",
        {
            "form": form,
            "element": element,
            "usage": usage,
            "fields": selectors.element_fields(element=element),
            "attached": attached,
            "available": CategoryOption.objects.exclude(pk__in=[o.pk for o in attached]),
            "rules": selectors.element_rules(element=element),
            "blockers": services.element_delete_blockers(element),
        },
        status=status,
    )


@login_required
def element_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _manage(request)
    element = selectors.element_detail(pk=pk)
    form = ElementForm(
        _bound(request), initial=ElementForm.initial_for(element), with_options=False
    )
    status: int | None = None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        fingerprint = data.pop("fingerprint", "") or None
        try:
            services.element_update(
                actor=request.user, element=element, expected_fingerprint=fingerprint, **data
            )
        except ApplicationError as exc:
            # The form stays bound to what was posted: the typed input is kept, and so is the
            # stale fingerprint, so saving again cannot undo the other person's change.
            _show(form, exc)
            status = exc.http_status if isinstance(exc, Conflict) else None
            element.refresh_from_db()
        else:
            messages.success(request, gettext("已保存数据元 %(code)s。") % {"code": element.code})
            return redirect("datastore:element_edit", pk=element.pk)
    return _element_page(request, element, form, status or _status(form))


@login_required
@require_POST
def element_options(request: HttpRequest, pk: int) -> HttpResponse:
    """Attach or detach one breakdown; the result is shown on the element page."""
    _manage(request)
    element = selectors.element_detail(pk=pk)
    try:
        option_pk = int(request.POST.get("option") or 0)
    except ValueError:
        option_pk = 0
    option = CategoryOption.objects.filter(pk=option_pk).first()
    action = request.POST.get("action", "")
    try:
        if option is None:
            raise InvalidInput(gettext("请选择一个分类"))
        if action == "attach":
            services.element_option_attach(actor=request.user, element=element, option=option)
            messages.success(
                request,
                gettext("“%(element)s”现在可以按“%(option)s”分开填报。")
                % {"element": element.name, "option": option.name},
            )
        elif action == "detach":
            services.element_option_detach(actor=request.user, element=element, option=option)
            messages.success(
                request,
                gettext("已从“%(element)s”移除分类“%(option)s”。")
                % {"element": element.name, "option": option.name},
            )
        else:
            raise InvalidInput(gettext("未知操作，请刷新页面后再试"))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect(reverse("datastore:element_edit", args=[element.pk]) + "#options")


@login_required
def element_delete(request: HttpRequest, pk: int) -> HttpResponse:
    _manage(request)
    element = selectors.element_detail(pk=pk)
    error, status = "", 200
    if request.method == "POST":
        try:
            services.element_delete(actor=request.user, element=element)
        except ApplicationError as exc:
            error, status = exc.message, exc.http_status
        else:
            messages.success(
                request,
                gettext("已删除数据元 %(code)s“%(name)s”。")
                % {"code": element.code, "name": element.name},
            )
            return redirect("datastore:elements")
    return render(
        request,
        "datastore/element_delete.html",
        {
            "element": element,
            "blockers": services.element_delete_blockers(element),
            "error": error,
        },
        status=status,
    )


@login_required
def element_merge(request: HttpRequest, pk: int) -> HttpResponse:
    """Merge this element into another: a preview of what moves, then a confirmation."""
    _manage(request)
    element = selectors.element_detail(pk=pk)
    candidates = merging.merge_candidates(element=element)
    raw = request.POST.get("into") if request.method == "POST" else request.GET.get("into")
    target = None
    if raw:
        target = DataElement.objects.filter(pk=int(raw) if raw.isdigit() else 0).first()
    error, status = "", 200
    if raw and target is None:
        error, status = gettext("找不到要合并进去的数据元，可能已被删除。请重新选择。"), 404
    if request.method == "POST" and target is not None:
        try:
            result = services.element_merge(
                actor=request.user,
                source=element,
                target=target,
                keep_target_on_conflict=request.POST.get("keep_target") == "1",
            )
        except ApplicationError as exc:
            error, status = exc.message, exc.http_status
        else:
            messages.success(
                request,
                gettext(
                    "已把 %(source)s“%(name)s”合并到“%(target)s”：移过来 %(moved)s 个数，"
                    "%(fields)s 个报表字段改由它填写。"
                )
                % {
                    "source": element.code,
                    "name": element.name,
                    "target": result.target.name,
                    "moved": result.moved,
                    "fields": result.fields,
                },
            )
            return redirect("datastore:element_edit", pk=result.target.pk)
    plan = merging.merge_plan(source=element, target=target) if target is not None else None
    return render(
        request,
        "datastore/element_merge.html",
        {
            "element": element,
            "candidates": candidates,
            "target": target,
            "plan": plan,
            "conflicts_text": merging.conflicts_message(plan) if plan and plan.conflicts else "",
            "error": error,
        },
        status=status,
    )


# ---------------------------------------------------------------- breakdowns


@login_required
def options(request: HttpRequest) -> HttpResponse:
    _manage(request)
    form = OptionForm(_bound(request))
    if request.method == "POST" and form.is_valid():
        try:
            option = services.category_option_create(actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            _show(form, exc)
        else:
            messages.success(
                request,
                gettext("已添加分类“%(name)s”（编码 %(code)s）。")
                % {"name": option.name, "code": option.code},
            )
            return redirect("datastore:options")
    return render(
        request,
        "datastore/options.html",
        {"form": form, "options": selectors.category_options_list()},
        status=_status(form),
    )


@login_required
def option_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _manage(request)
    option = selectors.category_option_get(pk=pk)
    form = OptionForm(_bound(request), initial={"name": option.name}, with_code=False)
    if request.method == "POST" and form.is_valid():
        try:
            services.category_option_update(
                actor=request.user, option=option, name=form.cleaned_data["name"]
            )
        except ApplicationError as exc:
            _show(form, exc)
        else:
            messages.success(request, gettext("已保存分类名称。"))
            return redirect("datastore:options")
    return render(
        request,
        "datastore/option_form.html",
        {"form": form, "option": option, "elements": option.dataelement_set.order_by("code")},
        status=_status(form),
    )


@login_required
@require_POST
def option_delete(request: HttpRequest, pk: int) -> HttpResponse:
    _manage(request)
    option = selectors.category_option_get(pk=pk)
    try:
        services.category_option_delete(actor=request.user, option=option)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("datastore:option_edit", pk=option.pk)
    messages.success(request, gettext("已删除分类“%(name)s”。") % {"name": option.name})
    return redirect("datastore:options")


# ---------------------------------------------------------------- rules


def _preview(form: RuleForm, element: DataElement, rule: ValidationRule | None) -> dict[str, Any]:
    """What the rule on the form would mean, or what is still wrong with it."""
    if not form.is_valid():
        return {"problems": [e for errs in form.errors.values() for e in errs]}
    try:
        spec = services.validation_rule_check(element=element, **form.service_kwargs(), rule=rule)
    except ApplicationError as exc:
        return {"problems": [exc.message]}
    others = list(DataElement.objects.filter(code__in=spec.others))
    others.sort(key=lambda e: spec.others.index(e.code))
    text = services.rule_describe(
        kind=spec.kind, element=element, others=others, ratio=spec.ratio, is_error=spec.is_error
    )
    return {"text": text, "name": spec.name}


def _rule_page(
    request: HttpRequest,
    element: DataElement,
    form: RuleForm,
    rule: ValidationRule | None,
) -> HttpResponse:
    if form.is_bound:
        preview = _preview(form, element, rule)
    elif rule is not None:
        preview = _preview(RuleForm(RuleForm.initial_for(rule), element=element), element, rule)
    else:
        preview = {
            "text": services.rule_describe(
                kind="", element=element, others=[], ratio=0.5, is_error=True
            )
        }
    return render(
        request,
        "datastore/rule_form.html",
        {"form": form, "element": element, "rule": rule, "preview": preview},
        status=_status(form),
    )


def _rule_saved(request: HttpRequest, rule: ValidationRule) -> HttpResponse:
    messages.success(
        request,
        gettext("已保存规则“%(name)s”，以后填报和采集时按它检查。") % {"name": rule.name},
    )
    return redirect(reverse("datastore:element_edit", args=[rule.element_id]) + "#rules")


@login_required
def rule_new(request: HttpRequest, pk: int) -> HttpResponse:
    _manage(request)
    element = selectors.element_detail(pk=pk)
    form = RuleForm(_bound(request), element=element, initial={"kind": "not_above"})
    if request.method == "POST" and form.is_valid():
        try:
            rule = services.validation_rule_create(
                actor=request.user, element=element, replace=False, **form.service_kwargs()
            )
        except ApplicationError as exc:
            _show(form, exc, form.error_field(str(exc.extra.get("field", ""))))
        else:
            return _rule_saved(request, rule)
    return _rule_page(request, element, form, None)


@login_required
def rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _manage(request)
    rule = selectors.rule_get(pk=pk)
    form = RuleForm(_bound(request), element=rule.element, initial=RuleForm.initial_for(rule))
    if request.method == "POST" and form.is_valid():
        try:
            rule = services.validation_rule_update(
                actor=request.user, rule=rule, **form.service_kwargs()
            )
        except ApplicationError as exc:
            _show(form, exc, form.error_field(str(exc.extra.get("field", ""))))
        else:
            return _rule_saved(request, rule)
    return _rule_page(request, rule.element, form, rule)


@login_required
@require_POST
def rule_active(request: HttpRequest, pk: int) -> HttpResponse:
    _manage(request)
    rule = selectors.rule_get(pk=pk)
    active = request.POST.get("active") == "1"
    try:
        services.validation_rule_set_active(actor=request.user, rule=rule, active=active)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        done = gettext("已恢复规则“%(name)s”。") if active else gettext("已停用规则“%(name)s”。")
        messages.success(request, done % {"name": rule.name})
    return redirect(reverse("datastore:element_edit", args=[rule.element_id]) + "#rules")


@login_required
@require_POST
def rule_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: what the rule being edited would mean, in plain words, as the form changes."""
    _manage(request)
    element = selectors.element_detail(pk=pk)
    rule = None
    if request.POST.get("rule"):
        rule = ValidationRule.objects.filter(
            pk=int(request.POST["rule"]) if request.POST["rule"].isdigit() else 0,
            element=element,
        ).first()
    form = RuleForm(request.POST, element=element)
    return render(
        request,
        "datastore/_rule_preview.html",
        {"preview": _preview(form, element, rule)},
    )
