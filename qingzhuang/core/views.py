"""Home page and error pages."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.utils.translation import gettext as _

from qingzhuang.core.home import home_cards


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {"cards": home_cards(request)})


def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def favicon(request: HttpRequest) -> HttpResponseRedirect:
    """Browsers ask for /favicon.ico whatever the page declares; send them to the real icon."""
    return HttpResponseRedirect(static("core/favicon.svg"))


def _error(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"error": {"code": str(status), "message": message}}, status=status)
    return render(request, "core/error.html", {"title": title, "message": message}, status=status)


def page_not_found(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return _error(
        request, 404, _("页面不存在"), _("您要找的页面不存在或已被移除。请从上方菜单重新进入。")
    )


def permission_denied(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return _error(
        request,
        403,
        _("没有权限"),
        _("您没有权限查看这个页面。如确需访问，请联系镇党政办开通权限。"),
    )


def bad_request(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return _error(request, 400, _("请求有误"), _("提交的内容无法识别，请返回上一页重新填写。"))


def server_error(request: HttpRequest) -> HttpResponse:
    return _error(
        request,
        500,
        _("系统出错了"),
        _("系统暂时出了问题，您的操作没有保存。请稍后再试，或联系管理员。"),
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _error(
        request,
        403,
        _("页面已过期"),
        _("页面已过期或来源不明，为了安全没有保存。请刷新页面后重新提交。"),
    )
