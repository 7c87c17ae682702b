"""An officer's signature on a case: whose turn it is, then the signature, then what follows."""

from __future__ import annotations

from functions.access import CASE_READERS, Principal, organization_chain
from functions.automatic import continue_case
from functions.errors import Conflict, Forbidden, NotFound
from functions.model import Case
from functions.services import Services
from functions.sign import apply_signature
from signing.backends import CallbackSigner


def load_case(services: Services, principal: Principal, case_id: str) -> Case:
    """The case if it exists and the caller may see it; NotFound otherwise (Forbidden for
    admins, who read no case content)."""
    principal.require(*CASE_READERS)
    case = services.cases.get_case(case_id)
    if case is None or not principal.may_read_case(
        _organizations_up(services, principal, case.organization),
        case.submitted_by,
        {s.organization for s in case.steps},
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
    signed = apply_signature(services, case, step, signer, username=principal.username)
    return continue_case(services, signed)
