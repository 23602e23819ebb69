"""One error hierarchy for the whole product.

Services raise these; the API, the pages and the CLI each translate them exactly once.
Messages are plain Chinese and say what to do next.
"""

from __future__ import annotations


class ApplicationError(Exception):
    """A problem the user can understand and fix."""

    code = "application_error"
    http_status = 400

    def __init__(self, message: str, *, extra: dict[str, object] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra or {}


class InvalidInput(ApplicationError):
    code = "invalid_input"


class NotFound(ApplicationError):
    code = "not_found"
    http_status = 404


class PermissionDenied(ApplicationError):
    code = "permission_denied"
    http_status = 403


class Conflict(ApplicationError):
    code = "conflict"
    http_status = 409
