"""Digitisation intake: a scanned paper record comes in, sealed by the archivist's organisation."""

# POST /v1/records/imports (archivists) takes a scanned record as the body (application/pdf,
# at most 4.5 MB like a verification; a larger scan is uploaded first and named as JSON,
# {"upload_id": ...}, see functions/uploads.py) and what is known of it as query parameters: the
# document type, the original number and date, and how long to keep it. The PDF must be
# well formed, and neither encrypted nor already signed (a signed file is a record of the
# platform's, or someone else's, to be verified, not re-sealed). The organisation's seal goes
# on it (PAdES B-LTA, invisible), and the result is validated, archived under Object Lock
# with a manifest marked digitised, and indexed like any record. The same Idempotency-Key
# with the same body answers the same record; nothing is locked twice.

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from typing import Any

from functions.access import Principal
from functions.errors import (
    Conflict,
    Invalid,
    Malformed,
    Problem,
    Refused,
)
from functions.manifest import JSON, manifest_bytes, manifest_key, manifest_of, pdf_key
from functions.model import VIETNAM
from functions.schedule import iso, retain_until
from functions.search import record_index, record_view
from functions.services import Services
from functions.sign import sign_document
from functions.uploads import pdf_bytes, sent_pdf, used
from functions.verification import opened_pdf
from signing.terms import LEVEL_B_LTA

FIELDS = ("document_type", "original_number", "original_date", "retention_years")
MAX_TEXT = 200
MAX_RETENTION_YEARS = 100
SEAL_FIELD = "Digitisation-Seal"


def _metadata(params: dict[str, str]) -> dict[str, Any]:
    """The import's query parameters, each checked; a 422 names every bad one."""
    problems = [
        Problem(f"query.{name}", "unknown parameter") for name in sorted(set(params) - set(FIELDS))
    ]
    problems += [Problem(f"query.{name}", "required") for name in FIELDS if name not in params]
    for name in ("document_type", "original_number"):
        value = params.get(name)
        if value is not None and not 0 < len(value.strip()) <= MAX_TEXT:
            problems.append(Problem(f"query.{name}", f"a text of 1 to {MAX_TEXT} characters"))
    date = params.get("original_date")
    if date is not None:
        try:
            if len(date) != 10:
                raise ValueError
            dt.date.fromisoformat(date)
        except ValueError:
            problems.append(Problem("query.original_date", "a date (YYYY-MM-DD)"))
    years = params.get("retention_years")
    if years is not None and not (
        years.isascii() and years.isdigit() and 1 <= int(years) <= MAX_RETENTION_YEARS
    ):
        problems.append(
            Problem("query.retention_years", f"a whole number from 1 to {MAX_RETENTION_YEARS}")
        )
    if problems:
        raise Invalid("the import is not valid", problems)
    return {**params, "retention_years": int(params["retention_years"])}


def _scan(pdf: bytes, field: str) -> bytes:
    from signing.validation import signature_fields

    if signature_fields(opened_pdf(pdf, field)):
        raise Invalid(
            "the import is not valid",
            [Problem(field, "already signed: verify it (POST /v1/verifications) instead")],
        )
    return pdf


def import_record(
    services: Services,
    principal: Principal,
    params: dict[str, str],
    content_type: str,
    body: bytes,
    idempotency_key: str | None,
) -> tuple[dict[str, Any], bool]:
    """Seal, validate, archive and index a scanned record; (its view, whether new)."""
    principal.require("archivist")
    if not idempotency_key or len(idempotency_key) > 200:
        raise Malformed(
            "an Idempotency-Key header is required",
            [Problem("headers.Idempotency-Key", "required, at most 200 characters")],
        )
    data = _metadata(params)
    organization = services.cases.get_organization(str(principal.organization))
    if organization is None or not organization.get("seal_key_id"):
        raise Refused("seal_missing", f"organization {principal.organization} has no seal")
    sent = sent_pdf(services, content_type, body)
    request_hash = hashlib.sha256(
        f"{data['document_type']}|{data['original_number']}|{data['original_date']}|"
        f"{data['retention_years']}|".encode()
        + sent.identity
    ).hexdigest()
    record_id = str(
        uuid.uuid5(uuid.NAMESPACE_URL, f"hoso:import:{principal.subject}:{idempotency_key}")
    )
    existing = services.cases.get_record(record_id)
    if existing is not None:
        if existing.get("import_hash") != request_hash:
            raise Conflict(
                "this Idempotency-Key was used with another import",
                [Problem("headers.Idempotency-Key", "already used with a different body")],
            )
        return record_view(existing), False
    with used(services, principal, sent):
        scanned = _scan(pdf_bytes(services, principal, sent), sent.field)
        record = _sealed_record(services, organization, data, record_id, request_hash, scanned)
    return record_view(record), True


def _sealed_record(
    services: Services,
    organization: dict[str, Any],
    data: dict[str, Any],
    record_id: str,
    request_hash: str,
    scanned: bytes,
) -> dict[str, Any]:
    """The scan sealed by ``organization`` (B-LTA, invisible), validated, archived with its
    manifest under the lock, and indexed; the record stored."""
    from signing.backends import CallbackSigner
    from signing.pades import SignatureRequest
    from signing.validation import validate_pdf

    now = services.clock()
    signer = CallbackSigner(
        organization["seal_certificate_chain"],
        services.keys.raw_signer(organization["seal_key_id"]),
    )
    request = SignatureRequest(
        field_name=SEAL_FIELD,
        level=LEVEL_B_LTA,
        box=None,
        stamp_text="",
        reason=f"Số hóa: {data['document_type']} số {data['original_number']}",
        location="Hà Nội",
        signing_time=now,
        stamp_timezone=VIETNAM,
    )
    sealed = sign_document(services, scanned, signer, request).pdf
    report = validate_pdf(opened_pdf(sealed, "body"), services.trust.roots(), now)
    if not report["valid"]:
        raise Refused("validation_failed", "the sealed scan does not validate")
    until = retain_until(now, data["retention_years"])
    digest = hashlib.sha256(sealed).hexdigest()
    identity = {
        "digitised": True,
        "document_type": data["document_type"],
        "original": {"number": data["original_number"], "date": data["original_date"]},
        "organization": organization["code"],
    }
    document = {"sha256": digest, "size": len(sealed)}
    manifest = manifest_of(identity, record_id, document, report, now, until)
    services.documents.archive(manifest_key(record_id), manifest_bytes(manifest), until, JSON)
    archived = services.documents.archive(pdf_key(record_id), sealed, until)
    record = {
        "id": record_id,
        "case_id": None,
        "procedure": data["document_type"],
        "organization": organization["code"],
        "number": data["original_number"],
        "original_date": data["original_date"],
        "digitised": True,
        "sha256": digest,
        "size": len(sealed),
        "archived_at": iso(now),
        "retain_until": iso(until),
        "retention_mode": "COMPLIANCE",
        "object": {"key": archived.key, "version_id": archived.version_id},
        "manifest": {"key": manifest_key(record_id)},
        "validation": manifest["validation"],
        "import_hash": request_hash,
        "index": record_index(
            services,
            record_id,
            now,
            (data["document_type"], organization["code"], data["original_number"]),
            original_date=data["original_date"],
        ),
    }
    services.cases.put_record(record)
    return record
