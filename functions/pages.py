"""Pages of a listing: the page size asked for, and `next`, an opaque tamper-evident token.

`next` holds where the next page starts in an index and a fingerprint of the listing's
filters and scope, under a KMS MAC (services.index): a client can neither forge a position
nor carry one over to a listing with other filters or another caller's scope."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from typing import Any

from functions.errors import Malformed, Problem
from functions.services import Services

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_TOKEN = 4096  # characters of a `next` (KMS MACs messages of 4 KB at most)
MAC_BYTES = 32  # HMAC-SHA-256
MAX_READS = 10  # index pages read for one answer page; past them `next` carries on


def read_limit(params: dict[str, str], problems: list[Problem]) -> int:
    """The page size ``params`` ask for (DEFAULT_LIMIT if none); a problem if it is not
    a whole number from 1 to MAX_LIMIT."""
    text = params.get("limit", str(DEFAULT_LIMIT))
    limit = int(text) if text.isascii() and text.isdigit() and len(text) <= 6 else 0
    if not 1 <= limit <= MAX_LIMIT:
        problems.append(Problem("query.limit", f"a whole number from 1 to {MAX_LIMIT}"))
    return limit


def fingerprint(*listing: Any) -> str:
    """What a token is bound to: the listing's filters and scope (JSON-able values)."""
    return hashlib.sha256(json.dumps(listing, sort_keys=True).encode()).hexdigest()


def _encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def next_token(services: Services, position: dict[str, Any]) -> str:
    """``position`` (with its ``filters`` fingerprint) as a `next` token."""
    payload = _encode(json.dumps(position, sort_keys=True, separators=(",", ":")).encode())
    return f"{payload}.{_encode(services.index.mac(b'next:' + payload.encode()))}"


def position_of(services: Services, token: str, filters: str) -> dict[str, Any]:
    """The position a `next` token holds; Malformed (400) if it is forged or belongs to a
    listing whose fingerprint is not ``filters``."""
    bad = Malformed("next is not a page token of this search", [Problem("query.next", "forged")])
    payload, _, mac = token.partition(".")
    try:
        signature = _decode(mac)
    except (binascii.Error, ValueError):
        raise bad from None
    if (
        len(token) > MAX_TOKEN
        or len(signature) != MAC_BYTES
        or not services.index.verify(b"next:" + payload.encode(), signature)
    ):
        raise bad
    position: dict[str, Any] = json.loads(_decode(payload))
    if position.get("filters") != filters:
        raise Malformed(
            "next belongs to a search with other filters",
            [Problem("query.next", "from another search")],
        )
    return position
