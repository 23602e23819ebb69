"""Every state-changing page rejects a POST without a CSRF token (generated over the URLconf)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.urlwalk import all_routes

# Machine endpoints that authenticate per request instead of by cookie session. The JSON API
# under /api/ is csrf-exempt at the Django level but enforces CSRF itself for session auth
# (asserted below); Open311 POST is a public, idempotent intake with its own rate limit.
CSRF_EXEMPT_PREFIXES = ("open311/",)


@pytest.mark.django_db
def test_every_page_rejects_post_without_csrf_token(org_tree: dict[str, Any]) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(org_tree["admin"])
    checked = 0
    failures = []
    for route in all_routes():
        if route.template.startswith(CSRF_EXEMPT_PREFIXES) or route.template.startswith("api/"):
            continue
        url = route.fill({})
        response = client.post(url, {"name": "x"})
        checked += 1
        if response.status_code not in (403, 405):
            failures.append(f"{url} → {response.status_code}")
    assert checked > 5
    assert not failures, "POST without CSRF token was not rejected: " + ", ".join(failures)


@pytest.mark.django_db
def test_api_with_session_auth_enforces_csrf(org_tree: dict[str, Any]) -> None:
    from django.urls import get_resolver

    client = Client(enforce_csrf_checks=True)
    client.force_login(org_tree["admin"])
    api_posts = []
    from qingzhuang.core.api import api

    schema = api.get_openapi_schema()
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            if method in {"post", "put", "patch", "delete"} and op.get("security"):
                api_posts.append((method, path))
    assert get_resolver() is not None
    for method, path in api_posts:
        url = path.replace("{", "").replace("}", "")
        url = "/".join(
            "1" if seg and seg.endswith(("id", "pk", "code")) else seg for seg in url.split("/")
        )
        response = getattr(client, method)(url, data="{}", content_type="application/json")
        assert response.status_code in (401, 403, 404, 405), (
            f"{method.upper()} {url} → {response.status_code}"
        )
