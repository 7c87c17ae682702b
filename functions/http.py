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
    UnsupportedMedia,
)

STATUS: dict[type[DomainError], int] = {
    Malformed: 400,
    Unauthorized: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    Refused: 409,
    TooLarge: 413,
    UnsupportedMedia: 415,
    Invalid: 422,
    Unavailable: 503,
}


# The code of an error answer made before our code runs (by the framework, API Gateway or
# the HTTP server), by status; GatewayResponses in infra/template.yaml use the same codes.
FRAMEWORK_CODES: dict[int, str] = {
    400: "malformed",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    414: "uri_too_long",
    415: "unsupported_media_type",
    429: "too_many_requests",
    431: "headers_too_large",
    500: "internal",
    502: "internal",
    503: "unavailable",
    504: "timeout",
}


def status_of(error: DomainError) -> int:
    return STATUS.get(type(error), 400)


def headers_of(error: DomainError) -> dict[str, str]:
    """Headers an error answer carries: when to try again, for a service outage."""
    if isinstance(error, Unavailable):
        return {"Retry-After": str(error.retry_after_seconds)}
    return {}


MAX_DETAILS = 50  # an error body stays small whatever the input (DESIGN.md)
MAX_SHOWN_CHARS = 300  # of one detail's field or problem, and of the message


def shown(text: str, limit: int = MAX_SHOWN_CHARS) -> str:
    """``text`` fit to show in an error: what cannot be printed or encoded (controls, line
    separators, lone surrogates, no-break spaces) as ``\\uXXXX``, at most ``limit``
    characters, cut with "…"."""
    escaped = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in text[: limit + 1])
    return escaped if len(escaped) <= limit else escaped[: limit - 1] + "…"


def error_body(
    code: str, message: str, details: list[dict[str, str]] | None = None
) -> dict[str, Any]:
    """``{"error": {"code", "message", "details"}}`` as DESIGN.md defines it: at most
    MAX_DETAILS details (the message counts the rest), every text escaped and cut."""
    details = details or []
    omitted = len(details) - MAX_DETAILS
    rest = f" ({omitted} more problem(s) not listed)" if omitted > 0 else ""
    return {
        "error": {
            "code": code,
            "message": shown(message) + rest,
            "details": [
                {"field": shown(d["field"]), "problem": shown(d["problem"])}
                for d in details[:MAX_DETAILS]
            ],
        }
    }


def domain_error_body(error: DomainError) -> dict[str, Any]:
    return error_body(error.code, error.message, [d.as_dict() for d in error.details])


def framework_error_body(status: int, body: Any) -> dict[str, Any] | None:
    """An error answer in Chalice's (``{"Code", "Message"}``) or API Gateway's
    (``{"message"}``) shape, in ours; None for anything else (our own answers)."""
    if status < 400 or not isinstance(body, dict):
        return None
    if set(body) == {"Code", "Message"}:
        message = body["Message"]
    elif set(body) == {"message"}:
        message = body["message"]
    else:
        return None
    return error_body(FRAMEWORK_CODES.get(status, "error"), str(message))
