"""The publisher's rules on an in-memory outbox and bus (the two ports it talks to): each
case in version order, a held case never holds up the others, what went out is counted."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

import pytest

from functions.errors import Unavailable
from functions.model import StatusEvent
from functions.publish import publish_events, publish_pending
from functions.services import Services


def _event(case_id: str, version: int) -> StatusEvent:
    return StatusEvent(
        event_id=f"{case_id}:{version}",
        case_id=case_id,
        procedure="dang-phi",
        organization="phuong-ba-dinh",
        upstream="portal",
        status="awaiting_signature",
        previous_status="submitted",
        version=version,
        occurred_at=f"2026-11-30T00:00:0{version}+00:00",
        record_id=None,
    )


@dataclass
class Outbox:
    """The outbox half of the case table."""

    waiting: dict[tuple[str, int], StatusEvent] = field(default_factory=dict)
    clearing_fails_for: set[str] = field(default_factory=set)  # left unprocessed
    down: bool = False

    def pending_events(self, limit: int = 100) -> list[StatusEvent]:
        return sorted(self.waiting.values(), key=lambda e: (e.occurred_at, e.case_id))[:limit]

    def event_pending(self, case_id: str, version: int) -> bool:
        return (case_id, version) in self.waiting

    def mark_published(self, events: list[StatusEvent]) -> list[StatusEvent]:
        if self.down:
            raise Unavailable("the case table is not available right now")
        cleared = [e for e in events if e.case_id not in self.clearing_fails_for]
        for event in cleared:
            del self.waiting[(event.case_id, event.version)]
        return cleared


@dataclass
class Bus:
    sent: list[tuple[str, int]] = field(default_factory=list)
    calls: list[list[tuple[str, int]]] = field(default_factory=list)
    down: bool = False
    refuses: set[tuple[str, int]] = field(default_factory=set)  # entries it fails

    def publish_all(self, events: list[StatusEvent]) -> list[StatusEvent]:
        if self.down:
            raise Unavailable("the event bus is not available right now")
        self.calls.append([(e.case_id, e.version) for e in events])
        taken = [e for e in events if (e.case_id, e.version) not in self.refuses]
        self.sent += [(e.case_id, e.version) for e in taken]
        return taken


def _services(outbox: Outbox, bus: Bus) -> Services:
    return cast(Services, _Wired(outbox, bus))


@dataclass
class _Wired:
    cases: Any
    events: Any
    deferred_events: list[Any] | None = None


def _committed(outbox: Outbox, *events: StatusEvent) -> list[StatusEvent]:
    for event in events:
        outbox.waiting[(event.case_id, event.version)] = event
    return list(events)


def test_a_case_waits_behind_its_older_event_and_others_go_on() -> None:
    outbox, bus = Outbox(), Bus()
    _committed(outbox, _event("a", 1))  # left by an outage: not in this batch
    fresh = _committed(outbox, _event("a", 2), _event("a", 3), _event("b", 1), _event("b", 2))
    assert publish_events(_services(outbox, bus), fresh) == 2
    assert bus.sent == [("b", 1), ("b", 2)]  # a's wait behind a:1; b is not held up
    assert outbox.event_pending("a", 2) and outbox.event_pending("a", 3)

    assert publish_pending(_services(outbox, bus)) == 3
    assert bus.sent[2:] == [("a", 1), ("a", 2), ("a", 3)]


@pytest.mark.parametrize("newer", [2, 3])
def test_the_event_just_before_still_waiting_holds_a_newer_one(newer: int) -> None:
    outbox, bus = Outbox(), Bus()
    _committed(outbox, _event("a", newer - 1))  # versions before it went out long ago
    fresh = _committed(outbox, _event("a", newer))
    assert publish_events(_services(outbox, bus), fresh) == 0
    assert bus.sent == []


def test_an_event_sent_but_not_cleared_holds_its_case_only() -> None:
    outbox, bus = Outbox(clearing_fails_for={"a"}), Bus()
    fresh = _committed(outbox, _event("a", 1), _event("a", 2), _event("b", 1))
    assert publish_events(_services(outbox, bus), fresh) == 2  # a:1 went out, then b:1
    assert bus.sent == [("a", 1), ("b", 1)]
    assert outbox.event_pending("a", 1) and outbox.event_pending("a", 2)


def test_the_bus_down_stops_the_batch_and_loses_nothing() -> None:
    outbox, bus = Outbox(), Bus(down=True)
    fresh = _committed(outbox, _event("a", 1), _event("b", 1))
    assert publish_events(_services(outbox, bus), fresh) == 0
    assert len(outbox.waiting) == 2
    bus.down = False
    assert publish_pending(_services(outbox, bus)) == 2
    assert outbox.waiting == {}


def test_many_cases_go_out_ten_a_call_one_event_of_a_case_per_call() -> None:
    outbox, bus = Outbox(), Bus()
    cases = [f"case-{n:02d}" for n in range(12)]
    fresh = _committed(outbox, *(_event(c, v) for c in cases for v in (1, 2)))
    assert publish_events(_services(outbox, bus), fresh) == 24
    assert [len(call) for call in bus.calls] == [10, 2, 10, 2]
    assert all(len({case for case, _ in call}) == len(call) for call in bus.calls)
    assert [v for call in bus.calls for _, v in call] == [1] * 12 + [2] * 12
    assert outbox.waiting == {}


def test_an_entry_the_bus_refuses_holds_its_case_only() -> None:
    outbox, bus = Outbox(), Bus(refuses={("a", 1)})
    fresh = _committed(outbox, _event("a", 1), _event("a", 2), _event("b", 1), _event("b", 2))
    assert publish_events(_services(outbox, bus), fresh) == 2
    assert bus.sent == [("b", 1), ("b", 2)]
    assert set(outbox.waiting) == {("a", 1), ("a", 2)}


def test_the_table_down_after_sending_leaves_the_events_to_be_sent_again() -> None:
    outbox, bus = Outbox(down=True), Bus()
    fresh = _committed(outbox, _event("a", 1), _event("a", 2), _event("b", 1))
    assert publish_events(_services(outbox, bus), fresh) == 2  # a:1 and b:1 in one call
    assert bus.calls == [[("a", 1), ("b", 1)]]  # a:2 waits behind a:1, still in the outbox
    outbox.down = False
    assert publish_pending(_services(outbox, bus)) == 3
    assert bus.sent[2:] == [("a", 1), ("b", 1), ("a", 2)]
    assert outbox.waiting == {}


def test_a_worker_collects_its_cases_events_and_sends_them_together() -> None:
    outbox, bus = Outbox(), Bus()
    collected: list[Any] = []
    worker = cast(Services, _Wired(outbox, bus, collected))
    for case in ("a", "b", "c"):
        assert publish_events(worker, _committed(outbox, _event(case, 1), _event(case, 2))) == 0
    assert bus.calls == [] and len(collected) == 6  # still in the outbox, none sent yet
    assert publish_events(_services(outbox, bus), collected) == 6
    assert bus.calls == [[("a", 1), ("b", 1), ("c", 1)], [("a", 2), ("b", 2), ("c", 2)]]
