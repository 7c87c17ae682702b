"""When a case's automatic step is due: at once, after a back-off, or after the drafts' keep."""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta

from functions.model import ARCHIVED, REMOVE_DRAFTS_STEP, VIETNAM, Case, Retry
from functions.settings import Settings


def iso(moment: dt.datetime) -> str:
    """A time as the platform writes it: ISO 8601 to the second, with its offset."""
    return moment.isoformat(timespec="seconds")


def utc_key(moment: dt.datetime) -> str:
    """A time as the sweep's index sorts it: UTC, ISO 8601 to the second."""
    return iso(moment.astimezone(dt.UTC))


def schedule(case: Case, settings: Settings, now: dt.datetime) -> None:
    """Set when the sweep should take up ``case``'s automatic step, if it has one.

    A step that a request is about to run itself is due after a short lease (the sweep
    takes over if the request dies); the drafts of a failed or rejected case are removed
    after ``draft_retention_days``; a case with nothing automatic ahead is not queued.
    """
    step = case.automatic_step()
    if step is None:
        case.due_at = None
    elif step == REMOVE_DRAFTS_STEP and case.status != ARCHIVED:
        case.due_at = utc_key(now + dt.timedelta(days=settings.draft_retention_days))
    else:
        case.due_at = utc_key(now + dt.timedelta(seconds=settings.step_lease_seconds))


def is_due(case: Case, now: dt.datetime) -> bool:
    """Whether the sweep may run ``case``'s automatic step at ``now``."""
    return case.due_at is not None and case.due_at <= utc_key(now)


def next_retry(case: Case, settings: Settings, now: dt.datetime, error: str) -> Retry:
    """The bookkeeping after one more attempt met a transient error: the delay doubles from
    ``retry_first_delay_seconds`` up to ``retry_longest_delay_seconds``."""
    attempts = (case.retry.attempts if case.retry else 0) + 1
    since = case.retry.since if case.retry else iso(now)
    delay = min(
        settings.retry_first_delay_seconds * 2 ** min(attempts - 1, 30),
        settings.retry_longest_delay_seconds,
    )
    return Retry(
        attempts=attempts,
        since=since,
        last_error=error,
        next_attempt_at=utc_key(now + dt.timedelta(seconds=delay)),
    )


def budget_spent(retry: Retry, settings: Settings, now: dt.datetime) -> bool:
    """Whether transient errors have gone on longer than the retry budget."""
    since = dt.datetime.fromisoformat(retry.since)
    return (now - since).total_seconds() >= settings.retry_budget_seconds


def retain_until(archived_at: dt.datetime, years: int) -> dt.datetime:
    """The end of a record's retention: ``years`` calendar years after it was archived,
    counted in Vietnam time (29 February gives 28 February in a common year)."""
    return archived_at.astimezone(VIETNAM) + relativedelta(years=years)
