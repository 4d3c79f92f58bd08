"""The async Crossref client: :mod:`.http` underneath (the paced, retrying GET it shares with
the DataCite and arXiv clients), :mod:`.protocol` for meaning, :mod:`.pacing` for manners.

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
import re
from collections.abc import Sequence
from typing import Any, TypeVar, Unpack

from refcheck._version import __version__
from refcheck.errors import ConfigError, CrossrefBadResponse, CrossrefError, CrossrefUnavailable
from refcheck.models import Work
from refcheck.resolve.agency import Agency, agency_path, decipher_agency
from refcheck.resolve.http import (
    HttpOptions,
    RegistryClient,
    RegistryHttp,
    RequestStats,
    Service,
)
from refcheck.resolve.pacing import Pacer
from refcheck.resolve.protocol import (
    CrossrefNotJSON,
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
# Crossref's types of a whole book, asked for by ISBN (several ``type:`` filters are ORed).
BOOK_TYPES = ("book", "monograph", "edited-book", "reference-book")

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_TOKEN = re.compile(r"^[\x21-\x7e]+$")

T = TypeVar("T")


def user_agent(mailto: str | None) -> str:
    """The User-Agent Crossref asks polite clients to send."""
    contact = f"{PROJECT_URL}; mailto:{mailto}" if mailto else PROJECT_URL
    return f"refcheck/{__version__} ({contact})"


class CrossrefSlowingDown(UserWarning):
    """Crossref failed so many requests that the client slowed down; said once per client."""


_CROSSREF = Service(
    "Crossref", CrossrefUnavailable, garbled=CrossrefNotJSON, slowing_down=CrossrefSlowingDown
)


# What a client did so far; benchmarks read it.
CrossrefStats = RequestStats


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


class CrossrefClient(RegistryClient):
    """Looks works up in Crossref by DOI (one or many) and by bibliographic search."""

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        mailto: str | None = None,
        *,
        batch_size: int = 50,
        pacer: Pacer | None = None,
        crossref_plus_token: str | None = None,
        **options: Unpack[HttpOptions],
    ) -> None:
        """``options``: timeouts, retries and backoff, as :class:`~.http.HttpOptions` says."""
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
        if not 1 <= batch_size <= _MAX_ROWS:
            raise ConfigError(f"batch_size: expected 1 to {_MAX_ROWS}")

        self.mailto = mailto
        self.batch_size = batch_size
        headers = {"User-Agent": user_agent(mailto), "Accept": "application/json"}
        if crossref_plus_token is not None:
            headers["Crossref-Plus-API-Token"] = f"Bearer {crossref_plus_token}"
        _install_redaction()
        if pacer is None:
            pacer = Pacer.for_pool(polite=mailto is not None)
        query = {"mailto": mailto} if mailto else {}
        super().__init__(RegistryHttp(_CROSSREF, base_url, pacer, headers, query, **options))

    # --- lookups ------------------------------------------------------------------------

    async def work(self, doi: str) -> Work | None:
        """The work a DOI names, or None when Crossref does not know it (or it is no DOI)."""
        normalised = normalise_doi(doi)
        if normalised is None:
            return None
        record = await self._http.get("single", work_path(normalised), {}, decipher_work)
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
        return await self._http.get("single", agency_path(normalised), {}, decipher_agency)

    async def _single(self, doi: str) -> dict[str, Work | None]:
        return {doi: await self.work(doi)}

    async def _batch(self, batch: Sequence[str]) -> dict[str, Work | None]:
        params = {"filter": ",".join(f"doi:{doi}" for doi in batch), "rows": str(len(batch))}
        items = await self._http.get("list", "/works", params, decipher_list)
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

    async def books(self, isbn: str, rows: int = 5) -> list[Work]:
        """The books Crossref lists under an ISBN (``filter=isbn:…`` with the book types:
        a book's chapters carry its ISBN too, and are not the book)."""
        types = ",".join(f"type:{kind}" for kind in BOOK_TYPES)
        params = {"filter": f"isbn:{isbn},{types}", "rows": str(max(1, min(rows, _MAX_ROWS)))}
        items = await self._http.get("list", "/works", params, decipher_list)
        return [_work(item) for item in items]

    async def search(self, query: str, rows: int = 5) -> list[Work]:
        """Works ranked by Crossref's bibliographic search, best first, each with its score."""
        query = " ".join(str(query).split())
        if not query:
            return []
        rows = max(1, min(int(rows), _MAX_ROWS))
        params = {"query.bibliographic": query, "rows": str(rows)}
        items = await self._http.get("list", "/works", params, decipher_list)
        return [_work(item) for item in items]


def _work(record: dict[str, Any]) -> Work:
    try:
        return Work.from_crossref(record)
    except ValueError:  # pydantic's ValidationError is one
        raise CrossrefBadResponse(
            "Crossref answered with a work record that cannot be read"
        ) from None
