"""Who may do what: the caller, from a verified token and the directory, and the rules."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from functions.errors import Forbidden

if TYPE_CHECKING:
    from functions.services import Services

UPSTREAM = "upstream"
PEOPLE_ROLES = ("officer", "archivist", "admin")  # what a directory entry's ``role`` may be
CASE_READERS = (UPSTREAM, "officer", "archivist")  # who may read a case (each within its scope)
ACTIVE = "active"
MAX_ORGANIZATION_LEVELS = 10  # a directory deeper than this is a loop


@dataclass(frozen=True)
class Identity:
    """What a verified token proves: who the caller is and the groups the pool gives them.
    It decides nothing for people: the directory does (``caller``)."""

    subject: str
    username: str
    groups: frozenset[str]


@dataclass(frozen=True)
class Principal:
    """The caller as the rules see it: token subject, username, roles and organisation."""

    subject: str
    username: str
    roles: frozenset[str]
    organization: str | None

    def require(self, *roles: str) -> None:
        """Forbidden unless the caller has one of ``roles``."""
        if not self.roles.intersection(roles):
            raise Forbidden(f"this needs one of the roles: {', '.join(roles)}")

    def may_read_case(
        self,
        organizations_up: list[str],
        submitted_by: str,
        step_organizations: Collection[str] = (),
    ) -> bool:
        """Upstream reads its own cases; officers those of their organisation and those with
        a step for their organisation (the ward confirming a cell's document); archivists
        those of their organisation and the ones below it. ``organizations_up`` is the
        case's organisation, then its parent, and so on up (organization_chain)."""
        if UPSTREAM in self.roles and self.subject == submitted_by:
            return True
        if self.organization is None:
            return False
        if "officer" in self.roles and self.organization in {
            organizations_up[0],
            *step_organizations,
        }:
            return True
        return "archivist" in self.roles and self.organization in organizations_up

    def may_read_data(self, submitted_by: str, step_organizations: Collection[str]) -> bool:
        """A case's submitted data (personal data) is for its submitter and the officers of
        its steps' organisations; archivists read the document, admins nothing."""
        if UPSTREAM in self.roles and self.subject == submitted_by:
            return True
        return "officer" in self.roles and self.organization in step_organizations


def principal_of(identity: Identity, entry: dict[str, Any] | None) -> Principal:
    """The principal of ``identity`` given its directory ``entry`` (None: not in it).

    Upstream systems are the pool's ``upstream`` group. For people the directory decides
    role, organisation and status: an entry that is missing or not active is Forbidden,
    and a role counts only when the directory grants it and the pool's groups agree."""
    if UPSTREAM in identity.groups:
        return Principal(identity.subject, identity.username, frozenset({UPSTREAM}), None)
    if entry is None or entry.get("status") != ACTIVE:
        raise Forbidden("your account is not active in hoso's directory")
    granted = {entry.get("role")} & set(PEOPLE_ROLES) & identity.groups
    organization = entry.get("organization")
    return Principal(
        identity.subject,
        identity.username,
        frozenset(str(role) for role in granted),
        organization if isinstance(organization, str) else None,
    )


def caller(services: Services, identity: Identity) -> Principal:
    """The principal of a request: its token's ``identity`` and, for people, the directory
    entry read now (so a suspension or a move counts at once, whatever the token says)."""
    person = UPSTREAM not in identity.groups
    return principal_of(identity, services.cases.get_officer(identity.username) if person else None)


def organization_chain(
    get_organization: Callable[[str], dict[str, Any] | None], code: str
) -> list[str]:
    """``code``, its parent, the parent's parent… as the directory records them."""
    chain = [code]
    while len(chain) < MAX_ORGANIZATION_LEVELS:
        entry = get_organization(chain[-1])
        parent = entry.get("parent") if entry else None
        if not isinstance(parent, str) or parent in chain:
            break
        chain.append(parent)
    return chain
