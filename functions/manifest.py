"""A record's manifest: the JSON beside its PDF, under the same lock, saying what the record is."""

# The manifest lets anyone holding the two objects check the record without hoso's index:
# the document's hash, number and procedure, each signer with the certificate's fingerprint
# and the level reached, the validation at archive time and the retention. It is written
# before the PDF; a retry finds the one an earlier attempt wrote and keeps its dates, so
# the PDF's lock, the manifest and the index always tell the same archive time.

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from functions.model import Case
from functions.schedule import iso

MANIFEST_VERSION = 1
JSON = "application/json"


def manifest_key(record_id: str) -> str:
    return f"records/{record_id}.manifest.json"


def pdf_key(record_id: str) -> str:
    return f"records/{record_id}.pdf"


def dated_validation(report: dict[str, Any], at: dt.datetime) -> dict[str, Any]:
    """A validation report as a record keeps it: with the time it was made."""
    return {"valid": report["valid"], "checked_at": iso(at), "signatures": report["signatures"]}


def manifest_of(
    identity: dict[str, Any],
    record_id: str,
    document: dict[str, Any],
    report: dict[str, Any],
    archived_at: dt.datetime,
    retain_until: dt.datetime,
) -> dict[str, Any]:
    """A record's manifest: what the record is (``identity``), its document (hash, size…),
    each signer's certificate and level, its validation and its retention. No personal
    data of the member beyond what the signed document itself holds."""
    return {
        "manifest_version": MANIFEST_VERSION,
        "record_id": record_id,
        **identity,
        "document": {"key": pdf_key(record_id), **document},
        "signatures": [
            {
                "field": entry["field"],
                "kind": entry["kind"],
                "signer": entry["signer"],
                "certificate_sha256": entry["certificate_sha256"],
                "level": entry["level"],
                "timestamp": entry["timestamp"],
            }
            for entry in report["signatures"]
        ],
        "validation": dated_validation(report, archived_at),
        "archived_at": iso(archived_at),
        "retention": {"mode": "COMPLIANCE", "until": iso(retain_until)},
    }


def build_manifest(
    case: Case,
    record_id: str,
    report: dict[str, Any],
    archived_at: dt.datetime,
    retain_until: dt.datetime,
    size: int,
) -> dict[str, Any]:
    """The manifest of ``case``'s record."""
    identity = {
        "case_id": case.id,
        "procedure": case.procedure,
        "procedure_version": case.procedure_version,
        "organization": case.organization,
        "number": case.number,
        "digitised": False,
    }
    document = {"sha256": case.document.sha256, "size": size, "pages": case.document.pages}
    return manifest_of(identity, record_id, document, report, archived_at, retain_until)


def manifest_bytes(manifest: dict[str, Any]) -> bytes:
    return json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")


def read_manifest(data: bytes) -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads(data)
    return manifest
