"""The scheduled sweep: finish what an outage left behind (unpublished events, postponed seals)."""

from __future__ import annotations

from dataclasses import dataclass

from functions.publish import publish_pending
from functions.services import Services
from functions.signatures import seal_pending


@dataclass(frozen=True)
class SweepReport:
    """What one sweep finished: events published from the outbox, cases sealed and archived."""

    published: int
    sealed: list[str]


def sweep(services: Services) -> SweepReport:
    """Publish every event left in the outbox, then seal postponed cases (whose own events
    go out as they commit, after the older ones)."""
    published = publish_pending(services)
    sealed = seal_pending(services)
    return SweepReport(published=published, sealed=sealed)
