"""Signing with a key the officer holds (a USB token): the digest out, the signature in.

``open_session`` prepares the signature as the platform-held path does (the same field,
appearance, validation and signed attributes: signing/pades.py) and answers the digest to
sign; ``finish_session`` embeds the token's signature, timestamps it, adds the validation
data (PAdES B-LT) and commits it like any signature, after which the seal follows.

A session belongs to one officer and one version of one case, expires
(``HOSO_SIGNING_SESSION_SECONDS``, 10 minutes by default) and is used once. The prepared
document lies beside the case's drafts and goes with them.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import time
import uuid
from typing import Any

from functions.access import Principal
from functions.automatic import continue_case
from functions.directory import pem_chain_field
from functions.errors import Conflict, Forbidden, Invalid, NotFound, Problem
from functions.limits import json_object, unknown_fields
from functions.model import Case
from functions.schedule import iso
from functions.services import Services
from functions.sign import commit_signature, signature_request, signing_failures
from functions.signatures import officers_turn
from signing.terms import SignatureMismatch

MAX_SIGNATURE_BYTES = 1024  # RSA 4096 is 512; ECDSA P-256 72


def open_session(
    services: Services, principal: Principal, case_id: str, body: Any
) -> dict[str, Any]:
    """Prepare the signature of the pending step of ``case_id`` by the officer whose turn
    it is, with the certificate of their token (the one registered for them: the chain
    sent may be that certificate alone; the registered chain is used)."""
    from signing.certificates import ChainRefused, check_signing_chain, parse_chain
    from signing.pades import prepare_signature, signature_algorithm

    case, step = officers_turn(services, principal, case_id)
    chain = _chain(body)
    officer = services.cases.get_officer(principal.username) or {}
    registered = officer.get("token_certificate_chain")
    if not registered:
        raise Conflict("no token certificate is registered for you; ask an admin to import it")
    certificates = parse_chain(registered)  # the whole chain, as registered: a token may
    if parse_chain(chain)[0].dump() != certificates[0].dump():  # hold its own certificate only
        raise Invalid(
            "the certificate is not yours",
            [Problem("certificate_chain", "not the certificate registered for your token")],
        )
    now = services.clock()
    try:
        check_signing_chain(certificates, services.trust.roots(), now)
    except ChainRefused as error:
        raise Invalid(
            "the certificate may not sign", [Problem("certificate_chain", error.problem)]
        ) from error
    request, pdf = signature_request(services, case, step, now)
    with signing_failures():
        prepared = prepare_signature(pdf, registered, request, services.trust)
    session_id = str(uuid.uuid4())
    pdf_key = f"cases/{case.id}/session-{session_id}.pdf"
    services.documents.put_working(pdf_key, prepared.pdf)
    expires = now + dt.timedelta(seconds=services.settings.signing_session_seconds)
    services.cases.put_signing_session(
        {
            "id": session_id,
            "case_id": case.id,
            "case_version": case.version,
            "step": step.index,
            "username": principal.username,
            "certificate_chain": registered,
            "signing_time": iso(now),
            "expires_at": iso(expires),
            "pdf_key": pdf_key,
            "document_digest": _b64(prepared.document_digest),
            "reserved": [prepared.reserved_start, prepared.reserved_end],
            "signed_attributes": _b64(prepared.signed_attributes),
        }
    )
    return {
        "session_id": session_id,
        "digest": _b64(prepared.digest),
        "digest_algorithm": "sha256",
        "signature_algorithm": signature_algorithm(certificates[0]),
        "signed_attributes": _b64(prepared.signed_attributes),
        "expires_at": iso(expires),
        "case_id": case.id,
        "number": case.number,
    }


def finish_session(services: Services, principal: Principal, session_id: str, body: Any) -> Case:
    """Finish a session with the token's ``signature`` (base64) over the digest; the case
    as committed (with the seal and the archive after it, as for a platform-held key)."""
    from signing.pades import PreparedSignature, finish_signature

    principal.require("officer")
    session = services.cases.get_signing_session(_session_id(session_id))
    if session is None:
        raise NotFound(f"signing session {session_id} does not exist")
    if session["username"] != principal.username:
        raise Forbidden("this signing session is another officer's")
    signature = _signature(body)
    if session.get("used"):
        raise Conflict("this signing session was used; open a new one")
    now = services.clock()
    if now >= dt.datetime.fromisoformat(session["expires_at"]):
        raise Conflict("this signing session expired; open a new one")
    case, step = officers_turn(services, principal, session["case_id"])
    if case.version != session["case_version"] or step.index != session["step"]:
        raise Conflict(f"case {case.id} changed since the session opened; open a new one")
    prepared = PreparedSignature(
        pdf=services.documents.get(session["pdf_key"]),
        document_digest=base64.b64decode(session["document_digest"]),
        reserved_start=session["reserved"][0],
        reserved_end=session["reserved"][1],
        signed_attributes=base64.b64decode(session["signed_attributes"]),
    )
    request, pdf = signature_request(
        services, case, step, dt.datetime.fromisoformat(session["signing_time"])
    )
    started = time.perf_counter()
    try:
        with signing_failures():
            signed = finish_signature(
                pdf, prepared, session["certificate_chain"], signature, request, services.trust
            )
    except SignatureMismatch as error:
        raise Invalid(
            "the signature does not verify",
            [Problem("signature", "not a signature of this digest by your certificate's key")],
        ) from error
    if not services.cases.claim_signing_session(session["id"]):
        raise Conflict("this signing session was used; open a new one")
    signing_ms = (time.perf_counter() - started) * 1000
    committed = commit_signature(
        services, case, step, signed, services.clock(), principal.username, signing_ms
    )
    return continue_case(services, committed)


def _chain(body: Any) -> list[str]:
    body = json_object(body)
    problems = unknown_fields(body, ("certificate_chain",))
    chain = pem_chain_field(body.get("certificate_chain"), problems)
    if problems:
        raise Invalid("the signing session request is not valid", problems)
    return chain


def _signature(body: Any) -> bytes:
    body = json_object(body)
    problems = unknown_fields(body, ("signature",))
    value = body.get("signature")
    signature = b""
    if isinstance(value, str) and 0 < len(value) <= 2 * MAX_SIGNATURE_BYTES:
        try:
            signature = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            signature = b""
    if not signature:
        problems.append(Problem("signature", "required: the signature, base64"))
    if problems:
        raise Invalid("the signature is not valid", problems)
    return signature


def _session_id(session_id: str) -> str:
    try:
        return str(uuid.UUID(session_id))
    except ValueError as error:
        raise NotFound(f"signing session {session_id[:64]} does not exist") from error


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
