"""Bearer tokens: verifies a user pool's RS256 JWTs into who the caller is.

Signature, expiry, issuer and client are checked; what the caller may do is
functions/access.py's."""

from __future__ import annotations

import jwt

from functions.access import Identity
from functions.errors import Unauthorized, Unavailable

ROLES = ("upstream", "officer", "archivist", "admin")
JWKS_LIFESPAN_SECONDS = 3600  # the pool's keys are read again after an hour
UNKNOWN_KID_COOLDOWN_SECONDS = 60  # a token with an unknown key refetches at most this often


class TokenVerifier:
    """Checks ID tokens against the pool's JWKS (PyJWT's PyJWKClient: keys cached, an
    unknown ``kid`` refetches at most once a minute per process)."""

    def __init__(self, jwks_url: str, issuer: str, client_id: str) -> None:
        self._jwks = jwt.PyJWKClient(
            jwks_url,
            lifespan=JWKS_LIFESPAN_SECONDS,
            cooldown_duration=UNKNOWN_KID_COOLDOWN_SECONDS,
            timeout=5,
        )
        self._issuer = issuer
        self._client_id = client_id

    def verify(self, authorization: str | None) -> Identity:
        """Who an ``Authorization: Bearer <JWT>`` header proves the caller is; Unauthorized
        if it proves nothing, Unavailable if the pool's keys cannot be fetched."""
        if not authorization or not authorization.startswith("Bearer "):
            raise Unauthorized()
        token = authorization.removeprefix("Bearer ").strip()
        try:
            key = self._jwks.get_signing_key_from_jwt(token)
            claims = jwt.decode(
                token,
                key,
                algorithms=["RS256"],
                audience=self._client_id,
                issuer=self._issuer,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.PyJWKClientConnectionError as error:
            raise Unavailable("the user pool's signing keys cannot be fetched") from error
        except jwt.PyJWTError as error:
            raise Unauthorized(f"the token is not valid: {error}") from error
        if claims.get("token_use", "id") != "id":
            raise Unauthorized("an ID token is required")
        groups = claims.get("cognito:groups", [])
        if not isinstance(groups, list) or not all(isinstance(g, str) for g in groups):
            raise Unauthorized("the token's cognito:groups claim is not a list of names")
        username = claims.get("cognito:username", claims["sub"])
        return Identity(
            subject=str(claims["sub"]),
            username=str(username),
            groups=frozenset(g for g in groups if g in ROLES),
        )
