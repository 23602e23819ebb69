"""The JSON API at /api/, with OpenAPI at /api/openapi.json and offline docs at /api/docs.

Each app exposes `router` in its own `api.py`; they are mounted here under the app's label
(or the module's API_PREFIX). Errors always have the shape {"error": {"code", "message"}}.
"""

from __future__ import annotations

import importlib
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Router, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import APIKeyCookie, APIKeyHeader, HttpBearer
from ninja.utils import check_csrf

from qingzhuang.core.errors import ApplicationError
from qingzhuang.org.services import api_token_authenticate


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
        return user


class HeaderToken(APIKeyHeader):
    param_name = "X-API-Key"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if not key:
            return None
        user = api_token_authenticate(key)
        if user is not None:
            request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The browser's login session. A cookie is sent by the browser on its own, so a write
    that it authenticates must carry the CSRF token; the check runs only when the session is
    what logs the request in, so token clients (tried first) never meet it."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=False)  # checked in authenticate, once the session is known

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if not request.user.is_authenticated:
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise HttpError(403, _("安全校验未通过：请刷新页面后重试；程序调用请使用 API 令牌。"))
        return request.user


class ErrorBody(Schema):
    code: str
    message: str


class ErrorOut(Schema):
    error: ErrorBody


api = NinjaAPI(
    title="轻装 Qingzhuang API",
    version="1",
    description="乡镇减负、一次填报、接诉即办的数据接口。使用会话（浏览器登录）或 Bearer 令牌认证。",
    urls_namespace="api",
    # Tokens first: a script sends no cookie and no CSRF token (README: JSON API).
    auth=[BearerToken(), HeaderToken(), SessionAuth()],
)


def _error(
    request: HttpRequest, status: int, code: str, message: str, **extra: Any
) -> HttpResponse:
    body: dict[str, Any] = {"code": code, "message": message}
    body.update(extra)
    return api.create_response(request, {"error": body}, status=status)


@api.exception_handler(ApplicationError)
def _application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    return _error(request, exc.http_status, exc.code, exc.message)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return _error(request, 422, "invalid_input", _("提交的数据格式不对"), details=exc.errors)


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "unauthorized", _("请先登录，或提供有效的 API 令牌"))


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _error(request, exc.status_code, str(exc.status_code), str(exc))


def _mount_app_routers() -> None:
    for app in settings.INSTALLED_APPS:
        if not app.startswith("qingzhuang.") or app == "qingzhuang.core":
            continue
        try:
            module = importlib.import_module(f"{app}.api")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app}.api":
                raise
            continue
        router: Router | None = getattr(module, "router", None)
        if router is not None:
            prefix = getattr(module, "API_PREFIX", app.rsplit(".", 1)[-1])
            api.add_router(f"/{prefix}/", router)


_mount_app_routers()
