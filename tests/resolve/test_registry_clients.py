"""The DataCite and arXiv clients pace and retry as the Crossref client does (resolve/http.py):
their own etiquette, a 429 a pause and not an error, 5xx retried after a backoff."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from refcheck.errors import RegistryError
from refcheck.resolve.arxiv import ArxivClient
from refcheck.resolve.datacite import DataciteClient
from refcheck.resolve.pacing import ARXIV, DATACITE, Etiquette, Pacer, Window
from refcheck.testing import DataciteStandin, Fault, load_records
from refcheck.testing.arxiv_standin import ArxivStandin
from refcheck.testing.clock import FakeClock

ZENODO = "10.5281/zenodo.11800"


@pytest.fixture(scope="module")
def records(shared: Path) -> list[dict[str, Any]]:
    return load_records(shared / "datacite" / "records.jsonl.gz")


@pytest.fixture(scope="module")
def entries(shared: Path) -> list[dict[str, Any]]:
    return load_records(shared / "arxiv" / "entries.jsonl.gz")


def test_each_client_paces_to_its_own_services_etiquette() -> None:
    async def pacers() -> tuple[Pacer, Pacer]:
        async with DataciteClient() as datacite, ArxivClient() as arxiv:
            return datacite.pacer, arxiv.pacer

    datacite, arxiv = asyncio.run(pacers())
    assert datacite.etiquette == DATACITE
    assert arxiv.etiquette == ARXIV
    assert arxiv.concurrency == 1


def test_a_lone_429_from_datacite_is_a_pause_not_an_error(records: list[dict[str, Any]]) -> None:
    clock = FakeClock()
    pacer = Pacer(DATACITE, clock=clock, sleep=clock.sleep)

    async def one(url: str) -> Any:
        async with DataciteClient(url, timeout=2.0, retries=1, pacer=pacer) as client:
            return await client.work(ZENODO), client.requests

    with DataciteStandin(records) as datacite:
        datacite.faults.push(Fault.too_many_requests())
        work, sent = asyncio.run(one(datacite.url))
    assert work is not None
    assert work.doi == ZENODO
    assert sent == 2
    assert pacer.errors.failures == 0
    # No Retry-After: the kind paused for DataCite's 5-minute window, cut to max_retry_after.
    assert 120.0 <= clock.now < 121.0


def test_a_datacite_retry_after_beyond_the_limit_ends_the_call(
    records: list[dict[str, Any]],
) -> None:
    async def one(url: str) -> Any:
        async with DataciteClient(url, timeout=2.0, retries=3, max_retry_after=5.0) as client:
            return await client.work(ZENODO)

    with DataciteStandin(records) as datacite:
        datacite.faults.push(Fault.unavailable(retry_after="60"))
        with pytest.raises(RegistryError, match=r"^DataCite asked to wait 60 s before retrying$"):
            asyncio.run(one(datacite.url))
        assert len(datacite.requests) == 1


def test_arxiv_retries_a_503_after_a_backoff(entries: list[dict[str, Any]]) -> None:
    # The stand-in answers 503 to a request sooner than 1 s after the last, as arXiv does;
    # the client is let go faster than that, so its second request is refused once and
    # retried 1.5 s later (backoff 3 s, no jitter: half of it).
    quick = Pacer(Etiquette({"single": Window(1, 0.01)}, concurrency=1))
    known = [str(e["id"]).lower() for e in entries[:2]]

    async def two(url: str) -> Any:
        async with ArxivClient(
            url, timeout=2.0, pacer=quick, backoff=3.0, jitter=lambda: 0.0
        ) as client:
            first = await client.published(known[:1])
            second = await client.published(known[1:])
            return first, second, client.requests

    with ArxivStandin(entries, interval=1.0, enforce_limits=True) as arxiv:
        first, second, sent = asyncio.run(two(arxiv.url))
        throttled = arxiv.throttled
    assert set(first) == {known[0]}
    assert set(second) == {known[1]}
    assert sent == 3
    assert throttled == 1
    assert quick.errors.failures == 1


def test_arxiv_failures_are_one_line_registry_errors(entries: list[dict[str, Any]]) -> None:
    async def one(url: str) -> Any:
        async with ArxivClient(url, timeout=2.0, retries=0) as client:
            return await client.published(["not an id"])

    with (
        ArxivStandin(entries) as arxiv,
        pytest.raises(RegistryError, match=r"^arXiv answered 400$"),
    ):
        asyncio.run(one(arxiv.url))
