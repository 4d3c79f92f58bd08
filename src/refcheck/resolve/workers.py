"""Worker processes for an offline run with many references to search.

Searching a snapshot store, choosing among its candidates and comparing the chosen work
are Python, held to one core by the GIL: a few milliseconds a reference in a store of a
million works. Offline, nothing else paces a run, so the references to search can be
checked in worker processes, each with its own resolver over the same store (SQLite
serves any number of readers) and the same cache. Processes are started with ``spawn`` at
the first batch; a script that calls the library with ``jobs`` set needs the usual
``if __name__ == "__main__":`` guard.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import ParamSpec, TypeVar

from refcheck.config import Settings
from refcheck.errors import InputError

__all__ = ["SearchWorkers", "cpu_count"]

_P = ParamSpec("_P")
_T = TypeVar("_T")


def cpu_count() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on every platform
        return os.cpu_count() or 1


class SearchWorkers:
    """A pool of ``count`` processes for the settings ``settings`` (offline, with the
    snapshot stores the run's resolver reads)."""

    def __init__(self, settings: Settings, count: int) -> None:
        self.settings = settings
        self.count = count
        self._pool: ProcessPoolExecutor | None = None

    async def run(self, function: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs) -> _T:
        """``function(*args)`` in a worker. Raises InputError when a worker dies."""
        if self._pool is None:
            context = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(self.count, mp_context=context)
        try:
            return await asyncio.wrap_future(self._pool.submit(function, *args, **kwargs))
        except BrokenProcessPool as error:
            raise InputError(f"a search worker process stopped ({error})") from error

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __repr__(self) -> str:
        return f"SearchWorkers({self.count} processes)"
