from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
import threading
import warnings
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from refcheck.models import Person, Work
from refcheck.resolve.cache import (
    MISS,
    SCHEMA_VERSION,
    CacheStats,
    CacheWarning,
    WorkCache,
    doi_key,
    search_key,
)

# Any CacheWarning not expected with pytest.warns is a failure.
pytestmark = pytest.mark.filterwarnings("error::refcheck.resolve.cache.CacheWarning")

DAY = 86_400.0


class Clock:
    """A settable clock, in seconds since the epoch."""

    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def work(doi: str = "10.1056/NEJMoa1209250", title: str = "Follow-up of Sciatica") -> Work:
    return Work(
        doi=doi,
        type="journal-article",
        title=title,
        container_title=("New England Journal of Medicine",),
        volume="368",
        page="999-1007",
        authors=(Person(family="el Barzouhi", given="Abdelilah"),),
        issued=(2013, 3, 14),
    )


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def cache(tmp_path: Path, clock: Clock) -> Iterator[WorkCache]:
    with WorkCache(tmp_path / "cache" / "crossref.sqlite3", clock=clock) as opened:
        yield opened


# --- keys ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("doi", "key"),
    [
        ("10.1056/NEJMoa1209250", "10.1056/nejmoa1209250"),
        (" https://doi.org/10.1056/NEJMoa1209250 ", "10.1056/nejmoa1209250"),
        ("http://dx.doi.org/10.1056/nejmoa1209250", "10.1056/nejmoa1209250"),
        ("doi:10.1056/NEJMoa1209250", "10.1056/nejmoa1209250"),
        ("DOI: 10.1056/NEJMoa1209250", "10.1056/nejmoa1209250"),
    ],
)
def test_doi_key_folds_case_and_prefixes(doi: str, key: str) -> None:
    assert doi_key(doi) == key


@pytest.mark.parametrize(
    ("query", "key"),
    [
        ("Kasch R 2022 Spine", "kasch r 2022 spine"),
        ("  KASCH, R. (2022).\tSpine!  ", "kasch r 2022 spine"),
        ("Follow-up of Sciatica", "follow up of sciatica"),
        ("Straße  Übersicht", "strasse übersicht"),
    ],
)
def test_search_key_normalises_case_punctuation_and_space(query: str, key: str) -> None:
    assert search_key(query) == key


# --- works -----------------------------------------------------------------------------


def test_work_round_trip_by_any_spelling_of_the_doi(cache: WorkCache) -> None:
    stored = work()
    cache.put_work("https://doi.org/10.1056/NEJMoa1209250", stored)

    assert cache.get_work("10.1056/nejmoa1209250") == stored
    assert cache.get_work("10.1056/other") is MISS
    assert cache.stats == CacheStats(hits=1, misses=1)


def test_entries_outlive_the_instance(tmp_path: Path, clock: Clock) -> None:
    path = tmp_path / "crossref.sqlite3"
    with WorkCache(path, clock=clock) as first:
        first.put_work("10.1/a", work("10.1/a"))
    with WorkCache(path, clock=clock) as second:
        assert second.get_work("10.1/a") == work("10.1/a")


def test_work_expires_after_ttl(tmp_path: Path, clock: Clock) -> None:
    cache = WorkCache(tmp_path / "c.sqlite3", ttl=timedelta(days=30), clock=clock)
    cache.put_work("10.1/a", work("10.1/a"))

    clock.now += 30 * DAY - 1
    assert cache.get_work("10.1/a") == work("10.1/a")
    clock.now += 2
    assert cache.get_work("10.1/a") is MISS
    cache.close()


def test_ttl_is_the_readers_not_the_writers(tmp_path: Path, clock: Clock) -> None:
    path = tmp_path / "c.sqlite3"
    with WorkCache(path, ttl=timedelta(days=30), clock=clock) as long_lived:
        long_lived.put_work("10.1/a", work("10.1/a"))
    clock.now += 2 * DAY
    with WorkCache(path, ttl=timedelta(days=1), clock=clock) as short_lived:
        assert short_lived.get_work("10.1/a") is MISS


def test_absent_doi_is_cached_as_none_for_a_shorter_time(cache: WorkCache, clock: Clock) -> None:
    cache.put_work("10.1056/NEJMoa1209259", None)
    cache.put_work("10.1/present", work("10.1/present"))

    assert cache.get_work("10.1056/nejmoa1209259") is None
    clock.now += DAY + 1
    assert cache.get_work("10.1056/nejmoa1209259") is MISS
    assert cache.get_work("10.1/present") == work("10.1/present")
    assert cache.stats == CacheStats(hits=2, misses=1)


def test_an_answer_replaces_the_last(cache: WorkCache) -> None:
    cache.put_work("10.1/a", None)
    cache.put_work("10.1/A", work("10.1/A", title="Registered since"))
    found = cache.get_work("10.1/a")
    assert found is not None
    assert found is not MISS
    assert found.title == "Registered since"


def test_put_works_stores_a_batch(cache: WorkCache) -> None:
    cache.put_works({"10.1/a": work("10.1/a"), "10.1/b": None, "10.1/c": work("10.1/c")})

    assert cache.get_work("10.1/a") == work("10.1/a")
    assert cache.get_work("10.1/b") is None
    assert cache.get_work("10.1/c") == work("10.1/c")


def test_record_that_no_longer_validates_is_a_miss(cache: WorkCache) -> None:
    cache.put_work("10.1/a", work("10.1/a"))
    with sqlite3.connect(cache.path) as db:
        db.execute("UPDATE works SET body = ? WHERE doi = ?", ('{"doi": 5, "colour": 1}', "10.1/a"))
    db.close()

    assert cache.get_work("10.1/a") is MISS
    assert cache.stats == CacheStats(hits=0, misses=1)
    cache.put_work("10.1/a", work("10.1/a"))
    assert cache.get_work("10.1/a") == work("10.1/a")


def test_purge_removes_only_expired_entries(cache: WorkCache, clock: Clock) -> None:
    cache.put_works({"10.1/old": work("10.1/old"), "10.1/gone": None})
    cache.put_search("old query", 5, [work()])
    clock.now += 2 * DAY
    cache.put_work("10.1/new", work("10.1/new"))

    assert cache.purge() == 1  # only the absent entry is past its (1 day) life
    clock.now += 29 * DAY
    assert cache.purge() == 2  # the old work and the old search
    assert cache.get_work("10.1/new") == work("10.1/new")


# --- searches --------------------------------------------------------------------------


def test_search_round_trip_keeps_order_and_scores(cache: WorkCache) -> None:
    answer = [
        work("10.1/a", "First").model_copy(update={"score": 91.5}),
        work("10.1/b", "Second").model_copy(update={"score": 12.25}),
    ]
    cache.put_search("El Barzouhi, A. (2013) Sciatica", 5, answer)

    found = cache.get_search("el barzouhi a 2013   SCIATICA.", 5)
    assert found is not MISS
    assert found == answer
    assert [w.score for w in found] == [91.5, 12.25]


def test_search_is_keyed_by_query_and_rows(cache: WorkCache, clock: Clock) -> None:
    cache.put_search("kasch 2022 spine", 5, [work()])
    cache.put_search("nothing like it", 5, [])

    assert cache.get_search("kasch 2022 spine", 20) is MISS
    assert cache.get_search("kasch 2021 spine", 5) is MISS
    assert cache.get_search("Nothing like it!", 5) == []
    clock.now += 30 * DAY
    assert cache.get_search("kasch 2022 spine", 5) is MISS


# --- sharing -------------------------------------------------------------------------


def test_database_is_in_wal_mode_with_a_schema_version(cache: WorkCache) -> None:
    db = sqlite3.connect(cache.path)
    try:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        version = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        assert version == (str(SCHEMA_VERSION),)
    finally:
        db.close()


def test_two_caches_on_one_file_write_at_once_from_threads(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite3"
    errors: list[BaseException] = []
    start = threading.Barrier(2, timeout=10)

    def writer(name: str) -> None:
        try:
            with WorkCache(path) as cache:
                start.wait()
                for i in range(150):
                    cache.put_work(f"10.1/{name}{i}", work(f"10.1/{name}{i}"))
                    cache.put_search(f"{name} {i}", 5, [work(f"10.1/{name}{i}")])
                    assert cache.get_work(f"10.1/{name}{i}") == work(f"10.1/{name}{i}")
                assert cache.enabled
        except BaseException as error:  # collected: a thread's exception would be lost
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    with WorkCache(path) as cache:
        assert all(cache.get_work(f"10.1/{n}{i}") is not MISS for n in "ab" for i in range(150))


def test_runs_starting_at_once_all_create_the_same_new_file(tmp_path: Path) -> None:
    # Switching a new file to WAL races; SQLite refuses one side at once instead of waiting.
    def open_cache(path: Path, start: threading.Barrier, errors: list[BaseException]) -> None:
        try:
            start.wait()
            with WorkCache(path) as cache:
                assert cache.enabled
        except BaseException as error:
            errors.append(error)

    for trial in range(30):
        path = tmp_path / str(trial) / "crossref.sqlite3"
        start = threading.Barrier(4, timeout=10)
        errors: list[BaseException] = []
        threads = [
            threading.Thread(target=open_cache, args=(path, start, errors)) for _ in range(4)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == [], f"trial {trial}"


_OTHER_RUN = textwrap.dedent(
    """
    import sys, warnings
    from pathlib import Path
    from refcheck.models import Work
    from refcheck.resolve.cache import WorkCache, CacheWarning
    warnings.simplefilter("error", CacheWarning)
    with WorkCache(Path(sys.argv[1])) as cache:
        print("ready", flush=True)
        sys.stdin.readline()
        for i in range(300):
            cache.put_work(f"10.2/{i}", Work(doi=f"10.2/{i}", title=f"Other run {i}"))
        print("enabled" if cache.enabled else "disabled", flush=True)
    """
)


def test_two_processes_share_one_file(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite3"
    other = subprocess.Popen(
        [sys.executable, "-c", _OTHER_RUN, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert other.stdout is not None
    assert other.stdin is not None
    assert other.stdout.readline().strip() == "ready", other.stderr and other.stderr.read()
    with WorkCache(path) as cache:
        other.stdin.write("go\n")
        other.stdin.flush()
        for i in range(300):
            cache.put_work(f"10.1/{i}", work(f"10.1/{i}"))
        out, err = other.communicate(timeout=60)

        assert other.returncode == 0, err
        assert out.strip() == "enabled"
        assert cache.enabled
        assert cache.get_work("10.2/299") == Work(doi="10.2/299", title="Other run 299")
        assert all(cache.get_work(f"10.{p}/{i}") is not MISS for p in (1, 2) for i in range(300))


# --- damage and failure ----------------------------------------------------------------


def _aside(path: Path) -> list[Path]:
    return sorted(path.parent.glob(path.name + ".corrupt-*"))


def test_garbage_file_is_set_aside_and_rebuilt(tmp_path: Path, clock: Clock) -> None:
    path = tmp_path / "crossref.sqlite3"
    garbage = os.urandom(64) + b"this is not a database" * 200
    path.write_bytes(garbage)

    with pytest.warns(CacheWarning, match="not a refcheck cache.*moved it to.*corrupt-"):
        cache = WorkCache(path, clock=clock)

    assert cache.enabled
    cache.put_work("10.1/a", work("10.1/a"))
    assert cache.get_work("10.1/a") == work("10.1/a")
    cache.close()
    [aside] = _aside(path)
    assert aside.name == "crossref.sqlite3.corrupt-20231114T221320Z"
    assert aside.read_bytes() == garbage


def test_database_of_another_schema_is_set_aside(tmp_path: Path) -> None:
    path = tmp_path / "crossref.sqlite3"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE notes (body TEXT)")
    db.commit()
    db.close()

    with pytest.warns(CacheWarning, match="other tables"):
        cache = WorkCache(path)
    assert cache.enabled
    assert len(_aside(path)) == 1
    cache.close()


def test_other_schema_version_is_set_aside(tmp_path: Path) -> None:
    path = tmp_path / "crossref.sqlite3"
    with WorkCache(path) as cache:
        cache.put_work("10.1/a", work("10.1/a"))
    db = sqlite3.connect(path)
    db.execute("UPDATE meta SET value = '999' WHERE key = 'schema_version'")
    db.commit()
    db.close()

    with pytest.warns(CacheWarning, match="schema version 999"):
        cache = WorkCache(path)
    assert cache.get_work("10.1/a") is MISS
    cache.close()


def test_damage_found_mid_run_is_set_aside_and_rebuilt(tmp_path: Path, clock: Clock) -> None:
    path = tmp_path / "crossref.sqlite3"
    with WorkCache(path, clock=clock) as cache:
        cache.put_works({f"10.1/{i}": work(f"10.1/{i}", "x" * 500) for i in range(50)})
    data = path.read_bytes()
    # Keep the schema pages at the front, so the file opens; overwrite the rows behind them.
    path.write_bytes(data[: 8 * 4096] + b"\xa5" * (len(data) - 8 * 4096))

    cache = WorkCache(path, clock=clock)
    assert cache.enabled
    with pytest.warns(CacheWarning, match="is damaged.*moved it to"):
        assert cache.get_work("10.1/40") is MISS
    assert len(_aside(path)) == 1
    cache.put_work("10.1/new", work("10.1/new"))
    assert cache.get_work("10.1/new") == work("10.1/new")
    cache.close()


def test_two_damaged_files_in_one_second_get_distinct_names(tmp_path: Path, clock: Clock) -> None:
    path = tmp_path / "crossref.sqlite3"
    for _ in range(2):
        path.write_bytes(b"garbage" * 500)
        with pytest.warns(CacheWarning, match="moved it to"):
            WorkCache(path, clock=clock).close()
    assert len(_aside(path)) == 2


def _one_warning(record: list[warnings.WarningMessage]) -> str:
    cache_warnings = [w for w in record if issubclass(w.category, CacheWarning)]
    assert len(cache_warnings) == 1, [str(w.message) for w in cache_warnings]
    return str(cache_warnings[0].message)


def test_directory_that_cannot_be_created_disables_the_cache(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the cache directory should be")
    path = blocker / "refcheck" / "crossref.sqlite3"

    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        cache = WorkCache(path)
        cache.put_work("10.1/a", work("10.1/a"))
        cache.put_works({"10.1/b": None})
        cache.put_search("q", 5, [work()])
        assert cache.get_work("10.1/a") is MISS
        assert cache.get_search("q", 5) is MISS
        assert cache.purge() == 0

    assert "cannot be created" in _one_warning(record)
    assert not cache.enabled
    assert cache.stats == CacheStats(hits=0, misses=2)


def test_file_that_cannot_be_opened_disables_the_cache(tmp_path: Path) -> None:
    path = tmp_path / "crossref.sqlite3"
    path.mkdir()  # a directory where the file should be

    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        cache = WorkCache(path)
        cache.put_work("10.1/a", work("10.1/a"))

    assert "cannot be opened" in _one_warning(record)
    assert not cache.enabled
    assert cache.get_work("10.1/a") is MISS


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs a non-root POSIX user")
def test_read_only_directory_disables_the_cache(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always")
            cache = WorkCache(locked / "crossref.sqlite3")
            cache.put_work("10.1/a", work("10.1/a"))
        _one_warning(record)
        assert not cache.enabled
    finally:
        locked.chmod(0o700)


def test_closed_cache_misses_quietly(tmp_path: Path) -> None:
    with WorkCache(tmp_path / "c.sqlite3") as cache:
        cache.put_work("10.1/a", work("10.1/a"))
    assert not cache.enabled
    assert cache.get_work("10.1/a") is MISS
    cache.put_work("10.1/b", None)  # dropped, no error, no warning
    cache.close()  # twice is fine


def test_default_path_is_in_the_user_cache_dir() -> None:
    path = WorkCache.default_path()
    assert path.name == "crossref.sqlite3"
    assert "refcheck" in path.parts
