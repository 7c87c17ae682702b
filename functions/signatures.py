"""Signing a case: an officer's signature, then the organisation seal, then the archive."""

from __future__ import annotations

import hashlib
import logging
import uuid

from functions.access import Principal
from functions.errors import Conflict, Forbidden, NotFound, Unavailable
from functions.model import (
    ARCHIVED,
    AWAITING_SIGNATURE,
    SEALED,
    VIETNAM,
    Case,
    Document,
    Signature,
    StatusEvent,
    Step,
)
from functions.publish import publish_events
from functions.services import Services
from signing.backends import CallbackSigner
from signing.pades import LEVEL_B_LT, LEVEL_B_LTA, SignatureBox, SignatureRequest, sign_pdf
from templates.catalogue import AppearanceBox
from templates.renderer import find_line, page_count

log = logging.getLogger(__name__)

OFFICER_STAMP = "Ký bởi: %(signer)s\nNgày ký: %(time)s"
SEAL_STAMP = "Đóng dấu: %(signer)s\nNgày: %(time)s"


def load_case(services: Services, principal: Principal, case_id: str) -> Case:
    """The case if it exists and the caller may see it; NotFound otherwise."""
    case = services.cases.get_case(case_id)
    if case is None or not principal.may_read_case(
        case.organization, case.submitted_by, {s.organization for s in case.steps}
    ):
        raise NotFound(f"case {case_id} does not exist")
    return case


def sign_as_officer(services: Services, principal: Principal, case_id: str) -> Case:
    """The officer whose turn it is signs with their platform-held key.

    It is an officer's turn when the pending step is an officer step of their organisation
    (Forbidden otherwise) and they have signed no other step of the case (Conflict).

    When no officer step is left the organisation seals and the case is archived
    in the same call. If sealing cannot run now (timestamp or key service down),
    the officer's signature stays committed and the seal step remains pending.
    """
    principal.require("officer")
    case = load_case(services, principal, case_id)
    step = case.current_step()
    if step is None or step.role != "officer":
        raise Conflict(f"case {case_id} is not awaiting an officer's signature")
    earlier = case.signed_by(principal.username)
    if earlier is not None:
        raise Conflict(
            f"you signed step {earlier.step} of case {case_id}; "
            "another officer must sign the next step"
        )
    if principal.organization != step.organization:
        raise Forbidden("it is not your organisation's turn to sign this case")
    officer = services.cases.get_officer(principal.username)
    if officer is None or officer.get("organization") != step.organization:
        raise Forbidden("you have no signing key registered for this organisation")
    signer = CallbackSigner(
        officer["certificate_chain"], services.keys.raw_signer(officer["key_id"])
    )
    _apply_signature(services, case, step, signer, kind="officer", username=principal.username)
    return seal_if_due(services, case)


def seal_if_due(services: Services, case: Case) -> Case:
    """Seal and archive ``case`` now if its pending step is the seal.

    If sealing cannot run now (timestamp or key service down), what was committed stays
    and the seal step remains pending, queued for the sweep (``seal_pending``).
    """
    if case.seal_is_due():
        try:
            seal_and_archive(services, case)
        except Unavailable as error:
            log.warning("case %s: sealing postponed: %s", case.id, error.message)
    return case


def seal_pending(services: Services) -> list[str]:
    """Seal and archive every case whose seal was postponed (scheduled sweep).

    Returns the ids of the cases archived now. A case that still cannot be sealed stays
    queued; one that someone else sealed meanwhile is skipped.
    """
    archived = []
    for case_id in services.cases.cases_awaiting_seal():
        case = services.cases.get_case(case_id)
        if case is None or not case.seal_is_due():
            continue  # the index is eventually consistent: already sealed
        try:
            seal_and_archive(services, case)
        except Unavailable as error:
            log.warning("case %s: sealing postponed again: %s", case.id, error.message)
            continue
        except Conflict:
            continue  # another sweep or request sealed it first
        archived.append(case.id)
    return archived


def seal_and_archive(services: Services, case: Case) -> Case:
    """Seal a case whose seal step is pending, then archive it."""
    step = case.current_step()
    if step is None or not case.seal_is_due():
        raise Conflict(f"case {case.id} is not awaiting the seal")
    organization = services.cases.get_organization(step.organization)
    if organization is None:
        raise NotFound(f"organization {step.organization} does not exist")
    signer = CallbackSigner(
        organization["seal_certificate_chain"],
        services.keys.raw_signer(organization["seal_key_id"]),
    )
    _apply_signature(services, case, step, signer, kind="seal")
    return archive_case(services, case)


def _signature_box(pdf: bytes, appearance: AppearanceBox | None) -> SignatureBox | None:
    """Where a step's appearance goes in ``pdf``, placed from its anchor line (None: invisible)."""
    if appearance is None:
        return None
    anchor = find_line(pdf, appearance.anchor)
    if anchor is None:
        raise Conflict(f"the document has no line {appearance.anchor!r} to place the signature")
    x1 = int(anchor.x + appearance.dx)
    y1 = int(anchor.y + appearance.dy)
    return SignatureBox(
        anchor.page, (x1, y1, x1 + int(appearance.width), y1 + int(appearance.height))
    )


def _apply_signature(
    services: Services,
    case: Case,
    step: Step,
    signer: CallbackSigner,
    kind: str,
    username: str | None = None,
) -> None:
    procedure = services.catalogue.get(case.procedure)
    if procedure is None:
        raise NotFound(f"procedure {case.procedure} is no longer in the catalogue")
    appearance = procedure.steps[step.index].appearance
    pdf = services.documents.get(case.document.key)
    request = SignatureRequest(
        field_name=f"Signature-{step.index + 1}",
        level=LEVEL_B_LTA if kind == "seal" else LEVEL_B_LT,
        box=_signature_box(pdf, appearance),
        stamp_text=SEAL_STAMP if kind == "seal" else OFFICER_STAMP,
        reason=procedure.steps[step.index].title or procedure.title,
        location="Hà Nội",
        stamp_timezone=VIETNAM,
    )
    try:
        signed = sign_pdf(pdf, signer, request, services.trust)
    except Unavailable:
        raise
    except Exception as error:  # pyHanko, TSA or OCSP failure: nothing was written
        raise Unavailable(f"the signature could not be made: {type(error).__name__}") from error

    expected = case.version
    # A key of its own per attempt: a racing attempt that loses must never overwrite, or
    # clean up, the winner's document (tests/integration/test_races.py).
    key = f"cases/{case.id}/v{expected + 1}-{uuid.uuid4().hex[:12]}.pdf"
    services.documents.put_working(key, signed.pdf)
    case.document = Document(
        key=key,
        sha256=hashlib.sha256(signed.pdf).hexdigest(),
        pages=page_count(signed.pdf),
        size=len(signed.pdf),
    )
    case.signatures.append(
        Signature(
            step=step.index,
            kind=kind,
            signer=signed.signer,
            signed_at=signed.signed_at,
            level=signed.level,
            field=request.field_name,
            username=username,
        )
    )
    following = case.complete_step(step)
    at = services.clock().isoformat(timespec="seconds")
    event = case.advance(AWAITING_SIGNATURE if following is not None else SEALED, at)
    try:
        services.cases.update_case(case, expected, [event])
    except Conflict:
        services.documents.delete_working(key)
        raise
    publish_events(services, [event])


def archive_case(services: Services, case: Case) -> Case:
    """Put a sealed case's PDF under Object Lock and index it as a record."""
    if case.status != SEALED:
        raise Conflict(f"case {case.id} is not sealed")
    procedure = services.catalogue.get(case.procedure)
    retention_years = procedure.retention_years if procedure else 70
    pdf = services.documents.get(case.document.key)
    now = services.clock()
    retain_until = now.replace(year=now.year + retention_years)
    record_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"hoso:record:{case.id}"))
    archived = services.documents.archive(f"records/{record_id}.pdf", pdf, retain_until)
    record = {
        "id": record_id,
        "case_id": case.id,
        "procedure": case.procedure,
        "organization": case.organization,
        "number": case.number,
        "sha256": hashlib.sha256(pdf).hexdigest(),
        "size": len(pdf),
        "archived_at": now.isoformat(timespec="seconds"),
        "retain_until": retain_until.isoformat(timespec="seconds"),
        "object": {"key": archived.key, "version_id": archived.version_id},
        "signatures": [
            {"step": s.step, "kind": s.kind, "signer": s.signer, "level": s.level}
            for s in case.signatures
        ],
    }
    expected = case.version
    case.record_id = record_id
    event: StatusEvent = case.advance(ARCHIVED, now.isoformat(timespec="seconds"))
    services.cases.update_case(case, expected, [event], record=record)
    publish_events(services, [event])
    return case
