"""A signing key on a PKCS#11 token (a USB token, or SoftHSM2 in tests): its certificate
out, signatures of a digest made on the token; the private key never leaves it."""

from __future__ import annotations

from pathlib import Path
from types import TracebackType
from typing import Any

import pkcs11
from asn1crypto import algos, pem
from pkcs11 import Attribute, KeyType, Mechanism, ObjectClass
from pkcs11.util.ec import encode_ecdsa_signature

from client.api import ApiError


class TokenError(ApiError):
    """The token cannot be opened or used (wrong module, label or PIN, no key)."""


class TokenKey:
    """The signing key of the token labelled ``token_label`` (the one labelled
    ``key_label`` if given), opened with ``pin`` for as long as the ``with`` lasts."""

    def __init__(self, module: Path, token_label: str, pin: str, key_label: str | None) -> None:
        self._module = module
        self._token_label = token_label
        self._pin = pin
        self._key_label = key_label
        self._session: Any = None

    def __enter__(self) -> TokenKey:
        try:
            token = pkcs11.lib(str(self._module)).get_token(token_label=self._token_label)
            self._session = token.open(user_pin=self._pin)
            found = {} if self._key_label is None else {Attribute.LABEL: self._key_label}
            self._key = self._session.get_key(object_class=ObjectClass.PRIVATE_KEY, **_label(found))
            certificate = next(
                self._session.get_objects({Attribute.CLASS: ObjectClass.CERTIFICATE, **found}),
                None,
            )
        except (pkcs11.PKCS11Error, RuntimeError, OSError) as error:
            raise TokenError(f"the token cannot be used: {type(error).__name__} {error}") from error
        if certificate is None:
            raise TokenError("the token holds no certificate for its key")
        der = bytes(certificate[Attribute.VALUE])
        self.certificate_pem = pem.armor("CERTIFICATE", der).decode("ascii")
        return self

    def sign_digest(self, digest: bytes) -> bytes:
        """The token's signature of a SHA-256 ``digest``: RSA PKCS#1 v1.5 (DigestInfo made
        here), or ECDSA (DER)."""
        try:
            if self._key.key_type == KeyType.RSA:
                info = algos.DigestInfo(
                    {"digest_algorithm": {"algorithm": "sha256"}, "digest": digest}
                ).dump()
                return bytes(self._key.sign(info, mechanism=Mechanism.RSA_PKCS))
            raw = bytes(self._key.sign(digest, mechanism=Mechanism.ECDSA))
            return bytes(encode_ecdsa_signature(raw))
        except pkcs11.PKCS11Error as error:
            raise TokenError(f"the token did not sign: {type(error).__name__}") from error

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._session is not None:
            self._session.close()


def _label(found: dict[Any, Any]) -> dict[str, Any]:
    return {"label": found[Attribute.LABEL]} if found else {}
