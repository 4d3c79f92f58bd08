"""The cache file shared by separate processes: concurrent writers, and a writer killed mid-write.

test_cache.py covers threads, a subprocess writing while this one writes, and damaged files;
these add spawned processes hammering one file at once, and SIGKILL in the middle of writes.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sqlite3
import time
import warnings
from multiprocessing.synchronize import Event
from pathlib import Path

import pytest

from refcheck.models import Person, Work
from refcheck.resolve.cache import MISS, CacheWarning, WorkCache

SPAWN = multiprocessing.get_context("spawn")
WRITES = 200


def work(doi: str, writer: str) -> Work:
    return Work(
        doi=doi,
        title=f"Written by {writer} " + "x" * 200,
        authors=(Person(family="Kasch", given="R."),),
        issued=(2022,),
    )


def _writer(path: str, name: str, start: Event) -> None:
    """Child: write works and searches as fast as it can; any cache warning is a failure."""
    warnings.simplefilter("error", CacheWarning)
    with WorkCache(Path(path)) as cache:
        start.wait(30)
        for i in range(WRITES):
            cache.put_work(f"10.{name}/{i}", work(f"10.{name}/{i}", name))
            # Both write the same keys too, so that they contend for the same rows.
            cache.put_work(f"10.9/shared{i % 10}", work(f"10.9/shared{i % 10}", name))
            cache.put_search(f"query {name} {i}", 5, [work(f"10.{name}/{i}", name)])
        if not cache.enabled:
            raise SystemExit(3)


def _endless_writer(path: str, ready: Event) -> None:
    """Child: write in big batches until killed, so the kill lands inside a transaction."""
    with WorkCache(Path(path)) as cache:
        batch = 0
        while True:
            cache.put_works(
                {f"10.5/{batch}-{i}": work(f"10.5/{batch}-{i}", "k") for i in range(50)}
            )
            batch += 1
            if batch == 3:
                ready.set()


def _integrity(path: Path) -> str:
    db = sqlite3.connect(path)
    try:
        result: str = db.execute("PRAGMA integrity_check").fetchone()[0]
        return result
    finally:
        db.close()


def test_two_spawned_processes_write_one_file_at_once(tmp_path: Path) -> None:
    path = tmp_path / "crossref.sqlite3"
    start = SPAWN.Event()
    writers = [SPAWN.Process(target=_writer, args=(str(path), n, start)) for n in ("1", "2")]
    for process in writers:
        process.start()
    start.set()
    for process in writers:
        process.join(60)

    assert [p.exitcode for p in writers] == [0, 0]
    assert _integrity(path) == "ok"
    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheWarning)
        with WorkCache(path) as cache:
            for name in ("1", "2"):
                for i in range(WRITES):
                    assert cache.get_work(f"10.{name}/{i}") == work(f"10.{name}/{i}", name)
                    assert cache.get_search(f"query {name} {i}", 5) != MISS
            shared = cache.get_work("10.9/shared3")
            assert shared is not None
            assert shared is not MISS
            assert shared.title is not None
            assert shared.title.startswith("Written by ")


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_writer_killed_mid_write_leaves_the_cache_usable(tmp_path: Path) -> None:
    path = tmp_path / "crossref.sqlite3"
    ready = SPAWN.Event()
    child = SPAWN.Process(target=_endless_writer, args=(str(path), ready))
    child.start()
    try:
        assert ready.wait(30), "the writer never got going"
        time.sleep(0.05)  # let it get well into another batch
        assert child.pid is not None
        os.kill(child.pid, signal.SIGKILL)
        child.join(10)
    finally:
        if child.is_alive():
            child.kill()
            child.join(10)
    assert child.exitcode == -signal.SIGKILL

    with warnings.catch_warnings():
        # A kill is not damage: the file opens as it is, with no warning and nothing set aside.
        warnings.simplefilter("error", CacheWarning)
        with WorkCache(path) as cache:
            assert cache.enabled
            # The batches committed before the kill are whole.
            for i in range(50):
                assert cache.get_work(f"10.5/0-{i}") == work(f"10.5/0-{i}", "k")
            cache.put_work("10.1/after", work("10.1/after", "survivor"))
            assert cache.get_work("10.1/after") == work("10.1/after", "survivor")
            assert cache.enabled
    assert _integrity(path) == "ok"
    assert not list(tmp_path.glob("*.corrupt-*"))


def test_batches_are_all_or_nothing_after_a_kill(tmp_path: Path) -> None:
    path = tmp_path / "crossref.sqlite3"
    ready = SPAWN.Event()
    child = SPAWN.Process(target=_endless_writer, args=(str(path), ready))
    child.start()
    try:
        assert ready.wait(30)
        assert child.pid is not None
        os.kill(child.pid, signal.SIGKILL)
        child.join(10)
    finally:
        if child.is_alive():
            child.kill()
            child.join(10)

    db = sqlite3.connect(path)
    try:
        keys = [row[0] for row in db.execute("SELECT doi FROM works")]
    finally:
        db.close()
    per_batch: dict[str, int] = {}
    for key in keys:
        batch = key.split("/")[1].split("-")[0]
        per_batch[batch] = per_batch.get(batch, 0) + 1
    # Each put_works is one transaction: a kill never leaves part of a batch behind.
    assert len(per_batch) >= 3
    assert set(per_batch.values()) == {50}
