"""Pacing of the requests to one web service: a window per kind of request, one gate for the
requests in flight, and slowing down when errors rise.

Each service refcheck asks documents its own limits; an :class:`Etiquette` holds them, and
each service gets one :class:`Pacer`, shared by every client of that service in the process:

    service              kind     at most                in flight
    Crossref, polite     single   10 per 1 s             3        (a mailto is sent)
                         list     3 per 1 s
    Crossref, public     single   5 per 1 s              1
                         list     1 per 1 s
    DataCite             single   1,000 per 5 min        3        (per address; evenly)
    arXiv                single   1 per 3 s              1        ("one connection")
    Open Library         single   1 per 1 s              1        ("at most 1 a second")
    doi.org              single   2 per 1 s              2        (no number given: gently)

How a pacer keeps to "at most N per interval W" however the server counts, a token bucket or
a strict sliding window:

- Spaced: requests of a kind start at least ``spread`` × W/N apart, so there is never a burst
  (``spread`` 1 spaces them evenly over the window; Crossref's 0.25 lets a window's N requests
  go in its first quarter, which wins back part of what the margin costs).
- Windowed: any N + 1 successive requests of a kind span at least W + ``margin``. The network
  delays each request by a different amount; a request delayed up to ``margin`` more than the
  one N before it still arrives more than W after it, so no window of W at the server ever
  holds more than N arrivals. The default margin, 80 ms, covers the 0-50 ms of jitter that
  ``benchmarks/speed.py`` adds and the lateness of a busy machine (measured at loads of 3-16
  on two cores: send to arrival took 1-59 ms against the stand-in with that jitter, and any 4
  list requests arrived 1.025 s apart or more); spaced exactly at the limit, a strict counter
  throttles.
- Told by answers: a request can reach the server far later than the margin covers (a lost
  packet sent again, a stalled server: against the stand-in on a machine at load 9, one
  search arrived 385 ms after it was sent, and the fourth request after it was refused).
  No answer comes back quicker than the quickest successful (2xx) answer of its kind so
  far, so one that took longer than that by more than the margin less ``ESTIMATE_SLACK``
  (60 ms) says the request arrived that much later than it left: its windows then count
  from that arrival, and the next window opens ``ESTIMATE_SLACK`` after it. Answers within
  the jitter move nothing; a request whose answer has not come back when a later turn is due
  counts from its send, with the margin. A refusal (a 429 or 503, often from a proxy or
  before any work is done) or a redirect teaches nothing of how quick answers are: learnt
  from, it would make every later answer look late and slow the pacing for the rest of the
  run.
- In flight: a place is held from before the request is sent until its answer has been read
  in full, so the server, which counts a request from its arrival until its answer is written,
  never counts more than the client does.

Every answer's ``x-rate-limit-*`` headers add the announced window of its kind (both windows
are kept, so the pacer never goes above its configured limits), and ``x-concurrency-limit``
resizes the gate; the pacer follows the headers down and back up.

429s and errors: a 429 pauses its kind for the window (or ``Retry-After``); every request of
that kind still waiting waits out the pause too, then the pace is full again. A 429 to a
request sent after such a pause had ended, within ten windows of it, means the pause did
not help: :meth:`Pacer.throttled` says so, and the client counts it as a failure.
Failures (those 429s, 5xx, timeouts, cut answers) go to an :class:`ErrorWindow`, and only a
sustained share of them slows the pacer down: each step halves the rates and the requests in
flight.

The clock and the sleep are injected so tests run on a fake clock, deterministically.

How a client uses it::

    pacer = Pacer(ARXIV)                        # or the one its caller shares
    async with pacer.slot("single") as turn:     # waits for the turn and a place in flight
        # The whole answer read inside; the tracer notes when the request really left.
        response = await http.get(url, extensions={"trace": pacer.tracer(turn)})
    pacer.observe("single", RateLimit.from_headers(response.headers))  # if it announces any
    if response.status_code == 429:
        if pacer.throttled(turn, retry_after):   # pauses the kind; True when 429s persist
            pacer.record(True)
        # retry: the next slot() waits out the pause
    else:
        pacer.record(failed=response.status_code >= 500)
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from refcheck.resolve.protocol import RateLimit

__all__ = [
    "ARXIV",
    "DATACITE",
    "DOI_ORG",
    "ESTIMATE_SLACK",
    "MARGIN",
    "OPEN_LIBRARY",
    "POLITE",
    "PUBLIC",
    "ErrorWindow",
    "Etiquette",
    "Limits",
    "Pacer",
    "RequestKind",
    "Turn",
    "Window",
]

# "single", "list" for Crossref; a service with one kind of request uses "single".
RequestKind = str

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]

# Seconds added to every window for network jitter; see the module docstring.
MARGIN = 0.08
# A 429 within this many windows after a 429 pause ended counts as a failure.
_REPEAT_WINDOWS = 10
# Seconds kept between a late request's arrival, as estimated from its answer, and the
# next window: what answering it may have taken less than answering the quickest did.
ESTIMATE_SLACK = 0.02

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Window:
    """At most ``limit`` requests in any ``interval`` seconds."""

    limit: int
    interval: float = 1.0

    def __post_init__(self) -> None:
        if self.limit < 1 or not self.interval > 0:
            raise ValueError("pacing limits must be positive")

    @property
    def per_second(self) -> float:
        return self.limit / self.interval

    @classmethod
    def of_rate(cls, per_second: float) -> Window:
        """A whole number of requests over the interval that makes ``per_second``."""
        if not per_second > 0:
            raise ValueError("pacing limits must be positive")
        limit = max(1, math.floor(per_second))
        return cls(limit, limit / per_second)


@dataclass(frozen=True)
class Etiquette:
    """A service's limits: a window for each kind of request, and requests in flight; the
    margin and spread of the module docstring."""

    windows: Mapping[RequestKind, Window]
    concurrency: int
    margin: float = MARGIN
    spread: float = 1.0

    def __post_init__(self) -> None:
        if not self.windows or self.concurrency < 1:
            raise ValueError("pacing limits must be positive")
        if self.margin < 0:
            raise ValueError("pacing margin must not be negative")
        if not 0 < self.spread <= 1:
            raise ValueError("pacing spread must be over 0 and at most 1")


@dataclass(frozen=True)
class Limits:
    """Crossref's limits as requests per second for each kind, and requests in flight."""

    single_rate: float
    list_rate: float
    concurrency: int

    def etiquette(self, margin: float = MARGIN, spread: float = 0.25) -> Etiquette:
        if self.single_rate <= 0 or self.list_rate <= 0 or self.concurrency < 1:
            raise ValueError("pacing limits must be positive")
        windows = {"single": Window.of_rate(self.single_rate)}
        windows["list"] = Window.of_rate(self.list_rate)
        return Etiquette(windows, self.concurrency, margin, spread)


# Crossref's limits since December 2025.
POLITE = Limits(single_rate=10.0, list_rate=3.0, concurrency=3)
PUBLIC = Limits(single_rate=5.0, list_rate=1.0, concurrency=1)
# DataCite: 1,000 requests in 5 minutes from one address.
DATACITE = Etiquette({"single": Window(1000, 300.0)}, concurrency=3, spread=1.0)
# arXiv's API: one request every 3 seconds, on one connection.
ARXIV = Etiquette({"single": Window(1, 3.0)}, concurrency=1)
# Open Library: at most one request a second.
OPEN_LIBRARY = Etiquette({"single": Window(1, 1.0)}, concurrency=1)
# doi.org documents no number; this is gentle.
DOI_ORG = Etiquette({"single": Window(2, 1.0)}, concurrency=2)


@dataclass(eq=False)
class Turn:
    """One request's turn: when its windows count from (when it was let go, then when it
    really went, later still when its answer says it arrived late), the end of the pause
    before it, if any, and when the request left (``left``, None until it has)."""

    kind: RequestKind
    at: float
    after_pause: float | None = None
    sent: bool = False
    left: float | None = None


@dataclass
class _Bucket:
    ceiling: Window  # as configured
    announced: Window | None = None  # as the server's headers said last
    next_slot: float = float("-inf")
    paused_until: float = float("-inf")
    # The quickest successful answer to this kind so far, from the request leaving to it.
    quickest: float = float("inf")
    # The latest turns, in the order they were planned: as many as the largest window holds.
    turns: deque[Turn] = field(default_factory=deque)

    def windows(self) -> list[Window]:
        return [self.ceiling] if self.announced is None else [self.ceiling, self.announced]

    def per_second(self) -> float:
        return min(w.per_second for w in self.windows())

    def interval(self) -> float:
        """The window a pause after a 429 waits out: the announced one, if any."""
        return (self.announced or self.ceiling).interval

    def opens(self, turn: Turn, margin: float, stretch: float) -> float:
        """The earliest a turn may go: for each window, the limit-th latest turn at or before
        it, plus the window (``stretch`` times longer while slowed down) and the margin."""
        # By time, not by order of planning: a turn whose request went late may be later.
        before = sorted(
            other.at for other in self.turns if other is not turn and other.at <= turn.at
        )
        earliest = float("-inf")
        for window in self.windows():
            if len(before) >= window.limit:
                latest = before[-window.limit]
                earliest = max(earliest, latest + window.interval * stretch + margin)
        return earliest

    def keep(self, turn: Turn) -> None:
        # The new turn and the ``limit`` turns before it; turns still waiting stay, however
        # many, since the turns after them are planned from them. A turn whose answer moved
        # it later may count after turns planned after it: the earliest sent turn goes first.
        most = max(w.limit for w in self.windows()) + 1
        self.turns.append(turn)
        while len(self.turns) > most:
            sent = [other for other in self.turns if other.sent]
            if not sent:
                break
            self.turns.remove(min(sent, key=lambda other: other.at))

    def forget(self, turn: Turn) -> None:
        """A turn given up before its request was sent counts against no window."""
        if turn in self.turns:
            self.turns.remove(turn)


class ErrorWindow:
    """The outcomes of the last ``size`` requests, and how many steps to slow down for them.

    Failed outcomes are 5xx, timeouts, connection faults, unreadable answers and 429s that
    keep coming after a pause; a 404 for an unknown DOI is an answer, not an error. Nothing
    is judged before ``least`` outcomes are known, so one early 503 does not count as a tenth
    of the traffic.

    ``level`` is 0 at full pace. When a failure takes the share of failures past ``threshold``
    it becomes 1 at once; while the share stays above, the first failure ``step`` or more
    outcomes after a step takes it one step further, up to ``deepest``. Once the share is back
    at or under the threshold, it falls by one for every ``step`` outcomes in a row that keep
    it there.
    """

    def __init__(
        self,
        size: int = 40,
        *,
        threshold: float = 0.10,
        least: int = 10,
        step: int = 10,
        deepest: int = 5,
    ) -> None:
        if not 1 <= least <= size or step < 1 or deepest < 1 or not 0.0 <= threshold < 1.0:
            raise ValueError(
                "error window: expected 1 <= least <= size, step and deepest >= 1, "
                "0 <= threshold < 1"
            )
        self.size = size
        self.threshold = threshold
        self.least = least
        self.step = step
        self.deepest = deepest
        self.level = 0
        self._outcomes: deque[bool] = deque(maxlen=size)
        self._since_deeper = 0  # outcomes since the level last grew
        self._calm = 0  # outcomes in a row with the share at or under the threshold

    @property
    def count(self) -> int:
        """Outcomes in the window (at most ``size``)."""
        return len(self._outcomes)

    @property
    def failures(self) -> int:
        """Failed outcomes in the window."""
        return sum(self._outcomes)

    @property
    def share(self) -> float:
        """The share of the window that failed (0 when empty)."""
        return self.failures / self.count if self._outcomes else 0.0

    @property
    def too_many(self) -> bool:
        """Enough outcomes known, and more than ``threshold`` of them failed."""
        return self.count >= self.least and self.share > self.threshold

    def record(self, failed: bool) -> int:
        """Note one request's outcome; the level it leaves."""
        self._outcomes.append(failed)
        self._since_deeper += 1
        if self.too_many:
            self._calm = 0
            # Only a fresh failure goes deeper: old ones still in the window do not.
            deeper = self.level == 0 or self._since_deeper >= self.step
            if failed and deeper and self.level < self.deepest:
                self.level += 1
                self._since_deeper = 0
        elif self.level > 0:
            self._calm += 1
            if self._calm >= self.step:
                self.level -= 1
                self._calm = 0
        return self.level


class _Gate:
    """A semaphore whose size can change while tasks wait on it (FIFO, cancellation-safe)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.in_use = 0
        self._waiters: deque[asyncio.Future[None]] = deque()

    async def acquire(self) -> None:
        if self.in_use < self.limit and not self._waiters:
            self.in_use += 1
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                # Granted, then cancelled before use: hand the place on.
                self.release()
            raise

    def release(self) -> None:
        self.in_use -= 1
        self._wake()

    def resize(self, limit: int) -> None:
        self.limit = limit
        self._wake()

    def _wake(self) -> None:
        while self._waiters and self.in_use < self.limit:
            waiter = self._waiters.popleft()
            if waiter.done():  # its task was cancelled while waiting
                continue
            self.in_use += 1
            waiter.set_result(None)


class Pacer:
    """Decides when each request to one service may go; share one per service."""

    def __init__(
        self,
        limits: Etiquette | Limits = POLITE,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        errors: ErrorWindow | None = None,
        slowest_rate: float = 1.0,
    ) -> None:
        """``errors`` judges when to slow down (a fresh :class:`ErrorWindow` by default);
        slowing down never takes a kind below ``slowest_rate`` requests a second (nor above
        its own rate, when that is slower still)."""
        etiquette = limits.etiquette() if isinstance(limits, Limits) else limits
        if slowest_rate <= 0:
            raise ValueError("slowest_rate must be positive")
        self.clock = clock
        self.sleep = sleep
        self.errors = errors if errors is not None else ErrorWindow()
        self.slowest_rate = slowest_rate
        self.etiquette = etiquette
        self.margin = etiquette.margin
        self.spread = etiquette.spread
        self._buckets = {kind: _Bucket(window) for kind, window in etiquette.windows.items()}
        # In flight at full pace: the configured limit, or the announced one when lower.
        self._concurrency = etiquette.concurrency
        self._gate = _Gate(self._slowed_concurrency())

    @classmethod
    def for_pool(
        cls, *, polite: bool, clock: Clock = time.monotonic, sleep: Sleep = asyncio.sleep
    ) -> Pacer:
        """The default pacing of Crossref's polite pool (with a mailto) or the public one."""
        return cls(POLITE if polite else PUBLIC, clock=clock, sleep=sleep)

    # --- state, for callers and tests --------------------------------------------------

    def rate(self, kind: RequestKind) -> float:
        """Requests per second currently allowed for this kind (slowed down, if it is)."""
        return self._slowed_rate(self._bucket(kind).per_second())

    def interval(self, kind: RequestKind) -> float:
        """Seconds of this kind's window (the announced one, if any): a 429's pause."""
        return self._bucket(kind).interval()

    @property
    def concurrency(self) -> int:
        """Requests allowed in flight at once now (slowed down, if it is)."""
        return self._gate.limit

    @property
    def slowdown(self) -> int:
        """Steps slowed down because of errors: 0 at full pace, each step halves the pace."""
        return self.errors.level

    @property
    def backing_off(self) -> bool:
        return self.errors.level > 0

    @property
    def in_flight(self) -> int:
        return self._gate.in_use

    def paused_until(self, kind: RequestKind) -> float:
        """Clock time before which no request of this kind starts (-inf when not paused)."""
        return self._bucket(kind).paused_until

    # --- pacing -------------------------------------------------------------------------

    @asynccontextmanager
    async def slot(self, kind: RequestKind) -> AsyncIterator[Turn]:
        """Hold a place in flight and wait for this kind's turn; send the request and read its
        answer inside."""
        bucket = self._bucket(kind)
        while True:
            # Wait out a pause without a place in flight, so the other kind is not held up.
            while (wait := bucket.paused_until - self.clock()) > 0:
                await self.sleep(wait)
            await self._gate.acquire()
            if bucket.paused_until > self.clock():  # paused while this task queued for a place
                self._gate.release()
                continue
            try:
                turn = await self._wait_turn(kind, bucket)
            except BaseException:
                self._gate.release()
                raise
            if turn is not None:
                break
            self._gate.release()
        try:
            yield turn
        finally:
            self._gate.release()

    async def _wait_turn(self, kind: RequestKind, bucket: _Bucket) -> Turn | None:
        """Wait for the next turn; None when a 429 paused the kind meanwhile."""
        turn = Turn(kind, max(self.clock(), bucket.next_slot, bucket.paused_until))
        bucket.keep(turn)
        # Slowed down, the windows stretch and requests go evenly spaced over them.
        rate = bucket.per_second()
        stretch = rate / self._slowed_rate(rate)
        spacing = (self.spread if stretch == 1 else 1.0) * stretch / rate
        try:
            turn.at = max(turn.at, bucket.opens(turn, self.margin, stretch))
            bucket.next_slot = turn.at + spacing
            while True:
                while (wait := turn.at - self.clock()) > 0:
                    await self.sleep(wait)
                    if bucket.paused_until > turn.at:
                        bucket.forget(turn)
                        return None
                # The windows count from when the request really goes, which may be later
                # than planned (a late wake-up, or a turn before it that went late).
                turn.at = self.clock()
                opens = bucket.opens(turn, self.margin, stretch)
                if opens <= turn.at:
                    break
                turn.at = opens
        except BaseException:
            bucket.forget(turn)
            raise
        turn.sent = True
        if bucket.paused_until > float("-inf"):
            turn.after_pause = bucket.paused_until
        return turn

    def observe(self, kind: RequestKind, limit: RateLimit) -> None:
        """Follow the limits an answer to a ``kind`` request announced (the configured ones
        still hold)."""
        if limit.limit is not None and limit.interval is not None:
            self._bucket(kind).announced = Window(limit.limit, limit.interval)
        if limit.concurrency is not None:
            self._concurrency = min(self.etiquette.concurrency, limit.concurrency)
            self._resize()

    def pause(self, kind: RequestKind, seconds: float) -> None:
        """Hold back every request of this kind for ``seconds``."""
        bucket = self._bucket(kind)
        bucket.paused_until = max(bucket.paused_until, self.clock() + max(0.0, seconds))

    def sent(self, turn: Turn) -> None:
        """The turn's request has just left: its windows count from now, if that is later
        than the turn (the client may yield between its turn and the send, and a busy event
        loop can take a while to come back)."""
        turn.left = self.clock()
        turn.at = max(turn.at, turn.left)

    def answered(self, turn: Turn, status: int | None = None) -> None:
        """The answer to the turn's request, of this HTTP ``status`` (None when unknown), has
        begun to arrive: if it came later than the quickest successful answer of its kind by
        more than the margin covers, the request reached the server late (a resent packet, a
        stalled server), and its windows count from when it arrived as near as the client can
        tell (see :func:`_late_arrival`). Only a 2xx answer can be the quickest."""
        if turn.left is None:
            return
        bucket = self._bucket(turn.kind)
        now = self.clock()
        took = now - turn.left
        if status is not None and 200 <= status < 300:
            bucket.quickest = min(bucket.quickest, took)
        arrived = _late_arrival(turn.left, now, bucket.quickest, self.margin)
        if arrived > turn.at:
            _log.debug(
                "%s request answered after %.3f s (quickest %.3f s): counted from %.3f s "
                "after it left",
                turn.kind,
                took,
                bucket.quickest,
                arrived - turn.left,
            )
            turn.at = arrived

    def tracer(self, turn: Turn) -> Callable[[str, dict[str, Any]], Awaitable[None]]:
        """An httpx ``trace`` extension that calls :meth:`sent` once the request's headers
        are written and :meth:`answered`, with the answer's status, once its headers have
        been read: ``http.get(url, extensions={"trace": pacer.tracer(turn)})``."""

        async def trace(event: str, info: dict[str, Any]) -> None:
            if event.endswith("send_request_headers.complete"):
                self.sent(turn)
            elif event.endswith("receive_response_headers.complete"):
                self.answered(turn, _traced_status(info))

        return trace

    def throttled(self, turn: Turn, seconds: float | None = None) -> bool:
        """A 429 answered this turn's request: pause its kind for ``seconds`` (its window when
        None). True when it counts as a failure: the request went after an earlier pause had
        ended, not long before, so pausing did not help. A lone 429, or several to requests
        sent together, is the server's way of counting, not trouble."""
        bucket = self._bucket(turn.kind)
        repeated = (
            turn.after_pause is not None
            and turn.at - turn.after_pause < _REPEAT_WINDOWS * bucket.interval()
        )
        self.pause(turn.kind, bucket.interval() if seconds is None else seconds)
        return repeated

    def record(self, failed: bool) -> int:
        """Note whether a request failed; slow down or speed up as the errors say. The level."""
        before = self.errors.level
        level = self.errors.record(failed)
        if level != before:
            self._resize()
        return level

    # --- slowing down -------------------------------------------------------------------

    def _bucket(self, kind: RequestKind) -> _Bucket:
        try:
            return self._buckets[kind]
        except KeyError:
            raise ValueError(f"no pacing for requests of kind {kind!r}") from None

    def _slowed_rate(self, rate: float) -> float:
        level = self.errors.level
        if level == 0:
            return rate
        return max(rate * 0.5**level, min(rate, self.slowest_rate))

    def _slowed_concurrency(self) -> int:
        return max(1, self._concurrency >> self.errors.level)

    def _resize(self) -> None:
        wanted = self._slowed_concurrency()
        if wanted != self._gate.limit:
            self._gate.resize(wanted)


def _traced_status(info: Mapping[str, Any]) -> int | None:
    """The status an httpcore ``receive_response_headers.complete`` event carries: its
    ``return_value`` is (version, status, reason, headers) over HTTP/1.1 and (status,
    headers) over HTTP/2, so the first whole number in it."""
    answer = info.get("return_value")
    if not isinstance(answer, tuple):
        return None
    return next((v for v in answer if type(v) is int), None)


def _late_arrival(left: float, answered: float, quickest: float, margin: float) -> float:
    """When a request's windows count from, judged by its answer: the time it left, or, when
    it may have reached the server later than the margin covers, that later time less the
    margin (so that the next window opens ``ESTIMATE_SLACK`` after the arrival).

    No answer comes back quicker than the quickest so far, so the server had the request by
    ``answered - quickest`` at the latest (if answering it took no longer than answering the
    quickest one did); an answer within the margin of the quickest is the jitter the margin
    is for, and moves nothing."""
    latest = answered - quickest
    return max(left, latest + ESTIMATE_SLACK - margin)
