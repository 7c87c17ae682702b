"""GET /v1/cases: an upstream system's own cases, an officer's organisation's, an officer's
inbox (awaiting=me), newest first, through an index, a page at a time; and a case's `data`,
shown to its submitter and the officers of its steps only.

Who gets what: upstream its own cases; an officer their organisation's, or with awaiting=me
the cases whose pending step is their organisation's; an archivist or an admin 403; no
token 401; upstream asking for an inbox 403; a bad filter 422 naming it; an unknown
parameter 400; a forged `next`, or one of another listing, 400."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from chalice.test import Client

from tests.calls import CALLS
from tests.conftest import Stack, procedure_example, send_json, sign

CELL = "chi-bo-to-dan-pho-5-ba-dinh"  # nhan-xet-noi-cu-tru: the cell, then the ward, then the seal


def _submit(
    client: Client, stack: Stack, upstream: str, procedure: str, organization: str
) -> dict[str, Any]:
    body = {
        "procedure": procedure,
        "organization": organization,
        "data": procedure_example(client, stack, procedure),
    }
    created = send_json(
        client, stack, "POST", "/v1/cases", body, upstream, {"Idempotency-Key": str(uuid.uuid4())}
    )
    assert created.status_code == 201, created.json_body
    return dict(created.json_body)


def _list(client: Client, stack: Stack, user: str, query: str = "") -> Any:
    return client.http.get(f"/v1/cases?{query}", headers=stack.auth(user))


def _all(client: Client, stack: Stack, user: str, query: str = "") -> list[dict[str, Any]]:
    """Every page of a listing, in order."""
    items: list[dict[str, Any]] = []
    token = None
    while True:
        page = _list(client, stack, user, query + (f"&next={token}" if token else ""))
        assert page.status_code == 200, page.json_body
        items += page.json_body["items"]
        token = page.json_body["next"]
        if token is None:
            return items


@pytest.fixture(scope="module")
def upstream(stack: Stack) -> str:
    """An upstream system of its own, whose cases are only this module's."""
    return stack.add_person("upstream", "phuong-ba-dinh", groups=["upstream"])


@pytest.fixture(scope="module")
def three(client: Client, stack: Stack, upstream: str) -> list[dict[str, Any]]:
    """Three cases of ``upstream``, a second apart: a transfer, a fee receipt (archived at
    once), another transfer."""
    made = []
    for procedure in ("chuyen-sinh-hoat-chinh-thuc", "dang-phi", "chuyen-sinh-hoat-chinh-thuc"):
        made.append(_submit(client, stack, upstream, procedure, "phuong-ba-dinh"))
        stack.clock.advance(1)  # created a second apart: "newest first" has an order
    return made


def test_an_upstream_system_lists_its_own_cases_newest_first_through_an_index(
    client: Client, stack: Stack, upstream: str, three: list[dict[str, Any]]
) -> None:
    CALLS.calls.clear()
    listed = _all(client, stack, upstream)
    assert [c["id"] for c in listed] == [c["id"] for c in reversed(three)]  # only its own
    assert all(c["data"] == procedure_example(client, stack, c["procedure"]) for c in listed)
    operations = {(c.service, c.operation) for c in CALLS.calls}
    assert ("dynamodb", "Query") in operations and ("dynamodb", "Scan") not in operations
    archived = _all(client, stack, upstream, "status=archived")
    assert [c["id"] for c in archived] == [three[1]["id"]]
    transfers = _all(client, stack, upstream, "procedure=chuyen-sinh-hoat-chinh-thuc")
    assert [c["id"] for c in transfers] == [three[2]["id"], three[0]["id"]]
    # a page at a time: one case a page, then none left
    pages = [_list(client, stack, upstream, "limit=1")]
    while pages[-1].json_body["next"]:
        pages.append(_list(client, stack, upstream, f"limit=1&next={pages[-1].json_body['next']}"))
    assert [len(p.json_body["items"]) for p in pages] == [1, 1, 1]
    # the demo upstream system never sees them
    theirs = {c["id"] for c in _all(client, stack, "cong-dich-vu", "status=archived&limit=100")}
    assert three[1]["id"] not in theirs


def test_the_inbox_follows_the_pending_step_from_organisation_to_organisation(
    client: Client, stack: Stack
) -> None:
    # the demo upstream system's: this module's own system lists only its three cases
    case = _submit(client, stack, "cong-dich-vu", "nhan-xet-noi-cu-tru", CELL)

    def inbox(officer: str) -> dict[str, dict[str, Any]]:
        return {c["id"]: c for c in _all(client, stack, officer, "awaiting=me&limit=100")}

    assert case["id"] in inbox("bithu-chibo5")
    assert case["id"] not in inbox("canbo-badinh")  # the ward's turn comes second
    assert sign(client, stack, case["id"], "bithu-chibo5").status_code == 201
    assert case["id"] not in inbox("bithu-chibo5")
    ward = inbox("canbo-badinh")
    assert case["id"] in ward
    assert ward[case["id"]]["data"]["member"]  # the ward's officers read what they confirm
    assert case["id"] not in inbox("canbo-hoankiem")  # another ward
    signed = sign(client, stack, case["id"], "canbo-badinh")
    assert signed.status_code == 201 and signed.json_body["status"] == "archived"
    assert case["id"] not in inbox("canbo-badinh")  # sealed and archived: no one's turn
    # the cell's officers list their organisation's cases, whatever their status
    assert case["id"] in {c["id"] for c in _all(client, stack, "bithu-chibo5", "limit=100")}


def test_a_cases_data_is_for_its_submitter_and_its_steps_officers_only(
    client: Client, stack: Stack, upstream: str, three: list[dict[str, Any]]
) -> None:
    transfer = three[0]
    assert "data" in transfer  # the submitter's own answer
    path = f"/v1/cases/{transfer['id']}"
    for user, sees in ((upstream, True), ("canbo-badinh", True), ("luu-tru", False)):
        answer = client.http.get(path, headers=stack.auth(user))
        assert answer.status_code == 200, (user, answer.json_body)
        assert ("data" in answer.json_body) is sees, user
        if sees:
            assert answer.json_body["data"] == procedure_example(
                client, stack, transfer["procedure"]
            )
    assert client.http.get(path, headers=stack.auth("cong-dich-vu")).status_code == 404


@pytest.mark.parametrize(
    ("user", "query", "status", "field"),
    [
        ("luu-tru", "", 403, None),  # archivists search records, not cases
        ("quan-tri", "", 403, None),  # admins read no case content
        ("cong-dich-vu", "awaiting=me", 403, None),  # systems have no inbox
        ("cong-dich-vu", "status=done", 422, "query.status"),
        ("cong-dich-vu", "procedure=khong-co", 422, "query.procedure"),
        ("canbo-badinh", "awaiting=you", 422, "query.awaiting"),
        ("canbo-badinh", "limit=0", 422, "query.limit"),
        ("canbo-badinh", "limit=" + "9" * 5000, 422, "query.limit"),
        ("canbo-badinh", "organization=phuong-hoan-kiem", 400, "query.organization"),
        ("canbo-badinh", "next=abc.def", 400, "query.next"),
    ],
)
def test_what_each_bad_listing_gets(
    client: Client, stack: Stack, user: str, query: str, status: int, field: str | None
) -> None:
    answer = _list(client, stack, user, query)
    assert answer.status_code == status, answer.json_body
    if field is not None:
        assert [d["field"] for d in answer.json_body["error"]["details"]] == [field]


def test_no_token_is_401_and_a_token_of_another_listing_is_400(
    client: Client, stack: Stack, upstream: str, three: list[dict[str, Any]]
) -> None:
    assert client.http.get("/v1/cases").status_code == 401
    token = _list(client, stack, upstream, "limit=1").json_body["next"]
    assert token
    # another filter, another caller: the token does not carry over
    assert _list(client, stack, upstream, f"status=archived&next={token}").status_code == 400
    assert _list(client, stack, "cong-dich-vu", f"limit=1&next={token}").status_code == 400
