"""Domain errors raised below the API and mapped to HTTP in one place (app_errors)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a request: where (a dotted field path) and what."""

    field: str
    problem: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "problem": self.problem}


@dataclass
class DomainError(Exception):
    """Base of every error the API answers with a 4xx."""

    message: str
    details: list[Problem] = field(default_factory=list)
    code: str = "error"

    def __str__(self) -> str:
        return self.message


class Malformed(DomainError):
    """The request cannot be read (bad JSON, missing header): 400."""

    def __init__(self, message: str, details: list[Problem] | None = None) -> None:
        super().__init__(message, details or [], "malformed")


class Unauthorized(DomainError):
    """No token, or a token that does not verify: 401."""

    def __init__(self, message: str = "a valid bearer token is required") -> None:
        super().__init__(message, [], "unauthorized")


class Forbidden(DomainError):
    """The caller's role or organisation does not allow this: 403."""

    def __init__(self, message: str) -> None:
        super().__init__(message, [], "forbidden")


class NotFound(DomainError):
    """The thing asked for does not exist (or is not visible to the caller): 404."""

    def __init__(self, message: str, details: list[Problem] | None = None) -> None:
        super().__init__(message, details or [], "not_found")


class Conflict(DomainError):
    """A race lost, a reused idempotency key, or not the caller's turn: 409."""

    def __init__(self, message: str, details: list[Problem] | None = None) -> None:
        super().__init__(message, details or [], "conflict")


class TooLarge(DomainError):
    """The request body is over the limit: 413."""

    def __init__(self, message: str) -> None:
        super().__init__(message, [], "too_large")


class UnsupportedMedia(DomainError):
    """The body is not of the media type the route takes: 415."""

    def __init__(self, message: str) -> None:
        super().__init__(message, [], "unsupported_media_type")


class Invalid(DomainError):
    """Readable but wrong content (schema, Vietnamese text, rules): 422."""

    def __init__(self, message: str, details: list[Problem] | None = None) -> None:
        super().__init__(message, details or [], "invalid")


class Refused(DomainError):
    """A step that can never succeed as asked (a revoked, expired or untrusted certificate;
    a document that cannot be signed): 409. ``reason`` is machine-readable, and is the
    error's code; an automatic step refused this way moves its case to ``failed``."""

    def __init__(self, reason: str, message: str, details: list[Problem] | None = None) -> None:
        super().__init__(message, details or [], reason)

    @property
    def reason(self) -> str:
        return self.code


CHECKSUM_MISMATCH = "checksum_mismatch"  # a stored object's bytes against S3's checksum


class Unavailable(DomainError):
    """A service we depend on (timestamps, OCSP, KMS, S3, DynamoDB, the bus) failed or
    throttled: try again later (503 with Retry-After)."""

    retry_after_seconds = 30

    def __init__(self, message: str) -> None:
        super().__init__(message, [], "unavailable")
