"""The API's OpenAPI 3.1 document, generated from the sources the code itself uses.

Those are the app's route table, the procedure catalogue's schemas, the model's states, the
request limits and the one error shape."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from functions.access import CASE_READERS, UPSTREAM
from functions.batches import ITEMS_KEPT_DAYS, MAX_LINE_BYTES
from functions.batches import MAX_ITEMS as BATCH_MAX_ITEMS
from functions.directory import (
    EMAIL,
    HELD_BY,
    MAX_NAME,
    MAX_SHORT,
    ORGANIZATION_CODE,
    PERSON_ROLES,
    STATUSES,
    USERNAME,
)
from functions.http import MAX_DETAILS
from functions.imports import MAX_RETENTION_YEARS
from functions.intake import MAX_IDEMPOTENCY_KEY
from functions.limits import MAX_DEPTH, MAX_INTEGER_DIGITS, MAX_ITEMS, MAX_STRING
from functions.model import (
    CASE_STATUSES,
    ROLE_SEAL,
    STEP_PENDING,
    STEP_REJECTED,
    STEP_SIGNED,
    STEP_WAITING,
)
from functions.pages import MAX_LIMIT as SEARCH_MAX_LIMIT
from functions.pages import MAX_TOKEN as SEARCH_MAX_TOKEN
from functions.search import MAX_VALUE as SEARCH_MAX_VALUE
from functions.settings import Settings
from functions.signatures import MAX_REASON
from functions.uploads import JSON_LINES, PDF, UPLOAD_ID, UPLOAD_TYPES
from signing.terms import (
    DOCUMENT_TIMESTAMP,
    LEVEL_B_B,
    LEVEL_B_LT,
    LEVEL_B_LTA,
    LEVEL_B_T,
    SIGNATURE,
)
from templates.catalogue import Catalogue

VERSION = "1.0.0"
PNG = "image/png"
MAX_PAGE = 999_999  # functions/records.py reads at most 6 digits
MAX_PDF_BYTES = Settings.max_pdf_bytes  # the default; a stage may set HOSO_MAX_PDF_BYTES
MAX_UPLOAD_BYTES = Settings.max_upload_bytes  # the default; HOSO_MAX_UPLOAD_BYTES


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


def _object(properties: dict[str, Any], optional: Iterable[str] = ()) -> dict[str, Any]:
    """A closed object whose properties are all required but ``optional``."""
    return {
        "type": "object",
        "properties": properties,
        "required": [name for name in properties if name not in set(optional)],
        "additionalProperties": False,
    }


TEXT = {"type": "string"}
TIME = {"type": "string", "format": "date-time"}
ID = {"type": "string", "format": "uuid"}
SHA256 = {"type": "string", "pattern": "^[0-9a-f]{64}$"}
COUNT = {"type": "integer", "minimum": 0}

ERROR = _object(
    {
        "error": _object(
            {
                "code": {**TEXT, "description": "machine-readable: malformed, invalid, …"},
                "message": {**TEXT, "maxLength": 400},
                "details": {
                    "type": "array",
                    "maxItems": MAX_DETAILS,
                    "items": _object({"field": TEXT, "problem": TEXT}),
                },
            }
        )
    }
)

CASE = _object(
    {
        "id": ID,
        "procedure": TEXT,
        "procedure_version": TEXT,
        "organization": TEXT,
        "status": {"enum": CASE_STATUSES},
        "version": COUNT,
        "number": TEXT,
        "steps": {
            "type": "array",
            "items": _object(
                {
                    "index": COUNT,
                    "role": {"enum": ["officer", ROLE_SEAL]},
                    "organization": TEXT,
                    "status": {"enum": [STEP_PENDING, STEP_SIGNED, STEP_WAITING, STEP_REJECTED]},
                }
            ),
        },
        "signatures": {
            "type": "array",
            "items": _object(
                {
                    "step": COUNT,
                    "kind": {"enum": ["officer", ROLE_SEAL]},
                    "signer": TEXT,
                    "signed_at": TIME,
                    "timestamped_at": _nullable(TIME),
                    "level": {"enum": [LEVEL_B_LT, LEVEL_B_LTA]},
                }
            ),
        },
        "document": _object({"sha256": SHA256, "pages": COUNT}),
        "record_id": _nullable(ID),
        "warnings": {"type": "array", "items": _object({"field": TEXT, "problem": TEXT})},
        "rejection": _nullable(_object({"reason": TEXT, "by": TEXT, "at": TIME})),
        "failure": _nullable(
            _object({"reason": TEXT, "message": TEXT, "attempts": COUNT, "at": TIME})
        ),
        "retry": _nullable(
            _object({"attempts": COUNT, "since": TIME, "last_error": TEXT, "next_attempt_at": TIME})
        ),
        "created_at": TIME,
        "history": {
            "type": "array",
            "items": _object({"status": TEXT, "version": COUNT, "at": TIME}),
        },
        "data": {
            "type": "object",
            "description": "the submitted data: only for the submitter and the officers of "
            "the case's steps",
        },
    },
    optional=["data"],
)

RECORD = {
    "type": "object",
    "properties": {
        "id": ID,
        "case_id": _nullable(ID),  # null for a digitised paper record
        "procedure": TEXT,
        "organization": TEXT,
        "number": TEXT,
        "sha256": SHA256,
        "archived_at": TIME,
        "retain_until": TIME,
        "download_url": {"type": "string", "format": "uri"},
        "validation": _nullable(_ref("ValidationReport")),
    },
    "required": ["id", "case_id", "procedure", "organization", "number", "sha256"],
}

TIMESTAMP = _object({"time": TIME, "trusted": {"type": "boolean"}})
VALIDATION_ENTRY = _object(
    {
        "field": TEXT,
        "kind": {"enum": [SIGNATURE, DOCUMENT_TIMESTAMP]},
        "signer": _nullable(TEXT),
        "certificate_sha256": _nullable(SHA256),
        "intact": {"type": "boolean"},
        "trusted": {"type": "boolean", "description": "chains to the configured anchors"},
        "coverage": _nullable({**TEXT, "description": "entire_file, entire_revision, …"}),
        "modification_level": _nullable(
            {**TEXT, "description": "after the signature: none, lta_updates, form_filling, …"}
        ),
        "timestamp": _nullable(TIMESTAMP),
        "revocation": _nullable(
            _object(
                {
                    "status": {"enum": ["good", "revoked", "revoked_after_signing", "unknown"]},
                    "embedded": {"type": "boolean"},
                }
            )
        ),
        "level": _nullable({"enum": [LEVEL_B_B, LEVEL_B_T, LEVEL_B_LT, LEVEL_B_LTA]}),
        "indication": {"enum": ["PASSED", "INDETERMINATE", "FAILED"]},
        "subindication": _nullable({**TEXT, "description": "EN 319 102-1's, when not passed"}),
        "valid": {"type": "boolean"},
    }
)
VALIDATION = _object(
    {
        "valid": {"type": "boolean", "description": "at least one signature, every one valid"},
        "checked_at": {**TIME, "description": "a record's: when it was validated"},
        "signatures": {"type": "array", "items": VALIDATION_ENTRY},
    },
    optional=["checked_at"],
)

PROCEDURES = _object(
    {
        "procedures": {
            "type": "array",
            "items": _object(
                {
                    "code": TEXT,
                    "title": TEXT,
                    "version": TEXT,
                    "schema": {"type": "object"},
                    "example": {"type": "object"},
                    "steps": {"type": "array", "items": {"type": "object"}},
                }
            ),
        }
    }
)


@dataclass(frozen=True)
class Operation:
    """What the document says of one route: who may call it, what it takes and answers.
    ``roles`` None: no token; empty: any valid token."""

    summary: str
    roles: tuple[str, ...] | None
    ok: int
    answer: dict[str, Any]  # media type → schema
    body: dict[str, Any] | None = None  # the JSON body's schema
    binary_body: str | None = None  # and/or the media type of a binary body
    parameters: list[dict[str, Any]] = field(default_factory=list)
    errors: tuple[int, ...] = ()
    also_ok: tuple[int, ...] = ()  # other answers of success, with the same content


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def _binary(media_type: str) -> dict[str, Any]:
    return {media_type: {"schema": {"type": "string", "format": "binary"}}}


READ_ERRORS = (401, 403, 404, 503)
WRITE_ERRORS = (400, 401, 403, 404, 409, 413, 415, 422, 503)
IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": True,
    "description": "the same key with the same body answers the same case (201, "
    "Idempotent-Replayed: true); with another body, 409",
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_IDEMPOTENCY_KEY},
}
PAGE = {
    "name": "page",
    "in": "query",
    "required": False,
    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
}


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema,
            "description": description}  # fmt: skip


SEARCH_TEXT = {"type": "string", "minLength": 1, "maxLength": SEARCH_MAX_VALUE}
DATE = {"type": "string", "format": "date"}
RETENTION = {"type": "integer", "minimum": 1, "maximum": MAX_RETENTION_YEARS}
SEARCH_PARAMETERS = [
    _query("procedure", SEARCH_TEXT, "a procedure code"),
    _query("organization", SEARCH_TEXT, "the organisation that issued the record"),
    _query("number", SEARCH_TEXT, "the document number, e.g. 12-GGT/ĐU"),
    _query("card", {"type": "string", "pattern": "^[0-9]{8,12}$"}, "the member's party card"),
    _query("archived_from", DATE, "first day, Vietnam time"),
    _query("archived_to", DATE, "last day, Vietnam time"),
    _query("original_from", DATE, "digitised: first paper date"),
    _query("original_to", DATE, "digitised: last paper date"),
    _query(
        "limit",
        {"type": "integer", "minimum": 1, "maximum": SEARCH_MAX_LIMIT, "default": 20},
        "records per page",
    ),
    _query("next", {"type": "string", "maxLength": SEARCH_MAX_TOKEN}, "the previous page's next"),
]

BATCH = {
    "type": "object",
    "properties": {
        "id": ID,
        "procedure": TEXT,
        "organization": TEXT,
        "all_or_nothing": {"type": "boolean"},
        "source": {"enum": ["inline", "upload"]},
        "total": {"type": "integer"},
        "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
        "created_at": TIME,
        "finished_at": _nullable(TIME),
    },
    "required": [
        "id",
        "procedure",
        "organization",
        "all_or_nothing",
        "source",
        "total",
        "counts",
        "created_at",
        "finished_at",
    ],
}
BATCH_FAILURE = _object(
    {
        "index": {"type": "integer"},
        "key": TEXT,
        "state": {"enum": ["invalid", "failed", "retrying"]},
        "errors": {"type": "array", "items": _object({"field": TEXT, "problem": TEXT})},
        "case_id": {**ID, "description": "the case made, when it failed"},
    },
    optional=("case_id",),
)

UPLOAD_ID_SCHEMA = {"type": "string", "pattern": f"^{UPLOAD_ID.pattern}$"}
UPLOAD_REFERENCE = _object({"upload_id": UPLOAD_ID_SCHEMA})

ONLINE = {
    "name": "online",
    "in": "query",
    "required": False,
    "description": "true: fetch revocation data, from the stage's allowed OCSP and CRL "
    "addresses only (never one the PDF names); 422 where none is configured",
    "schema": {"enum": ["true", "false"], "default": "false"},
}

VERIFY = {
    "name": "verify",
    "in": "query",
    "required": False,
    "description": "true: validate the record now (`validation` made now, not at archive time)",
    "schema": {"enum": ["true", "false"], "default": "false"},
}

NAME = {"type": "string", "minLength": 1, "maxLength": MAX_NAME}
CODE = {"type": "string", "pattern": f"^{ORGANIZATION_CODE.pattern}$"}
SIGNATORY = _object({"heading": NAME, "position": NAME, "name": NAME})
ORGANIZATION_FIELDS = {
    "name": NAME,
    "parent": _nullable(CODE),
    "parent_name": NAME,
    "symbol": {"type": "string", "minLength": 1, "maxLength": MAX_SHORT},
    "place": NAME,
    "seal": {"type": "boolean", "description": "whether it seals what it issues"},
    "signatory": SIGNATORY,
}
ORGANIZATION = _object(
    {
        "code": CODE,
        **ORGANIZATION_FIELDS,
        "parent": _nullable(CODE),
        "seal_certificate": {"type": "boolean", "description": "its seal's certificate is in"},
        "key_pending": {"type": "boolean", "description": "a new seal key awaits its certificate"},
        "version": COUNT,
    }
)
PERSON_FIELDS = {
    "organization": CODE,
    "position": NAME,
    "display_name": NAME,
    "role": {"enum": list(PERSON_ROLES)},
    "status": {"enum": list(STATUSES), "default": STATUSES[0]},
}
PERSON = _object(
    {
        "username": {"type": "string", "pattern": f"^{USERNAME.pattern}$"},
        **PERSON_FIELDS,
        "certificate": _nullable({**SHA256, "description": "the signer certificate's SHA-256"}),
        "token_certificate": _nullable({**SHA256, "description": "their own token's"}),
        "key_pending": {"type": "boolean", "description": "a new key awaits its certificate"},
        "version": COUNT,
        "temporary_password": {**TEXT, "description": "only when added without an e-mail"},
    },
    optional=["temporary_password"],
)
CHANGES = _object(
    {
        "changes": {
            "type": "array",
            "items": _object(
                {
                    "subject": TEXT,
                    "at": TIME,
                    "by": TEXT,
                    "action": {"enum": ["created", "changed", "removed"]},
                    "before": _nullable({"type": "object"}),
                    "after": _nullable({"type": "object"}),
                }
            ),
        }
    }
)
CERTIFICATE_REQUEST = _object(
    {"certificate_request": {**TEXT, "description": "PEM PKCS#10, for the CA"}}
)
CERTIFICATE_IMPORT = _object(
    {
        "certificate_chain": {
            "type": "array",
            "minItems": 1,
            "items": {**TEXT, "description": "a PEM certificate"},
            "description": "signer first",
        },
        "held_by": {"enum": list(HELD_BY), "default": HELD_BY[0]},
    },
    ["held_by"],
)
SIGNING_SESSION = _object(
    {
        "session_id": ID,
        "digest": {**TEXT, "description": "base64 SHA-256 of signed_attributes: what to sign"},
        "digest_algorithm": {"const": "sha256"},
        "signature_algorithm": {"enum": ["rsassa_pkcs1v15_sha256", "ecdsa_sha256"]},
        "signed_attributes": {**TEXT, "description": "base64 DER, for tokens that hash"},
        "expires_at": TIME,
        "case_id": ID,
        "number": TEXT,
    }
)
# A path parameter's schema, by its name (a uuid unless named here).
PATH_PARAMETERS = {
    "code": CODE,
    "username": {"type": "string", "pattern": f"^{USERNAME.pattern}$"},
}

# Every route of app.py, keyed by (method, path) as chalice's route table has them;
# openapi_document refuses a route missing here, so the app and its document cannot drift.
OPERATIONS: dict[tuple[str, str], Operation] = {
    ("GET", "/v1/health"): Operation(
        "Is the API up?", None, 200, _json(_object({"status": {"const": "ok"}}))
    ),
    ("GET", "/openapi.json"): Operation("This document", None, 200, _json({"type": "object"})),
    ("GET", "/v1/procedures"): Operation(
        "The procedures: each one's input schema, a valid example and its signing steps",
        (),
        200,
        _json(PROCEDURES),
        errors=(401, 403, 503),
    ),
    ("POST", "/v1/cases"): Operation(
        "Submit a case; rendered, numbered and (for a seal-only procedure) sealed at once",
        ("upstream",),
        201,
        _json(_ref("Case")),
        body=_ref("CaseSubmission"),
        parameters=[IDEMPOTENCY_KEY],
        errors=WRITE_ERRORS,
    ),
    ("GET", "/v1/cases"): Operation(
        "Cases, newest first: an upstream system's own, an officer's organisation's, or with "
        "awaiting=me the cases whose pending step is the officer's organisation's (the inbox)",
        (UPSTREAM, "officer"),
        200,
        _json(
            _object(
                {
                    "items": {"type": "array", "items": _ref("Case")},
                    "next": _nullable({**TEXT, "description": "opaque; pass as ?next="}),
                }
            )
        ),
        parameters=[
            _query("status", {"enum": CASE_STATUSES}, "only cases in this status"),
            _query("procedure", SEARCH_TEXT, "only cases of this procedure code"),
            _query("awaiting", {"enum": ["me"]}, "officers: the cases awaiting your signature"),
            *SEARCH_PARAMETERS[-2:],  # limit and next, as in the record search
        ],
        errors=(400, 401, 403, 422, 503),
    ),
    ("GET", "/v1/cases/{case_id}"): Operation(
        "A case (the submitter, officers of its steps, archivists of its organisation or above)",
        CASE_READERS,
        200,
        _json(_ref("Case")),
        errors=READ_ERRORS,
    ),
    ("GET", "/v1/cases/{case_id}/document"): Operation(
        "The case's current PDF: draft, partly signed or final",
        CASE_READERS,
        200,
        _binary(PDF),
        errors=(400, *READ_ERRORS),
    ),
    ("GET", "/v1/cases/{case_id}/preview"): Operation(
        "One page of the case's current document as PNG",
        CASE_READERS,
        200,
        _binary(PNG),
        parameters=[PAGE],
        errors=(400, *READ_ERRORS),
    ),
    ("POST", "/v1/cases/{case_id}/signatures"): Operation(
        "The officer whose turn it is signs with their platform-held key (PAdES B-LT)",
        ("officer",),
        201,
        _json(_ref("Case")),
        errors=(*READ_ERRORS, 409),
    ),
    ("POST", "/v1/cases/{case_id}/signing-sessions"): Operation(
        "The officer whose turn it is, with their token's certificate chain (the one registered "
        "for them), gets the digest to sign: the field, appearance, validation and signed "
        "attributes are prepared as for a platform-held key",
        ("officer",),
        201,
        _json(SIGNING_SESSION),
        body=_object({"certificate_chain": CERTIFICATE_IMPORT["properties"]["certificate_chain"]}),
        errors=(400, *READ_ERRORS, 409, 413, 415, 422),
    ),
    ("PUT", "/v1/signing-sessions/{session_id}"): Operation(
        "The token's signature over the digest: embedded with a timestamp and validation data "
        "(PAdES B-LT), then the seal and the archive follow; 422 if it does not verify; a "
        "session is its officer's, for one case version, used once and expires",
        ("officer",),
        200,
        _json(_ref("Case")),
        body=_object({"signature": {**TEXT, "description": "base64; ECDSA in DER or r || s"}}),
        errors=(400, *READ_ERRORS, 409, 413, 415, 422),
    ),
    ("POST", "/v1/cases/{case_id}/rejections"): Operation(
        "The officer whose turn it is refuses to sign: the case ends rejected, with the reason "
        "on the case (not in its event); the draft is kept unsigned, never archived",
        ("officer",),
        201,
        _json(_ref("Case")),
        body=_object({"reason": {"type": "string", "minLength": 1, "maxLength": MAX_REASON}}),
        errors=(400, *READ_ERRORS, 409, 413, 415, 422),
    ),
    ("POST", "/v1/cases/{case_id}/retries"): Operation(
        "A failed case tries again from the step where it stopped",
        ("admin",),
        200,
        _json(_ref("Case")),
        errors=(*READ_ERRORS, 409),
    ),
    ("POST", "/v1/batches"): Operation(
        "Submit many cases of one procedure at once: `items` inline (at most 1,000 and 1 MB), "
        f"or `upload_id`, the id of a JSON-lines upload (POST /v1/uploads with content_type "
        f"{JSON_LINES}; at most {BATCH_MAX_ITEMS} items of {MAX_LINE_BYTES} bytes). Answered "
        "at once, every item's envelope checked (422 naming `items[i]`), each item made into "
        "a case by the worker under its `key` (the key space of POST /v1/cases's "
        "Idempotency-Key), each invalid item reported by GET; with `all_or_nothing`, one "
        "invalid item refuses them all (422 inline; for an upload, checked by the worker "
        "before any case: the invalid items reported, the others counted `skipped`)",
        ("upstream",),
        202,
        _json(_ref("Batch")),
        body=_object(
            {
                "procedure": {"type": "string", "minLength": 1, "maxLength": 100},
                "organization": {"type": "string", "minLength": 1, "maxLength": 100},
                "items": {
                    "type": "array",
                    "minItems": 1,
                    "maxItems": MAX_ITEMS,
                    "items": _object(
                        {
                            "key": {"type": "string", "minLength": 1, "maxLength": 128},
                            "data": {"type": "object"},
                        }
                    ),
                },
                "upload_id": UPLOAD_ID_SCHEMA,
                "all_or_nothing": {"type": "boolean", "default": False},
            },
            optional=("all_or_nothing", "items", "upload_id"),
        ),
        parameters=[IDEMPOTENCY_KEY],
        errors=WRITE_ERRORS,
    ),
    ("GET", "/v1/batches/{batch_id}"): Operation(
        "A batch for its submitter: counts by outcome (the status each item's case reached, "
        "`invalid`, `failed`, and `queued` for those not done), timing, and a page of the "
        "items that did not become cases",
        ("upstream",),
        200,
        _json(
            {
                "allOf": [
                    _ref("Batch"),
                    {
                        "type": "object",
                        "properties": {
                            "failures": {"type": "array", "items": BATCH_FAILURE},
                            "next": _nullable({**TEXT, "description": "pass as ?next="}),
                        },
                        "required": ["failures", "next"],
                    },
                ]
            }
        ),
        parameters=[
            _query("next", {"type": "string", "maxLength": 20}, "the previous page's next")
        ],
        errors=(*READ_ERRORS, 422),
    ),
    ("POST", "/v1/batches/{batch_id}/retries"): Operation(
        "Try a batch's failed items again (those no case could be made for, and those whose "
        "case failed, resumed where it stopped): the batch reopens with a Batch Progress "
        "event and its worker queues them; 409 when none failed, or when its items (kept "
        f"{ITEMS_KEPT_DAYS} days) are gone",
        ("upstream",),
        202,
        _json(
            {
                "allOf": [
                    _ref("Batch"),
                    {
                        "type": "object",
                        "properties": {"retrying": COUNT},
                        "required": ["retrying"],
                    },
                ]
            }
        ),
        errors=(*READ_ERRORS, 409),
    ),
    ("POST", "/v1/retries"): Operation(
        "Every failed case with this failure reason tries again",
        ("admin",),
        202,
        _json(_object({"resumed": {"type": "array", "items": ID}})),
        body=_object({"reason": {"type": "string", "minLength": 1, "maxLength": 100}}),
        errors=(400, 401, 403, 413, 415, 422, 503),
    ),
    ("POST", "/v1/uploads"): Operation(
        "A presigned PUT for a PDF too large for a request body (at most "
        f"{MAX_UPLOAD_BYTES} bytes): send the file to `url` with `headers` before "
        "`expires_at`, then name its `upload_id` to a verification or an import",
        (),
        201,
        _json(
            _object(
                {
                    "upload_id": UPLOAD_ID_SCHEMA,
                    "method": {"const": "PUT"},
                    "url": TEXT,
                    "headers": {"type": "object", "additionalProperties": TEXT},
                    "expires_at": TIME,
                    "max_bytes": {"type": "integer"},
                }
            )
        ),
        body=_object(
            {
                "sha256": SHA256,
                "size": {"type": "integer", "minimum": 1, "maximum": MAX_UPLOAD_BYTES},
                "content_type": {
                    "enum": list(UPLOAD_TYPES),
                    "default": PDF,
                    "description": f"{JSON_LINES}: a batch's items, one JSON object a line",
                },
            },
            optional=("content_type",),
        ),
        errors=(400, 401, 413, 415, 422, 503),
    ),
    ("POST", "/v1/verifications"): Operation(
        "Validate every signature and document timestamp of a PDF (the body, at most "
        f"{MAX_PDF_BYTES} bytes, or an upload) against the configured trust anchors and the "
        "validation data it carries; nothing is fetched unless ?online=true, and then only "
        "from the stage's allow-list",
        (),
        200,
        _json(_ref("ValidationReport")),
        body=UPLOAD_REFERENCE,
        binary_body=PDF,
        parameters=[ONLINE],
        errors=(400, 401, 413, 415, 422, 503),
    ),
    ("GET", "/v1/records"): Operation(
        "Search the archived records of the caller's organisation and the ones below it, "
        "newest first; each filter is served by an index",
        ("archivist",),
        200,
        _json(
            _object(
                {
                    "items": {"type": "array", "items": _ref("Record")},
                    "next": _nullable({**TEXT, "description": "opaque; pass as ?next="}),
                }
            )
        ),
        parameters=SEARCH_PARAMETERS,
        errors=(400, 401, 403, 422, 503),
    ),
    ("POST", "/v1/records/imports"): Operation(
        "Take in a scanned paper record (the body, a PDF neither encrypted nor signed): sealed "
        "by the archivist's organisation (PAdES B-LTA), validated, archived and indexed; a "
        "scan too large for the body is uploaded first and named by its upload_id",
        ("archivist",),
        201,
        _json(_ref("Record")),
        body=UPLOAD_REFERENCE,
        binary_body=PDF,
        parameters=[
            IDEMPOTENCY_KEY,
            *(
                {**_query(name, schema, description), "required": True}
                for name, schema, description in (
                    ("document_type", SEARCH_TEXT, "what the record is"),
                    ("original_number", SEARCH_TEXT, "its number on paper"),
                    ("original_date", DATE, "its date on paper"),
                    ("retention_years", RETENTION, "how long to keep it"),
                )
            ),
        ],
        errors=(400, 401, 403, 409, 413, 415, 422, 503),
    ),
    ("GET", "/v1/records/{record_id}/manifest"): Operation(
        "The record's manifest, as archived beside its PDF under the same lock (logged)",
        ("archivist",),
        200,
        _json({"type": "object", "required": ["record_id", "document", "signatures"]}),
        errors=READ_ERRORS,
    ),
    ("GET", "/v1/records/{record_id}/accesses"): Operation(
        "Who read the record, its download URL or its manifest, and when (newest first)",
        ("archivist", "admin"),
        200,
        _json(
            _object(
                {
                    "accesses": {
                        "type": "array",
                        "items": _object(
                            {
                                "record_id": ID,
                                "at": TIME,
                                "by": TEXT,
                                "roles": {"type": "array", "items": TEXT},
                                "action": {"enum": ["read", "verify", "manifest"]},
                            }
                        ),
                    }
                }
            )
        ),
        errors=READ_ERRORS,
    ),
    ("GET", "/v1/organizations/{code}"): Operation(
        "An organisation of the directory: as its documents print it",
        (),
        200,
        _json(ORGANIZATION),
        errors=READ_ERRORS,
    ),
    ("PUT", "/v1/organizations/{code}"): Operation(
        "Add or replace an organisation: checked before it is saved (its parent exists, and "
        "every procedure it may issue has a place for each signature in its documents)",
        ("admin",),
        200,
        _json(ORGANIZATION),
        body=_object(ORGANIZATION_FIELDS, ["parent"]),
        errors=WRITE_ERRORS,
        also_ok=(201,),
    ),
    ("GET", "/v1/organizations/{code}/changes"): Operation(
        "Every change to an organisation: who, when, before and after (newest first)",
        ("admin",),
        200,
        _json(CHANGES),
        errors=READ_ERRORS,
    ),
    ("POST", "/v1/organizations/{code}/keys"): Operation(
        "A new platform-held seal key and its certificate request (PKCS#10, signed by the key) "
        "for the CA; it seals once its certificate is imported",
        ("admin",),
        201,
        _json(CERTIFICATE_REQUEST),
        errors=(*READ_ERRORS, 409),
    ),
    ("PUT", "/v1/organizations/{code}/certificate"): Operation(
        "Import the seal's certificate chain from the CA: 422 unless it is for the seal's key, "
        "reaches a trust anchor, is valid now and allows digitalSignature and nonRepudiation",
        ("admin",),
        200,
        _json(ORGANIZATION),
        body=CERTIFICATE_IMPORT,
        errors=WRITE_ERRORS,
    ),
    ("POST", "/v1/officers/{username}/keys"): Operation(
        "A new platform-held signing key for an officer and its certificate request (PKCS#10, "
        "signed by the key) for the CA; it signs once its certificate is imported",
        ("admin",),
        201,
        _json(CERTIFICATE_REQUEST),
        errors=(*READ_ERRORS, 409),
    ),
    ("PUT", "/v1/officers/{username}/certificate"): Operation(
        "Import an officer's certificate chain: for their platform-held key (held_by platform) "
        "or their own token's (officer); 422 unless it reaches a trust anchor, is valid now and "
        "allows digitalSignature and nonRepudiation",
        ("admin",),
        200,
        _json(PERSON),
        body=CERTIFICATE_IMPORT,
        errors=WRITE_ERRORS,
    ),
    ("GET", "/v1/officers/{username}"): Operation(
        "A person of the directory (officer or archivist)",
        ("admin",),
        200,
        _json(PERSON),
        errors=READ_ERRORS,
    ),
    ("PUT", "/v1/officers/{username}"): Operation(
        "Add (201) or change a person: the directory decides their role, organisation and "
        "status from the next request on; a new person gets an account with a temporary "
        "password (answered once) or, with email, an invitation",
        ("admin",),
        200,
        _json(PERSON),
        body=_object(
            {**PERSON_FIELDS, "email": {"type": "string", "pattern": f"^{EMAIL.pattern}$"}},
            ["status", "email"],
        ),
        errors=WRITE_ERRORS,
        also_ok=(201,),
    ),
    ("DELETE", "/v1/officers/{username}"): Operation(
        "Remove a person from the directory (at once) and disable their account",
        ("admin",),
        204,
        {},
        errors=(401, 403, 404, 409, 503),
    ),
    ("GET", "/v1/officers/{username}/changes"): Operation(
        "Every change to a person: who, when, before and after (newest first)",
        ("admin",),
        200,
        _json(CHANGES),
        errors=READ_ERRORS,
    ),
    ("GET", "/v1/records/{record_id}"): Operation(
        "An archived record (archivists of its organisation or above): metadata, a "
        "short-lived download URL and its validation (made at archive time, or now)",
        ("archivist",),
        200,
        _json(_ref("Record")),
        parameters=[VERIFY],
        errors=(400, *READ_ERRORS),
    ),
}


def _procedure_schemas(catalogue: Catalogue) -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    for procedure in catalogue.all():
        data = {k: v for k, v in procedure.schema.items() if k not in {"$schema", "$id"}}
        schemas[f"Data-{procedure.code}"] = data
        schemas[f"Submission-{procedure.code}"] = _object(
            {
                "procedure": {"const": procedure.code},
                "organization": {"type": "string", "minLength": 1, "maxLength": 100},
                "data": _ref(f"Data-{procedure.code}"),
            }
        )
    schemas["CaseSubmission"] = {
        "oneOf": [_ref(f"Submission-{p.code}") for p in catalogue.all()],
        "description": f"Limits on every body: nested at most {MAX_DEPTH} levels, strings of "
        f"at most {MAX_STRING} characters, arrays of at most {MAX_ITEMS} entries, integers of "
        f"at most {MAX_INTEGER_DIGITS} digits.",
    }
    return schemas


def _operation(method: str, path: str, operation: Operation) -> dict[str, Any]:
    names = [part[1:-1] for part in path.split("/") if part.startswith("{")]
    parameters = [
        {"name": name, "in": "path", "required": True, "schema": PATH_PARAMETERS.get(name, ID)}
        for name in names
    ] + operation.parameters
    roles = operation.roles
    who = "anyone" if roles is None else ", ".join(roles) if roles else "any valid token"
    answer: dict[str, Any] = {
        "summary": operation.summary,
        "description": f"Who: {who}.",
        "operationId": method.lower() + "".join(c if c.isalnum() else "_" for c in path),
        "responses": {
            **{
                str(status): {
                    "description": "done",
                    **({"content": operation.answer} if operation.answer else {}),
                }
                for status in (operation.ok, *operation.also_ok)
            },
            **{
                str(status): {"$ref": f"#/components/responses/{status}"}
                for status in operation.errors
            },
        },
    }
    if parameters:
        answer["parameters"] = parameters
    content: dict[str, Any] = {}
    if operation.binary_body is not None:
        content.update(_binary(operation.binary_body))
    if operation.body is not None:
        content.update(_json(operation.body))
    if content:
        answer["requestBody"] = {"required": True, "content": content}
    answer["security"] = [] if roles is None else [{"bearer": []}]
    return answer


ERROR_MEANINGS = {
    400: "malformed: the request cannot be read",
    401: "no valid bearer token",
    403: "the caller's role or organisation does not allow this",
    404: "not found, or not visible to the caller",
    409: "a conflict: not your turn, a reused idempotency key, a refusal (the reason is the code)",
    413: "the body is too large",
    415: "the body is not of the route's media type (JSON, or application/pdf)",
    422: "readable, but not valid: each detail names the field",
    503: "a service the platform depends on is down; try again after Retry-After seconds",
}


def openapi_document(routes: Iterable[tuple[str, str]], catalogue: Catalogue) -> dict[str, Any]:
    """The OpenAPI document of ``routes`` ((method, path) pairs of the app)."""
    paths: dict[str, dict[str, Any]] = {}
    for method, path in sorted(routes, key=lambda route: (route[1], route[0])):
        operation = OPERATIONS.get((method, path))
        if operation is None:
            raise KeyError(f"{method} {path} has no entry in functions/openapi.py OPERATIONS")
        paths.setdefault(path, {})[method.lower()] = _operation(method, path, operation)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "hoso",
            "version": VERSION,
            "description": "Party procedures rendered, signed, sealed and archived. Every "
            "error has the shape of components/schemas/Error.",
        },
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
            },
            "schemas": {
                "Error": ERROR,
                "Case": CASE,
                "Batch": BATCH,
                "Record": RECORD,
                "ValidationReport": VALIDATION,
                **_procedure_schemas(catalogue),
            },
            "responses": {
                str(status): {
                    "description": meaning,
                    "content": _json(_ref("Error")),
                    **(
                        {"headers": {"Retry-After": {"schema": {"type": "integer"}}}}
                        if status == 503
                        else {}
                    ),
                }
                for status, meaning in ERROR_MEANINGS.items()
            },
        },
    }
