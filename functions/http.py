"""The one mapping from domain errors to HTTP statuses and the API's error body."""

from __future__ import annotations

from typing import Any

from functions.errors import (
    Conflict,
    DomainError,
    Forbidden,
    Invalid,
    Malformed,
    NotFound,
    Refused,
    TooLarge,
    Unauthorized,
    Unavailable,
)

STATUS: dict[type[DomainError], int] = {
    Malformed: 400,
    Unauthorized: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    Refused: 409,
    TooLarge: 413,
    Invalid: 422,
    Unavailable: 503,
}


def status_of(error: DomainError) -> int:
    return STATUS.get(type(error), 400)


def headers_of(error: DomainError) -> dict[str, str]:
    """Headers an error answer carries: when to try again, for a service outage."""
    if isinstance(error, Unavailable):
        return {"Retry-After": str(error.retry_after_seconds)}
    return {}


def error_body(
    code: str, message: str, details: list[dict[str, str]] | None = None
) -> dict[str, Any]:
    """``{"error": {"code", "message", "details"}}`` as DESIGN.md defines it."""
    return {"error": {"code": code, "message": message, "details": details or []}}


def domain_error_body(error: DomainError) -> dict[str, Any]:
    return error_body(error.code, error.message, [d.as_dict() for d in error.details])
