"""The directory API: organisations and people kept by admins, each change recorded.

Who gets what:
- PUT /v1/organizations/{code}: an admin 201 (new) or 200; an officer, an archivist or an
  upstream system 403; no token or a forged one 401; a body that is not a JSON object 400;
  a missing, mistyped or unknown field 422 naming it; damaged Vietnamese 422 naming the
  field; a parent not in the directory, or one below it (a loop), 422 naming parent; a
  signatory heading that leaves a procedure's signature no place 422 naming
  signatory.heading; a code that cannot be one 404; nothing written on any refusal.
- GET /v1/organizations/{code}: any signed-in caller 200; unknown 404.
- PUT /v1/officers/{username}: an admin 201 with a temporary password, or 200; an admin's
  own entry (or any admin's) 403; an unknown organisation, role or status 422 naming it.
- DELETE /v1/officers/{username}: 204, then the person's token 403 and GET 404.
- GET .../changes: admins only; who, when, before and after, newest first.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from chalice.test import Client

from functions.directory import put_person
from functions.errors import Conflict, Unavailable
from tests.conftest import Stack, send_json
from tests.faults import Faults, unreachable

WARD = {
    "name": "Đảng ủy phường Thử Nghiệm",
    "parent_name": "Đảng bộ thành phố Hà Nội",
    "symbol": "ĐU",
    "place": "Hà Nội",
    "seal": True,
    "signatory": {"heading": "T/M BAN THƯỜNG VỤ", "position": "Bí thư", "name": "Đỗ Văn Nam"},
}

# a party cell below a ward: no seal; its comments on a member are confirmed by the ward
CELL = {
    **WARD,
    "name": "Chi bộ Tổ dân phố số 9",
    "seal": False,
    "signatory": {"heading": "T/M CHI ỦY", "position": "Bí thư", "name": "Vũ Thị Mai"},
}


def _code() -> str:
    return f"phuong-thu-{uuid.uuid4().hex[:6]}"


def put_as(client: Client, stack: Stack, path: str, body: Any, user: str = "quan-tri") -> Any:
    """PUT ``path`` with ``body``, as an admin unless ``user`` says otherwise."""
    return send_json(client, stack, "PUT", path, body, user)


def _fields(response: Any) -> list[str]:
    return [d["field"] for d in response.json_body["error"]["details"]]


def test_an_admin_adds_and_changes_an_organisation_and_each_change_is_kept(
    client: Client, stack: Stack
) -> None:
    code = _code()
    created = put_as(client, stack, f"/v1/organizations/{code}", WARD)
    assert created.status_code == 201, created.json_body
    assert created.json_body["version"] == 1
    assert created.json_body["seal"] is True and created.json_body["seal_certificate"] is False

    read = client.http.get(f"/v1/organizations/{code}", headers=stack.auth("cong-dich-vu"))
    assert read.status_code == 200
    assert read.json_body == created.json_body

    changed_body = {**WARD, "place": "Hà Nội, Việt Nam"}
    changed = put_as(client, stack, f"/v1/organizations/{code}", changed_body)
    assert changed.status_code == 200
    assert changed.json_body["place"] == "Hà Nội, Việt Nam" and changed.json_body["version"] == 2

    history = client.http.get(f"/v1/organizations/{code}/changes", headers=stack.auth("quan-tri"))
    assert history.status_code == 200
    changes = history.json_body["changes"]
    assert [c["action"] for c in changes] == ["changed", "created"]
    assert {c["by"] for c in changes} == {"quan-tri"}
    assert changes[0]["before"]["place"] == "Hà Nội" and changes[0]["after"]["place"] == (
        "Hà Nội, Việt Nam"
    )
    assert changes[1]["before"] is None and changes[1]["after"]["version"] == 1
    others = client.http.get(f"/v1/organizations/{code}/changes", headers=stack.auth("luu-tru"))
    assert others.status_code == 403


def test_an_organisation_whose_documents_have_no_place_for_a_signature_is_refused(
    client: Client, stack: Stack
) -> None:
    """The transfer letters place both officers' signatures under "T/M BAN THƯỜNG VỤ": a
    ward whose block is headed otherwise could be saved, but never sign one."""
    code = _code()
    body = {**WARD, "signatory": {**WARD["signatory"], "heading": "T/M ĐẢNG ỦY"}}
    refused = put_as(client, stack, f"/v1/organizations/{code}", body)
    assert refused.status_code == 422, refused.json_body
    problems = refused.json_body["error"]["details"]
    assert {p["field"] for p in problems} == {"signatory.heading"}
    assert any("chuyen-sinh-hoat-chinh-thuc" in p["problem"] for p in problems)
    assert (
        client.http.get(f"/v1/organizations/{code}", headers=stack.auth("quan-tri")).status_code
        == 404
    )
    cell = {**CELL, "parent": "phuong-ba-dinh"}
    cell["signatory"] = {**CELL["signatory"], "heading": "T/M CHI BỘ"}
    refused = put_as(client, stack, f"/v1/organizations/{_code()}", cell)
    assert refused.status_code == 422, refused.json_body
    assert all("nhan-xet-noi-cu-tru" in d["problem"] for d in refused.json_body["error"]["details"])
    # the same heading on a ward without a seal issues none of those: nothing to place
    unsealed = put_as(client, stack, f"/v1/organizations/{code}", {**body, "seal": False})
    assert unsealed.status_code == 201, unsealed.json_body


def test_a_parent_must_exist_and_not_be_below(client: Client, stack: Stack) -> None:
    top, below = _code(), _code()
    missing = put_as(client, stack, f"/v1/organizations/{top}", {**WARD, "parent": "khong-co-dau"})
    assert missing.status_code == 422 and _fields(missing) == ["parent"]
    assert put_as(client, stack, f"/v1/organizations/{top}", WARD).status_code == 201
    assert (
        put_as(client, stack, f"/v1/organizations/{below}", {**CELL, "parent": top}).status_code
        == 201
    )
    loop = put_as(client, stack, f"/v1/organizations/{top}", {**WARD, "parent": below})
    assert loop.status_code == 422 and _fields(loop) == ["parent"]
    itself = put_as(client, stack, f"/v1/organizations/{top}", {**WARD, "parent": top})
    assert itself.status_code == 422 and _fields(itself) == ["parent"]


@pytest.mark.parametrize(
    ("body", "status", "fields"),
    [
        ([WARD], 400, ["body"]),
        ({}, 422, ["name", "parent_name", "place", "symbol", "seal", "signatory",
                   "signatory.heading", "signatory.position", "signatory.name"]),
        ({**WARD, "seal": "yes"}, 422, ["seal"]),
        ({**WARD, "colour": "red"}, 422, ["colour"]),
        ({**WARD, "signatory": {**WARD["signatory"], "seal": 1}}, 422, ["signatory.seal"]),
        ({**WARD, "name": "x" * 201}, 422, ["name"]),
        ({**WARD, "parent": "Không Phải Mã"}, 422, ["parent"]),
        ({**WARD, "name": "§¶ng ñy ph\u00adêng"}, 422, ["name"]),  # TCVN3 read as Windows-1252
    ],
)  # fmt: skip
def test_bad_organisations_are_refused_naming_the_field(
    client: Client, stack: Stack, body: Any, status: int, fields: list[str]
) -> None:
    code = _code()
    response = put_as(client, stack, f"/v1/organizations/{code}", body)
    assert response.status_code == status, response.json_body
    assert sorted(_fields(response)) == sorted(fields)
    assert (
        client.http.get(f"/v1/organizations/{code}", headers=stack.auth("quan-tri")).status_code
        == 404
    )


@pytest.mark.parametrize("user", ["canbo-badinh", "luu-tru", "cong-dich-vu"])
def test_only_an_admin_writes_the_directory(client: Client, stack: Stack, user: str) -> None:
    code = _code()
    assert put_as(client, stack, f"/v1/organizations/{code}", WARD, user).status_code == 403
    person = {"organization": "phuong-ba-dinh", "position": "Chuyên viên",
              "display_name": "Ngô Thị Hạnh", "role": "officer"}  # fmt: skip
    assert put_as(client, stack, "/v1/officers/nguoi-moi", person, user).status_code == 403
    assert client.http.delete("/v1/officers/luu-tru", headers=stack.auth(user)).status_code == 403
    assert client.http.get("/v1/officers/luu-tru", headers=stack.auth(user)).status_code == 403


def test_no_token_or_a_forged_one_is_401(client: Client, stack: Stack) -> None:
    head, payload, signature = stack.token("quan-tri").split(".")
    forged = {"Authorization": f"Bearer {head}.{payload}.{signature[::-1]}"}
    for headers in ({}, forged):
        body = json.dumps(WARD)
        plain = {**headers, "Content-Type": "application/json"}
        assert client.http.put("/v1/organizations/x-y", headers=plain, body=body).status_code == 401
        assert (
            client.http.get("/v1/organizations/phuong-ba-dinh", headers=headers).status_code == 401
        )
        assert client.http.delete("/v1/officers/luu-tru", headers=headers).status_code == 401


def test_a_path_that_cannot_name_an_entry_is_404(client: Client, stack: Stack) -> None:
    admin = stack.auth("quan-tri")
    assert put_as(client, stack, "/v1/organizations/Ba%20%C4%90%C3%ACnh", WARD).status_code == 404
    assert client.http.get("/v1/organizations/-x-", headers=admin).status_code == 404
    assert client.http.get("/v1/officers/A", headers=admin).status_code == 404
    assert client.http.get("/v1/officers/khong-co-ai", headers=admin).status_code == 404


def _new_person(client: Client, stack: Stack, role: str = "officer") -> tuple[str, dict[str, Any]]:
    username = f"nguoi-{uuid.uuid4().hex[:8]}"
    body = {"organization": "phuong-ba-dinh", "position": "Chuyên viên",
            "display_name": "Ngô Thị Hạnh", "role": role}  # fmt: skip
    response = put_as(client, stack, f"/v1/officers/{username}", body)
    assert response.status_code == 201, response.json_body
    return username, response.json_body


def first_sign_in(stack: Stack, username: str, temporary: str) -> str:
    """The new-password challenge of a first sign-in answered; the new password."""
    cognito = stack.client("cognito-idp")
    client_id = stack.outputs["user_pool_client_id"]
    first = cognito.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": temporary},
    )
    assert first["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    password = f"Mat-khau-{uuid.uuid4().hex[:8]}!"
    cognito.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=first["Session"],
        ChallengeResponses={"USERNAME": username, "NEW_PASSWORD": password},
    )
    stack.know_password(username, password)
    return password


def test_a_new_person_signs_in_with_a_new_password_then_is_suspended_at_once(
    client: Client, stack: Stack
) -> None:
    username, created = _new_person(client, stack)
    assert created["role"] == "officer" and created["status"] == "active"
    assert created["certificate"] is None
    password = first_sign_in(stack, username, created["temporary_password"])
    token = stack.auth(username)
    assert client.http.get("/v1/procedures", headers=token).status_code == 200
    read = client.http.get(f"/v1/officers/{username}", headers=stack.auth("quan-tri"))
    assert "temporary_password" not in read.json_body  # answered once only

    suspended = put_as(client, stack, f"/v1/officers/{username}",
                     {**_person_fields(created), "status": "suspended"})  # fmt: skip
    assert suspended.status_code == 200 and suspended.json_body["status"] == "suspended"
    # the token still lives for an hour, but the directory refuses it at once
    assert client.http.get("/v1/procedures", headers=token).status_code == 403
    with pytest.raises(stack.client("cognito-idp").exceptions.NotAuthorizedException):
        stack.sign_in(username)  # and the account is disabled

    again = put_as(client, stack, f"/v1/officers/{username}", _person_fields(created))
    assert again.status_code == 200
    assert client.http.get("/v1/procedures", headers=token).status_code == 200
    assert stack.sign_in(username)["IdToken"]
    assert password


def _person_fields(view: dict[str, Any]) -> dict[str, Any]:
    return {k: view[k] for k in ("organization", "position", "display_name", "role", "status")}


def test_a_removed_person_loses_access_and_the_history_stays(client: Client, stack: Stack) -> None:
    username, created = _new_person(client, stack, role="archivist")
    first_sign_in(stack, username, created["temporary_password"])
    token = stack.auth(username)
    assert client.http.get("/v1/records", headers=token).status_code == 200

    admin = stack.auth("quan-tri")
    assert client.http.delete(f"/v1/officers/{username}", headers=admin).status_code == 204
    assert client.http.get("/v1/records", headers=token).status_code == 403
    assert client.http.get(f"/v1/officers/{username}", headers=admin).status_code == 404
    assert client.http.delete(f"/v1/officers/{username}", headers=admin).status_code == 404
    with pytest.raises(stack.client("cognito-idp").exceptions.NotAuthorizedException):
        stack.sign_in(username)
    history = client.http.get(f"/v1/officers/{username}/changes", headers=admin).json_body
    assert [c["action"] for c in history["changes"]] == ["removed", "created"]
    assert history["changes"][0]["after"] is None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"organization": "khong-co-dau"}, "organization"),
        ({"role": "admin"}, "role"),
        ({"status": "on-leave"}, "status"),
        ({"email": "not an address"}, "email"),
        ({"groups": ["admin"]}, "groups"),
        ({"display_name": ""}, "display_name"),
    ],
)
def test_bad_people_are_refused_naming_the_field(
    client: Client, stack: Stack, change: dict[str, Any], field: str
) -> None:
    username = f"nguoi-{uuid.uuid4().hex[:8]}"
    body = {"organization": "phuong-ba-dinh", "position": "Chuyên viên",
            "display_name": "Ngô Thị Hạnh", "role": "officer", **change}  # fmt: skip
    response = put_as(client, stack, f"/v1/officers/{username}", body)
    assert response.status_code == 422 and _fields(response) == [field]
    assert (
        client.http.get(f"/v1/officers/{username}", headers=stack.auth("quan-tri")).status_code
        == 404
    )


def test_admins_are_not_changed_through_the_api(client: Client, stack: Stack) -> None:
    body = {"organization": "phuong-ba-dinh", "position": "Chuyên viên",
            "display_name": "Quản trị", "role": "archivist", "status": "suspended"}  # fmt: skip
    assert put_as(client, stack, "/v1/officers/quan-tri", body).status_code == 403
    admin = stack.auth("quan-tri")
    assert client.http.delete("/v1/officers/quan-tri", headers=admin).status_code == 403
    assert client.http.get("/v1/procedures", headers=admin).status_code == 200


def test_a_person_added_while_the_pool_is_down_is_not_half_added(stack: Stack) -> None:
    """The account comes first: with the pool down nothing is written (503), and the retry
    adds the person with a fresh temporary password."""
    faults = Faults()
    services, principal_of = stack.wired(make_client=faults.make_client)
    admin = principal_of("quan-tri")
    username = f"nguoi-{uuid.uuid4().hex[:8]}"
    body = {"organization": "phuong-ba-dinh", "position": "Chuyên viên",
            "display_name": "Ngô Thị Hạnh", "role": "officer"}  # fmt: skip
    faults.add("cognito-idp", "AdminAddUserToGroup", lambda: unreachable("cognito-idp"), times=1)
    with pytest.raises(Unavailable):
        put_person(services, admin, username, body)
    assert services.cases.get_officer(username) is None
    view, created = put_person(services, admin, username, body)
    assert created and view["temporary_password"]
    first_sign_in(stack, username, view["temporary_password"])


def test_a_stale_write_changes_nothing_and_records_nothing(stack: Stack) -> None:
    services, _ = stack.wired()
    key = "OFFICER#luu-tru"
    before = services.cases.get_officer("luu-tru")
    assert before is not None
    stale = {**before, "position": "Ai đó", "version": before["version"] + 1}
    change = {"subject": key, "at": "2026-01-01T00:00:00Z", "by": "test", "action": "changed"}
    with pytest.raises(Conflict):
        services.cases.save_directory_entry(key, stale, before["version"] - 1, change)
    assert services.cases.get_officer("luu-tru") == before
    assert all(c["by"] != "test" for c in services.cases.directory_changes(key, 100))


@pytest.mark.parametrize(
    ("method", "path", "user"),
    [
        ("PUT", "/v1/organizations/phuong-moi", "quan-tri"),
        ("PUT", "/v1/officers/nguoi-moi", "quan-tri"),
        ("PUT", "/v1/officers/canbo-badinh/certificate", "quan-tri"),
        ("PUT", "/v1/organizations/phuong-ba-dinh/certificate", "quan-tri"),
        ("POST", f"/v1/cases/{uuid.uuid4()}/signing-sessions", "canbo-badinh"),
        ("PUT", f"/v1/signing-sessions/{uuid.uuid4()}", "canbo-badinh"),
        ("POST", f"/v1/cases/{uuid.uuid4()}/rejections", "canbo-badinh"),
    ],
)
def test_a_body_over_the_limit_is_413_on_every_new_route(
    client: Client, stack: Stack, method: str, path: str, user: str
) -> None:
    """Whoever calls, a body over the API's limit (1 MB) is refused before it is read."""
    headers = {**stack.auth(user), "Content-Type": "application/json"}
    body = '{"x": "' + "v" * 1_100_000 + '"}'
    response = client.http.request(method, path, headers=headers, body=body)
    assert response.status_code == 413, response.json_body
    assert response.json_body["error"]["code"] == "too_large"
