"""`update_records`: newer records applied to a store, in one transaction, as an import of
the old records and then the new would make it."""

from __future__ import annotations

import copy
import gzip
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from refcheck.errors import InputError
from refcheck.resolve.store import SnapshotStore, import_records, update_records

from .jsonl import write_jsonl
from .test_store_formats import chunks, contents, items_file, real_records, write_tar

__all__ = ["real_records"]  # a fixture, shared

NEW_TITLE = "Quasicrystalline zebrafish otoliths under polarised moonlight"


def newer(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Newer versions of records: the DOI in upper case, one title changed."""
    changed = copy.deepcopy(records)
    for record in changed:
        record["DOI"] = record["DOI"].upper()
        record["volume"] = "999"
    changed[0]["title"] = [NEW_TITLE]
    return changed


def without_times(tables: list[list[tuple[Any, ...]]]) -> list[list[tuple[Any, ...]]]:
    *rows, meta = tables
    return [*rows, [pair for pair in meta if pair[0] not in {"created", "updated"}]]


@pytest.mark.parametrize("workers", [0, 2])
def test_an_update_makes_the_store_an_import_of_old_then_new_makes(
    real_records: list[dict[str, Any]], tmp_path: Path, workers: int
) -> None:
    old = write_jsonl(tmp_path / "old.jsonl.gz", real_records[:1500])
    update = [*newer(real_records[100:300]), *real_records[1500:1800]]
    tar = write_tar(
        tmp_path / "monthly.tar",
        [(f"{n}.json.gz", gzip.compress(items_file(p))) for n, p in enumerate(chunks(update))],
    )
    store = tmp_path / "works.sqlite3"
    import_records([old], store)

    stats = update_records(store, [tar], workers=workers)
    import_records([old, tar], tmp_path / "fresh.sqlite3")

    assert (stats.records, stats.replaced, stats.works) == (500, 200, 1800)
    assert stats.forms == {"items files": 500}
    assert "200 works replaced, 300 records added, 1,800 works now" in stats.summary()
    assert without_times(contents(store)) == without_times(contents(tmp_path / "fresh.sqlite3"))
    changed = real_records[100]["DOI"]
    with SnapshotStore(store) as updated, SnapshotStore(tmp_path / "fresh.sqlite3") as fresh:
        work = updated.get(changed)
        assert work is not None
        assert work.title == NEW_TITLE
        assert work.volume == "999"
        found = updated.search(f"{NEW_TITLE} 2020", 5)
        assert found[0].doi.lower() == changed.lower()
        old_title = real_records[100]["title"][0]
        assert all(w.title != old_title for w in updated.search(old_title, 5))
        for record in real_records[:1800:37]:
            text = " ".join([*record.get("title", []), *record.get("container-title", [])])
            assert updated.search(text, 5) == fresh.search(text, 5)


def test_an_update_giving_no_record_or_lossy_leaves_the_store_as_it_was(
    real_records: list[dict[str, Any]], tmp_path: Path
) -> None:
    store = tmp_path / "works.sqlite3"
    import_records([write_jsonl(tmp_path / "old.jsonl", real_records[:50])], store)
    before = store.read_bytes()
    empty = tmp_path / "page.json"
    empty.write_text(json.dumps({"status": "ok", "message": {"items": []}}, indent=2))
    lossy = write_jsonl(tmp_path / "new.jsonl", [*newer(real_records[:20]), "{broken"])

    with pytest.raises(InputError, match=r"no works record in .*page\.json"):
        update_records(store, [empty])
    with pytest.raises(InputError, match=r"new\.jsonl lost 1 of 21 records"):
        update_records(store, [lossy])
    with pytest.raises(InputError, match=r"cannot update snapshot store .*: no such file"):
        update_records(tmp_path / "missing.sqlite3", [lossy])
    not_a_store = tmp_path / "other.sqlite3"
    sqlite3.connect(not_a_store).close()
    with pytest.raises(InputError, match="is not a refcheck snapshot store"):
        update_records(not_a_store, [lossy])

    assert store.read_bytes() == before
    assert not (tmp_path / "works.sqlite3-journal").exists()
    with SnapshotStore(store) as kept:
        work = kept.get(real_records[0]["DOI"])
        assert work is not None
        assert work.volume != "999"
