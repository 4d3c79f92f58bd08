"""The async Crossref client: httpx underneath, :mod:`.protocol` for meaning, :mod:`.pacing` for
manners.

    async with CrossrefClient(mailto="me@example.org") as crossref:
        work = await crossref.work("10.3174/ajnr.A4173")          # Work, or None (unknown DOI)
        found = await crossref.works(dois)                         # {normalised doi: Work | None}
        candidates = await crossref.search("Brinjikji 2015 spinal degeneration", rows=5)

Failures raise :class:`~refcheck.errors.CrossrefUnavailable` (network, timeouts, 429/5xx after
the retries) or :class:`~refcheck.errors.CrossrefBadResponse` (an answer that is not a works
record or list). Messages are one line and never hold the mailto or the Plus token.

Retries: ``retries`` more attempts after the first, with exponential backoff and jitter, on 429,
5xx, timeouts, connection faults and cut-off bodies. A ``Retry-After`` is honoured. A 429 pauses
the whole kind of request for the window (``x-rate-limit-interval``, or ``Retry-After``), so
concurrent tasks back off together, and then the pace is full again: a lone 429, or a few to
requests sent together, is the server counting differently, not trouble. A body that is not
JSON is retried at most twice, then reported as a bad response.

Backing off: Crossref asks clients to back off when their errors rise, and to stop hammering
once they reach a tenth of the requests. Every attempt's outcome goes to the pacer's
:class:`~refcheck.resolve.pacing.ErrorWindow`: when more than 10% of the last 40 failed (5xx,
timeouts, connection faults, unreadable bodies, and 429s that keep coming after a pause), the
pacer halves its rates and the requests in flight, step by step down to one at a time and
1/s, and retries wait twice as long a step (still capped by ``max_backoff``). It speeds up
again step by step once errors fall back. The client says so once, with a
:class:`CrossrefSlowingDown` warning (the command line prints it as one ``refcheck: warning:``
line).

Batches: :meth:`CrossrefClient.works` asks ``/works?filter=doi:A,doi:B,…`` for up to
``batch_size`` DOIs at once. Crossref's DOI filter is known to miss DOIs with unusual characters,
so a DOI a batch does not return is confirmed with its own ``/works/{doi}`` lookup before it is
reported unknown: None always means Crossref answered 404 for that very DOI. A DOI holding a
comma (the filter's separator), and a batch of one, go straight to ``/works/{doi}``.
"""

from __future__ import annotations

import asyncio
import logging
import random
import re
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx

from refcheck._version import __version__
from refcheck.errors import ConfigError, CrossrefBadResponse, CrossrefError, CrossrefUnavailable
from refcheck.models import Work
from refcheck.resolve.agency import Agency, agency_path, decipher_agency
from refcheck.resolve.pacing import Pacer, RequestKind
from refcheck.resolve.protocol import (
    CrossrefNotJSON,
    CrossrefRefused,
    RateLimit,
    decipher_list,
    decipher_work,
    normalise_doi,
    work_path,
)

__all__ = [
    "DEFAULT_BASE_URL",
    "CrossrefClient",
    "CrossrefSlowingDown",
    "CrossrefStats",
    "user_agent",
]

DEFAULT_BASE_URL = "https://api.crossref.org"
PROJECT_URL = "https://github.com/refcheck/refcheck"

# Crossref refuses more rows than this in one list answer.
_MAX_ROWS = 1000
# Bodies that are not JSON get this many retries at most: rarely transient, often a proxy page.
_NOT_JSON_RETRIES = 2

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_TOKEN = re.compile(r"^[\x21-\x7e]+$")

T = TypeVar("T")

_log = logging.getLogger(__name__)


def user_agent(mailto: str | None) -> str:
    """The User-Agent Crossref asks polite clients to send."""
    contact = f"{PROJECT_URL}; mailto:{mailto}" if mailto else PROJECT_URL
    return f"refcheck/{__version__} ({contact})"


class CrossrefSlowingDown(UserWarning):
    """Crossref failed so many requests that the client slowed down; said once per client."""


@dataclass
class CrossrefStats:
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


class _RedactMailto(logging.Filter):
    """httpx logs each request URL at INFO; the mailto in its query is nobody's business."""

    _MAILTO = re.compile(r"(mailto(?:=|%3D))[^&\s\"']+", re.IGNORECASE)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "mailto" in message.lower():
            record.msg = self._MAILTO.sub(r"\1[redacted]", message)
            record.args = None
        return True


def _install_redaction() -> None:
    logger = logging.getLogger("httpx")
    if not any(isinstance(f, _RedactMailto) for f in logger.filters):
        logger.addFilter(_RedactMailto())


class CrossrefClient:
    """Looks works up in Crossref by DOI (one or many) and by bibliographic search."""

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        mailto: str | None = None,
        *,
        timeout: float = 10.0,
        retries: int = 3,
        batch_size: int = 50,
        transport: httpx.AsyncBaseTransport | None = None,
        pacer: Pacer | None = None,
        crossref_plus_token: str | None = None,
        backoff: float = 0.5,
        max_backoff: float = 30.0,
        max_retry_after: float = 120.0,
        jitter: Callable[[], float] | None = None,
    ) -> None:
        """``backoff`` is the first retry's wait in seconds, doubling up to ``max_backoff``;
        ``jitter()`` returns a number in [0, 1) that spreads each wait over [w/2, w) (seeded
        in tests). A ``Retry-After`` longer than ``max_retry_after`` seconds ends the call.
        """
        if not re.match(r"^https?://[^\s/]+", base_url or ""):
            raise ConfigError("base_url: expected an http(s) URL")
        if mailto is not None:
            mailto = mailto.strip() or None
        if mailto is not None and not (mailto.isascii() and _EMAIL.match(mailto)):
            raise ConfigError("mailto: expected an e-mail address")
        if crossref_plus_token is not None:
            crossref_plus_token = crossref_plus_token.strip() or None
        if crossref_plus_token is not None and not _TOKEN.match(crossref_plus_token):
            raise ConfigError("crossref_plus_token: expected printable characters only")
        if timeout <= 0:
            raise ConfigError("timeout: expected a positive number of seconds")
        if retries < 0:
            raise ConfigError("retries: expected 0 or more")
        if not 1 <= batch_size <= _MAX_ROWS:
            raise ConfigError(f"batch_size: expected 1 to {_MAX_ROWS}")
        if backoff < 0 or max_backoff < 0 or max_retry_after < 0:
            raise ConfigError("backoff: expected non-negative seconds")

        self.mailto = mailto
        self.retries = retries
        self.batch_size = batch_size
        self.stats = CrossrefStats()
        self.pacer = pacer if pacer is not None else Pacer.for_pool(polite=mailto is not None)
        self._backoff = backoff
        self._max_backoff = max_backoff
        self._max_retry_after = max_retry_after
        self._jitter = jitter if jitter is not None else random.random
        self._said_slowing_down = False

        headers = {"User-Agent": user_agent(mailto), "Accept": "application/json"}
        if crossref_plus_token is not None:
            headers["Crossref-Plus-API-Token"] = f"Bearer {crossref_plus_token}"
        _install_redaction()
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            headers=headers,
            timeout=httpx.Timeout(timeout),
            transport=transport,
            follow_redirects=False,
        )

    async def __aenter__(self) -> CrossrefClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    # --- lookups ------------------------------------------------------------------------

    async def work(self, doi: str) -> Work | None:
        """The work a DOI names, or None when Crossref does not know it (or it is no DOI)."""
        normalised = normalise_doi(doi)
        if normalised is None:
            return None
        record = await self._call("single", work_path(normalised), {}, decipher_work)
        return None if record is None else _work(record)

    async def works(self, dois: Sequence[str]) -> dict[str, Work | None]:
        """Each DOI's work, keyed by its normalised (lowercase) form; None for unknown DOIs.

        Text that is no DOI maps to None under its stripped, lowercased self, without a
        request. Batches run concurrently under the pacer; the first error is raised after
        all of them have settled.
        """
        result: dict[str, Work | None] = {}
        unique: dict[str, None] = {}  # an ordered set
        for text in dois:
            doi = normalise_doi(text)
            if doi is None:
                result[str(text).strip().lower()] = None
            else:
                unique[doi] = None
        wanted = list(unique)

        listable = [doi for doi in wanted if "," not in doi]
        batches = [
            listable[i : i + self.batch_size] for i in range(0, len(listable), self.batch_size)
        ]
        singles = [doi for doi in wanted if "," in doi]
        singles += [batch[0] for batch in batches if len(batch) == 1]
        batches = [batch for batch in batches if len(batch) > 1]

        jobs = [self._batch(batch) for batch in batches]
        jobs += [self._single(doi) for doi in singles]
        outcomes = await asyncio.gather(*jobs, return_exceptions=True)
        failures = [o for o in outcomes if isinstance(o, BaseException)]
        if failures:
            # A bug outranks a Crossref failure: do not hide it behind "unavailable".
            bugs = [f for f in failures if not isinstance(f, CrossrefError)]
            raise (bugs or failures)[0]
        for outcome in outcomes:
            assert not isinstance(outcome, BaseException)
            result.update(outcome)
        # DOIs first, in the order they were asked for; then the text that is no DOI.
        ordered = {doi: result[doi] for doi in wanted}
        ordered.update(result)
        return ordered

    async def agency(self, doi: str) -> Agency | None:
        """The registration agency of a DOI (``/works/{doi}/agency``); None when no agency
        holds it. Paced and retried as a single-record request."""
        normalised = normalise_doi(doi)
        if normalised is None:
            return None
        return await self._call("single", agency_path(normalised), {}, decipher_agency)

    async def _single(self, doi: str) -> dict[str, Work | None]:
        return {doi: await self.work(doi)}

    async def _batch(self, batch: Sequence[str]) -> dict[str, Work | None]:
        params = {"filter": ",".join(f"doi:{doi}" for doi in batch), "rows": str(len(batch))}
        items = await self._call("list", "/works", params, decipher_list)
        found: dict[str, Work | None] = {}
        for item in items:
            doi = normalise_doi(item["DOI"])
            if doi is not None and doi in batch:
                found[doi] = _work(item)
        missing = [doi for doi in batch if doi not in found]
        if missing:
            confirmed = await asyncio.gather(*(self.work(doi) for doi in missing))
            found.update(zip(missing, confirmed, strict=True))
        return found

    async def search(self, query: str, rows: int = 5) -> list[Work]:
        """Works ranked by Crossref's bibliographic search, best first, each with its score."""
        query = " ".join(str(query).split())
        if not query:
            return []
        rows = max(1, min(int(rows), _MAX_ROWS))
        params = {"query.bibliographic": query, "rows": str(rows)}
        items = await self._call("list", "/works", params, decipher_list)
        return [_work(item) for item in items]

    # --- one request, with retries -------------------------------------------------------

    async def _call(
        self,
        kind: RequestKind,
        path: str,
        params: Mapping[str, str],
        decipher: Callable[[int, Mapping[str, str], bytes], T],
    ) -> T:
        query = dict(params)
        if self.mailto:
            query["mailto"] = self.mailto
        attempt = 0
        not_json = 0
        while True:
            attempt += 1
            paused = False
            retry_after: float | None = None
            try:
                return await self._attempt(kind, path, query, decipher, attempt)
            except CrossrefRefused as refused:
                if refused.status == 429:
                    self.stats.throttled += 1
                reason = "kept refusing (429)" if refused.status == 429 else str(refused)
                if refused.retry_after is not None:
                    if refused.retry_after > self._max_retry_after:
                        self.stats.failures += 1
                        raise CrossrefUnavailable(
                            f"Crossref asked to wait {refused.retry_after:.0f} s before retrying"
                        ) from None
                    retry_after = refused.retry_after
                # _attempt paused the whole kind, so concurrent tasks do not hammer on.
                paused = refused.status == 429 or retry_after is not None
                failure: CrossrefError = CrossrefUnavailable(
                    f"Crossref {_strip_crossref(reason)} after {_attempts(attempt)}"
                )
            except httpx.TimeoutException:
                failure = CrossrefUnavailable(f"Crossref timed out after {_attempts(attempt)}")
            except httpx.ConnectError:
                failure = CrossrefUnavailable(
                    f"Crossref could not be reached after {_attempts(attempt)}"
                )
            except httpx.RemoteProtocolError:
                failure = CrossrefUnavailable(
                    f"Crossref closed the connection mid-answer after {_attempts(attempt)}"
                )
            except (httpx.TransportError, httpx.DecodingError) as error:
                failure = CrossrefUnavailable(
                    f"Crossref connection failed ({type(error).__name__}) "
                    f"after {_attempts(attempt)}"
                )
            except CrossrefNotJSON:
                not_json += 1
                failure = CrossrefBadResponse(
                    f"Crossref answered {not_json} time(s) with a body that is not JSON"
                )
                if not_json > _NOT_JSON_RETRIES:
                    self.stats.failures += 1
                    raise failure from None
            except CrossrefBadResponse:
                self.stats.failures += 1
                raise
            if attempt > self.retries:
                self.stats.failures += 1
                raise failure
            self.stats.retries += 1
            # After the outcome is noted, so a slowdown it started lengthens this wait too.
            wait = retry_after if retry_after is not None else self._backoff_for(attempt)
            # The path and the reason hold no secret; the query (with the mailto) stays out.
            _log.debug("%s; retrying %s in %.2f s", failure, path, wait)
            if wait > 0 and not paused:
                await self.pacer.sleep(wait)

    async def _attempt(
        self,
        kind: RequestKind,
        path: str,
        query: Mapping[str, str],
        decipher: Callable[[int, Mapping[str, str], bytes], T],
        attempt: int,
    ) -> T:
        """One request and its meaning; its outcome goes to the pacer's error window.

        A 429 pauses the kind for the window (or its ``Retry-After``; longer when retries
        have backed off further) and counts as a failure only when the pacer says 429s keep
        coming after a pause. A 5xx with a ``Retry-After`` pauses the kind for that long.
        """
        try:
            async with self.pacer.slot(kind) as turn:
                self._count(kind)
                response = await self._http.get(
                    path, params=query, extensions={"trace": self.pacer.tracer(turn)}
                )
            self.pacer.observe(kind, RateLimit.from_headers(response.headers))
            result = decipher(response.status_code, response.headers, response.content)
        except CrossrefRefused as refused:
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

    def _pause_for(self, kind: RequestKind, refused: CrossrefRefused, attempt: int) -> float:
        """How long a 429 holds its kind back: ``Retry-After`` when given, else the window,
        or the backoff when retries have backed off beyond it."""
        if refused.retry_after is not None:
            return refused.retry_after
        return max(self.pacer.interval(kind), self._backoff_for(attempt))

    def _note_outcome(self, *, failed: bool) -> None:
        errors = self.pacer.errors
        before = self.pacer.slowdown
        level = self.pacer.record(failed)
        if failed:
            self.stats.errors += 1
        self.stats.deepest_slowdown = max(self.stats.deepest_slowdown, level)
        if level != before:
            _log.info(
                "Crossref failed %d of the last %d requests; pacing at slowdown step %d "
                "(%d in flight, %.2f single/s, %.2f list/s)",
                errors.failures,
                errors.count,
                level,
                self.pacer.concurrency,
                self.pacer.rate("single"),
                self.pacer.rate("list"),
            )
        if failed and level > 0 and not self._said_slowing_down:
            self._said_slowing_down = True
            warnings.warn(
                CrossrefSlowingDown(
                    f"Crossref failed {errors.failures} of the last {errors.count} requests "
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


def _attempts(count: int) -> str:
    return "1 attempt" if count == 1 else f"{count} attempts"


def _strip_crossref(reason: str) -> str:
    return reason.removeprefix("Crossref ").strip()


def _work(record: dict[str, Any]) -> Work:
    try:
        return Work.from_crossref(record)
    except ValueError:  # pydantic's ValidationError is one
        raise CrossrefBadResponse(
            "Crossref answered with a work record that cannot be read"
        ) from None
