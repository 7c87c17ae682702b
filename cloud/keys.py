"""Signing keys held in KMS: public keys out, raw signatures over signed attributes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from cloud.errors import aws_errors, error_code
from functions.errors import DomainError, Refused

# PKCS#1 v1.5 (FACTS.md: moto's PSS uses the maximum salt length).
SIGNING_ALGORITHM = "RSASSA_PKCS1_V1_5_SHA_256"
# KMS errors that no retry will cure: the key is gone, disabled or not a signing key.
KEY_UNUSABLE = {
    "NotFoundException",
    "DisabledException",
    "KMSInvalidStateException",
    "InvalidKeyUsageException",
}


def _key_unusable(key_id: str) -> Callable[[ClientError], DomainError | None]:
    def known(error: ClientError) -> DomainError | None:
        if error_code(error) in KEY_UNUSABLE:
            return Refused(
                "key_unusable", f"signing key {key_id} cannot sign ({error_code(error)})"
            )
        return None

    return known


class KmsKeys:
    """Signs with KMS asymmetric keys (RSA_2048, SIGN_VERIFY)."""

    def __init__(self, client: Any) -> None:
        self._kms = client

    def public_key_der(self, key_id: str) -> bytes:
        """The DER SubjectPublicKeyInfo of ``key_id``."""
        with aws_errors("the key service", _key_unusable(key_id)):
            return bytes(self._kms.get_public_key(KeyId=key_id)["PublicKey"])

    def raw_signer(self, key_id: str) -> Callable[[bytes], bytes]:
        """A callable signing a message (the DER signed attributes) with ``key_id``.

        Uses ``MessageType=RAW`` so KMS hashes the message itself (FACTS.md: moto
        ignores ``DIGEST``); AWS accepts RAW messages up to 4096 bytes.
        """

        def sign(message: bytes) -> bytes:
            with aws_errors("the key service", _key_unusable(key_id)):
                response = self._kms.sign(
                    KeyId=key_id,
                    Message=message,
                    MessageType="RAW",
                    SigningAlgorithm=SIGNING_ALGORITHM,
                )
            return bytes(response["Signature"])

        return sign
