"""Batches: many cases of one procedure at once, through the work queue, and their progress.

``POST /v1/batches`` stores the items (a JSON-lines object, ``batches/{id}/items.jsonl``),
the batch and its first ``Batch Progress`` event in one commit, and queues one message to
expand it; it answers 202 at once. The worker (``app.batch_worker``, an SQS event source in
AWS, ``infra/poller.py`` under ``make run``) expands a batch ``EXPAND_CHUNK`` items a
message into one message per item, and makes each item's case with ``intake.submit_case``
under the item's ``key``: the same key space as ``POST /v1/cases``'s ``Idempotency-Key``
of that upstream, so a redelivered message, a crashed worker or a retry finds the case
already made instead of making another (no second case, number or document).

Each item ends in one outcome, recorded once (a conditional write) together with the
batch's counters: the status its case reached (``archived``, ``awaiting_signature``...),
``invalid`` (its data is not a valid case; the problems are kept) or ``failed`` (no case
could be made until the queue's last delivery). A ``Batch Progress`` event goes out at
the start, at every tenth of the items and at the end, through the outbox like every
event. A worker that dies leaves its messages undeleted: delivered again, each finds its
case made and its outcome recorded (or records it now), and reports the progress missed.

``POST /v1/batches/{id}/retries`` tries the ``failed`` items again (those no case could be
made for, and those whose case failed; ``invalid`` ones would fail the same way): the
batch is reopened with a ``Batch Progress`` event, and a ``retry`` message has the worker
hand each failed item back (``retrying``, no longer counted) and queue it again, marked so
that a failed case is resumed where it stopped. Handing back is a conditional write, so
two retries, or a redelivered retry message, queue an item at most twice, which its key
makes harmless; an item handed back but not queued (the worker died in between) is
queued by the retry message's next delivery, or by the next retry.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import logging
import uuid
from dataclasses import dataclass
from typing import Any

from functions import intake
from functions.access import UPSTREAM, Principal
from functions.automatic import continue_case, resume
from functions.errors import (
    Conflict,
    DomainError,
    Forbidden,
    Invalid,
    Malformed,
    NotFound,
    Problem,
    TooLarge,
    Unavailable,
)
from functions.limits import MAX_ITEMS as MAX_INLINE_ITEMS
from functions.limits import json_object, unknown_fields
from functions.model import (
    ARCHIVED,
    FAILED,
    ITEM_FAILED,
    ITEM_INVALID,
    ITEM_RETRYING,
    REJECTED,
    BatchProgress,
    Case,
    batch_counts,
)
from functions.publish import publish_events
from functions.schedule import is_due, iso
from functions.services import Services
from functions.text import normalize
from functions.uploads import JSON_LINES, UPLOAD_ID, SentPdf, upload_key, used
from templates.catalogue import Procedure

log = logging.getLogger(__name__)

MAX_ITEMS = 100_000
MAX_LINE_BYTES = 65_536  # an uploaded item (one line); an inline one fits the body's 1 MB
EXPAND_CHUNK = 500  # items one expand message queues
EXPAND_BYTES = 2 * 1024 * 1024  # what an expansion reads: 500 items, or one of 1 MB
MAX_PROBLEMS = 50  # problems a refused batch names
ENDS = (ARCHIVED, FAILED, REJECTED)  # a case in one of these has nothing automatic ahead
FAILURES_PAGE = 100
ITEMS_KEPT_DAYS = 30  # infra/template.yaml's expire-batch-items rule
BATCH_FIELDS = ("procedure", "organization", "items", "upload_id", "all_or_nothing")
ITEM_FIELDS = ("key", "data")


@dataclass(frozen=True)
class BatchSubmission:
    """The outcome of ``POST /v1/batches``: the batch as stored, and whether this request
    created it (False: the same Idempotency-Key and body came again)."""

    batch: dict[str, Any]
    created: bool


def items_key(batch_id: str) -> str:
    return f"batches/{batch_id}/items.jsonl"


def submit_batch(
    services: Services, principal: Principal, body: Any, idempotency_key: str | None
) -> BatchSubmission:
    """Accept ``{"procedure", "organization", "items": [{"key", "data"}], "all_or_nothing"}``,
    or ``"upload_id"`` (JSON lines, POST /v1/uploads) instead of ``items``: the envelope of
    every item is checked now (422 naming each field), each item's data by the worker."""
    principal.require(UPSTREAM)
    key = intake.idempotency_key_from(idempotency_key)
    fields = json_object(body)
    envelope = _envelope(services, fields)
    lines = [
        json.dumps({"key": item["key"], "data": item["data"]}, ensure_ascii=False)
        for item in envelope.items or []
    ]
    identity: list[Any] = ["upload", envelope.upload_id] if envelope.upload_id else lines
    request_hash = hashlib.sha256(
        json.dumps(
            [envelope.procedure, envelope.organization, envelope.all_or_nothing, identity],
            ensure_ascii=False,
        ).encode("utf-8")
    ).hexdigest()
    replay = _replay(services, principal, key, request_hash)
    if replay is not None:
        return _started(services, replay, created=False)

    batch_id = str(uuid.uuid4())
    # an upload is deleted once the batch is stored (or refused), kept when a service failed
    keeping = (
        used(services, principal, SentPdf(upload_id=envelope.upload_id))
        if envelope.upload_id
        else contextlib.nullcontext()
    )
    with keeping:
        stored = _store_batch(services, principal, envelope, batch_id, lines)
        first = BatchProgress.of(stored, {}, sequence=1, occurred_at=stored["created_at"])
        if not services.cases.create_batch(stored, first, (principal.subject, key, request_hash)):
            replay = _replay(services, principal, key, request_hash)
            if replay is None:
                raise Conflict("the batch could not be stored; try again")
            return _started(services, replay, created=False)
    publish_events(services, [first])
    return _started(services, batch_view(services, batch_id), created=True)


def _store_batch(
    services: Services,
    principal: Principal,
    envelope: _Envelope,
    batch_id: str,
    lines: list[str],
) -> dict[str, Any]:
    """Write the batch's items (``lines``, or the caller's upload, each line checked, copied
    inside S3) and return the batch to commit."""
    if envelope.upload_id is None:
        total = len(lines)
        services.documents.put_working(
            items_key(batch_id), ("\n".join(lines) + "\n").encode("utf-8"), JSON_LINES
        )
    else:
        uploaded = upload_key(principal, envelope.upload_id)
        total = _uploaded_items(services, uploaded)
        services.documents.copy_working(uploaded, items_key(batch_id))
    return {
        "id": batch_id,
        "procedure": envelope.procedure,
        "organization": envelope.organization,
        "submitted_by": principal.subject,
        "username": principal.username,
        "all_or_nothing": envelope.all_or_nothing,
        "total": total,
        "source": "upload" if envelope.upload_id else "inline",
        "created_at": iso(services.clock()),
        "finished_at": None,
    }


def _started(services: Services, batch: dict[str, Any], created: bool) -> BatchSubmission:
    """Queue the batch's expansion unless an item of it is done already (so it started).
    The queue down: Unavailable (503), and the same request again starts the stored batch;
    a second expansion of a batch queues its items again, which finds them made."""
    if batch["counts"]["queued"] == batch["total"]:
        # all or nothing: an upload's items are checked by the worker before any case
        kind = "check" if batch["all_or_nothing"] and batch["source"] == "upload" else "expand"
        services.queue.send([{"kind": kind, "batch": batch["id"], "start": 0, "offset": 0}])
    return BatchSubmission(batch, created)


@dataclass(frozen=True)
class _Envelope:
    procedure: str
    organization: str
    items: list[dict[str, Any]] | None  # inline, or None: an upload's
    upload_id: str | None
    all_or_nothing: bool


def _envelope(services: Services, fields: dict[str, Any]) -> _Envelope:
    problems = unknown_fields(fields, BATCH_FIELDS) + intake.code_problems(fields)
    all_or_nothing = fields.get("all_or_nothing", False)
    if not isinstance(all_or_nothing, bool):
        problems.append(Problem("all_or_nothing", "true or false"))
    items, upload_id = fields.get("items"), fields.get("upload_id")
    if "upload_id" in fields:
        if "items" in fields:
            problems.append(Problem("upload_id", "items or upload_id, not both"))
        elif not isinstance(upload_id, str) or not UPLOAD_ID.fullmatch(upload_id):
            problems.append(Problem("upload_id", "an id from POST /v1/uploads"))
        items = None
    elif not isinstance(items, list) or not items or len(items) > MAX_INLINE_ITEMS:
        problems.append(
            Problem(
                "items",
                f"required, a list of 1 to {MAX_INLINE_ITEMS} items (more: upload them as "
                "JSON lines and send upload_id)",
            )
        )
        items = []
    seen: dict[str, int] = {}
    for index, item in enumerate(items or []):
        problems += _item_envelope(index, item, seen)
        if len(problems) > MAX_PROBLEMS:
            break
    if problems:
        raise Invalid("the batch is not valid", problems[:MAX_PROBLEMS])
    procedure, organization = intake.catalogued(
        services, fields["procedure"], fields["organization"]
    )
    intake.step_organizations(services, procedure, organization)
    if all_or_nothing and items is not None:
        problems = [
            p
            for index, item in enumerate(items)
            for p in _data_problems(procedure, item["data"], index)
        ]
        if problems:
            raise Invalid(
                "an item is not valid: with all_or_nothing, no case is made",
                problems[:MAX_PROBLEMS],
            )
    return _Envelope(procedure.code, organization["code"], items, upload_id, all_or_nothing)


def _item_envelope(index: int, item: Any, seen: dict[str, int]) -> list[Problem]:
    """What is wrong with item ``index`` as an item (not its data): an object with a
    ``key`` no item before it has (``seen``, which it joins) and ``data``."""
    path = f"items[{index}]"
    if not isinstance(item, dict):
        return [Problem(path, "not a JSON object")]
    problems = unknown_fields(item, ITEM_FIELDS, under=f"{path}.")
    item_key = item.get("key")
    if not isinstance(item_key, str) or not intake.usable_key(item_key):
        problems.append(
            Problem(
                f"{path}.key",
                f"required, 1 to {intake.MAX_IDEMPOTENCY_KEY} printable characters",
            )
        )
    elif item_key in seen:
        problems.append(Problem(f"{path}.key", f"the same as items[{seen[item_key]}].key"))
    else:
        seen[item_key] = index
    if not isinstance(item.get("data"), dict):
        problems.append(Problem(f"{path}.data", "required, a JSON object"))
    return problems


def _uploaded_items(services: Services, key: str) -> int:
    """How many items the uploaded JSON lines at ``key`` hold, each line's envelope checked
    as an inline item's is (422 naming ``items[i]``, i counted from the first line), read
    as a stream; 413 over the upload limit."""
    try:
        size, _ = services.documents.uploaded(key)
    except NotFound:
        raise Invalid(
            "no such upload",
            [Problem("upload_id", "not found: never uploaded, expired, used, or not yours")],
        ) from None
    if size > services.settings.max_upload_bytes:
        raise TooLarge(f"the upload is over {services.settings.max_upload_bytes} bytes")
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    count = 0
    for index, line in enumerate(services.documents.lines(key)):
        count = index + 1
        if count > MAX_ITEMS:
            problems.append(Problem("upload_id", f"more than {MAX_ITEMS} items (lines)"))
            break
        problems += _line_problems(index, line, seen)
        if len(problems) > MAX_PROBLEMS:
            break
    if count == 0:
        problems.append(Problem("upload_id", "no items: the upload is empty"))
    if problems:
        raise Invalid("the batch is not valid", problems[:MAX_PROBLEMS])
    return count


def _line_problems(index: int, line: bytes, seen: dict[str, int]) -> list[Problem]:
    path = f"items[{index}]"
    if len(line) > MAX_LINE_BYTES:
        return [Problem(path, f"line {index + 1} is over {MAX_LINE_BYTES} bytes")]
    try:
        item = json.loads(line)
    except ValueError:
        return [Problem(path, f"line {index + 1} is not one JSON object in UTF-8")]
    return _item_envelope(index, item, seen)


def _data_problems(procedure: Procedure, data: dict[str, Any], index: int) -> list[Problem]:
    """What is wrong with an item's data, as ``intake.submit_case`` will judge it (its text,
    the procedure's schema, then its rules), each field named within the batch."""
    problems: list[Problem] = []
    normalized = normalize(data, "data", problems)
    if not problems:
        try:
            intake.check_data(procedure, normalized)
        except Invalid as error:
            problems = error.details
    return [Problem(f"items[{index}].{p.field}", p.problem) for p in problems]


def _replay(
    services: Services, principal: Principal, key: str, request_hash: str
) -> dict[str, Any] | None:
    entry = services.cases.get_batch_idempotency(principal.subject, key)
    if entry is None:
        return None
    intake.same_request(entry, request_hash, "batch")
    return batch_view(services, entry["batch_id"])


def retry_batch(services: Services, principal: Principal, batch_id: str) -> dict[str, Any]:
    """Reopen a batch for its failed items (its submitter); the worker queues them again.
    Conflict when none failed, or when its items are no longer kept."""
    batch, counts = _own_batch(services, principal, batch_id)
    failed = counts.get(ITEM_FAILED, 0)
    # none failed: perhaps a retry was cut short, its items handed back but not queued
    going = failed or len(_problems(services, batch_id, {ITEM_RETRYING}, limit=MAX_ITEMS))
    if not going:
        raise Conflict(f"batch {batch_id} has no failed items to retry")
    try:
        services.documents.uploaded(items_key(batch_id))
    except NotFound as error:
        raise Conflict(
            f"the items of batch {batch_id} are kept {ITEMS_KEPT_DAYS} days and are gone; "
            "submit them again in a new batch"
        ) from error
    progress = batch.get("progress") or {"sequence": 1, "tenth": 0}
    now = iso(services.clock())
    event = BatchProgress.of(batch, counts, progress["sequence"] + 1, now)
    done_after = sum(counts.values()) - failed
    reopened = {
        **batch,
        "progress": {"sequence": event.sequence, "tenth": done_after * 10 // batch["total"]},
        "finished_at": None,
    }
    if not services.cases.progress_batch(reopened, progress["sequence"], event):
        raise Conflict(f"batch {batch_id} changed meanwhile; try again")
    publish_events(services, [event])
    services.queue.send([{"kind": "retry", "batch": batch_id, "start": 0}])
    return {**_view(reopened, counts), "retrying": going}


def _problems(
    services: Services, batch_id: str, states: set[str], start: int = 0, limit: int = EXPAND_CHUNK
) -> list[dict[str, Any]]:
    """Up to ``limit`` of the batch's listed items in one of ``states``, from ``start``."""
    found: list[dict[str, Any]] = []
    while len(found) < limit:
        page = services.cases.batch_problems(batch_id, start, EXPAND_CHUNK)
        found += [p for p in page if p["state"] in states]
        if len(page) < EXPAND_CHUNK:
            break
        start = page[-1]["index"] + 1
    return found[:limit]


# --- reading ----------------------------------------------------------------------------------


def get_batch(
    services: Services, principal: Principal, batch_id: str, after: str | None = None
) -> dict[str, Any]:
    """The batch for its submitter: counts by outcome, timing, and a page of the items that
    did not become cases (``after``: the ``next`` of the page before)."""
    stored = _own_batch(services, principal, batch_id)
    start = 0
    if after is not None:
        if not after.isdigit():
            raise Invalid("not a page token", [Problem("next", "not one this API gave")])
        start = int(after)
    problems = services.cases.batch_problems(batch_id, start, FAILURES_PAGE + 1)
    view = _view(*stored)
    view["failures"] = problems[:FAILURES_PAGE]
    view["next"] = (
        str(problems[FAILURES_PAGE - 1]["index"] + 1) if len(problems) > FAILURES_PAGE else None
    )
    return view


def _own_batch(
    services: Services, principal: Principal, batch_id: str
) -> tuple[dict[str, Any], dict[str, int]]:
    """The batch and its counts, for its submitter only (another caller: NotFound)."""
    principal.require(UPSTREAM)
    stored = services.cases.get_batch(batch_id)
    if stored is None or stored[0]["submitted_by"] != principal.subject:
        raise NotFound(f"batch {batch_id} does not exist")
    return stored


def batch_view(services: Services, batch_id: str) -> dict[str, Any]:
    stored = services.cases.get_batch(batch_id)
    if stored is None:
        raise NotFound(f"batch {batch_id} does not exist")
    return _view(*stored)


def _view(batch: dict[str, Any], counts: dict[str, int]) -> dict[str, Any]:
    return {
        "id": batch["id"],
        "procedure": batch["procedure"],
        "organization": batch["organization"],
        "all_or_nothing": batch["all_or_nothing"],
        "source": batch.get("source", "inline"),
        "total": batch["total"],
        "counts": batch_counts(batch["total"], counts),
        "created_at": batch["created_at"],
        "finished_at": batch.get("finished_at"),
    }


# --- the worker -------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueMessage:
    """One message of the work queue as the worker gets it."""

    message_id: str
    body: str  # JSON: {"kind": "expand", ...} or {"kind": "item", ...}
    receive_count: int  # this delivery's number (SQS ApproximateReceiveCount)


def work(services: Services, messages: list[QueueMessage]) -> list[str]:
    """The worker: expand batches and make their items' cases; returns the ids of the
    messages to deliver again (an outage). The cases' events of the whole delivery go out
    together afterwards, up to ten cases a PutEvents call."""
    collected: list[Any] = []
    deferring = dataclasses.replace(services, deferred_events=collected)
    again = []
    for message in messages:
        try:
            body = json.loads(message.body)
            kind = body.get("kind") if isinstance(body, dict) else None
            if kind not in ("expand", "check", "item", "retry"):
                raise ValueError(kind)
        except ValueError:
            log.warning("a work message of no known kind was dropped")
            continue
        last = message.receive_count >= services.settings.queue_max_receives
        try:
            if kind == "expand":
                _expand(deferring, str(body["batch"]), int(body["start"]), body.get("offset", 0))
            elif kind == "check":
                _check_all(deferring, str(body["batch"]))
            elif kind == "retry":
                _hand_back(deferring, str(body["batch"]), int(body["start"]))
            else:
                _make_item(deferring, body, last)
        except Unavailable as error:
            if not (last and kind == "item" and _give_up(deferring, body, error.message)):
                again.append(message.message_id)
    publish_events(services, collected)
    return again


def _expand(services: Services, batch_id: str, start: int, offset: int) -> None:
    """Queue the items from ``start`` (at byte ``offset`` of the items), up to
    ``EXPAND_CHUNK`` of them, then the rest's expansion: one ranged read, never the whole
    object; sending again what a redelivery sent already is harmless."""
    data, size = services.documents.read_range(items_key(batch_id), offset, EXPAND_BYTES)
    lines = data.split(b"\n")
    if offset + len(data) < size or not lines[-1]:
        lines.pop()  # cut short by the range (or the empty end after the last newline)
    chunk = lines[:EXPAND_CHUNK]
    if not chunk and offset < size:  # no line ends within the range: none is this long
        log.error("batch %s: no line ends within %d bytes of %d", batch_id, EXPAND_BYTES, offset)
        return
    messages = [
        {"kind": "item", "batch": batch_id, "index": start + position, **json.loads(line)}
        for position, line in enumerate(chunk)
    ]
    following = offset + sum(len(line) + 1 for line in chunk)
    if following < size:
        messages.append(
            {"kind": "expand", "batch": batch_id, "start": start + len(chunk), "offset": following}
        )
    services.queue.send(messages)


def _check_all(services: Services, batch_id: str) -> None:
    """All or nothing, for an uploaded batch: every item's data checked before any case is
    made. All valid: the expansion is queued. Otherwise no case is made: each invalid item
    is recorded ``invalid`` with its problems, the others ``skipped`` at once."""
    stored = services.cases.get_batch(batch_id)
    if stored is None:
        log.warning("a check of an unknown batch was dropped")
        return
    batch = stored[0]
    procedure, _ = intake.catalogued(services, batch["procedure"], batch["organization"])
    invalid = []
    for index, line in enumerate(services.documents.lines(items_key(batch_id))):
        item = json.loads(line)
        problems = _data_problems(procedure, item["data"], index)
        if problems:
            invalid.append({"index": index, "key": item["key"], "problems": problems})
    if not invalid:
        services.queue.send([{"kind": "expand", "batch": batch_id, "start": 0, "offset": 0}])
        return
    for item in invalid:
        errors = [{"field": p.field, "problem": p.problem} for p in item.pop("problems")]
        services.cases.record_item(batch_id, {**item, "state": ITEM_INVALID, "errors": errors})
    services.cases.skip_items(batch_id, batch["total"] - len(invalid))
    report_progress(services, batch_id)


def _hand_back(services: Services, batch_id: str, start: int) -> None:
    """Queue again the failed items from ``start`` (up to ``EXPAND_CHUNK``), each handed
    back first, then the rest's retry; a redelivery finds them handed back and queues
    them again, which their keys make harmless."""
    chosen = _problems(services, batch_id, {ITEM_FAILED, ITEM_RETRYING}, start)
    if not chosen:
        return
    lines = services.documents.get(items_key(batch_id)).decode("utf-8").splitlines()
    messages = [
        {"kind": "item", "batch": batch_id, "index": item["index"], "retry": True}
        | json.loads(lines[item["index"]])
        for item in chosen
        if item["state"] == ITEM_RETRYING or services.cases.hand_back_item(batch_id, item)
    ]
    if len(chosen) == EXPAND_CHUNK:
        messages.append({"kind": "retry", "batch": batch_id, "start": chosen[-1]["index"] + 1})
    services.queue.send(messages)


def _make_item(services: Services, body: dict[str, Any], last: bool) -> None:
    batch_id, index = str(body["batch"]), int(body["index"])
    stored = services.cases.get_batch(batch_id)
    if stored is None:
        log.warning("an item of an unknown batch was dropped")
        return
    batch = stored[0]
    upstream = Principal(batch["submitted_by"], batch["username"], frozenset({UPSTREAM}), None)
    case_body = {
        "procedure": batch["procedure"],
        "organization": batch["organization"],
        "data": body["data"],
    }
    try:
        case = intake.submit_case(services, upstream, case_body, str(body["key"])).case
        if body.get("retry") and case.status == FAILED and not case.drafts_removed:
            case = resume(services, case, due_now=True)
        case = _made(services, case, last)
        outcome: dict[str, Any] = {"state": case.status, "case_id": case.id}
        if case.failure is not None:
            outcome["errors"] = [
                {
                    "field": f"items[{index}]",
                    "problem": f"its case failed ({case.failure.reason}): {case.failure.message}",
                }
            ]
    except (Invalid, Malformed, Forbidden) as error:
        outcome = {"state": ITEM_INVALID, "errors": _item_problems(index, error)}
    except Conflict as error:
        if not any(p.field == "headers.Idempotency-Key" for p in error.details):
            raise Unavailable(error.message) from error  # a race lost: try again
        outcome = {"state": ITEM_INVALID, "errors": _item_problems(index, error)}
    _record(services, batch_id, index, str(body["key"]), outcome)


def _made(services: Services, case: Case, last: bool) -> Case:
    """``case`` once its automatic steps are done: a case a crashed worker left halfway
    (found again under its key) is taken on if its step is due, and one whose step is
    not done yet (postponed, or held by another worker's lease) is tried again on the next
    delivery (Unavailable), unless this is the last: then it is recorded as it stands, and
    the sweep finishes it."""
    if case.status in ENDS or case.automatic_step() is None:
        return case
    if is_due(case, services.clock()):
        case = continue_case(services, case)
    if case.status not in ENDS and case.automatic_step() is not None and not last:
        raise Unavailable(f"case {case.id} is not done yet")
    return case


def _item_problems(index: int, error: DomainError) -> list[dict[str, str]]:
    """The error's problems, each field named within the batch (``items[3].data.x``)."""
    problems = error.details or [Problem("data", error.message)]
    return [
        {
            "field": f"items[{index}].key"
            if p.field == "headers.Idempotency-Key"
            else f"items[{index}].{p.field}",
            "problem": p.problem,
        }
        for p in problems
    ]


def _give_up(services: Services, body: dict[str, Any], reason: str) -> bool:
    """The last delivery of an item failed: record it as failed (True), so the batch ends
    (False: that failed too; the message goes to the dead-letter queue)."""
    outcome = {
        "state": ITEM_FAILED,
        "errors": [{"field": f"items[{body['index']}]", "problem": reason}],
    }
    try:
        _record(services, str(body["batch"]), int(body["index"]), str(body["key"]), outcome)
    except Unavailable:
        return False
    return True


def _record(
    services: Services, batch_id: str, index: int, key: str, outcome: dict[str, Any]
) -> None:
    """Record an item's outcome once (a redelivery finds it recorded) with the batch's
    counters, then the progress the batch reached."""
    services.cases.record_item(batch_id, {"index": index, "key": key, **outcome})
    report_progress(services, batch_id)


def report_progress(services: Services, batch_id: str) -> None:
    """A `Batch Progress` event for each tenth of the batch newly passed (one event for
    several at once) and at the end, committed with the batch's new progress."""
    stored = services.cases.get_batch(batch_id)
    if stored is None:
        return
    batch, counts = stored
    done = sum(counts.values())
    tenth = done * 10 // batch["total"]
    progress = batch.get("progress") or {"sequence": 1, "tenth": 0}
    if tenth <= progress["tenth"]:
        return
    now = iso(services.clock())
    event = BatchProgress.of(batch, counts, progress["sequence"] + 1, now)
    changed = {
        **batch,
        "progress": {"sequence": event.sequence, "tenth": tenth},
        "finished_at": now if done >= batch["total"] else None,
    }
    if services.cases.progress_batch(changed, progress["sequence"], event):
        publish_events(services, [event])
