"""Identity no user can bend: the directory decides role, organisation and status.

It does so on every request; admins read no case content; archivists read their
organisation and the ones below it."""

from __future__ import annotations

import json
from typing import Any

import jwt
import pytest
from chalice.test import Client

from infra.stack_template import load_template, properties
from tests.conftest import Stack, submitted_case


@pytest.fixture(scope="module")
def receipt(client: Client, stack: Stack) -> dict[str, Any]:
    """A Ba Đình party-fee receipt, sealed and archived on submission."""
    case = submitted_case(client, stack, "dang-phi", "phuong-ba-dinh")
    assert case["status"] == "archived"
    return case


def _reads(client: Client, headers: dict[str, str], case: dict[str, Any]) -> list[int]:
    """The statuses of GET case, document, preview and record."""
    paths = [f"/v1/cases/{case['id']}", f"/v1/cases/{case['id']}/document"]
    paths += [f"/v1/cases/{case['id']}/preview?page=1", f"/v1/records/{case['record_id']}"]
    headers = {**headers, "Accept": "application/json, application/pdf, image/png"}
    return [client.http.get(path, headers=headers).status_code for path in paths]


def test_changing_ones_own_organisation_attribute_changes_nothing(
    client: Client, stack: Stack, receipt: dict[str, Any]
) -> None:
    cognito = stack.client("cognito-idp")
    access_token = stack.sign_in("canbo-hoankiem")["AccessToken"]
    cognito.update_user_attributes(  # moto allows it (AWS refuses: WriteAttributes)
        AccessToken=access_token,
        UserAttributes=[{"Name": "custom:org", "Value": "phuong-ba-dinh"}],
    )
    try:
        token = stack.sign_in("canbo-hoankiem")["IdToken"]
        claims = jwt.decode(token, options={"verify_signature": False})
        assert claims["custom:org"] == "phuong-ba-dinh"  # the claim says Ba Đình…
        headers = {"Authorization": f"Bearer {token}"}
        assert _reads(client, headers, receipt)[:3] == [404, 404, 404]  # …the directory not
    finally:
        cognito.admin_update_user_attributes(
            UserPoolId=stack.outputs["user_pool_id"],
            Username="canbo-hoankiem",
            UserAttributes=[{"Name": "custom:org", "Value": "phuong-hoan-kiem"}],
        )


def test_no_user_may_write_their_organisation_in_aws() -> None:
    app_client = properties(load_template(), "UserPoolClient")
    assert app_client["WriteAttributes"], "an empty list lets users write every attribute"
    assert "custom:org" not in app_client["WriteAttributes"]
    assert "custom:org" in app_client["ReadAttributes"]


def test_an_admin_reads_no_case_or_record_content(
    client: Client, stack: Stack, receipt: dict[str, Any]
) -> None:
    assert _reads(client, stack.auth("quan-tri"), receipt) == [403, 403, 403, 403]
    answer = client.http.get(f"/v1/cases/{receipt['id']}", headers=stack.auth("quan-tri"))
    assert answer.json_body["error"]["code"] == "forbidden"
    assert "receipt" not in json.dumps(answer.json_body)


def test_archivists_read_their_organisation_and_the_ones_below(
    client: Client, stack: Stack, receipt: dict[str, Any]
) -> None:
    assert _reads(client, stack.auth("luu-tru"), receipt) == [200, 200, 200, 200]
    assert _reads(client, stack.auth("luu-tru-hoankiem"), receipt) == [404, 404, 404, 404]
    cell = submitted_case(client, stack, "nhan-xet-noi-cu-tru", "chi-bo-to-dan-pho-5-ba-dinh")
    path = f"/v1/cases/{cell['id']}"
    assert client.http.get(path, headers=stack.auth("luu-tru")).status_code == 200  # below
    assert client.http.get(path, headers=stack.auth("luu-tru-hoankiem")).status_code == 404


def test_a_suspended_or_removed_person_loses_access_at_once(
    client: Client, stack: Stack, receipt: dict[str, Any]
) -> None:
    username = stack.add_person("archivist", "phuong-ba-dinh")
    headers = stack.auth(username)  # the token stays valid for an hour throughout
    assert _reads(client, headers, receipt) == [200, 200, 200, 200]
    entry = {"role": "archivist", "organization": "phuong-ba-dinh"}
    stack.directory(username, {**entry, "status": "suspended"})
    assert _reads(client, headers, receipt) == [403, 403, 403, 403]
    assert client.http.get("/v1/procedures", headers=headers).status_code == 403
    stack.directory(username, {**entry, "status": "active"})
    assert _reads(client, headers, receipt) == [200, 200, 200, 200]
    stack.directory(username, None)
    assert _reads(client, headers, receipt) == [403, 403, 403, 403]


def test_a_move_in_the_directory_counts_at_once(
    client: Client, stack: Stack, receipt: dict[str, Any]
) -> None:
    username = stack.add_person("archivist", "phuong-hoan-kiem")
    headers = stack.auth(username)
    assert _reads(client, headers, receipt) == [404, 404, 404, 404]
    stack.directory(
        username, {"role": "archivist", "organization": "phuong-ba-dinh", "status": "active"}
    )
    assert _reads(client, headers, receipt) == [200, 200, 200, 200]


@pytest.mark.parametrize(
    ("role", "groups", "reads", "retries"),
    [
        ("archivist", ["archivist", "admin"], [200, 200, 200, 200], 403),  # admin not granted
        ("archivist", ["officer"], [403, 403, 403, 403], 403),  # the groups do not agree
        ("admin", ["admin", "archivist"], [403, 403, 403, 403], 202),  # archivist not granted
        ("officer", [], [403, 403, 403, 403], 403),  # no group at all
    ],
    ids=["archivist-also-in-admin", "archivist-in-officer", "admin-also-archivist", "no-group"],
)
def test_a_group_the_directory_does_not_grant_is_ignored(
    client: Client,
    stack: Stack,
    receipt: dict[str, Any],
    role: str,
    groups: list[str],
    reads: list[int],
    retries: int,
) -> None:
    username = stack.add_person(role, "phuong-ba-dinh", groups)
    headers = stack.auth(username)
    assert _reads(client, headers, receipt) == reads
    retry = client.http.post(
        "/v1/retries",
        headers={**headers, "Content-Type": "application/json"},
        body=json.dumps({"reason": "khong-co-ly-do-nay"}),
    )
    assert retry.status_code == retries
