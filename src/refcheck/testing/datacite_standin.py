"""A DataCite REST API stand-in on 127.0.0.1, for tests and benchmarks offline.

    with DataciteStandin(load_records("../shared/datacite/records.jsonl.gz")) as datacite:
        client = DataciteClient(datacite.url)
        ...

Routes, with DataCite's paths and answer shapes:

``GET /dois?query=…&page[size]=N``
    ``{"data": [record, ...], "meta": {"total": n}}``: the records holding at least half the
    query's words (in titles, creators, publisher, year), most words first. A crude ranking,
    not DataCite's; enough for a citation's own words to find its record.
``GET /dois/{doi}``
    ``{"data": record}`` (JSON:API, ``application/vnd.api+json``) for a record it serves (the
    ``data`` objects of real ``/dois/{doi}`` answers); the DOI may be percent-encoded and
    matches case-insensitively. An unknown DOI gets DataCite's real 404 answer,
    ``{"errors": [{"status": "404", "title": "The resource you are looking for doesn't
    exist."}]}`` (as in ../shared/datacite/notfound.jsonl).

Limits, as DataCite documents them: 1,000 requests per 5 minutes from one address; with
``enforce_limits=True`` a request over ``rate_limit`` per ``interval`` seconds (a token
bucket) gets a 429, counted in :attr:`DataciteStandin.throttled`.

Faults, as the Crossref stand-in's (:class:`~.crossref_standin.Fault`, next requests in
order)::

    datacite.faults.push(Fault.too_many_requests(), count=4)
    datacite.faults.push(Fault.broken_json())

Only the ``status``, ``slow``, ``broken_json`` and ``disconnect`` kinds apply here.
:attr:`DataciteStandin.requests` lists the paths asked, oldest first.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterable, Mapping
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from refcheck.testing.crossref_standin import FaultPlan
from refcheck.testing.limiter import TokenBucket
from refcheck.testing.loopback import LoopbackStandin

__all__ = ["NOT_FOUND", "DataciteStandin"]

NOT_FOUND = {
    "errors": [{"status": "404", "title": "The resource you are looking for doesn't exist."}]
}
_BROKEN = b'{"data": {"id": "10.5281/zenodo.1", "type": "dois", "attributes": {"doi": "10.5'


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"\w+", text.casefold()) if len(w) > 1 or w.isdigit()}


def _searchable(record: Mapping[str, Any]) -> set[str]:
    """A record's words a search matches: titles, creators, publisher, year."""
    attributes = record.get("attributes")
    if not isinstance(attributes, Mapping):
        return set()
    parts: list[str] = [str(attributes.get("publicationYear") or "")]
    for title in attributes.get("titles") or []:
        if isinstance(title, Mapping) and isinstance(title.get("title"), str):
            parts.append(title["title"])
    for creator in attributes.get("creators") or []:
        if isinstance(creator, Mapping):
            parts += [str(creator.get(k) or "") for k in ("name", "familyName")]
    publisher = attributes.get("publisher")
    parts.append(str(publisher.get("name") if isinstance(publisher, Mapping) else publisher))
    return _words(" ".join(parts))


class DataciteStandin(LoopbackStandin):
    """A loopback DataCite: ``/dois/{doi}`` with real records and real 404 answers."""

    name = "DataCite stand-in"

    def __init__(
        self,
        records: Iterable[Mapping[str, Any]],
        *,
        rate_limit: int = 1000,
        interval: float = 300.0,
        enforce_limits: bool = False,
    ) -> None:
        self._records: dict[str, Mapping[str, Any]] = {}
        for record in records:
            attributes = record.get("attributes")
            doi = attributes.get("doi") if isinstance(attributes, Mapping) else None
            doi = doi if isinstance(doi, str) else record.get("id")
            if not isinstance(doi, str) or not doi.strip():
                raise ValueError("every DataCite record needs a DOI")
            self._records.setdefault(doi.strip().lower(), record)
        self._words = {doi: _searchable(record) for doi, record in self._records.items()}
        self.rate_limit = rate_limit
        self.interval = interval
        self.enforce_limits = enforce_limits
        self.faults = FaultPlan()
        self.throttled = 0
        self._bucket = TokenBucket(rate_limit, interval)
        self._lock = threading.Lock()
        self._log: list[str] = []
        super().__init__()

    @property
    def requests(self) -> list[str]:
        with self._lock:
            return list(self._log)

    def _search(self, query: Mapping[str, list[str]]) -> tuple[int, bytes, dict[str, str]]:
        words = _words(" ".join(query.get("query", [])))
        try:
            size = max(1, min(1000, int(query.get("page[size]", ["25"])[-1])))
        except ValueError:
            size = 25
        scored = [
            (len(words & self._words[doi]), n, doi)
            for n, doi in enumerate(self._records)
            if words & self._words[doi]
        ]
        # At least half the query's words, as a relevance search would rank them first.
        ranked = sorted((s for s in scored if 2 * s[0] >= len(words)), key=lambda s: (-s[0], s[1]))
        data = [self._records[doi] for _, _, doi in ranked[:size]]
        answer = {"data": data, "meta": {"total": len(ranked)}}
        return 200, json.dumps(answer).encode("utf-8"), {}

    def _over_limit(self) -> bool:
        if not self.enforce_limits:
            return False
        with self._lock:
            if self._bucket.take(time.monotonic()):
                return False
            self.throttled += 1
            return True

    def _answer(self, handler: BaseHTTPRequestHandler) -> None:
        path = urlsplit(handler.path).path
        with self._lock:
            self._log.append(path)
        fault = self.faults.next()
        if self._dropped_or_delayed(handler, fault):
            return
        status, body, headers = self._route(path, urlsplit(handler.path).query)
        if self._over_limit():
            status, body, headers = 429, b'{"errors": [{"status": "429"}]}', {}
        elif fault is not None and fault.kind == "status":
            status = fault.status
            body = json.dumps({"errors": [{"status": str(status)}]}).encode()
            headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
        elif fault is not None and fault.kind == "broken_json":
            status, body = 200, _BROKEN
        handler.send_response(status)
        handler.send_header("Content-Type", "application/vnd.api+json; charset=utf-8")
        handler.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(body)

    def _route(self, path: str, query: str = "") -> tuple[int, bytes, dict[str, str]]:
        if path.rstrip("/") == "/dois":
            return self._search(parse_qs(query))
        if path.startswith("/dois/") and len(path) > len("/dois/"):
            doi = unquote(path[len("/dois/") :]).strip().lower()
            record = self._records.get(doi)
            if record is not None:
                return 200, json.dumps({"data": record}).encode("utf-8"), {}
        return 404, json.dumps(NOT_FOUND).encode("utf-8"), {}
