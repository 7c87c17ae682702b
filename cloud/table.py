"""The case table (DynamoDB): cases, numbering, idempotency, outbox, records, directory."""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import time
import uuid
from collections import OrderedDict
from typing import Any

from botocore.exceptions import ClientError

from cloud.errors import aws_errors, error_code
from functions.errors import Conflict, DomainError
from functions.model import (
    ITEM_FAILED,
    ITEM_RETRYING,
    ITEM_SKIPPED,
    PROBLEM_OUTCOMES,
    BatchProgress,
    Case,
    Event,
    StatusEvent,
    event_from_outbox,
    event_to_outbox,
)
from functions.schedule import utc_key

log = logging.getLogger(__name__)

Item = dict[str, Any]
DUE_INDEX = "due"  # sparse index (infra/template.yaml): work a sweep must finish, by due time
FAILED_INDEX = "failed"  # sparse index: failed cases by their failure reason
# the directory's entries by kind (the `directory` index, keyed on `dir_kind`, sorted by pk)
DIRECTORY_KINDS = {"ORG#": "organization", "OFFICER#": "person"}
# GET /v1/cases: index -> the attribute it is keyed on (each sorted by `case_at`, newest first)
CASE_INDEXES = {
    "cases_by_submitter": "case_submitter",
    "cases_by_organization": "case_org",
    "inbox": "case_inbox",
}
CASE_FILTERS = {"status": "case_status", "procedure": "case_procedure"}  # filter -> attribute
OUTBOX = "outbox"  # events committed but not yet published
WORK = "work"  # cases whose next step is automatic (seal, archive, removing drafts)
SERVICE = "the case table"
AUDIT_CURSOR = "AUDIT#cursor"
SESSION_KEPT_AFTER = dt.timedelta(days=1)  # a signing session, after it expired
BATCH_PROBLEMS_INDEX = "batch_problems"  # sparse: a batch's items that did not become cases
COUNT_PREFIX = "n_"  # a batch's counter of one outcome: n_archived, n_invalid...


def _doc(pk: str, doc: dict[str, Any], **extra: Item) -> Item:
    item: Item = {"pk": {"S": pk}, "doc": {"S": json.dumps(doc, ensure_ascii=False)}}
    kind = next((k for prefix, k in DIRECTORY_KINDS.items() if pk.startswith(prefix)), None)
    if kind is not None:  # a directory entry: listed by the `directory` index
        item["dir_kind"] = {"S": kind}
    item.update(extra)
    return item


# A record's search attributes (infra/template.yaml's records_by_* indexes), from the
# "index" the archive step gives it; `rec_scope` holds its organisation and those above.
RECORD_INDEX_ATTRIBUTES = {
    "year": "rec_year",
    "at": "rec_at",
    "procedure": "rec_procedure",
    "organization": "rec_organization",
    "number": "rec_number",
    "card": "rec_card",
    "original_year": "rec_original_year",
    "original_date": "rec_original_date",
}
# index -> (its hash attribute, its sort attribute), names of RECORD_INDEX_ATTRIBUTES
RECORD_INDEXES = {
    "records_by_year": ("year", "at"),
    "records_by_procedure": ("procedure", "at"),
    "records_by_organization": ("organization", "at"),
    "records_by_number": ("number", "at"),
    "records_by_card": ("card", "at"),
    "records_by_original_date": ("original_year", "original_date"),
}


def record_search_attributes(record: dict[str, Any]) -> dict[str, Item]:
    index = record.get("index") or {}
    attributes: dict[str, Item] = {
        RECORD_INDEX_ATTRIBUTES[name]: {"S": value}
        for name, value in index.items()
        if name in RECORD_INDEX_ATTRIBUTES and value
    }
    if index.get("scope"):
        attributes["rec_scope"] = {"SS": sorted(index["scope"])}
    return attributes


def _log_state_changes(events: list[StatusEvent]) -> None:
    """One log line per committed state change: ids and statuses, never case data."""
    for event in events:
        log.info(
            "state change",
            extra={
                "case_id": event.case_id,
                "procedure": event.procedure,
                "organization": event.organization,
                "previous_status": event.previous_status,
                "status": event.status,
                "version": event.version,
            },
        )


def _case_item(case: Case) -> Item:
    """A case's item. One with an automatic step ahead is queued for the sweep at its due
    time; a failed one is findable by its reason; every one is listed by its submitter and
    its organisation, and one awaiting an officer in that organisation's inbox."""
    created = dt.datetime.fromisoformat(case.created_at)
    extra: dict[str, Item] = {
        "version": {"N": str(case.version)},
        "case_submitter": {"S": case.submitted_by},
        "case_org": {"S": case.organization},
        "case_at": {"S": f"{utc_key(created)}#{case.id}"},
        "case_status": {"S": case.status or ""},
        "case_procedure": {"S": case.procedure},
    }
    inbox = case.inbox_organization()
    if inbox is not None:
        extra["case_inbox"] = {"S": inbox}
    if case.automatic_step() is not None and case.due_at is not None:
        extra["queue"] = {"S": WORK}
        extra["due_at"] = {"S": case.due_at}
    if case.failure is not None:
        extra["failure_reason"] = {"S": case.failure.reason}
    return _doc(f"CASE#{case.id}", case.to_item(), **extra)


def _outbox_key(case_id: str, version: int) -> str:
    return f"OUTBOX#{case_id}:{version}"


def _outbox_put(table: str, event: Event) -> Item:
    return {
        "Put": {
            "TableName": table,
            "Item": _doc(
                _outbox_key(event.case_id, event.version),
                event_to_outbox(event),
                queue={"S": OUTBOX},
                due_at={"S": event.occurred_at},
            ),
            "ConditionExpression": "attribute_not_exists(pk)",
        }
    }


def _race_lost(what: str) -> Any:
    """A cancelled transaction as the Conflict of losing a race for ``what``."""

    def known(error: ClientError) -> DomainError | None:
        if error_code(error) == "TransactionCanceledException":
            return Conflict(f"{what} was changed by someone else; read it again")
        return None

    return known


class _Claimed(DomainError):
    pass


def _claimed(error: ClientError) -> DomainError | None:
    if error_code(error) == "ConditionalCheckFailedException":
        return _Claimed("the session was used")
    return None


class _ClearedHere:
    """The newest outbox event of recent cases that this process cleared: nothing older of
    such a case waits (a case's events are sent and cleared in version order)."""

    def __init__(self, size: int = 10_000) -> None:
        self._size = size
        self._versions: OrderedDict[str, int] = OrderedDict()
        self._lock = threading.Lock()

    def remember(self, case_id: str, version: int) -> None:
        with self._lock:
            self._versions[case_id] = max(version, self._versions.get(case_id, 0))
            self._versions.move_to_end(case_id)
            while len(self._versions) > self._size:
                self._versions.popitem(last=False)

    def cleared(self, case_id: str, version: int) -> bool:
        with self._lock:
            return self._versions.get(case_id, 0) >= version


class CaseTable:
    """Single-table storage. Every case change is one transaction with its outbox events."""

    def __init__(self, client: Any, table_name: str) -> None:
        self._db = client
        self._table = table_name
        self._cleared = _ClearedHere()

    # --- plain documents -------------------------------------------------
    def _get(self, pk: str) -> dict[str, Any] | None:
        with aws_errors(SERVICE):
            response = self._db.get_item(
                TableName=self._table, Key={"pk": {"S": pk}}, ConsistentRead=True
            )
        item = response.get("Item")
        return json.loads(item["doc"]["S"]) if item else None

    def put_document(self, pk: str, doc: dict[str, Any]) -> None:
        """Write a document as is (the audit's cursor, a directory entry the deployment
        writes)."""
        with aws_errors(SERVICE):
            self._db.put_item(TableName=self._table, Item=_doc(pk, doc))

    def get_organization(self, code: str) -> dict[str, Any] | None:
        return self._get(f"ORG#{code}")

    def get_officer(self, username: str) -> dict[str, Any] | None:
        return self._get(f"OFFICER#{username}")

    def get_record(self, record_id: str) -> dict[str, Any] | None:
        return self._get(f"RECORD#{record_id}")

    def get_idempotency(self, caller: str, key: str) -> dict[str, Any] | None:
        return self._get(f"IDEMPOTENCY#{caller}#{key}")

    # --- cases -------------------------------------------------------------
    def get_case(self, case_id: str) -> Case | None:
        doc = self._get(f"CASE#{case_id}")
        return Case.from_item(doc) if doc else None

    def next_number(self, organization: str, document_type: str) -> int:
        """Atomically allocate the next document number of an organisation and type."""
        with aws_errors(SERVICE):
            response = self._db.update_item(
                TableName=self._table,
                Key={"pk": {"S": f"COUNTER#{organization}#{document_type}"}},
                UpdateExpression="ADD #n :one",
                ExpressionAttributeNames={"#n": "n"},
                ExpressionAttributeValues={":one": {"N": "1"}},
                ReturnValues="UPDATED_NEW",
            )
        return int(response["Attributes"]["n"]["N"])

    def _committed(self, items: list[Item], what: str) -> bool:
        """Run one transaction about ``what``; False when a condition failed (someone else
        was first)."""
        try:
            with aws_errors(SERVICE, _race_lost(what)):
                self._db.transact_write_items(TransactItems=items)
        except Conflict:
            return False
        return True

    def create_case(
        self,
        case: Case,
        events: list[StatusEvent],
        idempotency: tuple[str, str, str],
    ) -> bool:
        """Store a new case, its idempotency entry and its events in one transaction.

        ``idempotency`` is (caller, key, request hash). Returns False when the
        idempotency key was taken meanwhile (another request won the race).
        """
        caller, key, request_hash = idempotency
        items = [
            {
                "Put": {
                    "TableName": self._table,
                    "Item": _case_item(case),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
            {
                "Put": {
                    "TableName": self._table,
                    "Item": _doc(
                        f"IDEMPOTENCY#{caller}#{key}",
                        {"case_id": case.id, "request_hash": request_hash},
                    ),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
            *(_outbox_put(self._table, e) for e in events),
        ]
        if not self._committed(items, f"case {case.id}"):
            return False
        _log_state_changes(events)
        return True

    def update_case(
        self,
        case: Case,
        expected_version: int,
        events: list[StatusEvent],
        record: dict[str, Any] | None = None,
    ) -> None:
        """Write ``case`` if it is still at ``expected_version``, with its events (and record),
        in one transaction. With no events, the case's version stays (bookkeeping: retries,
        drafts removed).

        Raises Conflict when someone else changed the case first.
        """
        items: list[Item] = [
            {
                "Put": {
                    "TableName": self._table,
                    "Item": _case_item(case),
                    "ConditionExpression": "#v = :expected",
                    "ExpressionAttributeNames": {"#v": "version"},
                    "ExpressionAttributeValues": {":expected": {"N": str(expected_version)}},
                }
            },
            *(_outbox_put(self._table, e) for e in events),
        ]
        if record is not None:
            items.append(
                {
                    "Put": {
                        "TableName": self._table,
                        "Item": _doc(
                            f"RECORD#{record['id']}", record, **record_search_attributes(record)
                        ),
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                }
            )
        with aws_errors(SERVICE, _race_lost(f"case {case.id}")):
            self._db.transact_write_items(TransactItems=items)
        _log_state_changes(events)

    # --- the sweep's work ----------------------------------------------------
    def _queued(self, queue: str, due_by: str, limit: int) -> list[dict[str, Any]]:
        with aws_errors(SERVICE):
            response = self._db.query(
                TableName=self._table,
                IndexName=DUE_INDEX,
                KeyConditionExpression="#q = :queue AND due_at <= :due_by",
                ExpressionAttributeNames={"#q": "queue"},
                ExpressionAttributeValues={":queue": {"S": queue}, ":due_by": {"S": due_by}},
                Limit=limit,
            )
        return [json.loads(item["doc"]["S"]) for item in response.get("Items", [])]

    def pending_events(self, limit: int = 100) -> list[Event]:
        """Events committed but not yet published (up to ``limit``), oldest first."""
        events = [event_from_outbox(doc) for doc in self._queued(OUTBOX, "9999", limit)]
        events.sort(key=lambda e: (e.occurred_at, e.case_id, e.version))
        return events

    def event_pending(self, case_id: str, version: int) -> bool:
        """Whether the event of ``case_id`` at ``version`` still waits in the outbox (no read
        when this process cleared it, or a newer one of the case, itself)."""
        if self._cleared.cleared(case_id, version):
            return False
        return self._get(_outbox_key(case_id, version)) is not None

    def mark_published(self, events: list[Event]) -> list[Event]:
        """Remove published events from the outbox (at most 25, one write); the ones
        removed. Those DynamoDB left unprocessed stay, sent again later."""
        if not events:
            return []
        by_key = {_outbox_key(e.case_id, e.version): e for e in events}
        requests = [{"DeleteRequest": {"Key": {"pk": {"S": key}}}} for key in by_key]
        with aws_errors(SERVICE):
            response = self._db.batch_write_item(RequestItems={self._table: requests})
        left = {
            request["DeleteRequest"]["Key"]["pk"]["S"]
            for request in response.get("UnprocessedItems", {}).get(self._table, [])
        }
        cleared = [event for key, event in by_key.items() if key not in left]
        for event in cleared:
            self._cleared.remember(event.case_id, event.version)
        return cleared

    def due_cases(self, now: str, limit: int = 100) -> list[str]:
        """Ids of cases whose automatic step is due at ``now`` (ISO time), earliest first."""
        return [str(doc["id"]) for doc in self._queued(WORK, now, limit)]

    # The mutation run (`make mutation`, issue 7) covers the spine's failure logic: the case,
    # its outbox, its due work and its numbers. The record index, sessions, the directory and
    # the batches below have their own tests and are left out of it: with them the run took
    # a day of this machine's two cores (bench/RESULTS.md, section 3).
    # pragma: no mutate start
    def query_records(
        self,
        index: str,
        key: str,
        ranges: dict[str, tuple[str, str]],
        equal: dict[str, str],
        scope: str | None,
        limit: int,
        start: dict[str, Any] | None,
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        """One page of the records whose ``index`` attribute is ``key``, newest first by
        the index's sort attribute, within ``ranges`` (index attribute -> (lowest,
        highest): the sort attribute's is the key condition, any other a filter), matching
        ``equal`` (index attribute -> value) and visible from ``scope`` (None: all, for
        the audit); and where the next page starts (None: no more)."""
        hash_name, sort_name = RECORD_INDEXES[index]
        lowest, highest = ranges.get(sort_name, ("0", "~"))
        names: dict[str, str] = {}
        values: dict[str, Item] = {}
        conditions = []
        if scope is not None:
            names["#scope"], values[":scope"] = "rec_scope", {"S": scope}
            conditions.append("contains(#scope, :scope)")
        equal_attributes = {RECORD_INDEX_ATTRIBUTES[name]: value for name, value in equal.items()}
        others = sorted((n, r) for n, r in ranges.items() if n != sort_name)
        for i, (name, (low, high)) in enumerate(others):
            names[f"#r{i}"] = RECORD_INDEX_ATTRIBUTES[name]
            values[f":r{i}lo"], values[f":r{i}hi"] = {"S": low}, {"S": high}
            conditions.append(f"#r{i} BETWEEN :r{i}lo AND :r{i}hi")
        return self._newest_first(
            index,
            (RECORD_INDEX_ATTRIBUTES[hash_name], key),
            (RECORD_INDEX_ATTRIBUTES[sort_name], lowest, highest),
            (conditions, names, values, equal_attributes),
            limit,
            start,
        )

    def query_cases(
        self,
        index: str,
        key: str,
        equal: dict[str, str],
        limit: int,
        start: dict[str, Any] | None,
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        """One page of the cases whose ``index`` attribute (CASE_INDEXES) is ``key``, newest
        first, matching ``equal`` (CASE_FILTERS' names -> value); and where the next page
        starts (None: no more)."""
        equal_attributes = {CASE_FILTERS[name]: value for name, value in equal.items()}
        return self._newest_first(
            index,
            (CASE_INDEXES[index], key),
            ("case_at", "0", "~"),
            ([], {}, {}, equal_attributes),
            limit,
            start,
        )

    def _newest_first(
        self,
        index: str,
        hashed: tuple[str, str],
        sort: tuple[str, str, str],
        filters: tuple[list[str], dict[str, str], dict[str, Item], dict[str, str]],
        limit: int,
        start: dict[str, Any] | None,
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        """One page of ``index`` where the ``hashed`` attribute has its value, the ``sort``
        attribute is within (lowest, highest), newest first; ``filters`` are conditions with
        their names and values, and attributes that must equal a value."""
        conditions, names, values, equal = filters
        names = {**names, "#h": hashed[0], "#s": sort[0]}
        values = {**values, ":h": {"S": hashed[1]}, ":lo": {"S": sort[1]}, ":hi": {"S": sort[2]}}
        conditions = list(conditions)
        for i, (attribute, value) in enumerate(sorted(equal.items())):
            names[f"#f{i}"], values[f":f{i}"] = attribute, {"S": value}
            conditions.append(f"#f{i} = :f{i}")
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": index,
            "KeyConditionExpression": "#h = :h AND #s BETWEEN :lo AND :hi",
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
            "ScanIndexForward": False,
            "Limit": limit,
        }
        if conditions:
            request["FilterExpression"] = " AND ".join(conditions)
        return self._query_page(request, start)

    def _query_page(
        self, request: dict[str, Any], start: dict[str, Any] | None
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        """One page of a Query (from ``start``, a LastEvaluatedKey): its documents, and
        where the next page starts (None: no more)."""
        if start:
            request = {**request, "ExclusiveStartKey": start}
        with aws_errors(SERVICE):
            response = self._db.query(**request)
        docs = [json.loads(item["doc"]["S"]) for item in response.get("Items", [])]
        return docs, response.get("LastEvaluatedKey")

    def put_record(self, record: dict[str, Any]) -> None:
        """Replace a record's index entry (the audit's renewal points it at a new version)."""
        item = _doc(f"RECORD#{record['id']}", record, **record_search_attributes(record))
        with aws_errors(SERVICE):
            self._db.put_item(TableName=self._table, Item=item)

    def get_audit_cursor(self) -> dict[str, Any] | None:
        """Where the audit's next batch starts (None: at the beginning)."""
        return self._get(AUDIT_CURSOR)

    def put_audit_cursor(self, cursor: dict[str, Any]) -> None:
        self.put_document(AUDIT_CURSOR, cursor)

    def log_access(self, entry: dict[str, Any]) -> None:
        """Keep one access to a record (``record_id``, ``at``, ``by``, ``action``) for good."""
        # the sort key orders accesses within one second of the platform clock too
        order = f"{entry['at']}#{time.time_ns():020d}"
        extra = {"acc_record": {"S": entry["record_id"]}, "acc_at": {"S": order}}
        item = _doc(f"ACCESS#{uuid.uuid4()}", entry, **extra)
        with aws_errors(SERVICE):
            self._db.put_item(TableName=self._table, Item=item)

    def accesses(self, record_id: str, limit: int) -> list[dict[str, Any]]:
        """The newest ``limit`` accesses to a record, newest first."""
        with aws_errors(SERVICE):
            response = self._db.query(
                TableName=self._table,
                IndexName="accesses",
                KeyConditionExpression="acc_record = :record",
                ExpressionAttributeValues={":record": {"S": record_id}},
                ScanIndexForward=False,
                Limit=limit,
            )
        return [json.loads(item["doc"]["S"]) for item in response.get("Items", [])]

    # --- signing sessions ------------------------------------------------------
    def put_signing_session(self, session: dict[str, Any]) -> None:
        """Keep a signing session (functions/sessions.py); DynamoDB removes it a day after
        it expires (the table's time to live, ``expires``)."""
        expires = dt.datetime.fromisoformat(session["expires_at"]) + SESSION_KEPT_AFTER
        item = _doc(
            f"SESSION#{session['id']}", session, expires={"N": str(int(expires.timestamp()))}
        )
        with aws_errors(SERVICE):
            self._db.put_item(TableName=self._table, Item=item)

    def get_signing_session(self, session_id: str) -> dict[str, Any] | None:
        """A signing session, with ``used`` true once it was claimed."""
        with aws_errors(SERVICE):
            response = self._db.get_item(
                TableName=self._table,
                Key={"pk": {"S": f"SESSION#{session_id}"}},
                ConsistentRead=True,
            )
        item = response.get("Item")
        if not item:
            return None
        return {**json.loads(item["doc"]["S"]), "used": "sess_used" in item}

    def claim_signing_session(self, session_id: str) -> bool:
        """Mark a session used; False if it was already (only one finish may commit)."""
        try:
            with aws_errors(SERVICE, _claimed):
                self._db.update_item(
                    TableName=self._table,
                    Key={"pk": {"S": f"SESSION#{session_id}"}},
                    UpdateExpression="SET sess_used = :yes",
                    ConditionExpression="attribute_exists(pk) AND attribute_not_exists(sess_used)",
                    ExpressionAttributeValues={":yes": {"BOOL": True}},
                )
        except _Claimed:
            return False
        return True

    # --- the web app's sessions (web/sessions.py) -------------------------------
    def put_web_session(self, key: str, session: dict[str, Any], expires: int) -> None:
        """Keep a signed-in person's session; DynamoDB removes it after ``expires`` (epoch
        seconds, the table's time to live), and reads treat it as gone from then on."""
        item = _doc(f"WEB#{key}", session, expires={"N": str(expires)})
        with aws_errors(SERVICE):
            self._db.put_item(TableName=self._table, Item=item)

    def get_web_session(self, key: str) -> dict[str, Any] | None:
        return self._get(f"WEB#{key}")

    def delete_web_session(self, key: str) -> None:
        with aws_errors(SERVICE):
            self._db.delete_item(TableName=self._table, Key={"pk": {"S": f"WEB#{key}"}})

    # --- the directory ---------------------------------------------------------
    def save_directory_entry(
        self, pk: str, entry: dict[str, Any] | None, expected_version: int | None, change: Item
    ) -> None:
        """Write (``entry``) or remove (None) the directory entry ``pk`` together with the
        ``change`` that records it; Conflict if the stored entry's ``version`` is no longer
        ``expected_version`` (None: there must be none)."""
        if expected_version is None:
            condition: dict[str, Any] = {"ConditionExpression": "attribute_not_exists(pk)"}
        elif expected_version == 0:  # an entry written before entries had versions
            condition = {
                "ConditionExpression": "attribute_exists(pk) AND attribute_not_exists(dir_version)"
            }
        else:
            condition = {
                "ConditionExpression": "dir_version = :expected",
                "ExpressionAttributeValues": {":expected": {"N": str(expected_version)}},
            }
        if entry is None:
            write: Item = {
                "Delete": {"TableName": self._table, "Key": {"pk": {"S": pk}}, **condition}
            }
        else:
            item = _doc(pk, entry, dir_version={"N": str(entry["version"])})
            write = {"Put": {"TableName": self._table, "Item": item, **condition}}
        order = f"{change['at']}#{time.time_ns():020d}"
        record = _doc(
            f"CHANGE#{uuid.uuid4()}",
            change,
            chg_subject={"S": pk},
            chg_at={"S": order},
        )
        with aws_errors(SERVICE, _race_lost(f"directory entry {pk}")):
            self._db.transact_write_items(
                TransactItems=[write, {"Put": {"TableName": self._table, "Item": record}}]
            )

    def directory_entries(
        self, kind: str, limit: int, start: dict[str, Any] | None
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        """A page of the directory's entries of ``kind`` (organization, person) in key order,
        and where the next page starts (None: no more)."""
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": "directory",
            "KeyConditionExpression": "dir_kind = :kind",
            "ExpressionAttributeValues": {":kind": {"S": kind}},
            "Limit": limit,
        }
        return self._query_page(request, start)

    def directory_changes(self, pk: str, limit: int) -> list[dict[str, Any]]:
        """The newest ``limit`` changes of the directory entry ``pk``, newest first."""
        with aws_errors(SERVICE):
            response = self._db.query(
                TableName=self._table,
                IndexName="changes",
                KeyConditionExpression="chg_subject = :subject",
                ExpressionAttributeValues={":subject": {"S": pk}},
                ScanIndexForward=False,
                Limit=limit,
            )
        return [json.loads(item["doc"]["S"]) for item in response.get("Items", [])]

    # pragma: no mutate end

    def failed_cases(self, reason: str, limit: int = 1000, page: int = 100) -> list[str]:
        """Ids of failed cases whose failure reason is ``reason`` (up to ``limit``, read
        ``page`` at a time)."""
        found: list[str] = []
        start: dict[str, Any] | None = None
        while len(found) < limit:
            extra = {"ExclusiveStartKey": start} if start else {}
            with aws_errors(SERVICE):
                response = self._db.query(
                    TableName=self._table,
                    IndexName=FAILED_INDEX,
                    KeyConditionExpression="failure_reason = :reason",
                    ExpressionAttributeValues={":reason": {"S": reason}},
                    Limit=page,
                    **extra,
                )
            found += [json.loads(item["doc"]["S"])["id"] for item in response.get("Items", [])]
            start = response.get("LastEvaluatedKey")
            if not start:
                break
        return found[:limit]

    # --- batches ----------------------------------------------------------------------------
    # pragma: no mutate start
    def create_batch(
        self, batch: dict[str, Any], first: BatchProgress, idempotency: tuple[str, str, str]
    ) -> bool:
        """Store a new batch, its idempotency entry and its first progress event in one
        transaction; False when the key was taken meanwhile."""
        caller, key, request_hash = idempotency
        items = [
            {
                "Put": {
                    "TableName": self._table,
                    "Item": _doc(f"BATCH#{batch['id']}", batch, progress_seq={"N": "1"}),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
            {
                "Put": {
                    "TableName": self._table,
                    "Item": _doc(
                        f"BATCHKEY#{caller}#{key}",
                        {"batch_id": batch["id"], "request_hash": request_hash},
                    ),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
            _outbox_put(self._table, first),
        ]
        return self._committed(items, f"batch {batch['id']}")

    def get_batch_idempotency(self, caller: str, key: str) -> dict[str, Any] | None:
        return self._get(f"BATCHKEY#{caller}#{key}")

    def get_batch(self, batch_id: str) -> tuple[dict[str, Any], dict[str, int]] | None:
        """A batch and its counts by outcome (the counters its items added)."""
        with aws_errors(SERVICE):
            response = self._db.get_item(
                TableName=self._table, Key={"pk": {"S": f"BATCH#{batch_id}"}}, ConsistentRead=True
            )
        item = response.get("Item")
        if item is None:
            return None
        counts = {
            name[len(COUNT_PREFIX) :]: int(value["N"])
            for name, value in item.items()
            if name.startswith(COUNT_PREFIX) and int(value["N"]) > 0
        }
        return json.loads(item["doc"]["S"]), counts

    def record_item(self, batch_id: str, outcome: dict[str, Any]) -> bool:
        """Record an item's outcome and count it, once: False if it was recorded before (a
        redelivered message). Items that did not become cases are listed by
        ``batch_problems``."""
        state = str(outcome["state"])
        extra: dict[str, Item] = {"outcome": {"S": state}}
        if state in PROBLEM_OUTCOMES:
            extra |= {"bp_batch": {"S": batch_id}, "bp_index": {"N": str(outcome["index"])}}
        items = [
            {
                "Put": {
                    "TableName": self._table,
                    "Item": _doc(f"BATCH#{batch_id}#{outcome['index']:06d}", outcome, **extra),
                    # once: not recorded yet, or handed back by a retry
                    "ConditionExpression": "attribute_not_exists(pk) OR outcome = :retrying",
                    "ExpressionAttributeValues": {":retrying": {"S": ITEM_RETRYING}},
                }
            },
            {
                "Update": {
                    "TableName": self._table,
                    "Key": {"pk": {"S": f"BATCH#{batch_id}"}},
                    "UpdateExpression": "ADD #n :one",
                    "ExpressionAttributeNames": {"#n": f"{COUNT_PREFIX}{state}"},
                    "ExpressionAttributeValues": {":one": {"N": "1"}},
                    "ConditionExpression": "attribute_exists(pk)",
                }
            },
        ]
        return self._committed(items, f"item {outcome['index']} of batch {batch_id}")

    def hand_back_item(self, batch_id: str, outcome: dict[str, Any]) -> bool:
        """A failed item goes back to the queue's side of the batch (a retry): its outcome
        becomes ``retrying`` (still listed, so that a retry cut short finds it again) and
        the batch's failed counter loses it, once: False if it is not failed now."""
        retrying = {**outcome, "state": ITEM_RETRYING}
        items = [
            {
                "Update": {
                    "TableName": self._table,
                    "Key": {"pk": {"S": f"BATCH#{batch_id}#{outcome['index']:06d}"}},
                    "UpdateExpression": "SET #doc = :doc, outcome = :retrying",
                    "ConditionExpression": "outcome = :failed",
                    "ExpressionAttributeNames": {"#doc": "doc"},
                    "ExpressionAttributeValues": {
                        ":doc": {"S": json.dumps(retrying, ensure_ascii=False)},
                        ":retrying": {"S": ITEM_RETRYING},
                        ":failed": {"S": ITEM_FAILED},
                    },
                }
            },
            {
                "Update": {
                    "TableName": self._table,
                    "Key": {"pk": {"S": f"BATCH#{batch_id}"}},
                    "UpdateExpression": "ADD #n :less",
                    "ExpressionAttributeNames": {"#n": f"{COUNT_PREFIX}{ITEM_FAILED}"},
                    "ExpressionAttributeValues": {":less": {"N": "-1"}},
                    "ConditionExpression": "attribute_exists(pk)",
                }
            },
        ]
        return self._committed(items, f"item {outcome['index']} of batch {batch_id}")

    def skip_items(self, batch_id: str, count: int) -> bool:
        """Count ``count`` items of the batch ``skipped`` at once, once: False if they were
        counted before (a redelivered message)."""
        item = {
            "Update": {
                "TableName": self._table,
                "Key": {"pk": {"S": f"BATCH#{batch_id}"}},
                "UpdateExpression": "ADD #n :count",
                "ConditionExpression": "attribute_exists(pk) AND attribute_not_exists(#n)",
                "ExpressionAttributeNames": {"#n": f"{COUNT_PREFIX}{ITEM_SKIPPED}"},
                "ExpressionAttributeValues": {":count": {"N": str(count)}},
            }
        }
        return self._committed([item], f"batch {batch_id}")

    def batch_problems(self, batch_id: str, start: int, limit: int) -> list[dict[str, Any]]:
        """The items of a batch that did not become cases, from index ``start``, in order."""
        with aws_errors(SERVICE):
            response = self._db.query(
                TableName=self._table,
                IndexName=BATCH_PROBLEMS_INDEX,
                KeyConditionExpression="bp_batch = :batch AND bp_index >= :start",
                ExpressionAttributeValues={
                    ":batch": {"S": batch_id},
                    ":start": {"N": str(start)},
                },
                Limit=limit,
            )
        return [json.loads(item["doc"]["S"]) for item in response.get("Items", [])]

    def progress_batch(
        self, batch: dict[str, Any], expected_sequence: int, event: BatchProgress
    ) -> bool:
        """Write the batch's progress with its event, if no one reported it meanwhile."""
        items = [
            {
                "Update": {
                    "TableName": self._table,
                    "Key": {"pk": {"S": f"BATCH#{batch['id']}"}},
                    "UpdateExpression": "SET #doc = :doc, progress_seq = :new",
                    "ConditionExpression": "progress_seq = :expected",
                    "ExpressionAttributeNames": {"#doc": "doc"},
                    "ExpressionAttributeValues": {
                        ":doc": {"S": json.dumps(batch, ensure_ascii=False)},
                        ":new": {"N": str(event.sequence)},
                        ":expected": {"N": str(expected_sequence)},
                    },
                }
            },
            _outbox_put(self._table, event),
        ]
        return self._committed(items, f"batch {batch['id']}")

    # pragma: no mutate end
