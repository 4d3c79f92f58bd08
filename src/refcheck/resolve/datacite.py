"""The async DataCite client: one work by DOI from the REST API.

    async with DataciteClient(mailto="me@example.org") as datacite:
        work = await datacite.work("10.5281/zenodo.4030133")     # Work, or None (404)
        candidates = await datacite.search("Harris 2020 NumPy", rows=5)

``GET {base}/dois/{doi}`` answers a JSON:API document whose ``data.attributes`` hold the
record (made into the one Work model by :mod:`.datacite_records`); a DOI DataCite does not
hold answers 404 with ``{"errors": [{"status": "404", ...}]}``. ``GET {base}/dois?query=…``
answers ``{"data": [record, ...]}``, ranked by relevance.

Etiquette, as DataCite documents it: identify the client (a mailto in the User-Agent), at
most 1,000 requests per 5 minutes from one address. One :class:`~.pacing.Pacer` per client
spaces requests to that rate; every request goes through :meth:`DataciteClient._get`, the one
place to adapt when pacing changes.

Failures raise :class:`~refcheck.errors.RegistryError` with a one-line message: network
faults, timeouts and 429/5xx after ``retries`` more attempts (a ``Retry-After`` is honoured
up to ``max_retry_after``), and answers that are not a DataCite record. The reference is then
unverified, never wrong.
"""

from __future__ import annotations

import asyncio
import json
import random
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import httpx

from refcheck.errors import ConfigError, RegistryError
from refcheck.models import Work
from refcheck.resolve.crossref import user_agent
from refcheck.resolve.datacite_records import work_from_datacite
from refcheck.resolve.pacing import Limits, Pacer
from refcheck.resolve.protocol import normalise_doi, parse_retry_after

__all__ = ["DATACITE_LIMITS", "DEFAULT_DATACITE_URL", "DataciteClient"]

DEFAULT_DATACITE_URL = "https://api.datacite.org"

# 1,000 requests per 5 minutes: 3.33 a second, spaced evenly; a few in flight.
DATACITE_LIMITS = Limits(single_rate=3.3, list_rate=3.3, concurrency=3)

_RETRYABLE = frozenset({429, 500, 502, 503, 504})
_WORD = re.compile(r"\w+")


class DataciteClient:
    """Looks works up in DataCite by DOI."""

    def __init__(
        self,
        base_url: str = DEFAULT_DATACITE_URL,
        mailto: str | None = None,
        *,
        timeout: float = 10.0,
        retries: int = 3,
        transport: httpx.AsyncBaseTransport | None = None,
        pacer: Pacer | None = None,
        backoff: float = 0.5,
        max_backoff: float = 30.0,
        max_retry_after: float = 120.0,
        jitter: Callable[[], float] | None = None,
    ) -> None:
        if not (base_url or "").startswith(("http://", "https://")):
            raise ConfigError("datacite-url: expected an http(s) URL")
        if timeout <= 0:
            raise ConfigError("timeout: expected a positive number of seconds")
        if retries < 0:
            raise ConfigError("retries: expected 0 or more")
        self.retries = retries
        self.pacer = pacer if pacer is not None else Pacer(DATACITE_LIMITS)
        self.requests = 0
        self._backoff = backoff
        self._max_backoff = max_backoff
        self._max_retry_after = max_retry_after
        self._jitter = jitter if jitter is not None else random.random
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            headers={"User-Agent": user_agent(mailto), "Accept": "application/vnd.api+json"},
            timeout=httpx.Timeout(timeout),
            transport=transport,
            follow_redirects=False,
        )

    async def __aenter__(self) -> DataciteClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def work(self, doi: str) -> Work | None:
        """The work a DOI names at DataCite, or None when DataCite does not hold it."""
        normalised = normalise_doi(doi)
        if normalised is None:
            return None
        status, body = await self._get(f"/dois/{quote(normalised, safe='')}")
        if status == 404:
            return None
        return _decipher(body)

    async def search(self, query: str, rows: int = 5) -> list[Work]:
        """Works DataCite's search ranks for a citation's words, best first.

        ``/dois?query=`` reads Elasticsearch's query syntax, in which ``: / ( ) [ ] " ~ *``
        and friends mean something: only the citation's words are sent, as plain terms.
        """
        words = _WORD.findall(query)
        if not words:
            return []
        params = {"query": " ".join(words[:40]), "page[size]": str(max(1, min(rows, 100)))}
        status, body = await self._get("/dois", params)
        if status == 404:
            raise RegistryError("DataCite answered 404 to a search")
        return _decipher_list(body)

    async def works(self, dois: list[str]) -> dict[str, Work | RegistryError | None]:
        """Each DOI's work, None, or the error that kept it from being looked up."""
        outcomes = await asyncio.gather(*(self.work(d) for d in dois), return_exceptions=True)
        found: dict[str, Work | RegistryError | None] = {}
        for doi, outcome in zip(dois, outcomes, strict=True):
            if isinstance(outcome, RegistryError):
                found[doi] = outcome
            elif isinstance(outcome, BaseException):
                raise outcome  # a bug, not DataCite's failure: do not hide it
            else:
                found[doi] = outcome
        return found

    async def _get(self, path: str, params: dict[str, str] | None = None) -> tuple[int, bytes]:
        """One GET, paced and retried: the status (200 or 404) and the body."""
        attempt = 0
        while True:
            attempt += 1
            wait: float | None = None
            try:
                async with self.pacer.slot("single"):
                    self.requests += 1
                    response = await self._http.get(path, params=params)
            except httpx.TimeoutException:
                failure = f"DataCite timed out after {_attempts(attempt)}"
            except httpx.ConnectError:
                failure = f"DataCite could not be reached after {_attempts(attempt)}"
            except (httpx.TransportError, httpx.DecodingError) as error:
                failure = (
                    f"DataCite connection failed ({type(error).__name__}) "
                    f"after {_attempts(attempt)}"
                )
            else:
                if response.status_code in (200, 404):
                    self.pacer.record(False)
                    return response.status_code, response.content
                if response.status_code not in _RETRYABLE:
                    self.pacer.record(True)
                    raise RegistryError(f"DataCite answered {response.status_code}")
                wait = parse_retry_after(response.headers.get("retry-after"))
                if wait is not None and wait > self._max_retry_after:
                    self.pacer.record(True)
                    raise RegistryError(f"DataCite asked to wait {wait:.0f} s before retrying")
                what = "kept refusing (429)" if response.status_code == 429 else "kept failing"
                failure = f"DataCite {what} ({response.status_code}) after {_attempts(attempt)}"
            self.pacer.record(True)
            if attempt > self.retries:
                raise RegistryError(failure)
            if wait is None:
                ceiling = min(self._max_backoff, self._backoff * 2.0 ** (attempt - 1))
                wait = ceiling / 2 + ceiling / 2 * self._jitter()
            if wait > 0:
                await self.pacer.sleep(wait)


def _attempts(count: int) -> str:
    return "1 attempt" if count == 1 else f"{count} attempts"


def _decipher_list(body: bytes) -> list[Work]:
    """The Works of a 200 list answer (``{"data": [record, ...]}``)."""
    try:
        document: Any = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise RegistryError("DataCite answered with a body that is not JSON") from None
    data = document.get("data") if isinstance(document, dict) else None
    if not isinstance(data, list):
        raise RegistryError("DataCite answered a search without a list of records")
    works: list[Work] = []
    for item in data:
        if not isinstance(item, dict) or not isinstance(item.get("attributes"), dict):
            raise RegistryError("DataCite answered a search with an item that is no record")
        try:
            works.append(work_from_datacite(item))
        except ValueError:
            raise RegistryError("DataCite answered with a record that cannot be read") from None
    return works


def _decipher(body: bytes) -> Work:
    """The Work of a 200 answer. Raises RegistryError for anything else."""
    try:
        document: Any = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise RegistryError("DataCite answered with a body that is not JSON") from None
    data = document.get("data") if isinstance(document, dict) else None
    if not isinstance(data, dict) or not isinstance(data.get("attributes"), dict):
        raise RegistryError("DataCite answered without a DOI record")
    try:
        return work_from_datacite(data)
    except ValueError:  # pydantic's ValidationError is one
        raise RegistryError("DataCite answered with a record that cannot be read") from None
