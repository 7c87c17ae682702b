"""Bearer tokens: verifies a user pool's RS256 JWTs (signature, expiry, issuer, client)."""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from typing import Any

import jwt

from functions.access import Principal
from functions.errors import Unauthorized

ROLES = ("upstream", "officer", "archivist", "admin")


class TokenVerifier:
    """Checks ID tokens against the pool's JWKS; keys are cached and refreshed on a new ``kid``."""

    def __init__(
        self, jwks_url: str, issuer: str, client_id: str, refresh_seconds: int = 3600
    ) -> None:
        self._jwks_url = jwks_url
        self._issuer = issuer
        self._client_id = client_id
        self._refresh_seconds = refresh_seconds
        self._keys: dict[str, Any] = {}
        self._fetched_at = 0.0
        self._lock = threading.Lock()

    def _load_keys(self) -> None:
        with urllib.request.urlopen(self._jwks_url, timeout=5) as response:  # noqa: S310 (configured URL)
            jwks = json.load(response)
        self._keys = {
            k["kid"]: jwt.PyJWK(k).key for k in jwks.get("keys", []) if k.get("kty") == "RSA"
        }
        self._fetched_at = time.monotonic()

    def _key_for(self, kid: str) -> Any:
        with self._lock:
            stale = time.monotonic() - self._fetched_at > self._refresh_seconds
            if kid not in self._keys or stale:
                self._load_keys()
            if kid not in self._keys:
                raise Unauthorized("the token was signed with an unknown key")
            return self._keys[kid]

    def verify(self, authorization: str | None) -> Principal:
        """The principal of an ``Authorization: Bearer <JWT>`` header; Unauthorized if invalid."""
        if not authorization or not authorization.startswith("Bearer "):
            raise Unauthorized()
        token = authorization.removeprefix("Bearer ").strip()
        try:
            header = jwt.get_unverified_header(token)
            claims = jwt.decode(
                token,
                self._key_for(str(header.get("kid", ""))),
                algorithms=["RS256"],
                audience=self._client_id,
                issuer=self._issuer,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except (jwt.PyJWTError, OSError) as error:
            raise Unauthorized(f"the token is not valid: {error}") from error
        if claims.get("token_use", "id") != "id":
            raise Unauthorized("an ID token is required")
        claimed = claims.get("cognito:groups", [])
        if not isinstance(claimed, list):
            raise Unauthorized("the token's cognito:groups claim is not a list")
        groups = [g for g in claimed if g in ROLES]
        return Principal(
            subject=str(claims["sub"]),
            username=str(claims.get("cognito:username", claims["sub"])),
            roles=frozenset(groups),
            organization=claims.get("custom:org") or None,
        )
