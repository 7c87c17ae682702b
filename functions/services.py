"""What the functions need from outside, as protocols, and the container the bootstrap fills."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from functions.model import Case, StatusEvent
from functions.settings import Settings
from signing.pades import TrustSettings
from templates.catalogue import Catalogue


class CaseStore(Protocol):
    def get_case(self, case_id: str) -> Case | None: ...
    def next_number(self, organization: str, document_type: str) -> int: ...
    def create_case(
        self, case: Case, events: list[StatusEvent], idempotency: tuple[str, str, str]
    ) -> bool: ...
    def update_case(
        self,
        case: Case,
        expected_version: int,
        events: list[StatusEvent],
        record: dict[str, Any] | None = None,
    ) -> None: ...
    def get_idempotency(self, caller: str, key: str) -> dict[str, Any] | None: ...
    def get_organization(self, code: str) -> dict[str, Any] | None: ...
    def get_officer(self, username: str) -> dict[str, Any] | None: ...
    def get_record(self, record_id: str) -> dict[str, Any] | None: ...
    def pending_events(self, limit: int = 100) -> list[StatusEvent]: ...
    def event_pending(self, case_id: str, version: int) -> bool: ...
    def mark_published(self, event: StatusEvent) -> None: ...
    def due_cases(self, now: str, limit: int = 100) -> list[str]: ...
    def failed_cases(self, reason: str, limit: int = 1000, page: int = 100) -> list[str]: ...
    def log_access(self, entry: dict[str, Any]) -> None: ...
    def accesses(self, record_id: str, limit: int) -> list[dict[str, Any]]: ...
    def query_records(
        self,
        index: str,
        key: str,
        at_from: str,
        at_to: str,
        equal: dict[str, str],
        scope: str,
        limit: int,
        start: dict[str, Any] | None,
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]: ...


class ArchivedRef(Protocol):
    key: str
    version_id: str


class DocumentStore(Protocol):
    def put_working(self, key: str, pdf: bytes) -> None: ...
    def delete_working(self, key: str) -> None: ...
    def remove_drafts(self, prefix: str, exact: bool = False) -> int: ...
    def get(self, key: str, version_id: str | None = None) -> bytes: ...
    def archive(
        self, key: str, data: bytes, retain_until: dt.datetime, content_type: str = ...
    ) -> Any: ...
    def first_version(self, key: str) -> Any | None: ...
    def download_url(self, archived: Any, ttl_seconds: int, file_name: str) -> str: ...


class EventPublisher(Protocol):
    def publish(self, event: StatusEvent) -> None: ...


class KeyService(Protocol):
    def raw_signer(self, key_id: str) -> Callable[[bytes], bytes]: ...


class MacService(Protocol):
    def mac(self, message: bytes) -> bytes: ...
    def verify(self, message: bytes, mac: bytes) -> bool: ...


@dataclass
class Services:
    """Everything the functions use, wired once by the bootstrap."""

    settings: Settings
    cases: CaseStore
    documents: DocumentStore
    events: EventPublisher
    keys: KeyService
    index: MacService
    catalogue: Catalogue
    trust: TrustSettings
    clock: Callable[[], dt.datetime]
