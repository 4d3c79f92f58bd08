"""An Open Library stand-in on 127.0.0.1: the Books API by ISBN and the search API.

    with OpenLibraryStandin() as library:                 # the fixtures below
        client = OpenLibraryClient(library.url)

The fixtures follow Open Library's documentation of its answers
(https://openlibrary.org/dev/docs/api/books, https://openlibrary.org/dev/docs/api/search):
they are written here, not captured from Open Library (no recorded Open Library answers were
found in any public test suite). The books' titles, authors, publishers, years and ISBNs are
the real books'; the Open Library keys (``/works/OL…W``, ``/books/OL…M``) are made up.

Routes:

``GET /api/books?bibkeys=ISBN:A,ISBN:B&format=json&jscmd=data``
    one object with a key for each bibkey it knows, as it was asked ("ISBN:0374275637"),
    whose value is the edition in the ``jscmd=data`` shape: ``url``, ``key``, ``title``,
    ``subtitle``, ``authors`` (``[{"url", "name"}]``), ``number_of_pages``, ``identifiers``
    (``isbn_10``, ``isbn_13``, ``openlibrary``), ``publishers`` (``[{"name"}]``),
    ``publish_date``. A bibkey it does not know is left out (``{}`` when none is known).
    An edition is found by its ISBN-10 or the same number as ISBN-13, and the other way
    round; hyphens are ignored. Without
    ``format=json`` the answer is JavaScript (``var _OLBookInfo = {...};``), as Open
    Library's default.
``GET /search.json?title=…&author=…&fields=…&limit=N``
    ``{"numFound", "start", "numFoundExact", "docs"}``: one document a work whose title and
    subtitle hold every word of ``title`` and whose authors hold a word of ``author``, in
    fixture order, each with ``key``, ``title``, ``subtitle``, ``author_name``,
    ``first_publish_year``, ``publish_year`` (its editions'), ``publisher``, ``isbn``,
    ``edition_count``, narrowed to ``fields`` when given. A crude match, not Open Library's
    ranking; enough for a citation's own title to find its book.

Limits: Open Library asks for at most one request a second; with ``enforce_limits=True`` a
request sooner than ``interval`` after the last gets a 429, counted in ``throttled``.
Faults as the DataCite stand-in's (``status``, ``slow``, ``broken_json``, ``disconnect``):
``library.faults.push(Fault.unavailable())``. :attr:`requests` lists the paths and queries
asked, :attr:`user_agents` the User-Agent of each.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterable, Mapping
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from refcheck.parse.identifiers import isbn13
from refcheck.testing.crossref_standin import FaultPlan
from refcheck.testing.loopback import LoopbackStandin

__all__ = ["FIXTURES", "OpenLibraryStandin"]

# Works, each with its editions, written from the documented answer shapes (see above).
FIXTURES: tuple[dict[str, Any], ...] = (
    {
        "key": "/works/OL1000001W",
        "title": "Thinking, Fast and Slow",
        "authors": [{"key": "/authors/OL2000001A", "name": "Daniel Kahneman"}],
        "editions": [
            {
                "key": "/books/OL3000001M",
                "publishers": ["Farrar, Straus and Giroux"],
                "publish_date": "October 25, 2011",
                "number_of_pages": 499,
                "isbn_10": ["0374275637"],
                "isbn_13": ["9780374275631"],
            },
            {
                "key": "/books/OL3000002M",
                "publishers": ["Farrar, Straus and Giroux"],
                "publish_date": "April 2, 2013",
                "number_of_pages": 512,
                "isbn_10": ["0374533555"],
                "isbn_13": ["9780374533557"],
            },
        ],
    },
    {
        "key": "/works/OL1000002W",
        "title": "The Structure of Scientific Revolutions",
        "authors": [{"key": "/authors/OL2000002A", "name": "Thomas S. Kuhn"}],
        "first_publish_year": 1962,
        "editions": [
            {
                "key": "/books/OL3000003M",
                "publishers": ["University of Chicago Press"],
                "publish_date": "1996",
                "number_of_pages": 212,
                "isbn_10": ["0226458083"],
                "isbn_13": ["9780226458083"],
            },
            {
                "key": "/books/OL3000004M",
                "publishers": ["University of Chicago Press"],
                "publish_date": "2012",
                "number_of_pages": 264,
                "isbn_13": ["9780226458120"],
            },
        ],
    },
    {
        "key": "/works/OL1000003W",
        "title": "Introduction to Algorithms",
        "authors": [
            {"key": "/authors/OL2000003A", "name": "Thomas H. Cormen"},
            {"key": "/authors/OL2000004A", "name": "Charles E. Leiserson"},
            {"key": "/authors/OL2000005A", "name": "Ronald L. Rivest"},
            {"key": "/authors/OL2000006A", "name": "Clifford Stein"},
        ],
        "first_publish_year": 1990,
        "editions": [
            {
                "key": "/books/OL3000005M",
                "publishers": ["MIT Press"],
                "publish_date": "2009",
                "number_of_pages": 1292,
                "isbn_10": ["0262033844"],
                "isbn_13": ["9780262033848"],
            }
        ],
    },
    {
        # A book Crossref also holds (10.1007/978-1-4842-6700-4, in ../shared/crossref).
        "key": "/works/OL1000004W",
        "title": "Introducing WidgetKit for iOS",
        "subtitle": "Adding a Simple Widget to Your iOS App",
        "authors": [{"key": "/authors/OL2000007A", "name": "Stewart Lynch"}],
        "editions": [
            {
                "key": "/books/OL3000006M",
                "publishers": ["Apress"],
                "publish_date": "2020",
                "isbn_13": ["9781484267004"],
            }
        ],
    },
    {
        # A thin record, as many are: a title and an ISBN, no author, publisher or date.
        "key": "/works/OL1000005W",
        "title": "Gödel, Escher, Bach",
        "subtitle": "An Eternal Golden Braid",
        "authors": [],
        "editions": [{"key": "/books/OL3000007M", "isbn_10": ["0465026850"]}],
    },
)

_BROKEN = b'{"ISBN:9780374275631": {"title": "Thinking, Fa'
_YEAR = re.compile(r"\b(\d{4})\b")


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.casefold()))


def _slug(text: str) -> str:
    return "_".join(re.findall(r"\w+", text))


def _edition(work: Mapping[str, Any], edition: Mapping[str, Any]) -> dict[str, Any]:
    """An edition in the Books API's ``jscmd=data`` shape."""
    olid = str(edition["key"]).rsplit("/", 1)[-1]
    answer: dict[str, Any] = {
        "url": f"https://openlibrary.org{edition['key']}/{_slug(work['title'])}",
        "key": edition["key"],
        "title": work["title"],
    }
    if work.get("subtitle"):
        answer["subtitle"] = work["subtitle"]
    if work.get("authors"):
        answer["authors"] = [
            {"url": f"https://openlibrary.org{a['key']}/{_slug(a['name'])}", "name": a["name"]}
            for a in work["authors"]
        ]
    if edition.get("number_of_pages"):
        answer["number_of_pages"] = edition["number_of_pages"]
    identifiers: dict[str, list[str]] = {"openlibrary": [olid]}
    for kind in ("isbn_10", "isbn_13"):
        if edition.get(kind):
            identifiers[kind] = list(edition[kind])
    answer["identifiers"] = identifiers
    if edition.get("publishers"):
        answer["publishers"] = [{"name": name} for name in edition["publishers"]]
    if edition.get("publish_date"):
        answer["publish_date"] = edition["publish_date"]
    return answer


def _document(work: Mapping[str, Any]) -> dict[str, Any]:
    """A work as a search document."""
    editions = work.get("editions") or []
    years = sorted(
        {int(m.group(1)) for e in editions if (m := _YEAR.search(str(e.get("publish_date", ""))))}
    )
    doc: dict[str, Any] = {
        "key": work["key"],
        "title": work["title"],
        "edition_count": len(editions),
    }
    if work.get("subtitle"):
        doc["subtitle"] = work["subtitle"]
    if work.get("authors"):
        doc["author_name"] = [a["name"] for a in work["authors"]]
        doc["author_key"] = [str(a["key"]).rsplit("/", 1)[-1] for a in work["authors"]]
    first = work.get("first_publish_year") or (years[0] if years else None)
    if first:
        doc["first_publish_year"] = first
    if years:
        doc["publish_year"] = years
    publishers = list(dict.fromkeys(p for e in editions for p in e.get("publishers") or []))
    if publishers:
        doc["publisher"] = publishers
    isbns = [i for e in editions for kind in ("isbn_10", "isbn_13") for i in e.get(kind) or []]
    if isbns:
        doc["isbn"] = isbns
    return doc


class OpenLibraryStandin(LoopbackStandin):
    """A loopback Open Library: the Books API by ISBN and ``/search.json``."""

    name = "Open Library stand-in"

    def __init__(
        self,
        works: Iterable[Mapping[str, Any]] = FIXTURES,
        *,
        interval: float = 1.0,
        enforce_limits: bool = False,
    ) -> None:
        self._works = list(works)
        self._by_isbn: dict[str, dict[str, Any]] = {}
        for work in self._works:
            for edition in work.get("editions") or []:
                for isbn in [*(edition.get("isbn_10") or []), *(edition.get("isbn_13") or [])]:
                    self._by_isbn[isbn13(isbn) or isbn] = _edition(work, edition)
        self._documents = [_document(work) for work in self._works]
        self.interval = interval
        self.enforce_limits = enforce_limits
        self.throttled = 0
        self.faults = FaultPlan()
        self._last = float("-inf")
        self._lock = threading.Lock()
        self._log: list[str] = []
        self._agents: list[str] = []
        super().__init__()

    @property
    def requests(self) -> list[str]:
        """The paths asked, each with its query (``/api/books?bibkeys=...``), oldest first."""
        with self._lock:
            return list(self._log)

    @property
    def user_agents(self) -> list[str]:
        with self._lock:
            return list(self._agents)

    def _answer(self, handler: BaseHTTPRequestHandler) -> None:
        split = urlsplit(handler.path)
        with self._lock:
            self._log.append(handler.path)
            self._agents.append(handler.headers.get("User-Agent") or "")
            now = time.monotonic()
            early = self.enforce_limits and now - self._last < self.interval
            self._last = now
            if early:
                self.throttled += 1
        fault = self.faults.next()
        if self._dropped_or_delayed(handler, fault):
            return
        query = parse_qs(split.query)
        status, body, kind = self._route(split.path, query)
        if early:
            status, body, kind = 429, b"Too Many Requests", "text/plain"
        elif fault is not None and fault.kind == "status":
            status, body, kind = fault.status, f"Error {fault.status}".encode(), "text/plain"
        elif fault is not None and fault.kind == "broken_json":
            status, body, kind = 200, _BROKEN, "application/json"
        handler.send_response(status)
        handler.send_header("Content-Type", f"{kind}; charset=utf-8")
        handler.send_header("Content-Length", str(len(body)))
        if fault is not None and fault.kind == "status" and fault.retry_after:
            handler.send_header("Retry-After", fault.retry_after)
        handler.end_headers()
        handler.wfile.write(body)

    def _route(self, path: str, query: Mapping[str, list[str]]) -> tuple[int, bytes, str]:
        if path == "/api/books":
            return self._books(query)
        if path == "/search.json":
            return self._search(query)
        return 404, b"Not Found", "text/html"

    def _books(self, query: Mapping[str, list[str]]) -> tuple[int, bytes, str]:
        answer: dict[str, Any] = {}
        for bibkey in ",".join(query.get("bibkeys", [])).split(","):
            scheme, _, value = bibkey.strip().partition(":")
            if scheme.upper() != "ISBN":
                continue
            edition = self._by_isbn.get(isbn13(value) or value)
            if edition is not None:
                answer[bibkey.strip()] = edition
        text = json.dumps(answer, ensure_ascii=False)
        if query.get("format", [""])[-1] != "json":
            return 200, f"var _OLBookInfo = {text};".encode(), "application/javascript"
        return 200, text.encode("utf-8"), "application/json"

    def _search(self, query: Mapping[str, list[str]]) -> tuple[int, bytes, str]:
        title = _words(" ".join(query.get("title", []) + query.get("q", [])))
        author = _words(" ".join(query.get("author", [])))
        try:
            limit = max(1, min(1000, int(query.get("limit", ["100"])[-1])))
        except ValueError:
            limit = 100
        fields = [f for f in ",".join(query.get("fields", [])).split(",") if f.strip()]
        docs = []
        for doc in self._documents:
            held = _words(f"{doc['title']} {doc.get('subtitle', '')}")
            names = _words(" ".join(doc.get("author_name", [])))
            if title and title <= held and (not author or author & names):
                docs.append(doc)
        shown = [
            {k: v for k, v in doc.items() if not fields or "*" in fields or k in fields}
            for doc in docs[:limit]
        ]
        answer = {"numFound": len(docs), "start": 0, "numFoundExact": True, "docs": shown}
        return 200, json.dumps(answer, ensure_ascii=False).encode("utf-8"), "application/json"
