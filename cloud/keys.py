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


# The keys made for officers and organisations: like the template's OrganisationSealKey.
KEY_SPEC = "RSA_2048"
KEY_USAGE = "SIGN_VERIFY"
RETIRE_DAYS = 30  # a retired key can be brought back for this long


class KmsKeys:
    """Signs with KMS asymmetric keys (RSA_2048, SIGN_VERIFY)."""

    def __init__(self, client: Any) -> None:
        self._kms = client

    def create_signing_key(self, description: str) -> str:
        """A new signing key (its private half never leaves KMS); its id."""
        with aws_errors("the key service"):
            created = self._kms.create_key(
                Description=description, KeySpec=KEY_SPEC, KeyUsage=KEY_USAGE
            )
        return str(created["KeyMetadata"]["KeyId"])

    def retire(self, key_id: str) -> None:
        """Schedule ``key_id``'s deletion after the longest window (30 days: it can be
        cancelled until then). A key already gone or already scheduled is left so."""
        try:
            with aws_errors("the key service", _key_unusable(key_id)):
                self._kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=RETIRE_DAYS)
        except Refused:
            return

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


MAC_ALGORITHM = "HMAC_SHA_256"


class KmsMacs:
    """HMACs under one KMS HMAC key (HMAC_256, GENERATE_VERIFY_MAC): index values that must
    not be kept in clear, and page tokens that must not be forged."""

    def __init__(self, client: Any, key_id: str) -> None:
        self._kms = client
        self._key_id = key_id

    def mac(self, message: bytes) -> bytes:
        with aws_errors("the key service"):
            response = self._kms.generate_mac(
                KeyId=self._key_id, Message=message, MacAlgorithm=MAC_ALGORITHM
            )
        return bytes(response["Mac"])

    def verify(self, message: bytes, mac: bytes) -> bool:
        """Whether ``mac`` is this key's MAC of ``message`` (False for any other MAC)."""
        try:
            with aws_errors("the key service", _invalid_mac):
                response = self._kms.verify_mac(
                    KeyId=self._key_id, Message=message, Mac=mac, MacAlgorithm=MAC_ALGORITHM
                )
        except _InvalidMac:
            return False
        return bool(response["MacValid"])


class _InvalidMac(DomainError):
    pass


def _invalid_mac(error: ClientError) -> DomainError | None:
    return _InvalidMac("invalid MAC") if error_code(error) == "KMSInvalidMacException" else None
