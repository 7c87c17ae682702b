"""The scheduled sweep: finish what an outage left behind (events, due steps), audit a batch."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from functions import telemetry
from functions.audit import audit_batch
from functions.automatic import run_due
from functions.errors import Unavailable
from functions.publish import publish_pending
from functions.services import Services

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SweepReport:
    """What one sweep did: events published from the outbox; cases archived, failed, or
    still waiting (postponed again, or their drafts kept)."""

    published: int = 0
    archived: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)
    audited: list[str] = field(default_factory=list)  # records the audit checked
    flagged: list[str] = field(default_factory=list)  # and those it found changed


def sweep(services: Services) -> SweepReport:
    """Publish every event left in the outbox, then take up the cases whose automatic step
    is due (their own events go out as they commit, after the older ones). An outage of
    the table ends the sweep early; the next one carries on."""
    published = 0
    try:
        published = publish_pending(services)
        _outbox_age(services)
        due = run_due(services)
        audit = audit_batch(services, services.settings.audit_batch)
    except Unavailable as error:
        log.warning("sweep stopped early: %s", error.message)
        return SweepReport(published)
    return SweepReport(
        published, due.archived, due.failed, due.waiting, audit.checked, audit.flagged
    )


def _outbox_age(services: Services) -> None:
    """How long the oldest event still in the outbox has waited (0 when it is empty): an
    alarm watches it, as events that cannot go out mean upstream systems wait."""
    oldest = services.cases.pending_events(limit=1)
    since = dt.datetime.fromisoformat(oldest[0].occurred_at) if oldest else services.clock()
    telemetry.seconds(telemetry.OUTBOX_AGE, max((services.clock() - since).total_seconds(), 0.0))
