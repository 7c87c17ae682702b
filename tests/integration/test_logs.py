"""The logs: a JSON line per request and per state change, and never a case-data string."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from chalice.test import Client

from templates.catalogue import Catalogue
from tests.calls import LOGS
from tests.conftest import Stack, procedure_example, sign, submit

CODE = re.compile(r"^[a-z0-9-]+$|^\d{4}-\d{2}(-\d{2})?$")  # enum codes and dates


def _case_data_strings(value: Any) -> Iterator[str]:
    """The personal strings of case data: names, places, card numbers, comments."""
    if isinstance(value, dict):
        for item in value.values():
            yield from _case_data_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _case_data_strings(item)
    elif isinstance(value, str) and not CODE.match(value) and len(value) >= 5:
        yield value
    elif isinstance(value, str) and value.isdigit() and len(value) >= 6:
        yield value  # a party card number


@pytest.mark.runs_last  # after every other test, so that it reads all of their log lines
def test_no_case_data_in_any_log_line(client: Client, stack: Stack) -> None:
    # a flow of its own, so that the test means something when it runs alone
    body = {
        "procedure": "chuyen-sinh-hoat-chinh-thuc",
        "organization": "phuong-ba-dinh",
        "data": procedure_example(client, stack, "chuyen-sinh-hoat-chinh-thuc"),
    }
    case = submit(client, stack, body).json_body
    assert sign(client, stack, case["id"], "canbo-badinh").status_code == 201

    lines = [json.loads(line) for line in LOGS.lines]
    requests = [line for line in lines if line["message"] == "request"]
    assert requests and all(
        {"request_id", "method", "route", "status", "duration_ms"} <= set(line) for line in requests
    )
    changes = [line for line in lines if line["message"] == "state change"]
    assert {"submitted", "awaiting_signature", "sealed", "archived"} <= {
        line["status"] for line in changes if line["case_id"] == case["id"]
    }
    text = "\n".join(LOGS.lines)
    personal = {s for p in Catalogue().all() for s in _case_data_strings(p.example)}
    assert len(personal) > 20
    leaked = sorted(s for s in personal if s in text or json.dumps(s)[1:-1] in text)
    assert leaked == [], f"case data in the logs ({len(lines)} lines)"
