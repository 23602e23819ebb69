"""Pages of the burden ledger. Thin: parse input, fetch within scope, call a service, render."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods

from qingzhuang.burden import exports, limits, selectors, services
from qingzhuang.burden.csv_io import COLUMNS, CsvError, parse_demands_csv, parse_demands_xlsx
from qingzhuang.burden.forms import (
    KIND_FIELDS,
    AdmissionForm,
    DecisionForm,
    DemandEditForm,
    DemandForm,
    DocumentForm,
    ImportForm,
    RuleForm,
)
from qingzhuang.burden.held_data import savings_hours
from qingzhuang.burden.models import Demand, DemandKind, Rule
from qingzhuang.core.errors import ApplicationError, Conflict, InvalidInput
from qingzhuang.org.models import Department, OrgUnit
from qingzhuang.org.roles import can, require
from qingzhuang.org.scope import scope_for
from qingzhuang.org.services import department_get_or_create


def _home_unit(request: HttpRequest) -> OrgUnit:
    """The unit whose ledger this user writes to (their own unit)."""
    unit = getattr(request.user, "org_unit", None)
    if unit is None:
        raise InvalidInput(gettext("您的账号没有所属单位，请联系管理员设置后再登记。"))
    return unit  # type: ignore[no-any-return]


def _asked_year(request: HttpRequest) -> int | None:
    """The ?year= asked for, None when absent or not a number."""
    try:
        return int(request.GET.get("year", "")) or None
    except ValueError:
        return None


def _year(request: HttpRequest) -> int:
    """The year a page shows: the one asked for when the ledger can have it, else this year."""
    year = _asked_year(request)
    if year is None or not limits.year_in_range(year):
        return timezone.localdate().year
    return year


# Ids are BigAutoField: a larger number in a hand-edited link can name nothing.
MAX_ID = 2**63 - 1


def _id(value: str) -> int | None:
    try:
        number = int(value or 0)
    except ValueError:
        return None
    return number if 0 < number <= MAX_ID else None


@login_required
def ledger(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    kind = request.GET.get("kind", "")
    month = request.GET.get("month", "")
    if selectors.parse_month(month) is None:
        month = ""  # a month no date can have is ignored, and not shown as the filter
    issuer_id = _id(request.GET.get("issuer", ""))
    demands = selectors.demand_list(scope=scope, kind=kind, issuer_id=issuer_id, month=month)
    return render(
        request,
        "burden/ledger.html",
        {
            "demands": demands[:500],
            "count": demands.count(),
            "kinds": DemandKind.choices,
            "issuers": Department.objects.all(),
            "kind": kind,
            "month": month,
            "issuer_id": issuer_id,
            "manage": can(request.user, "burden.manage"),
        },
    )


@login_required
def demand_new(request: HttpRequest) -> HttpResponse:
    require(request.user, "burden.manage")
    kind = request.POST.get("kind") or request.GET.get("kind") or "document"
    if kind not in DemandKind.values:
        kind = "document"
    form = DemandForm(request.POST or None, initial={"kind": kind})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        issuer = data.pop("issuer")
        new_name = data.pop("issuer_new").strip()
        st = request.POST.get("specific_task", "unknown")
        data["specific_task"] = {"true": True, "false": False}.get(st)
        keep = set(KIND_FIELDS[data["kind"]]) | {"deadline", "respondents", "frequency_per_year",
                                                  "hours_per_response", "preparation_hours"}  # fmt: skip
        extra = {k: v for k, v in data.items() if k in keep and v not in (None, "")}
        try:
            with transaction.atomic():  # a new department is kept only if the demand is saved
                if new_name:
                    issuer = department_get_or_create(name=new_name, actor=request.user)
                demand = services.demand_create(
                    org_unit=_home_unit(request), kind=data["kind"], title=data["title"],
                    received=data["received"], issuer=issuer, actor=request.user, **extra,
                )  # fmt: skip
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, gettext("已登记，发现 %(n)s 个问题。") % {"n": demand.findings.count()}
            )
            return redirect("burden:demand", pk=demand.pk)
    return render(
        request,
        "burden/demand_form.html",
        {"form": form, "kind": kind, "kinds": DemandKind.choices, "kind_fields": KIND_FIELDS[kind]},
    )


@login_required
@require_GET
def demand_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_for(request.user)
    demand = selectors.demand_get(scope=scope, pk=pk)
    return render(
        request,
        "burden/demand_detail.html",
        {
            "d": demand,
            "revisions": demand.revisions.select_related("revised_by"),
            "documents": demand.documents.all(),
            "upload": DocumentForm(initial={"demand": demand.pk}),
            "manage": can(request.user, "burden.manage"),
            "audit": can(request.user, "audit.view"),
        },
    )


def _demand_to_manage(request: HttpRequest, pk: int) -> Demand:
    """The demand if it is in the user's scope (else 404) and the user may manage the ledger."""
    demand = selectors.demand_get(scope=scope_for(request.user), pk=pk)
    require(request.user, "burden.manage")
    return demand


@login_required
@require_http_methods(["GET", "POST"])
def demand_edit(request: HttpRequest, pk: int) -> HttpResponse:
    demand = _demand_to_manage(request, pk)
    kind = request.POST.get("kind") or request.GET.get("kind") or demand.kind
    if kind not in DemandKind.values:
        kind = demand.kind
    form = DemandEditForm(request.POST or None, initial=DemandEditForm.initial_for(demand))
    shown = DemandEditForm.shown_fields(kind)
    status, conflict = 200, False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        changes = {k: data[k] for k in shown if k in services.DEMAND_EDITABLE}
        changes["kind"] = kind
        try:
            with transaction.atomic():  # a new department is kept only if the edit is saved
                if data["issuer_new"].strip():
                    changes["issuer"] = department_get_or_create(
                        name=data["issuer_new"].strip(), actor=request.user
                    )
                services.demand_revise(
                    demand=demand, actor=request.user, estimate_kind=data["estimate_kind"],
                    reason=data["reason"], expected_fingerprint=data["fingerprint"] or None,
                    **changes,
                )  # fmt: skip
        except ApplicationError as exc:
            # The form stays bound to what was posted: the typed values are kept, and so is
            # the stale fingerprint, so saving again cannot overwrite the other change.
            conflict = isinstance(exc, Conflict)
            form.add_error(None, exc.message)
            status = exc.http_status if conflict else 200
        else:
            found = demand.findings.count()
            messages.success(
                request, gettext("已保存并重新检查，发现 %(n)d 个问题。") % {"n": found}
            )
            return redirect("burden:demand", pk=demand.pk)
    return render(
        request,
        "burden/demand_edit.html",
        {
            "d": demand,
            "form": form,
            "kind": kind,
            "kind_label": DemandKind(kind).label,
            "kinds": DemandKind.choices,
            "shown": shown,
            "conflict": conflict,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def demand_delete(request: HttpRequest, pk: int) -> HttpResponse:
    demand = _demand_to_manage(request, pk)
    status = 200
    if request.method == "POST":
        try:
            services.demand_delete(demand=demand, actor=request.user)
        except ApplicationError as exc:
            status = exc.http_status
        else:
            messages.success(request, gettext("已删除“%(title)s”。") % {"title": demand.title})
            return redirect("burden:ledger")
    return render(
        request,
        "burden/demand_delete.html",
        {
            "d": demand,
            "refusal": services.demand_delete_refusal(demand=demand),
            "findings": len(demand.findings.all()),
            "revisions": demand.revisions.count(),
        },
        status=status,
    )


@login_required
def import_demands(request: HttpRequest) -> HttpResponse:
    require(request.user, "burden.manage")
    form = ImportForm(request.POST or None, request.FILES or None)
    result: dict[str, Any] | None = None
    stored = False
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            data = upload.read()
            name = upload.name.lower()
            rows = parse_demands_xlsx(data) if name.endswith(".xlsx") else parse_demands_csv(data)
            unit = _home_unit(request)
            if form.cleaned_data["store"]:
                result = services.demands_import(rows=rows, org_unit=unit, actor=request.user)
                stored = True
            else:
                result = services.demands_check(rows=rows, org_unit=unit)
        except CsvError as exc:
            form.add_error("file", str(exc))
        except ApplicationError as exc:
            form.add_error("file", exc.message)
    return render(request, "burden/import.html", {"form": form, "result": result, "stored": stored})


def _sample_rows() -> list[list[str]]:
    """Two rows a township might really enter, in the column order of the file."""
    return [
        ["document", gettext("关于做好防汛工作的通知"), gettext("县应急管理局"), "2026-03-02",
         "2026-03-16", "3000", "0", "", "", "", ""],
        ["meeting", gettext("全县春耕生产调度会"), gettext("县农业农村局"), "2026-03-05", "", "", "",
         "90", "0", "", ""],
    ]  # fmt: skip


@login_required
@require_GET
def import_sample(request: HttpRequest) -> HttpResponse:
    """A sample file to fill in: the header and two example rows, with a BOM for WPS/Excel."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(_sample_rows())
    resp = HttpResponse(out.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
    resp["Content-Disposition"] = 'attachment; filename="burden-import-sample.csv"'
    return resp


@login_required
def upload_document(request: HttpRequest) -> HttpResponse:
    require(request.user, "burden.manage")
    scope = scope_for(request.user)
    form = DocumentForm(request.POST or None, request.FILES or None)
    doc = None
    if request.method == "POST" and form.is_valid():
        demand = None
        if form.cleaned_data.get("demand"):
            demand = selectors.demand_get(scope=scope, pk=form.cleaned_data["demand"])
        f = form.cleaned_data["file"]
        upper = form.cleaned_data.get("upper")
        try:
            doc = services.document_upload(
                org_unit=demand.org_unit if demand else _home_unit(request), name=f.name,
                data=f.read(), actor=request.user, demand=demand,
                upper_name=upper.name if upper else "", upper_data=upper.read() if upper else None,
            )  # fmt: skip
        except ApplicationError as exc:
            form.add_error("file", exc.message)
        else:
            if demand is not None:
                messages.success(request, gettext("已读取文件：%(n)s 字。") % {"n": doc.chars})
                return redirect("burden:demand", pk=demand.pk)
    return render(request, "burden/upload.html", {"form": form, "doc": doc})


@login_required
def rules(request: HttpRequest) -> HttpResponse:
    manage = can(request.user, "burden.manage")
    if request.method == "POST":
        require(request.user, "burden.manage")
        n = services.findings_recheck(scope=scope_for(request.user), actor=request.user)
        messages.success(request, gettext("已按现行规则重新检查 %(n)s 项事项。") % {"n": n})
        return redirect("burden:rules")
    return render(request, "burden/rules.html", {"rules": selectors.rules_all(), "manage": manage})


@login_required
def rule_edit(request: HttpRequest, code: str) -> HttpResponse:
    require(request.user, "burden.manage")
    rule = get_object_or_404(Rule, code=code)
    form = RuleForm(request.POST or None, instance=Rule.objects.get(pk=rule.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.rule_update(
                rule=rule, actor=request.user, **{k: form.cleaned_data[k] for k in form.Meta.fields}
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, gettext("规则已保存。点“按现行规则重新检查”让台账生效。"))
            return redirect("burden:rules")
    return render(request, "burden/rule_edit.html", {"form": form, "rule": rule})


@login_required
def admission(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    submit = can(request.user, "admission.submit")
    user_dept = getattr(request.user, "department", None)
    # Department staff submit only for their own department, so that is all they are offered.
    own_only = user_dept is not None and not can(request.user, "admission.decide")
    form = AdmissionForm(
        request.POST or None,
        request.FILES or None,
        initial={"year": timezone.localdate().year, "department": user_dept},
        department=user_dept if own_only else None,
    )
    if request.method == "POST":
        require(request.user, "admission.submit")
        if form.is_valid():
            c = form.cleaned_data
            dept = c["department"]  # for department staff, the form offers only their own
            try:
                target = _target_township(request)
                review = services.admission_submit(
                    org_unit=target, department=dept, name=c["file"].name, data=c["file"].read(),
                    form=services.AdmissionInput(
                        title=c["title"], year=c["year"], respondents=c["respondents"],
                        frequency_per_year=c["frequency_per_year"],
                        hours_per_response=c["hours_per_response"],
                        preparation_hours=c["preparation_hours"], legal_basis=c["legal_basis"],
                    ),
                    actor=request.user,
                )  # fmt: skip
            except ApplicationError as exc:
                form.add_error("file", exc.message)
            else:
                messages.success(request, gettext("已提交，请查看系统分析结果。"))
                return redirect("burden:admission_detail", pk=review.pk)
    return render(
        request,
        "burden/admission.html",
        {"form": form, "reviews": selectors.admission_list(scope=scope)[:200], "submit": submit},
    )


def _target_township(request: HttpRequest) -> OrgUnit:
    unit = _home_unit(request)
    if unit.level == "township":
        return unit
    town = OrgUnit.objects.filter(path__startswith=unit.path, level="township").first()
    if town is None:
        town = services.default_org_unit()
    scope_for(request.user).require(town)
    return town


@login_required
def admission_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_for(request.user)
    review = selectors.admission_get(scope=scope, pk=pk)
    form = DecisionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        require(request.user, "admission.decide")
        if form.is_valid():
            try:
                services.admission_decide(
                    review=review, status=form.cleaned_data["status"],
                    reason=form.cleaned_data["reason"], actor=request.user,
                )  # fmt: skip
            except Conflict as exc:
                # Decided by someone else meanwhile: the form is gone, so say it as a message
                # above their decision (the review was read after theirs was saved).
                messages.error(request, exc.message)
                status = exc.http_status
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, gettext("审查结论已保存。"))
                return redirect("burden:admission_detail", pk=pk)
    return render(
        request,
        "burden/admission_detail.html",
        {
            "r": review,
            "a": review.analysis,
            "form": form,
            "decide": can(request.user, "admission.decide"),
        },
        status=status,
    )


@login_required
def catalogue(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    reviews = selectors.catalogue(scope=scope_for(request.user), year=year)
    if request.GET.get("format") == "xlsx":
        body = exports.catalogue_xlsx(year, list(reviews))
        resp = HttpResponse(
            body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        resp["Content-Disposition"] = f'attachment; filename="catalogue-{year}.xlsx"'
        return resp
    return render(request, "burden/catalogue.html", {"reviews": reviews, "year": year})


KIND_LABEL = dict(DemandKind.choices)


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    year = _year(request)
    data = selectors.dashboard(scope=scope, year=year)
    titles = selectors.rule_titles()
    saved, known = savings_hours(scope=scope, year=year)
    issuers = sorted({r["issuer"] for r in data["by_issuer"]})
    months = list(range(1, 13))
    table_issuer = [
        {
            "issuer": i,
            "months": [
                sum(r["hours"] for r in data["by_issuer"] if r["issuer"] == i and r["month"] == m)
                for m in months
            ],
        }  # fmt: skip
        for i in issuers
    ]
    for row in table_issuer:
        row["total"] = round(sum(row["months"]), 2)
    kinds = [k for k, _ in DemandKind.choices]
    table_kind = [
        {
            "kind": KIND_LABEL[k],
            "months": [
                sum(r["hours"] for r in data["by_kind"] if r["kind"] == k and r["month"] == m)
                for m in months
            ],
        }  # fmt: skip
        for k in kinds
    ]
    findings = [{"rule": r["rule"], "title": titles.get(r["rule"], r["rule"]), "count": r["count"]}
                for r in data["findings"]]  # fmt: skip
    redundant = selectors.top_redundant_items()
    chart = {
        "months": [gettext("%(m)s月") % {"m": m} for m in months],
        "hours_label": gettext("小时"),
        "issuers": [{"name": r["issuer"], "data": r["months"]} for r in table_issuer],
        "kinds": [{"name": r["kind"], "data": r["months"]} for r in table_kind],
        "findings": [{"name": f["title"], "value": f["count"]} for f in findings],
        "redundant": [{"name": r["name"], "value": r["forms"]} for r in redundant],
    }
    return render(
        request,
        "burden/dashboard.html",
        {
            "year": year,
            "data": data,
            "chart": chart,
            "table_issuer": table_issuer,
            "table_kind": table_kind,
            "findings": findings,
            "redundant": redundant,
            "saved": saved,
            "saved_known": known,
            "months": months,
            "this_month": timezone.localdate().month if year == timezone.localdate().year else 12,
        },
    )


@login_required
def monthly_report(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    year = _asked_year(request) or timezone.localdate().year
    if not limits.year_in_range(year):
        raise InvalidInput(
            gettext("年度应在%(first)s到%(last)s之间。")
            % {"first": limits.EARLIEST_YEAR, "last": limits.latest_year()}
        )
    try:
        month = int(request.GET.get("month", "") or timezone.localdate().month)
    except ValueError:
        month = timezone.localdate().month
    if not 1 <= month <= 12:
        raise InvalidInput(gettext("月份应在1到12之间。"))
    unit = getattr(request.user, "org_unit", None)
    report = selectors.monthly_report(
        scope=scope, year=year, month=month, unit_name=unit.name if unit else ""
    )
    fmt = request.GET.get("format", "xlsx")
    if fmt == "pdf":
        resp = HttpResponse(exports.report_pdf(report), content_type="application/pdf")
        resp["Content-Disposition"] = f'inline; filename="burden-{year}-{month:02d}.pdf"'
        return resp
    resp = HttpResponse(
        exports.report_xlsx(report),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    resp["Content-Disposition"] = f'attachment; filename="burden-{year}-{month:02d}.xlsx"'
    return resp
