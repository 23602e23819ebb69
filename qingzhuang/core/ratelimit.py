"""A small fixed-window rate limiter on Django's cache, for the login and public intake.

Limits come from settings.QZ_RATE_LIMITS ({"name": "count/period"}, period s|m|h) and can be
switched off with QZ_RATELIMIT_ENABLED=0 (load benchmarks drive everything from one address).

Counters live in the default cache. With the LocMem cache each server process counts on its
own, so under `qz serve --workers N` one address may get up to N × the limit when its requests
land on different processes (a keep-alive client usually stays on one). Point CACHES at a
shared cache (Redis, Memcached) for an exact limit across processes.
"""

from __future__ import annotations

import contextlib
import inspect
import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext

PERIODS = {"s": 1, "m": 60, "h": 3600}


def client_ip(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", "unknown"))


def parse_rate(rate: str) -> tuple[int, int]:
    count, _, period = rate.partition("/")
    return int(count), PERIODS[period.strip()[-1]]


def hit(name: str, key: str) -> bool:
    """Count one hit; False when the caller is over the limit."""
    if not getattr(settings, "QZ_RATELIMIT_ENABLED", True):
        return True
    rate = getattr(settings, "QZ_RATE_LIMITS", {}).get(name)
    if not rate:
        return True
    limit, period = parse_rate(rate)
    window = int(time.time() // period)
    cache_key = f"rl:{name}:{key}:{window}"
    added = cache.add(cache_key, 1, timeout=period + 1)
    if added:
        return True
    try:
        count = cache.incr(cache_key)
    except ValueError:
        cache.set(cache_key, 1, timeout=period + 1)
        return True
    return count <= limit


def too_many(request: HttpRequest) -> HttpResponse:
    message = gettext("操作太频繁了，请稍等一分钟再试。")
    if request.path.startswith(("/api/", "/open311/")):
        return JsonResponse({"error": {"code": "rate_limited", "message": message}}, status=429)
    return render(
        request,
        "core/error.html",
        {"title": gettext("请稍后再试"), "message": message},
        status=429,
    )


def ratelimit(name: str, *, methods: tuple[str, ...] = ("POST",)) -> Callable[..., Any]:
    """Decorate a view: over-limit requests from one address get HTTP 429."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method in methods and not hit(name, client_ip(request)):
                return too_many(request)
            return view(request, *args, **kwargs)

        # django-ninja reads the parameters' types from the signature; with postponed
        # annotations it would evaluate them in this module. Give it the resolved ones.
        with contextlib.suppress(NameError, TypeError, ValueError):
            wrapped.__signature__ = inspect.signature(view, eval_str=True)  # type: ignore[attr-defined]
        return wrapped

    return decorator
