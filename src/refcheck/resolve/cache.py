"""A local SQLite cache of the registries' answers, so a second run costs no requests.

What is kept:

* works by DOI (normalised by :func:`doi_key`), as the JSON of :class:`~refcheck.models.Work`;
* DOIs Crossref said it does not have ("absent"), for a shorter time, since a DOI can be
  registered any day;
* search answers by normalised query (:func:`search_key`) and number of rows, scores kept;
* registration agencies by DOI (doi.org's ``/ra/`` and Crossref's ``/agency`` answers);
* the other registries' answers that are lists of works, by source and key: DataCite's and
  Open Library's searches, Crossref's and Open Library's books under an ISBN. An empty
  answer ("none") is kept for the shorter time, as an absent DOI.

Each entry remembers when it was stored; it is fresh while younger than the time to live the
*reading* cache was opened with, so shortening ``ttl`` takes effect on old entries too.

Sharing and safety. The database runs in WAL mode with a busy timeout, so several refcheck
runs at once read and write the same file without corruption. One :class:`WorkCache` is
meant for one thread (SQLite connections are not shared across threads); every call is a
short local transaction, cheap enough to make from an event loop.

The cache never stops a check. Problems are reported with :func:`warnings.warn` under
:class:`CacheWarning` (so a caller can filter, log or escalate them), then:

* a file that is not an SQLite database, is corrupt, or has another schema is renamed aside
  to ``<name>.corrupt-<UTC timestamp>`` and a fresh cache is built in its place;
* a directory that cannot be created, a file that cannot be opened or written, or a lock
  held past the busy timeout disables the cache for the rest of the run (every read is a
  miss, every write is dropped);
* a stored record that no longer validates as a Work is a miss.
"""

from __future__ import annotations

import contextlib
import enum
import json
import sqlite3
import time
import unicodedata
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Final, Literal, Self, TypeVar

import platformdirs
from pydantic import TypeAdapter, ValidationError

from refcheck.models import Work
from refcheck.resolve.agency import Agency

__all__ = [
    "MISS",
    "SCHEMA_VERSION",
    "CacheStats",
    "CacheWarning",
    "Miss",
    "WorkCache",
    "doi_key",
    "search_key",
]

SCHEMA_VERSION: Final = 1

# How long a writer waits for another run's lock before the cache gives up on this run.
_BUSY_TIMEOUT_S: Final = 10.0

_DOI_PREFIXES: Final = (
    "https://doi.org/",
    "http://doi.org/",
    "https://dx.doi.org/",
    "http://dx.doi.org/",
    "doi.org/",
    "dx.doi.org/",
    "doi:",
)

# body: the registration agency as JSON {"id", "label"}, or NULL when no agency holds the
# DOI. Added after schema version 1 was released: created in older files when they open.
_AGENCIES_TABLE: Final = (
    "CREATE TABLE IF NOT EXISTS agencies (doi TEXT PRIMARY KEY, body TEXT, stored_at REAL NOT NULL)"
)

# body: a JSON array of Works (empty: the source holds none). ``source`` names the source and
# the question ("datacite-search", "openlibrary-isbn"...), ``key`` the question's words.
# Added after schema version 1 was released: created in older files when they open.
_ANSWERS_TABLE: Final = (
    "CREATE TABLE IF NOT EXISTS answers (source TEXT NOT NULL, key TEXT NOT NULL,"
    " body TEXT NOT NULL, stored_at REAL NOT NULL, PRIMARY KEY (source, key))"
)

_SCHEMA: Final = (
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    # body: the Work as JSON, or NULL when Crossref has no such DOI.
    "CREATE TABLE works (doi TEXT PRIMARY KEY, body TEXT, stored_at REAL NOT NULL)",
    # body: a JSON array of Works, in Crossref's order, scores kept.
    """CREATE TABLE searches (
        query TEXT NOT NULL,
        rows INTEGER NOT NULL,
        body TEXT NOT NULL,
        stored_at REAL NOT NULL,
        PRIMARY KEY (query, rows)
    )""",
    _AGENCIES_TABLE,
    _ANSWERS_TABLE,
)
_TABLES: Final = frozenset({"meta", "works", "searches"})

_WORK_LIST: Final = TypeAdapter(list[Work])
_T = TypeVar("_T")


class CacheWarning(UserWarning):
    """The cache could not be used as it is; the check goes on (see the module docstring)."""


class Miss(enum.Enum):
    """The type of :data:`MISS`: test with ``result is MISS``."""

    MISS = "miss"

    def __repr__(self) -> str:
        return "MISS"


MISS: Final = Miss.MISS
"""Not in the cache, or expired: ask Crossref. (``None`` from :meth:`WorkCache.get_work`
means the opposite: Crossref was asked and has no such DOI.)"""


@dataclass(frozen=True, slots=True)
class CacheStats:
    hits: int = 0
    misses: int = 0


def doi_key(doi: str) -> str:
    """The form a DOI is stored under: trimmed, lowercased, without a doi.org/``doi:`` prefix.

    >>> doi_key(" https://doi.org/10.1056/NEJMoa1209250 ")
    '10.1056/nejmoa1209250'
    """
    key = doi.strip().lower()
    for prefix in _DOI_PREFIXES:
        if key.startswith(prefix):
            return key[len(prefix) :].strip()
    return key


def search_key(query: str) -> str:
    """The form a search query is stored under: casefolded, punctuation replaced by spaces,
    whitespace collapsed, so trivially different spellings of one query share an answer.

    >>> search_key("  Kasch, R.  (2022): Lumbar MRI -- Spine. ")
    'kasch r 2022 lumbar mri spine'
    """
    spaced = "".join(" " if unicodedata.category(c).startswith("P") else c for c in query)
    return " ".join(spaced.casefold().split())


class WorkCache:
    """Crossref works, absent DOIs and search answers, in an SQLite file.

    >>> with WorkCache(WorkCache.default_path()) as cache:  # doctest: +SKIP
    ...     work = cache.get_work("10.1056/NEJMoa1209250")
    ...     if work is MISS:
    ...         work = ...  # ask Crossref, then
    ...         cache.put_work("10.1056/NEJMoa1209250", work)
    """

    def __init__(
        self,
        path: Path,
        *,
        ttl: timedelta = timedelta(days=30),
        negative_ttl: timedelta = timedelta(days=1),
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.path = Path(path)
        self._ttl = ttl.total_seconds()
        self._negative_ttl = negative_ttl.total_seconds()
        self._clock = clock
        self._hits = 0
        self._misses = 0
        self._rebuilt = False
        self._db: sqlite3.Connection | None = None
        self._db = self._open()

    @staticmethod
    def default_path() -> Path:
        """The per-user cache file: e.g. ``~/.cache/refcheck/crossref.sqlite3`` on Linux."""
        return platformdirs.user_cache_path("refcheck") / "crossref.sqlite3"

    @property
    def enabled(self) -> bool:
        """False once the cache has been closed or has disabled itself after a problem."""
        return self._db is not None

    @property
    def stats(self) -> CacheStats:
        """Lookups answered from the cache (hits) and not (misses), works and searches."""
        return CacheStats(hits=self._hits, misses=self._misses)

    # --- works -------------------------------------------------------------------------

    def get_work(self, doi: str) -> Work | Literal[Miss.MISS] | None:
        """The cached work for ``doi``; None if cached as absent; :data:`MISS` otherwise."""
        row = self._fetch("SELECT body, stored_at FROM works WHERE doi = ?", (doi_key(doi),))
        if row is None:
            return self._miss()
        body, stored_at = row
        ttl = self._ttl if body is not None else self._negative_ttl
        if not self._fresh(stored_at, ttl):
            return self._miss()
        if body is None:
            return self._hit(None)
        try:
            work = Work.model_validate_json(body)
        except ValidationError:
            # Written by another version of the model: ask again, the put will replace it.
            return self._miss()
        return self._hit(work)

    def put_work(self, doi: str, work: Work | None) -> None:
        """Store Crossref's answer for ``doi``: a work, or None for "no such DOI"."""
        self.put_works({doi: work})

    def put_works(self, works: Mapping[str, Work | None]) -> None:
        """Store several answers by DOI in one transaction."""
        now = self._clock()
        rows = [
            (doi_key(doi), None if work is None else work.model_dump_json(), now)
            for doi, work in works.items()
        ]
        self._write("INSERT OR REPLACE INTO works (doi, body, stored_at) VALUES (?, ?, ?)", rows)

    # --- registration agencies -----------------------------------------------------------

    def get_agency(self, doi: str) -> Agency | Literal[Miss.MISS] | None:
        """The cached agency of ``doi``; None if cached as held by none; :data:`MISS`."""
        row = self._fetch("SELECT body, stored_at FROM agencies WHERE doi = ?", (doi_key(doi),))
        if row is None:
            return self._miss()
        body, stored_at = row
        if not self._fresh(stored_at, self._ttl if body is not None else self._negative_ttl):
            return self._miss()
        if body is None:
            return self._hit(None)
        try:
            value = json.loads(body)
            return self._hit(Agency(str(value["id"]), str(value["label"])))
        except (ValueError, TypeError, KeyError):
            return self._miss()

    def put_agencies(self, agencies: Mapping[str, Agency | None]) -> None:
        """Store agency answers by DOI (None: no agency holds it) in one transaction."""
        now = self._clock()
        rows = [
            (
                doi_key(doi),
                None if agency is None else json.dumps({"id": agency.id, "label": agency.label}),
                now,
            )
            for doi, agency in agencies.items()
        ]
        self._write("INSERT OR REPLACE INTO agencies (doi, body, stored_at) VALUES (?, ?, ?)", rows)

    # --- searches ----------------------------------------------------------------------

    def get_search(self, query: str, rows: int) -> list[Work] | Literal[Miss.MISS]:
        """The cached answer to ``query`` asked with ``rows`` rows, or :data:`MISS`."""
        row = self._fetch(
            "SELECT body, stored_at FROM searches WHERE query = ? AND rows = ?",
            (search_key(query), rows),
        )
        if row is None or row[0] is None or not self._fresh(row[1], self._ttl):
            return self._miss()
        try:
            works = _WORK_LIST.validate_json(row[0])
        except ValidationError:
            return self._miss()
        return self._hit(works)

    def put_search(self, query: str, rows: int, works: Sequence[Work]) -> None:
        """Store the answer (works with their scores, in order) to ``query`` with ``rows``."""
        body = "[" + ",".join(w.model_dump_json() for w in works) + "]"
        self._write(
            "INSERT OR REPLACE INTO searches (query, rows, body, stored_at) VALUES (?, ?, ?, ?)",
            [(search_key(query), rows, body, self._clock())],
        )

    # --- other registries' answers --------------------------------------------------------

    def get_answer(self, source: str, key: str) -> list[Work] | Literal[Miss.MISS]:
        """The works ``source`` answered to ``key`` (empty: it holds none), or :data:`MISS`."""
        row = self._fetch(
            "SELECT body, stored_at FROM answers WHERE source = ? AND key = ?", (source, key)
        )
        if row is None or row[0] is None:
            return self._miss()
        try:
            works = _WORK_LIST.validate_json(row[0])
        except ValidationError:
            return self._miss()
        if not self._fresh(row[1], self._ttl if works else self._negative_ttl):
            return self._miss()
        return self._hit(works)

    def put_answers(self, source: str, answers: Mapping[str, Sequence[Work]]) -> None:
        """Store ``source``'s answers by key (works in its order) in one transaction."""
        now = self._clock()
        rows = [
            (source, key, "[" + ",".join(w.model_dump_json() for w in works) + "]", now)
            for key, works in answers.items()
        ]
        self._write(
            "INSERT OR REPLACE INTO answers (source, key, body, stored_at) VALUES (?, ?, ?, ?)",
            rows,
        )

    # --- upkeep ------------------------------------------------------------------------

    def purge(self) -> int:
        """Delete expired entries; return how many went."""
        now = self._clock()
        db = self._db
        if db is None:
            return 0
        try:
            with _transaction(db):
                removed = db.execute(
                    "DELETE FROM works WHERE stored_at <= ? - (CASE WHEN body IS NULL"
                    " THEN ? ELSE ? END)",
                    (now, self._negative_ttl, self._ttl),
                ).rowcount
                removed += db.execute(
                    "DELETE FROM searches WHERE stored_at <= ?", (now - self._ttl,)
                ).rowcount
                removed += db.execute(
                    "DELETE FROM agencies WHERE stored_at <= ? - (CASE WHEN body IS NULL"
                    " THEN ? ELSE ? END)",
                    (now, self._negative_ttl, self._ttl),
                ).rowcount
                removed += db.execute(
                    "DELETE FROM answers WHERE stored_at <= ? - (CASE WHEN body = '[]'"
                    " THEN ? ELSE ? END)",
                    (now, self._negative_ttl, self._ttl),
                ).rowcount
        except sqlite3.Error as error:
            self._fail(error)
            return 0
        return removed

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "enabled" if self.enabled else "disabled"
        return f"WorkCache({str(self.path)!r}, {state})"

    # --- internals ---------------------------------------------------------------------

    def _fresh(self, stored_at: float, ttl: float) -> bool:
        return self._clock() - stored_at < ttl

    def _hit(self, value: _T) -> _T:
        self._hits += 1
        return value

    def _miss(self) -> Literal[Miss.MISS]:
        self._misses += 1
        return MISS

    def _fetch(self, sql: str, params: tuple[object, ...]) -> tuple[str | None, float] | None:
        db = self._db
        if db is None:
            return None
        try:
            row: tuple[str | None, float] | None = db.execute(sql, params).fetchone()
        except sqlite3.Error as error:
            self._fail(error)
            return None
        return row

    def _write(self, sql: str, rows: Iterable[tuple[object, ...]]) -> None:
        db = self._db
        if db is None:
            return
        try:
            with _transaction(db):
                db.executemany(sql, rows)
        except sqlite3.Error as error:
            self._fail(error)

    def _fail(self, error: sqlite3.Error) -> None:
        """A problem in the middle of a run: set a damaged file aside, or stop caching."""
        self.close()
        if _is_damage(error) and not self._rebuilt:
            self._db = self._rebuild(f"is damaged ({error})")
        else:
            self._disable(f"failed ({error})")

    def _open(self) -> sqlite3.Connection | None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            self._disable(f"cannot be created ({error.strerror or error})")
            return None
        try:
            return _connect(self.path)
        except _Damaged as damaged:
            return self._rebuild(str(damaged))
        except (sqlite3.Error, OSError) as error:
            self._disable(f"cannot be opened ({error})")
            return None

    def _rebuild(self, problem: str) -> sqlite3.Connection | None:
        """Move a damaged file aside and start an empty cache in its place (once a run)."""
        self._rebuilt = True
        try:
            aside = self._set_aside()
            db = _connect(self.path)
        except (_Damaged, sqlite3.Error, OSError) as error:
            self._disable(f"{problem} and cannot be rebuilt ({error})")
            return None
        where = f"moved it to {aside.name}" if aside else "another run moved it aside"
        _warn(f"refcheck cache {self.path} {problem}; {where} and started afresh")
        return db

    def _set_aside(self) -> Path | None:
        """Rename the cache file (and its WAL) to ``<name>.corrupt-<timestamp>``.

        None if the file had gone already: another run, finding it damaged too, moved it.
        """
        stamp = datetime.fromtimestamp(self._clock(), UTC).strftime("%Y%m%dT%H%M%SZ")
        aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        n = 1
        while aside.exists():
            n += 1
            aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}-{n}")
        try:
            self.path.replace(aside)
        except FileNotFoundError:
            return None
        # A WAL left beside the new file would be replayed into it: keep it with the damaged
        # file it belongs to. The shared-memory index is SQLite's to rebuild.
        wal = self.path.with_name(self.path.name + "-wal")
        if wal.exists():
            wal.replace(aside.with_name(aside.name + "-wal"))
        self.path.with_name(self.path.name + "-shm").unlink(missing_ok=True)
        return aside

    def _disable(self, reason: str) -> None:
        self._db = None
        _warn(f"refcheck cache {self.path} {reason}; continuing without a cache")


def _warn(message: str) -> None:
    warnings.warn(message, CacheWarning, stacklevel=3)


class _Damaged(Exception):
    """The file is not a refcheck cache of this schema version, or is corrupt."""


def _connect(path: Path) -> sqlite3.Connection:
    """Open the cache, creating its schema in an empty file; raise _Damaged if unusable."""
    # Autocommit mode: transactions are opened explicitly (BEGIN IMMEDIATE) by _transaction.
    db = sqlite3.connect(path, timeout=_BUSY_TIMEOUT_S, isolation_level=None)
    try:
        db.execute(f"PRAGMA busy_timeout = {int(_BUSY_TIMEOUT_S * 1000)}")
        # WAL lets readers and one writer from several runs work at once; NORMAL sync loses
        # at most the last entries on power loss, which a cache can afford.
        _set_wal(db)
        db.execute("PRAGMA synchronous = NORMAL")
        problem = _check_schema(db)
    except sqlite3.Error as error:
        db.close()
        if _is_damage(error):
            raise _Damaged(f"is not a refcheck cache ({error})") from error
        raise
    except BaseException:
        db.close()
        raise
    if problem is not None:
        db.close()
        raise _Damaged(problem)
    return db


def _set_wal(db: sqlite3.Connection) -> None:
    """Switch to WAL, retrying while another run does the same.

    Switching needs an exclusive lock; when two runs try at once on a new file, SQLite
    answers one with "database is locked" at once (waiting could deadlock), so wait here.
    """
    deadline = time.monotonic() + _BUSY_TIMEOUT_S
    while True:
        try:
            db.execute("PRAGMA journal_mode = WAL").fetchone()
            return
        except sqlite3.OperationalError as error:
            code = getattr(error, "sqlite_errorcode", None)
            busy = isinstance(code, int) and code & 0xFF in {_SQLITE_BUSY, _SQLITE_LOCKED}
            if not busy or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def _check_schema(db: sqlite3.Connection) -> str | None:
    """Create the schema in an empty file; return what is wrong with a non-empty one."""
    with _transaction(db):
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not tables:
            for statement in _SCHEMA:
                db.execute(statement)
            db.execute(
                "INSERT INTO meta (key, value) VALUES ('schema_version', ?)",
                (str(SCHEMA_VERSION),),
            )
            return None
    if not tables >= _TABLES:
        return "is not a refcheck cache (other tables)"
    row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    if row is None or row[0] != str(SCHEMA_VERSION):
        found = "none" if row is None else row[0]
        return f"has schema version {found}, not {SCHEMA_VERSION}"
    if not tables >= {"agencies", "answers"}:
        with _transaction(db):
            db.execute(_AGENCIES_TABLE)
            db.execute(_ANSWERS_TABLE)
    return None


class _transaction:
    """``BEGIN IMMEDIATE`` ... ``COMMIT``, or ``ROLLBACK`` on error.

    IMMEDIATE takes the write lock up front, so two runs wait on the busy timeout instead of
    failing with "database is locked" when both try to upgrade a read to a write.
    """

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self._db.execute("COMMIT")
        elif self._db.in_transaction:
            # The original error is the one worth reporting.
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")


# SQLite's primary result codes; Python reports extended codes, whose low byte is the primary.
_SQLITE_BUSY: Final = 5
_SQLITE_LOCKED: Final = 6
_SQLITE_CORRUPT: Final = 11
_SQLITE_NOTADB: Final = 26


def _is_damage(error: sqlite3.Error) -> bool:
    code = getattr(error, "sqlite_errorcode", None)
    return isinstance(code, int) and code & 0xFF in {_SQLITE_CORRUPT, _SQLITE_NOTADB}
