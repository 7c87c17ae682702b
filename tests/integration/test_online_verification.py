"""POST /v1/verifications?online=true: revocation data fetched, from the allow-list only.

Who gets what: a signature that carries no revocation data is invalid offline and valid
online (the stage's OCSP responder is on its list); a certificate naming an address off the
list gets that address no request at all, nor does one an allowed responder redirects to,
and the report says invalid; online=yes or an unknown parameter 400 naming it; online on a
stage with no list 422."""

from __future__ import annotations

import dataclasses
import io
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from chalice.test import Client
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers

from functions.errors import Invalid
from functions.verification import verify_pdf
from signing.devpki import DevPki
from signing.fetching import allowed
from tests.conftest import Stack
from tests.integration.test_verification import HANG_BOUND_SECONDS, _pages


class _Listener:
    """A local HTTP server that counts the requests it gets and answers ``status``
    (a redirect to ``location`` if one is given)."""

    def __init__(self, status: int = 404, location: str | None = None, delay: float = 0) -> None:
        self.hits: list[str] = []
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                listener.hits.append(self.path)
                time.sleep(delay)
                self.send_response(status)
                if location is not None:
                    self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_GET = do_POST = _answer

            def log_message(self, *_: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/ocsp"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def trap() -> Iterator[_Listener]:
    listener = _Listener()
    yield listener
    listener.close()


def _signed_b_b(stack: Stack, folder: Path, ocsp_url: str | None = None) -> bytes:
    """A blank document signed at B-B (no timestamp, no revocation data) with a key the dev
    PKI certified, its certificate naming ``ocsp_url`` (default: the stage's responder)."""
    pki = DevPki.load(stack.folder / "pki")
    if ocsp_url is not None:
        pki = dataclasses.replace(pki, ocsp_url=ocsp_url)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    certificate = pki.issue(key.public_key(), "Người ký ngoài", "Cơ quan khác")
    (folder / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    (folder / "cert.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (folder / "root.pem").write_text(pki.root_pem)
    signer = signers.SimpleSigner.load(
        str(folder / "key.pem"),
        str(folder / "cert.pem"),
        ca_chain_files=(str(folder / "root.pem"),),
    )
    assert signer is not None
    out = io.BytesIO()
    signers.sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(_pages(1))),
        signers.PdfSignatureMetadata(
            field_name="Signature1", subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256"
        ),
        signer=signer,
        output=out,
    )
    return out.getvalue()


def _verify(client: Client, stack: Stack, pdf: bytes, query: str = "") -> Any:
    headers = {**stack.auth("luu-tru"), "Content-Type": "application/pdf"}
    return client.http.post(f"/v1/verifications{query}", headers=headers, body=pdf)


def test_revocation_data_is_fetched_online_from_the_allowed_responder(
    client: Client, stack: Stack, tmp_path: Path
) -> None:
    pdf = _signed_b_b(stack, tmp_path)
    offline = _verify(client, stack, pdf).json_body
    assert offline["valid"] is False  # no revocation data: nothing to judge it by
    assert offline["signatures"][0]["revocation"]["status"] == "unknown"
    online = _verify(client, stack, pdf, "?online=true").json_body
    [entry] = online["signatures"]
    assert online["valid"] is True, entry
    assert entry["revocation"] == {"status": "good", "embedded": False}
    assert entry["level"] == "PAdES-B-B"


def test_an_address_off_the_list_gets_no_request(
    client: Client, stack: Stack, tmp_path: Path, trap: _Listener
) -> None:
    pdf = _signed_b_b(stack, tmp_path, ocsp_url=trap.url)
    report = _verify(client, stack, pdf, "?online=true").json_body
    assert report["valid"] is False
    assert report["signatures"][0]["revocation"]["status"] == "unknown"
    assert trap.hits == []


def test_a_redirect_off_the_list_is_not_followed(
    stack: Stack, tmp_path: Path, trap: _Listener
) -> None:
    redirector = _Listener(status=302, location=trap.url)
    try:
        services, people = stack.wired()
        listed = dataclasses.replace(
            services,
            settings=dataclasses.replace(
                services.settings, online_validation_urls=(redirector.url,)
            ),
        )
        pdf = _signed_b_b(stack, tmp_path, ocsp_url=redirector.url)
        report = verify_pdf(listed, people("luu-tru"), {"online": "true"}, "application/pdf", pdf)
        assert report["valid"] is False
        assert redirector.hits  # the allowed responder was asked
        assert trap.hits == []  # and where it pointed was not
    finally:
        redirector.close()


def test_a_responder_that_does_not_answer_is_given_up_on(stack: Stack, tmp_path: Path) -> None:
    silent = _Listener(status=200, delay=30)
    try:
        services, people = stack.wired()
        listed = dataclasses.replace(
            services,
            settings=dataclasses.replace(services.settings, online_validation_urls=(silent.url,)),
        )
        pdf = _signed_b_b(stack, tmp_path, ocsp_url=silent.url)
        started = time.monotonic()
        report = verify_pdf(listed, people("luu-tru"), {"online": "true"}, "application/pdf", pdf)
        assert time.monotonic() - started < HANG_BOUND_SECONDS
        assert report["valid"] is False and silent.hits
    finally:
        silent.server.socket.close()  # the handler still sleeps; nothing waits for it


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [("?online=yes", 400, "query.online"), ("?fetch=true", 400, "query.fetch")],
)
def test_bad_parameters_are_400_naming_them(
    client: Client, stack: Stack, tmp_path: Path, query: str, status: int, field: str
) -> None:
    response = _verify(client, stack, _pages(1), query)
    assert response.status_code == status
    assert [d["field"] for d in response.json_body["error"]["details"]] == [field]


def test_online_on_a_stage_without_a_list_is_422(stack: Stack) -> None:
    services, people = stack.wired()
    unlisted = dataclasses.replace(
        services, settings=dataclasses.replace(services.settings, online_validation_urls=())
    )
    with pytest.raises(Invalid) as refused:
        verify_pdf(unlisted, people("luu-tru"), {"online": "true"}, "application/pdf", b"%PDF")
    assert refused.value.details[0].field == "query.online"


@pytest.mark.parametrize(
    ("url", "verdict"),
    [
        ("http://ocsp.ca.gov.vn/ocsp", True),
        ("http://OCSP.ca.gov.vn:80/ocsp", True),
        ("http://ocsp.ca.gov.vn/ocsp/more", True),
        ("http://crl.ca.gov.vn/crl/root.crl", True),
        ("https://ocsp.ca.gov.vn/ocsp", False),  # another scheme
        ("http://ocsp.ca.gov.vn:8080/ocsp", False),  # another port
        ("http://ocsp.ca.gov.vn.evil.example/ocsp", False),  # a longer host
        ("http://ocsp.ca.gov.vn/ocspx", False),  # a longer path, not below it
        ("http://user@ocsp.ca.gov.vn/ocsp", False),  # credentials in the URL
        ("http://169.254.169.254/latest/meta-data/", False),
        ("file:///etc/passwd", False),
        ("http://[::1/ocsp", False),  # unreadable
    ],
)
def test_the_allow_list_matches_exactly(url: str, verdict: bool) -> None:
    allow_list = ("http://ocsp.ca.gov.vn/ocsp", "http://crl.ca.gov.vn/crl/")
    assert allowed(url, allow_list) is verdict
