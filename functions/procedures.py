"""The procedure catalogue as the API shows it."""

from __future__ import annotations

from typing import Any

from functions.access import Principal
from functions.services import Services


def list_procedures(services: Services, principal: Principal) -> dict[str, Any]:
    """Every procedure with its input schema, a valid example and its signing steps."""
    return {"procedures": [p.public_view() for p in services.catalogue.all()]}
