"""Races: an officer's double submission signs once and never damages the winner's document."""

from __future__ import annotations

import hashlib
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from functions.errors import Conflict
from functions.intake import submit_case
from functions.signatures import load_case, sign_as_officer
from tests.conftest import Stack

PROCEDURE = "chuyen-sinh-hoat-chinh-thuc"


def test_a_double_submitted_signature_signs_once(stack: Stack) -> None:
    services, caller = stack.wired()
    upstream, officer = caller("cong-dich-vu"), caller("canbo-badinh")
    procedure = services.catalogue.get(PROCEDURE)
    assert procedure is not None
    body = {"procedure": PROCEDURE, "organization": "phuong-ba-dinh", "data": procedure.example}
    case = submit_case(services, upstream, body, str(uuid.uuid4())).case

    def attempt(_: int) -> str:
        try:
            return sign_as_officer(services, officer, case.id).status
        except Conflict:
            return "conflict"

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = sorted(pool.map(attempt, range(2)))
    if outcomes == ["archived", "archived"]:
        pytest.fail("both attempts signed")
    assert "archived" in outcomes

    final = load_case(services, officer, case.id)
    assert final.status == "archived"
    assert [s.kind for s in final.signatures] == ["officer", "seal"]
    # the document the case points to is there, byte for byte what the case says
    stored = services.documents.get(final.document.key)
    assert hashlib.sha256(stored).hexdigest() == final.document.sha256
    stack.drain_events()
