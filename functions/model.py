"""The case model and its state machine: statuses, steps, signatures and legal transitions."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar

from functions.errors import Conflict

VIETNAM = dt.timezone(dt.timedelta(hours=7), "ICT")  # documents are dated in Vietnam time

SUBMITTED = "submitted"
AWAITING_SIGNATURE = "awaiting_signature"
SEALED = "sealed"
ARCHIVED = "archived"
REJECTED = "rejected"
FAILED = "failed"

TRANSITIONS: dict[str | None, set[str]] = {
    None: {SUBMITTED},
    SUBMITTED: {AWAITING_SIGNATURE, FAILED},
    AWAITING_SIGNATURE: {AWAITING_SIGNATURE, SEALED, REJECTED, FAILED},
    SEALED: {ARCHIVED, FAILED},
    ARCHIVED: set(),
    REJECTED: set(),
    FAILED: {AWAITING_SIGNATURE, SEALED},  # an admin's retry resumes where it stopped
}
CASE_STATUSES = sorted(s for s in TRANSITIONS if s is not None)

# The automatic steps a case can be waiting for (Case.automatic_step).
SEAL_STEP = "seal"
ARCHIVE_STEP = "archive"
REMOVE_DRAFTS_STEP = "remove_drafts"

STEP_WAITING = "waiting"
STEP_PENDING = "pending"
STEP_SIGNED = "signed"
STEP_REJECTED = "rejected"

ROLE_SEAL = "seal"


@dataclass
class Step:
    """One signing step: who signs (role, organisation) and where it stands."""

    index: int
    role: str
    organization: str
    title: str = ""
    status: str = STEP_WAITING


@dataclass
class Signature:
    """A signature applied to the case's document."""

    step: int
    kind: str  # "officer" | "seal"
    signer: str
    signed_at: str
    level: str
    field: str
    username: str | None = None  # the officer's user name; None for the seal
    timestamped_at: str | None = None  # the time of the signature's timestamp token


@dataclass
class Document:
    """The case's current PDF: where it lies and what it is."""

    key: str
    sha256: str
    pages: int
    size: int
    version_id: str | None = None  # set once the document is the archived record


@dataclass
class Failure:
    """Why a case stopped for good (``failed``): a machine-readable reason, after how many
    attempts, when, and the status an admin's retry resumes from."""

    reason: str
    message: str
    attempts: int
    at: str
    resume_status: str

    def public_view(self) -> dict[str, Any]:
        return {
            "reason": self.reason,
            "message": self.message,
            "attempts": self.attempts,
            "at": self.at,
        }


@dataclass
class Rejection:
    """An officer's refusal to sign, which ended the case: why, who, when, at which step."""

    reason: str
    by: str
    at: str
    step: int

    def public_view(self) -> dict[str, Any]:
        return {"reason": self.reason, "by": self.by, "at": self.at}


@dataclass
class Retry:
    """Attempts at the case's automatic step that met a transient error (a service down)."""

    attempts: int
    since: str  # when the first of them failed: the retry budget counts from here
    last_error: str
    next_attempt_at: str


@dataclass
class Case:
    """A procedure case from submission to archive."""

    id: str
    procedure: str
    procedure_version: str
    organization: str
    submitted_by: str
    created_at: str
    data: dict[str, Any]
    number: str
    steps: list[Step]
    document: Document
    status: str | None = None
    version: int = 0
    signatures: list[Signature] = field(default_factory=list)
    record_id: str | None = None
    history: list[dict[str, Any]] = field(default_factory=list)
    failure: Failure | None = None
    rejection: Rejection | None = None
    retry: Retry | None = None
    due_at: str | None = None  # when the sweep should run the automatic step, if any
    drafts_removed: bool = False
    # doubts about the submitted text ({"field", "problem"}): accepted, shown to the
    # officers before they sign (functions/text.py)
    warnings: list[dict[str, str]] = field(default_factory=list)

    def move_to(self, status: str, at: str) -> tuple[str | None, str]:
        """Apply a legal transition; returns (previous status, new status)."""
        if status not in TRANSITIONS[self.status]:
            raise Conflict(f"case {self.id} cannot go from {self.status} to {status}")
        previous = self.status
        self.status = status
        self.version += 1
        self.history.append({"status": status, "version": self.version, "at": at})
        return previous, status

    def advance(self, status: str, at: str) -> StatusEvent:
        """Apply a legal transition and return its status event."""
        previous, _ = self.move_to(status, at)
        return StatusEvent.for_case(self, previous, at)

    def current_step(self) -> Step | None:
        """The step whose turn it is, or None when no signature is awaited."""
        if self.status != AWAITING_SIGNATURE:
            return None
        return next((s for s in self.steps if s.status == STEP_PENDING), None)

    def inbox_organization(self) -> str | None:
        """The organisation whose officer must sign next (its inbox lists the case), or None
        when no officer's signature is awaited."""
        step = self.current_step()
        return step.organization if step is not None and step.role != ROLE_SEAL else None

    def step_organizations(self) -> set[str]:
        """The organisations of the case's steps (their officers see its data)."""
        return {s.organization for s in self.steps}

    def seal_is_due(self) -> bool:
        """Whether the pending step is the organisation seal."""
        step = self.current_step()
        return step is not None and step.role == ROLE_SEAL

    def automatic_step(self) -> str | None:
        """The step the platform itself must take next (seal, archive, remove the working
        drafts), or None when the case waits for a person or has nothing left to do."""
        if self.seal_is_due():
            return SEAL_STEP
        if self.status == SEALED:
            return ARCHIVE_STEP
        if self.status in {ARCHIVED, FAILED, REJECTED} and not self.drafts_removed:
            return REMOVE_DRAFTS_STEP
        return None

    def signed_by(self, username: str) -> Signature | None:
        """The signature ``username`` already gave this case, if any: one officer never
        signs two steps of a case."""
        return next((s for s in self.signatures if s.username == username), None)

    def complete_step(self, step: Step) -> Step | None:
        """Mark ``step`` signed and make the next one pending; returns the next step."""
        step.status = STEP_SIGNED
        following = [s for s in self.steps if s.index > step.index]
        if following:
            following[0].status = STEP_PENDING
            return following[0]
        return None

    def to_item(self) -> dict[str, Any]:
        """The case as stored: every field, including the submitted data."""
        return asdict(self)

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> Case:
        """Rebuild a case from what ``to_item`` produced."""
        values = dict(item)
        values["steps"] = [Step(**s) for s in item["steps"]]
        values["signatures"] = [Signature(**s) for s in item["signatures"]]
        values["document"] = Document(**item["document"])
        values["failure"] = Failure(**item["failure"]) if item.get("failure") else None
        values["retry"] = Retry(**item["retry"]) if item.get("retry") else None
        values["rejection"] = Rejection(**item["rejection"]) if item.get("rejection") else None
        return cls(**values)

    def public_view(self) -> dict[str, Any]:
        """The API shape of a case (DESIGN.md): no storage keys, no submitter id."""
        return {
            "id": self.id,
            "procedure": self.procedure,
            "procedure_version": self.procedure_version,
            "organization": self.organization,
            "status": self.status,
            "version": self.version,
            "number": self.number,
            "steps": [
                {
                    "index": s.index,
                    "role": s.role,
                    "organization": s.organization,
                    "status": s.status,
                }
                for s in self.steps
            ],
            "signatures": [
                {
                    "step": s.step,
                    "kind": s.kind,
                    "signer": s.signer,
                    "signed_at": s.signed_at,
                    "timestamped_at": s.timestamped_at,
                    "level": s.level,
                }
                for s in self.signatures
            ],
            "document": {"sha256": self.document.sha256, "pages": self.document.pages},
            "record_id": self.record_id,
            "warnings": [dict(w) for w in self.warnings],
            "rejection": self.rejection.public_view() if self.rejection else None,
            "failure": self.failure.public_view() if self.failure else None,
            "retry": (
                {
                    "attempts": self.retry.attempts,
                    "since": self.retry.since,
                    "last_error": self.retry.last_error,
                    "next_attempt_at": self.retry.next_attempt_at,
                }
                if self.retry
                else None
            ),
            "created_at": self.created_at,
            "history": list(self.history),
        }


@dataclass(frozen=True)
class StatusEvent:
    """A `Case Status Changed` event: ids and states only, never personal data."""

    event_id: str
    case_id: str
    procedure: str
    organization: str
    upstream: str  # the client that submitted the case: each upstream's rule sees its own
    status: str
    previous_status: str | None
    version: int
    occurred_at: str
    record_id: str | None

    detail_type: ClassVar[str] = "Case Status Changed"

    @classmethod
    def for_case(cls, case: Case, previous: str | None, occurred_at: str) -> StatusEvent:
        """The event for the transition that just brought ``case`` to its status."""
        return cls(
            event_id=f"{case.id}:{case.version}",
            case_id=case.id,
            procedure=case.procedure,
            organization=case.organization,
            upstream=case.submitted_by,
            status=str(case.status),
            previous_status=previous,
            version=case.version,
            occurred_at=occurred_at,
            record_id=case.record_id,
        )

    def detail(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class BatchProgress:
    """A `Batch Progress` event: a batch's counts by outcome, no item's content. It goes
    through the outbox as a case's events do, ordered by ``sequence`` (the publisher reads
    ``case_id`` and ``version``, here the batch's id and that sequence)."""

    event_id: str
    batch_id: str
    upstream: str  # the client that submitted the batch: each upstream's rule sees its own
    counts: dict[str, int]
    occurred_at: str
    sequence: int

    detail_type: ClassVar[str] = "Batch Progress"

    @classmethod
    def of(
        cls, batch: dict[str, Any], counts: dict[str, int], sequence: int, occurred_at: str
    ) -> BatchProgress:
        return cls(
            event_id=f"{batch['id']}:progress:{sequence}",
            batch_id=batch["id"],
            upstream=batch["submitted_by"],
            counts={"total": batch["total"], **batch_counts(batch["total"], counts)},
            occurred_at=occurred_at,
            sequence=sequence,
        )

    @property
    def case_id(self) -> str:
        return self.batch_id

    @property
    def version(self) -> int:
        return self.sequence

    def detail(self) -> dict[str, Any]:
        return {
            "event_id": self.event_id,
            "batch_id": self.batch_id,
            "upstream": self.upstream,
            "counts": self.counts,
            "occurred_at": self.occurred_at,
        }


Event = StatusEvent | BatchProgress  # what the outbox holds


def batch_counts(total: int, counts: dict[str, int]) -> dict[str, int]:
    """A batch's counts by outcome, with ``queued`` for the items not done yet."""
    return {"queued": total - sum(counts.values()), **dict(sorted(counts.items()))}


# A batch item's outcome when it did not become a case (otherwise: its case's status)
ITEM_INVALID = "invalid"  # its data is not a valid case
ITEM_FAILED = "failed"  # no case could be made until the queue's last delivery
ITEM_RETRYING = "retrying"  # failed, handed back to the queue by a retry (not counted)
ITEM_SKIPPED = "skipped"  # valid, not made: an all-or-nothing batch had an invalid item
PROBLEM_OUTCOMES = (ITEM_INVALID, ITEM_FAILED)


def event_from_outbox(doc: dict[str, Any]) -> Event:
    """An outbox row's event (a row written before batches is a case's)."""
    if doc.get("kind") == "batch_progress":
        return BatchProgress(**{k: v for k, v in doc.items() if k != "kind"})
    return StatusEvent(**{k: v for k, v in doc.items() if k != "kind"})


def event_to_outbox(event: Event) -> dict[str, Any]:
    if isinstance(event, BatchProgress):
        return {"kind": "batch_progress", **asdict(event)}
    return asdict(event)
