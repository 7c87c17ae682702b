"""Signing keys held in KMS: public keys out, raw signatures over signed attributes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from cloud.errors import unavailable

# PKCS#1 v1.5 (FACTS.md: moto's PSS uses the maximum salt length).
SIGNING_ALGORITHM = "RSASSA_PKCS1_V1_5_SHA_256"


class KmsKeys:
    """Signs with KMS asymmetric keys (RSA_2048, SIGN_VERIFY)."""

    def __init__(self, client: Any) -> None:
        self._kms = client

    def public_key_der(self, key_id: str) -> bytes:
        """The DER SubjectPublicKeyInfo of ``key_id``."""
        return bytes(self._kms.get_public_key(KeyId=key_id)["PublicKey"])

    def raw_signer(self, key_id: str) -> Callable[[bytes], bytes]:
        """A callable signing a message (the DER signed attributes) with ``key_id``.

        Uses ``MessageType=RAW`` so KMS hashes the message itself (FACTS.md: moto
        ignores ``DIGEST``); AWS accepts RAW messages up to 4096 bytes.
        """

        def sign(message: bytes) -> bytes:
            try:
                response = self._kms.sign(
                    KeyId=key_id,
                    Message=message,
                    MessageType="RAW",
                    SigningAlgorithm=SIGNING_ALGORITHM,
                )
            except ClientError as error:
                raise unavailable("the key service", error) from error
            return bytes(response["Signature"])

        return sign
