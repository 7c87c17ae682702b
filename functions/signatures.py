"""An officer's answer to a case: whose turn it is, then the signature and what follows, or
the rejection that ends it."""

from __future__ import annotations

import copy
from typing import Any

from functions.access import CASE_READERS, Principal, organization_chain
from functions.automatic import continue_case
from functions.errors import Conflict, DomainError, Forbidden, Invalid, NotFound, Problem
from functions.limits import json_object, unknown_fields
from functions.model import REJECTED, STEP_REJECTED, Case, Rejection, Step
from functions.publish import publish_events
from functions.schedule import iso, schedule
from functions.services import Services
from functions.sign import apply_signature
from functions.text import normalize


def load_case(services: Services, principal: Principal, case_id: str) -> Case:
    """The case if it exists and the caller may see it; NotFound otherwise (Forbidden for
    admins, who read no case content)."""
    principal.require(*CASE_READERS)
    case = services.cases.get_case(case_id)
    if case is None or not principal.may_read_case(
        _organizations_up(services, principal, case.organization),
        case.submitted_by,
        case.step_organizations(),
    ):
        raise NotFound(f"case {case_id} does not exist")
    return case


def _organizations_up(services: Services, principal: Principal, organization: str) -> list[str]:
    if "archivist" not in principal.roles:
        return [organization]  # only an archivist's scope reaches down the directory
    return organization_chain(services.cases.get_organization, organization)


def sign_as_officer(services: Services, principal: Principal, case_id: str) -> Case:
    """The officer whose turn it is signs with their platform-held key.

    It is an officer's turn when the pending step is an officer step of their organisation
    (Forbidden otherwise) and they have signed no other step of the case (Conflict).
    A certificate that is revoked, expired or not trusted is Refused (409); a service
    outage is Unavailable (503) and nothing is stored.

    Once the signature is committed, the platform's own steps follow in the same call
    (seal, archive); whatever becomes of them, the answer is the case as committed.
    """
    from signing.backends import CallbackSigner

    case, step = officers_turn(services, principal, case_id)
    officer = services.cases.get_officer(principal.username)
    if officer is None or officer.get("organization") != step.organization:
        raise Forbidden("you have no signing key registered for this organisation")
    if not officer.get("key_id") or not officer.get("certificate_chain"):
        raise Conflict("you have no platform-held signing key and certificate yet")
    signer = CallbackSigner(
        officer["certificate_chain"], services.keys.raw_signer(officer["key_id"])
    )
    signed = apply_signature(services, case, step, signer, username=principal.username)
    return continue_case(services, signed)


def reject_as_officer(services: Services, principal: Principal, case_id: str, body: Any) -> Case:
    """The officer whose turn it is refuses to sign: the case ends ``rejected`` with the
    reason, who and when. The draft stays, unsigned and never archived, as long as the
    drafts of ended cases are kept; the event says the status only (a reason may name
    the member)."""
    case, step = officers_turn(services, principal, case_id)
    reason = _reason(body)
    now = services.clock()
    changed = copy.deepcopy(case)
    next(s for s in changed.steps if s.index == step.index).status = STEP_REJECTED
    changed.rejection = Rejection(
        reason=reason, by=principal.username, at=iso(now), step=step.index
    )
    event = changed.advance(REJECTED, iso(now))
    schedule(changed, services.settings, now)  # the drafts go after their retention
    services.cases.update_case(changed, case.version, [event])
    publish_events(services, [event])
    return changed


MAX_REASON = 1000


def _reason(body: Any) -> str:
    body = json_object(body)
    problems: list[Problem] = []
    judged = normalize({"reason": body.get("reason")}, "", problems)
    reason = judged["reason"]
    if not isinstance(reason, str) or not reason.strip() or len(reason) > MAX_REASON:
        problems.append(Problem("reason", f"required: text of 1 to {MAX_REASON} characters"))
    problems += unknown_fields(body, ("reason",))
    if problems:
        raise Invalid("the rejection is not valid", problems)
    return str(reason).strip()


def officers_turn(services: Services, principal: Principal, case_id: str) -> tuple[Case, Step]:
    """The case and its pending step if it is ``principal``'s turn to sign it: an officer
    step of their organisation (Forbidden otherwise), none of whose other steps they
    signed (Conflict)."""
    principal.require("officer")
    case = load_case(services, principal, case_id)
    problem = turn_problem(case, principal)
    if problem is not None:
        raise problem
    step = case.current_step()
    assert step is not None  # turn_problem found it
    return case, step


def turn_problem(case: Case, principal: Principal) -> DomainError | None:
    """Why it is not ``principal``'s turn to sign or reject ``case`` (None: it is)."""
    step = case.current_step()
    if step is None or step.role != "officer":
        return Conflict(f"case {case.id} is not awaiting an officer's signature")
    earlier = case.signed_by(principal.username)
    if earlier is not None:
        return Conflict(
            f"you signed step {earlier.step} of case {case.id}; "
            "another officer must sign the next step"
        )
    if "officer" not in principal.roles or principal.organization != step.organization:
        return Forbidden("it is not your organisation's turn to sign this case")
    return None
