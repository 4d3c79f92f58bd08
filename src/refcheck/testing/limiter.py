"""How a stand-in counts requests against its rate limit: two ways servers do it.

``"bucket"``
    a token bucket holding ``limit`` tokens, refilled evenly over ``interval``: it forgives a
    burst after a quiet spell, and a request that comes a little early after another.
``"window"``
    a strict sliding window: at most ``limit`` requests arriving in any ``interval`` seconds
    (a request at ``t`` is counted with those that arrived after ``t - interval``).

Only requests let through are counted; a refused one uses up nothing. Both are used under
their owner's lock, and take arrivals in the order they are counted: a thread that stamped
its arrival before another's but got to the lock after it counts as arriving with it.
"""

from __future__ import annotations

from collections import deque
from typing import Literal, Protocol

__all__ = ["COUNTINGS", "Counter", "Counting", "SlidingWindow", "TokenBucket", "counter"]

Counting = Literal["bucket", "window"]
COUNTINGS: tuple[Counting, ...] = ("bucket", "window")


class Counter(Protocol):
    def take(self, now: float) -> bool:
        """Let a request arriving at ``now`` through (and count it), or refuse it."""
        ...


class TokenBucket:
    """``limit`` tokens, refilled evenly over ``interval`` seconds; starts full."""

    def __init__(self, limit: int, interval: float) -> None:
        self.capacity = float(limit)
        self.per_second = limit / interval
        self.tokens = float(limit)
        self.stamp: float | None = None

    def take(self, now: float) -> bool:
        if self.stamp is not None:
            now = max(now, self.stamp)
            refill = (now - self.stamp) * self.per_second
            self.tokens = min(self.capacity, self.tokens + refill)
        self.stamp = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


class SlidingWindow:
    """At most ``limit`` requests arriving in any ``interval`` seconds."""

    def __init__(self, limit: int, interval: float) -> None:
        self.limit = limit
        self.interval = interval
        self.arrivals: deque[float] = deque()

    def take(self, now: float) -> bool:
        if self.arrivals:
            now = max(now, self.arrivals[-1])
        while self.arrivals and self.arrivals[0] <= now - self.interval:
            self.arrivals.popleft()
        if len(self.arrivals) >= self.limit:
            return False
        self.arrivals.append(now)
        return True


def counter(counting: Counting, limit: int, interval: float) -> Counter:
    """A fresh counter of the given way of counting."""
    if limit < 1 or not interval > 0:
        raise ValueError("a rate limit needs a positive limit and interval")
    if counting == "bucket":
        return TokenBucket(limit, interval)
    if counting == "window":
        return SlidingWindow(limit, interval)
    raise ValueError(f"counting must be one of {', '.join(COUNTINGS)}, not {counting!r}")
