"""The platform's own steps (seal, archive, removing drafts): run now, retried with back-off
after a transient error, or the case moved to ``failed`` with a reason."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import logging
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from functions import telemetry
from functions.access import Principal
from functions.errors import (
    Conflict,
    DomainError,
    Invalid,
    Malformed,
    NotFound,
    Problem,
    Refused,
    Unavailable,
)
from functions.manifest import (
    JSON,
    build_manifest,
    manifest_bytes,
    manifest_key,
    pdf_key,
    read_manifest,
)
from functions.model import (
    ARCHIVE_STEP,
    ARCHIVED,
    FAILED,
    REMOVE_DRAFTS_STEP,
    SEAL_STEP,
    SEALED,
    TRANSITIONS,
    Case,
    Document,
    Failure,
    StatusEvent,
)
from functions.publish import publish_events
from functions.schedule import (
    budget_spent,
    is_due,
    iso,
    next_retry,
    retain_until,
    schedule,
    utc_key,
)
from functions.search import party_card, record_index
from functions.services import Services
from functions.sign import apply_signature

log = logging.getLogger(__name__)

BUDGET_SPENT = "retry_budget_exhausted"
INTERNAL_ERROR = "internal_error"


def continue_case(services: Services, case: Case) -> Case:
    """Run ``case``'s automatic steps now, as far as they go, and return the case as stored.

    Called right after a commit (a submission, an officer's signature, an admin's retry)
    and by the sweep. It never raises for a step that fails: a transient error postpones
    the step (the sweep retries it), a permanent one moves the case to ``failed``; either
    way the answer is the committed state. Removing the drafts of a failed case waits for
    its due time.
    """
    while (step := case.automatic_step()) is not None:
        keep_drafts = step == REMOVE_DRAFTS_STEP and case.status != ARCHIVED
        if keep_drafts and not is_due(case, services.clock()):
            return case
        moved = run_step(services, case)
        if moved is None:
            return _stored(services, case)
        case = moved
    return case


def run_step(services: Services, case: Case) -> Case | None:
    """Run ``case``'s automatic step once; the case as now committed, or None if it did not
    move (postponed, failed, or someone else moved it first)."""
    step = case.automatic_step()
    try:
        if step == SEAL_STEP:
            return seal_case(services, case)
        if step == ARCHIVE_STEP:
            return archive_case(services, case)
        if step == REMOVE_DRAFTS_STEP:
            return remove_drafts(services, case)
        return None
    except Conflict as error:
        log.info("case %s: %s step not committed: %s", case.id, step, error.message)
        return None  # another request or sweep moved the case first
    except Unavailable as error:
        _postpone(services, case, error.message)
    except Exception as error:
        if step == REMOVE_DRAFTS_STEP:  # bookkeeping: retried, never fails a case
            log.exception("case %s: removing its drafts failed", case.id)
            _postpone(services, case, f"unexpected {type(error).__name__}")
        elif isinstance(error, DomainError):
            _fail(services, case, error.code, error.message)
        else:  # a bug: stop, say so, let an admin retry after the fix
            log.exception("case %s: %s step failed unexpectedly", case.id, step)
            _fail(services, case, INTERNAL_ERROR, f"unexpected {type(error).__name__}")
    return None


def seal_case(services: Services, case: Case) -> Case:
    """The organisation seals the document (PAdES B-LTA); returns the sealed case."""
    step = case.current_step()
    if step is None or not case.seal_is_due():
        raise Conflict(f"case {case.id} is not awaiting the seal")
    organization = services.cases.get_organization(step.organization)
    if organization is None or not organization.get("seal_key_id"):
        raise Refused("seal_missing", f"organization {step.organization} has no seal")
    from signing.backends import CallbackSigner  # pyHanko: loaded at the first seal

    signer = CallbackSigner(
        organization["seal_certificate_chain"],
        services.keys.raw_signer(organization["seal_key_id"]),
    )
    return apply_signature(services, case, step, signer)


def archive_case(services: Services, case: Case) -> Case:
    """Put a sealed case's PDF under Object Lock and index it as a record, in one commit
    with the case's move to ``archived``. A retry reuses a copy an earlier attempt wrote."""
    if case.status != SEALED:
        raise Conflict(f"case {case.id} is not sealed")
    procedure = services.catalogue.get(case.procedure)
    if procedure is None:
        raise Refused("procedure_missing", f"procedure {case.procedure} is not in the catalogue")
    pdf = services.documents.get(case.document.key, case.document.version_id)
    if hashlib.sha256(pdf).hexdigest() != case.document.sha256:
        raise Refused("document_altered", "the sealed document is not the one the case signed")
    record_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"hoso:record:{case.id}"))
    manifest, first = _manifest(services, case, record_id, procedure.retention_years, pdf)
    now = dt.datetime.fromisoformat(manifest["archived_at"])
    until = dt.datetime.fromisoformat(manifest["retention"]["until"])
    archived = services.documents.archive(pdf_key(record_id), pdf, until, first=first)
    record = {
        "id": record_id,
        "case_id": case.id,
        "procedure": case.procedure,
        "organization": case.organization,
        "number": case.number,
        "sha256": case.document.sha256,
        "size": len(pdf),
        "archived_at": iso(now),
        "retain_until": iso(until),
        "retention_mode": "COMPLIANCE",
        "object": {"key": archived.key, "version_id": archived.version_id},
        "signatures": [
            {"step": s.step, "kind": s.kind, "signer": s.signer, "level": s.level}
            for s in case.signatures
        ],
        "validation": manifest["validation"],
        "manifest": {"key": manifest_key(record_id)},
        "index": record_index(
            services,
            record_id,
            now,
            (case.procedure, case.organization, case.number),
            card=party_card(case),
        ),
    }
    changed = copy.deepcopy(case)
    changed.record_id = record_id
    changed.document = Document(
        key=archived.key,
        sha256=case.document.sha256,
        pages=case.document.pages,
        size=len(pdf),
        version_id=archived.version_id,
    )
    changed.retry = None
    event = changed.advance(ARCHIVED, iso(now))
    schedule(changed, services.settings, now)
    services.cases.update_case(changed, case.version, [event], record=record)
    publish_events(services, [event])
    return changed


def _manifest(
    services: Services, case: Case, record_id: str, retention_years: int, pdf: bytes
) -> tuple[dict[str, Any], bool]:
    """The record's manifest, written under Object Lock before the PDF: the one an earlier
    attempt wrote (its dates are the archive's), or a new one after the sealed document
    validates (a document that does not is refused: it would be archived unprovable).
    True with a new one: this is the first attempt that got this far, so no earlier one
    wrote the record's PDF either."""
    written = services.documents.first_version(manifest_key(record_id))
    if written is not None:
        return read_manifest(services.documents.get(written.key, written.version_id)), False
    now = services.clock()
    from signing.validation import open_pdf, validate_pdf  # pyHanko: at the first archive

    report = validate_pdf(open_pdf(pdf), services.trust.roots(), now)
    if not report["valid"]:
        failing = (
            next(e for e in report["signatures"] if not e["valid"])
            if report["signatures"]
            else {"field": "document", "subindication": "no signature"}
        )
        raise Refused(
            "validation_failed",
            f"the sealed document does not validate: {failing['field']} {failing['subindication']}",
        )
    until = retain_until(now, retention_years)
    manifest = build_manifest(case, record_id, report, now, until, len(pdf))
    services.documents.archive(
        manifest_key(record_id), manifest_bytes(manifest), until, JSON, first=True
    )
    return manifest, True


def remove_drafts(services: Services, case: Case) -> Case:
    """Delete every version of the case's working drafts (personal data): once it is
    archived, its document is the record; a failed case's drafts go after their keep."""
    services.documents.remove_drafts(f"cases/{case.id}/")
    changed = copy.deepcopy(case)
    changed.drafts_removed = True
    changed.retry = None
    schedule(changed, services.settings, services.clock())
    services.cases.update_case(changed, case.version, [])
    return changed


def _postpone(services: Services, case: Case, error: str) -> None:
    """Count one more attempt that met a transient error; fail the case when the retry
    budget is spent (removing drafts is only ever retried)."""
    now = services.clock()
    retry = next_retry(case, services.settings, now, error)
    stored = _stored(services, case)
    if stored.version != case.version:
        return  # someone else moved it meanwhile
    if case.automatic_step() != REMOVE_DRAFTS_STEP and budget_spent(retry, services.settings, now):
        _fail(services, case, BUDGET_SPENT, error, retry.attempts)
        return
    log.warning(
        "case %s: %s postponed to %s: %s",
        case.id,
        case.automatic_step(),
        retry.next_attempt_at,
        error,
    )
    postponed = copy.deepcopy(stored)
    postponed.retry = retry
    postponed.due_at = retry.next_attempt_at
    _write(services, postponed, case.version)


def _fail(
    services: Services, case: Case, reason: str, message: str, attempts: int | None = None
) -> None:
    """Move ``case`` to ``failed`` with a machine-readable reason, and say so (event)."""
    now = services.clock()
    failed = copy.deepcopy(_stored(services, case))
    if failed.version != case.version or FAILED not in TRANSITIONS[failed.status]:
        return
    log.warning("case %s failed at %s: %s (%s)", case.id, case.automatic_step(), reason, message)
    failed.failure = Failure(
        reason=reason,
        message=message,
        attempts=attempts or (case.retry.attempts if case.retry else 0) + 1,
        at=iso(now),
        resume_status=str(case.status),
    )
    failed.retry = None
    event = failed.advance(FAILED, iso(now))
    schedule(failed, services.settings, now)
    if _write(services, failed, case.version, [event]):
        telemetry.count(telemetry.CASE_FAILURES)
        publish_events(services, [event])


def _write(
    services: Services, case: Case, expected: int, events: list[StatusEvent] | None = None
) -> bool:
    """Commit bookkeeping; an outage or a race leaves the case as it was, still due."""
    try:
        services.cases.update_case(case, expected, events or [])
    except (Conflict, Unavailable) as error:
        log.warning("case %s: not updated now: %s", case.id, error.message)
        return False
    return True


def _stored(services: Services, case: Case) -> Case:
    """The case as committed now (``case`` itself if the table cannot say)."""
    try:
        return services.cases.get_case(case.id) or case
    except Unavailable:
        return case


# --- an admin's retries ------------------------------------------------------------------


def retry_case(services: Services, principal: Principal, case_id: str) -> Case:
    """A failed case tries again from the step where it stopped (admins), now."""
    principal.require("admin")
    case = services.cases.get_case(case_id)
    if case is None:
        raise NotFound(f"case {case_id} does not exist")
    return continue_case(services, resume(services, case))


def retry_failed(services: Services, principal: Principal, body: Any) -> list[str]:
    """Every failed case whose failure reason is ``body["reason"]`` goes back to where it
    stopped (admins); the sweep takes them up at once. Returns their ids."""
    principal.require("admin")
    reason = _reason(body)
    resumed = []
    for case_id in services.cases.failed_cases(reason):
        case = services.cases.get_case(case_id)
        if case is None or case.failure is None or case.failure.reason != reason:
            continue  # the index lags: already retried
        try:
            resume(services, case, due_now=True)
        except (Conflict, Unavailable) as error:
            log.warning("case %s not resumed: %s", case_id, error.message)
            continue
        resumed.append(case_id)
    return resumed


def _reason(body: Any) -> str:
    if not isinstance(body, dict):
        raise Malformed("the body must be a JSON object", [Problem("body", "not a JSON object")])
    problems = [Problem(name, "unknown field") for name in sorted(set(body) - {"reason"})]
    reason = body.get("reason")
    if not isinstance(reason, str) or not reason.strip() or len(reason) > 100:
        problems.insert(0, Problem("reason", "required: a failure reason, such as " + BUDGET_SPENT))
    if problems:
        raise Invalid("the retry request is not valid", problems)
    return str(reason).strip()


def resume(services: Services, case: Case, due_now: bool = False) -> Case:
    """A failed case back to the status it failed from, its automatic step scheduled
    (``due_now``: at once); Conflict if it has not failed or its drafts are gone."""
    if case.status != FAILED or case.failure is None:
        raise Conflict(f"case {case.id} has not failed (it is {case.status})")
    if case.drafts_removed:
        raise Conflict(
            f"the working documents of case {case.id} were removed "
            f"{services.settings.draft_retention_days} days after it failed; submit it again"
        )
    now = services.clock()
    resumed = copy.deepcopy(case)
    resumed.failure = None
    resumed.retry = None
    event = resumed.advance(case.failure.resume_status, iso(now))
    schedule(resumed, services.settings, now)
    if due_now:
        resumed.due_at = utc_key(now)
    services.cases.update_case(resumed, case.version, [event])
    publish_events(services, [event])
    return resumed


# --- the sweep ------------------------------------------------------------------------


@dataclass
class DueReport:
    """What one pass over the due cases did."""

    archived: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)  # postponed again, or drafts kept


def run_due(services: Services, limit: int = 100) -> DueReport:
    """Take up the cases whose automatic step is due (scheduled sweep), earliest first, for
    at most ``settings.sweep_seconds``: the rest wait for the next sweep."""
    report = DueReport()
    now = services.clock()
    deadline = time.monotonic() + services.settings.sweep_seconds
    for case_id in services.cases.due_cases(utc_key(now), limit):
        if time.monotonic() > deadline:
            break
        case = services.cases.get_case(case_id)
        if case is None or case.automatic_step() is None or not is_due(case, now):
            continue  # the index is eventually consistent: done or rescheduled meanwhile
        was = case.status
        final = continue_case(services, case)
        if final.status == ARCHIVED and was != ARCHIVED:
            report.archived.append(case_id)
        elif final.status == FAILED and was != FAILED:
            report.failed.append(case_id)
        elif final.automatic_step() is not None:
            report.waiting.append(case_id)
    return report
