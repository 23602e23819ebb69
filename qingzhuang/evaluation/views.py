"""Evaluation pages: overview, metrics, evidence, scores, indicators & schemes, signals, report.

Everyone with evaluation.view reads (within their scope); only evaluation.manage changes anything.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from qingzhuang.core.errors import ApplicationError, InvalidInput, NotFound
from qingzhuang.core.forms import errors_text
from qingzhuang.evaluation import dashboard, exports, gaming, selectors, services, values
from qingzhuang.evaluation.forms import (
    IndicatorForm,
    MetricSettingsForm,
    SchemeForm,
    SignalSettingsForm,
)
from qingzhuang.evaluation.metrics import RATE_NAMES
from qingzhuang.evaluation.models import FAST_CALLBACK_MAX_MINUTES, EvaluationScheme, Indicator
from qingzhuang.evaluation.periods import Period, parse
from qingzhuang.evaluation.schemes import scheme_check
from qingzhuang.i18n import join_list
from qingzhuang.org.roles import can, require
from qingzhuang.org.scope import Scope, scope_for

# Lazy: rendered in each request's language (str() them before they leave as data).
GROUP_LABELS: dict[str, Any] = {
    "org_unit": gettext_lazy("责任单位"),
    "area": gettext_lazy("村(社区)"),
    "category": gettext_lazy("分类"),
}


def report_title(period: Period) -> str:
    """评价月报 / 评价季报 / 评价年报, after the period the report covers."""
    if period.type == "quarter":
        return _("%(period)s评价季报") % {"period": period.label}
    if period.type == "year":
        return _("%(period)s评价年报") % {"period": period.label}
    return _("%(period)s评价月报") % {"period": period.label}


def _ctx(request: HttpRequest) -> tuple[Scope, Period]:
    require(request.user, "evaluation.view")
    scope = scope_for(request.user)
    text = request.GET.get("period", "").strip()
    period = parse(text) if text else dashboard.default_period(scope)
    return scope, period


def _without_key(ds: dashboard.Dataset) -> dashboard.Dataset:
    """Drop the internal link column (`_key`) before a table leaves the page."""
    if ds.headers and ds.headers[-1] == "_key":
        return replace(ds, headers=ds.headers[:-1], rows=[r[:-1] for r in ds.rows])
    return ds


def _export(request: HttpRequest, ds: dashboard.Dataset, stem: str) -> HttpResponse | None:
    fmt = request.GET.get("export", "")
    if fmt in ("csv", "xlsx"):
        return exports.dataset_response(_without_key(ds), fmt, stem)
    return None


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    scope, period = _ctx(request)
    key = request.GET.get("table", "")
    if key and request.GET.get("export"):
        ds = dashboard.dataset_by_key(scope, period, key)
        resp = _export(request, ds, _("评价总览-%(period)s") % {"period": period.code})
        if resp:
            return resp
    data = dashboard.overview(scope, period)
    return render(
        request,
        "evaluation/overview.html",
        {
            **data,
            "charts": {ds.key: ds.chart for ds in data["datasets"]},
            "rate_names": RATE_NAMES,
            "manage": can(request.user, "evaluation.manage"),
        },
    )


@login_required
def metrics_page(request: HttpRequest) -> HttpResponse:
    scope, period = _ctx(request)
    group_by = request.GET.get("by", "org_unit")
    if group_by not in GROUP_LABELS:
        raise InvalidInput(
            _("分组只能是以下之一：%(groups)s")
            % {"groups": join_list(str(v) for v in GROUP_LABELS.values())}
        )
    ds = metrics_dataset(scope, period, group_by)
    resp = _export(request, ds, _("诉求指标-%(period)s") % {"period": period.code})
    if resp:
        return resp
    return render(
        request,
        "evaluation/metrics.html",
        {
            "period": period,
            "by": group_by,
            "groups": {k: str(v) for k, v in GROUP_LABELS.items()},
            "table": ds,
            "settings": services.settings_get(),
            "manage": can(request.user, "evaluation.manage"),
        },
    )


def metrics_dataset(scope: Scope, period: Period, group_by: str) -> dashboard.Dataset:
    from qingzhuang.org.models import OrgUnit

    data = selectors.request_metrics(scope=scope, period=period, group_by=group_by)
    names: dict[Any, str] = {}
    if group_by != "category":
        names = dict(OrgUnit.objects.filter(pk__in=list(data)).values_list("pk", "name"))
    group_label = str(GROUP_LABELS[group_by])
    headers = [group_label, _("受理"), _("计分工单"), _("不合理(不计分)"), _("合并(不计分)")]
    rows = []
    rate_keys = list(RATE_NAMES)
    bundles = []
    for r in rate_keys:
        bundles.append((len(headers), len(headers) + 3))
        headers += [dashboard.rate_header(r), _("样本"), _("95%区间")]
    headers += [_("办理时长中位数(小时)"), _("P90(小时)"), "_key"]
    for key, s in sorted(data.items(), key=lambda kv: str(names.get(kv[0], kv[0]))):
        row: list[Any] = [
            names.get(key, key) or _("未分类"),
            s["received"],
            s["scored"],
            s["excluded_unreasonable"],
            s["excluded_merged"],
        ]
        for r in rate_keys:
            v = s[r]
            row += [
                dashboard.pct(v["value"]),
                v["denominator"],
                ""
                if v["low"] is None
                else f"{dashboard.pct(v['low'])}–{dashboard.pct(v['high'])}"
                + ("" if v["sufficient"] else _("（样本不足）")),
            ]
        row += [s["median_hours"], s["p90_hours"], key]
        rows.append(row)
    title = _("诉求指标（%(period)s，按%(group)s）") % {
        "period": period.label,
        "group": group_label,
    }
    return dashboard.Dataset("metrics", title, headers, rows, bundles=bundles)


@login_required
def evidence(request: HttpRequest) -> HttpResponse:
    scope, period = _ctx(request)
    unit_text = request.GET.get("unit", "").strip()
    unit_id = int(unit_text) if unit_text.isdigit() else None
    if unit_text and unit_id is None:
        messages.warning(request, _("没有找到这个单位，已显示全部"))
    if unit_id:
        from qingzhuang.org.models import OrgUnit

        unit = OrgUnit.objects.filter(pk=unit_id).first()
        if unit is None:
            raise NotFound(_("找不到这个单位"))
        scope.require(unit)
    orders = list(
        selectors.evidence_orders(
            scope=scope,
            period=period,
            unit_id=unit_id,
            category=request.GET.get("category", ""),
            only=request.GET.get("only", ""),
        )
    )
    return render(
        request,
        "evaluation/evidence.html",
        {
            "period": period,
            "orders": orders,
            "filters": request.GET,
            "show_personal": can(request.user, "personal_data.view"),
        },
    )


@login_required
def scores_page(request: HttpRequest) -> HttpResponse:
    require(request.user, "evaluation.view")
    scope = scope_for(request.user)
    scheme_list = list(selectors.schemes())
    scheme = _scheme(request.GET.get("scheme"), scheme_list)
    if scheme is not None and request.GET.get("scheme", "") not in ("", str(scheme.pk)):
        messages.warning(
            request, _("没有找到这个考核方案，已显示“%(name)s”") % {"name": scheme.name}
        )
    periods = selectors.score_periods(scheme=scheme) if scheme else []
    period = request.GET.get("period", "").strip()
    if period and period not in periods and periods:
        messages.warning(
            request,
            _("没有找到时期“%(period)s”的评分，已显示 %(shown)s")
            % {"period": period, "shown": periods[0]},
        )
        period = ""
    period = period or (periods[0] if periods else "")
    rows = (
        list(selectors.scores(scope=scope, scheme=scheme, period=period))
        if scheme and period
        else []
    )
    if scheme and period and request.GET.get("export") in ("csv", "xlsx"):
        ds = dashboard.Dataset(
            "scores",
            f"{scheme.name} {period}",
            [_("单位"), _("总分")],
            [[s.org_unit.name, s.total] for s in rows],
        )
        stem = _("评分-%(period)s") % {"period": period}
        return exports.dataset_response(ds, request.GET["export"], stem)
    return render(
        request,
        "evaluation/scores.html",
        {
            "schemes": scheme_list,
            "scheme": scheme,
            "periods": periods,
            "period": period,
            "rows": rows,
            "manage": can(request.user, "evaluation.manage"),
        },
    )


def _scheme(pk: str | None, scheme_list: list[EvaluationScheme]) -> EvaluationScheme | None:
    """The scheme asked for by id (404 when that id does not exist); the first one otherwise."""
    if pk and pk.isdigit():
        for s in scheme_list:
            if s.pk == int(pk):
                return s
        raise NotFound(_("找不到这个考核方案"))
    return scheme_list[0] if scheme_list else None


@login_required
@require_POST
def scores_compute(request: HttpRequest) -> HttpResponse:
    require(request.user, "evaluation.manage")
    scheme = EvaluationScheme.objects.filter(pk=request.POST.get("scheme") or 0).first()
    if scheme is None:
        raise NotFound(_("找不到这个考核方案"))
    period = request.POST.get("period", "").strip()
    try:
        # A scheme belongs to no township: score the villages under the admin's own unit.
        result = services.scores_compute(
            scheme=scheme,
            period=period,
            actor=request.user,
            org_unit=getattr(request.user, "org_unit", None),
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(f"/evaluation/scores/?scheme={scheme.pk}")
    messages.success(
        request,
        _("已为 %(n)s 个村(社区)计算 %(period)s 的评分。") % {"n": len(result), "period": period},
    )
    return redirect(
        f"/evaluation/scores/?scheme={scheme.pk}&period={result[0].period if result else period}"
    )


@login_required
def score_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "evaluation.view")
    score = selectors.score_get(scope=scope_for(request.user), pk=pk)
    return render(request, "evaluation/score_detail.html", {"score": score})


@login_required
def indicators_page(request: HttpRequest) -> HttpResponse:
    require(request.user, "evaluation.view")
    scope = scope_for(request.user)
    checks = [(s, scheme_check(s)) for s in selectors.schemes()]
    text = request.GET.get("period", "").strip()
    if text:
        period = parse(text)
    else:
        m = dashboard.default_period(scope)
        period = parse(f"{m.year}Q{(m.number - 1) // 3 + 1}")
    return render(
        request,
        "evaluation/indicators.html",
        {
            "indicators": Indicator.objects.all(),
            "checks": checks,
            "period": period,
            "goals": values.goal_tree(scope=scope, period=period),
            "schemes": [s for s, _check in checks],
            "manage": can(request.user, "evaluation.manage"),
        },
    )


@login_required
def signals_page(request: HttpRequest) -> HttpResponse:
    scope, period = _ctx(request)
    signals = gaming.gaming_signals(scope=scope, period=period)
    return render(
        request,
        "evaluation/signals.html",
        {
            "period": period,
            "manage": can(request.user, "evaluation.manage"),
            "fast_max": FAST_CALLBACK_MAX_MINUTES,
            # Only roles that handle requests may open one (evaluators see the signal only).
            "openable": (
                _openable_orders(scope, signals) if can(request.user, "requests.handle") else set()
            ),
            "show_personal": can(request.user, "personal_data.view"),
            **signals,
        },
    )


def _openable_orders(scope: Scope, signals: dict[str, Any]) -> set[int]:
    """Ids of the listed work orders this user may open (one query): a signal is found in the
    unit of its candidate row, and the order may have moved on since."""
    from qingzhuang.service_requests.selectors import work_orders

    ids = {it["callback"].order_id for it in signals["contradictions"]["items"]}
    ids |= {cb.order_id for g in signals["fast"] for cb, _gap in g["items"]}
    ids |= {cb.order_id for g in signals["same_phone"] for cb in g["items"]}
    ids |= {it["order"].pk for it in signals["reopened"]["items"]}
    if not ids:
        return set()
    return set(work_orders(scope=scope).filter(pk__in=ids).values_list("pk", flat=True))


@login_required
@require_POST
def signals_settings_save(request: HttpRequest) -> HttpResponse:
    """The two thresholds of the gaming signals (audited like every settings change)."""
    require(request.user, "evaluation.manage")
    form = SignalSettingsForm(request.POST)
    try:
        if not form.is_valid():
            raise InvalidInput(errors_text(form))
        services.settings_update(actor=request.user, **form.cleaned_data)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已保存异常信号的阈值。"))
    period = request.POST.get("period", "")
    url = reverse("evaluation:signals")
    return redirect(f"{url}?{urlencode({'period': period})}" if period else url)


@login_required
@require_POST
def settings_save(request: HttpRequest) -> HttpResponse:
    require(request.user, "evaluation.manage")
    form = MetricSettingsForm(request.POST)
    try:
        if not form.is_valid():
            raise InvalidInput(errors_text(form))
        services.settings_update(actor=request.user, **form.changes())
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已保存指标口径。"))
    return redirect("evaluation:metrics")


@login_required
def report(request: HttpRequest) -> HttpResponse:
    """Monthly evaluation report: the overview tables plus metrics by unit, as xlsx or PDF."""
    scope, period = _ctx(request)
    sheets = list(dashboard.overview(scope, period)["datasets"])
    sheets.append(_without_key(metrics_dataset(scope, period, "org_unit")))
    fmt = request.GET.get("format", "xlsx")
    title = report_title(period)
    filename = title.replace("/", "-")  # English period labels look like 3/2026
    if fmt == "pdf":
        unit = getattr(request.user, "org_unit", None)
        sub = _("范围：%(scope)s。满意率口径见“诉求指标”页；不合理诉求单列，不计分。") % {
            "scope": unit.name if unit else _("全部")
        }
        return exports.download(exports.pdf_bytes(title, sub, sheets), f"{filename}.pdf", "pdf")
    return exports.download(exports.xlsx_bytes(sheets), f"{filename}.xlsx", "xlsx")


@login_required
@require_POST
def indicator_save(request: HttpRequest) -> HttpResponse:
    """Create or update an indicator (by code), optionally adding it to a scheme with a weight."""
    require(request.user, "evaluation.manage")
    form = IndicatorForm(request.POST)
    try:
        if not form.is_valid():
            raise InvalidInput(errors_text(form))
        ind = services.indicator_upsert(actor=request.user, **form.indicator_fields())
        scheme = form.cleaned_data["scheme"]
        if scheme is not None:
            services.scheme_item_set(
                scheme=scheme,
                indicator=ind,
                weight=form.cleaned_data["weight"],
                actor=request.user,
            )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已保存指标“%(name)s”。") % {"name": ind.name})
    return redirect("evaluation:indicators")


@login_required
@require_POST
def scheme_save(request: HttpRequest) -> HttpResponse:
    require(request.user, "evaluation.manage")
    form = SchemeForm(request.POST)
    try:
        if not form.is_valid():
            raise InvalidInput(errors_text(form))
        scheme = services.scheme_upsert(actor=request.user, **form.cleaned_data)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已保存方案“%(name)s”。") % {"name": scheme.name})
    return redirect("evaluation:indicators")
