"""A snapshot: Crossref works records saved to disk, looked up by DOI and searched offline.

A snapshot file holds JSON lines, optionally gzipped (``.gz``): one works record a line, bare
(the ``message`` of ``/works/{doi}``, or one item of a ``/works`` list) or in its API envelope
(``{"status": "ok", "message": {...}}``; a ``work-list`` envelope gives all its items), or a
DataCite record (a ``data`` object of its REST API, bare or in a ``{"data": ...}`` answer of
one or a list; made into a Work by datacite_records, registry "DataCite"). Blank
lines are ignored; lines that are not such a record are skipped and counted in
:attr:`Snapshot.skipped`. When a DOI appears twice, the later record wins.

A snapshot holds only what was saved: a DOI missing from it may well be in Crossref.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO, Protocol, runtime_checkable

from refcheck.errors import InputError
from refcheck.models import Work
from refcheck.resolve.cache import doi_key
from refcheck.resolve.datacite_records import work_from_datacite
from refcheck.resolve.records import work_from_record
from refcheck.resolve.search_index import SearchIndex, work_fields

__all__ = ["Snapshot", "WorkSource"]


@runtime_checkable
class WorkSource(Protocol):
    """What the resolver asks of saved works: this Snapshot, a
    :class:`~refcheck.resolve.store.SnapshotStore`, or several of them as one."""

    def get(self, doi: str) -> Work | None:
        """The work with this DOI (any case, with or without a doi.org prefix), or None."""
        ...

    def search(self, text: str, rows: int = 5) -> list[Work]:
        """The ``rows`` works best matching a reference's text, best first, score set."""
        ...

    def __len__(self) -> int: ...

    def __contains__(self, doi: object) -> bool: ...


class Snapshot:
    """Works held in memory, by DOI, with a bibliographic search index built up front."""

    def __init__(self, works: Iterable[Work], *, skipped: int = 0) -> None:
        by_doi: dict[str, Work] = {}
        for work in works:
            key = doi_key(work.doi)
            by_doi.pop(key, None)  # a later record replaces the earlier, in the later's place
            by_doi[key] = work
        self._works = by_doi
        self._order = list(by_doi.values())
        self._index = SearchIndex(work_fields(w) for w in self._order)
        self.skipped = skipped
        """Lines that were not works records (bad JSON, no DOI, an error envelope)."""

    @classmethod
    def load(cls, paths: Sequence[Path]) -> Snapshot:
        """Read snapshot files (``.gz`` = gzipped). Raises InputError if one cannot be read."""
        works: list[Work] = []
        skipped = 0
        for path in paths:
            try:
                with _open(Path(path)) as lines:
                    for raw in lines:
                        if not raw.strip():
                            continue
                        found, whole = _records(raw)
                        works.extend(found)
                        skipped += not whole
            except (OSError, EOFError, zlib.error) as error:
                raise InputError(f"cannot read snapshot {path}: {_reason(error)}") from error
        return cls(works, skipped=skipped)

    def get(self, doi: str) -> Work | None:
        """The work with this DOI (any case, with or without a doi.org prefix), or None."""
        return self._works.get(doi_key(doi))

    def search(self, text: str, rows: int = 5) -> list[Work]:
        """The ``rows`` works that best match a reference's text, best first, ``score`` set.

        ``text`` is anything bibliographic: a whole reference string, or its authors, title,
        container and year run together. Works sharing no word with it are never returned.
        """
        return [
            self._order[doc].model_copy(update={"score": score})
            for doc, score in self._index.search(text, rows)
        ]

    def __len__(self) -> int:
        return len(self._works)

    def __contains__(self, doi: object) -> bool:
        return isinstance(doi, str) and doi_key(doi) in self._works

    def __iter__(self) -> Iterator[Work]:
        return iter(self._order)

    def __repr__(self) -> str:
        return f"Snapshot({len(self)} works, {self.skipped} skipped)"


def _open(path: Path) -> BinaryIO:
    if path.name.endswith(".gz"):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return path.open("rb")


def _records(raw: bytes) -> tuple[list[Work], bool]:
    """The works on one line, and whether the whole line was usable."""
    try:
        value: Any = json.loads(raw)
    except (ValueError, RecursionError):  # bad JSON, bad UTF-8, or nested past any record
        return [], False
    if isinstance(value, dict) and "message" in value:
        if value.get("status", "ok") != "ok" or not isinstance(value["message"], dict):
            return [], False
        value = value["message"]
        items = value.get("items")
        if isinstance(items, list):
            works = [w for w in map(_work, items) if w is not None]
            return works, len(works) == len(items)
    elif isinstance(value, dict) and "data" in value and "DOI" not in value:
        data = value["data"]  # a DataCite answer: one data object, or a list of them
        if isinstance(data, list):
            works = [w for w in map(_work, data) if w is not None]
            return works, bool(data) and len(works) == len(data)
        value = data
    work = _work(value)
    return ([], False) if work is None else ([work], True)


def _work(record: Any) -> Work | None:
    if not isinstance(record, dict):
        return None
    try:
        if "DOI" not in record and isinstance(record.get("attributes"), dict):
            return work_from_datacite(record)
        return work_from_record(record)
    except (ValueError, TypeError, AttributeError):
        # No DOI, or a field of an impossible shape: not a record we can compare against.
        return None


def _reason(error: BaseException) -> str:
    if isinstance(error, OSError) and error.strerror:
        return error.strerror.lower() if error.strerror[:1].isupper() else error.strerror
    if isinstance(error, gzip.BadGzipFile | EOFError | zlib.error):
        return f"not a valid gzip file ({error or 'truncated'})"
    return str(error) or type(error).__name__
