"""Open Library's search answer read document by document: one that cannot be read is
skipped (and logged), the others are still candidates; over loopback HTTP."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping

import pytest

from refcheck.errors import RegistryError
from refcheck.resolve.openlibrary import OpenLibraryClient
from refcheck.testing.openlibrary_standin import OpenLibraryStandin


class OddDocuments(OpenLibraryStandin):
    """Open Library, with documents no reader can take put before the real ones: a null,
    a string, one with a number for a title and one with no title."""

    odd: tuple[object, ...] = (None, "OL1W", {"key": "/works/OL9W", "title": 42}, {"key": "x"})

    def _search(self, query: Mapping[str, list[str]]) -> tuple[int, bytes, str]:
        status, body, kind = super()._search(query)
        answer = json.loads(body)
        answer["docs"] = [*self.odd, *answer["docs"]]
        answer["numFound"] = len(answer["docs"])
        return status, json.dumps(answer).encode(), kind


class NoList(OpenLibraryStandin):
    def _search(self, query: Mapping[str, list[str]]) -> tuple[int, bytes, str]:
        return 200, b'{"numFound": 1, "docs": {"title": "Thinking"}}', "application/json"


async def test_an_unreadable_search_result_is_skipped_not_the_whole_search(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with OddDocuments() as library:
        async with OpenLibraryClient(library.url, timeout=2.0, retries=0) as client:
            with caplog.at_level(logging.INFO, logger="refcheck.resolve.openlibrary"):
                works = await client.search("Thinking, fast and slow", "Kahneman", year=2011)
    assert [(w.title, w.year) for w in works] == [("Thinking, Fast and Slow", 2011)]
    skipped = [r for r in caplog.records if "skipped" in r.getMessage()]
    assert len(skipped) == len(OddDocuments.odd)


async def test_a_search_answer_without_a_list_of_documents_is_still_a_registry_error() -> None:
    with NoList() as library:
        async with OpenLibraryClient(library.url, timeout=2.0, retries=0) as client:
            with pytest.raises(RegistryError, match="without a list of documents"):
                await client.search("Thinking, fast and slow")
