"""The case table (DynamoDB): cases, numbering, idempotency, outbox, records, directory."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from cloud.errors import error_code, unavailable
from functions.errors import Conflict
from functions.model import Case, StatusEvent

Item = dict[str, Any]
QUEUE_INDEX = "queue"  # sparse index (infra/template.yaml): work a sweep must finish
OUTBOX = "outbox"  # events committed but not yet published
SEAL = "seal"  # cases whose seal step is pending


def _doc(pk: str, doc: dict[str, Any], **extra: Item) -> Item:
    item: Item = {"pk": {"S": pk}, "doc": {"S": json.dumps(doc, ensure_ascii=False)}}
    item.update(extra)
    return item


def _case_item(case: Case) -> Item:
    """A case's item; one whose pending step is the seal is queued for the sweep."""
    extra: dict[str, Item] = {"version": {"N": str(case.version)}}
    if case.seal_is_due():
        extra["queue"] = {"S": SEAL}
    return _doc(f"CASE#{case.id}", case.to_item(), **extra)


def _outbox_put(table: str, event: StatusEvent) -> Item:
    pk = f"OUTBOX#{event.event_id}"
    return {
        "Put": {
            "TableName": table,
            "Item": _doc(pk, event.detail(), queue={"S": OUTBOX}),
            "ConditionExpression": "attribute_not_exists(pk)",
        }
    }


class CaseTable:
    """Single-table storage. Every case change is one transaction with its outbox events."""

    def __init__(self, client: Any, table_name: str) -> None:
        self._db = client
        self._table = table_name

    # --- plain documents -------------------------------------------------
    def _get(self, pk: str) -> dict[str, Any] | None:
        try:
            response = self._db.get_item(
                TableName=self._table, Key={"pk": {"S": pk}}, ConsistentRead=True
            )
        except ClientError as error:
            raise unavailable("the case table", error) from error
        item = response.get("Item")
        return json.loads(item["doc"]["S"]) if item else None

    def put_document(self, pk: str, doc: dict[str, Any]) -> None:
        """Write a directory document (organisation, officer) as is."""
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
        try:
            response = self._db.update_item(
                TableName=self._table,
                Key={"pk": {"S": f"COUNTER#{organization}#{document_type}"}},
                UpdateExpression="ADD #n :one",
                ExpressionAttributeNames={"#n": "n"},
                ExpressionAttributeValues={":one": {"N": "1"}},
                ReturnValues="UPDATED_NEW",
            )
        except ClientError as error:
            raise unavailable("the case table", error) from error
        return int(response["Attributes"]["n"]["N"])

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
        try:
            self._db.transact_write_items(TransactItems=items)
        except ClientError as error:
            if error_code(error) == "TransactionCanceledException":
                return False
            raise unavailable("the case table", error) from error
        return True

    def update_case(
        self,
        case: Case,
        expected_version: int,
        events: list[StatusEvent],
        record: dict[str, Any] | None = None,
    ) -> None:
        """Write ``case`` if it is still at ``expected_version``, with its events (and record).

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
                        "Item": _doc(f"RECORD#{record['id']}", record),
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                }
            )
        try:
            self._db.transact_write_items(TransactItems=items)
        except ClientError as error:
            if error_code(error) == "TransactionCanceledException":
                raise Conflict(
                    f"case {case.id} was changed by someone else; read it again"
                ) from error
            raise unavailable("the case table", error) from error

    # --- outbox --------------------------------------------------------------
    def _queued(self, queue: str, limit: int) -> list[dict[str, Any]]:
        try:
            response = self._db.query(
                TableName=self._table,
                IndexName=QUEUE_INDEX,
                KeyConditionExpression="#q = :queue",
                ExpressionAttributeNames={"#q": "queue"},
                ExpressionAttributeValues={":queue": {"S": queue}},
                Limit=limit,
            )
        except ClientError as error:
            raise unavailable("the case table", error) from error
        return [json.loads(item["doc"]["S"]) for item in response.get("Items", [])]

    def pending_events(self, limit: int = 100) -> list[StatusEvent]:
        """Events committed but not yet published (up to ``limit``), oldest first."""
        events = [StatusEvent(**doc) for doc in self._queued(OUTBOX, limit)]
        events.sort(key=lambda e: (e.occurred_at, e.case_id, e.version))
        return events

    def cases_awaiting_seal(self, limit: int = 100) -> list[str]:
        """Ids of cases whose pending step is the seal (sealing was postponed or is due)."""
        return [str(doc["id"]) for doc in self._queued(SEAL, limit)]

    def mark_published(self, event: StatusEvent) -> None:
        """Remove a published event from the outbox."""
        self._db.delete_item(TableName=self._table, Key={"pk": {"S": f"OUTBOX#{event.event_id}"}})
