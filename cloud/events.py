"""The event bus (EventBridge): publishes `Case Status Changed` and `Record Integrity Failed`."""

from __future__ import annotations

import json
from typing import Any

from cloud.errors import aws_errors
from functions.errors import Unavailable
from functions.model import StatusEvent

SOURCE = "hoso"
DETAIL_TYPE = "Case Status Changed"
INTEGRITY_DETAIL_TYPE = "Record Integrity Failed"


class EventBus:
    """Puts status events on one bus, in the order given."""

    def __init__(self, client: Any, bus_name: str) -> None:
        self._events = client
        self._bus = bus_name

    def publish(self, event: StatusEvent) -> None:
        """Publish one event; raises Unavailable if EventBridge refuses it."""
        self._put(DETAIL_TYPE, event.detail())

    def publish_integrity_failure(self, record_id: str, problem: str, occurred_at: str) -> None:
        """A `Record Integrity Failed` event: the record's id and the problem, no content."""
        detail = {
            "event_id": f"{record_id}:integrity:{occurred_at}",
            "record_id": record_id,
            "problem": problem,
            "occurred_at": occurred_at,
        }
        self._put(INTEGRITY_DETAIL_TYPE, detail)

    def _put(self, detail_type: str, detail: dict[str, Any]) -> None:
        entry = {
            "Source": SOURCE,
            "DetailType": detail_type,
            "Detail": json.dumps(detail),
            "EventBusName": self._bus,
            "Resources": [],
        }
        with aws_errors("the event bus"):
            response = self._events.put_events(Entries=[entry])
        if response.get("FailedEntryCount"):
            code = response["Entries"][0].get("ErrorCode", "Failed")
            raise Unavailable(f"the event bus did not take the event ({code})")
