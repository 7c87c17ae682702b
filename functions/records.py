"""Reading cases, their documents and archived records, within what the caller may see."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from functions.access import Principal
from functions.errors import NotFound
from functions.services import Services
from functions.signatures import load_case


@dataclass(frozen=True)
class ObjectRef:
    """An archived object's key and version."""

    key: str
    version_id: str


def get_case(services: Services, principal: Principal, case_id: str) -> dict[str, Any]:
    """The API view of a case."""
    return load_case(services, principal, case_id).public_view()


def get_case_document(services: Services, principal: Principal, case_id: str) -> tuple[str, bytes]:
    """The case's current PDF (draft, partly signed or final) and a file name for it."""
    case = load_case(services, principal, case_id)
    return f"{case.id}.pdf", services.documents.get(case.document.key)


def get_record(services: Services, principal: Principal, record_id: str) -> dict[str, Any]:
    """An archived record's metadata with a short-lived download URL (archivists)."""
    principal.require("archivist", "admin")
    record = services.cases.get_record(record_id)
    if record is None:
        raise NotFound(f"record {record_id} does not exist")
    archived = ObjectRef(**record["object"])
    url = services.documents.download_url(
        archived, services.settings.download_url_ttl_seconds, f"{record_id}.pdf"
    )
    view = {k: v for k, v in record.items() if k != "object"}
    view["download_url"] = url
    view.setdefault("validation", None)
    return view
