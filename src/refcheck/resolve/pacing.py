"""Pacing of Crossref requests: two rate buckets and one concurrency gate.

Crossref limits single-record requests (``/works/{doi}``) and list requests (``/works?…``)
separately, and both together by the number of requests in flight. Its limits since December
2025:

    pool                       single/s  list/s  concurrent
    polite (a mailto is sent)        10       3           3
    public                            5       1           1

A :class:`Pacer` spaces requests evenly (no bursts), so it stays under a limit however the
server counts its window. Every answer's ``x-rate-limit-*`` headers update the bucket of the
kind of request that got them, and ``x-concurrency-limit`` the gate; the pacer follows the
headers down and back up, but never above what its owner configured. A 429 pauses its bucket:
every task still waiting for a turn waits out the pause too.

The clock and the sleep are injected so tests run on a fake clock, deterministically.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Literal

from refcheck.resolve.protocol import RateLimit

__all__ = ["POLITE", "PUBLIC", "ErrorWindow", "Limits", "Pacer", "RequestKind"]

RequestKind = Literal["single", "list"]

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class Limits:
    """Requests per second for each kind, and requests in flight at once."""

    single_rate: float
    list_rate: float
    concurrency: int


POLITE = Limits(single_rate=10.0, list_rate=3.0, concurrency=3)
PUBLIC = Limits(single_rate=5.0, list_rate=1.0, concurrency=1)


@dataclass
class _Bucket:
    ceiling: float
    rate: float  # as configured or announced, before any slowing down
    next_slot: float = float("-inf")
    paused_until: float = float("-inf")


class ErrorWindow:
    """The outcomes of the last ``size`` requests, and how many steps to slow down for them.

    Failed outcomes are 429s, 5xx, timeouts, connection faults and unreadable answers; a 404
    for an unknown DOI is an answer, not an error. Nothing is judged before ``least`` outcomes
    are known, so one early 503 does not count as a tenth of the traffic.

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
    """Decides when each Crossref request may go; share one per client (or per pool of them)."""

    def __init__(
        self,
        limits: Limits = POLITE,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        errors: ErrorWindow | None = None,
        slowest_rate: float = 1.0,
    ) -> None:
        """``errors`` judges when to slow down (a fresh :class:`ErrorWindow` by default);
        slowing down never takes a kind below ``slowest_rate`` requests a second (nor above
        its own rate, when that is slower still)."""
        if limits.single_rate <= 0 or limits.list_rate <= 0 or limits.concurrency < 1:
            raise ValueError("pacing limits must be positive")
        if slowest_rate <= 0:
            raise ValueError("slowest_rate must be positive")
        self.clock = clock
        self.sleep = sleep
        self.errors = errors if errors is not None else ErrorWindow()
        self.slowest_rate = slowest_rate
        self._limits = limits
        self._buckets: dict[RequestKind, _Bucket] = {
            "single": _Bucket(ceiling=limits.single_rate, rate=limits.single_rate),
            "list": _Bucket(ceiling=limits.list_rate, rate=limits.list_rate),
        }
        # In flight at full pace: the configured limit, or the announced one when lower.
        self._concurrency = limits.concurrency
        self._gate = _Gate(self._slowed_concurrency())

    @classmethod
    def for_pool(
        cls, *, polite: bool, clock: Clock = time.monotonic, sleep: Sleep = asyncio.sleep
    ) -> Pacer:
        """The default pacing of the polite pool (with a mailto) or the public one."""
        return cls(POLITE if polite else PUBLIC, clock=clock, sleep=sleep)

    # --- state, for callers and tests --------------------------------------------------

    def rate(self, kind: RequestKind) -> float:
        """Requests per second currently allowed for this kind (slowed down, if it is)."""
        return self._slowed_rate(self._buckets[kind].rate)

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
        return self._buckets[kind].paused_until

    # --- pacing -------------------------------------------------------------------------

    @asynccontextmanager
    async def slot(self, kind: RequestKind) -> AsyncIterator[None]:
        """Hold a place in flight and wait for this kind's turn; send the request inside."""
        bucket = self._buckets[kind]
        while True:
            # Wait out a pause without a place in flight, so the other kind is not held up.
            while (wait := bucket.paused_until - self.clock()) > 0:
                await self.sleep(wait)
            await self._gate.acquire()
            if bucket.paused_until > self.clock():  # paused while this task queued for a place
                self._gate.release()
                continue
            try:
                on_time = await self._wait_turn(bucket)
            except BaseException:
                self._gate.release()
                raise
            if on_time:
                break
            self._gate.release()
        try:
            yield
        finally:
            self._gate.release()

    async def _wait_turn(self, bucket: _Bucket) -> bool:
        """Wait for the next evenly spaced turn; False when a 429 paused the bucket meanwhile."""
        start = max(self.clock(), bucket.next_slot, bucket.paused_until)
        bucket.next_slot = start + 1.0 / self._slowed_rate(bucket.rate)
        while (wait := start - self.clock()) > 0:
            await self.sleep(wait)
            if bucket.paused_until > start:
                return False
        return True

    def observe(self, kind: RequestKind, limit: RateLimit) -> None:
        """Follow the limits an answer to a ``kind`` request announced (never above the ceiling)."""
        per_second = limit.per_second
        if per_second is not None:
            bucket = self._buckets[kind]
            bucket.rate = min(bucket.ceiling, per_second)
        if limit.concurrency is not None:
            self._concurrency = min(self._limits.concurrency, limit.concurrency)
            self._resize()

    def pause(self, kind: RequestKind, seconds: float) -> None:
        """Hold back every request of this kind for ``seconds`` (after a 429)."""
        bucket = self._buckets[kind]
        bucket.paused_until = max(bucket.paused_until, self.clock() + max(0.0, seconds))

    def record(self, failed: bool) -> int:
        """Note whether a request failed; slow down or speed up as the errors say. The level."""
        before = self.errors.level
        level = self.errors.record(failed)
        if level != before:
            self._resize()
        return level

    # --- slowing down -------------------------------------------------------------------

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
