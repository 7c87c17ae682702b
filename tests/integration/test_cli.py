"""`hoso login` and `hoso sign` against the API over HTTP, with a SoftHSM2 token.

The officer's key is made on the token and never leaves it; its certificate (from the dev
CA) is on the token and registered for the officer. `hoso login` answers the first
sign-in's new-password challenge and keeps the sign-in 0600; `hoso sign` signs the case
through a signing session (RSA and ECDSA P-256). A wrong PIN or token label, or no
sign-in, is a message and exit code 1, with nothing signed.
"""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pkcs11
import pytest
from asn1crypto import keys
from chalice.test import Client
from pkcs11 import Attribute, CertificateType, KeyType, ObjectClass
from pkcs11.util.ec import encode_ec_public_key, encode_named_curve_parameters
from pkcs11.util.rsa import encode_rsa_public_key
from typer.testing import CliRunner

from client.cli import app
from client.session import login_file
from signing.backends import load_chain
from signing.devpki import DevPki
from tests.conftest import Stack, send_json, submitted_case
from tests.independent import check_independently

SOFTHSM = Path("/usr/lib/softhsm/libsofthsm2.so")
PIN = "1234"
PROCEDURE = "chuyen-sinh-hoat-chinh-thuc"
ORG = "phuong-ba-dinh"


def _public_key_info(public: Any, kind: str) -> bytes:
    if kind == "rsa":
        rsa_key = keys.RSAPublicKey.load(encode_rsa_public_key(public))
        return bytes(
            keys.PublicKeyInfo({"algorithm": {"algorithm": "rsa"}, "public_key": rsa_key}).dump()
        )
    return bytes(encode_ec_public_key(public))


@pytest.fixture(scope="module")
def tokens(tmp_path_factory: pytest.TempPathFactory, stack: Stack) -> Iterator[dict[str, Any]]:
    """Two SoftHSM2 tokens, each with a key pair made on it (RSA 2048, ECDSA P-256) and the
    dev CA's certificate for it: by kind, their label and certificate chain. SoftHSM reads
    its configuration once per process, so the tokens are all made before it is loaded."""
    folder = tmp_path_factory.mktemp("softhsm")
    (folder / "tokens").mkdir()
    config = folder / "softhsm2.conf"
    config.write_text(f"directories.tokendir = {folder / 'tokens'}\nobjectstore.backend = file\n")
    saved = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(config)
    labels = {kind: f"hoso-{kind}-{uuid.uuid4().hex[:6]}" for kind in ("rsa", "ec")}
    for label in labels.values():
        subprocess.run(
            ["softhsm2-util", "--init-token", "--free", "--label", label, "--pin", PIN,
             "--so-pin", "87654321"],
            check=True, capture_output=True,
        )  # fmt: skip
    library = pkcs11.lib(str(SOFTHSM))
    pki = DevPki.load(stack.folder / "pki")
    made = {}
    for kind, label in labels.items():
        with library.get_token(token_label=label).open(rw=True, user_pin=PIN) as session:
            made[kind] = {"label": label, "chain": _key_and_certificate(session, kind, pki)}
    yield made
    if saved is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = saved


def _key_and_certificate(session: Any, kind: str, pki: DevPki) -> list[str]:
    """A key pair made on the token, and the dev CA's certificate for it, stored beside it."""
    if kind == "rsa":
        public, _ = session.generate_keypair(KeyType.RSA, 2048, store=True, label="officer")
    else:
        curve = session.create_domain_parameters(
            KeyType.EC,
            {Attribute.EC_PARAMS: encode_named_curve_parameters("secp256r1")},
            local=True,
        )
        public, _ = curve.generate_keypair(store=True, label="officer")
    chain = pki.issue_pem(_public_key_info(public, kind), "Đỗ Thị Hương", "Đảng ủy phường Ba Đình")
    certificate = load_chain(chain)[0]
    session.create_object(
        {
            Attribute.CLASS: ObjectClass.CERTIFICATE,
            Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
            Attribute.VALUE: certificate.dump(),
            Attribute.SUBJECT: certificate.subject.dump(),
            Attribute.ISSUER: certificate.issuer.dump(),
            Attribute.SERIAL_NUMBER: certificate.serial_number.to_bytes(20, "big"),
            Attribute.LABEL: "officer",
            Attribute.TOKEN: True,
        }
    )
    return chain


@pytest.fixture
def token(tokens: dict[str, Any], request: pytest.FixtureRequest) -> dict[str, Any]:
    return dict(tokens[request.param])


@pytest.fixture
def officer(client: Client, stack: Stack, token: dict[str, Any]) -> dict[str, str]:
    """A new officer of Ba Đình whose token certificate is registered; name and password."""
    username = f"canbo-{uuid.uuid4().hex[:8]}"
    person = {"organization": ORG, "position": "Phó Bí thư", "display_name": "Đỗ Thị Hương",
              "role": "officer"}  # fmt: skip
    created = send_json(client, stack, "PUT", f"/v1/officers/{username}", person, "quan-tri")
    assert created.status_code == 201, created.json_body
    chain = {"certificate_chain": token["chain"], "held_by": "officer"}
    path = f"/v1/officers/{username}/certificate"
    registered = send_json(client, stack, "PUT", path, chain, "quan-tri")
    assert registered.status_code == 200, registered.json_body
    return {"username": username, "password": created.json_body["temporary_password"]}


@pytest.fixture
def home(tmp_path: Path, stack: Stack, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The officer's config folder, and the local stack's outputs.json beside it."""
    monkeypatch.setenv("HOSO_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("HOSO_TEST_PIN", PIN)
    (tmp_path / "outputs.json").write_text(json.dumps(stack.outputs))
    return tmp_path


def _login(home: Path, api_url: str, officer: dict[str, str]) -> Any:
    return CliRunner().invoke(
        app,
        ["login", "--username", officer["username"], "--password", officer["password"],
         "--new-password", f"Mat-khau-{uuid.uuid4().hex[:8]}!", "--api-url", api_url,
         "--outputs", str(home / "outputs.json")],
    )  # fmt: skip


def _sign(case_id: str, label: str, pin_env: str = "HOSO_TEST_PIN") -> Any:
    return CliRunner().invoke(
        app,
        ["sign", case_id, "--pkcs11-module", str(SOFTHSM), "--token-label", label,
         "--pin-env", pin_env, "--yes"],
    )  # fmt: skip


@pytest.mark.parametrize("token", ["rsa", "ec"], indirect=True)
def test_hoso_sign_signs_with_the_token(
    client: Client,
    stack: Stack,
    api_url: str,
    token: dict[str, Any],
    officer: dict[str, str],
    home: Path,
    tmp_path: Path,
) -> None:
    logged_in = _login(home, api_url, officer)
    assert logged_in.exit_code == 0, logged_in.output
    assert login_file().stat().st_mode & 0o777 == 0o600

    case = submitted_case(client, stack, PROCEDURE, ORG)
    signed = _sign(case["id"], token["label"])
    assert signed.exit_code == 0, signed.output
    assert case["number"] in signed.output and "archived" in signed.output

    services, _ = stack.wired()
    stored = services.cases.get_case(case["id"])
    assert stored is not None and stored.status == "archived"
    assert stored.signatures[0].signer == "Đỗ Thị Hương"
    pdf = services.documents.get(stored.document.key, stored.document.version_id)
    assert (
        check_independently(pdf, stack.outputs["trust_anchor_pem"], tmp_path / "x", stack.clock)
        == 3
    )


@pytest.mark.parametrize("token", ["rsa"], indirect=True)
def test_a_wrong_pin_label_or_no_sign_in_is_a_message_and_nothing_is_signed(
    client: Client,
    stack: Stack,
    api_url: str,
    token: dict[str, Any],
    officer: dict[str, str],
    home: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    case = submitted_case(client, stack, PROCEDURE, ORG)
    not_signed_in = _sign(case["id"], token["label"])
    assert not_signed_in.exit_code == 1 and "hoso login" in not_signed_in.output

    assert _login(home, api_url, officer).exit_code == 0
    # an expired ID token is refreshed before use
    kept = json.loads(login_file().read_text())
    login_file().write_text(json.dumps({**kept, "expires_at": 0}))

    monkeypatch.setenv("WRONG_PIN", "0000")
    wrong_pin = _sign(case["id"], token["label"], "WRONG_PIN")
    assert wrong_pin.exit_code == 1 and "token" in wrong_pin.output
    wrong_label = _sign(case["id"], "khong-co")
    assert wrong_label.exit_code == 1 and "token" in wrong_label.output
    assert json.loads(login_file().read_text())["expires_at"] > 0

    after = client.http.get(f"/v1/cases/{case['id']}", headers=stack.auth("cong-dich-vu"))
    assert after.json_body["signatures"] == []
