"""The async Open Library client: books by ISBN, and a search by title and author.

    async with OpenLibraryClient(mailto="me@example.org") as library:
        found = await library.books(["9780374275631"])    # {isbn13: Work | None}
        candidates = await library.search("Thinking, fast and slow", "Kahneman", year=2011)

By ISBN: ``GET {base}/api/books?bibkeys=ISBN:A,ISBN:B&format=json&jscmd=data`` answers one
object keyed by each bibkey it knows (``"ISBN:9780374275631": {edition}``); a key left out
is a book Open Library does not hold. Chosen over ``/isbn/{isbn}.json`` because it takes many
ISBNs in one request and gives each edition's author and publisher names inline, where
``/isbn/`` answers one raw edition whose ``works`` and ``authors`` are more requests each:
at Open Library's one request a second, that is the difference between a second for a
reference list's books and several seconds a book.

Search: ``GET {base}/search.json?title=…&author=…&fields=…&limit=N`` answers
``{"numFound", "docs": [...]}``, one document a work (its editions grouped), best first.

Etiquette, as Open Library asks: a User-Agent naming the application and a contact (the
mailto when given, else the project's URL), and at most one request a second: the
:data:`~.pacing.OPEN_LIBRARY` pacer, one request in flight. Every request goes through
:class:`~.http.RegistryHttp` (429 pauses, 5xx and timeouts back off, ``Retry-After`` honoured).
Failures raise :class:`~refcheck.errors.RegistryError` with a one-line message; the reference
is then unverified, never "not found".
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping, Sequence
from typing import Any, Unpack

from refcheck.errors import ConfigError, RegistryError
from refcheck.models import Work
from refcheck.resolve.crossref import user_agent
from refcheck.resolve.http import HttpOptions, RegistryClient, RegistryHttp, Service
from refcheck.resolve.openlibrary_records import work_from_edition, work_from_search
from refcheck.resolve.pacing import OPEN_LIBRARY, Pacer

__all__ = ["DEFAULT_OPENLIBRARY_URL", "ISBN_BATCH", "OpenLibraryClient"]

DEFAULT_OPENLIBRARY_URL = "https://openlibrary.org"
# ISBNs a Books API request asks for; Open Library states no limit, and this keeps URLs short.
ISBN_BATCH = 50
# The search document's fields refcheck reads (the default set leaves out ISBNs and years).
SEARCH_FIELDS = "key,title,subtitle,author_name,first_publish_year,publish_year,publisher,isbn"

_OPEN_LIBRARY = Service("Open Library", RegistryError)
_WORD = re.compile(r"\w+")
_log = logging.getLogger(__name__)


class OpenLibraryClient(RegistryClient):
    """Looks books up in Open Library by ISBN, and searches them by title and author."""

    def __init__(
        self,
        base_url: str = DEFAULT_OPENLIBRARY_URL,
        mailto: str | None = None,
        *,
        pacer: Pacer | None = None,
        **options: Unpack[HttpOptions],
    ) -> None:
        """``options``: timeouts, retries and backoff, as :class:`~.http.HttpOptions` says."""
        if not (base_url or "").startswith(("http://", "https://")):
            raise ConfigError("openlibrary-url: expected an http(s) URL")
        headers = {"User-Agent": user_agent(mailto), "Accept": "application/json"}
        pacer = pacer if pacer is not None else Pacer(OPEN_LIBRARY)
        super().__init__(RegistryHttp(_OPEN_LIBRARY, base_url, pacer, headers, **options))

    async def books(self, isbns: Sequence[str]) -> dict[str, Work | None]:
        """Each ISBN-13's edition, or None when Open Library does not hold it; in batches of
        :data:`ISBN_BATCH`, one after the other (one request in flight is the etiquette).
        Raises RegistryError: then none of them could be looked up."""
        wanted = list(dict.fromkeys(isbns))
        found: dict[str, Work | None] = {}
        for start in range(0, len(wanted), ISBN_BATCH):
            batch = wanted[start : start + ISBN_BATCH]
            params = {
                "bibkeys": ",".join(f"ISBN:{isbn}" for isbn in batch),
                "format": "json",
                "jscmd": "data",
            }
            editions = await self._http.get("single", "/api/books", params, _decipher_books)
            for isbn in batch:
                found[isbn] = editions.get(f"ISBN:{isbn}")
        return found

    async def search(
        self, title: str, author: str | None = None, *, year: int | None = None, rows: int = 5
    ) -> list[Work]:
        """Works Open Library's search ranks for a title (and an author's name), best first.
        ``year``, the cited one, is kept as the work's year when an edition came out then."""
        title = " ".join(_WORD.findall(title))
        if not title:
            return []
        params = {"title": title, "fields": SEARCH_FIELDS, "limit": str(max(1, min(rows, 100)))}
        if author and (name := " ".join(_WORD.findall(author))):
            params["author"] = name
        docs = await self._http.get("single", "/search.json", params, _decipher_search)
        works: list[Work] = []
        for rank, doc in enumerate(docs):
            try:
                works.append(work_from_search(doc, cited_year=year))
            except ValueError as error:  # pydantic's ValidationError is one
                # One odd document must not cost the reference its other candidates.
                _log.info("Open Library search result %d skipped: %s", rank, error)
        return works


def _document(status: int, body: bytes) -> Any:
    if status != 200:
        raise RegistryError(f"Open Library answered {status}")
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise RegistryError("Open Library answered with a body that is not JSON") from None


def _unreadable() -> RegistryError:
    return RegistryError("Open Library answered with a record that cannot be read")


def _decipher_books(status: int, headers: Mapping[str, str], body: bytes) -> dict[str, Work]:
    """The editions of a Books API answer, by bibkey. An edition without a title is left
    out (as if Open Library did not hold it): there is nothing to compare with."""
    document = _document(status, body)
    if not isinstance(document, dict):
        raise RegistryError("Open Library answered the Books API without an object")
    editions: dict[str, Work] = {}
    for key, edition in document.items():
        if not isinstance(edition, dict):
            raise RegistryError("Open Library answered the Books API with an entry no edition")
        if isinstance(edition.get("title"), str) and edition["title"].strip():
            try:
                editions[str(key)] = work_from_edition(edition)
            except ValueError:  # pydantic's ValidationError is one
                raise _unreadable() from None
    return editions


def _decipher_search(status: int, headers: Mapping[str, str], body: bytes) -> list[dict[str, Any]]:
    """The search's documents that can be read, in rank order. A document that is no
    object, or has no title, is skipped (logged): the others are still candidates."""
    document = _document(status, body)
    docs = document.get("docs") if isinstance(document, dict) else None
    if not isinstance(docs, list):
        raise RegistryError("Open Library answered a search without a list of documents")
    readable: list[dict[str, Any]] = []
    for rank, doc in enumerate(docs):
        if isinstance(doc, dict) and isinstance(doc.get("title"), str) and doc["title"].strip():
            readable.append(doc)
        else:
            _log.info("Open Library search result %d skipped: no object with a title", rank)
    return readable
