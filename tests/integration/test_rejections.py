"""An officer refuses to sign: POST /v1/cases/{id}/rejections ends the case `rejected`.

Who gets what: the officer whose turn it is 201 with the case; an officer of another
organisation, an archivist or an upstream system 403 (or 404 where the case is not
theirs to see); no token or a forged one 401; a body that is not a JSON object 400; no
reason, an empty or too long one, damaged Vietnamese or an unknown field 422 naming it; a
case already rejected, or not awaiting an officer, 409. Nothing is written on a refusal.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from chalice.test import Client

from tests.conftest import Stack, send_json, sign, submitted_case

PROCEDURE = "chuyen-sinh-hoat-chinh-thuc"
ORG = "phuong-ba-dinh"
REASON = "Hồ sơ thiếu xác nhận của chi bộ nơi đảng viên sinh hoạt"


def _reject(
    client: Client, stack: Stack, case_id: str, body: Any, user: str = "canbo-badinh"
) -> Any:
    return send_json(client, stack, "POST", f"/v1/cases/{case_id}/rejections", body, user)


def test_a_rejection_ends_the_case_and_keeps_the_draft(client: Client, stack: Stack) -> None:
    stack.drain_events()
    case = submitted_case(client, stack, PROCEDURE, ORG)
    draft = client.http.get(
        f"/v1/cases/{case['id']}/document",
        headers={**stack.auth("canbo-badinh"), "Accept": "application/pdf"},
    ).body

    rejected = _reject(client, stack, case["id"], {"reason": REASON})
    assert rejected.status_code == 201, rejected.json_body
    view = rejected.json_body
    assert view["status"] == "rejected" and view["version"] == case["version"] + 1
    assert view["rejection"]["reason"] == REASON
    assert view["rejection"]["by"] == "canbo-badinh"
    assert view["rejection"]["at"] == view["history"][-1]["at"]
    assert [s["status"] for s in view["steps"]] == ["rejected", "waiting"]
    assert view["signatures"] == [] and view["record_id"] is None

    # upstream reads the reason on the case; the draft is kept as it was, unsigned
    upstream = client.http.get(f"/v1/cases/{case['id']}", headers=stack.auth("cong-dich-vu"))
    assert upstream.json_body["rejection"] == view["rejection"]
    kept = client.http.get(
        f"/v1/cases/{case['id']}/document",
        headers={**stack.auth("canbo-badinh"), "Accept": "application/pdf"},
    ).body
    assert kept == draft

    events = [e["detail"] for e in stack.case_events(case["id"])]
    assert [(e["status"], e["version"]) for e in events] == [
        ("submitted", 1),
        ("awaiting_signature", 2),
        ("rejected", 3),
    ]
    assert REASON not in json.dumps(events, ensure_ascii=False)

    # the draft is kept as long as the drafts of ended cases, then removed by a sweep
    services, _ = stack.wired()
    stored = services.cases.get_case(case["id"])
    assert stored is not None and stored.automatic_step() == "remove_drafts"
    assert stored.rejection is not None  # the step refused is kept with the case
    assert stored.rejection.step == view["steps"][0]["index"]
    retention = dt.timedelta(days=services.settings.draft_retention_days)
    rejected_at = dt.datetime.fromisoformat(view["rejection"]["at"])
    assert stored.due_at is not None
    assert dt.datetime.fromisoformat(stored.due_at) == rejected_at + retention


def test_nothing_follows_a_rejection(client: Client, stack: Stack) -> None:
    case = submitted_case(client, stack, PROCEDURE, ORG)
    assert _reject(client, stack, case["id"], {"reason": REASON}).status_code == 201
    again = _reject(client, stack, case["id"], {"reason": "Lần nữa"})
    assert again.status_code == 409
    assert sign(client, stack, case["id"], "canbo-badinh").status_code == 409
    after = client.http.get(f"/v1/cases/{case['id']}", headers=stack.auth("cong-dich-vu")).json_body
    assert after["status"] == "rejected" and after["rejection"]["reason"] == REASON


@pytest.mark.parametrize(
    ("user", "status"),
    [("canbo-hoankiem", 404), ("luu-tru", 403), ("cong-dich-vu", 403), ("quan-tri", 403)],
)
def test_only_the_officer_whose_turn_it_is_rejects(
    client: Client, stack: Stack, user: str, status: int
) -> None:
    case = submitted_case(client, stack, PROCEDURE, ORG)
    assert _reject(client, stack, case["id"], {"reason": REASON}, user).status_code == status
    plain = {"Content-Type": "application/json"}
    body = json.dumps({"reason": REASON})
    path = f"/v1/cases/{case['id']}/rejections"
    assert client.http.post(path, headers=plain, body=body).status_code == 401
    head, payload, signature = stack.token("canbo-badinh").split(".")
    forged = {**plain, "Authorization": f"Bearer {head}.{payload}.{signature[::-1]}"}
    assert client.http.post(path, headers=forged, body=body).status_code == 401
    unchanged = client.http.get(f"/v1/cases/{case['id']}", headers=stack.auth("cong-dich-vu"))
    assert unchanged.json_body["version"] == case["version"]


def test_a_reason_of_the_longest_length_is_taken_whole(client: Client, stack: Stack) -> None:
    case = submitted_case(client, stack, PROCEDURE, ORG)
    longest = "Thiếu xác nhận. " * 62 + "Thiếu ch"  # 1,000 characters, MAX_REASON
    assert len(longest) == 1000
    rejected = _reject(client, stack, case["id"], {"reason": longest})
    assert rejected.status_code == 201, rejected.json_body
    assert rejected.json_body["rejection"]["reason"] == longest.strip()


@pytest.mark.parametrize(
    ("body", "status", "fields"),
    [
        ("lý do", 400, ["body"]),
        ({}, 422, ["reason"]),
        ({"reason": "   "}, 422, ["reason"]),
        ({"reason": 12}, 422, ["reason"]),
        ({"reason": "x" * 1001}, 422, ["reason"]),
        ({"reason": REASON, "note": "?"}, 422, ["note"]),
        ({"reason": "Hå s¬ thiÕu x¸c nhËn"}, 422, ["reason"]),  # TCVN3 read as Windows-1252
    ],
)
def test_a_bad_reason_is_refused_naming_the_field(
    client: Client, stack: Stack, body: Any, status: int, fields: list[str]
) -> None:
    case = submitted_case(client, stack, PROCEDURE, ORG)
    response = _reject(client, stack, case["id"], body)
    assert response.status_code == status, response.json_body
    assert [d["field"] for d in response.json_body["error"]["details"]] == fields
    unchanged = client.http.get(f"/v1/cases/{case['id']}", headers=stack.auth("cong-dich-vu"))
    assert unchanged.json_body["status"] == "awaiting_signature"
    assert unchanged.json_body["rejection"] is None
