"""Pacing under either way of counting: the stand-in's two counters, the pacer's windows and
margin, and what a 429 costs.

The client runs over real HTTP on 127.0.0.1 against the stand-in, with the stand-in's
jitter delaying each request 0-50 ms on its way in; windows are short so the tests are quick.
"""

from __future__ import annotations

import asyncio
import itertools
import warnings
from collections.abc import Sequence
from typing import Any

import httpx
import pytest

from refcheck.resolve.crossref import CrossrefClient, CrossrefSlowingDown
from refcheck.resolve.pacing import (
    ARXIV,
    DATACITE,
    MARGIN,
    POLITE,
    ErrorWindow,
    Etiquette,
    Pacer,
    Turn,
    Window,
)
from refcheck.resolve.protocol import RateLimit
from refcheck.testing import CrossrefStandin, Fault
from refcheck.testing.clock import FakeClock
from refcheck.testing.crossref_standin import LoggedRequest
from refcheck.testing.limiter import SlidingWindow, TokenBucket, counter

MAILTO = "pacing@example.org"
RECORDS: list[dict[str, Any]] = [
    {"DOI": f"10.5555/pacing.{n}", "type": "journal-article", "title": [f"Pacing study {n}"]}
    for n in range(20)
]
DOIS = [record["DOI"] for record in RECORDS]
JITTER = 0.05  # as benchmarks/speed.py adds
# The stand-in's limits over a tenth of a second, and a client configured to match them.
INTERVAL = 0.1
SHORT = Etiquette({"single": Window(10, INTERVAL), "list": Window(3, INTERVAL)}, concurrency=3)


def most_in_any_window(times: Sequence[float], width: float) -> int:
    """The most times in any window (t - width, t]."""
    ordered = sorted(times)
    return max((sum(1 for s in ordered if t - width < s <= t) for t in ordered), default=0)


def arrivals(log: Sequence[LoggedRequest], kind: str) -> list[float]:
    return [r.time for r in log if r.kind == kind and r.status != 429]


# --- the stand-in's counters ----------------------------------------------------------------


def test_a_sliding_window_refuses_the_one_too_many_in_any_window() -> None:
    window = SlidingWindow(3, 1.0)
    assert [window.take(t) for t in (0.0, 0.4, 0.8, 0.99, 1.0, 1.39, 1.41)] == [
        True,
        True,
        True,
        False,  # 0.0, 0.4 and 0.8 are within the second before
        True,  # 0.0 has left the window (t - 1.0, t]
        False,
        True,
    ]


def test_a_token_bucket_forgives_what_a_window_refuses() -> None:
    # Three at once, then one a third of a second later: a token has come back.
    bucket, window = TokenBucket(3, 1.0), SlidingWindow(3, 1.0)
    times = (0.0, 0.0, 0.0, 0.34)
    assert [bucket.take(t) for t in times] == [True, True, True, True]
    assert [window.take(t) for t in times] == [True, True, True, False]


def test_arrivals_counted_out_of_order_count_as_arriving_together() -> None:
    # A thread that stamped 0.5 but got to the lock after one that stamped 0.6.
    bucket = TokenBucket(1, 1.0)
    assert [bucket.take(t) for t in (0.0, 1.6, 1.5, 2.6)] == [True, True, False, True]
    window = SlidingWindow(2, 1.0)
    assert [window.take(t) for t in (0.0, 0.6, 0.5, 1.05)] == [True, True, False, True]


def test_an_unknown_way_of_counting_is_refused() -> None:
    with pytest.raises(ValueError, match="counting"):
        counter("leaky", 3, 1.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="counting"):
        CrossrefStandin(RECORDS, counting="leaky")  # type: ignore[arg-type]


@pytest.mark.parametrize(("counting", "fourth"), [("bucket", 200), ("window", 429)])
async def test_the_stand_in_counts_either_way(counting: Any, fourth: int) -> None:
    with CrossrefStandin(
        RECORDS,
        list_rate_limit=3,
        interval="300ms",
        concurrency=8,
        enforce_limits=True,
        counting=counting,
    ) as server:
        async with httpx.AsyncClient(base_url=server.url) as http:
            burst = await asyncio.gather(*(http.get("/works?rows=1") for _ in range(3)))
            await asyncio.sleep(0.15)  # half the window: a bucket has refilled 1.5 tokens
            late = await http.get("/works?rows=1")
    assert [r.status_code for r in burst] == [200, 200, 200]
    assert late.status_code == fourth
    assert server.throttled == (fourth == 429)


@pytest.mark.parametrize("counting", ["bucket", "window"])
async def test_the_stand_in_refuses_more_in_flight_than_announced(counting: Any) -> None:
    with CrossrefStandin(
        RECORDS, concurrency=1, latency=0.1, enforce_limits=True, counting=counting
    ) as server:
        async with httpx.AsyncClient(base_url=server.url) as http:
            answers = await asyncio.gather(*(http.get(f"/works/{doi}") for doi in DOIS[:2]))
    assert sorted(r.status_code for r in answers) == [200, 429]


@pytest.mark.parametrize("counting", ["bucket", "window"])
async def test_the_log_says_when_each_request_left_flight(counting: Any) -> None:
    with CrossrefStandin(RECORDS, latency=0.05, counting=counting) as server:
        async with httpx.AsyncClient(base_url=server.url) as http:
            for doi in DOIS[:3]:
                await http.get(f"/works/{doi}")
    log = server.requests
    assert all(r.released is not None and r.released >= r.time + 0.05 for r in log)
    # One connection, one request after another: each left flight before the next came.
    assert all(b.time >= a.released for a, b in itertools.pairwise(log) if a.released)


async def test_jitter_delays_arrivals_unevenly() -> None:
    with CrossrefStandin(RECORDS, jitter=JITTER, jitter_seed=3) as server:
        async with httpx.AsyncClient(base_url=server.url) as http:
            sent = []
            for doi in DOIS[:12]:
                sent.append(asyncio.get_running_loop().time())
                await http.get(f"/works/{doi}")
    delays = sorted(r.time - s for r, s in zip(server.requests, sent, strict=True))
    assert delays[-1] - delays[0] > JITTER / 3
    # All but the slowest within the jitter and a little: a busy machine may stall one.
    assert delays[-2] < JITTER + 0.05


# --- the client against a strict counter ------------------------------------------------------


async def many_requests(crossref: CrossrefClient, singles: int, lists: int) -> None:
    searches = [crossref.search(f"pacing study {n}", rows=2) for n in range(lists)]
    lookups = [crossref.work(DOIS[n % len(DOIS)]) for n in range(singles)]
    await asyncio.gather(*searches, *lookups)


# Windows of a fifth of a second: an answer (5-60 ms) is back well before the turn that
# waits on its request, as Crossref's are within its 1-s window, so a request that arrived
# late, on a busy machine, is told by its answer in time.
STRICT_INTERVAL = 0.2
STRICT = Etiquette(
    {"single": Window(10, STRICT_INTERVAL), "list": Window(3, STRICT_INTERVAL)}, concurrency=3
)


@pytest.mark.parametrize("counting", ["bucket", "window"])
async def test_two_hundred_requests_with_jitter_get_no_429(counting: Any) -> None:
    with CrossrefStandin(
        RECORDS,
        rate_limit=10,
        list_rate_limit=3,
        interval="200ms",
        concurrency=3,
        latency=0.005,
        jitter=JITTER,
        jitter_seed=11,
        enforce_limits=True,
        counting=counting,
    ) as server:
        async with CrossrefClient(server.url, MAILTO, retries=0, pacer=Pacer(STRICT)) as crossref:
            await many_requests(crossref, singles=150, lists=50)
        log = server.requests
    assert len(log) == 200
    assert server.throttled == 0
    assert crossref.stats.throttled == 0
    assert most_in_any_window(arrivals(log, "single"), STRICT_INTERVAL) <= 10
    assert most_in_any_window(arrivals(log, "list"), STRICT_INTERVAL) <= 3
    assert server.max_in_flight <= 3


class SendsOnly(Pacer):
    """A pacer that counts windows from the sends alone, deaf to what answers tell."""

    def answered(self, turn: Turn, status: int | None = None) -> None:
        pass


async def test_without_the_margin_a_strict_counter_throttles() -> None:
    # The same, spaced exactly at the limit from the sends alone: jitter puts one request
    # too many in a window.
    with CrossrefStandin(
        RECORDS,
        rate_limit=10,
        list_rate_limit=3,
        interval="200ms",
        latency=0.005,
        jitter=JITTER,
        jitter_seed=11,
        enforce_limits=True,
        counting="window",
    ) as server:
        exact = Etiquette(STRICT.windows, STRICT.concurrency, margin=0.0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CrossrefSlowingDown)  # it may, or may not
            async with CrossrefClient(
                server.url, MAILTO, retries=3, pacer=SendsOnly(exact)
            ) as crossref:
                await many_requests(crossref, singles=60, lists=30)
    assert server.throttled > 0


async def late_third_of_a_window(pacer: Pacer) -> tuple[CrossrefStandin, CrossrefClient]:
    """Nine searches against a strict counter of 3 a 0.3-s window, without jitter; the
    sixth (the last of the second window's three) reaches the stand-in 0.15 s late, more
    than the margin covers: it then arrives within 0.3 s before the third window's three."""
    with CrossrefStandin(
        RECORDS,
        list_rate_limit=3,
        interval="300ms",
        concurrency=3,
        latency=0.01,
        enforce_limits=True,
        counting="window",
    ) as server:
        server.arrive_late(0.15, after=5)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CrossrefSlowingDown)
            async with CrossrefClient(server.url, MAILTO, retries=2, pacer=pacer) as crossref:
                await asyncio.gather(*(crossref.search(f"pacing study {n}") for n in range(9)))
    return server, crossref


LATE = Etiquette({"single": Window(10, 0.3), "list": Window(3, 0.3)}, concurrency=3)


async def test_a_request_that_arrived_late_counts_from_its_arrival() -> None:
    server, crossref = await late_third_of_a_window(Pacer(LATE))
    log = server.requests
    sent = {r.param("query.bibliographic"): r.time for r in log}
    assert sent["pacing study 5"] - sent["pacing study 3"] > 0.15  # it did arrive late
    assert server.throttled == 0
    assert crossref.stats.throttled == 0
    assert most_in_any_window(arrivals(log, "list"), 0.3) <= 3
    # Told by its answer, not by slowing down: the following requests only wait for it.
    assert crossref.pacer.slowdown == 0


async def test_counted_from_its_send_a_late_request_is_one_too_many() -> None:
    # The negative control: the same run, the pacer deaf to what answers tell.
    server, crossref = await late_third_of_a_window(SendsOnly(LATE))
    assert server.throttled >= 1
    assert crossref.stats.throttled >= 1


class LearnsFromEveryAnswer(Pacer):
    """A pacer that takes any answer, a refusal too, as one that may be the quickest."""

    def answered(self, turn: Turn, status: int | None = None) -> None:
        super().answered(turn, 200)


# Three searches a half-second window, the three in its first quarter; every answer but a
# refusal takes 0.4 s, far more than the margin, so an answer learnt as quick makes each
# later one look 0.34 s late.
QUICK = Etiquette({"single": Window(10, 0.5), "list": Window(3, 0.5)}, concurrency=3, spread=0.25)
ANSWER_TAKES = 0.4
QUICK_REFUSALS = [Fault.too_many_requests(), Fault.unavailable()]


async def nine_searches_after_a_quick_refusal(pacer: Pacer, refusal: Fault) -> float:
    """One search refused at once (as a proxy answers), then retried; a while later, nine
    searches at once against a strict counter: the seconds from the first of the nine to
    arrive to the last."""
    with CrossrefStandin(
        RECORDS,
        list_rate_limit=3,
        interval="500ms",
        concurrency=3,
        enforce_limits=True,
        counting="window",
    ) as server:
        server.faults.push(refusal)
        server.faults.push(Fault.slow(ANSWER_TAKES), count=10)
        async with CrossrefClient(
            server.url, MAILTO, retries=1, backoff=0.0, pacer=pacer
        ) as crossref:
            await crossref.search("pacing study")
            # Until the windows of that search have closed, even counted from 0.34 s late.
            await asyncio.sleep(0.5 + MARGIN + ANSWER_TAKES)
            server.clear_requests()
            await asyncio.gather(*(crossref.search(f"pacing study {n}") for n in range(9)))
        log = server.requests
    assert [r.status for r in log] == [200] * 9
    return log[-1].time - log[0].time


# Three windows, each the window and the margin after the one before, the last three
# spaced a quarter window's third apart: 1.24 s; a busy machine may add to it.
NINE_AT_FULL_PACE = 2 * (0.5 + MARGIN) + 2 * 0.25 * 0.5 / 3


@pytest.mark.parametrize("refusal", QUICK_REFUSALS, ids=["429", "503"])
async def test_a_quick_refusal_does_not_slow_the_answers_after_it(refusal: Fault) -> None:
    span = await nine_searches_after_a_quick_refusal(Pacer(QUICK), refusal)
    assert span < NINE_AT_FULL_PACE + 0.25


async def test_learnt_from_a_quick_refusal_every_answer_looks_late() -> None:
    # The negative control: the same run, the pacer learning from the refusal too; each
    # request then counts from 0.34 s after it left (measured: 2.1 s for the nine).
    span = await nine_searches_after_a_quick_refusal(
        LearnsFromEveryAnswer(QUICK), Fault.too_many_requests()
    )
    assert span > NINE_AT_FULL_PACE + 0.25


# --- what a 429 costs -------------------------------------------------------------------------


async def sequential_searches(server: CrossrefStandin, count: int) -> tuple[float, CrossrefClient]:
    """``count`` searches one after another, paced on a fake clock: the time they took."""
    clock = FakeClock()
    pacer = Pacer(POLITE, clock=clock, sleep=clock.sleep)
    async with CrossrefClient(server.url, MAILTO, retries=2, pacer=pacer) as crossref:
        for n in range(count):
            await crossref.search(f"pacing study {n}", rows=1)
    return clock.now, crossref


async def test_a_single_429_costs_at_most_one_window_and_no_slowdown() -> None:
    with CrossrefStandin(RECORDS) as server:
        clean, _ = await sequential_searches(server, 30)
        server.faults.push(Fault.slow(delay=0.0), count=10)  # ten normal answers
        server.faults.push(Fault.too_many_requests())
        throttled, crossref = await sequential_searches(server, 30)
        statuses = [r.status for r in server.requests[-31:]]
    assert statuses.count(429) == 1
    assert 0 < throttled - clean <= 1.0  # the announced window: 1 s
    assert crossref.stats.throttle_pauses == 1
    assert crossref.stats.errors == 0
    assert crossref.stats.deepest_slowdown == 0
    assert crossref.pacer.rate("list") == POLITE.list_rate


async def test_429s_to_requests_sent_together_are_one_pause_not_errors() -> None:
    clock = FakeClock()
    with CrossrefStandin(RECORDS, latency=0.05) as server:
        server.faults.push(Fault.too_many_requests(), count=3)
        pacer = Pacer(SHORT, clock=clock, sleep=clock.sleep)
        async with CrossrefClient(server.url, MAILTO, retries=2, pacer=pacer) as crossref:
            # Three lookups that go before any answer has come back.
            await asyncio.gather(*(crossref.work(doi) for doi in DOIS[:3]))
    assert crossref.stats.throttled == 3
    assert crossref.stats.throttle_pauses == 3
    assert crossref.stats.errors == 0
    assert pacer.slowdown == 0


def test_429s_that_keep_coming_after_a_pause_are_failures() -> None:
    clock = FakeClock()
    pacer = Pacer(
        SHORT, clock=clock, sleep=clock.sleep, errors=ErrorWindow(size=10, least=2, step=1)
    )

    async def one_turn() -> bool:
        async with pacer.slot("list") as turn:
            pass
        return pacer.throttled(turn)

    async def main() -> list[bool]:
        return [await one_turn() for _ in range(3)]

    first, second, third = asyncio.run(main())
    assert (first, second, third) == (False, True, True)
    # Long after the last pause, a 429 is lone again.
    clock.now += 10 * INTERVAL * 2
    assert asyncio.run(main())[0] is False


# --- the pacer's windows -----------------------------------------------------------------------


def turns(etiquette: Etiquette, kind: str, count: int) -> list[float]:
    clock = FakeClock()
    pacer = Pacer(etiquette, clock=clock, sleep=clock.sleep)

    async def main() -> list[float]:
        starts = []
        for _ in range(count):
            async with pacer.slot(kind) as turn:
                starts.append(turn.at)
        return starts

    return asyncio.run(main())


def test_any_n_plus_one_requests_span_the_window_and_the_margin() -> None:
    starts = turns(POLITE.etiquette(), "list", 12)
    spans = [b - a for a, b in zip(starts, starts[3:], strict=False)]
    assert min(spans) == pytest.approx(1.0 + MARGIN)
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert min(gaps) == pytest.approx(POLITE.etiquette().spread / 3)  # spaced, never a burst


def test_each_service_keeps_its_own_limits() -> None:
    arxiv = turns(ARXIV, "single", 4)
    assert [b - a for a, b in itertools.pairwise(arxiv)] == pytest.approx([3.0 + MARGIN] * 3)
    datacite = turns(DATACITE, "single", 5)
    assert [b - a for a, b in itertools.pairwise(datacite)] == pytest.approx([0.3] * 4)
    assert Pacer(ARXIV).concurrency == 1


def test_an_announced_window_binds_below_the_configured_one_and_is_followed_back_up() -> None:
    pacer = Pacer(POLITE)
    pacer.observe("list", RateLimit(limit=1, interval=2.0))
    assert pacer.rate("list") == 0.5
    assert pacer.interval("list") == 2.0
    pacer.observe("list", RateLimit(limit=30, interval=1.0))
    assert pacer.rate("list") == 3.0  # never above the configured 3 a second
    with pytest.raises(ValueError, match="kind"):
        pacer.rate("bulk")


def test_a_rate_becomes_a_whole_window() -> None:
    assert Window.of_rate(3.0) == Window(3, 1.0)
    assert Window.of_rate(0.5) == Window(1, 2.0)
    assert Window.of_rate(3.3).per_second == pytest.approx(3.3)
    with pytest.raises(ValueError, match="positive"):
        Window(0, 1.0)
    with pytest.raises(ValueError, match="margin"):
        Etiquette({"single": Window(1)}, concurrency=1, margin=-0.1)


def test_windows_count_from_when_a_request_really_went() -> None:
    clock = FakeClock()
    pacer = Pacer(POLITE, clock=clock, sleep=clock.sleep)

    async def main() -> list[float]:
        starts = []
        for n in range(4):
            async with pacer.slot("list") as turn:
                if n == 0:
                    clock.now += 0.5  # the event loop was busy: the request left late
                    await pacer.tracer(turn)("http11.send_request_headers.complete", {})
                starts.append(turn.at)
        return starts

    starts = asyncio.run(main())
    assert starts[0] == 0.5
    assert starts[3] == pytest.approx(0.5 + 1.0 + MARGIN)


async def test_the_client_tells_the_pacer_when_each_request_went() -> None:
    sent = []

    class Watched(Pacer):
        def sent(self, turn: Turn) -> None:
            super().sent(turn)
            sent.append(turn)

    with CrossrefStandin(RECORDS) as server:
        async with CrossrefClient(server.url, MAILTO, pacer=Watched(SHORT)) as crossref:
            await asyncio.gather(*(crossref.work(doi) for doi in DOIS[:5]))
            await crossref.search("pacing study")
    assert len(sent) == len(server.requests) == 6
    assert {turn.kind for turn in sent} == {"single", "list"}
