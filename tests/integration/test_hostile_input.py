"""What hostile or broken input gets: a small 4xx in the error shape, never a 500.

Each answer names the field and the limit; none is large whatever the input, and no
connection closes without one."""

from __future__ import annotations

import gzip
import http.client
import json
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jwt
import moto
import pytest
from chalice.test import Client

from functions.http import FRAMEWORK_CODES
from functions.limits import MAX_DEPTH, MAX_INTEGER_DIGITS, MAX_ITEMS, MAX_STRING
from infra.stack_template import load_template, properties
from tests.conftest import Stack, procedure_example

Shape = Callable[[dict[str, Any]], Any]


def _case_body(client: Client, stack: Stack, procedure: str, change: Shape) -> str | bytes:
    data = procedure_example(client, stack, procedure)
    body = change({"procedure": procedure, "organization": "phuong-ba-dinh", "data": data})
    if isinstance(body, str | bytes):
        return body
    text = json.dumps(body)  # non-ASCII as \\u escapes: lone surrogates too
    return text.replace(f'"{_LITERAL}', "").replace(f'{_LITERAL}"', "")


_LITERAL = "@literal@"


def _literal(text: str) -> str:
    """A number written exactly as ``text`` in the JSON sent (2.535e5, 253500.0, 5,000 digits)."""
    return f"{_LITERAL}{text}{_LITERAL}"


def _nested(levels: int) -> str:
    return '{"a":' * levels + "1" + "}" * levels


def _set(path: tuple[str, ...], value: Any) -> Shape:
    def change(body: dict[str, Any]) -> dict[str, Any]:
        target = body
        for name in path[:-1]:
            target = target[name]
        target[path[-1]] = value
        return body

    return change


def _raw(text: str) -> Shape:
    return lambda _: text


# (what is sent, procedure, how the body is made, status, the field named in the answer)
BODIES: list[tuple[str, str, Shape, int, str | None]] = [
    ("500 levels deep", "dang-phi", _raw(_nested(500)), 422, "a" + ".a" * (MAX_DEPTH - 1)),
    ("100,000 levels deep", "dang-phi", _raw(_nested(100_000)), 422, "body"),
    ("a lone surrogate in a key", "dang-phi", _raw('{"\\ud800": 1}'), 422, "\\ud800"),
    ("a lone surrogate in a value", "dang-phi", _set(("data", "party_cell"), "\ud800"), 422,
     "data.party_cell"),
    ("amount 253500.0", "dang-phi", _set(("data", "amount"), _literal("253500.0")), 422,
     "data.amount"),
    ("amount 2.535e5", "dang-phi", _set(("data", "amount"), _literal("2.535e5")), 422,
     "data.amount"),
    ("year 2025.0", "nhan-xet-noi-cu-tru", _set(("data", "year"), _literal("2025.0")), 422,
     "data.year"),
    ("an integer of 5,000 digits", "dang-phi", _set(("data", "amount"), _literal("9" * 5000)), 422,
     "data.amount"),
    ("an integer of 19 digits", "dang-phi",
     _set(("data", "amount"), _literal("1" + "0" * MAX_INTEGER_DIGITS)), 422, "data.amount"),
    ("1e400", "dang-phi", _set(("data", "amount"), _literal("1e400")), 422, "data.amount"),
    ("NaN", "dang-phi", _set(("data", "amount"), _literal("NaN")), 400, None),
    ("U+2028 in a name", "dang-phi",
     _set(("data", "member", "full_name"), "Lê Văn\u2028Hùng"), 422, "data.member.full_name"),
    ("U+2029 in a name", "dang-phi",
     _set(("data", "member", "full_name"), "Lê Văn\u2029Hùng"), 422, "data.member.full_name"),
    ("a string over the limit", "dang-phi",
     _set(("data", "party_cell"), "Chi bộ " * (MAX_STRING // 6)), 422, "data.party_cell"),
    ("an array over the limit", "dang-phi", _set(("data", "extra"), [1] * (MAX_ITEMS + 1)), 422,
     "data.extra"),
    ("an empty body", "dang-phi", _raw(""), 400, None),
    ("not UTF-8", "dang-phi", lambda _: b"\xff\xfe{}", 400, None),
]  # fmt: skip


@pytest.mark.parametrize(
    ("sent", "procedure", "change", "status", "field"),
    BODIES,
    ids=[sent for sent, *_ in BODIES],
)
def test_what_a_hostile_body_gets(
    client: Client,
    stack: Stack,
    sent: str,
    procedure: str,
    change: Shape,
    status: int,
    field: str | None,
) -> None:
    body = _case_body(client, stack, procedure, change)
    headers = {
        **stack.auth("cong-dich-vu"),
        "Content-Type": "application/json",
        "Idempotency-Key": str(uuid.uuid4()),
    }
    answer = client.http.post("/v1/cases", headers=headers, body=body)
    assert answer.status_code == status, answer.body[:500]
    error = json.loads(answer.body)["error"]  # UTF-8 JSON whatever was sent
    assert set(error) == {"code", "message", "details"}
    if field is not None:
        assert field in [d["field"] for d in error["details"]], error
    assert len(answer.body) < 20_000


def test_an_error_stays_small_whatever_the_input(client: Client, stack: Stack) -> None:
    word = "Nguyễn"  # TCVN3 damage: the whole string reported, word by word
    bad = word.encode("utf-8").decode("cp1252", "replace")
    damaged = _set(("data", "party_cell"), " ".join([bad] * 1_000))
    many_fields = _set(("data", "member"), {f"field_{n}": n for n in range(400)})
    megabyte = _set(("data", "party_cell"), " ".join([bad] * 35_000))  # ~0.9 MB as sent
    unknown = _raw(json.dumps({f"f{n}": n for n in range(300)}))
    for change in (damaged, many_fields, megabyte, unknown):
        body = _case_body(client, stack, "dang-phi", change)
        headers = {**stack.auth("cong-dich-vu"), "Idempotency-Key": str(uuid.uuid4())}
        answer = client.http.post("/v1/cases", headers=headers, body=body)
        assert answer.status_code == 422
        error = json.loads(answer.body)["error"]
        assert len(error["details"]) <= 50
        assert all(len(d["field"]) <= 300 and len(d["problem"]) <= 300 for d in error["details"])
        assert len(answer.body) < 40_000
    assert "253 more problem(s) not listed" in error["message"]  # 300 unknown fields, 3 missing


def test_a_page_number_of_5000_digits_is_400(client: Client, stack: Stack) -> None:
    answer = client.http.get(
        f"/v1/cases/{uuid.uuid4()}/preview?page={'9' * 5000}", headers=stack.auth("luu-tru")
    )
    assert answer.status_code == 400
    assert answer.json_body["error"]["details"][0]["field"] == "query.page"


def _pool_signed(stack: Stack, claims: dict[str, Any]) -> str:
    """A token signed with the key moto's user pool signs with: what a pool could issue."""
    keys = Path(moto.__file__).parent / "cognitoidp" / "resources" / "jwks-private.json.gz"
    private = json.loads(gzip.decompress(keys.read_bytes()))
    real = jwt.decode(stack.token("canbo-badinh"), options={"verify_signature": False})
    key = jwt.PyJWK(private)
    return jwt.encode({**real, **claims}, key.key, algorithm="RS256", headers={"kid": "dummy"})


@pytest.mark.parametrize(
    "groups", ["officer", {"officer": True}, 7, None], ids=["string", "object", "number", "null"]
)
def test_a_token_whose_groups_are_not_a_list_is_401(
    client: Client, stack: Stack, groups: Any
) -> None:
    token = _pool_signed(stack, {"cognito:groups": groups, "exp": int(time.time()) + 600})
    answer = client.http.get("/v1/procedures", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 401
    assert answer.json_body["error"]["code"] == "unauthorized"


def test_framework_errors_have_our_shape(client: Client, stack: Stack) -> None:
    wrong_method = client.http.request("PUT", "/v1/health")
    assert wrong_method.status_code == 405
    assert wrong_method.json_body["error"]["code"] == "method_not_allowed"
    not_json = client.http.post(
        "/v1/cases",
        headers={**stack.auth("cong-dich-vu"), "Content-Type": "text/plain"},
        body="procedure",
    )
    assert not_json.status_code == 415
    assert not_json.json_body["error"]["code"] == "unsupported_media_type"


def _over_http(api_url: str, method: str, path: str, headers: dict[str, str], body: bytes) -> Any:
    address = urlsplit(api_url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type"), response.read()
    finally:
        connection.close()


@pytest.mark.parametrize(
    ("sent", "method", "path", "headers", "body", "status", "code"),
    [
        ("no such route", "GET", "/v1/nothing-here", {}, b"", 404, "not_found"),
        (
            "no such route, with a token",
            "GET",
            "/nope",
            {"Authorization": "Bearer x"},
            b"",
            404,
            "not_found",
        ),
        (
            "a URI of 70,000 characters",
            "GET",
            "/v1/health?" + "a" * 70_000,
            {},
            b"",
            414,
            "uri_too_long",
        ),
        (
            "200 headers",
            "GET",
            "/v1/health",
            {f"X-H{n}": "v" for n in range(200)},
            b"",
            431,
            "headers_too_large",
        ),
        (
            "a header of 70,000 characters",
            "GET",
            "/v1/health",
            {"X-Big": "v" * 70_000},
            b"",
            431,
            "headers_too_large",
        ),
        (
            "a Content-Length of 12 GB",
            "POST",
            "/v1/cases",
            {"Content-Length": "12000000000"},
            b"",
            413,
            "too_large",
        ),
        (
            "a Content-Length that is not a number",
            "POST",
            "/v1/cases",
            {"Content-Length": "ten"},
            b"",
            400,
            "malformed",
        ),
        (
            "a body over the API's limit",
            "POST",
            "/v1/retries",
            {"Content-Type": "application/json"},
            b"[" + b"1," * 600_000 + b"1]",
            413,
            "too_large",
        ),
    ],
    ids=lambda value: value if isinstance(value, str) and len(value) < 40 else None,
)
def test_what_the_gateway_answers(
    api_url: str,
    stack: Stack,
    sent: str,
    method: str,
    path: str,
    headers: dict[str, str],
    body: bytes,
    status: int,
    code: str,
) -> None:
    if path == "/v1/retries":
        headers = {**headers, **stack.auth("quan-tri")}
    got, content_type, raw = _over_http(api_url, method, path, headers, body)
    assert got == status, raw[:300]
    assert content_type.startswith("application/json")
    assert json.loads(raw)["error"]["code"] == code


def test_api_gateway_answers_with_the_same_codes_in_aws() -> None:
    responses = properties(load_template(), "RestAPI")["GatewayResponses"]
    assert {"MISSING_AUTHENTICATION_TOKEN", "REQUEST_TOO_LARGE", "THROTTLED"} <= set(responses)
    assert {"UNSUPPORTED_MEDIA_TYPE", "DEFAULT_4XX", "DEFAULT_5XX"} <= set(responses)
    for kind, response in responses.items():
        shaped = response["ResponseTemplates"]["application/json"]
        body = json.loads(shaped.replace("$context.error.messageString", '"message"'))
        assert set(body["error"]) == {"code", "message", "details"}, kind
        if "StatusCode" in response:
            assert body["error"]["code"] == FRAMEWORK_CODES[int(response["StatusCode"])], kind
