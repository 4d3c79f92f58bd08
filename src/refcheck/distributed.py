"""Checks spread over a Dask cluster (``pip install 'refcheck[dask]'``).

A run's references are cut into partitions in input order; each partition is one Dask task,
:func:`check_partition`, which checks it against the snapshot stores at paths every worker
can read (a shared filesystem, or a copy on each machine at the same path) and gives its
verdicts back; they are handed on in input order, so the reports are the ones an in-process
run writes.

Only offline runs are spread: online, every worker would share one Crossref pool (its
limits are per user, not per machine), so a run without a snapshot store is refused. The
workers read the stores and nothing else: no answer cache, which is per machine and would
make a verdict depend on where its partition ran. Each store is opened once on the client
before any partition is sent: one missing or unreadable is the in-process run's one-line
error at once, not every partition's, each retried, on the workers.

:func:`check_partition` is pure: the same settings and references give the same verdicts
wherever and however often it runs. That is what makes Dask's own recovery safe: a
partition whose worker is lost is run again by the scheduler (up to its
``distributed.scheduler.allowed-failures``), one that raises is retried (``retries`` on
submit), and each partition's verdicts are taken once, from its one result, in order.
The same function serves any engine that hands out partitions (Spark's ``mapPartitions``:
see the README).
"""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Sequence
from itertools import islice
from typing import TYPE_CHECKING

from refcheck import api
from refcheck.config import Settings
from refcheck.errors import ConfigError, RefcheckError
from refcheck.models import Reference, Verdict
from refcheck.resolve.resolver import Resolver
from refcheck.resolve.store import SnapshotStore, is_store

if TYPE_CHECKING:
    from distributed import Client, Future

__all__ = [
    "PARTITION_SIZE",
    "PartitionCheck",
    "check_partition",
    "iter_check",
    "partition_settings",
    "refuse_unless_possible",
]

# References a task checks by default: a few seconds of a worker's time against a large
# store, so a task's own cost (a few ms) is lost in it and a lost worker costs little work
# again. A multiple of api.CHUNK: the partition's chunks fall where an in-process run's do.
PARTITION_SIZE = 4 * api.CHUNK
# Retries of a partition that raised (a worker lost mid-task is the scheduler's to rerun).
RETRIES = 3
# Seconds to reach the scheduler before giving up.
CONNECT_TIMEOUT = 20

INSTALL_HINT = "a distributed check needs Dask: pip install 'refcheck[dask]'"

PartitionCheck = Callable[[Settings, Sequence[Reference]], list[Verdict]]


def partition_settings(settings: Settings) -> Settings:
    """The settings each partition is checked with: offline, the stores at absolute paths,
    no answer cache, one process. Raises ConfigError for a run that cannot be spread."""
    if not settings.snapshots:
        raise ConfigError(
            "a distributed check runs offline against a snapshot store (--snapshot "
            "STORE.sqlite3, made by 'refcheck snapshot import'): online, every worker "
            "would share one Crossref pool"
        )
    # A path that is no file is left for opening the stores to name (missing, a folder).
    lines = [path for path in settings.snapshots if path.is_file() and not is_store(path)]
    if lines:
        raise ConfigError(
            f"a distributed check reads snapshot stores; {lines[0]} is JSON lines "
            "(make a store of it with 'refcheck snapshot import')"
        )
    return settings.model_copy(
        update={
            "offline": True,
            "no_cache": True,
            "cache_dir": None,
            "jobs": 1,
            "snapshots": tuple(path.resolve() for path in settings.snapshots),
        }
    )


def refuse_unless_possible(settings: Settings) -> None:
    """Raise ConfigError, before any work, when a run with these settings cannot be spread
    over Dask: no snapshot store, or Dask not installed; InputError when a store cannot be
    opened."""
    partition_settings(settings)
    _open_stores(settings)
    _dask_client()


def _open_stores(settings: Settings) -> None:
    """Open each store and close it again, raising the InputError an in-process run raises
    for one missing or unreadable: the workers open the same paths, and there the error
    would come back from every partition, after its retries."""
    for path in settings.snapshots:
        SnapshotStore(path).close()


# Each worker thread's resolvers, by their settings: a store opened once, kept for the
# thread's life (an SQLite connection serves one thread at a time).
_local = threading.local()


def _resolver(settings: Settings) -> Resolver:
    resolvers: dict[Settings, Resolver] | None = getattr(_local, "resolvers", None)
    if resolvers is None:
        resolvers = _local.resolvers = {}
    resolver = resolvers.get(settings)
    if resolver is None:
        resolver = resolvers[settings] = Resolver.from_settings(settings)
    return resolver


def check_partition(settings: Settings, references: Sequence[Reference]) -> list[Verdict]:
    """The verdicts of one partition, in its order (``settings`` from
    :func:`partition_settings`). Pure: a partition run again gives the same verdicts."""
    return asyncio.run(api.check_async(references, settings, resolver=_resolver(settings)))


def _partitions(references: Iterable[Reference], size: int) -> Iterator[list[Reference]]:
    source = iter(references)
    while part := list(islice(source, size)):
        yield part


def _dask_client() -> type[Client]:
    try:
        from distributed import Client
    except ImportError:
        raise ConfigError(INSTALL_HINT) from None
    return Client


async def _connect(address: str) -> Client:
    client_class = _dask_client()
    try:
        client: Client = await client_class(
            address, asynchronous=True, timeout=CONNECT_TIMEOUT, set_as_default=False
        )
    except (OSError, TimeoutError, ValueError) as error:
        raise ConfigError(f"cannot reach the Dask scheduler at {address}: {error}") from None
    return client


def _taken(number: int, part: Sequence[Reference], verdicts: Sequence[Verdict]) -> list[Verdict]:
    """A partition's verdicts, checked to be one per reference, in its order: a verdict
    lost or given twice would be a wrong report, not a slower one."""
    if len(verdicts) != len(part) or any(
        verdict.reference.location != reference.location
        for verdict, reference in zip(verdicts, part, strict=False)
    ):
        raise RefcheckError(
            f"partition {number} gave {len(verdicts)} verdicts for {len(part)} references, "
            "or not in their order"
        )
    return list(verdicts)


async def iter_check(
    references: Iterable[Reference],
    settings: Settings,
    scheduler: str,
    *,
    partition_size: int = PARTITION_SIZE,
    retries: int = RETRIES,
    check: PartitionCheck = check_partition,
) -> AsyncIterator[Verdict]:
    """Verdicts in input order, the references checked in partitions of ``partition_size``
    on the Dask cluster whose scheduler is at ``scheduler``. A few partitions a worker
    thread are in flight at a time, the earliest first, so references are read as the
    cluster takes them and the first verdicts come early. Raises ConfigError before any
    work for a run that cannot be spread (see :func:`partition_settings`), InputError for
    a store that cannot be opened."""
    if partition_size < 1:
        raise ConfigError(f"the partition size must be at least 1, not {partition_size}")
    worker_settings = partition_settings(settings)
    _open_stores(settings)
    client = await _connect(scheduler)
    run = uuid.uuid4().hex
    flying: deque[tuple[int, list[Reference], Future[list[Verdict]]]] = deque()
    try:
        threads: dict[str, int] = await client.nthreads()  # type: ignore[no-untyped-call]
        window = max(4, 2 * sum(threads.values()))
        for number, part in enumerate(_partitions(references, partition_size)):
            future = client.submit(
                check,
                worker_settings,
                part,
                key=f"refcheck-partition-{run}-{number}",
                retries=retries,
                priority=-number,  # the earliest first: its verdicts are reported next
            )
            flying.append((number, part, future))
            while len(flying) >= window:
                for verdict in await _result(*flying.popleft()):
                    yield verdict
        while flying:
            for verdict in await _result(*flying.popleft()):
                yield verdict
    finally:
        if flying:
            await client.cancel([future for _, _, future in flying])  # type: ignore[no-untyped-call]
        await client.close()  # type: ignore[no-untyped-call]


async def _result(
    number: int, part: Sequence[Reference], future: Future[list[Verdict]]
) -> list[Verdict]:
    from distributed import KilledWorker

    try:
        verdicts: list[Verdict] = await future
    except KilledWorker as error:
        raise RefcheckError(
            f"partition {number}: the workers running it kept dying ({error})"
        ) from None
    except OSError as error:  # the scheduler's connection closed
        raise RefcheckError(f"partition {number}: lost the Dask scheduler ({error})") from None
    return _taken(number, part, verdicts)
