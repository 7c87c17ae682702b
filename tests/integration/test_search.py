"""GET /v1/records: each filter finds its records through an index (never a scan), within
the archivist's organisation and those below it, a page at a time with a signed `next`.

Who gets what: an archivist their scope's records; an officer, an upstream system or an
admin 403; no token 401; a bad filter 422 naming it; an unknown parameter 400; a forged or
foreign `next` 400."""

from __future__ import annotations

import copy
import datetime as dt
import random
import uuid
from typing import Any

import pytest
from chalice.test import Client

from functions.intake import submit_case
from functions.model import VIETNAM, Case
from functions.signatures import sign_as_officer
from tests.calls import CALLS
from tests.conftest import Stack


def _archive(stack: Stack, procedure: str, organization: str, card: str) -> Case:
    services, people = stack.wired()
    found = services.catalogue.get(procedure)
    assert found is not None
    data = copy.deepcopy(found.example)
    data["member"]["party_card_number"] = card
    body = {"procedure": procedure, "organization": organization, "data": data}
    case = submit_case(services, people("cong-dich-vu"), body, str(uuid.uuid4())).case
    if case.status != "archived":
        officer = "canbo-badinh" if organization == "phuong-ba-dinh" else "canbo-hoankiem"
        case = sign_as_officer(services, people(officer), case.id)
    assert case.status == "archived" and case.record_id
    return case


def _card() -> str:
    return "".join(random.choices("0123456789", k=10))  # noqa: S311 (test data, no secret)


@pytest.fixture(scope="module")
def cards() -> dict[str, str]:
    return {"shared": _card(), "hoankiem": _card()}


@pytest.fixture(scope="module")
def records(stack: Stack, cards: dict[str, str]) -> dict[str, Case]:
    made = {
        "transfer": _archive(
            stack, "chuyen-sinh-hoat-chinh-thuc", "phuong-ba-dinh", cards["shared"]
        ),
        "fee": _archive(stack, "dang-phi", "phuong-ba-dinh", cards["shared"]),
    }
    # archive times are kept to the second: the second fee must be archived a second later
    # for "newest first" to say which comes first (two in one second are ordered by id)
    stack.clock.advance(1)
    made["fee2"] = _archive(stack, "dang-phi", "phuong-ba-dinh", cards["shared"])
    made["hoankiem"] = _archive(stack, "dang-phi", "phuong-hoan-kiem", cards["hoankiem"])
    return made


def _search(client: Client, stack: Stack, query: str, user: str = "luu-tru") -> Any:
    return client.http.get(f"/v1/records?{query}", headers=stack.auth(user))


def _all_ids(client: Client, stack: Stack, query: str, user: str = "luu-tru") -> list[str]:
    ids: list[str] = []
    token = None
    while True:
        page = _search(client, stack, query + (f"&next={token}" if token else ""), user)
        assert page.status_code == 200, page.json_body
        ids += [item["id"] for item in page.json_body["items"]]
        token = page.json_body["next"]
        if token is None:
            return ids


def test_each_filter_finds_its_records_and_never_scans(
    client: Client, stack: Stack, records: dict[str, Case], cards: dict[str, str]
) -> None:
    CALLS.calls.clear()
    transfer, fee, fee2 = records["transfer"], records["fee"], records["fee2"]
    by_card = _all_ids(client, stack, f"card={cards['shared']}")
    assert sorted(by_card) == sorted([transfer.record_id, fee.record_id, fee2.record_id])
    assert _all_ids(client, stack, f"number={fee.number}") == [fee.record_id]
    by_procedure = _all_ids(client, stack, f"procedure=dang-phi&card={cards['shared']}")
    assert sorted(by_procedure) == sorted([fee.record_id, fee2.record_id])
    assert transfer.record_id in _all_ids(client, stack, "procedure=chuyen-sinh-hoat-chinh-thuc")
    assert fee.record_id in _all_ids(client, stack, "organization=phuong-ba-dinh")
    assert fee.record_id in _all_ids(client, stack, "archived_from=2025-01-01")
    assert fee.record_id not in _all_ids(
        client, stack, "archived_from=2025-01-01&archived_to=2025-01-31"
    )
    # newest first
    assert by_card.index(fee2.record_id) < by_card.index(fee.record_id)
    operations = {(c.service, c.operation) for c in CALLS.calls}
    assert ("dynamodb", "Query") in operations and ("dynamodb", "Scan") not in operations
    # the card number never reaches the table in clear
    assert all(cards["shared"] not in str(c.params) for c in CALLS.calls if c.service == "dynamodb")


def test_an_archivist_sees_only_their_branch(
    client: Client, stack: Stack, records: dict[str, Case], cards: dict[str, str]
) -> None:
    fee, hoankiem = records["fee"], records["hoankiem"]
    # numbers restart in each organisation: Hoàn Kiếm may have its own record of this number
    assert fee.record_id not in _all_ids(client, stack, f"number={fee.number}", "luu-tru-hoankiem")
    assert _all_ids(client, stack, f"card={cards['shared']}", "luu-tru-hoankiem") == []
    assert _all_ids(client, stack, "organization=phuong-ba-dinh", "luu-tru-hoankiem") == []
    assert _all_ids(client, stack, f"card={cards['hoankiem']}", "luu-tru-hoankiem") == [
        hoankiem.record_id
    ]
    assert _all_ids(client, stack, f"card={cards['hoankiem']}") == []


@pytest.mark.parametrize(
    ("user", "status"), [("canbo-badinh", 403), ("cong-dich-vu", 403), ("quan-tri", 403)]
)
def test_only_archivists_search(client: Client, stack: Stack, user: str, status: int) -> None:
    assert _search(client, stack, "procedure=dang-phi", user).status_code == status
    assert client.http.get("/v1/records").status_code == 401


def test_pages_follow_a_signed_next(
    client: Client, stack: Stack, records: dict[str, Case], cards: dict[str, str]
) -> None:
    query = f"card={cards['shared']}&limit=1"
    first = _search(client, stack, query).json_body
    assert len(first["items"]) == 1 and first["next"]
    token = first["next"]
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    bad = _search(client, stack, f"{query}&next={forged}")
    assert bad.status_code == 400
    assert bad.json_body["error"]["details"] == [{"field": "query.next", "problem": "forged"}]
    other = _search(client, stack, f"card={cards['hoankiem']}&limit=1&next={token}")
    assert other.status_code == 400
    assert other.json_body["error"]["details"][0]["problem"] == "from another search"
    elsewhere = _search(client, stack, f"{query}&next={token}", "luu-tru-hoankiem")
    assert elsewhere.status_code == 400  # another scope is another search
    assert len(set(_all_ids(client, stack, query))) == 3


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=0", "query.limit"),
        ("limit=101", "query.limit"),
        ("limit=ten", "query.limit"),
        ("card=12", "query.card"),
        ("archived_from=2026-13-01", "query.archived_from"),
        ("archived_to=null", "query.archived_to"),
        ("original_from=1987-02-30", "query.original_from"),
        ("original_from=1990-01-01&original_to=1989-01-01", "query.original_to"),
        ("archived_from=2026-02-01&archived_to=2026-01-01", "query.archived_to"),
        ("number=" + "x" * 101, "query.number"),
    ],
    ids=[
        "zero",
        "over",
        "words",
        "short-card",
        "month-13",
        "not-a-date",
        "paper-day-30",
        "paper-reversed",
        "reversed",
        "long",
    ],
)
def test_a_bad_filter_is_422_naming_it(
    client: Client, stack: Stack, query: str, field: str
) -> None:
    response = _search(client, stack, query)
    assert response.status_code == 422
    assert [d["field"] for d in response.json_body["error"]["details"]] == [field]


def test_an_unknown_parameter_is_400(client: Client, stack: Stack) -> None:
    response = _search(client, stack, "party_card=0123456789")
    assert response.status_code == 400
    assert response.json_body["error"]["details"][0]["field"] == "query.party_card"


def test_the_default_range_ends_today_on_the_platform_clock(client: Client, stack: Stack) -> None:
    # a record archived on 2 March 2031 (the platform's clock) is in a search without dates
    card = _card()
    with stack.clock.pinned(dt.datetime(2031, 3, 2, 1, 0, tzinfo=dt.UTC)):
        case = _archive(stack, "dang-phi", "phuong-ba-dinh", card)
        assert _all_ids(client, stack, f"card={card}") == [case.record_id]


def test_a_date_range_within_a_year_leaves_out_the_days_around_it(
    client: Client, stack: Stack, records: dict[str, Case]
) -> None:
    """The year is the index's partition; the days within it are the sort key's range
    (a mutant that dropped that range kept every record of the year)."""
    fee = records["fee"]
    services, _ = stack.wired()
    record = services.cases.get_record(str(fee.record_id))
    assert record is not None
    day = dt.datetime.fromisoformat(record["archived_at"]).astimezone(VIETNAM).date()
    before, after = day - dt.timedelta(days=1), day + dt.timedelta(days=1)
    assert fee.record_id in _all_ids(client, stack, f"archived_from={day}&archived_to={day}")
    assert fee.record_id not in _all_ids(
        client, stack, f"archived_from={after}&archived_to={after}"
    )
    assert fee.record_id not in _all_ids(
        client, stack, f"archived_from={before}&archived_to={before}"
    )
