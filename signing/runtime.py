"""The process's signing runtime: one event loop, one HTTP session and one timestamper per TSA.

pyHanko signs and validates in coroutines. Run each with ``asyncio.run`` and every signature
gets a new event loop, so nothing bound to a loop outlives it: a new aiohttp session and a
new TLS context (the certifi bundle parsed again, about 40 ms) for every fetcher, a new TCP
connection for every request, and a new timestamper whose size-estimating "dummy" token is
fetched again. Here the coroutines run on one loop per process, in a daemon thread, and the
session and the timestampers live on it for the life of the process (a Lambda execution
environment, the local API, a worker). A forked child (mutation testing forks) starts its
own loop: the parent's thread does not exist in it.
"""

from __future__ import annotations

import asyncio
import atexit
import contextvars
import functools
import os
import ssl
import threading
import time
from collections.abc import Coroutine
from typing import Any, TypeVar

import aiohttp
import certifi
from asn1crypto import cms
from pyhanko.sign.timestamps import HTTPTimeStamper
from pyhanko.sign.timestamps.common_utils import dummy_digest

T = TypeVar("T")
REQUEST_SECONDS = 5  # each TSA, OCSP or certificate request
# pyHanko sizes a signature with a "dummy" token fetched once per timestamper; a new
# timestamper after this long follows a TSA whose certificate chain changed
TIMESTAMPER_SECONDS = 3600


@functools.cache
def tls_context() -> ssl.SSLContext:
    """The process's one TLS client context (certifi's roots, as pyHanko's own)."""
    return ssl.create_default_context(cafile=certifi.where())


# the timestamp tokens a coroutine's signature received, in order (``keep_timestamp_tokens``)
_TOKENS: contextvars.ContextVar[list[cms.ContentInfo]] = contextvars.ContextVar("tokens")


class _TokenKeepingTimestamper(HTTPTimeStamper):
    """pyHanko's timestamper, which also hands each real token (not the size-estimating
    dummy) to the signature that asked for it: its time is the signature's timestamp time,
    had without parsing the signed PDF again."""

    async def async_timestamp(self, message_digest: bytes, md_algorithm: str) -> cms.ContentInfo:
        token: cms.ContentInfo = await super().async_timestamp(message_digest, md_algorithm)
        kept = _TOKENS.get(None)
        if kept is not None and message_digest != dummy_digest(md_algorithm):
            kept.append(token)
        return token


def keep_timestamp_tokens() -> list[cms.ContentInfo]:
    """The list that receives, from now on in the calling coroutine (and its tasks), each
    timestamp token ``timestamper`` fetches for it."""
    tokens: list[cms.ContentInfo] = []
    _TOKENS.set(tokens)
    return tokens


class _Runtime:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pid = -1
        self._loop: asyncio.AbstractEventLoop | None = None
        # touched only on the loop's own thread
        self._session: aiohttp.ClientSession | None = None
        self._timestampers: dict[str, tuple[float, _TokenKeepingTimestamper]] = {}

    def loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None or self._pid != os.getpid():
                loop = asyncio.new_event_loop()
                thread = threading.Thread(target=loop.run_forever, name="signing", daemon=True)
                thread.start()
                self._loop, self._pid = loop, os.getpid()
                self._session, self._timestampers = None, {}
            return self._loop

    def close(self) -> None:
        """Close the session at exit (aiohttp warns about one left open)."""
        with self._lock:
            loop, session = self._loop, self._session
            if loop is None or session is None or self._pid != os.getpid():
                return
        try:
            asyncio.run_coroutine_threadsafe(session.close(), loop).result(timeout=2)
        except Exception:  # the process is ending; nothing more to do with it
            return

    def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(ssl=tls_context()),
                timeout=aiohttp.ClientTimeout(total=REQUEST_SECONDS),
            )
        return self._session

    def timestamper(self, url: str) -> HTTPTimeStamper:
        made, stamper = self._timestampers.get(url, (0.0, None))
        if stamper is None or time.monotonic() - made > TIMESTAMPER_SECONDS:
            stamper = _TokenKeepingTimestamper(url, timeout=REQUEST_SECONDS, session=self.session())
            self._timestampers[url] = (time.monotonic(), stamper)
        return stamper


_RUNTIME = _Runtime()
atexit.register(_RUNTIME.close)


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run ``coroutine`` on the process's signing loop and wait for its result (or error).
    Never call it from a coroutine already on that loop: it would wait for itself."""
    return asyncio.run_coroutine_threadsafe(coroutine, _RUNTIME.loop()).result()


def http_session() -> aiohttp.ClientSession:
    """The process's HTTP session for TSA, OCSP and certificate fetches; only from a
    coroutine running through ``run``. Its owners never close it."""
    return _RUNTIME.session()


def timestamper(url: str) -> HTTPTimeStamper:
    """The process's timestamper for the TSA at ``url`` (one dummy token an hour sizes
    every signature); only from a coroutine running through ``run``."""
    return _RUNTIME.timestamper(url)
