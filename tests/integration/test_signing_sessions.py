"""Officer-held keys: POST /v1/cases/{id}/signing-sessions, the digest out, then PUT
/v1/signing-sessions/{id}, the token's signature in (RSA PKCS#1 v1.5 and ECDSA P-256).

Who gets what: the officer whose turn it is, with the chain registered for their token,
201 then 200; no token certificate registered 409; another chain than the registered
one, or one that is not PEM, 422 naming certificate_chain; a body that is not a JSON
object 400; another organisation's officer 404; an archivist or upstream system 403; a body
over the limit 413 (test_directory). On finishing: another officer's session 403; an
unknown session 404; a signature that does not verify (forged, garbage, not base64) 422
naming signature, the case unchanged; a session expired, used, or whose case moved on
meanwhile 409.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import uuid
from pathlib import Path
from typing import Any

import pytest
from chalice.test import Client
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from signing.devpki import DevPki
from tests.conftest import Stack, send_json, sign, submitted_case
from tests.independent import check_independently
from tests.integration.test_directory import first_sign_in

PROCEDURE = "chuyen-sinh-hoat-chinh-thuc"
ORG = "phuong-ba-dinh"
PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


class Token:
    """What an officer's USB token holds: a private key, and the chain its certificate heads."""

    def __init__(self, stack: Stack, kind: str = "rsa") -> None:
        self.key: PrivateKey = (
            rsa.generate_private_key(public_exponent=65537, key_size=2048)
            if kind == "rsa"
            else ec.generate_private_key(ec.SECP256R1())
        )
        pki = DevPki.load(stack.folder / "pki")
        public = self.key.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
        self.chain = pki.issue_pem(public, "Đỗ Thị Hương", "Đảng ủy phường Ba Đình")

    def sign(self, digest: bytes, raw_ecdsa: bool = False) -> str:
        """The token's signature of a SHA-256 digest (ECDSA as r || s with ``raw_ecdsa``)."""
        if isinstance(self.key, rsa.RSAPrivateKey):
            value = self.key.sign(digest, padding.PKCS1v15(), utils.Prehashed(hashes.SHA256()))
        else:
            value = self.key.sign(digest, ec.ECDSA(utils.Prehashed(hashes.SHA256())))
            if raw_ecdsa:
                r, s = utils.decode_dss_signature(value)
                value = r.to_bytes(32, "big") + s.to_bytes(32, "big")
        return base64.b64encode(value).decode("ascii")


def _officer_with_token(client: Client, stack: Stack, token: Token) -> str:
    username = f"canbo-{uuid.uuid4().hex[:8]}"
    body = {"organization": ORG, "position": "Phó Bí thư", "display_name": "Đỗ Thị Hương",
            "role": "officer"}  # fmt: skip
    created = send_json(client, stack, "PUT", f"/v1/officers/{username}", body, "quan-tri")
    assert created.status_code == 201, created.json_body
    first_sign_in(stack, username, created.json_body["temporary_password"])
    chain = {"certificate_chain": token.chain, "held_by": "officer"}
    path = f"/v1/officers/{username}/certificate"
    registered = send_json(client, stack, "PUT", path, chain, "quan-tri")
    assert registered.status_code == 200, registered.json_body
    assert registered.json_body["token_certificate"] is not None
    return username


def _open(client: Client, stack: Stack, case_id: str, chain: Any, user: str) -> Any:
    return send_json(client, stack, "POST", f"/v1/cases/{case_id}/signing-sessions",
                 {"certificate_chain": chain}, user)  # fmt: skip


def _finish(client: Client, stack: Stack, session_id: str, signature: Any, user: str) -> Any:
    return send_json(client, stack, "PUT", f"/v1/signing-sessions/{session_id}",
                 {"signature": signature}, user)  # fmt: skip


@pytest.mark.parametrize(("kind", "raw"), [("rsa", False), ("ec", False), ("ec", True)])
def test_an_officer_signs_with_their_own_token(
    client: Client, stack: Stack, tmp_path: Path, kind: str, raw: bool
) -> None:
    token = Token(stack, kind)
    officer = _officer_with_token(client, stack, token)
    case = submitted_case(client, stack, PROCEDURE, ORG)
    # a token may hold its own certificate only: the registered chain completes it
    sent = token.chain[:1] if kind == "rsa" else token.chain
    opened = _open(client, stack, case["id"], sent, officer)
    assert opened.status_code == 201, opened.json_body
    session = opened.json_body
    assert session["digest_algorithm"] == "sha256"
    expected = "rsassa_pkcs1v15_sha256" if kind == "rsa" else "ecdsa_sha256"
    assert session["signature_algorithm"] == expected
    digest = base64.b64decode(session["digest"])
    assert digest == hashlib.sha256(base64.b64decode(session["signed_attributes"])).digest()

    finished = _finish(client, stack, session["session_id"], token.sign(digest, raw), officer)
    assert finished.status_code == 200, finished.json_body
    view = finished.json_body
    assert view["status"] == "archived"
    assert view["signatures"][0]["signer"] == "Đỗ Thị Hương"
    assert view["signatures"][0]["level"] == "PAdES-B-LT"

    services, _ = stack.wired()
    stored = services.cases.get_case(case["id"])
    assert stored is not None
    pdf = services.documents.get(stored.document.key, stored.document.version_id)
    assert check_independently(pdf, stack.outputs["trust_anchor_pem"], tmp_path, stack.clock) == 3

    again = _finish(client, stack, session["session_id"], token.sign(digest, raw), officer)
    assert again.status_code == 409  # used once

    # the table lets the session go a day after it expired (its time to live)
    dynamodb = stack.client("dynamodb")
    table = stack.outputs["table"]
    live = dynamodb.describe_time_to_live(TableName=table)["TimeToLiveDescription"]
    assert live["TimeToLiveStatus"] == "ENABLED" and live["AttributeName"] == "expires"
    item = dynamodb.get_item(TableName=table, Key={"pk": {"S": f"SESSION#{session['session_id']}"}})
    expires = dt.datetime.fromisoformat(session["expires_at"]) + dt.timedelta(days=1)
    assert int(item["Item"]["expires"]["N"]) == int(expires.timestamp())


@pytest.fixture
def opened(client: Client, stack: Stack) -> dict[str, Any]:
    token = Token(stack)
    officer = _officer_with_token(client, stack, token)
    case = submitted_case(client, stack, PROCEDURE, ORG)
    response = _open(client, stack, case["id"], token.chain, officer)
    assert response.status_code == 201, response.json_body
    return {"token": token, "officer": officer, "case": case, "session": response.json_body}


def _unchanged(client: Client, stack: Stack, case: dict[str, Any]) -> None:
    now = client.http.get(f"/v1/cases/{case['id']}", headers=stack.auth("cong-dich-vu")).json_body
    assert now["version"] == case["version"] and now["signatures"] == []


@pytest.mark.parametrize("signature", ["forged", "garbage", "not base64", "other digest"])
def test_a_signature_that_does_not_verify_is_422_and_changes_nothing(
    client: Client, stack: Stack, opened: dict[str, Any], signature: str
) -> None:
    token, session = opened["token"], opened["session"]
    digest = base64.b64decode(session["digest"])
    values = {
        "forged": Token(stack).sign(digest),  # a key the certificate is not for
        "garbage": base64.b64encode(b"\x00" * 256).decode(),
        "not base64": "chữ ký!",
        "other digest": token.sign(bytes(32)),
    }
    response = _finish(client, stack, session["session_id"], values[signature], opened["officer"])
    assert response.status_code == 422, response.json_body
    assert [d["field"] for d in response.json_body["error"]["details"]] == ["signature"]
    _unchanged(client, stack, opened["case"])


def test_an_expired_session_is_409(client: Client, stack: Stack, opened: dict[str, Any]) -> None:
    stack.clock.advance(11 * 60)
    session = opened["session"]
    signature = opened["token"].sign(base64.b64decode(session["digest"]))
    assert (
        _finish(client, stack, session["session_id"], signature, opened["officer"]).status_code
        == 409
    )
    _unchanged(client, stack, opened["case"])


def test_another_officers_session_is_403_and_an_unknown_one_404(
    client: Client, stack: Stack, opened: dict[str, Any]
) -> None:
    session = opened["session"]
    signature = opened["token"].sign(base64.b64decode(session["digest"]))
    assert (
        _finish(client, stack, session["session_id"], signature, "canbo-badinh").status_code == 403
    )
    assert (
        _finish(client, stack, str(uuid.uuid4()), signature, opened["officer"]).status_code == 404
    )
    assert _finish(client, stack, "khong-phai", signature, opened["officer"]).status_code == 404
    _unchanged(client, stack, opened["case"])


def test_a_case_that_moved_on_during_the_session_is_409(
    client: Client, stack: Stack, opened: dict[str, Any]
) -> None:
    case, session = opened["case"], opened["session"]
    assert sign(client, stack, case["id"], "canbo-badinh").status_code == 201
    signature = opened["token"].sign(base64.b64decode(session["digest"]))
    late = _finish(client, stack, session["session_id"], signature, opened["officer"])
    assert late.status_code == 409, late.json_body


def test_a_session_needs_the_registered_token_certificate(client: Client, stack: Stack) -> None:
    token = Token(stack)
    officer = _officer_with_token(client, stack, token)
    case = submitted_case(client, stack, PROCEDURE, ORG)
    other = _open(client, stack, case["id"], Token(stack).chain, officer)
    assert other.status_code == 422
    assert [d["field"] for d in other.json_body["error"]["details"]] == ["certificate_chain"]
    assert _open(client, stack, case["id"], ["not PEM"], officer).status_code == 422
    assert _open(client, stack, case["id"], token.chain, "canbo-badinh").status_code == 409
    # another organisation's officer does not see the case; other roles may not sign
    assert _open(client, stack, case["id"], token.chain, "canbo-hoankiem").status_code == 404
    assert _open(client, stack, case["id"], token.chain, "luu-tru").status_code == 403
    assert _open(client, stack, case["id"], token.chain, "cong-dich-vu").status_code == 403
    headers = {**stack.auth(officer), "Content-Type": "application/json"}
    path = f"/v1/cases/{case['id']}/signing-sessions"
    assert client.http.post(path, headers=headers, body="[]").status_code == 400
    assert (
        client.http.post(path, body="{}", headers={"Content-Type": "application/json"}).status_code
        == 401
    )
    _unchanged(client, stack, case)
