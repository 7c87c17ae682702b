"""The one event publisher: relays committed status events from the outbox to the bus."""

from __future__ import annotations

import logging

from functions.errors import Unavailable
from functions.model import StatusEvent
from functions.services import Services

log = logging.getLogger(__name__)


def publish_events(services: Services, events: list[StatusEvent]) -> int:
    """Publish events that were committed, each case's in version order; returns how many
    went out. Never raises for an outage: what is not published stays in the outbox.

    A case's event is not sent while an older event of the same case still waits in the
    outbox (a bus outage, a crash between sending and clearing it): it waits for the
    sweep, which sends the older one first. Versions of a case are consecutive, so
    checking the one before is enough.
    """
    sent = 0
    published: set[tuple[str, int]] = set()
    held: set[str] = set()
    for event in sorted(events, key=lambda e: (e.case_id, e.version)):
        if event.case_id in held:
            continue
        try:
            if _older_waits(services, event, published):
                held.add(event.case_id)
                continue
            services.events.publish(event)
        except Unavailable as error:
            log.warning("event %s stays in the outbox: %s", event.event_id, error.message)
            return sent  # the bus (or the table) is down: the sweep sends the rest
        sent += 1
        try:
            services.cases.mark_published(event)
        except Unavailable as error:
            # Sent but still in the outbox: sent again later (consumers de-duplicate by
            # event_id); meanwhile the case's later events wait behind it.
            log.warning("event %s sent, not cleared: %s", event.event_id, error.message)
            held.add(event.case_id)
            continue
        published.add((event.case_id, event.version))
    return sent


def _older_waits(services: Services, event: StatusEvent, published: set[tuple[str, int]]) -> bool:
    before = (event.case_id, event.version - 1)
    if event.version <= 1 or before in published:
        return False
    return services.cases.event_pending(*before)


def publish_pending(services: Services) -> int:
    """Sweep the outbox (scheduled): publish whatever a crash or outage left behind."""
    return publish_events(services, services.cases.pending_events())
