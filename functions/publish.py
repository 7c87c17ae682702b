"""The one event publisher: relays committed status events from the outbox to the bus."""

from __future__ import annotations

import logging

from functions.errors import Unavailable
from functions.model import StatusEvent
from functions.services import Services

log = logging.getLogger(__name__)


def publish_events(services: Services, events: list[StatusEvent]) -> int:
    """Publish events that were just committed, in order; returns how many went out.

    An event that cannot be published stays in the outbox for ``publish_pending``.
    """
    sent = 0
    for event in events:
        try:
            services.events.publish(event)
        except Unavailable:
            log.warning("event %s stays in the outbox: the bus is unavailable", event.event_id)
            return sent
        services.cases.mark_published(event)
        sent += 1
    return sent


def publish_pending(services: Services) -> int:
    """Sweep the outbox (scheduled): publish whatever a crash or outage left behind."""
    return publish_events(services, services.cases.pending_events())
