"""The scheduled sweep finishes what an outage left: postponed seals, unpublished events."""

from __future__ import annotations

import dataclasses
import uuid

from chalice.test import Client

from cloud.events import EventBus
from functions.intake import submit_case
from functions.sweep import sweep
from infra.servers import free_port
from tests.conftest import Stack


def test_a_postponed_seal_and_its_events_are_finished_by_the_sweep(stack: Stack) -> None:
    services, caller = stack.wired()
    upstream = caller("cong-dich-vu")
    procedure = services.catalogue.get("dang-phi")
    assert procedure is not None
    body = {"procedure": "dang-phi", "organization": "phuong-ba-dinh", "data": procedure.example}

    # the timestamp service and the event bus are both down while the receipt comes in
    outage = dataclasses.replace(
        services,
        trust=dataclasses.replace(services.trust, tsa_url=f"http://127.0.0.1:{free_port()}/x"),
        events=EventBus(stack.client("events"), "no-such-bus"),
    )
    case = submit_case(outage, upstream, body, str(uuid.uuid4())).case
    assert case.status == "awaiting_signature" and case.record_id is None
    assert services.cases.event_pending(case.id, 1)  # nothing went out, nothing is lost

    stack.clock.advance(services.settings.retry_first_delay_seconds)
    report = sweep(services)  # the services are back, and the seal is due again
    assert report.published >= 2  # submitted, awaiting_signature: left in the outbox
    assert case.id in report.archived  # its sealed and archived events go out as they commit
    stored = services.cases.get_case(case.id)
    assert stored is not None and stored.status == "archived" and stored.record_id

    events = [e["detail"] for e in stack.case_events(case.id)]
    assert [e["status"] for e in events] == [
        "submitted",
        "awaiting_signature",
        "sealed",
        "archived",
    ]
    again = sweep(services)  # nothing left to do for this case
    assert case.id not in again.archived + again.failed + again.waiting


def test_the_scheduled_handler_runs_the_sweep(client: Client) -> None:
    event = client.events.generate_cw_event(
        source="aws.events", detail_type="Scheduled Event", detail={}, resources=[]
    )
    answer = client.lambda_.invoke("scheduled_sweep", event)
    assert set(answer.payload) == {
        "published",
        "archived",
        "failed",
        "waiting",
        "audited",
        "flagged",
    }
