"""The development PKI's online services as one WSGI app: RFC 3161 timestamps, OCSP, and its
CA signing certificate requests (the local stage only)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import unquote

from asn1crypto import cms, core, tsp
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509 import ocsp
from pyhanko.sign.general import as_signing_certificate, simple_cms_attribute
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

from signing.devpki import DevPki, RevocationList

StartResponse = Callable[[str, list[tuple[str, str]]], Any]
Clock = Callable[[], dt.datetime]


def wall_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


class _DevTimeStamper(DummyTimeStamper):
    """pyHanko's self-signing TSA, which parses its RSA key once: the original does on every
    request, with OpenSSL's key check, about 50 ms of a 70 ms timestamp. Only SHA-256."""

    def __init__(self, key: rsa.RSAPrivateKey, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._key = key

    def _sign_tst_info(
        self, tst_info_data: bytes, md_algorithm: str, moment: dt.datetime
    ) -> tuple[bytes, cms.CMSAttributes]:
        if md_algorithm != "sha256":
            raise ValueError(f"the dev TSA signs with SHA-256 only, not {md_algorithm}")
        signed_attrs = cms.CMSAttributes(
            [
                simple_cms_attribute("content_type", "tst_info"),
                simple_cms_attribute("signing_time", cms.Time({"utc_time": core.UTCTime(moment)})),
                simple_cms_attribute("signing_certificate", as_signing_certificate(self.tsa_cert)),
                simple_cms_attribute("message_digest", hashlib.sha256(tst_info_data).digest()),
            ]
        )
        signature = self._key.sign(signed_attrs.dump(), padding.PKCS1v15(), hashes.SHA256())
        return signature, signed_attrs


class PkiServices:
    """Answers ``POST /tsa`` (timestamp requests), ``/ocsp`` (GET or POST) and ``POST
    /ca/certificates`` (a PEM certificate request in, the PEM chain out) for a DevPki.

    Both read the time from ``clock`` (tests pin it), and OCSP answers ``revoked`` for the
    certificates in ``revocations``.
    """

    def __init__(
        self, pki: DevPki, revocations: RevocationList | None = None, clock: Clock = wall_clock
    ) -> None:
        self.pki = pki
        self.revocations = revocations
        self.clock = clock
        der = serialization.Encoding.DER
        self._timestamper = _DevTimeStamper(
            pki.tsa_key,
            tsa_cert=asn1_x509.Certificate.load(pki.tsa_cert.public_bytes(der)),
            tsa_key=asn1_keys.PrivateKeyInfo.load(
                pki.tsa_key.private_bytes(
                    der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
                )
            ),
            certs_to_embed=[asn1_x509.Certificate.load(pki.root_cert.public_bytes(der))],
        )

    def timestamp(self, request_der: bytes) -> bytes:
        """A DER TimeStampResp for a DER TimeStampReq."""
        request = tsp.TimeStampReq.load(request_der)
        self._timestamper.fixed_dt = self.clock()
        return self._timestamper.request_tsa_response(request).dump()

    def ocsp_response(self, request_der: bytes) -> bytes:
        """A signed OCSP response: good (or revoked) for certificates of our root,
        unauthorized otherwise."""
        request = ocsp.load_der_ocsp_request(request_der)
        root = self.pki.root_cert
        digest = hashes.Hash(request.hash_algorithm)
        digest.update(root.subject.public_bytes())
        ours = digest.finalize() == request.issuer_name_hash
        if not ours:
            return ocsp.OCSPResponseBuilder.build_unsuccessful(
                ocsp.OCSPResponseStatus.UNAUTHORIZED
            ).public_bytes(serialization.Encoding.DER)
        now = self.clock()
        revoked_at = (
            self.revocations.revoked_at(request.serial_number) if self.revocations else None
        )
        builder = (
            ocsp.OCSPResponseBuilder()
            .add_response_by_hash(
                issuer_name_hash=request.issuer_name_hash,
                issuer_key_hash=request.issuer_key_hash,
                serial_number=request.serial_number,
                algorithm=request.hash_algorithm,
                cert_status=ocsp.OCSPCertStatus.REVOKED if revoked_at else ocsp.OCSPCertStatus.GOOD,
                this_update=now - dt.timedelta(minutes=1),
                next_update=now + dt.timedelta(days=1),
                revocation_time=revoked_at,
                revocation_reason=x509.ReasonFlags.key_compromise if revoked_at else None,
            )
            .responder_id(ocsp.OCSPResponderEncoding.HASH, self.pki.ocsp_cert)
            .certificates([self.pki.ocsp_cert])
        )
        for extension in request.extensions:
            if isinstance(extension.value, x509.OCSPNonce):
                builder = builder.add_extension(extension.value, critical=False)
        response = builder.sign(self.pki.ocsp_key, hashes.SHA256())
        return response.public_bytes(serialization.Encoding.DER)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        try:
            if method == "POST":
                length = int(environ.get("CONTENT_LENGTH") or 0)
                body = environ["wsgi.input"].read(length)
            else:
                body = base64.b64decode(unquote(path.split("/", 2)[-1]))
            if path.startswith("/tsa") and method == "POST":
                return self._answer(start_response, self.timestamp(body), "timestamp-reply")
            if path.startswith("/ocsp"):
                return self._answer(start_response, self.ocsp_response(body), "ocsp-response")
            if path == "/ca/certificates" and method == "POST":
                chain = "".join(self.pki.issue_for_request(body.decode("ascii")))
                return self._answer(start_response, chain.encode("ascii"), "pem-certificate-chain")
        except ValueError:
            start_response("400 Bad Request", [("Content-Type", "text/plain")])
            return [b"malformed request"]
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]

    @staticmethod
    def _answer(start_response: StartResponse, body: bytes, kind: str) -> list[bytes]:
        start_response(
            "200 OK",
            [("Content-Type", f"application/{kind}"), ("Content-Length", str(len(body)))],
        )
        return [body]
