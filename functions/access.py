"""Who may do what: the caller (principal) and the rules on roles and organisations."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from functions.errors import Forbidden


@dataclass(frozen=True)
class Principal:
    """The verified caller: token subject, username, roles and organisation."""

    subject: str
    username: str
    roles: frozenset[str]
    organization: str | None

    def require(self, *roles: str) -> None:
        """Forbidden unless the caller has one of ``roles``."""
        if not self.roles.intersection(roles):
            raise Forbidden(f"this needs one of the roles: {', '.join(roles)}")

    def may_read_case(
        self, organization: str, submitted_by: str, step_organizations: Collection[str] = ()
    ) -> bool:
        """Upstream reads its own cases; officers those of their organisation and those with
        a step for their organisation (the ward confirming a cell's document); archivists all."""
        if "archivist" in self.roles or "admin" in self.roles:
            return True
        officer_of_case = (
            "officer" in self.roles
            and self.organization is not None
            and self.organization in {organization, *step_organizations}
        )
        return officer_of_case or ("upstream" in self.roles and self.subject == submitted_by)
