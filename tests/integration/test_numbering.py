"""Document numbers and idempotency keys: parallel submissions get consecutive numbers, a
replay draws none, and a key sent again to another organisation is refused."""

from __future__ import annotations

import dataclasses
import re
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from cloud.table import CaseTable
from functions.access import Principal
from functions.errors import Conflict
from functions.intake import submit_case
from functions.services import Services
from infra.stack_template import load_template, properties
from tests.conftest import Stack

PROCEDURE = "chuyen-sinh-hoat-chinh-thuc"
PARALLEL = 50


def _on_a_fresh_table(stack: Stack, services: Services) -> Services:
    """``services`` on a new table holding only the directory: moto deep-copies a whole
    table on every transaction (FACTS.md), and under 16 threads a copy of the session's big
    table races the others' writes ("dictionary changed size", a 500)."""
    raw = stack.client("dynamodb")
    name = f"{stack.outputs['table']}-numbering-{uuid.uuid4().hex[:8]}"
    table = properties(load_template(), "CaseTable")
    raw.create_table(
        TableName=name,
        AttributeDefinitions=table["AttributeDefinitions"],
        KeySchema=table["KeySchema"],
        BillingMode=table["BillingMode"],
        GlobalSecondaryIndexes=table["GlobalSecondaryIndexes"],
    )
    for pk in ("ORG#phuong-hoan-kiem", "ORG#phuong-ba-dinh"):
        item = raw.get_item(TableName=stack.outputs["table"], Key={"pk": {"S": pk}})["Item"]
        raw.put_item(TableName=name, Item=item)
    return dataclasses.replace(services, cases=CaseTable(raw, name))


def _submitter_on_a_fresh_table(stack: Stack) -> tuple[Services, Principal, dict[str, Any]]:
    """The services on a fresh table, the portal's principal and a valid body for it."""
    services, caller = stack.wired()
    services = _on_a_fresh_table(stack, services)
    procedure = services.catalogue.get(PROCEDURE)
    assert procedure is not None
    body = {"procedure": PROCEDURE, "organization": "phuong-hoan-kiem", "data": procedure.example}
    return services, caller("cong-dich-vu"), body


def _serial(number: str) -> int:
    """The running number of a document number ("12-GGT/ĐU" is 12)."""
    return int(number.split("-", 1)[0])


def test_parallel_submissions_never_share_a_number(stack: Stack) -> None:
    services, upstream, body = _submitter_on_a_fresh_table(stack)

    def submit(_: int) -> str:
        return submit_case(services, upstream, body, str(uuid.uuid4())).case.number

    with ThreadPoolExecutor(max_workers=16) as pool:
        numbers = list(pool.map(submit, range(PARALLEL)))

    assert all(re.fullmatch(r"\d+-GGT/ĐU", n) for n in numbers), numbers
    serials = sorted(_serial(n) for n in numbers)
    assert serials == list(range(serials[0], serials[0] + PARALLEL))
    stack.drain_events()


def test_a_replayed_submission_takes_no_number(stack: Stack) -> None:
    # a retry with the same Idempotency-Key answers the stored case before anything is made:
    # no draft rendered, no number drawn, so the next new case has the next number
    services, upstream, body = _submitter_on_a_fresh_table(stack)
    key = str(uuid.uuid4())

    first = submit_case(services, upstream, body, key)
    again = submit_case(services, upstream, body, key)
    after = submit_case(services, upstream, body, str(uuid.uuid4()))

    assert (first.created, again.created) == (True, False)
    assert again.case.id == first.case.id
    assert _serial(after.case.number) == _serial(first.case.number) + 1
    stack.drain_events()


def test_a_key_used_again_for_another_organisation_is_a_conflict(stack: Stack) -> None:
    # the same data sent with the same key to another organisation is another request:
    # the request's hash holds the organisation as well as the data (and the procedure)
    services, upstream, body = _submitter_on_a_fresh_table(stack)
    key = str(uuid.uuid4())
    submit_case(services, upstream, body, key)

    with pytest.raises(Conflict) as refused:
        submit_case(services, upstream, {**body, "organization": "phuong-ba-dinh"}, key)

    assert [p.field for p in refused.value.details] == ["headers.Idempotency-Key"]
    stack.drain_events()
