"""Reading cases, their documents and archived records, within what the caller may see."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from functions.access import Principal, organization_chain
from functions.errors import Malformed, NotFound, Problem
from functions.manifest import dated_validation, read_manifest
from functions.query import flag
from functions.schedule import utc_key
from functions.search import record_view
from functions.services import Services
from functions.signatures import load_case


@dataclass(frozen=True)
class ObjectRef:
    """An archived object's key and version."""

    key: str
    version_id: str


def get_case(services: Services, principal: Principal, case_id: str) -> dict[str, Any]:
    """The API view of a case."""
    return load_case(services, principal, case_id).public_view()


def get_case_document(services: Services, principal: Principal, case_id: str) -> tuple[str, bytes]:
    """The case's current PDF (draft, partly signed or final) and a file name for it."""
    case = load_case(services, principal, case_id)
    return f"{case.id}.pdf", services.documents.get(case.document.key, case.document.version_id)


def get_case_preview(
    services: Services, principal: Principal, case_id: str, page: str | None
) -> bytes:
    """PNG of one page (``page``, 1-based, default 1) of the case's current document."""
    from templates.preview import page_png

    if page is None:
        page_number = 1
    elif page.isascii() and page.isdigit() and len(page) <= 6 and int(page) >= 1:
        page_number = int(page)
    else:
        raise Malformed("page must be a page number", [Problem("query.page", "not 1, 2, 3 …")])
    case = load_case(services, principal, case_id)
    if page_number > case.document.pages:
        raise NotFound(
            f"the document has {case.document.pages} page(s)",
            [Problem("query.page", f"there is no page {page_number}")],
        )
    pdf = services.documents.get(case.document.key, case.document.version_id)
    return page_png(pdf, page_number)


def _visible_record(services: Services, principal: Principal, record_id: str) -> dict[str, Any]:
    """The record, if the archivist may see it (their organisation or one below); else 404."""
    principal.require("archivist")
    record = services.cases.get_record(record_id)
    if record is None or principal.organization not in organization_chain(
        services.cases.get_organization, record["organization"]
    ):
        raise NotFound(f"record {record_id} does not exist")
    return record


def _log_access(services: Services, principal: Principal, record_id: str, action: str) -> None:
    """Keep the access before answering: a read that cannot be logged is not served."""
    entry = {
        "record_id": record_id,
        "at": utc_key(services.clock()),
        "by": principal.username,
        "roles": sorted(principal.roles),
        "action": action,
    }
    services.cases.log_access(entry)


def get_record(
    services: Services, principal: Principal, record_id: str, verify: str | None = None
) -> dict[str, Any]:
    """An archived record's metadata with a short-lived download URL (archivists, for the
    records of their organisation and the ones below it); ``verify`` "true": its
    ``validation`` is made now, not the one made when it was archived. Logged."""
    from signing.validation import open_pdf, validate_pdf

    verify_now = flag(verify, "verify")
    record = _visible_record(services, principal, record_id)
    _log_access(services, principal, record_id, ACTION_VERIFY if verify_now else ACTION_READ)
    archived = ObjectRef(**record["object"])
    url = services.documents.download_url(
        archived, services.settings.download_url_ttl_seconds, f"{record_id}.pdf"
    )
    view = record_view(record)
    view["download_url"] = url
    view.setdefault("validation", None)
    if verify_now:
        now = services.clock()
        pdf = services.documents.get(archived.key, archived.version_id)
        report = validate_pdf(open_pdf(pdf), services.trust.roots(), now)
        view["validation"] = dated_validation(report, now)
    return view


def get_record_manifest(services: Services, principal: Principal, record_id: str) -> dict[str, Any]:
    """The record's manifest as archived beside its PDF (archivists, as for the record).
    Logged."""
    record = _visible_record(services, principal, record_id)
    _log_access(services, principal, record_id, ACTION_MANIFEST)
    manifest = services.documents.get(record["manifest"]["key"])
    return read_manifest(manifest)


def get_record_accesses(services: Services, principal: Principal, record_id: str) -> dict[str, Any]:
    """Who read the record, its download URL or its manifest, and when, newest first
    (archivists who may see the record, and admins)."""
    if principal.roles.isdisjoint({"admin"}):
        _visible_record(services, principal, record_id)
    elif services.cases.get_record(record_id) is None:
        raise NotFound(f"record {record_id} does not exist")
    return {"accesses": services.cases.accesses(record_id, MAX_ACCESSES)}


ACTION_READ = "read"  # metadata and a download URL
ACTION_VERIFY = "verify"  # the same, validated again now
ACTION_MANIFEST = "manifest"
MAX_ACCESSES = 1000  # the newest; a record is read a handful of times a year
