"""Login lockout backend (django-axes).

Axes needs the HTTP request to know the client address. Programmatic authentication with no
request (management commands, Client.login in tests) cannot be locked out per address, so this
backend leaves it to ModelBackend instead of failing.
"""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.http import HttpRequest


class LockoutBackend(AxesStandaloneBackend):  # type: ignore[misc]
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
