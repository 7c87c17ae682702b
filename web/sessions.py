"""The web app's sign-in sessions: kept in the case table, named by a random id that only the
browser's HttpOnly cookie holds (the table keeps its SHA-256), each with its CSRF token.
The user pool's tokens stay on the server; the browser never sees one."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import asdict, dataclass

from functions.errors import Unauthorized
from functions.services import Services, SignIn

COOKIE = "__Host-hoso"  # __Host-: Secure, Path=/, no Domain, so no other site can set it
SIGN_IN_COOKIE = "__Host-hoso-signin"  # the sign-in form's CSRF token, before any session
SESSION_SECONDS = 8 * 3600  # a working day; then sign in again
CHALLENGE_SECONDS = 300  # a first sign-in's new-password step
EARLY_SECONDS = 60  # an ID token this close to expiring is refreshed first
# Times here are the machine's (time.time()), not the platform's clock (services.clock):
# the pool's tokens and DynamoDB's time to live both expire by the machine's time.


@dataclass
class WebSession:
    """One browser's sign-in: whose, their tokens, its CSRF token, until when."""

    username: str
    csrf: str
    expires: int  # epoch seconds: the session ends then, whatever its tokens say
    id_token: str | None = None
    refresh_token: str | None = None
    id_expires: int = 0  # epoch seconds the ID token lasts until
    challenge: str | None = None  # a first sign-in's NEW_PASSWORD_REQUIRED session

    @property
    def signed_in(self) -> bool:
        return self.id_token is not None


def random_token() -> str:
    """A fresh unguessable value (session ids, CSRF tokens): 256 bits."""
    return secrets.token_urlsafe(32)


def _key(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def start(services: Services, username: str, signed: SignIn) -> tuple[str, WebSession]:
    """A new session for ``signed`` (tokens, or the new-password challenge); its id, which
    goes into the cookie, and the session."""
    now = int(time.time())
    if signed.challenge is not None:
        session = WebSession(
            username, random_token(), now + CHALLENGE_SECONDS, challenge=signed.challenge
        )
    else:
        session = WebSession(
            username,
            random_token(),
            now + SESSION_SECONDS,
            signed.id_token,
            signed.refresh_token,
            now + signed.expires_in,
        )
    session_id = random_token()
    services.cases.put_web_session(_key(session_id), asdict(session), session.expires)
    return session_id, session


def load(services: Services, session_id: str | None) -> WebSession | None:
    """The session the cookie names, if it exists and has not ended."""
    if not session_id or len(session_id) > 100:
        return None
    found = services.cases.get_web_session(_key(session_id))
    if found is None or found["expires"] <= time.time():
        return None
    return WebSession(**found)


def id_token(services: Services, session_id: str, session: WebSession) -> str:
    """The session's ID token, refreshed (and kept) first if it is about to expire;
    Unauthorized if the session has none or the pool no longer refreshes it."""
    if session.id_token is None or session.refresh_token is None:
        raise Unauthorized("sign in first")
    if session.id_expires - EARLY_SECONDS <= time.time():
        fresh = services.users.refresh(session.refresh_token)
        assert fresh.id_token is not None
        session.id_token = fresh.id_token
        session.id_expires = int(time.time()) + fresh.expires_in
        services.cases.put_web_session(_key(session_id), asdict(session), session.expires)
    return session.id_token


def end(services: Services, session_id: str | None) -> None:
    """Forget the session (signing out): its cookie names nothing from now on."""
    if session_id and len(session_id) <= 100:
        services.cases.delete_web_session(_key(session_id))


def same_token(expected: str, submitted: str | None) -> bool:
    """Whether a form carried the CSRF token it should (compared in constant time)."""
    # as bytes: compare_digest refuses str with characters outside ASCII (a forged form)
    return submitted is not None and hmac.compare_digest(expected.encode(), submitted.encode())
