"""The case state machine: legal transitions, versions, steps, events without personal data."""

from __future__ import annotations

import pytest

from functions.errors import Conflict
from functions.model import (
    ARCHIVED,
    AWAITING_SIGNATURE,
    SEALED,
    SUBMITTED,
    Case,
    Document,
    Step,
)


def _case() -> Case:
    return Case(
        id="c1",
        procedure="p",
        procedure_version="1",
        organization="o",
        submitted_by="u",
        created_at="2025-05-19T00:00:00+00:00",
        data={"member": {"full_name": "Nguyễn Văn A"}},
        number="1-GGT/ĐU",
        steps=[Step(0, "officer", "o", status="pending"), Step(1, "seal", "o")],
        document=Document("k", "00", 1, 10),
    )


def test_transitions_bump_the_version_and_record_history() -> None:
    case = _case()
    events = [case.advance(SUBMITTED, "t1"), case.advance(AWAITING_SIGNATURE, "t2")]
    assert [e.version for e in events] == [1, 2]
    assert events[1].previous_status == SUBMITTED
    assert [h["status"] for h in case.history] == [SUBMITTED, AWAITING_SIGNATURE]
    assert events[0].event_id != events[1].event_id


def test_an_illegal_transition_is_a_conflict() -> None:
    case = _case()
    case.advance(SUBMITTED, "t")
    with pytest.raises(Conflict):
        case.advance(ARCHIVED, "t")


def test_steps_advance_in_order() -> None:
    case = _case()
    case.advance(SUBMITTED, "t")
    case.advance(AWAITING_SIGNATURE, "t")
    first = case.current_step()
    assert first is not None and first.index == 0
    following = case.complete_step(first)
    assert following is not None and following.role == "seal"
    assert case.complete_step(following) is None
    case.advance(SEALED, "t")
    assert case.current_step() is None


def test_round_trip_through_storage() -> None:
    case = _case()
    case.advance(SUBMITTED, "t")
    assert Case.from_item(case.to_item()) == case


def test_events_carry_ids_and_states_only() -> None:
    case = _case()
    detail = case.advance(SUBMITTED, "t").detail()
    assert set(detail) == {
        "event_id",
        "case_id",
        "procedure",
        "organization",
        "upstream",
        "status",
        "previous_status",
        "version",
        "occurred_at",
        "record_id",
    }
    assert "Nguyễn" not in str(detail)


def test_only_an_officers_pending_step_puts_a_case_in_an_inbox() -> None:
    case = _case()
    assert case.inbox_organization() is None  # submitted: no one's turn yet
    case.advance(SUBMITTED, "t1")
    case.advance(AWAITING_SIGNATURE, "t2")
    assert case.inbox_organization() == "o"
    case.complete_step(case.steps[0])
    assert case.inbox_organization() is None  # the seal is the platform's, not an officer's
