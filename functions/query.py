"""Reads a request's query parameters: only the names a route knows, booleans as true/false."""

from __future__ import annotations

from collections.abc import Collection

from functions.errors import Malformed, Problem


def only_known(params: Collection[str], known: Collection[str]) -> None:
    """Malformed (400) naming each parameter of ``params`` that is not one of ``known``."""
    unknown = sorted(set(params) - set(known))
    if unknown:
        raise Malformed(
            "unknown query parameters",
            [Problem(f"query.{name}", f"not one of: {', '.join(known)}") for name in unknown],
        )


def flag(value: str | None, name: str) -> bool:
    """A boolean parameter: absent or "false" is False, "true" True; else Malformed (400)."""
    if value not in (None, "true", "false"):
        raise Malformed(
            f"{name} must be true or false", [Problem(f"query.{name}", "not a boolean")]
        )
    return value == "true"
