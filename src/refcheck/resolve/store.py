"""A snapshot store: Crossref works records in an SQLite file, by DOI and searchable offline.

An in-memory :class:`~refcheck.resolve.snapshot.Snapshot` reads its JSON lines on every run;
that suits thousands of works, not millions. :func:`import_records` reads the same JSON lines
(``.gz`` or not, a record or an API envelope a line), and the files Crossref distributes
(the Public Data File's tar of ``{"items": [...]}`` files, a folder of them, one of them,
saved API answers), once into an SQLite file; :func:`update_records` applies newer records
to it. DataCite records (JSON:API ``data`` objects, a line each or in a ``{"data": ...}``
answer) go in beside them: their Work is rebuilt by
:func:`~refcheck.resolve.datacite_records.work_from_datacite`, registry and all.
:class:`SnapshotStore` opens that file at once and answers the resolver as a Snapshot would:

* ``get(doi)`` gives the Work the Snapshot gives for the same record: the store keeps the
  part of each record :func:`~refcheck.resolve.records.work_from_record` reads, and builds
  the Work from it with that function;
* ``search(text, rows)`` ranks with the :class:`~refcheck.resolve.search_index.SearchIndex`'s
  BM25F, from the same statistics (works, average field lengths, document frequencies) and
  to rounding, ties to the work imported first. Each work's words are cut once at import
  by :func:`~refcheck.resolve.search_index.tokenise` (so folding and stop words agree) and
  indexed with SQLite's FTS5. FTS5 proposes the works holding the query's three rarest words
  (or, when fewer than ``rows`` do, two of them, then any), and only those are scored. A
  work lacking one of the query's rarest words can only come first when its other words make
  up for it, so the first row is the in-memory one in all but contrived cases. Later rows
  may differ: where the in-memory index fills them with works sharing only common words
  with the query (its journal, its year), the store fills them with works sharing rarer
  ones.

What is read of a line, what is skipped and counted, and which record wins when a DOI comes
twice (the later, in the later's place) are as for a Snapshot. One leniency: the record's
``reference`` list (most of its bytes) is never read, so damage inside that list alone does
not cost the record (a line msgspec refuses is read again by the json module with that list
cut out).

Import is built for size. JSON lines are gunzipped with ISA-L and streamed in blocks, handed
through shared memory to worker processes that parse them (started with ``spawn``: a script
calling :func:`import_records` with workers needs the usual ``if __name__ == "__main__":``
guard); a file that is one JSON document (each member of the Public Data File's tar: some
5,000 records) goes whole to a worker, which reads it where it lies (in a tar that is not
compressed, at the member's offset), gunzips it and scans its items with msgspec, each
item read as a line is. msgspec decodes only the keys kept, so the rest of a line is
checked but never built into Python objects. An input that gives no works record, or
loses more than 1% of its records, is refused. Rows go in one transaction with journalling
off, the full-text
index is optimised in one pass at the end, and the file is written under a temporary name
and renamed when whole: an interrupted import never leaves a half-built store under the name
asked for.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import heapq
import json
import math
import multiprocessing
import os
import re
import sqlite3
import tarfile
import time
import zlib
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing import shared_memory
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO, Final, Self

import msgspec
from isal import igzip

from refcheck.errors import InputError
from refcheck.models import Work
from refcheck.resolve.cache import doi_key
from refcheck.resolve.datacite_records import work_from_datacite
from refcheck.resolve.records import _text, _texts, _updates, _year, work_from_record
from refcheck.resolve.search_index import _K1, FIELDS, _idf, tokenise, work_fields
from refcheck.resolve.snapshot import WorkSource, _open, _reason
from refcheck.resolve.workers import cpu_count

__all__ = [
    "MAX_LOSS",
    "STORE_SUFFIXES",
    "CombinedSnapshot",
    "ImportStats",
    "SnapshotStore",
    "import_records",
    "is_store",
    "update_records",
]

FORMAT: Final = "refcheck snapshot store"
VERSION: Final = 1
STORE_SUFFIXES: Final = (".sqlite3", ".sqlite", ".db")
_SQLITE_HEADER: Final = b"SQLite format 3\x00"

_NAMES: Final = tuple(FIELDS)
_SPECS: Final = tuple((FIELDS[name].weight, FIELDS[name].b) for name in _NAMES)

# The keys of a works record that work_from_record reads; the rest is not stored.
_KEPT: Final[tuple[str, ...]] = (
    "DOI",
    "type",
    "title",
    "subtitle",
    "short-title",
    "container-title",
    "short-container-title",
    "container-title-short",
    "ISSN",
    "ISBN",
    "publisher",
    "volume",
    "issue",
    "page",
    "article-number",
    "author",
    "published-print",
    "published-online",
    "issued",
    "published",
    "updated-by",
    "relation",
    "score",
)
_PERSON_KEPT: Final[tuple[str, ...]] = ("family", "given", "name", "literal")
# A DataCite record (a JSON:API ``data`` object) is stored as ``{"datacite": {"id",
# "attributes"}}`` with the attributes work_from_datacite reads, and rebuilt with it: the
# marker key is none of a works record's kept keys.
_DATACITE_KEY: Final = "datacite"
_DATACITE_MARK: Final = '{"datacite":'
_DATACITE_KEPT: Final[tuple[str, ...]] = (
    "doi",
    "creators",
    "titles",
    "publicationYear",
    "dates",
    "container",
    "publisher",
    "types",
    "relatedIdentifiers",
)
_DATES: Final = ("published-print", "issued", "published-online", "published")  # Work.years
_NUMBERS: Final = ("volume", "issue", "page", "article-number")
_TITLES: Final = ("title", "subtitle", "short-title")

# An input losing more than this share of its records (lines or items that are not works
# records) is refused: a wrong file, or a damaged download.
MAX_LOSS: Final = 0.01
# Import: bytes of input a worker parses at a time, and blocks in flight per worker.
_BLOCK: Final = 1 << 22
_AHEAD: Final = 3
# A slot of shared memory holds a block and the line it began with (see _Slots).
_SLOT: Final = _BLOCK + (1 << 19)
# Inputs smaller than this are parsed in-process: starting workers would cost more.
_SMALL_INPUT: Final = 32 << 20

# Search: how many of the query's rarest words a candidate must hold, and the most works
# scored for one query (beyond it the rarest words are too common to tell works apart).
_QUORUM: Final = 3
_MMAP: Final = 1 << 30
_MAX_CANDIDATES: Final = 1000
_WIDEST: Final = 6
# Wider candidate sets are searched when they hold at most this many works for sure (or
# too few works were found), and at most this many are taken from them.
_CHEAP: Final = 100
_K1_PLUS_1: Final = _K1 + 1.0


@dataclass(frozen=True, slots=True)
class ImportStats:
    """What an import (or an update) read and wrote."""

    lines: int
    """Non-blank lines of JSON lines, and items of items files and API answers, read."""
    records: int
    """Works records found in them (a work-list envelope holds several)."""
    works: int
    """Works in the store: the records less those replaced by a later one with their DOI."""
    skipped: int
    """Lines or items that were not (wholly) works records: bad JSON, no DOI, an error
    envelope."""
    seconds: float
    path: Path
    size: int
    """Bytes of the store file."""
    forms: Mapping[str, int] = dataclasses.field(default_factory=dict)
    """Records by the form they came in: JSON lines, items files, API answers."""
    replaced: int | None = None
    """An update: works of the store replaced by a newer record (None: an import)."""

    @property
    def rate(self) -> float:
        """Records imported a second."""
        return self.records / self.seconds if self.seconds > 0 else 0.0

    def summary(self) -> str:
        """One line for a person: what went in, what was skipped, how fast, where."""
        forms = ", ".join(f"{n:,} from {form}" for form, n in self.forms.items() if n)
        forms = f"{forms}; " if forms else ""
        if self.replaced is not None:
            added = self.records - self.replaced
            return (
                f"updated {self.path} from {self.records:,} records ({forms}"
                f"{self.skipped:,} skipped): {self.replaced:,} works replaced, {added:,} "
                f"records added, {self.works:,} works now, in {self.seconds:.1f} s "
                f"({self.rate:,.0f} records/s; {_size(self.size)})"
            )
        replaced = self.records - self.works
        extra = f", {replaced:,} replaced by a later record" if replaced else ""
        return (
            f"imported {self.works:,} works from {self.records:,} records "
            f"({forms}{self.skipped:,} lines or items skipped{extra}) in {self.seconds:.1f} s "
            f"({self.rate:,.0f} records/s) into {self.path} ({_size(self.size)})"
        )


Progress = Callable[[int], None]
"""Called after each block of input with the number of records read so far."""


# --- import ------------------------------------------------------------------------------


def import_records(
    sources: Sequence[Path],
    store_path: Path,
    *,
    progress: Progress | None = None,
    workers: int | None = None,
    max_loss: float = MAX_LOSS,
) -> ImportStats:
    """Read Crossref works records into a new store at ``store_path``, replacing any file
    there once the store is whole.

    A source is JSON lines (``.gz`` = gzipped; a record or an API envelope a line), a file
    that is one JSON document (``{"items": [...]}`` as in Crossref's Public Data File, or an
    API answer, a work or a work list; pretty printed or not), a folder of such files, or a
    tar of them (the Public Data File itself, read as a stream). DataCite records come in
    the same ways: a ``data`` object a line, or a ``{"data": ...}`` answer of one or a list.
    Raises InputError when a
    source cannot be read, gives no works record, or loses more than ``max_loss`` of its
    records (lines or items that are not records), or the store cannot be written; the file
    at ``store_path`` is then left as it was. ``workers``: processes parsing the input
    (None: one a CPU for large inputs, none for small ones; 0: parse in this process).
    """
    started = time.perf_counter()
    store_path = Path(store_path)
    paths = [Path(p) for p in sources]
    workers = _workers_for(paths, workers)
    temporary = store_path.with_name(f".{store_path.name}.{os.getpid()}.importing")
    try:
        db = _create(temporary)
        try:
            db.execute("BEGIN")
            tallies, lengths = _load(db, paths, progress, workers)
            db.execute("COMMIT")
            _check_loss(paths, tallies, max_loss)
            records = sum(t.records for t in tallies)
            works = _index(db, records, lengths)
        finally:
            db.close()
        _sync(temporary)  # the bytes on disk before the name: a crash leaves no torn store
        os.replace(temporary, store_path)
        _sync(store_path.parent)
        size = store_path.stat().st_size
    except BaseException as error:
        _discard(temporary)
        failure = _failure(error, store_path)
        if failure is error:
            raise
        raise failure from error
    return ImportStats(
        lines=sum(t.units for t in tallies),
        records=records,
        works=works,
        skipped=sum(t.skipped for t in tallies),
        seconds=time.perf_counter() - started,
        path=store_path,
        size=size,
        forms=_forms(tallies),
    )


def _workers_for(paths: Sequence[Path], workers: int | None) -> int:
    """Check the sources can be opened; the worker processes to parse them with."""
    for path in paths:
        _check_source(path)
    if workers is not None:
        return workers
    large = sum(_size_of(p) for p in paths) >= _SMALL_INPUT
    return cpu_count() if large else 0


def _size_of(path: Path) -> int:
    if path.is_dir():
        return sum(p.stat().st_size for p in _files(path))
    return path.stat().st_size


def _forms(tallies: Sequence[_Tally]) -> dict[str, int]:
    forms: dict[str, int] = {}
    for tally in tallies:
        for form, count in tally.forms.items():
            forms[form] = forms.get(form, 0) + count
    return forms


def _failure(error: BaseException, store_path: Path) -> BaseException:
    """The error to raise for one met writing a store: InputError, one line, or as it is."""
    if isinstance(error, sqlite3.Error):
        return InputError(f"cannot write snapshot store {store_path}: {error}")
    if isinstance(error, BrokenProcessPool):
        return InputError(f"cannot import into {store_path}: a worker process stopped ({error})")
    if isinstance(error, OSError):
        return InputError(f"cannot write snapshot store {store_path}: {_reason(error)}")
    return error


def _check_source(path: Path) -> None:
    """Fail before anything is written when a source cannot even be opened."""
    if path.is_dir():
        if not _files(path):
            raise InputError(
                f"no works record in {path}: a folder without *.json, *.json.gz or *.jsonl files"
            )
        return
    try:
        with _open(path) as stream:
            stream.read(1)
    except Exception as error:  # OSError, EOFError, zlib.error: all say "cannot read"
        raise InputError(f"cannot read snapshot {path}: {_reason(error)}") from error


def _sync(path: Path) -> None:
    try:
        descriptor = os.open(path, os.O_RDONLY)
    except OSError:  # a folder cannot be opened on some platforms: nothing to sync there
        return
    try:
        os.fsync(descriptor)
    except OSError:
        if not path.is_dir():
            raise
    finally:
        os.close(descriptor)


def _discard(path: Path) -> None:
    for leftover in (path, path.with_name(path.name + "-journal")):
        with contextlib.suppress(OSError):
            leftover.unlink(missing_ok=True)


def _create(path: Path) -> sqlite3.Connection:
    path.unlink(missing_ok=True)
    db = sqlite3.connect(path, isolation_level=None)
    # Written once, by one process, and renamed into place only when whole: no journal and
    # no syncs while it is built. Pages of 16 KiB: fewer to write (an import of a million
    # records 3-8% quicker, the file 5% smaller) and no slower to search.
    for pragma in (
        "page_size = 16384",
        "journal_mode = OFF",
        "synchronous = OFF",
        "locking_mode = EXCLUSIVE",
        "cache_size = -262144",  # KiB: 256 MiB
        "temp_store = MEMORY",
    ):
        db.execute(f"PRAGMA {pragma}")
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    # The record apart from its words, so that scoring candidates reads narrow rows.
    db.execute(
        "CREATE TABLE records (id INTEGER PRIMARY KEY, doi TEXT NOT NULL UNIQUE, "
        "record TEXT NOT NULL)"
    )
    # Each work's search words, field after field (FIELDS' order), a tab between fields.
    db.execute("CREATE TABLE works (id INTEGER PRIMARY KEY, words TEXT NOT NULL)")
    # Words are pre-cut by tokenise (lower-case ASCII letters and digits, one space apart),
    # so FTS5's ascii tokenizer splits them back as they are. Candidates are found by which
    # words a work holds, not where: one column, detail=none.
    db.execute(
        "CREATE VIRTUAL TABLE search USING fts5(words, content='works', content_rowid='id', "
        "tokenize='ascii', detail='none')"
    )
    return db


# A record's row: DOI key, kept record JSON, words.
_Row = tuple[str, ...]
# What a worker hands back for a block: its rows as columns (DOI keys, kept records, words;
# quicker to pass between processes and to insert than rows), non-blank lines, lines
# skipped, and per field [works having it, words in it].
_Parsed = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], int, int, list[list[int]]]


def _load(
    db: sqlite3.Connection,
    paths: Sequence[Path],
    progress: Progress | None,
    workers: int,
    first_id: int = 0,
    replace: Callable[[sqlite3.Connection, Sequence[str]], None] | None = None,
) -> tuple[list[_Tally], list[list[int]]]:
    """Rows of every source into the open transaction, ids from ``first_id + 1``; what each
    source gave, and per field [works having it, words in it] of the rows inserted.
    ``replace``: called with each batch's DOI keys before it goes in (an update)."""
    # A later record with the same DOI deletes the earlier and comes in with a later id:
    # the Snapshot's "later wins, in the later's place". Its words' orphaned row goes in
    # _index.
    into_records = "INSERT OR REPLACE INTO records (id, doi, record) VALUES (?, ?, ?)"
    into_works = "INSERT INTO works (id, words) VALUES (?, ?)"
    # Indexed as they come: this process has time to spare while the workers parse.
    into_search = "INSERT INTO search (rowid, words) VALUES (?, ?)"
    tallies = [_Tally() for _ in paths]
    lengths = [[0, 0] for _ in _NAMES]
    records = first_id
    with _no_collector():  # unpickled rows: tuples of strings
        for source, (parsed, form, broken) in _parsed_pieces(paths, workers):
            keys, kept, words, units, skipped, block_lengths = parsed
            if replace is not None:
                replace(db, keys)
            ids = range(records + 1, records + 1 + len(keys))
            db.executemany(into_records, zip(ids, keys, kept, strict=True))
            db.executemany(into_works, zip(ids, words, strict=True))
            db.executemany(into_search, zip(ids, words, strict=True))
            records += len(keys)
            tallies[source].add(form, len(keys), units, skipped, broken, _datacite_rows(kept))
            for total, part in zip(lengths, block_lengths, strict=True):
                total[0] += part[0]
                total[1] += part[1]
            if progress is not None:
                progress(records - first_id)
    return tallies, lengths


def _index(db: sqlite3.Connection, records: int, lengths: list[list[int]]) -> int:
    """Build the full-text index and the statistics search needs; return the works."""
    db.execute("BEGIN")
    (works,) = db.execute("SELECT count(*) FROM records").fetchone()
    if works != records:
        # Some records were replaced by later ones: drop their words, index and count the
        # lengths anew.
        db.execute("DELETE FROM works WHERE id NOT IN (SELECT id FROM records)")
        db.execute("INSERT INTO search (search) VALUES ('rebuild')")
        lengths = [[0, 0] for _ in _NAMES]
        for (words,) in db.execute("SELECT words FROM works"):
            _count_lengths(lengths, words)
    db.execute("INSERT INTO search (search) VALUES ('optimize')")
    db.execute("CREATE VIRTUAL TABLE temp.vocabulary USING fts5vocab(main, search, 'row')")
    db.execute("CREATE TABLE words (word TEXT PRIMARY KEY, works INTEGER NOT NULL) WITHOUT ROWID")
    db.execute("INSERT INTO words SELECT term, doc FROM temp.vocabulary")
    meta = {
        "format": FORMAT,
        "version": str(VERSION),
        "works": str(works),
        "fields": json.dumps(list(_NAMES)),
        "lengths": json.dumps(dict(zip(_NAMES, lengths, strict=True))),
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    db.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", meta.items())
    db.execute("COMMIT")
    return int(works)


def _parsed_pieces(paths: Sequence[Path], workers: int) -> Iterator[tuple[int, _Piece]]:
    """Each piece of the input parsed, in input order, with the index of its source."""
    if workers <= 0:
        for source, whole, data in _jobs(paths):
            yield source, parse_extent(*data) if isinstance(data, tuple) else _parse(data, whole)
        return
    context = multiprocessing.get_context("spawn")
    in_flight = _AHEAD * workers
    # The slots outlive the pool: no worker is left reading memory gone.
    with _Slots(in_flight + 1) as slots, ProcessPoolExecutor(workers, mp_context=context) as pool:
        pending: deque[tuple[int, Future[_Piece]]] = deque()
        try:
            for source, whole, data in _jobs(paths):
                if isinstance(data, tuple):  # a whole file the worker reads itself
                    pending.append((source, pool.submit(parse_extent, *data)))
                    if len(pending) >= in_flight:
                        done, future = pending.popleft()
                        yield done, future.result()
                    continue
                # A slot is taken again only once the block before in it has been parsed:
                # its result was waited for in the previous round.
                where = slots.put(data)
                if where is None:
                    pending.append((source, pool.submit(_parse, data, whole)))
                else:
                    pending.append((source, pool.submit(parse_shared, *where, whole)))
                if len(pending) >= in_flight:
                    done, future = pending.popleft()
                    yield done, future.result()
            while pending:
                done, future = pending.popleft()
                yield done, future.result()
        finally:
            for _, future in pending:
                future.cancel()


class _Slots:
    """Shared memory the blocks are handed to the workers in, round and round.

    Sent through the pool's pipe, a block is copied four times (pickled, written, read,
    unpickled): some 10 µs of CPU a record, a tenth of an import. Here it is copied once
    on each side. Where shared memory cannot be had (a small /dev/shm in a container),
    or for a block larger than a slot, ``put`` says None and the block takes the pipe.
    """

    def __init__(self, count: int) -> None:
        self._count = count
        self._next = 0
        self._memory: shared_memory.SharedMemory | None = None
        size = count * _SLOT
        if _room_for_shared(size):
            with contextlib.suppress(OSError):
                self._memory = shared_memory.SharedMemory(create=True, size=size)

    def put(self, block: bytes) -> tuple[str, int, int] | None:
        memory = self._memory
        if memory is None or len(block) > _SLOT:
            return None
        start = self._next * _SLOT
        self._next = (self._next + 1) % self._count
        _buffer(memory)[start : start + len(block)] = block
        return memory.name, start, len(block)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._memory is not None:
            self._memory.close()
            self._memory.unlink()
            self._memory = None


def _room_for_shared(size: int) -> bool:
    """Is there room for ``size`` bytes of shared memory? Past the room, writing to it
    would kill the process with SIGBUS, not fail with an error."""
    try:
        stats = os.statvfs("/dev/shm")
    except OSError:  # not Linux: shared memory is not a file system's to run out of
        return True
    return stats.f_bavail * stats.f_frsize >= 2 * size


# The shared memory a worker has attached to, by name: attached once, kept to its end.
_attached: dict[str, shared_memory.SharedMemory] = {}


def parse_shared(name: str, start: int, length: int, whole: bool) -> _Piece:
    """_parse for a piece in shared memory. Runs in the worker processes."""
    memory = _attached.get(name)
    if memory is None:
        memory = _attached[name] = shared_memory.SharedMemory(name)
    return _parse(bytes(_buffer(memory)[start : start + length]), whole)


def _buffer(memory: shared_memory.SharedMemory) -> memoryview:
    buffer = memory.buf
    if buffer is None:  # closed: not while a _Slots is open
        raise ValueError(f"shared memory {memory.name} is closed")
    return buffer


def _blocks(paths: Sequence[Path]) -> Iterator[bytes]:
    """The input in blocks of whole lines, file after file."""
    for path in paths:
        try:
            with _open_fast(path) as stream:
                # The start of a line the last block cut; each block is copied once at most.
                tail: list[bytes | memoryview] = []
                while chunk := stream.read(_BLOCK):
                    end = chunk.rfind(b"\n") + 1
                    if not end:  # no line ends in this block
                        tail.append(chunk)
                        continue
                    whole = end == len(chunk)
                    if tail or not whole:
                        tail.append(memoryview(chunk)[:end])
                        yield b"".join(tail)
                        tail = [] if whole else [chunk[end:]]
                    else:
                        yield chunk
                if tail:
                    yield b"".join(tail)
        except InputError:
            raise
        except Exception as error:  # OSError, EOFError, zlib.error: all say "cannot read"
            raise InputError(f"cannot read snapshot {path}: {_reason(error)}") from error


# --- the inputs: JSON lines, whole documents, folders and tars -----------------------------

# What a source's records came in, as a person reads it in the summary.
_LINES_FORM: Final = "JSON lines"
_ITEMS_FORM: Final = "items files"
_API_FORM: Final = "API answers"
_DATACITE_FORM: Final = "DataCite records"
# A piece of input parsed: its rows, the form it was in, and 1 when it was a whole file
# (a tar member, say) that is not JSON at all.
_Piece = tuple[_Parsed, str, int]
# Where a whole file's bytes are: a file's name, the offset and the length (-1: to the end).
_Extent = tuple[str, int, int]
# Files of a folder or a tar that are read: Crossref's files are *.json.gz.
_RECORD_FILES: Final = re.compile(r"\.(json|jsonl|ndjson)(\.gz)?$", re.IGNORECASE)
# The start of a file that is one JSON document: an object holding "items", or an API
# answer (its envelope's keys), possibly pretty printed.
_DOCUMENT_START: Final = re.compile(
    rb'\{\s*"(items|status|message-type|message-version|message|data)"\s*:'
)
_HEAD: Final = 1 << 16
_GZIP_MAGIC: Final = b"\x1f\x8b"


@dataclass(slots=True)
class _Tally:
    """What one source gave: records by form, lines or items read, what was lost."""

    forms: dict[str, int] = dataclasses.field(default_factory=dict)
    units: int = 0
    """Lines of JSON lines and items of documents, read."""
    skipped: int = 0
    """Of them, those that were not (wholly) works records."""
    broken: int = 0
    """Files (of a folder or a tar) that were not JSON at all."""
    documents: int = 0
    """Files read whole as one JSON document."""

    def add(
        self, form: str, records: int, units: int, skipped: int, broken: int, datacite: int = 0
    ) -> None:
        """``datacite``: of the ``records``, those that were DataCite records (their own
        form, whatever file they came in)."""
        self.forms[form] = self.forms.get(form, 0) + records - datacite
        if datacite:
            self.forms[_DATACITE_FORM] = self.forms.get(_DATACITE_FORM, 0) + datacite
        self.units += units
        self.skipped += skipped
        self.broken += broken
        self.documents += form != _LINES_FORM

    @property
    def records(self) -> int:
        return sum(self.forms.values())

    def lost(self) -> int:
        """Records lost: the lines or items skipped, and for each broken file as many as a
        good file held on average (at least one)."""
        whole = self.documents - self.broken
        each = max(1, round(self.forms.get(_ITEMS_FORM, 0) / whole)) if whole > 0 else 1
        return self.skipped + self.broken * each

    def found(self) -> str:
        """What the source held, for a message."""
        parts = []
        if self.units:
            parts.append(f"{self.units:,} lines or items, {self.skipped:,} not works records")
        if self.broken:
            parts.append(f"{self.broken:,} files that are not JSON")
        return "; ".join(parts) or "nothing to read (empty)"


def _check_loss(paths: Sequence[Path], tallies: Sequence[_Tally], max_loss: float) -> None:
    """Raise InputError for a source that gave no record, or lost more than ``max_loss``."""
    for path, tally in zip(paths, tallies, strict=True):
        if not tally.records:
            found = tally.found()
            if not tally.units and not tally.broken and _is_tar(path):
                found = "a tar without *.json, *.json.gz or *.jsonl members"
            raise InputError(f"no works record in {path}: found {found}")
        lost = tally.lost()
        if lost > max_loss * (tally.records + lost):
            raise InputError(
                f"{path} lost {lost:,} of {tally.records + lost:,} records "
                f"({lost / (tally.records + lost):.1%}, more than {max_loss:.0%}): "
                f"found {tally.found()}"
            )


def _jobs(paths: Sequence[Path]) -> Iterator[tuple[int, bool, bytes | _Extent]]:
    """The input in pieces, source after source: (source, whole file?, bytes or where they
    are). JSON lines come in blocks of whole lines, gunzipped; a file that is one JSON
    document (an items file, an API answer) or a tar member comes whole, as it is on disk,
    for a worker to gunzip and read: as its place in the file (the worker reads it; this
    process never does), or as bytes from a compressed tar."""
    for source, path in enumerate(paths):
        for file in _files(path):
            if _is_lines(file):
                for block in _blocks([file]):
                    yield source, False, block
            else:
                yield source, True, (str(file), 0, -1)
        if _is_tar(path):
            for data in _members(path):
                yield source, True, data


def _files(path: Path) -> list[Path]:
    """The files a source names: itself, or a folder's record files (a tar: none here)."""
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file() and _RECORD_FILES.search(p.name))
    return [] if _is_tar(path) else [path]


def _is_tar(path: Path) -> bool:
    if path.is_dir():
        return False
    name = path.name.lower()
    if name.endswith((".tar", ".tar.gz", ".tgz")):
        return True
    if _RECORD_FILES.search(name):
        return False
    try:
        return tarfile.is_tarfile(path)
    except OSError:
        return False


def _members(path: Path) -> Iterator[bytes | _Extent]:
    """The record files of a tar, in the tar's order; nothing is extracted to disk. In a
    tar that is not compressed (the Public Data File), where each member's bytes are: this
    process reads the headers alone. In a compressed one, the members' bytes, read as a
    stream."""
    try:  # closed by the with below, once it is known to be plain
        plain: tarfile.TarFile | None = tarfile.open(path, mode="r:")  # noqa: SIM115
    except tarfile.ReadError:  # compressed: read as a stream below
        plain = None
    except (tarfile.TarError, OSError, EOFError) as error:
        raise InputError(f"cannot read snapshot {path}: {_reason(error)}") from error
    if plain is not None:
        try:
            with plain:  # not compressed: the members' bytes can be read where they are
                for member in plain:
                    if member.isfile() and _RECORD_FILES.search(member.name):
                        yield str(path), member.offset_data, member.size
        except (tarfile.TarError, OSError, EOFError) as error:
            raise InputError(f"cannot read snapshot {path}: {_reason(error)}") from error
        return
    try:
        with tarfile.open(path, mode="r|*") as tar:
            for member in tar:
                if not (member.isfile() and _RECORD_FILES.search(member.name)):
                    continue
                stream = tar.extractfile(member)
                if stream is not None:
                    yield stream.read()
    except (tarfile.TarError, OSError, EOFError, zlib.error) as error:
        raise InputError(f"cannot read snapshot {path}: {_reason(error)}") from error


def parse_extent(name: str, offset: int, length: int) -> _Piece:
    """parse_document for ``length`` bytes at ``offset`` of file ``name`` (-1: to its end).
    Runs in the worker processes."""
    try:
        with open(name, "rb") as stream:
            stream.seek(offset)
            data = stream.read(length)
    except OSError as error:
        raise InputError(f"cannot read snapshot {name}: {_reason(error)}") from error
    if length >= 0 and len(data) != length:  # the tar was cut short
        return ((), (), (), 0, 0, [[0, 0] for _ in _NAMES]), _ITEMS_FORM, 1
    return parse_document(data)


def _is_lines(path: Path) -> bool:
    """Is a file JSON lines (streamed in blocks), or one JSON document (read whole)?

    JSON lines when its first line is a whole JSON value and not an object of items; a
    document when that line is not a whole value (a pretty-printed document), or when the
    file's one line (or a first line running past the head) opens as an items object or an
    API answer does.
    """
    try:
        with _open_fast(path) as stream:
            head = stream.read(_HEAD)
    except Exception as error:  # OSError, EOFError, zlib.error: all say "cannot read"
        raise InputError(f"cannot read snapshot {path}: {_reason(error)}") from error
    text = head.lstrip()
    end = text.find(b"\n")
    if end < 0:
        return not _DOCUMENT_START.match(text)
    try:
        value = json.loads(text[:end])
    except (ValueError, RecursionError):
        return False
    return not (
        isinstance(value, dict) and ("items" in value or "data" in value) and "DOI" not in value
    )


class _Document(msgspec.Struct):
    """A file that is one JSON document: ``{"items": [...]}``, or an API answer."""

    items: list[msgspec.Raw] | msgspec.UnsetType = msgspec.UNSET
    status: Any = msgspec.UNSET
    message: msgspec.Raw | msgspec.UnsetType = msgspec.UNSET
    data: msgspec.Raw | msgspec.UnsetType = msgspec.UNSET
    """A DataCite answer: one ``data`` object, or a list of them."""


class _Message(msgspec.Struct):
    """An API answer's message: a work, or a work list's ``items``."""

    items: list[msgspec.Raw] | msgspec.UnsetType = msgspec.UNSET


_DECODE_DOCUMENT: Final = msgspec.json.Decoder(_Document).decode
_DECODE_MESSAGE: Final = msgspec.json.Decoder(_Message).decode
_DECODE_LIST: Final = msgspec.json.Decoder(list[msgspec.Raw]).decode


def _parse(data: bytes, whole: bool) -> _Piece:
    """A piece of input parsed. Runs in the worker processes."""
    if not whole:
        return parse_block(data), _LINES_FORM, 0
    return parse_document(data)


def parse_document(data: bytes) -> _Piece:
    """A whole file (gzipped or not): an items file, an API answer, else JSON lines.

    Each item is read as a line of JSON lines is; only the items list itself is scanned,
    not built.
    """
    if data[:2] == _GZIP_MAGIC:
        try:
            data = igzip.decompress(data)  # type: ignore[no-untyped-call]
        except Exception:  # a damaged gzip member: not JSON at all
            return ((), (), (), 0, 0, [[0, 0] for _ in _NAMES]), _ITEMS_FORM, 1
    try:
        document: _Document | None = _DECODE_DOCUMENT(data)
    except (ValueError, RecursionError):  # not one JSON object: JSON lines, or broken
        document = None
    if (
        document is not None
        and document.data is not msgspec.UNSET
        and document.items is msgspec.UNSET
        and document.message is msgspec.UNSET
    ):
        data = document.data  # a DataCite answer: one data object, or a list of them
        if bytes(data).lstrip()[:1] == b"[":
            try:
                return _parsed_items(_DECODE_LIST(data)), _DATACITE_FORM, 0
            except (ValueError, RecursionError):
                return _parsed_items([], skipped=1), _DATACITE_FORM, 0
        return _parsed_items([data]), _DATACITE_FORM, 0
    if document is None or (document.items is msgspec.UNSET and document.message is msgspec.UNSET):
        parsed = parse_block(data)
        # A file that looked like one document, and that not one line of reads: broken.
        broken = int(not parsed[0] and not parsed[3] - parsed[4] and bool(data.strip()))
        return parsed, _LINES_FORM if not broken else _ITEMS_FORM, broken
    items = document.items
    form = _ITEMS_FORM
    if items is msgspec.UNSET:
        form = _API_FORM
        message = document.message
        if document.status not in (msgspec.UNSET, "ok") or message is msgspec.UNSET:
            return _parsed_items([], skipped=1), form, 0
        try:
            items = _DECODE_MESSAGE(message).items
        except (ValueError, RecursionError):  # a message that is not an object
            return _parsed_items([], skipped=1), form, 0
        if items is msgspec.UNSET:
            items = [message]  # one work
    return _parsed_items(items), form, 0


def _parsed_items(items: Sequence[msgspec.Raw], skipped: int = 0) -> _Parsed:
    rows: list[_Row] = []
    with _no_collector():
        for item in items:
            skipped += not _line_rows(memoryview(item), rows)
    keys, kept, words = zip(*rows, strict=True) if rows else ((), (), ())
    lengths = [[0, 0] for _ in _NAMES]
    for text in words:
        _count_lengths(lengths, text)
    return keys, kept, words, max(len(items), skipped), skipped, lengths


def _open_fast(path: Path) -> BinaryIO:
    """As snapshot._open, gunzipping with ISA-L: some 3 times quicker than zlib, and the
    main process reads all the input alone."""
    if path.name.endswith(".gz"):
        stream: BinaryIO = igzip.open(path, "rb")  # type: ignore[no-untyped-call]
        return stream
    return path.open("rb")


@contextlib.contextmanager
def _no_collector() -> Iterator[None]:
    """Parsing and loading make millions of short-lived dicts, lists and tuples and no
    cycles: the cyclic garbage collector would only cost time there."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def parse_block(block: bytes) -> _Parsed:
    """Rows for the store from a block of whole lines. Runs in the worker processes."""
    rows: list[_Row] = []
    lines = skipped = 0
    # Lines are views into the block: split, a block of 7 KB lines would be copied again.
    view = memoryview(block)
    start, size = 0, len(block)
    with _no_collector():
        while start < size:
            end = block.find(b"\n", start)
            if end < 0:
                end = size
            usable = _line_rows(view[start:end], rows)
            start = end + 1
            if usable is not None:
                lines += 1
                skipped += not usable
    keys, kept, words = zip(*rows, strict=True) if rows else ((), (), ())
    lengths = [[0, 0] for _ in _NAMES]
    for text in words:
        _count_lengths(lengths, text)
    return keys, kept, words, lines, skipped, lengths


def _count_lengths(lengths: list[list[int]], words: str, sign: int = 1) -> None:
    """Add a work's fields to [works having the field, words in it] per field (``sign``
    -1: take them away)."""
    for total, field in zip(lengths, words.split("\t"), strict=True):
        if field:
            total[0] += sign
            total[1] += sign * (field.count(" ") + 1)


def _line_rows(line: bytes | memoryview, rows: list[_Row]) -> bool | None:
    """Append the rows of one line, read as Snapshot reads it; was the whole line usable?
    None: the line is blank."""
    # The common line, one works record, is decoded by msgspec into the kept keys alone: the
    # rest (the reference list above all) is checked but never built. Whatever it does not
    # take (an envelope, a number JSON allows and it does not, broken JSON) goes the slow
    # way, as the standard library reads it, so both ways read a line alike.
    try:
        parts = _DECODE_KEPT(line)
    except (ValueError, RecursionError):  # msgspec.DecodeError, UnicodeDecodeError, ...
        parts = None
    if parts is not None:
        values = msgspec.structs.astuple(parts)
        if values[-1] is msgspec.UNSET:  # no "message": not an envelope
            # strict=False: the last value, "message", is not a kept key.
            pairs = zip(_KEPT, values, strict=False)
            record = {k: v for k, v in pairs if v is not msgspec.UNSET}
            score = record.get("score")
            if not isinstance(score, float) or math.isfinite(score):
                row = _row(record, lambda: _FAST_ENCODE(parts))
                if row is not None:
                    rows.append(row)
                    return True
                if "DOI" in record:
                    return False
                # No DOI: perhaps a DataCite record, which only the slow way reads.
    raw = bytes(line)
    if not raw.strip():  # msgspec takes no blank line: only here can one be
        return None
    try:
        value: Any = json.loads(_without_references(raw))
    except (ValueError, RecursionError):  # bad JSON or UTF-8, a cut gone wrong, too deep:
        try:  # parse the line as it is
            value = json.loads(raw)
        except (ValueError, RecursionError):
            return False
    if isinstance(value, dict) and "message" in value:
        if value.get("status", "ok") != "ok" or not isinstance(value["message"], dict):
            return False
        value = value["message"]
        items = value.get("items")
        if isinstance(items, list):
            found = [row for row in map(_row, items) if row is not None]
            rows.extend(found)
            return len(found) == len(items)
    elif isinstance(value, dict) and "data" in value and "DOI" not in value:
        data = value["data"]  # a DataCite answer: one data object, or a list of them
        if isinstance(data, list):
            found = [row for row in map(_row, data) if row is not None]
            rows.extend(found)
            return bool(data) and len(found) == len(data)
        value = data
    row = _row(value)
    if row is None:
        return False
    rows.append(row)
    return True


_REFERENCE_KEY: Final = b'"reference"'
_SPACE: Final = b" \t"
_ESCAPE: Final = re.compile(rb"\\.", re.DOTALL)


def _without_references(raw: bytes) -> bytes:
    """The line without its ``"reference": [...]`` list, or the line as it is.

    The cut is made only where it cannot change what the rest of the line says: the key is
    a key (a real quote opens it, a colon and a bracket follow), and the list runs to the
    first ``]`` followed by ``, "`` (or ``,"``) with an even number of real quotes before
    it, so that ``]`` is outside any string. Should the list hold lists, that ``]`` closes
    an inner one, the brackets left no longer balance, and parsing the cut line fails: the
    caller then parses the whole line.
    """
    key = raw.find(_REFERENCE_KEY)
    if key < 0 or raw[key - 1 : key] == b"\\":
        return raw
    at = key + len(_REFERENCE_KEY)
    while raw[at : at + 1] in _SPACE and at < len(raw):
        at += 1
    if raw[at : at + 1] != b":":
        return raw
    at += 1
    while raw[at : at + 1] in _SPACE and at < len(raw):
        at += 1
    if raw[at : at + 1] != b"[":
        return raw
    end = raw.find(b'], "', at)
    if end < 0:
        end = raw.find(b'],"', at)
    if end >= 0:
        kept = raw[:key] + raw[raw.index(b'"', end) :]
    elif raw.rstrip().endswith(b"]}"):  # the list is the last field
        end = len(raw.rstrip()) - 2
        kept = raw[:key].rstrip().rstrip(b",") + b"}"
    else:
        return raw
    cut = raw[key:end]
    if b"\\" in cut:
        # The cut starts outside any string, so escapes pair up from its start.
        cut = _ESCAPE.sub(b"", cut)
    return raw if cut.count(b'"') % 2 else kept


def _row(record: Any, encoded: Callable[[], bytes] | None = None) -> _Row | None:
    """The store's row for a record, or None where work_from_record would fail.

    ``encoded``: the record's kept part as JSON, when the caller has a quicker way to it.
    """
    if not isinstance(record, dict):
        return None
    if "DOI" not in record and isinstance(record.get("attributes"), dict):
        return _datacite_row(record)
    raw_doi = record.get("DOI")
    doi = raw_doi.strip() if isinstance(raw_doi, str) else None
    authors = record.get("author")
    if not doi or (authors is not None and not isinstance(authors, list)):
        return None
    try:
        _check_unread(record)
        title, names, container, year, numbers = _field_texts(record)
        words = "\t".join(
            (
                " ".join(tokenise(title)) if title else "",
                " ".join(tokenise(names)) if names else "",
                _repeated_words(container),
                _repeated_words(year),
                " ".join(tokenise(numbers)) if numbers else "",
            )
        )
        key = doi_key(doi)
        kept = encoded() if encoded is not None else _ENCODE(_kept(record))
        if isinstance(kept, bytes):
            kept = kept.decode()
        else:
            # Read by the json module, a DOI may hold a lone surrogate, which SQLite cannot
            # store: UnicodeEncodeError, a ValueError, skips the record.
            key.encode()
        return (key, kept, words)
    except (ValueError, TypeError, AttributeError, OverflowError, RecursionError):
        return None


def _datacite_row(record: dict[str, Any]) -> _Row | None:
    """The store's row for a DataCite ``data`` object, or None where work_from_datacite
    fails. Its words are those the in-memory index takes from the Work."""
    attributes = record["attributes"]
    kept = {
        "id": record.get("id"),
        "attributes": {k: attributes[k] for k in _DATACITE_KEPT if k in attributes},
    }
    try:
        work = work_from_datacite(kept)
        fields = work_fields(work)
        words = "\t".join(" ".join(tokenise(fields[name])) for name in _NAMES)
        key = doi_key(work.doi)
        key.encode()  # a lone surrogate: UnicodeEncodeError, a ValueError, skips it
        return (key, _ENCODE({_DATACITE_KEY: kept}), words)
    except (ValueError, TypeError, AttributeError, OverflowError, RecursionError):
        return None


def _datacite_rows(kept: Sequence[str]) -> int:
    """How many of a piece's kept records are DataCite records."""
    return sum(1 for record in kept if record.startswith(_DATACITE_MARK))


# The texts that come back record after record (a journal's name, a year): their words are
# cut once a worker, not once a record.
_REPEATED_MAX: Final = 50_000
_repeated: dict[str, str] = {}


def _repeated_words(text: str) -> str:
    if not text:
        return ""
    words = _repeated.get(text)
    if words is None:
        if len(_repeated) >= _REPEATED_MAX:  # bounded: a file of a million journals
            _repeated.clear()
        words = _repeated[text] = " ".join(tokenise(text))
    return words


def _check_unread(record: dict[str, Any]) -> None:
    """Raise where work_from_record would fail on a part record_fields does not read."""
    score = record.get("score")
    if isinstance(score, int):
        float(score)  # OverflowError past 1e308
    if "updated-by" in record:
        _updates(record["updated-by"])


# ASCII: records read by the json module may hold lone surrogates, which SQLite cannot store
# as text but can as escapes.
_ENCODE: Final = json.JSONEncoder(ensure_ascii=True, separators=(",", ":")).encode
# For records msgspec decoded (finite numbers, valid strings): the same JSON, some 5 times
# quicker. Values only the json module reads (NaN, lone surrogates) keep _ENCODE.
_FAST_ENCODE: Final = msgspec.json.Encoder().encode


class _KeptPerson(msgspec.Struct):
    """An author's kept keys (_PERSON_KEPT): the rest (affiliations, ORCID) is never built."""

    family: Any = msgspec.UNSET
    given: Any = msgspec.UNSET
    name: Any = msgspec.UNSET
    literal: Any = msgspec.UNSET


class _KeptRelation(msgspec.Struct, rename={"is_preprint_of": "is-preprint-of"}):
    """The one relation work_from_record reads."""

    is_preprint_of: Any = msgspec.UNSET


_KEPT_TYPES: Final[Mapping[str, Any]] = {"author": list[_KeptPerson], "relation": _KeptRelation}
# A works record's kept keys, in _KEPT's order, then "message" (set: an API envelope).
# Encoded as it is, it is the record's kept part (unset keys are left out); a line it cannot
# take (an author that is not an object, say) goes the json module's way.
_KeptFields: Final = msgspec.defstruct(
    "_KeptFields",
    [(f"k{n}", _KEPT_TYPES.get(key, Any), msgspec.UNSET) for n, key in enumerate(_KEPT)]
    + [(f"k{len(_KEPT)}", Any, msgspec.UNSET)],
    rename=dict(zip((f"k{n}" for n in range(len(_KEPT) + 1)), (*_KEPT, "message"), strict=True)),
)
_DECODE_KEPT: Final = msgspec.json.Decoder(_KeptFields).decode
# A stored record back to a dict: twice as quick as json.loads.
_DECODE: Final = msgspec.json.Decoder().decode


def _kept(record: dict[str, Any]) -> dict[str, Any]:
    kept: dict[str, Any] = {key: record[key] for key in _KEPT if key in record}
    authors = kept.get("author")
    if authors:
        kept["author"] = [
            {k: p[k] for k in _PERSON_KEPT if k in p} if isinstance(p, dict) else p for p in authors
        ]
    relation = kept.get("relation")
    if isinstance(relation, dict):
        kept["relation"] = {k: v for k, v in relation.items() if k == "is-preprint-of"}
    return kept


def record_fields(record: Mapping[str, Any]) -> dict[str, str]:
    """``work_fields(work_from_record(record))`` without building the Work."""
    return dict(zip(_NAMES, _field_texts(record), strict=True))


def _field_texts(record: Mapping[str, Any]) -> tuple[str, str, str, str, str]:
    """record_fields' texts in FIELDS' order."""
    # A record holds few of the keys read here: an absent key is not handed to _text.
    get = record.get
    titles = [_text(v) for k in _TITLES if (v := get(k)) is not None]
    families: list[str] = []
    for person in get("author") or ():
        if isinstance(person, _KeptPerson):  # as msgspec decoded it (unset keys are no text)
            keys = (person.family, person.given, person.name, person.literal)
        elif isinstance(person, dict):
            keys = (
                person.get("family"),
                person.get("given"),
                person.get("name"),
                person.get("literal"),
            )
        else:
            continue
        # As records._person then work_fields: the family name, else the given name, else
        # the literal name.
        for key in keys:
            if key is not msgspec.UNSET and (found := _text(key)):
                families.append(found)
                break
    short = _texts(get("short-container-title")) or _texts(get("container-title-short"))
    years: list[int] = []
    for key in _DATES:
        year = _year(value) if (value := get(key)) is not None else None
        if year is not None and year not in years:
            years.append(year)
    numbers = [_text(v) for k in _NUMBERS if (v := get(k)) is not None]
    return (
        " ".join(t for t in titles if t),
        " ".join(families),
        " ".join((*_texts(get("container-title")), *short)),
        " ".join(map(str, years)),
        " ".join(n for n in numbers if n),
    )


# --- update ---------------------------------------------------------------------------------


def update_records(
    store_path: Path,
    sources: Sequence[Path],
    *,
    progress: Progress | None = None,
    workers: int | None = None,
    max_loss: float = MAX_LOSS,
) -> ImportStats:
    """Apply newer works records (a monthly snapshot, saved ``/works`` pages; any source
    :func:`import_records` reads) to the store at ``store_path``, in one transaction.

    A record whose DOI (in any case) the store holds replaces that work, taking the place of
    a work imported last, as in an import of the old records and then the new; others are
    added. The search index, the word statistics and the works' field lengths are kept as
    an import of all of them would make them. Raises InputError as import_records does;
    the store is then left as it was.
    """
    started = time.perf_counter()
    store_path = Path(store_path)
    paths = [Path(p) for p in sources]
    if not store_path.is_file():
        reason = "is a directory" if store_path.is_dir() else "no such file"
        raise InputError(f"cannot update snapshot store {store_path}: {reason}")
    workers = _workers_for(paths, workers)
    try:
        # A reader mid-search holds the file a moment: wait for it rather than fail.
        db = sqlite3.connect(store_path, isolation_level=None, timeout=60)
    except sqlite3.Error as error:
        raise InputError(f"cannot open snapshot store {store_path}: {error}") from error
    try:
        try:
            meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
        except sqlite3.Error:
            meta = {}
        problem = _meta_problem(meta)
        if problem is not None:
            raise InputError(f"{store_path} {problem}")
        db.execute("PRAGMA cache_size = -262144")  # KiB: 256 MiB, as an import
        db.execute("PRAGMA temp_store = MEMORY")
        # The rollback journal (the default, set in no file) makes the update all or nothing.
        db.execute("BEGIN IMMEDIATE")
        stored = json.loads(meta["lengths"])
        lengths = [list(stored[name]) for name in _NAMES]
        tallies, replaced = _apply(db, paths, progress, workers, lengths)
        _check_loss(paths, tallies, max_loss)
        (works,) = db.execute("SELECT count(*) FROM records").fetchone()
        changed = {
            "works": str(works),
            "lengths": json.dumps(dict(zip(_NAMES, lengths, strict=True))),
            "updated": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        db.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", changed.items())
        db.execute("COMMIT")
        size = store_path.stat().st_size
    except BaseException as error:
        if db.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                db.execute("ROLLBACK")
        failure = _failure(error, store_path)
        if failure is error:
            raise
        raise failure from error
    finally:
        db.close()
    return ImportStats(
        lines=sum(t.units for t in tallies),
        records=sum(t.records for t in tallies),
        works=int(works),
        skipped=sum(t.skipped for t in tallies),
        seconds=time.perf_counter() - started,
        path=store_path,
        size=size,
        forms=_forms(tallies),
        replaced=replaced,
    )


def _apply(
    db: sqlite3.Connection,
    paths: Sequence[Path],
    progress: Progress | None,
    workers: int,
    lengths: list[list[int]],
) -> tuple[list[_Tally], int]:
    """Each record of the sources in place of its DOI's work, or added; ``lengths`` kept
    up to date. The sources' tallies, and the works replaced."""
    (last,) = db.execute("SELECT coalesce(max(id), 0) FROM records").fetchone()
    tallies = [_Tally() for _ in paths]
    # Works holding each word, as changed: the words table is brought up to date at the end.
    frequencies: dict[str, int] = {}
    replaced = records = 0
    for source, (parsed, form, broken) in _parsed_pieces(paths, workers):
        keys, kept, words, units, skipped, _ = parsed
        for key, record, text in zip(keys, kept, words, strict=True):
            old = db.execute(
                "SELECT records.id, works.words FROM records LEFT JOIN works USING (id) "
                "WHERE doi = ?",
                (key,),
            ).fetchone()
            if old is not None:
                old_id, old_words = old
                db.execute("DELETE FROM records WHERE id = ?", (old_id,))
                if old_words is not None:
                    db.execute("DELETE FROM works WHERE id = ?", (old_id,))
                    db.execute(
                        "INSERT INTO search (search, rowid, words) VALUES ('delete', ?, ?)",
                        (old_id, old_words),
                    )
                    _count_lengths(lengths, old_words, -1)
                    for word in set(old_words.split()):
                        frequencies[word] = frequencies.get(word, 0) - 1
                replaced += 1
            last += 1
            db.execute(
                "INSERT INTO records (id, doi, record) VALUES (?, ?, ?)", (last, key, record)
            )
            db.execute("INSERT INTO works (id, words) VALUES (?, ?)", (last, text))
            db.execute("INSERT INTO search (rowid, words) VALUES (?, ?)", (last, text))
            _count_lengths(lengths, text)
            for word in set(text.split()):
                frequencies[word] = frequencies.get(word, 0) + 1
        records += len(keys)
        tallies[source].add(form, len(keys), units, skipped, broken, _datacite_rows(kept))
        if progress is not None:
            progress(records)
    db.executemany(
        "INSERT INTO words (word, works) VALUES (?, ?) "
        "ON CONFLICT (word) DO UPDATE SET works = works + excluded.works",
        [(word, change) for word, change in frequencies.items() if change],
    )
    db.execute("DELETE FROM words WHERE works <= 0")
    return tallies, replaced


# --- reading -------------------------------------------------------------------------------


def is_store(path: Path) -> bool:
    """Does ``path`` name a store: by its suffix, or by an SQLite file's first bytes?"""
    path = Path(path)
    if path.suffix.lower() in STORE_SUFFIXES:
        return True
    try:
        with path.open("rb") as stream:
            return stream.read(len(_SQLITE_HEADER)) == _SQLITE_HEADER
    except OSError:
        return False


class SnapshotStore:
    """The works of a store written by :func:`import_records`, read-only.

    One object is for one thread at a time, as an SQLite connection is; any number of
    processes may read the same file at once.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            reason = "is a directory" if self.path.is_dir() else "no such file"
            raise InputError(f"cannot open snapshot store {self.path}: {reason}")
        try:
            uri = self.path.resolve().as_uri() + "?mode=ro"
            self._db = sqlite3.connect(uri, uri=True, check_same_thread=False)
        except sqlite3.Error as error:
            raise InputError(f"cannot open snapshot store {self.path}: {error}") from error
        try:
            meta = dict(self._db.execute("SELECT key, value FROM meta").fetchall())
        except sqlite3.Error:
            meta = {}
        problem = _meta_problem(meta)
        if problem is not None:
            self._db.close()
            raise InputError(f"{self.path} {problem}")
        # Candidates are read all over the file: mapped pages cost no read() each.
        self._db.execute(f"PRAGMA mmap_size = {_MMAP}")
        self._size = int(meta["works"])
        lengths = json.loads(meta["lengths"])
        # As SearchIndex: the mean over works that have the field, 1.0 when none has it.
        averages = (
            (lengths[name][1] / lengths[name][0] if lengths[name][0] else 0.0) or 1.0
            for name in _NAMES
        )
        self._fields = tuple(
            (weight, b, average) for (weight, b), average in zip(_SPECS, averages, strict=True)
        )
        self._frequencies: dict[str, int] = {}

    # --- as a Snapshot -----------------------------------------------------------------

    def get(self, doi: str) -> Work | None:
        """The work with this DOI (any case, with or without a doi.org prefix), or None."""
        row = self._fetchone("SELECT record FROM records WHERE doi = ?", (doi_key(doi),))
        return None if row is None else _work(row[0])

    def search(self, text: str, rows: int = 5) -> list[Work]:
        """The ``rows`` works that best match a reference's text, best first, ``score`` set.

        As :meth:`Snapshot.search <refcheck.resolve.snapshot.Snapshot.search>`: works sharing
        no word with ``text`` are never returned; ties go to the work imported first.
        """
        if rows <= 0:
            return []
        words = list(dict.fromkeys(tokenise(text)))
        frequencies = self._document_frequencies(words)
        words = [w for w in words if w in frequencies]
        if not words:
            return []
        idf = {w: _idf(self._size, frequencies[w]) for w in words}
        scored = _bm25f(self._candidates(words, frequencies, rows), self._fields, idf)
        best = heapq.nsmallest(rows, scored, key=lambda pair: (-pair[0], pair[1]))
        if not best:
            return []
        marks = ", ".join("?" * len(best))
        records = dict(
            self._fetchall(
                f"SELECT id, record FROM records WHERE id IN ({marks})",
                [doc for _, doc in best],
            )
        )
        found: list[Work] = []
        for score, doc in best:
            work = _work(records[doc], round(score, 3)) if doc in records else None
            if work is not None:
                found.append(work)
        return found

    def __len__(self) -> int:
        return self._size

    def __contains__(self, doi: object) -> bool:
        if not isinstance(doi, str):
            return False
        return self._fetchone("SELECT 1 FROM records WHERE doi = ?", (doi_key(doi),)) is not None

    def close(self) -> None:
        self._db.close()

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
        return f"SnapshotStore({str(self.path)!r}, {self._size} works)"

    # --- search internals -------------------------------------------------------------

    def _document_frequencies(self, words: Sequence[str]) -> dict[str, int]:
        """Works holding each word, for the words some work holds; remembered."""
        known = self._frequencies
        missing = [w for w in words if w not in known]
        if missing:
            if len(known) > 100_000:
                known.clear()
            marks = ", ".join("?" * len(missing))
            found = dict(
                self._fetchall(f"SELECT word, works FROM words WHERE word IN ({marks})", missing)
            )
            for word in missing:
                known[word] = int(found.get(word, 0))
        return {w: known[w] for w in words if known[w]}

    def _candidates(
        self, words: Sequence[str], frequencies: Mapping[str, int], rows: int
    ) -> list[tuple[Any, ...]]:
        """The works worth scoring, with their words.

        First the works holding the query's rarest words (more of them while too many works
        do); then those holding all of them but one, then any of them, while fewer than
        ``rows`` works were found or while these wider sets are small for sure.
        """
        rare = sorted(words, key=lambda w: (frequencies[w], w))
        quorum = min(_QUORUM, len(rare))
        hits = self._hits(_all_of(rare[:quorum]))
        while len(hits) > _MAX_CANDIDATES and quorum < len(rare):
            quorum += 1
            hits = self._hits(_all_of(rare[:quorum]))
        found = {hit[0]: hit for hit in hits}
        wider: list[tuple[str, int]] = []
        if len(rare) >= _QUORUM:
            top = [frequencies[w] for w in rare[:_QUORUM]]
            pairs = sum(min(a, b) for i, a in enumerate(top) for b in top[i + 1 :])
            wider.append((_all_but_one(rare[:_QUORUM]), pairs))
        if len(rare) >= 2:
            widest = rare[:_WIDEST]
            wider.append((" OR ".join(map(_phrase, widest)), sum(frequencies[w] for w in widest)))
        for query, bound in wider:
            if len(found) >= rows and bound > _CHEAP:
                break
            # Past the rarest words' quorum, any works will do to fill the rows.
            for hit in self._hits(query, limit=max(_CHEAP, rows)):
                found.setdefault(hit[0], hit)
        return list(found.values())[:_MAX_CANDIDATES]

    def _hits(self, query: str, limit: int = _MAX_CANDIDATES + 1) -> list[tuple[Any, ...]]:
        return self._fetchall(
            "SELECT works.id, works.words FROM search JOIN works ON works.id = search.rowid "
            "WHERE search MATCH ? LIMIT ?",
            (query, limit),
        )

    def _fetchone(self, sql: str, params: Sequence[Any]) -> tuple[Any, ...] | None:
        try:
            row: tuple[Any, ...] | None = self._db.execute(sql, params).fetchone()
        except sqlite3.Error as error:
            raise InputError(f"snapshot store {self.path} cannot be read: {error}") from error
        return row

    def _fetchall(self, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        try:
            rows: list[tuple[Any, ...]] = self._db.execute(sql, params).fetchall()
        except sqlite3.Error as error:
            raise InputError(f"snapshot store {self.path} cannot be read: {error}") from error
        return rows


class CombinedSnapshot:
    """Several snapshots asked as one.

    The first that knows a DOI answers for it. A search asks each and ranks what they found
    by score (a source's own order breaks ties, then the sources' order), one work a DOI,
    the first source's. Scores from sources of very different sizes are only roughly
    comparable: rare words are rarer in a small snapshot.
    """

    def __init__(self, sources: Sequence[WorkSource]) -> None:
        self.sources = tuple(sources)

    def get(self, doi: str) -> Work | None:
        for source in self.sources:
            work = source.get(doi)
            if work is not None:
                return work
        return None

    def search(self, text: str, rows: int = 5) -> list[Work]:
        found: dict[str, Work] = {}
        for source in self.sources:
            for work in source.search(text, rows):
                found.setdefault(doi_key(work.doi), work)
        ranked = sorted(found.values(), key=lambda w: -(w.score or 0.0))
        return ranked[: max(rows, 0)]

    def __len__(self) -> int:
        """Works in all the sources (a DOI held by two counts twice)."""
        return sum(len(source) for source in self.sources)

    def __contains__(self, doi: object) -> bool:
        return any(doi in source for source in self.sources)

    def close(self) -> None:
        for source in self.sources:
            close = getattr(source, "close", None)
            if callable(close):
                close()

    def __repr__(self) -> str:
        return f"CombinedSnapshot({', '.join(map(repr, self.sources))})"


# A field's score alone, the query words in it and their weighted counts.
_Part = tuple[float, frozenset[str], Mapping[str, float]]
_NO_PART: Final[_Part] = (0.0, frozenset(), {})


def _bm25f(
    candidates: Sequence[tuple[Any, ...]],
    fields: Sequence[tuple[float, float, float]],
    idf: Mapping[str, float],
) -> list[tuple[float, int]]:
    """SearchIndex's BM25F score of each (id, words) candidate, to rounding, with its id.

    Most of a search's time at scale goes here, so a candidate costs a few calls into C in
    the common case. A word's score saturates with its weighted count summed over fields,
    so fields cannot simply be scored apart; but a query word is mostly in one field of a
    work, and once in its title. The fields after the title (authors, journal, year,
    numbers: shared by many candidates) are scored once a query each, alone; the title's
    words, each once, share one saturated weight times the sum of their idf. A title word
    that is also in another field, or twice in the title, is scored with all its counts.
    Each sum runs in an order fixed by the words themselves (``math.fsum``, sorted), so
    equal texts tie and ties go to the work imported first, as in SearchIndex.
    """
    query = frozenset(idf)
    title_weight, title_b, title_average = fields[0]
    keep = 1.0 - title_b
    seen: list[dict[str, _Part]] = [{"": _NO_PART} for _ in fields]

    def saturated(weighted: float) -> float:
        return weighted * _K1_PLUS_1 / (_K1 + weighted)

    def part(field: int, text: str) -> _Part:
        tokens = text.split(" ")
        hits = query.intersection(tokens)
        found = _NO_PART
        if hits:
            weight, b, average = fields[field]
            norm = 1.0 - b + b * len(tokens) / average
            if sum(map(tokens.count, hits)) == len(hits):  # each word once, as is usual
                share = weight / norm
                alone = saturated(share) * math.fsum(map(idf.__getitem__, hits))
                found = (alone, hits, dict.fromkeys(hits, share))
            else:
                shares = {token: weight * tokens.count(token) / norm for token in hits}
                found = (_together(shares, idf, saturated), hits, shares)
        seen[field][text] = found
        return found

    authors_seen, container_seen, year_seen, numbers_seen = seen[1:]
    scored: list[tuple[float, int]] = []
    for doc, row in candidates:
        texts = row.split("\t")
        if len(texts) != len(fields):  # a damaged row scores on the fields it has
            texts = [*texts, *[""] * len(fields)][: len(fields)]
        title, authors, container, year, numbers = texts
        parts = (
            by_authors := authors_seen.get(authors) or part(1, authors),
            by_container := container_seen.get(container) or part(2, container),
            by_year := year_seen.get(year) or part(3, year),
            by_numbers := numbers_seen.get(numbers) or part(4, numbers),
        )
        words = by_authors[1] | by_container[1] | by_year[1] | by_numbers[1]
        if len(words) == (
            len(by_authors[1]) + len(by_container[1]) + len(by_year[1]) + len(by_numbers[1])
        ):
            score = by_authors[0] + by_container[0] + by_year[0] + by_numbers[0]
        else:  # a word in two of these fields (an author's name in the journal's)
            score = _together(_merged([p[2] for p in parts]), idf, saturated)
        tokens = title.split(" ") if title else []
        hits = query.intersection(tokens)
        if hits:
            norm = keep + title_b * len(tokens) / title_average
            share = title_weight / norm
            # The words to score with all their counts: in another field too, or repeated.
            special = hits & words
            # A title repeats a word it shares with the query: rarely, so asked only of a
            # title that repeats any word.
            if len(set(tokens)) != len(tokens) and sum(map(tokens.count, hits)) != len(hits):
                special = special.union(w for w in hits if tokens.count(w) > 1)
            plain = hits - special if special else hits
            if plain:
                score += saturated(share) * math.fsum(map(idf.__getitem__, plain))
            if special:
                gains: list[float] = []
                for word in sorted(special):
                    weighted = share * tokens.count(word)
                    # What the title adds to the score the other fields gave the word
                    # (fsum is exact: leaving out the fields without it changes nothing).
                    other = math.fsum([p[2][word] for p in parts if word in p[1]])
                    gains.append(idf[word] * (saturated(weighted + other) - saturated(other)))
                score += math.fsum(gains)
        scored.append((score, doc))
    return scored


def _together(
    shares: Mapping[str, float], idf: Mapping[str, float], saturated: Callable[[float], float]
) -> float:
    return math.fsum(idf[w] * saturated(s) for w, s in sorted(shares.items()))


def _merged(shares: Sequence[Mapping[str, float]]) -> dict[str, float]:
    """Weighted counts added up over fields, in field order."""
    merged: dict[str, float] = {}
    for field in shares:
        for token, share in field.items():
            merged[token] = merged.get(token, 0.0) + share
    return merged


def _phrase(word: str) -> str:
    # Words are lower-case ASCII letters and digits: quoting makes each a plain term.
    return f'"{word}"'


def _all_of(words: Sequence[str]) -> str:
    return " AND ".join(_phrase(w) for w in words)


def _all_but_one(words: Sequence[str]) -> str:
    return " OR ".join(
        f"({_all_of([w for j, w in enumerate(words) if j != i])})" for i in range(len(words))
    )


def _meta_problem(meta: Mapping[str, str]) -> str | None:
    if meta.get("format") != FORMAT:
        return "is not a refcheck snapshot store (make one with `refcheck snapshot import`)"
    if meta.get("version") != str(VERSION):
        return (
            f"is a snapshot store of version {meta.get('version')}, this refcheck reads "
            f"version {VERSION}: import the records again"
        )
    try:
        fields = json.loads(meta.get("fields", "[]"))
        lengths = json.loads(meta.get("lengths", "{}"))
        int(meta.get("works", ""))
    except ValueError:
        return "is a damaged snapshot store: import the records again"
    if fields != list(_NAMES) or not isinstance(lengths, dict) or set(lengths) != set(_NAMES):
        return "was built with other search fields: import the records again"
    if not all(
        isinstance(pair, list) and len(pair) == 2 and all(isinstance(n, int) for n in pair)
        for pair in lengths.values()
    ):
        return "is a damaged snapshot store: import the records again"
    return None


def _work(record: str, score: float | None = None) -> Work | None:
    """The Work of a stored record; with ``score``, that score (as a search sets it)."""
    try:
        try:
            value = _DECODE(record)
        except msgspec.DecodeError:  # NaN or a lone surrogate: JSON only the json module reads
            value = json.loads(record)
        datacite = value.get(_DATACITE_KEY)
        if datacite is not None:
            work = work_from_datacite(datacite)
            return work if score is None else work.model_copy(update={"score": score})
        if score is not None:
            value["score"] = score  # work_from_record takes it as is: no copy of the Work
        return work_from_record(value)
    except (ValueError, TypeError, AttributeError, OverflowError, RecursionError):
        return None


def _size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB"):
        if value < 1000:
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} GB"
