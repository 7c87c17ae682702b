"""pyHanko's fetchers as hoso uses them: online validation's, from allow-listed addresses and
nowhere else; and signing's, which reuse an OCSP answer for five minutes."""

# A PDF names the addresses of its certificates' OCSP responders and CRLs. Fetching from
# them on behalf of whoever uploaded it would let an upload make our servers call any
# address (an internal service, the cloud's metadata endpoint). So a validation asked to go
# online fetches only from the responders the stage lists (HOSO_ONLINE_VALIDATION_URLS):
# every request is checked against the list before it is sent, no redirect is followed (an
# allowed responder could point anywhere), each request has a short timeout and a
# validation a small budget of requests.

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable, Sequence
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from asn1crypto import ocsp, x509
from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend
from pyhanko_certvalidator.fetchers.aiohttp_fetchers.ocsp_client import AIOHttpOCSPFetcher
from pyhanko_certvalidator.fetchers.aiohttp_fetchers.util import LazySession
from pyhanko_certvalidator.fetchers.api import Fetchers, FetchLimits
from pyhanko_certvalidator.util import issuer_serial

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


# --- answers reused while signing ---------------------------------------------------------------

OCSP_ANSWER_SECONDS = 300  # an OCSP answer stands this long for later signatures


class OcspAnswers:
    """The OCSP answers fetched while signing, reused by the signatures of the next five
    minutes (on the signatures' own clock) instead of asking the responder again. A
    certificate revoked meanwhile is refused from then on; the validation data embedded in
    a signature may carry a reused answer, which is valid until its nextUpdate."""

    def __init__(self, seconds: int = OCSP_ANSWER_SECONDS) -> None:
        self._lifetime = dt.timedelta(seconds=seconds)
        self._answers: dict[Any, tuple[dt.datetime, ocsp.OCSPResponse]] = {}
        self._lock = threading.Lock()

    def fresh(self, certificate: x509.Certificate, now: dt.datetime) -> list[ocsp.OCSPResponse]:
        """The answer kept for ``certificate`` if it was fetched at most five minutes
        before ``now``."""
        with self._lock:
            kept = self._answers.get(issuer_serial(certificate))
        if kept is None or not kept[0] <= now <= kept[0] + self._lifetime:
            return []
        return [kept[1]]

    def keep(
        self, certificate: x509.Certificate, answer: ocsp.OCSPResponse, now: dt.datetime
    ) -> None:
        with self._lock:
            self._answers[issuer_serial(certificate)] = (now, answer)

    def backend(self, now: dt.datetime, session: aiohttp.ClientSession) -> AIOHttpFetcherBackend:
        """pyHanko's fetchers for a signature made at ``now``, reading and keeping answers
        here, fetching through ``session``."""
        return _AnswerKeepingBackend(self, now, session)


class _AnswerKeepingBackend(AIOHttpFetcherBackend):
    def __init__(
        self, answers: OcspAnswers, now: dt.datetime, session: aiohttp.ClientSession
    ) -> None:
        super().__init__(session)
        self._answers = answers
        self._now = now

    def get_fetchers(self) -> Fetchers:
        fetchers = super().get_fetchers()
        return Fetchers(
            ocsp_fetcher=_AnswerKeepingOcspFetcher(
                self._answers, self._now, self.session, per_request_timeout=self.per_request_timeout
            ),
            crl_fetcher=fetchers.crl_fetcher,
            cert_fetcher=fetchers.cert_fetcher,
        )


class _AnswerKeepingOcspFetcher(AIOHttpOCSPFetcher):
    def __init__(self, answers: OcspAnswers, now: dt.datetime, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._answers = answers
        self._now = now
        self._reused: list[ocsp.OCSPResponse] = []

    def fetched_responses_for_cert(self, cert: x509.Certificate) -> Iterable[ocsp.OCSPResponse]:
        fetched = set(super().fetched_responses_for_cert(cert))
        if fetched:
            return fetched
        reused = self._answers.fresh(cert, self._now)
        self._reused += [answer for answer in reused if answer not in self._reused]
        return set(reused)

    def fetched_responses(self) -> Iterable[ocsp.OCSPResponse]:
        """Every answer this signature used, fetched or reused: what its DSS embeds."""
        return [*super().fetched_responses(), *self._reused]

    async def fetch(self, cert: Any, authority: Any) -> ocsp.OCSPResponse:
        answer = await super().fetch(cert, authority)
        if isinstance(cert, x509.Certificate) and answer["response_status"].native == "successful":
            self._answers.keep(cert, answer, self._now)
        return answer
