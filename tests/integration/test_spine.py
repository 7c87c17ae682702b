"""The spine through the Chalice test client: submit, sign, seal, archive, events, records."""

from __future__ import annotations

import hashlib
import json
import uuid

from chalice.test import Client

from tests.conftest import Stack, procedure_example, submit

PROCEDURE = "chuyen-sinh-hoat-chinh-thuc"
ORG = "phuong-ba-dinh"


def test_health_needs_no_token(client: Client) -> None:
    assert client.http.get("/v1/health").json_body == {"status": "ok"}


def test_no_token_is_401_in_the_error_shape(client: Client) -> None:
    response = client.http.get("/v1/procedures")
    assert response.status_code == 401
    assert response.json_body["error"]["code"] == "unauthorized"


def test_a_forged_token_is_401(client: Client, stack: Stack) -> None:
    token = stack.token("cong-dich-vu")
    head, payload, signature = token.split(".")
    forged = f"{head}.{payload}.{signature[::-1]}"
    response = client.http.get("/v1/procedures", headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401


def test_the_whole_flow(client: Client, stack: Stack) -> None:
    stack.drain_events()
    body = {
        "procedure": PROCEDURE,
        "organization": ORG,
        "data": procedure_example(client, stack, PROCEDURE),
    }
    key = str(uuid.uuid4())
    created = submit(client, stack, body, key)
    assert created.status_code == 201, created.json_body
    case = created.json_body
    assert case["status"] == "awaiting_signature"
    assert case["number"].endswith("-GGT/ĐU")
    assert [s["status"] for s in case["steps"]] == ["pending", "waiting"]

    again = submit(client, stack, body, key)
    assert again.status_code == 201
    assert again.json_body["id"] == case["id"]
    assert again.headers.get("Idempotent-Replayed") == "true"

    other = dict(body, data=dict(body["data"], reason="Lý do khác"))
    reused = submit(client, stack, other, key)
    assert reused.status_code == 409
    assert reused.json_body["error"]["details"] == [
        {"field": "headers.Idempotency-Key", "problem": "already used with a different body"}
    ]

    own = client.http.get(f"/v1/cases/{case['id']}", headers=stack.auth("cong-dich-vu"))
    assert own.status_code == 200  # the submitter reads its own case

    draft = client.http.get(
        f"/v1/cases/{case['id']}/document",
        headers={**stack.auth("canbo-badinh"), "Accept": "application/pdf"},
    )
    assert draft.status_code == 200
    assert draft.body.startswith(b"%PDF")
    # the case names the draft it shows the officer by its hash
    assert case["document"]["sha256"] == hashlib.sha256(draft.body).hexdigest()

    wrong_org = client.http.post(
        f"/v1/cases/{case['id']}/signatures", headers=stack.auth("canbo-hoankiem")
    )
    assert wrong_org.status_code == 404  # another organisation's case is not visible

    signed = client.http.post(
        f"/v1/cases/{case['id']}/signatures", headers=stack.auth("canbo-badinh")
    )
    assert signed.status_code == 201, signed.json_body
    final = signed.json_body
    assert final["status"] == "archived"
    assert [s["kind"] for s in final["signatures"]] == ["officer", "seal"]
    assert final["record_id"]

    twice = client.http.post(
        f"/v1/cases/{case['id']}/signatures", headers=stack.auth("canbo-badinh")
    )
    assert twice.status_code == 409

    record = client.http.get(f"/v1/records/{final['record_id']}", headers=stack.auth("luu-tru"))
    assert record.status_code == 200, record.json_body
    assert record.json_body["case_id"] == case["id"]
    assert record.json_body["download_url"].startswith(stack.outputs["aws_endpoint_url"])
    assert (
        client.http.get(
            f"/v1/records/{final['record_id']}", headers=stack.auth("cong-dich-vu")
        ).status_code
        == 403
    )

    events = stack.case_events(case["id"])
    assert [e["detail"]["status"] for e in events] == [
        "submitted",
        "awaiting_signature",
        "awaiting_signature",
        "sealed",
        "archived",
    ]
    assert all(e["detail-type"] == "Case Status Changed" and e["source"] == "hoso" for e in events)
    flat = json.dumps(events, ensure_ascii=False)
    assert body["data"]["member"]["full_name"] not in flat
    assert body["data"]["member"]["party_card_number"] not in flat


def test_bad_input_answers(client: Client, stack: Stack) -> None:
    example = procedure_example(client, stack, PROCEDURE)
    missing_key = client.http.post(
        "/v1/cases",
        headers={**stack.auth("cong-dich-vu"), "Content-Type": "application/json"},
        body=json.dumps({"procedure": PROCEDURE, "organization": ORG, "data": example}),
    )
    assert missing_key.status_code == 400
    assert missing_key.json_body["error"]["details"][0]["field"] == "headers.Idempotency-Key"

    not_json = client.http.post(
        "/v1/cases",
        headers={
            **stack.auth("cong-dich-vu"),
            "Idempotency-Key": "x1",
            "Content-Type": "application/json",
        },
        body="{not json",
    )
    assert not_json.status_code == 400

    data = dict(example, member={k: v for k, v in example["member"].items() if k != "full_name"})
    invalid = submit(client, stack, {"procedure": PROCEDURE, "organization": ORG, "data": data})
    assert invalid.status_code == 422
    fields = [d["field"] for d in invalid.json_body["error"]["details"]]
    assert "data.member.full_name" in fields

    unknown = submit(client, stack, {"procedure": "khong-co", "organization": ORG, "data": example})
    assert unknown.status_code == 422
    assert unknown.json_body["error"]["details"][0]["field"] == "procedure"

    officer = client.http.post(
        "/v1/cases",
        headers={
            **stack.auth("canbo-badinh"),
            "Idempotency-Key": "x2",
            "Content-Type": "application/json",
        },
        body=json.dumps({"procedure": PROCEDURE, "organization": ORG, "data": example}),
    )
    assert officer.status_code == 403

    assert (
        client.http.get(f"/v1/cases/{uuid.uuid4()}", headers=stack.auth("luu-tru")).status_code
        == 404
    )


def test_a_replay_is_the_same_body_whatever_the_order_of_its_keys(
    client: Client, stack: Stack
) -> None:
    data = procedure_example(client, stack, PROCEDURE)
    body = {"procedure": PROCEDURE, "organization": ORG, "data": data}
    key = str(uuid.uuid4())
    first = submit(client, stack, body, key)
    assert first.status_code == 201
    reordered = {
        "data": dict(reversed(list(data.items()))),
        "organization": ORG,
        "procedure": PROCEDURE,
    }
    again = submit(client, stack, reordered, key)
    assert again.status_code == 201, again.json_body  # the same request: a replay, not a 409
    assert again.json_body["id"] == first.json_body["id"]
    assert again.headers.get("Idempotent-Replayed") == "true"
