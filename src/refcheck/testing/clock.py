"""A clock for testing pacing: time moves only when someone sleeps, and at once.

Pass it as both ``clock`` and ``sleep`` of :class:`refcheck.resolve.pacing.Pacer` to see
the waits a pacer asks for without waiting them.
"""

from __future__ import annotations

import asyncio

__all__ = ["FakeClock"]


class FakeClock:
    """Time that moves only when someone sleeps; sleeping moves it on at once."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += max(0.0, seconds)
        await asyncio.sleep(0)
