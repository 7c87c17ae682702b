"""One signature on a case's document (an officer's or the seal), committed with its event."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import logging
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from functions import telemetry
from functions.errors import Conflict, NotFound, Refused, Unavailable
from functions.model import (
    AWAITING_SIGNATURE,
    ROLE_SEAL,
    SEALED,
    VIETNAM,
    Case,
    Document,
    Signature,
    Step,
)
from functions.publish import publish_events
from functions.schedule import iso, schedule
from functions.services import Services
from signing.terms import LEVEL_B_LT, LEVEL_B_LTA, SigningRefused, SigningUnavailable
from templates.catalogue import AppearanceBox

if TYPE_CHECKING:  # pyHanko and the renderer load at the first signature (cold start)
    from signing.backends import CallbackSigner
    from signing.pades import SignatureBox, SignatureRequest, SignedPdf

log = logging.getLogger(__name__)

OFFICER_STAMP = "Ký bởi: %(signer)s\nNgày ký: %(time)s"
SEAL_STAMP = "Đóng dấu: %(signer)s\nNgày: %(time)s"


def signature_box(pdf: bytes, appearance: AppearanceBox | None) -> SignatureBox | None:
    """Where a step's appearance goes in ``pdf``, placed from its anchor line (None: invisible)."""
    if appearance is None:
        return None
    from signing.pades import SignatureBox
    from templates.renderer import find_line

    anchor = find_line(pdf, appearance.anchor)
    if anchor is None:
        raise Refused(
            "signature_placement",
            f"the document has no line {appearance.anchor!r} to place the signature",
        )
    x1 = int(anchor.x + appearance.dx)
    y1 = int(anchor.y + appearance.dy)
    return SignatureBox(
        anchor.page, (x1, y1, x1 + int(appearance.width), y1 + int(appearance.height))
    )


def apply_signature(
    services: Services,
    case: Case,
    step: Step,
    signer: CallbackSigner,
    username: str | None = None,
) -> Case:
    """Sign ``step`` of ``case`` and commit it; returns the case as committed.

    The seal step gets PAdES B-LTA, an officer's B-LT. Nothing is stored unless the whole
    signature was made: Refused when it can never be made (certificate revoked, expired,
    untrusted; no place for it), Unavailable when a service is down, Conflict when
    someone else changed the case first. ``case`` itself is left as it was.
    """
    now = services.clock()
    request, pdf = signature_request(services, case, step, now)
    started = time.perf_counter()
    signed = sign_document(services, pdf, signer, request)
    signing_ms = (time.perf_counter() - started) * 1000
    return commit_signature(services, case, step, signed, now, username, signing_ms)


def signature_request(
    services: Services, case: Case, step: Step, signing_time: dt.datetime
) -> tuple[SignatureRequest, bytes]:
    """What signing ``step`` of ``case`` at ``signing_time`` asks (its field, level, place
    and stamp), and the document it goes on."""
    procedure = services.catalogue.get(case.procedure)
    if procedure is None:
        raise NotFound(f"procedure {case.procedure} is no longer in the catalogue")
    kind = "seal" if step.role == ROLE_SEAL else "officer"
    appearance = procedure.steps[step.index].appearance
    pdf = services.documents.get(case.document.key)
    from signing.pades import SignatureRequest

    request = SignatureRequest(
        field_name=f"Signature-{step.index + 1}",
        level=LEVEL_B_LTA if kind == "seal" else LEVEL_B_LT,
        box=signature_box(pdf, appearance),
        stamp_text=SEAL_STAMP if kind == "seal" else OFFICER_STAMP,
        reason=procedure.steps[step.index].title or procedure.title,
        location="Hà Nội",
        signing_time=signing_time,
        stamp_timezone=VIETNAM,
    )
    return request, pdf


def commit_signature(
    services: Services,
    case: Case,
    step: Step,
    signed: SignedPdf,
    now: dt.datetime,
    username: str | None,
    signing_ms: float,
) -> Case:
    """Store ``signed`` as the case's document with its signature, the next step pending
    (or the case sealed), and announce it; the case as committed. Conflict if the case
    changed meanwhile (the copy is then discarded)."""
    from templates.renderer import page_count

    kind = "seal" if step.role == ROLE_SEAL else "officer"
    # A key of its own per attempt: a racing attempt that loses must never overwrite, or
    # clean up, the winner's document (tests/integration/test_races.py).
    key = f"cases/{case.id}/v{case.version + 1}-{uuid.uuid4().hex[:12]}.pdf"
    services.documents.put_working(key, signed.pdf)
    changed = copy.deepcopy(case)
    changed.document = Document(
        key=key,
        sha256=hashlib.sha256(signed.pdf).hexdigest(),
        pages=page_count(signed.pdf),
        size=len(signed.pdf),
    )
    changed.signatures.append(
        Signature(
            step=step.index,
            kind=kind,
            signer=signed.signer,
            signed_at=signed.signed_at,
            timestamped_at=signed.timestamped_at,
            level=signed.level,
            field=f"Signature-{step.index + 1}",
            username=username,
        )
    )
    following = changed.complete_step(next(s for s in changed.steps if s.index == step.index))
    event = changed.advance(AWAITING_SIGNATURE if following is not None else SEALED, iso(now))
    changed.retry = None
    schedule(changed, services.settings, now)
    try:
        services.cases.update_case(changed, case.version, [event])
    except Conflict:
        discard_working(services, key)  # the other attempt won; an outage (Unavailable) may have
        raise  # committed after all, so its copy stays until the case's drafts are removed
    if kind == "seal":
        telemetry.count(telemetry.SEALS)
        telemetry.milliseconds(telemetry.SEAL_DURATION, signing_ms)
    else:
        telemetry.count(telemetry.SIGNATURES)
    publish_events(services, [event])
    return changed


def discard_working(services: Services, key: str) -> None:
    """Remove a working copy that was never committed (best effort: a case's working drafts
    are all removed when it ends)."""
    try:
        services.documents.delete_working(key)
    except Unavailable as error:
        log.warning("working copy %s stays until the case ends: %s", key, error.message)


def sign_document(
    services: Services, pdf: bytes, signer: CallbackSigner, request: SignatureRequest
) -> SignedPdf:
    """``signing.pades.sign_pdf`` with its failures as the domain's (``signing_failures``)."""
    from signing.pades import sign_pdf

    with signing_failures():
        return sign_pdf(pdf, signer, request, services.trust)


@contextmanager
def signing_failures() -> Iterator[None]:
    """The signing pipeline's failures as the domain's: a refusal for good (409, the reason
    its code), or a signing service down (503, counted)."""
    try:
        yield
    except SigningRefused as error:
        raise Refused(error.reason, str(error)) from error
    except SigningUnavailable as error:
        telemetry.count(telemetry.SIGNING_SERVICE_ERRORS)
        raise Unavailable(str(error)) from error
