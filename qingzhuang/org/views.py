"""Pages for the organisation tree, people and API tokens."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from qingzhuang.core.errors import ApplicationError
from qingzhuang.org import services
from qingzhuang.org.forms import (
    OrgImportForm,
    OrgUnitForm,
    PersonCreateForm,
    PersonFilterForm,
    PersonForm,
    TokenForm,
    unit_form_initial,
)
from qingzhuang.org.models import Role, User
from qingzhuang.org.roles import can, require
from qingzhuang.org.scope import Scope, scope_for
from qingzhuang.org.selectors import api_tokens, org_units, people, person_get


def _service_error(form: forms.Form, exc: ApplicationError) -> None:
    """Show a service's refusal next to the field it names, or above the form."""
    field = exc.extra.get("field")
    form.add_error(field if isinstance(field, str) and field in form.fields else None, exc.message)


@login_required
def unit_list(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    units = list(org_units(scope=scope, include_inactive=True))
    manage = can(request.user, "org.manage")
    parent_required = not request.user.is_superuser
    form = OrgUnitForm(
        parents=org_units(scope=scope),
        parent_required=parent_required,
        initial=unit_form_initial(getattr(request.user, "org_unit", None)),
    )
    import_form = OrgImportForm()
    if request.method == "POST":
        require(request.user, "org.manage")
        if "file" in request.FILES:
            import_form = OrgImportForm(request.POST, request.FILES)
            if import_form.is_valid():
                try:
                    rows = services.parse_org_csv(import_form.cleaned_data["file"].read())
                    result = services.org_units_import(rows=rows, actor=request.user)
                except ApplicationError as exc:
                    import_form.add_error("file", exc.message)
                else:
                    r = result.as_dict()
                    messages.success(
                        request,
                        gettext(
                            "导入完成：新增 %(created)s 个，更新 %(updated)s 个，未变 %(unchanged)s 个。"
                        )
                        % {
                            "created": r["created"],
                            "updated": r["updated"],
                            "unchanged": r["unchanged"],
                        },
                    )
                    return redirect("org:units")
        else:
            form = OrgUnitForm(
                request.POST, parents=org_units(scope=scope), parent_required=parent_required
            )
            if form.is_valid():
                try:
                    services.org_unit_create(
                        code=form.cleaned_data["code"],
                        name=form.cleaned_data["name"],
                        level=form.cleaned_data["level"],
                        parent=form.cleaned_data["parent"],
                        actor=request.user,
                    )
                except ApplicationError as exc:
                    _service_error(form, exc)
                else:
                    messages.success(request, gettext("已添加单位。"))
                    return redirect("org:units")
    return render(
        request,
        "org/unit_list.html",
        {"units": units, "form": form, "import_form": import_form, "manage": manage},
    )


def _manager_scope(request: HttpRequest) -> Scope:
    require(request.user, "org.manage")
    return scope_for(request.user)


def _shown_once(response: HttpResponse) -> HttpResponse:
    """A page showing a new password must not stay in the browser's cache or history."""
    add_never_cache_headers(response)
    return response


@login_required
def people_list(request: HttpRequest) -> HttpResponse:
    scope = _manager_scope(request)
    units = org_units(scope=scope)
    filters = PersonFilterForm(request.GET or None)
    role = text = ""
    if filters.is_valid():
        role, text = filters.cleaned_data["role"], filters.cleaned_data["q"]
    form = PersonCreateForm(units=units)
    created: User | None = None
    new_password = ""
    if request.method == "POST":
        form = PersonCreateForm(request.POST, units=units)
        if form.is_valid():
            data = form.cleaned_data
            password = data["password"] or services.password_generate()
            try:
                created = services.user_create(
                    username=data["username"],
                    password=password,
                    role=data["role"],
                    org_unit=data["org_unit"],
                    department=data["department"],
                    display_name=data["display_name"],
                    actor=request.user,
                )
            except ApplicationError as exc:
                _service_error(form, exc)
            else:
                if data["password"]:
                    messages.success(request, gettext("已添加“%(name)s”。") % {"name": created})
                    return redirect("org:people")
                new_password = password
                form = PersonCreateForm(units=units)
    context: dict[str, Any] = {
        "people": list(people(scope=scope, role=role, text=text)),
        "filters": filters,
        "filtered": bool(role or text),
        "form": form,
        "created": created,
        "new_password": new_password,
    }
    response = render(request, "org/people.html", context)
    return _shown_once(response) if new_password else response


def _person_or_404(request: HttpRequest, pk: int) -> tuple[Scope, User]:
    scope = _manager_scope(request)
    person = person_get(scope=scope, pk=pk)
    if person is None:
        raise Http404
    return scope, person


def _person_page(
    request: HttpRequest, person: User, form: PersonForm, new_password: str = ""
) -> HttpResponse:
    context = {
        "person": person,
        "form": form,
        "is_self": person.pk == request.user.pk,
        "new_password": new_password,
    }
    response = render(request, "org/person.html", context)
    return _shown_once(response) if new_password else response


def _edit_form(scope: Scope, person: User, data: Any = None) -> PersonForm:
    initial = {
        "display_name": person.display_name,
        "role": person.role,
        "org_unit": person.org_unit_id,
        "department": person.department_id,
    }
    return PersonForm(data, units=org_units(scope=scope), initial=initial)


@login_required
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    scope, person = _person_or_404(request, pk)
    form = _edit_form(scope, person, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.user_update(
                user=person,
                actor=request.user,
                display_name=data["display_name"],
                role=data["role"],
                org_unit=data["org_unit"],
                department=data["department"],
            )
        except ApplicationError as exc:
            _service_error(form, exc)
        else:
            messages.success(request, gettext("已保存。"))
            if person.pk == request.user.pk and person.role != Role.TOWNSHIP_ADMIN:
                return redirect("home")  # no longer an admin: this page is closed to them now
            return redirect("org:person", pk=person.pk)
    return _person_page(request, person, form)


@login_required
@require_POST
def person_active(request: HttpRequest, pk: int) -> HttpResponse:
    _, person = _person_or_404(request, pk)
    is_active = request.POST.get("is_active") == "1"
    try:
        services.user_set_active(user=person, is_active=is_active, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        if is_active:
            text = gettext("已启用“%(name)s”的账号，此人可以重新登录。")
        else:
            text = gettext("已停用“%(name)s”的账号，此人已不能登录。")
        messages.success(request, text % {"name": person})
    return redirect("org:person", pk=person.pk)


@login_required
@require_POST
def person_password(request: HttpRequest, pk: int) -> HttpResponse:
    scope, person = _person_or_404(request, pk)
    try:
        new_password = services.user_password_reset(user=person, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("org:person", pk=person.pk)
    return _person_page(request, person, _edit_form(scope, person), new_password)


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    new_key = None
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _, new_key = services.api_token_create(
                user=request.user,  # type: ignore[arg-type]
                name=form.cleaned_data["name"],
                expires_in_days=form.expires_in_days(),
            )
        except ApplicationError as exc:
            _service_error(form, exc)
        else:
            form = TokenForm()
    context = {
        "form": form,
        "new_key": new_key,
        "tokens": api_tokens(user=request.user),  # type: ignore[arg-type]
        "now": timezone.now(),
    }
    response = render(request, "org/tokens.html", context)
    return _shown_once(response) if new_key else response


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(api_tokens(user=request.user), pk=pk)  # type: ignore[arg-type]
    services.api_token_revoke(token=token, actor=request.user)
    messages.success(
        request,
        gettext("已撤销令牌“%(name)s”，用它的程序将不能再调用接口。") % {"name": token.name},
    )
    return redirect("org:tokens")
