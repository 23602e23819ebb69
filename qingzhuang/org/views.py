"""Pages for the organisation tree and API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from qingzhuang.core.errors import ApplicationError
from qingzhuang.org import services
from qingzhuang.org.forms import OrgImportForm, OrgUnitForm, TokenForm
from qingzhuang.org.roles import can, require
from qingzhuang.org.scope import scope_for
from qingzhuang.org.selectors import org_units


@login_required
def unit_list(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    units = list(org_units(scope=scope, include_inactive=True))
    manage = can(request.user, "org.manage")
    form = OrgUnitForm(parents=org_units(scope=scope))
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
            form = OrgUnitForm(request.POST, parents=org_units(scope=scope))
            if form.is_valid():
                parent = form.cleaned_data["parent"]
                scope.require(parent)
                try:
                    services.org_unit_create(
                        code=form.cleaned_data["code"],
                        name=form.cleaned_data["name"],
                        level=form.cleaned_data["level"],
                        parent=parent,
                        actor=request.user,
                    )
                except ApplicationError as exc:
                    form.add_error(None, exc.message)
                else:
                    messages.success(request, gettext("已添加单位。"))
                    return redirect("org:units")
    return render(
        request,
        "org/unit_list.html",
        {"units": units, "form": form, "import_form": import_form, "manage": manage},
    )


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    new_key = None
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _, new_key = services.api_token_create(user=request.user, name=form.cleaned_data["name"])  # type: ignore[arg-type]
    return render(
        request,
        "org/tokens.html",
        {"form": form, "new_key": new_key, "tokens": request.user.api_tokens.all()},  # type: ignore[union-attr]
    )
