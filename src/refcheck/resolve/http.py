"""One paced, retrying GET for every registry client (Crossref, DataCite, arXiv).

Each client keeps what is its own: the paths it asks, the :class:`~.pacing.Pacer` of its
service's etiquette, its error classes and the ``decipher`` that turns an answer into a
result. :class:`RegistryHttp` does the rest, the same way for all of them:

- Pacing, as :mod:`.pacing` asks: every request inside ``pacer.slot(kind)`` with the pacer's
  tracer, the announced ``x-rate-limit-*`` headers passed to ``pacer.observe``.
- 429: the kind pauses for ``Retry-After`` (else its window, at most ``max_retry_after``, or
  the backoff when retries have backed off beyond it) and the request is retried after the pause
  with no sleep of its own; it counts as an error only when the pacer says 429s keep coming.
- 5xx, timeouts, connection faults: an error; retried after exponential backoff with jitter,
  or after ``Retry-After`` (which also pauses the kind). A ``Retry-After`` longer than
  ``max_retry_after`` ends the call.
- Malformed answers: ``decipher`` raises the client's error, which ends the call; an answer the
  service marks as ``garbled`` (a body that is not JSON) is retried at most twice first.

Errors the pacer's error window sees slow it down; the first slowdown is said once, as the
service's warning when it has one. Messages are one line and start with the service's name.
"""

from __future__ import annotations

import functools
import logging
import random
import ssl
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Self, TypedDict, TypeVar, Unpack

import httpx

from refcheck.errors import ConfigError, CrossrefError
from refcheck.resolve.pacing import Pacer, RequestKind
from refcheck.resolve.protocol import RETRYABLE_STATUSES, RateLimit, parse_retry_after

__all__ = ["Decipher", "HttpOptions", "RegistryClient", "RegistryHttp", "RequestStats", "Service"]

T = TypeVar("T")

# The status, the headers and the body of an answer that is not a 429 or 5xx -> its meaning.
Decipher = Callable[[int, Mapping[str, str], bytes], T]

# Garbled bodies get this many retries at most: rarely transient, often a proxy page.
_GARBLED_RETRIES = 2

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Service:
    """Who is asked, and how its failures are told."""

    name: str  # starts every message: "Crossref", "DataCite", "arXiv"
    unavailable: type[CrossrefError]  # network faults, 429/5xx after the retries
    garbled: type[CrossrefError] | None = None  # raised by decipher; retried a little
    slowing_down: type[Warning] | None = None  # said once when errors slow the pacer down


class HttpOptions(TypedDict, total=False):
    """How a client talks to its service; every registry client takes these keywords.

    ``timeout`` seconds a request; ``retries`` more attempts after the first; ``backoff`` the
    first retry's wait in seconds, doubling up to ``max_backoff``; ``jitter()`` a number in
    [0, 1) that spreads each wait over [w/2, w) (seeded in tests); a ``Retry-After`` longer
    than ``max_retry_after`` seconds ends the call; ``transport`` replaces the network.
    """

    timeout: float
    retries: int
    transport: httpx.AsyncBaseTransport | None
    backoff: float
    max_backoff: float
    max_retry_after: float
    jitter: Callable[[], float] | None


@dataclass
class RequestStats:
    """What a client did so far; benchmarks read it."""

    single_requests: int = 0
    list_requests: int = 0
    throttled: int = 0  # 429 answers received
    throttle_pauses: int = 0  # of those, taken as the server's counting: paused, no error
    retries: int = 0
    failures: int = 0  # calls that gave up and raised
    errors: int = 0  # attempts that failed (the share the pacer's error window judges)
    deepest_slowdown: int = 0  # the most steps the pacer slowed down because of errors

    @property
    def requests(self) -> int:
        return self.single_requests + self.list_requests


class _Refused(Exception):
    """A 429 or 5xx: the service may answer later, after ``retry_after`` seconds if given."""

    def __init__(self, status: int, retry_after: float | None) -> None:
        super().__init__(status)
        self.status = status
        self.retry_after = retry_after


class RegistryHttp:
    """An httpx client for one service, and the paced, retrying GET every request goes by."""

    def __init__(
        self,
        service: Service,
        base_url: str,
        pacer: Pacer,
        headers: Mapping[str, str],
        query: Mapping[str, str] | None = None,
        **options: Unpack[HttpOptions],
    ) -> None:
        """``query`` goes with every request, after the request's own (Crossref's mailto)."""
        timeout = options.get("timeout", 10.0)
        retries = options.get("retries", 3)
        backoff = options.get("backoff", 0.5)
        max_backoff = options.get("max_backoff", 30.0)
        max_retry_after = options.get("max_retry_after", 120.0)
        if timeout <= 0:
            raise ConfigError("timeout: expected a positive number of seconds")
        if retries < 0:
            raise ConfigError("retries: expected 0 or more")
        if backoff < 0 or max_backoff < 0 or max_retry_after < 0:
            raise ConfigError("backoff: expected non-negative seconds")
        self.service = service
        self.pacer = pacer
        self.retries = retries
        self.stats = RequestStats()
        self._query = dict(query or {})
        self._backoff = backoff
        self._max_backoff = max_backoff
        self._max_retry_after = max_retry_after
        self._jitter = options.get("jitter") or random.random
        self._said_slowing_down = False
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            headers=dict(headers),
            timeout=httpx.Timeout(timeout),
            transport=options.get("transport"),
            follow_redirects=False,
            verify=_tls(),
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def get(
        self,
        kind: RequestKind,
        path: str,
        params: Mapping[str, str],
        decipher: Decipher[T],
    ) -> T:
        """``decipher``'s meaning of the answer to ``GET path?params``, paced and retried."""
        name = self.service.name
        params = {**params, **self._query}
        attempt = 0
        garbled = 0
        while True:
            attempt += 1
            paused = False
            retry_after: float | None = None
            try:
                return await self._attempt(kind, path, params, decipher, attempt)
            except _Refused as refused:
                if refused.status == 429:
                    self.stats.throttled += 1
                    reason = "kept refusing (429)"
                else:
                    reason = f"answered {refused.status}"
                if refused.retry_after is not None:
                    if refused.retry_after > self._max_retry_after:
                        self.stats.failures += 1
                        raise self.service.unavailable(
                            f"{name} asked to wait {refused.retry_after:.0f} s before retrying"
                        ) from None
                    retry_after = refused.retry_after
                # _attempt paused the whole kind, so concurrent tasks do not hammer on.
                paused = refused.status == 429 or retry_after is not None
                failure: CrossrefError = self.service.unavailable(
                    f"{name} {reason} after {_attempts(attempt)}"
                )
            except httpx.TimeoutException:
                failure = self.service.unavailable(f"{name} timed out after {_attempts(attempt)}")
            except httpx.ConnectError:
                failure = self.service.unavailable(
                    f"{name} could not be reached after {_attempts(attempt)}"
                )
            except httpx.RemoteProtocolError:
                failure = self.service.unavailable(
                    f"{name} closed the connection mid-answer after {_attempts(attempt)}"
                )
            except (httpx.TransportError, httpx.DecodingError) as error:
                failure = self.service.unavailable(
                    f"{name} connection failed ({type(error).__name__}) after {_attempts(attempt)}"
                )
            except CrossrefError as error:
                if self.service.garbled is None or not isinstance(error, self.service.garbled):
                    self.stats.failures += 1
                    raise
                garbled += 1
                what = str(error).removeprefix(f"{name} answered ")
                failure = type(error)(f"{name} answered {garbled} time(s) {what}")
                if garbled > _GARBLED_RETRIES:
                    self.stats.failures += 1
                    raise failure from None
            if attempt > self.retries:
                self.stats.failures += 1
                raise failure
            self.stats.retries += 1
            # After the outcome is noted, so a slowdown it started lengthens this wait too.
            wait = retry_after if retry_after is not None else self._backoff_for(attempt)
            # The path and the reason hold no secret; the query (a mailto) stays out.
            _log.debug("%s; retrying %s in %.2f s", failure, path, wait)
            if wait > 0 and not paused:
                await self.pacer.sleep(wait)

    async def _attempt(
        self,
        kind: RequestKind,
        path: str,
        params: Mapping[str, str],
        decipher: Decipher[T],
        attempt: int,
    ) -> T:
        """One request and its meaning; its outcome goes to the pacer's error window.

        A 429 pauses the kind (see :meth:`_pause_for`) and counts as a failure only when the
        pacer says 429s keep coming after a pause. A 5xx with a ``Retry-After`` pauses the
        kind for that long.
        """
        try:
            async with self.pacer.slot(kind) as turn:
                self._count(kind)
                response = await self._http.get(
                    path, params=params, extensions={"trace": self.pacer.tracer(turn)}
                )
            self.pacer.observe(kind, RateLimit.from_headers(response.headers))
            status = response.status_code
            if status in RETRYABLE_STATUSES or 500 <= status < 600:
                retry_after = parse_retry_after(response.headers.get("retry-after"))
                raise _Refused(status, retry_after)
            result = decipher(status, response.headers, response.content)
        except _Refused as refused:
            too_long = refused.retry_after is not None and refused.retry_after > (
                self._max_retry_after
            )
            if refused.status == 429 and not too_long:
                if self.pacer.throttled(turn, self._pause_for(kind, refused, attempt)):
                    self._note_outcome(failed=True)
                else:
                    self.stats.throttle_pauses += 1
                raise
            self._note_outcome(failed=True)
            if refused.retry_after is not None and not too_long:
                self.pacer.pause(kind, refused.retry_after)
            raise
        except (CrossrefError, httpx.TransportError, httpx.DecodingError):
            self._note_outcome(failed=True)
            raise
        self._note_outcome(failed=False)
        return result

    def _pause_for(self, kind: RequestKind, refused: _Refused, attempt: int) -> float:
        """How long a 429 holds its kind back: ``Retry-After`` when given, else the window
        (a long one, like DataCite's 5 minutes, cut to ``max_retry_after``), or the backoff
        when retries have backed off beyond it."""
        if refused.retry_after is not None:
            return refused.retry_after
        window = min(self.pacer.interval(kind), self._max_retry_after)
        return max(window, self._backoff_for(attempt))

    def _note_outcome(self, *, failed: bool) -> None:
        errors = self.pacer.errors
        before = self.pacer.slowdown
        level = self.pacer.record(failed)
        if failed:
            self.stats.errors += 1
        self.stats.deepest_slowdown = max(self.stats.deepest_slowdown, level)
        name = self.service.name
        if level != before:
            rates = ", ".join(
                f"{self.pacer.rate(kind):.2f} {kind}/s" for kind in self.pacer.etiquette.windows
            )
            _log.info(
                "%s failed %d of the last %d requests; pacing at slowdown step %d "
                "(%d in flight, %s)",
                name,
                errors.failures,
                errors.count,
                level,
                self.pacer.concurrency,
                rates,
            )
        warning = self.service.slowing_down
        if failed and level > 0 and warning is not None and not self._said_slowing_down:
            self._said_slowing_down = True
            warnings.warn(
                warning(
                    f"{name} failed {errors.failures} of the last {errors.count} requests "
                    "(errors, throttling or no answer); slowing down as it asks"
                ),
                stacklevel=2,
            )

    def _count(self, kind: RequestKind) -> None:
        if kind == "single":
            self.stats.single_requests += 1
        else:
            self.stats.list_requests += 1

    def _backoff_for(self, attempt: int) -> float:
        """Exponential backoff with equal jitter: the n-th retry waits in [w/2, w).

        Each step the pacer slowed down for errors doubles ``w`` again, up to ``max_backoff``.
        """
        doublings = attempt - 1 + self.pacer.slowdown
        ceiling = min(self._max_backoff, self._backoff * 2.0**doublings)
        return float(ceiling / 2 + ceiling / 2 * self._jitter())


@functools.cache
def _tls() -> ssl.SSLContext:
    """httpx's default TLS context, made once a process: loading the certificate bundle took
    30-150 ms for every client, and a run makes one a registry (tests and benchmarks, many)."""
    return httpx.create_ssl_context()


def _attempts(count: int) -> str:
    return "1 attempt" if count == 1 else f"{count} attempts"


class RegistryClient:
    """What every registry client shares: its :class:`RegistryHttp`, its pacer and stats,
    and closing it (``async with``)."""

    def __init__(self, http: RegistryHttp) -> None:
        self._http = http

    @property
    def pacer(self) -> Pacer:
        return self._http.pacer

    @property
    def stats(self) -> RequestStats:
        return self._http.stats

    @property
    def retries(self) -> int:
        return self._http.retries

    @property
    def requests(self) -> int:
        """Requests sent so far, retries included."""
        return self._http.stats.requests

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()
