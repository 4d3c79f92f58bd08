"""The Crossref client over real HTTP on 127.0.0.1 (the stand-in), and its pacer on virtual time."""

from __future__ import annotations

import asyncio
import logging
import selectors
import socket
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from refcheck.errors import ConfigError, CrossrefBadResponse, CrossrefUnavailable
from refcheck.resolve.crossref import CrossrefClient, user_agent
from refcheck.resolve.pacing import MARGIN, POLITE, PUBLIC, Limits, Pacer, RequestKind
from refcheck.resolve.protocol import RateLimit
from refcheck.testing import CrossrefStandin, Fault, load_records
from refcheck.testing.clock import FakeClock

T = TypeVar("T")

MAILTO = "checker@example.org"
TOKEN = "s3cret-plus-token"
SICI = "10.1002/(SICI)1097-4636(199706)35:4<523::AID-JBM12>3.0.CO;2-D"
INLINE = [
    {
        "DOI": "10.5555/Alpha.1",
        "type": "journal-article",
        "title": ["Alpha cohort of lumbar discs"],
    },
    {"DOI": "10.5555/beta.2", "type": "journal-article", "title": ["Beta trial of sciatica"]},
    {"DOI": SICI, "type": "journal-article", "title": ["A SICI-shaped DOI"]},
    {"DOI": "10.5555/with,comma", "type": "dataset", "title": ["A DOI holding a comma"]},
]
FAST = Limits(single_rate=1000.0, list_rate=1000.0, concurrency=3)
# Crossref's requests of one kind go at least this share of the even spacing apart.
SPREAD = POLITE.etiquette().spread


@pytest.fixture
def standin() -> Iterator[CrossrefStandin]:
    with CrossrefStandin(INLINE) as server:
        yield server


@pytest.fixture(scope="module")
def seed_records(shared: Path) -> list[dict[str, Any]]:
    return load_records(shared / "seed" / "seed-works.jsonl")


@pytest.fixture(scope="module")
def dev_records(shared: Path) -> list[dict[str, Any]]:
    return load_records(shared / "crossref" / "works-dev.jsonl.gz")


@pytest.fixture(scope="module")
def dev_sample(dev_records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The first 150 records of works-dev, enough for three batches."""
    return dev_records[:150]


def client_for(
    server: CrossrefStandin,
    *,
    mailto: str | None = MAILTO,
    pacer: Pacer | None = None,
    retries: int = 2,
    timeout: float = 2.0,
    **options: Any,
) -> CrossrefClient:
    return CrossrefClient(
        server.url,
        mailto,
        timeout=timeout,
        retries=retries,
        pacer=pacer if pacer is not None else Pacer(FAST),
        **{"backoff": 0.01, "jitter": lambda: 0.0, **options},
    )


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- single lookups ------------------------------------------------------------------------


async def test_work_by_doi(standin: CrossrefStandin) -> None:
    async with client_for(standin) as crossref:
        work = await crossref.work("https://doi.org/10.5555/ALPHA.1")
    assert work is not None
    assert work.doi == "10.5555/Alpha.1"
    assert work.title == "Alpha cohort of lumbar discs"
    assert [r.path for r in standin.requests] == ["/works/10.5555%2Falpha.1"]


async def test_unknown_doi_is_none(standin: CrossrefStandin) -> None:
    async with client_for(standin) as crossref:
        assert await crossref.work("10.5555/nobody.knows") is None
    assert [r.status for r in standin.requests] == [404]
    assert crossref.stats.failures == 0


async def test_text_that_is_no_doi_is_none_without_a_request(standin: CrossrefStandin) -> None:
    async with client_for(standin) as crossref:
        assert await crossref.work("see the references below") is None
    assert standin.requests == []


async def test_odd_doi_reaches_crossref_intact(standin: CrossrefStandin) -> None:
    async with client_for(standin) as crossref:
        work = await crossref.work(SICI)
    assert work is not None
    assert work.title == "A SICI-shaped DOI"
    (request,) = standin.requests
    assert request.doi == SICI.lower()
    assert not set("<>;()") & set(request.path)
    assert request.path.count("/") == 2  # /works/ and nothing more: the DOI's slash is encoded


async def test_sici_dois_of_real_records_round_trip(dev_records: list[dict[str, Any]]) -> None:
    odd = [r for r in dev_records if "<" in r["DOI"]][:20]
    assert len(odd) == 20
    titles = {r["DOI"].lower(): (r.get("title") or [None])[0] for r in odd}
    with CrossrefStandin(odd) as server:
        async with client_for(server) as crossref:
            batch = await crossref.works([r["DOI"] for r in odd])
            one = await crossref.work(odd[0]["DOI"].upper())
    assert {doi: w.title if w else None for doi, w in batch.items()} == titles
    assert one is not None
    assert [r.kind for r in server.requests] == ["list", "single"]


async def test_a_sici_doi_survives_into_the_work(standin: CrossrefStandin) -> None:
    async with client_for(standin) as crossref:
        work = await crossref.work(SICI)
    assert work is not None
    assert work.doi == SICI


async def test_seed_work_matches_its_record(seed_records: list[dict[str, Any]]) -> None:
    with CrossrefStandin(seed_records) as server:
        async with client_for(server) as crossref:
            work = await crossref.work("10.1097/BRS.0000000000004198")
    assert work is not None
    assert work.container_title[0] == seed_records[2]["container-title"][0]
    assert work.published_print == (2022, 2, 1)


# --- mailto, User-Agent, token -------------------------------------------------------------


async def test_mailto_goes_in_every_query_and_the_user_agent(standin: CrossrefStandin) -> None:
    async with client_for(standin) as crossref:
        await crossref.work("10.5555/alpha.1")
        await crossref.works(["10.5555/alpha.1", "10.5555/beta.2"])
        await crossref.search("sciatica")
    requests = standin.requests
    assert len(requests) == 3
    for request in requests:
        assert request.param("mailto") == MAILTO
        agent = request.headers["user-agent"]
        assert agent.startswith("refcheck/")
        assert agent.endswith(f"(https://github.com/refcheck/refcheck; mailto:{MAILTO})")
        assert "crossref-plus-api-token" not in request.headers


async def test_without_mailto_the_public_pool_is_used(standin: CrossrefStandin) -> None:
    async with CrossrefClient(standin.url) as crossref:
        assert crossref.pacer.rate("single") == PUBLIC.single_rate
        assert crossref.pacer.rate("list") == PUBLIC.list_rate
        assert crossref.pacer.concurrency == PUBLIC.concurrency
        await crossref.work("10.5555/alpha.1")
    (request,) = standin.requests
    assert request.param("mailto") is None
    assert request.headers["user-agent"] == user_agent(None)
    assert "mailto" not in request.headers["user-agent"]


async def test_with_mailto_the_polite_pool_is_used(standin: CrossrefStandin) -> None:
    async with CrossrefClient(standin.url, MAILTO) as crossref:
        assert crossref.pacer.rate("single") == POLITE.single_rate == 10
        assert crossref.pacer.rate("list") == POLITE.list_rate == 3
        assert crossref.pacer.concurrency == POLITE.concurrency == 3


async def test_plus_token_goes_in_its_header(standin: CrossrefStandin) -> None:
    async with client_for(standin, crossref_plus_token=TOKEN) as crossref:
        await crossref.work("10.5555/alpha.1")
    (request,) = standin.requests
    assert request.headers["crossref-plus-api-token"] == f"Bearer {TOKEN}"


@pytest.mark.parametrize(
    ("options", "key"),
    [
        ({"mailto": "not an address"}, "mailto"),
        ({"mailto": "me@exa mple.org"}, "mailto"),
        ({"mailto": "mé@example.org"}, "mailto"),
        ({"crossref_plus_token": "abc\r\nX-Evil: 1"}, "crossref_plus_token"),
        ({"base_url": "api.crossref.org"}, "base_url"),
        ({"timeout": 0}, "timeout"),
        ({"retries": -1}, "retries"),
        ({"batch_size": 0}, "batch_size"),
        ({"batch_size": 1001}, "batch_size"),
    ],
)
def test_bad_settings_are_config_errors(options: dict[str, Any], key: str) -> None:
    with pytest.raises(ConfigError) as error:
        CrossrefClient(**options)
    message = str(error.value)
    assert message.startswith(f"{key}:")
    for value in options.values():
        if isinstance(value, str):
            assert value not in message


# --- many DOIs -----------------------------------------------------------------------------


async def test_120_dois_go_in_three_batches(dev_sample: list[dict[str, Any]]) -> None:
    dois = [record["DOI"] for record in dev_sample[:120]]
    with CrossrefStandin(dev_sample) as server:
        async with client_for(server) as crossref:
            found = await crossref.works(dois)
    requests = server.requests
    assert all(r.kind == "list" for r in requests)
    sizes = [len((r.param("filter") or "").split(",")) for r in requests]
    assert sorted(sizes, reverse=True) == [50, 50, 20]
    assert sorted(int(r.param("rows") or 0) for r in requests) == [20, 50, 50]
    assert list(found) == [doi.lower() for doi in dois]
    assert all(work is not None and work.doi.lower() == doi for doi, work in found.items())
    assert crossref.stats.list_requests == 3
    assert crossref.stats.single_requests == 0


async def test_batch_size_is_configurable(standin: CrossrefStandin) -> None:
    async with client_for(standin, batch_size=2) as crossref:
        found = await crossref.works(["10.5555/alpha.1", "10.5555/beta.2", SICI, "10.5555/x"])
    assert set(found) == {"10.5555/alpha.1", "10.5555/beta.2", SICI.lower(), "10.5555/x"}
    lists = [r for r in standin.requests if r.kind == "list"]
    assert len(lists) == 2


async def test_dois_a_batch_misses_are_confirmed_one_by_one(standin: CrossrefStandin) -> None:
    async with client_for(standin) as crossref:
        found = await crossref.works(["10.5555/alpha.1", "10.5555/ghost", "10.5555/beta.2"])
    assert found["10.5555/ghost"] is None
    assert found["10.5555/alpha.1"] is not None
    assert found["10.5555/beta.2"] is not None
    kinds = [(r.kind, r.status) for r in standin.requests]
    assert kinds == [("list", 200), ("single", 404)]
    assert standin.requests[1].doi == "10.5555/ghost"


async def test_a_doi_the_filter_cannot_find_is_still_found() -> None:
    with CrossrefStandin(INLINE, hidden_from_filter=[SICI]) as server:
        async with client_for(server) as crossref:
            found = await crossref.works(["10.5555/alpha.1", SICI])
    work = found[SICI.lower()]
    assert work is not None
    assert work.title == "A SICI-shaped DOI"
    assert [r.kind for r in server.requests] == ["list", "single"]


async def test_one_doi_or_a_comma_doi_goes_straight_to_works_doi(
    standin: CrossrefStandin,
) -> None:
    async with client_for(standin) as crossref:
        single = await crossref.works(["10.5555/beta.2"])
        comma = await crossref.works(["10.5555/with,comma"])
    assert single["10.5555/beta.2"] is not None
    assert comma["10.5555/with,comma"] is not None
    assert [r.kind for r in standin.requests] == ["single", "single"]


async def test_works_keys_are_normalised_and_deduplicated(standin: CrossrefStandin) -> None:
    async with client_for(standin) as crossref:
        found = await crossref.works(
            [
                "doi:10.5555/ALPHA.1",
                "https://doi.org/10.5555/alpha.1",
                "  not a DOI ",
                "10.5555/beta.2",
            ]
        )
    assert list(found) == ["10.5555/alpha.1", "10.5555/beta.2", "not a doi"]
    assert found["not a doi"] is None
    (request,) = standin.requests
    assert request.param("filter") == "doi:10.5555/alpha.1,doi:10.5555/beta.2"


async def test_works_of_nothing_sends_nothing(standin: CrossrefStandin) -> None:
    async with client_for(standin) as crossref:
        assert await crossref.works([]) == {}
    assert standin.requests == []


async def test_works_raises_when_a_batch_cannot_be_answered(standin: CrossrefStandin) -> None:
    standin.faults.push(Fault.unavailable(), count=10)
    async with client_for(standin, retries=1) as crossref:
        with pytest.raises(CrossrefUnavailable, match="after 2 attempts"):
            await crossref.works(["10.5555/alpha.1", "10.5555/beta.2"])


# --- search --------------------------------------------------------------------------------


async def test_search_ranks_the_cited_work_first(seed_records: list[dict[str, Any]]) -> None:
    reference = (
        "el Barzouhi A, Vleggeert-Lankamp CL, Lycklama à Nijeholt GJ, et al. Magnetic "
        "resonance imaging in follow-up assessment of sciatica. N Engl J Med. 2013;368:999-1007."
    )
    with CrossrefStandin(seed_records) as server:
        async with client_for(server) as crossref:
            works = await crossref.search(reference, rows=3)
    assert works[0].doi == "10.1056/NEJMoa1209250"
    assert works[0].score is not None
    assert works[0].score > 50
    scores = [w.score or 0.0 for w in works]
    assert scores == sorted(scores, reverse=True)
    (request,) = server.requests
    assert request.param("query.bibliographic") == " ".join(reference.split())
    assert request.param("rows") == "3"


async def test_search_finds_a_record_by_its_title(dev_sample: list[dict[str, Any]]) -> None:
    target = next(r for r in dev_sample[40:] if r.get("title") and r.get("author"))
    query = f"{target['author'][0].get('family', '')} {target['title'][0]}"
    with CrossrefStandin(dev_sample) as server:
        async with client_for(server) as crossref:
            works = await crossref.search(query, rows=5)
    assert works[0].doi.lower() == target["DOI"].lower()


async def test_search_without_a_match_is_empty(standin: CrossrefStandin) -> None:
    async with client_for(standin) as crossref:
        assert await crossref.search("xylophone zeppelin quokka") == []
        assert await crossref.search("   ") == []
    assert len(standin.requests) == 1  # the blank query was not sent


# --- retries and failures ------------------------------------------------------------------


async def test_503_is_retried_until_it_succeeds(standin: CrossrefStandin) -> None:
    standin.faults.push(Fault.unavailable(), count=2)
    async with client_for(standin, retries=3) as crossref:
        work = await crossref.work("10.5555/alpha.1")
    assert work is not None
    assert [r.status for r in standin.requests] == [503, 503, 200]
    assert crossref.stats.retries == 2
    assert crossref.stats.single_requests == 3
    assert crossref.stats.failures == 0


async def test_503_beyond_the_retries_is_unavailable(standin: CrossrefStandin) -> None:
    standin.faults.push(Fault.unavailable(), count=5)
    async with client_for(standin, retries=2) as crossref:
        with pytest.raises(CrossrefUnavailable) as error:
            await crossref.work("10.5555/alpha.1")
    assert str(error.value) == "Crossref answered 503 after 3 attempts"
    assert len(standin.requests) == 3
    assert crossref.stats.failures == 1


async def test_429_retry_after_is_honoured(standin: CrossrefStandin) -> None:
    clock = FakeClock()
    standin.faults.push(Fault.too_many_requests(retry_after="2"))
    pacer = Pacer(POLITE, clock=clock, sleep=clock.sleep)
    async with client_for(standin, pacer=pacer) as crossref:
        work = await crossref.work("10.5555/alpha.1")
    assert work is not None
    assert clock.now >= 2.0
    assert pacer.paused_until("single") == pytest.approx(2.0)
    assert pacer.paused_until("list") == float("-inf")
    assert [r.status for r in standin.requests] == [429, 200]
    assert crossref.stats.throttled == 1
    assert crossref.stats.retries == 1


async def test_429_retry_after_as_a_date_is_honoured(standin: CrossrefStandin) -> None:
    when = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 30))
    clock = FakeClock()
    standin.faults.push(Fault.too_many_requests(retry_after=when))
    pacer = Pacer(POLITE, clock=clock, sleep=clock.sleep)
    async with client_for(standin, pacer=pacer) as crossref:
        assert await crossref.work("10.5555/alpha.1") is not None
    assert 25.0 <= clock.now <= 31.0


async def test_429_without_retry_after_pauses_a_window_then_backs_off(
    standin: CrossrefStandin,
) -> None:
    clock = FakeClock()
    standin.faults.push(Fault.too_many_requests(), count=3)
    pacer = Pacer(POLITE, clock=clock, sleep=clock.sleep)
    async with client_for(standin, pacer=pacer, backoff=2.0, retries=3) as crossref:
        assert await crossref.work("10.5555/alpha.1") is not None
    # The window (1 s, as announced) while the backoff is shorter: equal jitter at its low
    # end (jitter() == 0) gives half of 2 s, then half of 4 s, then half of 8 s.
    assert clock.slept == pytest.approx([1.0, 2.0, 4.0])
    assert crossref.stats.throttled == 3
    # The first was the server's counting; the two after a pause are failures.
    assert crossref.stats.throttle_pauses == 1
    assert crossref.stats.errors == 2


async def test_backoff_jitter_spreads_the_wait(standin: CrossrefStandin) -> None:
    clock = FakeClock()
    standin.faults.push(Fault.unavailable())
    pacer = Pacer(POLITE, clock=clock, sleep=clock.sleep)
    async with client_for(standin, pacer=pacer, backoff=1.0, jitter=lambda: 0.5) as crossref:
        assert await crossref.work("10.5555/alpha.1") is not None
    assert clock.slept == pytest.approx([0.75])


async def test_429_beyond_the_retries_is_unavailable(standin: CrossrefStandin) -> None:
    clock = FakeClock()
    standin.faults.push(Fault.too_many_requests(), count=3)
    pacer = Pacer(POLITE, clock=clock, sleep=clock.sleep)
    async with client_for(standin, pacer=pacer, retries=2) as crossref:
        with pytest.raises(CrossrefUnavailable) as error:
            await crossref.search("sciatica")
    assert str(error.value) == "Crossref kept refusing (429) after 3 attempts"
    assert crossref.stats.throttled == 3


async def test_a_retry_after_too_long_ends_the_call_at_once(standin: CrossrefStandin) -> None:
    clock = FakeClock()
    standin.faults.push(Fault.too_many_requests(retry_after="3600"))
    pacer = Pacer(POLITE, clock=clock, sleep=clock.sleep)
    async with client_for(standin, pacer=pacer) as crossref:
        with pytest.raises(CrossrefUnavailable, match="asked to wait 3600 s"):
            await crossref.work("10.5555/alpha.1")
    assert len(standin.requests) == 1
    assert clock.now < 1.0


async def test_a_slow_answer_times_out(standin: CrossrefStandin) -> None:
    standin.faults.push(Fault.slow(delay=3.0), count=3)
    started = time.monotonic()
    async with client_for(standin, timeout=0.2, retries=2, mailto=MAILTO) as crossref:
        with pytest.raises(CrossrefUnavailable) as error:
            await crossref.work("10.5555/alpha.1")
    assert str(error.value) == "Crossref timed out after 3 attempts"
    assert time.monotonic() - started < 2.0
    assert MAILTO not in str(error.value)


async def test_broken_json_is_retried_then_a_bad_response(standin: CrossrefStandin) -> None:
    standin.faults.push(Fault.broken_json(), count=5)
    async with client_for(standin, retries=5) as crossref:
        with pytest.raises(CrossrefBadResponse) as error:
            await crossref.work("10.5555/alpha.1")
    assert not isinstance(error.value, CrossrefUnavailable)
    assert "not JSON" in str(error.value)
    assert len(standin.requests) == 3  # the first answer and two retries
    assert crossref.stats.failures == 1


async def test_broken_json_once_is_survived(standin: CrossrefStandin) -> None:
    standin.faults.push(Fault.broken_json())
    async with client_for(standin) as crossref:
        assert await crossref.work("10.5555/alpha.1") is not None
    assert len(standin.requests) == 2


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        (Fault.truncated(), "closed the connection mid-answer"),
        (Fault.disconnect(), "closed the connection mid-answer"),
    ],
)
async def test_cut_answers_are_unavailable(
    standin: CrossrefStandin, fault: Fault, reason: str
) -> None:
    standin.faults.push(fault, count=3)
    async with client_for(standin, retries=2) as crossref:
        with pytest.raises(CrossrefUnavailable) as error:
            await crossref.works(["10.5555/alpha.1", "10.5555/beta.2"])
    assert str(error.value) == f"Crossref {reason} after 3 attempts"
    assert [r.fault for r in standin.requests] == [fault.kind] * 3


@pytest.mark.parametrize("fault", [Fault.truncated(), Fault.disconnect()])
async def test_a_cut_answer_is_retried(standin: CrossrefStandin, fault: Fault) -> None:
    standin.faults.push(fault)
    async with client_for(standin) as crossref:
        assert await crossref.work("10.5555/beta.2") is not None
    assert [r.fault for r in standin.requests] == [fault.kind, None]


async def test_nothing_listening_is_unavailable_quickly() -> None:
    started = time.monotonic()
    crossref = CrossrefClient(
        f"http://127.0.0.1:{closed_port()}",
        MAILTO,
        timeout=1.0,
        retries=2,
        backoff=0.01,
        crossref_plus_token=TOKEN,
        pacer=Pacer(FAST),
    )
    async with crossref:
        with pytest.raises(CrossrefUnavailable) as error:
            await crossref.work("10.5555/alpha.1")
    assert time.monotonic() - started < 1.0
    assert str(error.value) == "Crossref could not be reached after 3 attempts"
    assert crossref.stats.single_requests == 3
    assert crossref.stats.failures == 1


async def test_secrets_stay_out_of_messages_and_logs(
    standin: CrossrefStandin, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    standin.faults.push(Fault.unavailable(), count=3)
    async with client_for(standin, crossref_plus_token=TOKEN) as crossref:
        with pytest.raises(CrossrefUnavailable) as error:
            await crossref.work("10.5555/alpha.1")
        assert await crossref.work("10.5555/alpha.1") is not None
    assert MAILTO not in str(error.value)
    assert TOKEN not in str(error.value)
    assert "HTTP Request: GET" in caplog.text  # httpx did log the requests...
    assert "mailto=[redacted]" in caplog.text
    assert MAILTO not in caplog.text
    assert MAILTO.replace("@", "%40") not in caplog.text
    assert TOKEN not in caplog.text


async def test_random_faults_are_weathered(seed_records: list[dict[str, Any]]) -> None:
    clock = FakeClock()
    faults = [
        Fault.too_many_requests("1"),
        Fault.unavailable(),
        Fault.truncated(),
        Fault.disconnect(),
    ]
    dois = [record["DOI"] for record in seed_records] + ["10.5555/absent"]
    with CrossrefStandin(
        seed_records, fault_rate=0.3, fault_seed=11, random_faults=faults
    ) as server:
        async with client_for(
            server, pacer=Pacer(POLITE, clock=clock, sleep=clock.sleep), retries=8, batch_size=2
        ) as crossref:
            for _ in range(3):
                found = await crossref.works(dois)
                assert {doi for doi, work in found.items() if work is not None} == {
                    doi.lower() for doi in dois[:3]
                }
                assert found["10.5555/absent"] is None
    assert server.faults.injected > 0
    assert crossref.stats.retries == server.faults.injected


# --- pacing over HTTP ----------------------------------------------------------------------


async def test_concurrency_never_exceeds_the_limit() -> None:
    with CrossrefStandin(INLINE, latency=0.05, enforce_limits=True, rate_limit=500) as server:
        async with client_for(server, pacer=Pacer(FAST)) as crossref:
            dois = ["10.5555/alpha.1", "10.5555/beta.2", SICI] * 5
            await asyncio.gather(*(crossref.work(doi) for doi in dois))
    assert server.max_in_flight == FAST.concurrency  # reached, never passed
    assert server.throttled == 0
    assert crossref.pacer.in_flight == 0


async def test_polite_pacing_is_never_throttled(seed_records: list[dict[str, Any]]) -> None:
    # The stand-in enforces Crossref's polite limits; the default pacer must stay under them.
    with CrossrefStandin(seed_records, enforce_limits=True) as server:
        async with CrossrefClient(server.url, MAILTO, retries=0) as crossref:
            dois = [record["DOI"] for record in seed_records]
            singles = [crossref.work(dois[i % 3]) for i in range(12)]
            lists = [crossref.search("sciatica magnetic resonance") for _ in range(3)]
            await asyncio.gather(*singles, *lists)
    assert server.throttled == 0
    assert server.max_in_flight <= 3
    starts = sorted(r.time for r in server.requests if r.kind == "single")
    assert starts[-1] - starts[0] >= 1.0  # 12 singles at 10/s need 1.1 s


async def test_the_pacer_follows_the_servers_headers() -> None:
    with CrossrefStandin(INLINE, rate_limit=5, list_rate_limit=1, concurrency=2) as server:
        async with client_for(server, pacer=Pacer(FAST)) as crossref:
            await crossref.work("10.5555/alpha.1")
            assert crossref.pacer.rate("single") == 5
            assert crossref.pacer.rate("list") == FAST.list_rate
            assert crossref.pacer.concurrency == 2
            await crossref.search("alpha")
            assert crossref.pacer.rate("list") == 1


# --- the pacer on virtual time -------------------------------------------------------------


class _JumpingSelector(selectors.DefaultSelector):
    """When nothing is ready, jump the clock to the next timer instead of waiting for it."""

    def __init__(self) -> None:
        super().__init__()
        self.now = 0.0

    def select(self, timeout: float | None = None) -> list[Any]:
        events: list[Any] = super().select(0)
        if events or not timeout:
            if timeout is None and not events:
                raise RuntimeError("deadlock: every task waits and no timer is set")
            return events
        self.now += timeout
        return events


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    def __init__(self) -> None:
        self._jumping = _JumpingSelector()
        super().__init__(self._jumping)

    def time(self) -> float:
        return float(self._jumping.now)


def on_virtual_time(main: Callable[[], Awaitable[T]]) -> T:
    loop = VirtualTimeLoop()
    try:
        return loop.run_until_complete(main())
    finally:
        loop.close()


def most_in_any_window(starts: list[float], width: float) -> int:
    """The most starts in any half-open window [t, t + width)."""
    ordered = sorted(starts)
    return (
        max(sum(1 for s in ordered if t <= s < t + width - 1e-9) for t in ordered) if ordered else 0
    )


async def paced(
    pacer: Pacer,
    kind: RequestKind,
    count: int,
    hold: float = 0.01,
    log: list[tuple[str, float]] | None = None,
) -> list[float]:
    loop = asyncio.get_running_loop()
    starts: list[float] = []

    async def request() -> None:
        async with pacer.slot(kind):
            starts.append(loop.time())
            if log is not None:
                log.append((kind, loop.time()))
            await asyncio.sleep(hold)

    await asyncio.gather(*(request() for _ in range(count)))
    return starts


def virtual_pacer(limits: Limits = POLITE) -> Pacer:
    loop = asyncio.get_running_loop()
    return Pacer(limits, clock=loop.time, sleep=asyncio.sleep)


def windowed(count: int, limit: int, interval: float) -> list[float]:
    """Starts spaced SPREAD * interval/limit apart, each ``limit`` of them a window plus the
    margin after the ``limit`` before."""
    spacing = SPREAD * interval / limit
    return [(i // limit) * (interval + MARGIN) + (i % limit) * spacing for i in range(count)]


def test_single_requests_keep_to_ten_a_second() -> None:
    async def main() -> list[float]:
        return await paced(virtual_pacer(), "single", 35)

    starts = on_virtual_time(main)
    assert most_in_any_window(starts, 1.0 + MARGIN) == 10
    assert starts == pytest.approx(windowed(35, 10, 1.0))


def test_list_requests_keep_to_three_a_second() -> None:
    async def main() -> list[float]:
        return await paced(virtual_pacer(), "list", 10)

    starts = on_virtual_time(main)
    assert most_in_any_window(starts, 1.0 + MARGIN) == 3
    assert starts == pytest.approx(windowed(10, 3, 1.0))
    assert starts[-1] == pytest.approx(3 * (1.0 + MARGIN))


def test_the_public_pool_is_slower() -> None:
    async def main() -> tuple[list[float], list[float]]:
        pacer = virtual_pacer(PUBLIC)
        return await paced(pacer, "single", 11), await paced(pacer, "list", 3)

    singles, lists = on_virtual_time(main)
    assert most_in_any_window(singles, 1.0 + MARGIN) == 5
    assert lists[-1] - lists[0] == pytest.approx(2 * (1.0 + MARGIN))


def test_the_two_buckets_are_independent() -> None:
    async def main() -> list[tuple[str, float]]:
        pacer = virtual_pacer(Limits(single_rate=10, list_rate=3, concurrency=20))
        log: list[tuple[str, float]] = []
        await asyncio.gather(paced(pacer, "single", 10, log=log), paced(pacer, "list", 3, log=log))
        return log

    log = on_virtual_time(main)
    singles = [t for kind, t in log if kind == "single"]
    lists = [t for kind, t in log if kind == "list"]
    assert singles == pytest.approx(windowed(10, 10, 1.0))
    assert lists == pytest.approx(windowed(3, 3, 1.0))


def test_concurrency_is_capped_while_answers_are_slow() -> None:
    async def main() -> int:
        pacer = virtual_pacer()
        most = 0

        async def watch() -> None:
            nonlocal most
            for _ in range(100):
                most = max(most, pacer.in_flight)
                await asyncio.sleep(0.05)

        await asyncio.gather(paced(pacer, "single", 12, hold=1.0), watch())
        assert pacer.in_flight == 0
        return most

    assert on_virtual_time(main) == 3


def test_a_pause_holds_back_every_waiting_task() -> None:
    async def main() -> tuple[list[float], list[float]]:
        pacer = virtual_pacer()
        loop = asyncio.get_running_loop()

        async def throttle() -> None:
            await asyncio.sleep(0.35)  # a 429 arrives while tasks wait for their turn
            pacer.pause("single", 2.0)

        singles, _, lists = await asyncio.gather(
            paced(pacer, "single", 14), throttle(), paced(pacer, "list", 2)
        )
        assert pacer.paused_until("single") == pytest.approx(2.35)
        assert loop.time() >= 2.35
        return singles, lists

    singles, lists = on_virtual_time(main)
    before = [t for t in singles if t < 0.35]
    after = [t for t in singles if t >= 0.35]
    # A window's ten went before the 429; the other four wait out the pause, not the window.
    assert before == pytest.approx(windowed(10, 10, 1.0))
    assert after == pytest.approx([2.35 + t for t in windowed(4, 10, 1.0)])
    assert len(lists) == 2
    assert max(lists) < 2.35  # the other kind went on meanwhile


def test_headers_lower_the_limits_and_restore_them_up_to_the_ceiling() -> None:
    pacer = Pacer(POLITE)
    pacer.observe("single", RateLimit(limit=5, interval=1.0, concurrency=2))
    assert (pacer.rate("single"), pacer.rate("list"), pacer.concurrency) == (5, 3, 2)
    pacer.observe("list", RateLimit(limit=1, interval=2.0))
    assert pacer.rate("list") == 0.5
    assert pacer.concurrency == 2
    pacer.observe("single", RateLimit(limit=50, interval=1.0, concurrency=10))
    assert (pacer.rate("single"), pacer.concurrency) == (10, 3)
    pacer.observe("single", RateLimit())
    assert (pacer.rate("single"), pacer.concurrency) == (10, 3)


def test_a_lowered_concurrency_holds_waiting_tasks_back() -> None:
    async def main() -> int:
        pacer = virtual_pacer(FAST)
        most_after = 0

        async def request(index: int) -> None:
            nonlocal most_after
            async with pacer.slot("single"):
                if index >= 3:
                    most_after = max(most_after, pacer.in_flight)
                await asyncio.sleep(1.0)

        async def lower() -> None:
            await asyncio.sleep(0.5)
            pacer.observe("single", RateLimit(concurrency=1))

        await asyncio.gather(*(request(i) for i in range(8)), lower())
        return most_after

    assert on_virtual_time(main) == 1


def test_a_cancelled_waiter_gives_its_place_back() -> None:
    async def main() -> int:
        pacer = virtual_pacer(Limits(single_rate=100, list_rate=100, concurrency=1))

        async def hold(seconds: float) -> None:
            async with pacer.slot("single"):
                await asyncio.sleep(seconds)

        first = asyncio.ensure_future(hold(1.0))
        await asyncio.sleep(0)
        waiting = asyncio.ensure_future(hold(1.0))
        await asyncio.sleep(0.1)
        waiting.cancel()
        await asyncio.gather(first, waiting, return_exceptions=True)
        await asyncio.wait_for(hold(0.1), timeout=1.0)
        return pacer.in_flight

    assert on_virtual_time(main) == 0


def test_limits_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        Pacer(Limits(single_rate=0, list_rate=3, concurrency=3))
    with pytest.raises(ValueError, match="positive"):
        Pacer(Limits(single_rate=10, list_rate=3, concurrency=0))


async def test_a_closed_client_sends_nothing_more(standin: CrossrefStandin) -> None:
    crossref = client_for(standin)
    await crossref.work("10.5555/alpha.1")
    await crossref.aclose()
    with pytest.raises(RuntimeError, match="closed"):
        await crossref.work("10.5555/alpha.1")
    assert len(standin.requests) == 1
