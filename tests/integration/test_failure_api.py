"""Failures as the API answers them: 503 with Retry-After for an outage (nothing stored),
409 with the reason for a refused certificate, a failed case with its failure, and the
admin's retry routes with what each bad request gets."""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Iterator

import pytest
from chalice.test import Client

from infra.servers import free_port
from tests.conftest import Stack, app_changed, procedure_example, sign, submit

TRANSFER = "chuyen-sinh-hoat-chinh-thuc"


@pytest.fixture
def tsa_down(client: Client, stack: Stack) -> Iterator[None]:
    """The API's timestamp service does not answer (for the length of one test)."""
    dead = f"http://127.0.0.1:{free_port()}/tsa"
    with app_changed(
        stack,
        lambda s: dataclasses.replace(s, trust=dataclasses.replace(s.trust, tsa_url=dead)),
    ):
        yield


def test_an_outage_is_503_with_retry_after_and_nothing_is_stored(
    client: Client, stack: Stack, tsa_down: None
) -> None:
    data = procedure_example(client, stack, TRANSFER)
    case = submit(
        client, stack, {"procedure": TRANSFER, "organization": "phuong-ba-dinh", "data": data}
    )
    assert case.status_code == 201
    answer = sign(client, stack, case.json_body["id"], "canbo-badinh")
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "30"
    assert answer.json_body["error"]["code"] == "unavailable"
    after = client.http.get(f"/v1/cases/{case.json_body['id']}", headers=stack.auth("cong-dich-vu"))
    assert after.json_body["version"] == case.json_body["version"]
    assert after.json_body["signatures"] == []


def test_a_receipt_whose_seal_is_revoked_fails_and_an_admin_retries_by_reason(
    client: Client, stack: Stack
) -> None:
    code = f"phuong-thu-nghiem-{uuid.uuid4().hex[:8]}"
    entry = stack.register_organization(code)
    stack.revoke(entry["seal_certificate_chain"][0])
    data = procedure_example(client, stack, "dang-phi")
    created = submit(client, stack, {"procedure": "dang-phi", "organization": code, "data": data})
    assert created.status_code == 201  # stored: the answer is the case as it is
    case = created.json_body
    assert case["status"] == "failed"
    assert case["failure"]["reason"] == "certificate_revoked"
    assert case["failure"]["attempts"] == 1
    assert set(case["failure"]) == {"reason", "message", "attempts", "at"}

    admin = {**stack.auth("quan-tri"), "Content-Type": "application/json"}
    resumed = client.http.post(
        "/v1/retries", headers=admin, body=json.dumps({"reason": "certificate_revoked"})
    )
    assert resumed.status_code == 202
    assert case["id"] in resumed.json_body["resumed"]
    again = client.http.get(f"/v1/cases/{case['id']}", headers=stack.auth("cong-dich-vu")).json_body
    assert again["status"] == "awaiting_signature" and again["failure"] is None

    early = client.http.post(f"/v1/cases/{case['id']}/retries", headers=admin)
    assert early.status_code == 409  # resumed, not failed: nothing to retry yet
    sweep = client.events.generate_cw_event(
        source="aws.events", detail_type="Scheduled Event", detail={}, resources=[]
    )
    swept = client.lambda_.invoke("scheduled_sweep", sweep).payload
    assert case["id"] in swept["failed"]  # the sweep took it up at once: still revoked

    one = client.http.post(f"/v1/cases/{case['id']}/retries", headers=admin)
    assert one.status_code == 200  # tried at once: still revoked, so failed again
    assert one.json_body["status"] == "failed"
    assert one.json_body["failure"]["reason"] == "certificate_revoked"
    assert "data" not in one.json_body  # an admin reads no case content


@pytest.mark.parametrize(
    ("user", "body", "status", "field"),
    [
        ("quan-tri", "not json", 400, None),
        ("quan-tri", json.dumps([]), 400, "body"),
        ("quan-tri", json.dumps({}), 422, "reason"),
        ("quan-tri", json.dumps({"reason": ""}), 422, "reason"),
        ("quan-tri", json.dumps({"reason": "x" * 101}), 422, "reason"),
        ("quan-tri", json.dumps({"reason": "x" * 100}), 202, None),
        ("quan-tri", json.dumps({"reason": "a", "more": 1}), 422, "more"),
        ("canbo-badinh", json.dumps({"reason": "certificate_revoked"}), 403, None),
        ("cong-dich-vu", json.dumps({"reason": "certificate_revoked"}), 403, None),
        (None, json.dumps({"reason": "certificate_revoked"}), 401, None),
    ],
)
def test_what_a_bulk_retry_request_gets(
    client: Client, stack: Stack, user: str | None, body: str, status: int, field: str | None
) -> None:
    headers = {"Content-Type": "application/json", **(stack.auth(user) if user else {})}
    answer = client.http.post("/v1/retries", headers=headers, body=body)
    assert answer.status_code == status, answer.json_body
    if field is not None:
        assert field in [d["field"] for d in answer.json_body["error"]["details"]]


def test_what_a_single_retry_gets(client: Client, stack: Stack) -> None:
    data = procedure_example(client, stack, TRANSFER)
    case = submit(
        client, stack, {"procedure": TRANSFER, "organization": "phuong-ba-dinh", "data": data}
    )
    path = f"/v1/cases/{case.json_body['id']}/retries"
    assert client.http.post(path).status_code == 401
    assert client.http.post(path, headers=stack.auth("canbo-badinh")).status_code == 403
    assert client.http.post(path, headers=stack.auth("luu-tru")).status_code == 403
    not_failed = client.http.post(path, headers=stack.auth("quan-tri"))
    assert not_failed.status_code == 409  # only a failed case is retried
    missing = client.http.post(f"/v1/cases/{uuid.uuid4()}/retries", headers=stack.auth("quan-tri"))
    assert missing.status_code == 404
