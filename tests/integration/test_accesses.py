"""The access trail: every read of a record, its download URL or its manifest is kept (who,
when, which record, which action; no member data) before it is answered, and listed to the
record's archivists and to admins.

Who gets what: GET /v1/records/{id}/manifest and /accesses, an archivist of the record's
organisation or above 200, of another branch 404; /accesses to an admin 200; an officer or
an upstream system 403; no token 401. A read whose log cannot be written is not served."""

from __future__ import annotations

import uuid

import pytest
from chalice.test import Client

from functions.errors import Unavailable
from functions.records import get_record
from tests.conftest import Stack
from tests.faults import Faults, unreachable
from tests.integration.test_verification import archived_case


def test_every_read_made_is_listed_newest_first(client: Client, stack: Stack) -> None:
    case = archived_case(stack)
    base = f"/v1/records/{case.record_id}"
    assert client.http.get(base, headers=stack.auth("luu-tru")).status_code == 200
    assert client.http.get(f"{base}?verify=true", headers=stack.auth("luu-tru")).status_code == 200
    manifest = client.http.get(f"{base}/manifest", headers=stack.auth("luu-tru"))
    assert manifest.status_code == 200
    assert manifest.json_body["record_id"] == case.record_id
    assert manifest.json_body["document"]["sha256"] == case.document.sha256

    for user in ("luu-tru", "quan-tri"):
        listed = client.http.get(f"{base}/accesses", headers=stack.auth(user))
        assert listed.status_code == 200
        accesses = listed.json_body["accesses"]
        assert [a["action"] for a in accesses] == ["manifest", "verify", "read"]
        assert {a["by"] for a in accesses} == {"luu-tru"}
        assert all(set(a) == {"record_id", "at", "by", "roles", "action"} for a in accesses)
        assert [a["at"] for a in accesses] == sorted((a["at"] for a in accesses), reverse=True)
    # listing the trail is not itself a read of the record
    again = client.http.get(f"{base}/accesses", headers=stack.auth("luu-tru")).json_body
    assert len(again["accesses"]) == 3


@pytest.mark.parametrize(
    ("user", "status"),
    [("luu-tru-hoankiem", 404), ("canbo-badinh", 403), ("cong-dich-vu", 403)],
)
def test_others_see_neither_the_manifest_nor_the_trail(
    client: Client, stack: Stack, user: str, status: int
) -> None:
    case = archived_case(stack)
    base = f"/v1/records/{case.record_id}"
    assert client.http.get(f"{base}/manifest", headers=stack.auth(user)).status_code == status
    assert client.http.get(f"{base}/accesses", headers=stack.auth(user)).status_code == status
    assert client.http.get(f"{base}/accesses").status_code == 401
    trail = client.http.get(f"{base}/accesses", headers=stack.auth("luu-tru")).json_body
    assert trail["accesses"] == []  # refused reads are not reads


def test_a_read_whose_log_cannot_be_written_is_not_served(stack: Stack) -> None:
    case = archived_case(stack)
    assert case.record_id is not None
    faults = Faults()
    services, people = stack.wired(faults.make_client)
    logging_access = lambda p: str(p["Item"]["pk"]["S"]).startswith("ACCESS#")  # noqa: E731
    faults.add("dynamodb", "PutItem", when=logging_access, error=lambda: unreachable("dynamodb"))
    with pytest.raises(Unavailable):  # no view, so no download URL, went out
        get_record(services, people("luu-tru"), case.record_id)
    faults.clear()
    assert services.cases.accesses(case.record_id, 10) == []


def test_the_trail_lists_the_newest_accesses_up_to_its_limit(stack: Stack) -> None:
    services, _ = stack.wired()
    record_id = str(uuid.uuid4())
    for second in range(3):
        at = f"2026-11-30T10:00:0{second}+00:00"
        entry = {"record_id": record_id, "at": at, "by": "luu-tru", "roles": [], "action": "read"}
        services.cases.log_access(entry)
    newest = services.cases.accesses(record_id, 2)
    assert [a["at"] for a in newest] == ["2026-11-30T10:00:02+00:00", "2026-11-30T10:00:01+00:00"]
