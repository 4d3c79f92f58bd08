"""The async DataCite client: one work by DOI from the REST API.

    async with DataciteClient(mailto="me@example.org") as datacite:
        work = await datacite.work("10.5281/zenodo.4030133")     # Work, or None (404)
        candidates = await datacite.search("Harris 2020 NumPy", rows=5)

``GET {base}/dois/{doi}`` answers a JSON:API document whose ``data.attributes`` hold the
record (made into the one Work model by :mod:`.datacite_records`); a DOI DataCite does not
hold answers 404 with ``{"errors": [{"status": "404", ...}]}``. ``GET {base}/dois?query=…``
answers ``{"data": [record, ...]}``, ranked by relevance.

Etiquette, as DataCite documents it: identify the client (a mailto in the User-Agent), at
most 1,000 requests per 5 minutes from one address: the :data:`~.pacing.DATACITE` pacer.
Every request goes through :class:`~.http.RegistryHttp`, paced and retried as every registry
client's are (a 429 pauses, 5xx and timeouts back off, a ``Retry-After`` is honoured up to
``max_retry_after``).

Failures raise :class:`~refcheck.errors.RegistryError` with a one-line message: network
faults, timeouts and 429/5xx after ``retries`` more attempts, and answers that are not a
DataCite record. The reference is then unverified, never wrong.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Mapping
from typing import Any, Unpack
from urllib.parse import quote

from refcheck.errors import ConfigError, RegistryError
from refcheck.models import Work
from refcheck.resolve.crossref import user_agent
from refcheck.resolve.datacite_records import work_from_datacite
from refcheck.resolve.http import HttpOptions, RegistryClient, RegistryHttp, Service
from refcheck.resolve.pacing import DATACITE, Pacer
from refcheck.resolve.protocol import normalise_doi

__all__ = ["DEFAULT_DATACITE_URL", "DataciteClient"]

DEFAULT_DATACITE_URL = "https://api.datacite.org"

_DATACITE = Service("DataCite", RegistryError)
_WORD = re.compile(r"\w+")


class DataciteClient(RegistryClient):
    """Looks works up in DataCite by DOI."""

    def __init__(
        self,
        base_url: str = DEFAULT_DATACITE_URL,
        mailto: str | None = None,
        *,
        pacer: Pacer | None = None,
        **options: Unpack[HttpOptions],
    ) -> None:
        """``options``: timeouts, retries and backoff, as :class:`~.http.HttpOptions` says."""
        if not (base_url or "").startswith(("http://", "https://")):
            raise ConfigError("datacite-url: expected an http(s) URL")
        headers = {"User-Agent": user_agent(mailto), "Accept": "application/vnd.api+json"}
        pacer = pacer if pacer is not None else Pacer(DATACITE)
        super().__init__(RegistryHttp(_DATACITE, base_url, pacer, headers, **options))

    async def work(self, doi: str) -> Work | None:
        """The work a DOI names at DataCite, or None when DataCite does not hold it."""
        normalised = normalise_doi(doi)
        if normalised is None:
            return None
        return await self._http.get(
            "single", f"/dois/{quote(normalised, safe='')}", {}, _decipher_work
        )

    async def search(self, query: str, rows: int = 5) -> list[Work]:
        """Works DataCite's search ranks for a citation's words, best first.

        ``/dois?query=`` reads Elasticsearch's query syntax, in which ``: / ( ) [ ] " ~ *``
        and friends mean something: only the citation's words are sent, as plain terms.
        """
        words = _WORD.findall(query)
        if not words:
            return []
        params = {"query": " ".join(words[:40]), "page[size]": str(max(1, min(rows, 100)))}
        return await self._http.get("single", "/dois", params, _decipher_list)

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


def _data(status: int, body: bytes) -> Any:
    """The ``data`` of a 200 answer's JSON:API document (None when it has none). A 429 or
    5xx never gets here: :class:`~.http.RegistryHttp` retries those."""
    if status != 200:
        raise RegistryError(f"DataCite answered {status}")
    try:
        document: Any = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise RegistryError("DataCite answered with a body that is not JSON") from None
    return document.get("data") if isinstance(document, dict) else None


def _work(record: dict[str, Any]) -> Work:
    try:
        return work_from_datacite(record)
    except ValueError:  # pydantic's ValidationError is one
        raise RegistryError("DataCite answered with a record that cannot be read") from None


def _decipher_list(status: int, headers: Mapping[str, str], body: bytes) -> list[Work]:
    """The Works of a list answer (``{"data": [record, ...]}``)."""
    data = _data(status, body)
    if not isinstance(data, list):
        raise RegistryError("DataCite answered a search without a list of records")
    if not all(
        isinstance(item, dict) and isinstance(item.get("attributes"), dict) for item in data
    ):
        raise RegistryError("DataCite answered a search with an item that is no record")
    return [_work(item) for item in data]


def _decipher_work(status: int, headers: Mapping[str, str], body: bytes) -> Work | None:
    """The Work of a 200 answer; None for a 404 (DataCite does not hold the DOI). Raises
    RegistryError for anything else."""
    if status == 404:
        return None
    data = _data(status, body)
    if not isinstance(data, dict) or not isinstance(data.get("attributes"), dict):
        raise RegistryError("DataCite answered without a DOI record")
    return _work(data)
