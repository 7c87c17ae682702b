"""The one event publisher: relays committed status events from the outbox to the bus."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from functions.errors import Unavailable
from functions.model import Event
from functions.services import Services

log = logging.getLogger(__name__)

EVENTS_PER_CALL = 10  # EventBridge's PutEvents takes at most 10 entries


def publish_events(services: Services, events: Sequence[Event]) -> int:
    """Publish events that were committed, each case's in version order; returns how many
    went out. Never raises for an outage: what is not published stays in the outbox.

    The events go out in rounds, each round holding at most one event per case (the bus
    does not keep the order of the entries of one call), sent up to ``EVENTS_PER_CALL``
    in a call and cleared from the outbox together.

    A case's event is not sent while an older event of the same case still waits in the
    outbox (a bus outage, a crash between sending and clearing it): it waits for the
    sweep, which sends the older one first. Versions of a case are consecutive, so
    checking the one before is enough.

    A worker handling many cases (``services.deferred_events``) collects their events
    instead, and publishes them together once (they are in the outbox meanwhile).
    """
    if services.deferred_events is not None:
        services.deferred_events.extend(events)
        return 0
    queues: dict[str, list[Event]] = {}
    for event in sorted(events, key=lambda e: (e.case_id, e.version)):
        queues.setdefault(event.case_id, []).append(event)
    sent = 0
    try:
        queues = {
            case: queue for case, queue in queues.items() if not _older_waits(services, queue[0])
        }
        while queues:
            round_ = [queue[0] for queue in queues.values()]
            for start in range(0, len(round_), EVENTS_PER_CALL):
                went_out, held = _send(services, round_[start : start + EVENTS_PER_CALL])
                sent += went_out
                for event in held:
                    queues.pop(event.case_id)
            for case in [e.case_id for e in round_ if e.case_id in queues]:
                queues[case].pop(0)
                if not queues[case]:
                    del queues[case]
    except Unavailable as error:
        log.warning("events stay in the outbox: %s", error.message)  # the sweep sends them
    return sent


def _send(services: Services, chunk: list[Event]) -> tuple[int, list[Event]]:
    """One call to the bus for ``chunk`` (one event per case), then one to clear what it
    took: how many went out, and the events whose case must wait (not sent, or sent and
    not cleared). Raises Unavailable when the bus took none of them."""
    taken = services.events.publish_all(chunk)
    refused = [e for e in chunk if e not in taken]
    for event in refused:
        log.warning("event %s stays in the outbox: the bus refused it", event.event_id)
    cleared: list[Event] = []
    try:
        cleared = services.cases.mark_published(taken)
    except Unavailable as error:
        log.warning("%d events sent, not cleared: %s", len(taken), error.message)
    # Sent but still in the outbox: sent again later (consumers de-duplicate by event_id);
    # meanwhile the case's later events wait behind it.
    uncleared = [e for e in taken if e not in cleared]
    return len(taken), refused + uncleared


def _older_waits(services: Services, event: Event) -> bool:
    if event.version <= 1:
        return False
    return services.cases.event_pending(event.case_id, event.version - 1)


def publish_pending(services: Services) -> int:
    """Sweep the outbox (scheduled): publish whatever a crash or outage left behind."""
    return publish_events(services, services.cases.pending_events())
