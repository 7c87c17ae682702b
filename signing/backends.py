"""Signer backends: pyHanko signers that differ only in how the raw signature is produced."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from asn1crypto import algos, x509
from pyhanko.keys import load_certs_from_pemder_data
from pyhanko.sign.signers.pdf_cms import Signer
from pyhanko_certvalidator.registry import SimpleCertificateStore

# What the platform-held keys use: RSA with PKCS#1 v1.5 over SHA-256 (see FACTS.md on PSS).
RSA_SHA256 = "sha256_rsa"

RawSign = Callable[[bytes], bytes]


def load_chain(chain_pem: list[str]) -> list[x509.Certificate]:
    """Parse a PEM certificate chain (signer first) into asn1crypto certificates."""
    return list(load_certs_from_pemder_data("".join(chain_pem).encode("ascii")))


class CallbackSigner(Signer):
    """A signer whose key lives elsewhere: ``raw_sign(signed_attributes) -> signature``.

    The callback receives the DER-encoded signed attributes and returns the
    signature value (for KMS: ``Sign`` with ``MessageType=RAW``).
    """

    def __init__(
        self,
        chain_pem: list[str],
        raw_sign: RawSign,
        signature_size: int = 256,
        mechanism: str = RSA_SHA256,
    ) -> None:
        certs = load_chain(chain_pem)
        super().__init__(
            signing_cert=certs[0],
            cert_registry=SimpleCertificateStore.from_certs(certs[1:]),
            signature_mechanism=algos.SignedDigestAlgorithm({"algorithm": mechanism}),
        )
        self._raw_sign = raw_sign
        self._signature_size = signature_size

    async def async_sign_raw(
        self, data: bytes, digest_algorithm: str, dry_run: bool = False
    ) -> bytes:
        if dry_run:
            return bytes(self._signature_size)
        return await asyncio.to_thread(self._raw_sign, data)
