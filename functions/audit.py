"""The archive's audit: re-checks archived records a batch at a time, flags, renews their proof."""

# Each sweep (functions/sweep.py) audits a bounded batch of records, carrying on from where
# the last batch stopped (a cursor kept in the table) and starting over once it has been
# through the archive: no run re-reads the whole archive. For each record it reads the
# locked version (S3 checks it against the SHA-256 it kept), compares its hash with the
# index's, and validates it again; any mismatch is published as a `Record Integrity Failed`
# event (ids and the problem only) and noted on the record.

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass, field
from typing import Any

from functions.errors import CHECKSUM_MISMATCH, DomainError, Refused
from functions.manifest import JSON, dated_validation, manifest_bytes, read_manifest
from functions.schedule import iso
from functions.search import FIRST_YEAR
from functions.services import Services
from signing.terms import SigningRefused, SigningUnavailable

log = logging.getLogger(__name__)


@dataclass
class AuditReport:
    """What one batch of the audit did: the records it checked, and those it flagged."""

    checked: list[str] = field(default_factory=list)
    flagged: list[str] = field(default_factory=list)
    renewed: list[str] = field(default_factory=list)  # archival timestamp renewed


def record_problem(services: Services, record: dict[str, Any], now: dt.datetime) -> str | None:
    """What is wrong with an archived record now, or None: its bytes against S3's checksum
    and the index's hash, and its signatures validated again."""
    return _examined(services, record, now)[0]


def _examined(
    services: Services, record: dict[str, Any], now: dt.datetime
) -> tuple[str | None, bytes]:
    """(the record's problem or None, its bytes as read)."""
    from signing.validation import open_pdf, validate_pdf

    archived = record["object"]
    try:
        pdf = services.documents.get(archived["key"], archived["version_id"])
    except Refused as error:
        if error.reason == CHECKSUM_MISMATCH:
            return "the stored bytes do not match the checksum S3 kept", b""
        raise
    if hashlib.sha256(pdf).hexdigest() != record["sha256"]:
        return "the stored document's SHA-256 differs from the index", pdf
    report = validate_pdf(open_pdf(pdf), services.trust.roots(), now)
    failing = [e for e in report["signatures"] if not e["valid"]]
    if failing:
        return f"{failing[0]['field']} does not validate ({failing[0]['subindication']})", pdf
    if not report["valid"]:
        return "the document carries no signature", pdf
    return None, pdf


def renew_if_due(services: Services, record: dict[str, Any], pdf: bytes, now: dt.datetime) -> bool:
    """Renew the record's archival timestamp when the certificate of its newest document
    timestamp expires within ``renewal_margin_days``: a new version of the PDF (the locked
    ones stay untouched) with fresh validation data and a new document timestamp, the
    manifest's list of renewals, then the index. Whether it renewed."""
    from signing.pades import newest_timestamp_expiry, renew_archival_timestamp
    from signing.validation import open_pdf, validate_pdf

    expiry = newest_timestamp_expiry(pdf)
    margin = dt.timedelta(days=services.settings.renewal_margin_days)
    if expiry is None or expiry - now > margin:
        return False
    renewed = renew_archival_timestamp(pdf, services.trust, now)
    report = validate_pdf(open_pdf(renewed), services.trust.roots(), now)
    if not report["valid"]:
        raise Refused("renewal_invalid", "the renewed document does not validate")
    until = dt.datetime.fromisoformat(record["retain_until"])
    previous = record["object"]
    archived = services.documents.archive(previous["key"], renewed, until)
    renewal = {
        "at": iso(now),
        "sha256": hashlib.sha256(renewed).hexdigest(),
        "version_id": archived.version_id,
        "previous_version_id": previous["version_id"],
    }
    manifest_key = record["manifest"]["key"]
    manifest = read_manifest(services.documents.get(manifest_key))
    manifest["renewals"] = [*manifest.get("renewals", []), renewal]
    services.documents.archive(manifest_key, manifest_bytes(manifest), until, JSON)
    services.cases.put_record(
        {
            **record,
            "object": {"key": archived.key, "version_id": archived.version_id},
            "sha256": renewal["sha256"],
            "size": len(renewed),
            "validation": dated_validation(report, now),
            "renewals": [*record.get("renewals", []), renewal],
        }
    )
    return True


def audit_batch(services: Services, limit: int) -> AuditReport:
    """Audit the next ``limit`` records after the cursor (wrapping around the archive)."""
    report = AuditReport()
    if limit <= 0:
        return report
    now = services.clock()
    cursor = services.cases.get_audit_cursor() or {"year": FIRST_YEAR, "start": None}
    last_year = now.astimezone(dt.UTC).year
    while len(report.checked) < limit:
        records, start = services.cases.query_records(
            "records_by_year",
            str(cursor["year"]),
            {},  # every archive time
            {},
            None,
            limit - len(report.checked),
            cursor["start"],
        )
        for record in records:
            _audit_one(services, record, now, report)
        if start is not None:
            cursor = {"year": cursor["year"], "start": start}
        elif cursor["year"] < last_year:
            cursor = {"year": cursor["year"] + 1, "start": None}
        else:
            cursor = {"year": FIRST_YEAR, "start": None}  # through the archive: start over
            break
    services.cases.put_audit_cursor(cursor)
    return report


def _audit_one(
    services: Services, record: dict[str, Any], now: dt.datetime, report: AuditReport
) -> None:
    try:
        problem, pdf = _examined(services, record, now)
        if problem is None and renew_if_due(services, record, pdf, now):
            report.renewed.append(record["id"])
    except (DomainError, SigningUnavailable, SigningRefused) as error:
        # a service down (the TSA, OCSP, S3): the record is checked next time round
        log.warning("audit of record %s postponed: %s", record["id"], error)
        return
    report.checked.append(record["id"])
    if problem is None:
        return
    report.flagged.append(record["id"])
    log.error("record %s failed its integrity check: %s", record["id"], problem)
    services.events.publish_integrity_failure(record["id"], problem, iso(now))
