"""Token verification against a JWKS served over HTTP: what tokens prove, how often keys load."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from cloud.identity import UNKNOWN_KID_COOLDOWN_SECONDS, TokenVerifier
from functions.errors import Unauthorized

ISSUER = "https://cognito-idp.ap-southeast-1.amazonaws.com/ap-southeast-1_test"
CLIENT = "client-1"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


class _Jwks(BaseHTTPRequestHandler):
    fetches = 0

    def do_GET(self) -> None:
        type(self).fetches += 1
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(KEY.public_key()))
        body = json.dumps({"keys": [{**public, "kid": "pool-key", "use": "sig"}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: Any) -> None:
        pass


@pytest.fixture
def jwks_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Jwks)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Jwks.fetches = 0
    yield f"http://127.0.0.1:{server.server_port}/jwks.json"
    server.shutdown()
    server.server_close()


def _token(kid: str = "pool-key", **claims: Any) -> str:
    now = int(time.time())
    body = {
        "sub": "sub-1",
        "cognito:username": "canbo",
        "cognito:groups": ["officer"],
        "token_use": "id",
        "iss": ISSUER,
        "aud": CLIENT,
        "iat": now,
        "exp": now + 600,
        **claims,
    }
    return jwt.encode(body, KEY, algorithm="RS256", headers={"kid": kid})


def test_a_valid_token_proves_who_the_caller_is(jwks_url: str) -> None:
    identity = TokenVerifier(jwks_url, ISSUER, CLIENT).verify(f"Bearer {_token()}")
    assert (identity.subject, identity.username) == ("sub-1", "canbo")
    assert identity.groups == {"officer"}


@pytest.mark.parametrize(
    "claims",
    [
        {"aud": "another-client"},
        {"iss": "https://elsewhere.example"},
        {"exp": int(time.time()) - 10},
        {"token_use": "access"},
        {"cognito:groups": "officer"},
        {"cognito:groups": [["officer"]]},
    ],
    ids=["audience", "issuer", "expired", "access-token", "groups-string", "groups-nested"],
)
def test_what_a_token_must_say(jwks_url: str, claims: dict[str, Any]) -> None:
    with pytest.raises(Unauthorized):
        TokenVerifier(jwks_url, ISSUER, CLIENT).verify(f"Bearer {_token(**claims)}")


def test_unknown_keys_refetch_the_jwks_at_most_once_a_cooldown(jwks_url: str) -> None:
    verifier = TokenVerifier(jwks_url, ISSUER, CLIENT)
    verifier.verify(f"Bearer {_token()}")
    assert _Jwks.fetches == 1
    for _ in range(50):  # each with a key id never seen: none may hammer the pool
        with pytest.raises(Unauthorized):
            verifier.verify(f"Bearer {_token(kid=uuid.uuid4().hex)}")
    assert _Jwks.fetches <= 2  # at most one forced refresh within the cooldown
    assert UNKNOWN_KID_COOLDOWN_SECONDS == 60
    verifier.verify(f"Bearer {_token()}")  # the known key still verifies, from the cache
    assert _Jwks.fetches <= 2
