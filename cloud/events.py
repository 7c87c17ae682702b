"""The event bus (EventBridge): case status, batch progress and record integrity events."""

from __future__ import annotations

import json
from typing import Any

from cloud.errors import aws_errors
from functions.errors import Unavailable
from functions.model import Event

SOURCE = "hoso"
INTEGRITY_DETAIL_TYPE = "Record Integrity Failed"


class EventBus:
    """Puts status events on one bus."""

    def __init__(self, client: Any, bus_name: str) -> None:
        self._events = client
        self._bus = bus_name

    def publish_all(self, events: list[Event]) -> list[Event]:
        """Publish up to 10 events in one call; the ones EventBridge took (it may refuse
        some entries and take the others). Raises Unavailable if it took none."""
        if not events:
            return []
        taken = self._put([self._entry(e.detail_type, e.detail()) for e in events])
        return [event for event, took in zip(events, taken, strict=False) if took]

    def publish_integrity_failure(self, record_id: str, problem: str, occurred_at: str) -> None:
        """A `Record Integrity Failed` event: the record's id and the problem, no content."""
        detail = {
            "event_id": f"{record_id}:integrity:{occurred_at}",
            "record_id": record_id,
            "problem": problem,
            "occurred_at": occurred_at,
        }
        self._put([self._entry(INTEGRITY_DETAIL_TYPE, detail)])

    def _entry(self, detail_type: str, detail: dict[str, Any]) -> dict[str, Any]:
        return {
            "Source": SOURCE,
            "DetailType": detail_type,
            "Detail": json.dumps(detail),
            "EventBusName": self._bus,
            "Resources": [],
        }

    def _put(self, entries: list[dict[str, Any]]) -> list[bool]:
        """One PutEvents call: whether EventBridge took each entry; Unavailable if none."""
        with aws_errors("the event bus"):
            response = self._events.put_events(Entries=entries)
        results = response.get("Entries", [])
        taken = ["EventId" in result for result in results]
        if not any(taken):
            code = next((r.get("ErrorCode") for r in results if r.get("ErrorCode")), "Failed")
            raise Unavailable(f"the event bus did not take the events ({code})")
        return taken
