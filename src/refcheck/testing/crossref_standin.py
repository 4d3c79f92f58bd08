"""A Crossref stand-in on 127.0.0.1, for tests and benchmarks that must not touch the internet.

    with CrossrefStandin(records) as crossref:        # records: Crossref works records (dicts)
        client = CrossrefClient(crossref.url, mailto="me@example.org")
        ...
        assert crossref.requests[0].param("mailto") == "me@example.org"

It is a stdlib ``ThreadingHTTPServer`` on a free port, served from a background thread; it
prints nothing and :meth:`CrossrefStandin.stop` leaves no thread behind.

Routes, with Crossref's paths and envelopes:

``GET /works/{doi}``
    ``{"status": "ok", "message-type": "work", "message-version": "1.0.0", "message": record}``;
    an unknown DOI gets 404 with the text/plain body ``Resource not found.`` like Crossref.
    The DOI may be percent-encoded (``/`` as ``%2F`` too) and matches case-insensitively.
``GET /works/{doi}/agency``
    ``{"status": "ok", "message-type": "work-agency", "message": {"DOI": doi, "agency":
    {"id": "crossref", "label": "Crossref"}}}`` for a DOI it holds; for one in ``agencies``
    (a DOI or a prefix -> an agency id such as ``datacite``, ``medra``), that agency; else
    404 ``Resource not found.``, as Crossref answers for a DOI no agency holds.
``GET /works?filter=doi:A,doi:B&rows=N``
    a ``work-list`` envelope: ``items`` (each with ``score`` 0.0), ``total-results``,
    ``items-per-page``, ``query``. DOIs in ``hidden_from_filter`` are missed by the filter
    (as Crossref's misses some DOIs with odd characters) but found at ``/works/{doi}``.
    ``filter=isbn:X,type:book,type:monograph`` narrows to the records listing that ISBN
    (compared as ISBN-13) of those types (a name's values ORed, names ANDed).
    A filter other than ``doi``, ``isbn`` and ``type`` gets Crossref's 400
    ``validation-failure``, as does a ``rows`` that is not an integer in 0..1000.
``GET /works?query.bibliographic=…&rows=N`` (or ``query=…``)
    items ranked by a BM25 score over title, subtitle, container titles, authors' family
    names, volume and years; each item carries ``score`` (good matches land at 50-150, in
    Crossref's range, but the values are not Crossref's). Nothing matches: no items.
    ``offset`` works; other parameters (``mailto``, ``select``, …) are accepted and ignored.

Every answer carries ``x-rate-limit-limit`` (``rate_limit`` for single-record routes,
``list_rate_limit`` for lists), ``x-rate-limit-interval`` and ``x-concurrency-limit``. With
``enforce_limits=True`` a request over the rate or over ``concurrency`` in flight gets a 429
without ``Retry-After``; :attr:`CrossrefStandin.throttled` counts them, and
:attr:`CrossrefStandin.max_in_flight` is the most requests it ever had in flight. How it
counts (:mod:`refcheck.testing.limiter`), per kind of route:

``counting="bucket"`` (the default)
    a token bucket holding ``limit`` tokens, refilled evenly over ``interval``; a request is
    out of flight once its answer is ready, before it is written.
``counting="window"``
    strict: at most ``limit`` requests arriving in any ``interval``, and a request stays in
    flight until its answer has been written.

``latency`` seconds pass before each answer. ``jitter`` delays each request by a random
0-``jitter`` seconds on its way in (seeded by ``jitter_seed``), before the stand-in counts its
arrival: the network between a client and a server, which makes requests sent evenly arrive
unevenly. ``crossref.arrive_late(0.2, after=5)``: the sixth request from now reaches it 0.2 s
later still (a lost packet sent again). Each logged request has ``released``, when it left
flight (its answer written, counting strictly; ready, with the bucket).

Faults, for the next requests in order, or at random::

    crossref.faults.push(Fault.too_many_requests(retry_after="2"))    # next request: 429
    crossref.faults.push(Fault.unavailable(), count=3)                # next three: 503
    crossref.faults.set_rate(0.1, seed=7)                             # 10% of the rest, seeded
    crossref.faults.clear()

Kinds (:class:`Fault`): ``status`` (any status, optional ``Retry-After``; see
``too_many_requests`` and ``unavailable``), ``slow`` (answers after ``delay`` seconds),
``broken_json`` (200 with a cut JSON body of the right length), ``truncated`` (Content-Length
larger than the body, then the connection closes) and ``disconnect`` (the connection closes
before any answer). Queued faults go first; ``fault_rate`` draws from ``random_faults``.

:attr:`CrossrefStandin.requests` is a snapshot of the request log (:class:`LoggedRequest`:
method, path, query, headers, time, kind, status, fault, and the requests in flight on arrival).

:func:`load_records` reads records from ``.jsonl`` or ``.jsonl.gz``.
"""

from __future__ import annotations

import gzip
import json
import math
import random
import re
import threading
import time
import unicodedata
from collections import Counter as Tally
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, Literal, cast
from urllib.parse import parse_qs, unquote, urlsplit

from refcheck.parse.identifiers import isbn13
from refcheck.testing.limiter import COUNTINGS, Counter, Counting, counter
from refcheck.testing.loopback import LoopbackStandin

__all__ = ["CrossrefStandin", "Fault", "FaultKind", "FaultPlan", "LoggedRequest", "load_records"]

FaultKind = Literal["status", "slow", "broken_json", "truncated", "disconnect"]
RouteKind = Literal["single", "list", "other"]

_MAX_ROWS = 1000
_DEFAULT_ROWS = 20
_NOT_FOUND = b"Resource not found."
_BROKEN_JSON = b'{"status":"ok","message-type":"work","message":{"DOI":"10.'


# --- faults --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fault:
    """One way an answer goes wrong; see the module docstring for the kinds."""

    kind: FaultKind
    status: int = 503
    retry_after: str | None = None
    delay: float = 5.0

    @classmethod
    def too_many_requests(cls, retry_after: str | None = None) -> Fault:
        return cls(kind="status", status=429, retry_after=retry_after)

    @classmethod
    def unavailable(cls, status: int = 503, retry_after: str | None = None) -> Fault:
        return cls(kind="status", status=status, retry_after=retry_after)

    @classmethod
    def slow(cls, delay: float = 5.0) -> Fault:
        return cls(kind="slow", delay=delay)

    @classmethod
    def broken_json(cls) -> Fault:
        return cls(kind="broken_json")

    @classmethod
    def truncated(cls) -> Fault:
        return cls(kind="truncated")

    @classmethod
    def disconnect(cls) -> Fault:
        return cls(kind="disconnect")


RANDOM_FAULTS: tuple[Fault, ...] = (
    Fault.too_many_requests(retry_after="1"),
    Fault.too_many_requests(),
    Fault.unavailable(),
    Fault.broken_json(),
    Fault.truncated(),
    Fault.disconnect(),
)


class FaultPlan:
    """The faults the stand-in will inject: a queue first, then a seeded random draw."""

    def __init__(
        self, rate: float = 0.0, *, seed: int = 0, choices: Sequence[Fault] = RANDOM_FAULTS
    ) -> None:
        self._lock = threading.Lock()
        self._queue: list[Fault] = []
        self._rate = 0.0
        self._random = random.Random(seed)
        self._choices: tuple[Fault, ...] = ()
        self.injected = 0
        self.set_rate(rate, seed=seed, choices=choices)

    def push(self, fault: Fault, count: int = 1) -> None:
        """Inject ``fault`` into the next ``count`` requests (after those already queued)."""
        with self._lock:
            self._queue.extend([fault] * count)

    def set_rate(
        self, rate: float, *, seed: int = 0, choices: Sequence[Fault] | None = None
    ) -> None:
        """Inject a fault drawn from ``choices`` into a share ``rate`` of the requests."""
        if not 0.0 <= rate <= 1.0:
            raise ValueError("fault rate must be between 0 and 1")
        with self._lock:
            self._rate = rate
            self._random = random.Random(seed)
            if choices is not None:
                if rate > 0 and not choices:
                    raise ValueError("a fault rate needs faults to choose from")
                self._choices = tuple(choices)

    def clear(self) -> None:
        """No more faults: empty the queue and set the rate to 0."""
        with self._lock:
            self._queue.clear()
            self._rate = 0.0

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._queue)

    def next(self) -> Fault | None:
        """The fault for the request being answered now, if any."""
        with self._lock:
            fault: Fault | None = None
            if self._queue:
                fault = self._queue.pop(0)
            elif self._rate > 0 and self._choices and self._random.random() < self._rate:
                fault = self._random.choice(self._choices)
            if fault is not None:
                self.injected += 1
            return fault


# --- the request log -----------------------------------------------------------------------


@dataclass(frozen=True)
class LoggedRequest:
    """One request as the stand-in saw it. ``time`` is ``time.monotonic()`` on arrival;
    ``status`` is what it answered (0 when it closed the connection instead); ``in_flight``
    is how many requests it was answering when this one arrived, this one included."""

    method: str
    path: str  # as sent, percent-escapes and all, without the query
    query: Mapping[str, Sequence[str]]
    headers: Mapping[str, str]  # names lowercased
    time: float
    kind: RouteKind
    status: int
    fault: FaultKind | None = None
    in_flight: int = 1
    released: float | None = None  # ``time.monotonic()`` when it left flight

    def param(self, name: str) -> str | None:
        """The first value of a query parameter."""
        values = self.query.get(name)
        return values[0] if values else None

    @property
    def doi(self) -> str | None:
        """The DOI of a ``/works/{doi}`` request, decoded."""
        if self.kind != "single":
            return None
        return unquote(self.path[len("/works/") :])


# --- search --------------------------------------------------------------------------------

_WORD = re.compile(r"\w+")
_STOP = frozenset(
    {"a", "an", "and", "are", "as", "at", "by", "de", "der", "die", "for", "from", "in"}
    | {"into", "is", "of", "on", "or", "the", "to", "with"}
)
# Crossref ranks over 150M works; an index this small would make every shared word look
# rare. Counting as if among many more documents keeps scores in Crossref's range.
_VIRTUAL_DOCS = 5000
_K1, _B = 1.2, 0.75


def _tokens(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in folded if not unicodedata.combining(c))
    return [w for w in _WORD.findall(plain) if w not in _STOP]


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def _years(record: Mapping[str, Any]) -> list[str]:
    years: list[str] = []
    for key in ("issued", "published-print", "published-online", "published"):
        value = record.get(key)
        parts = value.get("date-parts") if isinstance(value, dict) else None
        if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
            year = str(parts[0][0])
            if year not in years:
                years.append(year)
    return years


def _searchable(record: Mapping[str, Any]) -> list[str]:
    texts = _strings(record.get("title")) + _strings(record.get("subtitle"))
    texts += _strings(record.get("container-title"))
    texts += _strings(record.get("short-container-title"))
    for person in record.get("author") or []:
        if isinstance(person, dict):
            texts += _strings(person.get("family")) + _strings(person.get("name"))
    texts += _strings(record.get("volume")) + _years(record)
    return _tokens(" ".join(texts))


class _Index:
    """BM25 over the records' bibliographic fields."""

    def __init__(self, records: Sequence[Mapping[str, Any]]) -> None:
        self.terms = [Tally(_searchable(r)) for r in records]
        self.lengths = [sum(t.values()) for t in self.terms]
        self.average = (sum(self.lengths) / len(self.lengths)) if self.lengths else 1.0
        self.df: Tally[str] = Tally()
        for terms in self.terms:
            self.df.update(terms.keys())

    def scores(self, query: str, among: Sequence[int]) -> list[tuple[int, float]]:
        words = set(_tokens(query))
        total = len(self.terms) + _VIRTUAL_DOCS
        ranked: list[tuple[int, float]] = []
        for i in among:
            terms, score = self.terms[i], 0.0
            norm = _K1 * (1 - _B + _B * self.lengths[i] / max(self.average, 1.0))
            for word in words & terms.keys():
                df = self.df[word]
                idf = math.log(1 + (total - df + 0.5) / (df + 0.5))
                tf = terms[word]
                score += idf * tf * (_K1 + 1) / (tf + norm)
            if score > 0:
                ranked.append((i, round(score, 6)))
        ranked.sort(key=lambda pair: -pair[1])
        return ranked


# --- the server ----------------------------------------------------------------------------


def _interval_seconds(interval: str) -> float:
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*", interval)
    if not match or float(match.group(1)) <= 0:
        raise ValueError(f"interval must look like '1s', not {interval!r}")
    return float(match.group(1)) * {"ms": 0.001, "s": 1.0, "m": 60.0}[match.group(2) or "s"]


@dataclass
class _Answer:
    status: int
    body: bytes
    content_type: str = "application/json;charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


class CrossrefStandin(LoopbackStandin):
    """A loopback Crossref: real paths, envelopes, rate headers; faults on demand."""

    name = "Crossref stand-in"

    def __init__(
        self,
        records: Iterable[Mapping[str, Any]],
        *,
        rate_limit: int = 10,
        list_rate_limit: int = 3,
        interval: str = "1s",
        concurrency: int = 3,
        latency: float = 0.0,
        enforce_limits: bool = False,
        counting: Counting = "bucket",
        jitter: float = 0.0,
        jitter_seed: int = 0,
        fault_rate: float = 0.0,
        fault_seed: int = 0,
        random_faults: Sequence[Fault] = RANDOM_FAULTS,
        hidden_from_filter: Iterable[str] = (),
        agencies: Mapping[str, str] | None = None,
    ) -> None:
        if rate_limit < 1 or list_rate_limit < 1 or concurrency < 1 or latency < 0:
            raise ValueError("limits must be positive and latency not negative")
        if counting not in COUNTINGS:
            raise ValueError(f"counting must be one of {', '.join(COUNTINGS)}")
        if jitter < 0:
            raise ValueError("jitter must not be negative")
        self._interval_seconds = _interval_seconds(interval)
        self.rate_limit = rate_limit
        self.list_rate_limit = list_rate_limit
        self.interval = interval
        self.concurrency = concurrency
        self.latency = latency
        self.enforce_limits = enforce_limits
        self.counting: Counting = counting
        self.jitter = jitter
        self._jitter_random = random.Random(jitter_seed)
        self.faults = FaultPlan(fault_rate, seed=fault_seed, choices=random_faults)

        self._records: list[dict[str, Any]] = []
        self._by_doi: dict[str, int] = {}
        for record in records:
            doi = record.get("DOI")
            if not isinstance(doi, str) or not doi.strip():
                raise ValueError("every record needs a DOI")
            if doi.strip().lower() not in self._by_doi:
                self._by_doi[doi.strip().lower()] = len(self._records)
                self._records.append(dict(record))
        self._index = _Index(self._records)
        self._hidden = {doi.strip().lower() for doi in hidden_from_filter}
        self._agencies = {k.strip().lower(): v for k, v in (agencies or {}).items()}

        self._lock = threading.Lock()
        self._log: list[LoggedRequest] = []
        self._counters: dict[str, Counter] = {
            "single": counter(counting, rate_limit, self._interval_seconds),
            "list": counter(counting, list_rate_limit, self._interval_seconds),
        }
        # Held while a request comes into flight, and (counting strictly) while an answer is
        # written and its request leaves flight: a client that has read an answer cannot be
        # counted as arriving before that request left.
        self._flight_lock = threading.Lock()
        self._in_flight = 0
        self.max_in_flight = 0
        self.throttled = 0
        self._arrivals = 0  # requests come in so far, for arrive_late
        self._late: dict[int, float] = {}
        super().__init__()

    # --- what happened ----------------------------------------------------------------------

    @property
    def requests(self) -> list[LoggedRequest]:
        """The requests so far, oldest first (a copy)."""
        with self._lock:
            return list(self._log)

    def clear_requests(self) -> None:
        """Forget the log and the counters (``throttled``, ``max_in_flight``)."""
        with self._lock:
            self._log.clear()
            self.throttled = 0
            self.max_in_flight = 0

    @property
    def in_flight(self) -> int:
        with self._flight_lock:
            return self._in_flight

    def arrive_late(self, seconds: float, *, after: int = 0) -> None:
        """The request that comes in after ``after`` more reaches the stand-in ``seconds``
        late (on top of the jitter), as if its first packet were lost and sent again."""
        if seconds < 0 or after < 0:
            raise ValueError("a late arrival needs seconds and after not negative")
        with self._lock:
            self._late[self._arrivals + after] = seconds

    # --- answering --------------------------------------------------------------------------

    def _answer(self, handler: BaseHTTPRequestHandler) -> None:
        with self._lock:
            travel = self._late.pop(self._arrivals, 0.0)
            self._arrivals += 1
            if self.jitter:
                travel += self._jitter_random.uniform(0.0, self.jitter)
        if travel:
            self._stopping.wait(travel)
        arrived = time.monotonic()
        split = urlsplit(handler.path)
        query = parse_qs(split.query, keep_blank_values=True)
        kind: RouteKind = (
            "single"
            if split.path.startswith("/works/") and len(split.path) > len("/works/")
            else "list"
            if split.path.rstrip("/") == "/works"
            else "other"
        )
        headers = {name.lower(): value for name, value in handler.headers.items()}
        with self._flight_lock:
            self._in_flight += 1
            in_flight = self._in_flight
        with self._lock:
            self.max_in_flight = max(self.max_in_flight, in_flight)
        strict = self.counting == "window"
        try:
            answer = self._over_limits(kind, arrived, in_flight)
            fault = self.faults.next() if answer is None else None
            if self.latency:
                self._stopping.wait(self.latency)
            if fault is not None and fault.kind == "slow":
                self._stopping.wait(fault.delay)
            if answer is None and fault is not None and fault.kind == "status":
                retry_after = fault.retry_after
                answer = _Answer(
                    fault.status,
                    _reason(fault.status).encode(),
                    "text/plain",
                    {"Retry-After": retry_after} if retry_after is not None else {},
                )
            if answer is None:
                answer = self._route(kind, split.path, query)
            if fault is not None and fault.kind == "broken_json":
                answer = _Answer(200, _BROKEN_JSON)
        except BaseException:
            with self._flight_lock:
                self._in_flight -= 1
            raise
        released: float | None = None
        if not strict:
            # Out of flight once the answer is ready: the client may send its next request
            # the moment it has read this one, before this thread gets to run again.
            with self._flight_lock:
                self._in_flight -= 1
                released = time.monotonic()
        dropped = fault is not None and fault.kind == "disconnect"
        entry = LoggedRequest(
            method=handler.command,
            path=split.path,
            query=query,
            headers=headers,
            time=arrived,
            kind=kind,
            status=0 if dropped else answer.status,
            fault=fault.kind if fault is not None else None,
            in_flight=in_flight,
            released=released,
        )
        with self._lock:
            # Logged before answering, so a client that has its answer finds it in the log.
            self._log.append(entry)
        truncate = fault is not None and fault.kind == "truncated"
        if not strict:
            if dropped:
                handler.close_connection = True
            else:
                self._send(handler, kind, answer, truncate=truncate)
            return
        with self._flight_lock:
            try:
                if dropped:
                    handler.close_connection = True
                else:
                    self._send(handler, kind, answer, truncate=truncate)
            finally:
                self._in_flight -= 1
                released = time.monotonic()
        with self._lock:
            # Unless the log was cleared meanwhile.
            for index in range(len(self._log) - 1, -1, -1):
                if self._log[index] is entry:
                    self._log[index] = replace(entry, released=released)
                    break

    def _over_limits(self, kind: RouteKind, now: float, in_flight: int) -> _Answer | None:
        if not self.enforce_limits:
            return None
        with self._lock:
            over = in_flight > self.concurrency
            if not over and kind != "other":
                over = not self._counters[kind].take(now)
            if over:
                self.throttled += 1
        return _Answer(429, b"Too Many Requests", "text/plain") if over else None

    def _send(
        self, handler: BaseHTTPRequestHandler, kind: RouteKind, answer: _Answer, *, truncate: bool
    ) -> None:
        handler.send_response(answer.status)
        handler.send_header("Content-Type", answer.content_type)
        handler.send_header("Content-Length", str(len(answer.body)))
        limit = self.list_rate_limit if kind == "list" else self.rate_limit
        handler.send_header("x-rate-limit-limit", str(limit))
        handler.send_header("x-rate-limit-interval", self.interval)
        handler.send_header("x-concurrency-limit", str(self.concurrency))
        for name, value in answer.headers.items():
            handler.send_header(name, value)
        if truncate:
            # Half the promised body, then the connection closes.
            handler.send_header("Connection", "close")
            handler.end_headers()
            handler.wfile.write(answer.body[: len(answer.body) // 2])
            handler.close_connection = True
            return
        handler.end_headers()
        handler.wfile.write(answer.body)

    def _route(self, kind: RouteKind, path: str, query: Mapping[str, list[str]]) -> _Answer:
        if kind == "single" and path.endswith("/agency"):
            return self._agency(unquote(path[len("/works/") : -len("/agency")]).strip().lower())
        if kind == "single":
            doi = unquote(path[len("/works/") :]).strip().lower()
            position = self._by_doi.get(doi)
            if position is None:
                return _Answer(404, _NOT_FOUND, "text/plain")
            return _json(
                200,
                {
                    "status": "ok",
                    "message-type": "work",
                    "message-version": "1.0.0",
                    "message": self._records[position],
                },
            )
        if kind == "list":
            return self._list(query)
        return _Answer(404, _NOT_FOUND, "text/plain")

    def _agency(self, doi: str) -> _Answer:
        if doi in self._by_doi:
            agency = "crossref"
        else:
            found = self._agencies.get(doi) or self._agencies.get(doi.partition("/")[0])
            if found is None:
                return _Answer(404, _NOT_FOUND, "text/plain")
            agency = found
        labels = {"crossref": "Crossref", "datacite": "DataCite", "medra": "mEDRA"}
        return _json(
            200,
            {
                "status": "ok",
                "message-type": "work-agency",
                "message-version": "1.0.0",
                "message": {
                    "DOI": doi,
                    "agency": {"id": agency, "label": labels.get(agency, agency)},
                },
            },
        )

    def _list(self, query: Mapping[str, list[str]]) -> _Answer:
        rows_text = query.get("rows", [str(_DEFAULT_ROWS)])[-1]
        offset_text = query.get("offset", ["0"])[-1]
        rows = _non_negative(rows_text, _MAX_ROWS)
        offset = _non_negative(offset_text, 10_000)
        if rows is None or offset is None:
            value = rows_text if rows is None else offset_text
            return _failure(
                "integer-not-valid",
                value,
                f"Integer specified as {value} but must be a positive integer less than or "
                f"equal to {_MAX_ROWS}.",
            )
        among = list(range(len(self._records)))
        wanted: set[str] = set()
        filtered = False
        # isbn and type filters: a name's values are ORed, different names ANDed.
        narrowed: dict[str, set[str]] = {}
        for spec in ",".join(query.get("filter", [])).split(","):
            if not spec.strip():
                continue
            name, _, value = spec.partition(":")
            if name.strip() in ("isbn", "type"):
                narrowed.setdefault(name.strip(), set()).add(_filter_value(name, value))
                continue
            if name.strip() != "doi":
                return _failure(
                    "filter-not-available",
                    name,
                    f"Filter {name} specified but there is no such filter for this route. "
                    "Valid filters for this route are: doi, isbn, type",
                )
            filtered = True
            if value.strip().lower() not in self._hidden:
                wanted.add(value.strip().lower())
        if filtered:
            among = sorted(self._by_doi[doi] for doi in wanted if doi in self._by_doi)
        if narrowed:
            among = [i for i in among if _passes(self._records[i], narrowed)]
        terms = " ".join(query.get("query.bibliographic", []) + query.get("query", [])).strip()
        ranked = self._index.scores(terms, among) if terms else [(i, 0.0) for i in among]
        page = ranked[offset : offset + rows]
        items = [{**self._records[i], "score": score} for i, score in page]
        return _json(
            200,
            {
                "status": "ok",
                "message-type": "work-list",
                "message-version": "1.0.0",
                "message": {
                    "facets": {},
                    "total-results": len(ranked),
                    "items": items,
                    "items-per-page": rows,
                    "query": {"start-index": offset, "search-terms": terms or None},
                },
            },
        )


def _filter_value(name: str, value: str) -> str:
    value = value.strip().lower()
    return (isbn13(value) or value) if name.strip() == "isbn" else value


def _passes(record: Mapping[str, Any], narrowed: Mapping[str, set[str]]) -> bool:
    """Does a record pass the isbn and type filters (ISBNs compared as ISBN-13)?"""
    if "type" in narrowed and str(record.get("type") or "").lower() not in narrowed["type"]:
        return False
    if "isbn" in narrowed:
        listed = record.get("ISBN")
        values = listed if isinstance(listed, list) else []
        isbns = {isbn13(str(value).rsplit("/", 1)[-1]) for value in values}
        return bool(isbns & narrowed["isbn"])
    return True


def _non_negative(text: str, most: int) -> int | None:
    try:
        number = int(text)
    except ValueError:
        return None
    return number if 0 <= number <= most else None


def _json(status: int, data: Mapping[str, Any]) -> _Answer:
    return _Answer(status, json.dumps(data, ensure_ascii=False).encode("utf-8"))


def _failure(kind: str, value: str, message: str) -> _Answer:
    return _json(
        400,
        {
            "status": "failed",
            "message-type": "validation-failure",
            "message": [{"type": kind, "value": value, "message": message}],
        },
    )


def _reason(status: int) -> str:
    return {429: "Too Many Requests", 503: "Service Unavailable"}.get(status, f"Error {status}")


# --- records -------------------------------------------------------------------------------


def load_records(path: str | Path) -> list[dict[str, Any]]:
    """Works records from a JSON Lines file, gzipped when its name ends in ``.gz``."""
    return list(_read_records(Path(path)))


def _read_records(path: Path) -> Iterator[dict[str, Any]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as lines:
        for number, line in enumerate(cast(Iterable[str], lines), start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except ValueError:
                raise ValueError(f"{path}:{number}: not a JSON record") from None
            if not isinstance(record, dict):
                raise ValueError(f"{path}:{number}: not a JSON object")
            yield record
