"""Reading cases, their documents and archived records, within what the caller may see."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from functions.access import UPSTREAM, Principal, organization_chain
from functions.errors import Forbidden, Invalid, Malformed, NotFound, Problem
from functions.manifest import dated_validation, read_manifest
from functions.model import CASE_STATUSES, Case
from functions.pages import MAX_READS, fingerprint, next_token, position_of, read_limit
from functions.query import flag, only_known
from functions.schedule import utc_key
from functions.search import record_view
from functions.services import Services
from functions.signatures import load_case


@dataclass(frozen=True)
class ObjectRef:
    """An archived object's key and version."""

    key: str
    version_id: str


CASE_LIST_PARAMETERS = ("status", "procedure", "awaiting", "limit", "next")


def case_view(case: Case, principal: Principal) -> dict[str, Any]:
    """The API view of a case for ``principal``: with the submitted data for its submitter
    and the officers of its steps (Principal.may_read_data), without it for anyone else."""
    view = case.public_view()
    if principal.may_read_data(case.submitted_by, case.step_organizations()):
        view["data"] = case.data
    return view


def get_case(services: Services, principal: Principal, case_id: str) -> dict[str, Any]:
    """The API view of a case."""
    return case_view(load_case(services, principal, case_id), principal)


def list_cases(services: Services, principal: Principal, params: dict[str, str]) -> dict[str, Any]:
    """A page of cases, newest first (DESIGN.md's search page, of cases): an upstream
    system's own, an officer's organisation's, or with ``awaiting=me`` an officer's inbox
    (the cases whose pending step is their organisation's, whoever's case it is); filtered
    by ``status`` and ``procedure``. Each through its index, never a scan."""
    principal.require(UPSTREAM, "officer")
    only_known(params, CASE_LIST_PARAMETERS)
    problems: list[Problem] = []
    limit = read_limit(params, problems)
    equal: dict[str, str] = {}
    status, procedure = params.get("status"), params.get("procedure")
    if status is not None and status not in CASE_STATUSES:
        problems.append(Problem("query.status", f"not one of: {', '.join(CASE_STATUSES)}"))
    elif status is not None:
        equal["status"] = status
    if procedure is not None and services.catalogue.get(procedure) is None:
        problems.append(Problem("query.procedure", "not a procedure of the catalogue"))
    elif procedure is not None:
        equal["procedure"] = procedure
    awaiting = params.get("awaiting")
    if awaiting not in (None, "me"):
        problems.append(Problem("query.awaiting", "only me: the cases awaiting your signature"))
    if problems:
        raise Invalid("the listing is not valid", problems)
    if "officer" in principal.roles:
        assert principal.organization is not None  # the directory gives officers one
        index = "inbox" if awaiting else "cases_by_organization"
        key = principal.organization
    elif awaiting:
        raise Forbidden("only officers have cases awaiting their signature")
    else:
        index, key = "cases_by_submitter", principal.subject
    listing = fingerprint("cases", index, key, sorted(equal.items()))
    position: dict[str, Any] = {"filters": listing, "start": None}
    if "next" in params:
        position = position_of(services, params["next"], listing)
    items: list[dict[str, Any]] = []
    for _ in range(MAX_READS):
        found, last = services.cases.query_cases(
            index, key, equal, limit - len(items), position["start"]
        )
        items += [case_view(Case.from_item(doc), principal) for doc in found]
        position = {**position, "start": last}
        if last is None or len(items) >= limit:
            break
    more = position["start"] is not None
    return {"items": items, "next": next_token(services, position) if more else None}


def case_pdf(services: Services, case: Case) -> bytes:
    """The case's current PDF: draft, partly signed or final."""
    return bytes(services.documents.get(case.document.key, case.document.version_id))


def get_case_document(services: Services, principal: Principal, case_id: str) -> tuple[str, bytes]:
    """The case's current PDF (draft, partly signed or final) and a file name for it."""
    case = load_case(services, principal, case_id)
    return f"{case.id}.pdf", case_pdf(services, case)


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
    return page_png(case_pdf(services, case), page_number)


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
