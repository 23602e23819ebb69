"""Schemathesis against /api/openapi.json: no server errors, responses match the schema.

Runs in-process on the WSGI app, authenticated as a township admin with a bearer token, on
the test database (SQLite or PostgreSQL, whichever the suite runs on).
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from config.wsgi import application


@pytest.fixture
def admin_token(org_tree: dict[str, Any]) -> str:
    from qingzhuang.org.services import api_token_create

    _, key = api_token_create(user=org_tree["admin"], name="schemathesis")
    return key


CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@pytest.fixture(autouse=True)
def _keep_test_connection() -> Any:
    """Calling the WSGI app directly fires request_started/finished, whose handler closes the
    database connection; on PostgreSQL that would close the test's transaction. Django's own
    test client disconnects the handler the same way."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_every_api_operation_conforms_to_its_schema(admin_token: str) -> None:
    # schemathesis' pytest plugin does not support pytest 9 yet, so drive hypothesis directly
    api_schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert operations, "the API schema lists no operations"
    headers = {"Authorization": f"Bearer {admin_token}"}
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=12,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def check(case: Any) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        check()
