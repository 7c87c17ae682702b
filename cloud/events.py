"""The event bus (EventBridge): publishes `Case Status Changed` events."""

from __future__ import annotations

import json
from typing import Any

from cloud.errors import aws_errors
from functions.errors import Unavailable
from functions.model import StatusEvent

SOURCE = "hoso"
DETAIL_TYPE = "Case Status Changed"


class EventBus:
    """Puts status events on one bus, in the order given."""

    def __init__(self, client: Any, bus_name: str) -> None:
        self._events = client
        self._bus = bus_name

    def publish(self, event: StatusEvent) -> None:
        """Publish one event; raises Unavailable if EventBridge refuses it."""
        entry = {
            "Source": SOURCE,
            "DetailType": DETAIL_TYPE,
            "Detail": json.dumps(event.detail()),
            "EventBusName": self._bus,
            "Resources": [],
        }
        with aws_errors("the event bus"):
            response = self._events.put_events(Entries=[entry])
        if response.get("FailedEntryCount"):
            code = response["Entries"][0].get("ErrorCode", "Failed")
            raise Unavailable(f"the event bus did not take the event ({code})")
