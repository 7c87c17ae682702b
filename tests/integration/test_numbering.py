"""Document numbers: 50 parallel submissions for one organisation get 50 consecutive numbers."""

from __future__ import annotations

import re
import uuid
from concurrent.futures import ThreadPoolExecutor

from functions.intake import submit_case
from tests.conftest import Stack

PROCEDURE = "chuyen-sinh-hoat-chinh-thuc"
PARALLEL = 50


def test_parallel_submissions_never_share_a_number(stack: Stack) -> None:
    services, caller = stack.wired()
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
