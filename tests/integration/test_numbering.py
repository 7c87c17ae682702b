"""Document numbers: 50 parallel submissions for one organisation get 50 consecutive numbers."""

from __future__ import annotations

import dataclasses
import re
import uuid
from concurrent.futures import ThreadPoolExecutor

from cloud.table import CaseTable
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


def test_parallel_submissions_never_share_a_number(stack: Stack) -> None:
    services, caller = stack.wired()
    services = _on_a_fresh_table(stack, services)
    upstream = caller("cong-dich-vu")
    procedure = services.catalogue.get(PROCEDURE)
    assert procedure is not None
    body = {"procedure": PROCEDURE, "organization": "phuong-hoan-kiem", "data": procedure.example}

    def submit(_: int) -> str:
        return submit_case(services, upstream, body, str(uuid.uuid4())).case.number

    with ThreadPoolExecutor(max_workers=16) as pool:
        numbers = list(pool.map(submit, range(PARALLEL)))

    assert all(re.fullmatch(r"\d+-GGT/ĐU", n) for n in numbers), numbers
    serials = sorted(int(n.split("-", 1)[0]) for n in numbers)
    assert serials == list(range(serials[0], serials[0] + PARALLEL))
    stack.drain_events()
