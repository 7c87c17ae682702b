"""Files sent to the API: a PDF in the body, or a PDF or a batch's items uploaded first."""

# A request carries at most 6 MB into Lambda, 4.5 MB of a PDF after base64. A larger file
# (a scanned record of a few hundred pages) goes in two steps: POST /v1/uploads with the
# file's SHA-256 and size answers a presigned PUT that S3 honours for that file only (the
# checksum is signed), for 15 minutes; the route that takes a PDF is then sent
# {"upload_id": ...} as JSON instead of the file. An upload belongs to whoever made it:
# its key holds a digest of their token's subject, so another caller's id finds nothing.
# Once used it is deleted (a lifecycle rule removes what is left after a day).

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from functions.access import Principal
from functions.errors import (
    Invalid,
    NotFound,
    Problem,
    TooLarge,
    Unavailable,
    UnsupportedMedia,
)
from functions.limits import json_object, read_json, unknown_fields
from functions.schedule import iso
from functions.services import Services

PDF = "application/pdf"
JSON = "application/json"
JSON_LINES = "application/x-ndjson"  # a batch's items, one JSON object a line
UPLOAD_TYPES = (PDF, JSON_LINES)
UPLOADS = "uploads/"
UPLOAD_ID = re.compile(r"[0-9a-f]{32}")
SHA256 = re.compile(r"[0-9a-f]{64}")

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SentPdf:
    """The PDF a request sends: its bytes in the body, or the id of the caller's upload."""

    content: bytes | None = None
    upload_id: str | None = None

    @property
    def field(self) -> str:
        """Where a problem with the file is: the body, or the upload it names."""
        return "body" if self.upload_id is None else "upload_id"

    @property
    def identity(self) -> bytes:
        """What a repeated request is compared by (an idempotency key's request)."""
        if self.upload_id is not None:
            return f"upload:{self.upload_id}".encode()
        return self.content or b""


def upload_key(principal: Principal, upload_id: str) -> str:
    """Where the caller's upload ``upload_id`` lies (another caller's id finds nothing)."""
    owner = hashlib.sha256(principal.subject.encode("utf-8")).hexdigest()[:32]
    return f"{UPLOADS}{owner}/{upload_id}"


def new_upload(services: Services, principal: Principal, body: Any) -> dict[str, Any]:
    """A presigned PUT for one file of the declared ``sha256`` (hex) and ``size`` (any
    signed-in caller): a PDF, or (``content_type`` JSON lines) a batch's items; where to
    send it, the headers to send, until when, its id."""
    limit = services.settings.max_upload_bytes
    body = json_object(body)
    problems = unknown_fields(body, ("sha256", "size", "content_type"))
    content_type = body.get("content_type", PDF)
    if content_type not in UPLOAD_TYPES:
        problems.append(Problem("content_type", f"one of {', '.join(UPLOAD_TYPES)}"))
    sha256: str = body["sha256"] if isinstance(body.get("sha256"), str) else ""
    size: int = body["size"] if type(body.get("size")) is int else 0  # not a bool
    if not SHA256.fullmatch(sha256):
        problems.append(Problem("sha256", "required: the file's SHA-256, 64 lowercase hex digits"))
    if size < 1:
        problems.append(Problem("size", "required: the file's size in bytes, a whole number"))
    if problems:
        raise Invalid("the upload is not valid", problems)
    if size > limit:
        raise TooLarge(f"the file is over {limit} bytes, the most an upload may be")
    upload_id = uuid.uuid4().hex
    ttl = services.settings.upload_url_ttl_seconds
    url, headers = services.documents.upload_url(
        upload_key(principal, upload_id), sha256, ttl, content_type
    )
    return {
        "upload_id": upload_id,
        "method": "PUT",
        "url": url,
        "headers": headers,
        "expires_at": iso(services.clock() + dt.timedelta(seconds=ttl)),
        "max_bytes": limit,
    }


def sent_pdf(services: Services, content_type: str, body: bytes) -> SentPdf:
    """What a request sends: a PDF body (413 over what one request carries) or, as JSON,
    ``{"upload_id"}``; 415 for anything else. Nothing is read from S3 yet."""
    media_type = content_type.split(";")[0].strip().lower()
    if media_type == PDF:
        if len(body) > services.settings.max_pdf_bytes:
            raise TooLarge(
                f"the PDF is over {services.settings.max_pdf_bytes} bytes, the most one "
                "request can carry: upload it first (POST /v1/uploads)"
            )
        return SentPdf(content=body)
    if media_type != JSON:
        raise UnsupportedMedia(
            f"send the PDF as the body with Content-Type: {PDF}, or the id of its upload "
            f'as {JSON}: {{"upload_id": "..."}}'
        )
    reference = json_object(read_json(body, services.settings.max_body_bytes))
    problems = unknown_fields(reference, ("upload_id",))
    upload_id = reference.get("upload_id")
    if not isinstance(upload_id, str) or not UPLOAD_ID.fullmatch(upload_id):
        problems.insert(0, Problem("upload_id", "required: an id from POST /v1/uploads"))
    if problems:
        raise Invalid("the upload reference is not valid", problems)
    return SentPdf(upload_id=upload_id)


def pdf_bytes(services: Services, principal: Principal, sent: SentPdf) -> bytes:
    """The bytes of the PDF ``sent``: the body's, or the caller's upload, checked against the
    size limit and the SHA-256 declared for it."""
    if sent.upload_id is None:
        return sent.content or b""
    key = upload_key(principal, sent.upload_id)
    try:
        size, declared = services.documents.uploaded(key)
        if size > services.settings.max_upload_bytes:
            raise TooLarge(f"the upload is over {services.settings.max_upload_bytes} bytes")
        content = services.documents.get(key)
    except NotFound:
        raise Invalid(
            "no such upload",
            [Problem("upload_id", "not found: never uploaded, expired, used, or not yours")],
        ) from None
    if declared != hashlib.sha256(content).hexdigest():
        raise Invalid(
            "the upload is not the file declared",
            [Problem("upload_id", "its SHA-256 is not the one declared for it")],
        )
    return content


@contextmanager
def used(services: Services, principal: Principal, sent: SentPdf) -> Iterator[None]:
    """Deletes the upload ``sent`` names (if any) once the work with it has ended: done, or
    refused. Not when a service failed: the client tries again with the same id. If the
    deletion fails, the lifecycle rule removes the upload a day later."""
    try:
        yield
    except Unavailable:
        raise
    except BaseException:
        _discard(services, principal, sent)
        raise
    _discard(services, principal, sent)


def _discard(services: Services, principal: Principal, sent: SentPdf) -> None:
    if sent.upload_id is None:
        return
    try:
        services.documents.remove_drafts(upload_key(principal, sent.upload_id), exact=True)
    except Unavailable as error:
        log.warning("upload %s not deleted: %s", sent.upload_id, error.message)
