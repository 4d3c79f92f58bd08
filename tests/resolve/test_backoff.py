"""Backing off when Crossref's errors pass a tenth of the requests, as Crossref asks.

The error window and the pacer on a fake clock; the client over real HTTP on 127.0.0.1 (the
stand-in), where the stand-in's log shows how many requests were in flight and how far apart
they came.
"""

from __future__ import annotations

import asyncio
import itertools
import re
import statistics
import warnings
from collections.abc import Iterator, Sequence
from typing import Any

import pytest

from refcheck.errors import CrossrefUnavailable
from refcheck.models import Work
from refcheck.resolve.crossref import CrossrefClient, CrossrefSlowingDown
from refcheck.resolve.pacing import POLITE, PUBLIC, ErrorWindow, Limits, Pacer
from refcheck.resolve.protocol import RateLimit
from refcheck.testing import CrossrefStandin, Fault
from refcheck.testing.clock import FakeClock
from refcheck.testing.crossref_standin import LoggedRequest

MAILTO = "backoff@example.org"
RECORDS: list[dict[str, Any]] = [
    {"DOI": f"10.5555/backoff.{n}", "type": "journal-article", "title": [f"Backoff study {n}"]}
    for n in range(12)
]
DOIS: list[str] = [record["DOI"] for record in RECORDS]
# Fast enough that loopback latency, not the pacer, sets the pace until errors slow it down.
FULL_PACE = Limits(single_rate=400.0, list_rate=400.0, concurrency=4)
MESSAGE = re.compile(
    r"Crossref failed (\d+) of the last (\d+) requests \(errors, throttling or no answer\); "
    r"slowing down as it asks"
)


def record_all(window: ErrorWindow, outcomes: str) -> list[int]:
    """Feed ``x`` (failed) and ``.`` (answered) outcomes; the level after each."""
    return [window.record(mark == "x") for mark in outcomes]


# --- the error window ----------------------------------------------------------------------


def test_nothing_is_judged_before_ten_outcomes() -> None:
    window = ErrorWindow()
    assert record_all(window, "x" * 9) == [0] * 9
    assert window.share == 1.0
    assert window.record(True) == 1


def test_a_tenth_is_not_more_than_a_tenth() -> None:
    window = ErrorWindow()
    # One failure in each ten: exactly 10% all along, which does not pass 10%.
    assert record_all(window, ("." * 9 + "x") * 4) == [0] * 40
    assert (window.failures, window.count) == (4, 40)
    assert window.record(True) == 1  # five in the last forty: 12.5%
    assert (window.failures, window.count) == (5, 40)


def test_two_failures_in_the_first_ten_pass_the_threshold() -> None:
    window = ErrorWindow()
    assert record_all(window, "x" + "." * 8 + "x")[-1] == 1


def test_old_outcomes_leave_the_window() -> None:
    window = ErrorWindow(size=20)
    record_all(window, "x" * 5 + "." * 30)
    assert (window.failures, window.count, window.share) == (0, 20, 0.0)


def test_it_slows_a_step_per_ten_outcomes_while_errors_stay_high_up_to_the_deepest() -> None:
    window = ErrorWindow(deepest=3)
    levels = record_all(window, "x" * 60)
    assert levels[9] == 1
    assert levels[19] == 2
    assert levels[29] == 3
    assert levels[59] == 3  # no deeper than ``deepest``
    assert levels == sorted(levels)  # never eases while every request fails


def test_it_eases_a_step_per_ten_calm_outcomes_once_errors_fall_back() -> None:
    window = ErrorWindow(deepest=3)
    record_all(window, "x" * 30)
    assert window.level == 3
    levels = record_all(window, "." * 70)
    # The 36th answer brings the failures down to 4 of the last 40, at the threshold:
    # calm from then on, and ten calm outcomes ease one step.
    assert levels[:44] == [3] * 44
    assert levels[44:54] == [2] * 10
    assert levels[54:64] == [1] * 10
    assert levels[64:] == [0] * 6


def test_errors_rising_again_while_easing_slow_it_down_again_at_once() -> None:
    window = ErrorWindow(size=10, least=10, step=3, deepest=2)
    record_all(window, "x" * 13)
    assert window.level == 2
    assert record_all(window, "." * 11)[-3:] == [2, 2, 1]
    # One failure in ten is calm; two are not, and the next step comes at once.
    assert record_all(window, "xx") == [1, 2]


@pytest.mark.parametrize(
    "options",
    [{"size": 5, "least": 6}, {"least": 0}, {"step": 0}, {"deepest": 0}, {"threshold": 1.0}],
)
def test_a_window_that_cannot_judge_is_refused(options: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="error window"):
        ErrorWindow(**options)


# --- the pacer ---------------------------------------------------------------------------


def slowed(pacer: Pacer, level: int) -> None:
    """Record failures until the pacer has slowed down ``level`` steps."""
    for _ in range(1000):
        if pacer.slowdown == level:
            return
        pacer.record(True)
    raise AssertionError(f"never reached slowdown step {level}")


def test_each_step_halves_the_pace_down_to_one_in_flight_and_one_a_second() -> None:
    pacer = Pacer(POLITE, errors=ErrorWindow(size=10, least=1, step=1, deepest=8))
    seen = []
    for level in range(6):
        slowed(pacer, level)
        seen.append((pacer.rate("single"), pacer.rate("list"), pacer.concurrency))
    assert seen == [
        (10.0, 3.0, 3),
        (5.0, 1.5, 1),
        (2.5, 1.0, 1),
        (1.25, 1.0, 1),
        (1.0, 1.0, 1),
        (1.0, 1.0, 1),
    ]
    assert pacer.backing_off


def test_the_public_pool_slows_down_too_but_never_below_its_own_rate() -> None:
    pacer = Pacer(PUBLIC, errors=ErrorWindow(size=10, least=1, step=1), slowest_rate=2.0)
    slowed(pacer, 3)
    assert (pacer.rate("single"), pacer.rate("list"), pacer.concurrency) == (2.0, 1.0, 1)


def test_it_speeds_up_again_to_the_full_pace() -> None:
    pacer = Pacer(POLITE, errors=ErrorWindow(size=10, least=1, step=1, deepest=4))
    slowed(pacer, 4)
    levels = [pacer.record(False) for _ in range(20)]
    assert levels[-1] == 0
    assert levels == sorted(levels, reverse=True)
    assert (pacer.rate("single"), pacer.rate("list"), pacer.concurrency) == (10.0, 3.0, 3)
    assert not pacer.backing_off


def test_announced_limits_still_apply_while_slowed_down() -> None:
    pacer = Pacer(
        Limits(single_rate=40, list_rate=40, concurrency=8),
        errors=ErrorWindow(size=10, least=1, step=1),
    )
    slowed(pacer, 1)
    assert pacer.concurrency == 4
    pacer.observe("single", RateLimit(limit=20, interval=1.0, concurrency=4))
    assert (pacer.rate("single"), pacer.concurrency) == (10.0, 2)
    for _ in range(20):
        pacer.record(False)
    assert (pacer.rate("single"), pacer.concurrency) == (20.0, 4)


async def test_slowed_requests_are_spaced_further_apart() -> None:
    clock = FakeClock()
    pacer = Pacer(
        POLITE, clock=clock, sleep=clock.sleep, errors=ErrorWindow(size=10, least=1, step=1)
    )
    starts = []
    for level in (0, 2):
        slowed(pacer, level)
        for _ in range(3):
            async with pacer.slot("single"):
                starts.append(clock.now)
    gaps = [round(b - a, 6) for a, b in itertools.pairwise(starts)]
    # At full pace Crossref's requests go at least ``spread`` of the even spacing apart;
    # slowed down two steps, evenly spaced at a quarter of the rate.
    spread = POLITE.etiquette().spread
    assert gaps[:2] == pytest.approx([0.1 * spread] * 2)
    assert gaps[3:] == [0.4, 0.4]


# --- the client over HTTP -----------------------------------------------------------------


@pytest.fixture
def server() -> Iterator[CrossrefStandin]:
    # Announced limits this high leave the pace to the client's own pacer.
    # A short announced window keeps the pauses after 429s short.
    with CrossrefStandin(
        RECORDS,
        rate_limit=100,
        list_rate_limit=100,
        interval="100ms",
        concurrency=8,
        latency=0.02,
    ) as standin:
        yield standin


def client_for(server: CrossrefStandin, **options: Any) -> CrossrefClient:
    settings: dict[str, Any] = {
        "timeout": 1.0,
        "retries": 4,
        "backoff": 0.01,
        "max_backoff": 0.05,
        "pacer": Pacer(FULL_PACE),
        **options,
    }
    return CrossrefClient(server.url, MAILTO, **settings)


async def look_up(crossref: CrossrefClient, dois: Sequence[str]) -> list[Work | BaseException]:
    """Each DOI's work, or the error that kept it from being found; all at once."""
    found = await asyncio.gather(*(crossref.work(doi) for doi in dois), return_exceptions=True)
    answers: list[Work | BaseException] = []
    for doi, result in zip(dois, found, strict=True):
        if isinstance(result, BaseException):
            assert isinstance(result, CrossrefUnavailable), result
        else:
            assert result is not None, doi
            assert result.doi == doi  # no lookup ever gets another DOI's work
        answers.append(result)
    return answers


def slowing_down(caught: Sequence[warnings.WarningMessage]) -> list[str]:
    return [str(w.message) for w in caught if issubclass(w.category, CrossrefSlowingDown)]


def gaps(log: Sequence[LoggedRequest]) -> list[float]:
    """Seconds between arrivals (the log is in the order of the answers)."""
    return [b - a for a, b in itertools.pairwise(sorted(r.time for r in log))]


@pytest.mark.parametrize(
    "fault",
    [Fault.unavailable(), Fault.too_many_requests(), Fault.too_many_requests(retry_after="0")],
    ids=["503", "429", "429-retry-after-0"],
)
async def test_a_third_of_requests_failing_slows_the_client_and_it_says_so_once(
    server: CrossrefStandin, fault: Fault
) -> None:
    server.faults.set_rate(0.3, seed=5, choices=[fault])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        async with client_for(server) as crossref:
            answers = await look_up(crossref, DOIS * 3)
    (message,) = slowing_down(caught)
    match = MESSAGE.fullmatch(message)
    assert match is not None, message
    failed, out_of = int(match.group(1)), int(match.group(2))
    assert 10 <= out_of <= 40
    assert failed * 10 > out_of
    assert MAILTO not in message

    # Four retries see nearly every lookup through; none gets a wrong answer.
    assert sum(isinstance(a, Work) for a in answers) >= len(answers) - 2
    # Every fault is an error, but for the 429s taken as the server's counting: a pause each.
    assert crossref.stats.errors + crossref.stats.throttle_pauses == server.faults.injected
    if fault.status == 429:
        assert crossref.stats.errors > crossref.stats.throttle_pauses >= 1
    else:
        assert crossref.stats.throttle_pauses == 0
    assert crossref.pacer.slowdown >= 2
    assert crossref.stats.deepest_slowdown >= crossref.pacer.slowdown

    log = server.requests
    # At full pace four requests were in flight at once; slowed down, one at a time...
    assert max(r.in_flight for r in log[:12]) >= 3
    assert max(r.in_flight for r in log[-12:]) == 1
    # ...and further apart.
    early, late = statistics.median(gaps(log[:12])), statistics.median(gaps(log[-12:]))
    assert late >= 0.015
    assert late >= 2 * early


async def test_errors_under_a_tenth_neither_slow_down_nor_warn(server: CrossrefStandin) -> None:
    for _ in range(5):  # one 503 in every twenty requests
        server.faults.push(Fault.slow(delay=0.0), count=19)  # a normal answer
        server.faults.push(Fault.unavailable())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        async with client_for(server) as crossref:
            answers = await look_up(crossref, DOIS * 8)
    assert slowing_down(caught) == []
    assert all(isinstance(a, Work) for a in answers)
    assert crossref.stats.errors == 5
    assert crossref.stats.deepest_slowdown == 0
    assert max(r.in_flight for r in server.requests[-12:]) >= 3


async def test_unknown_dois_are_answers_not_errors(server: CrossrefStandin) -> None:
    unknown = [f"10.5555/nobody.{n}" for n in range(30)]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        async with client_for(server) as crossref:
            found = await asyncio.gather(*(crossref.work(doi) for doi in unknown))
    assert found == [None] * 30
    assert slowing_down(caught) == []
    assert crossref.stats.errors == 0
    assert crossref.pacer.errors.count == 30


async def test_it_speeds_up_again_and_says_so_only_once_per_client(
    server: CrossrefStandin,
) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        async with client_for(server) as crossref:
            server.faults.set_rate(0.4, seed=9, choices=[Fault.unavailable()])
            await look_up(crossref, DOIS + DOIS[:6])
            assert crossref.pacer.backing_off
            assert len(slowing_down(caught)) == 1

            # The errors stop: the client speeds up, a step at a time, to its full pace.
            server.faults.clear()
            server.clear_requests()
            levels = [crossref.pacer.slowdown]
            for _ in range(20):
                answers = await look_up(crossref, DOIS)
                assert all(isinstance(a, Work) for a in answers)
                levels.append(crossref.pacer.slowdown)
                if not crossref.pacer.backing_off:
                    break
            assert levels[-1] == 0
            assert levels == sorted(levels, reverse=True)
            assert crossref.pacer.concurrency == FULL_PACE.concurrency
            assert crossref.pacer.rate("single") == FULL_PACE.single_rate
            server.clear_requests()
            await look_up(crossref, DOIS)
            assert max(r.in_flight for r in server.requests) >= 3

            # Errors rise again: it slows down again, without saying so twice.
            server.faults.set_rate(1.0, choices=[Fault.unavailable()])
            await look_up(crossref, DOIS[:3])
            assert crossref.pacer.backing_off
        assert len(slowing_down(caught)) == 1

        # Another client says so once for itself.
        async with client_for(server, retries=1) as other:
            await look_up(other, DOIS)
        assert len(slowing_down(caught)) == 2


async def test_retries_wait_longer_while_slowed_down(server: CrossrefStandin) -> None:
    clock = FakeClock()
    pacer = Pacer(
        POLITE, clock=clock, sleep=clock.sleep, errors=ErrorWindow(size=10, least=2, step=1)
    )
    server.faults.push(Fault.unavailable(), count=3)
    with pytest.warns(CrossrefSlowingDown):
        async with client_for(
            server, pacer=pacer, backoff=0.5, max_backoff=3.0, jitter=lambda: 0.0
        ) as crossref:
            assert await crossref.work(DOIS[0]) is not None
    # Half of 0.5 s at full pace; then half of 2 s (one step slower); then half of 3 s,
    # the cap, instead of half of 8 s (two steps slower).
    assert clock.slept == pytest.approx([0.25, 1.0, 1.5])
    assert [r.status for r in server.requests] == [503, 503, 503, 200]


async def test_hung_connections_count_as_errors(server: CrossrefStandin) -> None:
    server.faults.set_rate(0.5, seed=4, choices=[Fault.slow(delay=2.0)])
    with pytest.warns(CrossrefSlowingDown):
        async with client_for(server, timeout=0.1, retries=4) as crossref:
            answers = await look_up(crossref, DOIS)
    assert crossref.stats.errors >= 5
    assert crossref.pacer.backing_off
    assert sum(isinstance(a, Work) for a in answers) >= len(answers) // 2
