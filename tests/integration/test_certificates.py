"""Keys and certificates the way a CA issues them: a KMS key, its PKCS#10 request signed
through KMS, the chain from the CA imported after checks.

Who gets what: POST /v1/officers/{u}/keys and /v1/organizations/{code}/keys, an admin 201
with the request; an officer, archivist or upstream system 403; no token 401; an unknown
entry 404; an archivist's entry, or an organisation without a seal, 409.
PUT .../certificate: an admin 200; a chain that does not reach the stage's anchor, a
certificate for another key, one whose key usage lacks nonRepudiation, an expired one or
one not yet valid, a chain that is not PEM certificates: 422 naming certificate_chain,
and the entry unchanged.
"""

from __future__ import annotations

import datetime as dt
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import pytest
from chalice.test import Client
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes
from cryptography.hazmat.primitives.serialization import Encoding

from signing.devpki import DevPki
from signing.fetching import OCSP_ANSWER_SECONDS
from tests.conftest import Stack, procedure_example, submit, submitted_case
from tests.independent import check_independently
from tests.integration.test_directory import WARD, first_sign_in, put_as

PROCEDURE = "chuyen-sinh-hoat-chinh-thuc"


def _request(client: Client, stack: Stack, path: str, user: str = "quan-tri") -> Any:
    return client.http.post(f"{path}/keys", headers=stack.auth(user))


def _issued(stack: Stack, request_pem: str) -> list[str]:
    """The dev CA's answer to a certificate request, over HTTP as a CA is reached."""
    ask = urllib.request.Request(
        f"{stack.outputs['dev_ca_url']}/certificates",
        data=request_pem.encode("ascii"),
        headers={"Content-Type": "application/pkcs10"},
        method="POST",
    )
    with urllib.request.urlopen(ask, timeout=10) as answer:
        text = answer.read().decode("ascii")
    return [f"-----BEGIN{part}" for part in text.split("-----BEGIN")[1:]]


def _certified(client: Client, stack: Stack, path: str) -> dict[str, Any]:
    """A new key for the entry at ``path``, its request issued by the dev CA and imported."""
    requested = _request(client, stack, path)
    assert requested.status_code == 201, requested.json_body
    request_pem = requested.json_body["certificate_request"]
    parsed = x509.load_pem_x509_csr(request_pem.encode("ascii"))
    assert parsed.is_signature_valid  # signed through KMS by the key it names
    imported = put_as(
        client, stack, f"{path}/certificate", {"certificate_chain": _issued(stack, request_pem)}
    )
    assert imported.status_code == 200, imported.json_body
    return dict(imported.json_body)


def _new_officer(client: Client, stack: Stack, organization: str) -> str:
    username = f"canbo-{uuid.uuid4().hex[:8]}"
    body = {"organization": organization, "position": "Phó Bí thư",
            "display_name": "Đỗ Văn Nam", "role": "officer"}  # fmt: skip
    created = put_as(client, stack, f"/v1/officers/{username}", body)
    assert created.status_code == 201, created.json_body
    first_sign_in(stack, username, created.json_body["temporary_password"])
    return username


def test_an_organisation_and_its_officer_made_through_the_api_sign_a_record_others_accept(
    client: Client, stack: Stack, tmp_path: Path
) -> None:
    code = f"phuong-moi-{uuid.uuid4().hex[:6]}"
    assert put_as(client, stack, f"/v1/organizations/{code}", WARD).status_code == 201
    organization = _certified(client, stack, f"/v1/organizations/{code}")
    assert organization["seal_certificate"] is True and organization["key_pending"] is False

    username = _new_officer(client, stack, code)
    officer = _certified(client, stack, f"/v1/officers/{username}")
    assert officer["certificate"] is not None and officer["key_pending"] is False

    body = {"procedure": PROCEDURE, "organization": code,
            "data": procedure_example(client, stack, PROCEDURE)}  # fmt: skip
    case = submit(client, stack, body).json_body
    signed = client.http.post(f"/v1/cases/{case['id']}/signatures", headers=stack.auth(username))
    assert signed.status_code == 201, signed.json_body
    assert signed.json_body["status"] == "archived"
    assert signed.json_body["signatures"][0]["signer"] == "Đỗ Văn Nam"

    services, _ = stack.wired()
    stored = services.cases.get_case(case["id"])
    assert stored is not None
    pdf = services.documents.get(stored.document.key, stored.document.version_id)
    assert (
        check_independently(pdf, stack.outputs["trust_anchor_pem"], tmp_path, stack.clock) == 3
    )  # officer, seal, document timestamp


def _pending_public_key(client: Client, stack: Stack, path: str) -> PublicKeyTypes:
    requested = _request(client, stack, path)
    assert requested.status_code == 201
    pem = requested.json_body["certificate_request"].encode("ascii")
    return x509.load_pem_x509_csr(pem).public_key()


def _certificate(
    pki: DevPki,
    public_key: PublicKeyTypes,
    not_before: dt.datetime,
    not_after: dt.datetime,
    non_repudiation: bool = True,
) -> list[str]:
    """A certificate from ``pki``'s root with the given validity and key usage."""
    name = x509.Name([x509.NameAttribute(x509.oid.NameOID.COMMON_NAME, "Thử Nghiệm")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(pki.root_cert.subject)
        .public_key(public_key)  # type: ignore[arg-type]
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(
            x509.KeyUsage(True, non_repudiation, False, False, False, False, False, False, False),
            critical=True,
        )
        .sign(pki.root_key, hashes.SHA256())
    )
    return [cert.public_bytes(Encoding.PEM).decode(), pki.root_pem]


def _refusal(client: Client, stack: Stack, path: str, chain: Any, expected: str) -> None:
    before = client.http.get(path, headers=stack.auth("quan-tri")).json_body
    refused = put_as(client, stack, f"{path}/certificate", {"certificate_chain": chain})
    assert refused.status_code == 422, refused.json_body
    details = refused.json_body["error"]["details"]
    assert [d["field"] for d in details] == ["certificate_chain"]
    assert expected in details[0]["problem"], details
    after = client.http.get(path, headers=stack.auth("quan-tri")).json_body
    assert after == before


@pytest.mark.parametrize(
    "case",
    ["foreign chain", "another key", "no non-repudiation", "expired", "not yet valid", "not PEM"],
)
def test_a_certificate_that_may_not_sign_is_refused_and_changes_nothing(
    client: Client, stack: Stack, case: str
) -> None:
    username = _new_officer(client, stack, "phuong-ba-dinh")
    path = f"/v1/officers/{username}"
    key = _pending_public_key(client, stack, path)
    pki = DevPki.load(stack.folder / "pki")
    now = stack.clock.now()
    year = dt.timedelta(days=365)
    if case == "foreign chain":
        foreign = DevPki.create("http://127.0.0.1:9/ocsp", name="Không Tin Cậy")
        chain, expected = _certificate(foreign, key, now - year, now + year), "trusted root"
    elif case == "another key":
        other = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
        chain, expected = _certificate(pki, other, now - year, now + year), "another key"
    elif case == "no non-repudiation":
        chain = _certificate(pki, key, now - year, now + year, non_repudiation=False)
        expected = "non_repudiation"
    elif case == "expired":
        chain, expected = _certificate(pki, key, now - 2 * year, now - year), "expired"
    elif case == "not yet valid":
        chain, expected = _certificate(pki, key, now + year, now + 2 * year), "not valid before"
    else:
        chain, expected = ["-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"], "PEM"
    _refusal(client, stack, path, chain, expected)


def test_only_an_admin_makes_keys_and_imports_certificates(client: Client, stack: Stack) -> None:
    path = "/v1/officers/canbo-badinh"
    for user in ("canbo-badinh", "luu-tru", "cong-dich-vu"):
        assert _request(client, stack, path, user).status_code == 403
        assert (
            put_as(
                client, stack, f"{path}/certificate", {"certificate_chain": []}, user
            ).status_code
            == 403
        )
    assert client.http.post(f"{path}/keys").status_code == 401
    assert _request(client, stack, "/v1/officers/khong-co-ai").status_code == 404
    assert _request(client, stack, "/v1/officers/luu-tru").status_code == 409  # an archivist
    assert (
        _request(client, stack, "/v1/organizations/chi-bo-to-dan-pho-5-ba-dinh").status_code == 409
    )
    malformed = put_as(client, stack, f"{path}/certificate", {"certificate_chain": "PEM", "x": 1})
    assert malformed.status_code == 422
    assert sorted(d["field"] for d in malformed.json_body["error"]["details"]) == [
        "certificate_chain",
        "x",
    ]


def test_a_revoked_officers_earlier_record_still_validates_and_they_sign_no_more_once_ocsp_says_so(
    client: Client, stack: Stack
) -> None:
    username = _new_officer(client, stack, "phuong-ba-dinh")
    _certified(client, stack, f"/v1/officers/{username}")
    first = submitted_case(client, stack, PROCEDURE, "phuong-ba-dinh")
    signed = client.http.post(f"/v1/cases/{first['id']}/signatures", headers=stack.auth(username))
    assert signed.status_code == 201 and signed.json_body["status"] == "archived"
    record_id = signed.json_body["record_id"]

    services, _ = stack.wired()
    entry = services.cases.get_officer(username)
    assert entry is not None
    stack.revoke(entry["certificate_chain"][0])

    checked = client.http.get(f"/v1/records/{record_id}?verify=true", headers=stack.auth("luu-tru"))
    assert checked.status_code == 200
    assert checked.json_body["validation"]["valid"] is True, checked.json_body["validation"]

    # the OCSP answer of the first signature stands for five minutes...
    second = submitted_case(client, stack, PROCEDURE, "phuong-ba-dinh")
    cached = client.http.post(f"/v1/cases/{second['id']}/signatures", headers=stack.auth(username))
    assert cached.status_code == 201, cached.json_body
    # the reused answers are embedded too: the archive validates the record with them alone
    assert cached.json_body["status"] == "archived", cached.json_body
    # ...then the responder is asked again, and says revoked
    stack.clock.advance(OCSP_ANSWER_SECONDS + 1)
    third = submitted_case(client, stack, PROCEDURE, "phuong-ba-dinh")
    refused = client.http.post(f"/v1/cases/{third['id']}/signatures", headers=stack.auth(username))
    assert refused.status_code == 409, refused.json_body
    assert refused.json_body["error"]["code"] == "certificate_revoked"
    after = client.http.get(f"/v1/cases/{third['id']}", headers=stack.auth("cong-dich-vu"))
    assert after.json_body["version"] == third["version"] and after.json_body["signatures"] == []


def test_a_key_requested_again_retires_the_first_and_its_certificate_no_longer_fits(
    client: Client, stack: Stack
) -> None:
    username = _new_officer(client, stack, "phuong-ba-dinh")
    path = f"/v1/officers/{username}"
    first = _request(client, stack, path).json_body["certificate_request"]
    services, _ = stack.wired()
    entry = services.cases.get_officer(username)
    assert entry is not None
    first_key = entry["pending_key_id"]
    second = _request(client, stack, path).json_body["certificate_request"]

    state = stack.client("kms").describe_key(KeyId=first_key)["KeyMetadata"]["KeyState"]
    assert state == "PendingDeletion"
    late = put_as(
        client, stack, f"{path}/certificate", {"certificate_chain": _issued(stack, first)}
    )
    assert late.status_code == 422, late.json_body
    assert "another key" in late.json_body["error"]["details"][0]["problem"]
    current = {"certificate_chain": _issued(stack, second)}
    assert put_as(client, stack, f"{path}/certificate", current).status_code == 200
