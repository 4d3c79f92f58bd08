"""An offline run with many references to search checks them in worker processes: the
verdicts must be the ones the run reaches in one process."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from refcheck.api import check_async
from refcheck.config import Settings
from refcheck.errors import InputError
from refcheck.models import Person, Reference, Verdict
from refcheck.resolve import resolver as resolver_module
from refcheck.resolve.resolver import Resolver
from refcheck.resolve.store import import_records
from refcheck.resolve.workers import SearchWorkers

from .jsonl import LIBRARY, record, write_jsonl

TOPICS = ("lumbar", "cervical", "thoracic", "sacral", "pelvic", "cranial", "dental")


def _works() -> list[dict[str, object]]:
    return [
        record(
            f"10.1/w{n}",
            f"Imaging study number {n} of the {TOPICS[n % 7]} region",
            (f"Author{n}", "Jensen"),
            "Spine",
            2000 + n % 20,
            volume=str(n % 40),
            page=f"{n}-{n + 9}",
        )
        for n in range(120)
    ]


def _references() -> list[Reference]:
    references = []
    for n in range(0, 120, 2):
        year = 2000 + n % 20 + (5 if n % 6 == 0 else 0)  # every third years off
        references.append(
            Reference(
                title=f"Imaging study number {n} of the {TOPICS[n % 7]} region",
                authors=(Person(family=f"Author{n}"), Person(family="Jensen")),
                container="Spine",
                year=year,
                volume=str(n % 40),
            )
        )
    references.append(Reference(title="Nothing like any work held", authors=(Person(family="X"),)))
    references.append(Reference(title="Lumbar MRI findings in sciatica", year=2019))
    return references


def _dumped(verdicts: list[Verdict]) -> list[dict[str, object]]:
    return [v.model_dump(mode="json") for v in verdicts]


async def test_worker_processes_reach_the_verdicts_of_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = write_jsonl(tmp_path / "works.jsonl", [*_works(), *LIBRARY])
    store = tmp_path / "works.sqlite3"
    import_records([source], store)
    references = _references()
    monkeypatch.setattr(resolver_module, "PARALLEL_SEARCHES", 10)

    verdicts = {}
    for jobs in (1, 2):
        settings = Settings(offline=True, no_cache=True, snapshots=(store,), jobs=jobs)
        async with Resolver.from_settings(settings) as resolver:
            verdicts[jobs] = await check_async(references, settings, resolver=resolver)
            assert (resolver._workers is not None) == (jobs == 2)

    assert _dumped(verdicts[2]) == _dumped(verdicts[1])
    statuses = {v.status.value for v in verdicts[1]}
    assert len(statuses) >= 3  # verified, a wrong year, unverified: not one verdict for all
    assert sum(v.work is not None for v in verdicts[1]) >= 60


@pytest.mark.parametrize(
    ("jobs", "searches", "offline", "expected"),
    [(2, 64, True, True), (1, 64, True, False), (2, 63, True, False), (2, 64, False, False)],
)
async def test_workers_start_only_for_many_offline_searches_in_a_store(
    tmp_path: Path, jobs: int, searches: int, offline: bool, expected: bool
) -> None:
    source = write_jsonl(tmp_path / "works.jsonl", LIBRARY)
    store = tmp_path / "works.sqlite3"
    import_records([source], store)
    settings = Settings(offline=offline, no_cache=True, snapshots=(store,), jobs=jobs)

    async with Resolver.from_settings(settings) as resolver:
        workers = resolver.search_workers(searches)

        assert (workers is not None) is expected
        if workers is not None:
            assert workers.settings.offline
            assert workers.settings.snapshots == (store,)


def _fails(message: str) -> None:
    raise InputError(message)


def _dies() -> None:
    os._exit(3)


async def test_a_workers_input_error_reaches_the_caller_and_a_dead_worker_is_one() -> None:
    workers = SearchWorkers(Settings(offline=True), 1)
    try:
        with pytest.raises(InputError, match="cannot open snapshot store x"):
            await workers.run(_fails, "cannot open snapshot store x")
        with pytest.raises(InputError, match="a search worker process stopped"):
            await workers.run(_dies)
    finally:
        workers.close()
