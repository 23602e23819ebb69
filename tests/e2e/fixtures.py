"""Fixtures for the journeys: one demo township per module behind a live server.

`qz demo` takes several seconds, so it is seeded once per module instead of once per test:
the module holds database access open (pytest-django's blocker), runs Django's LiveServerThread
itself (sharing the in-memory SQLite connection the way pytest-django's live_server does) and
flushes the database when the module ends, so later tests start from an empty database again.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from typing import Any

import pytest

DEMO_PASSWORD = "qz-demo-2026"
ROLES = ("township_admin", "village_worker", "department_staff", "evaluator")
# Pages other than the walkthrough journey start with the walkthrough already seen.
SKIP_WALKTHROUGH = (
    "try{"
    + "".join(f"localStorage.setItem('qz-walkthrough-done:{r}','1');" for r in ROLES)
    + "}catch(e){}"
)


@pytest.fixture(scope="module", name="demo_server")
def demo_server_fixture(django_db_setup: Any, django_db_blocker: Any) -> Iterator[str]:
    from django.core.management import call_command
    from django.db import connections
    from django.test.utils import modify_settings
    from pytest_django.live_server_helper import LiveServer

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with django_db_blocker.unblock():
        call_command("demo", stdout=io.StringIO())
        server = LiveServer("localhost")
        try:
            with modify_settings(ALLOWED_HOSTS={"append": "localhost"}):
                yield server.url
        finally:
            server.stop()
            call_command("flush", interactive=False, verbosity=0)
            # While Playwright's event loop runs in this thread, the ORM may get a connection
            # of its own (asgiref's context-local storage); left open, it would keep
            # PostgreSQL from dropping the test database at the end of the run.
            connections.close_all()
