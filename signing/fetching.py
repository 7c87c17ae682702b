"""Online validation's fetchers: revocation data from allow-listed addresses, and nowhere else."""

# A PDF names the addresses of its certificates' OCSP responders and CRLs. Fetching from
# them on behalf of whoever uploaded it would let an upload make our servers call any
# address (an internal service, the cloud's metadata endpoint). So a validation asked to go
# online fetches only from the responders the stage lists (HOSO_ONLINE_VALIDATION_URLS):
# every request is checked against the list before it is sent, no redirect is followed (an
# allowed responder could point anywhere), each request has a short timeout and a
# validation a small budget of requests.

from __future__ import annotations

from collections.abc import Sequence
from types import SimpleNamespace
from urllib.parse import urlsplit

import aiohttp
from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend
from pyhanko_certvalidator.fetchers.aiohttp_fetchers.util import LazySession
from pyhanko_certvalidator.fetchers.api import FetchLimits

PER_REQUEST_SECONDS = 5
MAX_REQUESTS = 8  # per validation: a record's few certificates need one or two each
DEFAULT_PORTS = {"http": 80, "https": 443}


def allowed(url: str, allow_list: Sequence[str]) -> bool:
    """Whether ``url`` is one of ``allow_list``'s addresses or below one of them: the same
    scheme, host and port, and a path equal to the allowed one or under it."""
    try:
        asked = urlsplit(url)
        asked_port = asked.port or DEFAULT_PORTS.get(asked.scheme)
    except ValueError:
        return False
    if asked.scheme not in DEFAULT_PORTS or asked.username or asked.password:
        return False
    for entry in allow_list:
        allowed_url = urlsplit(entry)
        same_place = (
            asked.scheme == allowed_url.scheme
            and (asked.hostname or "") == (allowed_url.hostname or "").lower()
            and asked_port == (allowed_url.port or DEFAULT_PORTS.get(allowed_url.scheme))
        )
        base = allowed_url.path.rstrip("/")
        if same_place and (asked.path == allowed_url.path or asked.path.startswith(base + "/")):
            return True
    return False


class _AllowListedSession(LazySession):
    """pyHanko's lazily made aiohttp session, whose every request is checked against the
    allow-list first and whose redirects are refused: either fails as a client error, which
    the fetchers report as data they could not get."""

    def __init__(self, allow_list: Sequence[str]) -> None:
        super().__init__()
        self._allow_list = tuple(allow_list)

    def get_session(self) -> aiohttp.ClientSession:
        if self._session is None:
            tracing = aiohttp.TraceConfig()
            tracing.on_request_start.append(self._check)
            tracing.on_request_redirect.append(self._refuse_redirect)
            self._session = aiohttp.ClientSession(
                trace_configs=[tracing],
                timeout=aiohttp.ClientTimeout(total=PER_REQUEST_SECONDS),
            )
        session: aiohttp.ClientSession = self._session
        return session

    async def _check(
        self,
        _: aiohttp.ClientSession,
        __: SimpleNamespace,
        request: aiohttp.TraceRequestStartParams,
    ) -> None:
        if not allowed(str(request.url), self._allow_list):
            raise aiohttp.InvalidURL(request.url, "not on the online validation allow-list")

    async def _refuse_redirect(
        self,
        _: aiohttp.ClientSession,
        __: SimpleNamespace,
        redirect: aiohttp.TraceRequestRedirectParams,
    ) -> None:
        # aiohttp follows a redirect without a new request start: refuse it here
        raise aiohttp.InvalidURL(redirect.url, "a redirect, which online validation never follows")


class AllowListedFetchers(AIOHttpFetcherBackend):
    """Fetchers for one validation that reach only the addresses of ``allow_list``."""

    def __init__(self, allow_list: Sequence[str]) -> None:
        super().__init__(
            per_request_timeout=PER_REQUEST_SECONDS,
            limits=FetchLimits(max_requests=MAX_REQUESTS),
        )
        self.session = _AllowListedSession(allow_list)
