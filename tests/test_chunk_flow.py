"""How a run moves from chunk to chunk, and which registry clients it builds.

The next chunk's lookups start while the previous chunk's last batch is in flight, so the
pacer is never idle between chunks; verdicts still come in input order, and at most two
chunks are held.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Iterator, Sequence

import pytest

from refcheck import api
from refcheck.config import Settings
from refcheck.models import Reference, Verdict
from refcheck.resolve.resolver import Lookup, Resolver


class LoggingResolver(Resolver):
    """An offline resolver that notes when each batch of DOIs is asked and answered."""

    events: list[tuple[str, str]]

    async def lookup_dois(self, dois: Sequence[str]) -> dict[str, Lookup]:
        self.events.append(("asked", dois[0]))
        # The answer takes a while, as a registry's does; later batches' longer.
        await asyncio.sleep(0.01 * len(self.events))
        found = await super().lookup_dois(dois)
        self.events.append(("answered", dois[0]))
        return found


def _resolver() -> LoggingResolver:
    resolver = LoggingResolver(settings=Settings(offline=True, no_cache=True))
    resolver.events = []
    return resolver


def _references(count: int) -> list[Reference]:
    return [Reference(title=f"Work {n}", doi=f"10.1234/work.{n}") for n in range(count)]


async def _all(references: Sequence[Reference], resolver: Resolver) -> list[Verdict]:
    return [v async for v in api.iter_check_async(references, resolver=resolver)]


def test_the_next_chunk_is_asked_before_the_last_answer_of_the_previous(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(api, "CHUNK", 3 * api.DOI_BATCH)
    resolver = _resolver()
    references = _references(6 * api.DOI_BATCH)
    verdicts = asyncio.run(_all(references, resolver))

    assert [v.reference.doi for v in verdicts] == [r.doi for r in references]
    first_batches = [f"10.1234/work.{i * api.DOI_BATCH}" for i in range(3)]
    answers = [resolver.events.index(("answered", doi)) for doi in first_batches]
    asked = resolver.events.index(("asked", f"10.1234/work.{3 * api.DOI_BATCH}"))
    # While the first chunk's last batch is in flight, not before the others were answered.
    assert sorted(answers)[-2] < asked < max(answers)


def test_verdicts_and_their_sources_are_those_of_a_run_in_one_chunk(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The same DOI in neighbouring chunks: each verdict keeps the sources of its own lookup.
    references = _references(120) + _references(120)
    whole = asyncio.run(_all(references, _resolver()))
    monkeypatch.setattr(api, "CHUNK", 70)
    chunked = asyncio.run(_all(references, _resolver()))
    assert chunked == whole
    assert all(v.sources for v in chunked)


def test_at_most_two_chunks_are_read_before_the_first_verdict(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(api, "CHUNK", 20)
    read = 0

    def stream() -> Iterator[Reference]:
        nonlocal read
        for reference in _references(200):
            read += 1
            yield reference

    async def first() -> Verdict:
        verdicts = api.iter_check_async(stream(), resolver=_resolver())
        assert isinstance(verdicts, AsyncGenerator)
        try:
            return await anext(verdicts)
        finally:
            await verdicts.aclose()

    asyncio.run(first())
    assert read <= 2 * 20 + 1  # islice reads one past a full chunk only at the end


def test_datacite_and_arxiv_clients_are_built_on_first_use() -> None:
    online = Resolver.from_settings(Settings(no_cache=True))
    assert online.client is not None
    assert online.datacite is None
    assert online.arxiv is None
    assert online.asks_datacite
    offline = Resolver.from_settings(Settings(offline=True, no_cache=True))
    assert not offline.asks_datacite

    async def close() -> None:
        await online.aclose()
        await offline.aclose()

    asyncio.run(close())
    assert online.datacite is None
    assert online.arxiv is None
