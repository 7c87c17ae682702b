"""Who may do what: the caller (principal) and the rules on roles and organisations."""

from __future__ import annotations

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

    def may_read_case(self, organization: str, submitted_by: str) -> bool:
        """Upstream reads its own cases, officers their organisation's, archivists all."""
        if "archivist" in self.roles or "admin" in self.roles:
            return True
        if "officer" in self.roles and self.organization == organization:
            return True
        return "upstream" in self.roles and self.subject == submitted_by
