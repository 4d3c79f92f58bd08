"""`import_records` reads the files Crossref distributes: the Public Data File's tar of
``{"items": [...]}`` files, a folder of them, one such file, API answers, JSON lines; and
refuses an input that gives no record or loses more than 1% of them."""

from __future__ import annotations

import gzip
import io
import json
import sqlite3
import tarfile
from pathlib import Path
from typing import Any

import pytest

from refcheck.errors import InputError
from refcheck.resolve.store import SnapshotStore, import_records

from .jsonl import write_jsonl

PER_FILE = 250


@pytest.fixture(scope="module")
def real_records(shared: Path) -> list[dict[str, Any]]:
    with gzip.open(shared / "crossref" / "works-dev.jsonl.gz", "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def items_file(records: list[dict[str, Any]], *, indent: int | None = None) -> bytes:
    return json.dumps({"items": records}, indent=indent).encode()


def chunks(records: list[dict[str, Any]], size: int = PER_FILE) -> list[list[dict[str, Any]]]:
    return [records[i : i + size] for i in range(0, len(records), size)]


def write_tar(path: Path, members: list[tuple[str, bytes]]) -> Path:
    with tarfile.open(path, "w:gz" if path.name.endswith(".gz") else "w") as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def public_data_tar(path: Path, records: list[dict[str, Any]]) -> Path:
    """The Public Data File's shape: a tar of numbered gzipped items files (and a folder)."""
    members = [
        (f"crossref/{n}.json.gz", gzip.compress(items_file(part)))
        for n, part in enumerate(chunks(records))
    ]
    return write_tar(path, members)


def contents(path: Path) -> list[list[tuple[Any, ...]]]:
    """A store's rows and statistics, less its creation time."""
    with sqlite3.connect(path) as db:
        return [
            db.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
            for table in ("records", "works", "words", "meta WHERE key != 'created'")
        ]


@pytest.fixture(scope="module")
def from_lines(
    real_records: list[dict[str, Any]], tmp_path_factory: pytest.TempPathFactory
) -> list[list[tuple[Any, ...]]]:
    folder = tmp_path_factory.mktemp("lines")
    source = write_jsonl(folder / "works.jsonl.gz", real_records)
    stats = import_records([source], folder / "works.sqlite3", workers=0)
    assert stats.forms == {"JSON lines": len(real_records)}
    return contents(folder / "works.sqlite3")


@pytest.mark.parametrize(("workers", "suffix"), [(0, ".tar"), (2, ".tar"), (2, ".tar.gz")])
def test_the_public_data_files_tar_gives_the_store_json_lines_give(
    real_records: list[dict[str, Any]],
    from_lines: list[list[tuple[Any, ...]]],
    tmp_path: Path,
    workers: int,
    suffix: str,
) -> None:
    # A plain tar's members are read where they are by the workers; a compressed one's are
    # read as a stream and handed over.
    tar = public_data_tar(tmp_path / f"April 2025 Public Data File{suffix}", real_records)

    stats = import_records([tar], tmp_path / "works.sqlite3", workers=workers)

    assert stats.forms == {"items files": len(real_records)}
    assert (stats.records, stats.skipped, stats.lines) == (len(real_records), 0, len(real_records))
    assert f"{len(real_records):,} from items files; 0 lines or items skipped" in stats.summary()
    assert contents(tmp_path / "works.sqlite3") == from_lines
    assert not [p for p in tmp_path.iterdir() if p.name not in {tar.name, "works.sqlite3"}]


def test_a_folder_of_items_files_and_single_files_in_every_form(
    real_records: list[dict[str, Any]], from_lines: list[list[tuple[Any, ...]]], tmp_path: Path
) -> None:
    parts = chunks(real_records, 1000)
    folder = tmp_path / "snapshot"
    (folder / "deeper").mkdir(parents=True)
    (folder / "README.txt").write_text("not records")
    (folder / "0.json.gz").write_bytes(gzip.compress(items_file(parts[0])))
    (folder / "deeper" / "1.json.gz").write_bytes(gzip.compress(items_file(parts[1])))
    # Pretty printed, not gzipped.
    pretty = tmp_path / "2.json"
    pretty.write_bytes(items_file(parts[2], indent=2))
    # A saved /works page (pretty printed) and a saved /works/{doi} answer (one line).
    first, *rest = parts[3]
    page = tmp_path / "page.json"
    answer = {"status": "ok", "message-type": "work-list", "message": {"items": rest}}
    page.write_text(json.dumps(answer, indent=1))
    work = tmp_path / "work.json.gz"
    work.write_bytes(gzip.compress(json.dumps({"status": "ok", "message": first}).encode()))

    sources = [folder, pretty, work, page]
    stats = import_records(sources, tmp_path / "works.sqlite3", workers=0)

    assert stats.forms == {
        "items files": sum(map(len, parts[:3])),
        "API answers": len(parts[3]),
    }
    # The same works; only the order (ties in search) differs from the JSON lines store.
    got, want = contents(tmp_path / "works.sqlite3"), from_lines
    assert sorted(row[1:] for row in got[0]) == sorted(row[1:] for row in want[0])
    assert got[2:] == want[2:]  # the same word statistics


def test_a_pretty_printed_single_work_answer(
    real_records: list[dict[str, Any]], tmp_path: Path
) -> None:
    answer = tmp_path / "answer.json"
    answer.write_text(json.dumps({"status": "ok", "message": real_records[7]}, indent=4))

    stats = import_records([answer], tmp_path / "works.sqlite3")

    assert stats.forms == {"API answers": 1}
    with SnapshotStore(tmp_path / "works.sqlite3") as store:
        assert real_records[7]["DOI"] in store


def test_the_issues_own_case_an_items_file_is_no_longer_zero_works(
    real_records: list[dict[str, Any]], tmp_path: Path
) -> None:
    source = tmp_path / "0.json.gz"
    source.write_bytes(gzip.compress(items_file(real_records[:300])))

    stats = import_records([source], tmp_path / "works.sqlite3")

    assert (stats.works, stats.skipped) == (300, 0)


# --- inputs that give nothing, or lose records: refused, the old store left as it was ------


@pytest.fixture
def old_store(real_records: list[dict[str, Any]], tmp_path: Path) -> Path:
    path = tmp_path / "works.sqlite3"
    import_records([write_jsonl(tmp_path / "old.jsonl", real_records[:5])], path)
    return path


def refused(sources: list[Path], store: Path, match: str) -> None:
    before = store.read_bytes()
    with pytest.raises(InputError, match=match) as raised:
        import_records(sources, store, workers=0)
    assert "\n" not in str(raised.value)
    assert str(sources[-1]) in str(raised.value)
    assert store.read_bytes() == before
    assert not list(store.parent.glob(".*importing*"))


def test_an_items_file_of_no_records_is_refused(old_store: Path, tmp_path: Path) -> None:
    empty = tmp_path / "0.json.gz"
    empty.write_bytes(gzip.compress(b'{"items": [{"title": ["no DOI"]}, 3]}'))
    refused(
        [empty],
        old_store,
        r"no works record in .*0\.json\.gz: found 2 lines or items, 2 not works records",
    )


@pytest.mark.parametrize(
    ("content", "found"),
    [
        (b"", r"found nothing to read \(empty\)"),
        (b"\n\n", r"found nothing to read \(empty\)"),
        (b'{\n  "items": [\n', r"found 2 lines or items, 2 not works records"),
        (b'{"status": "error", "message": ["bad filter"]}', "found 1 lines or items"),
    ],
)
def test_a_file_giving_nothing_is_refused(
    old_store: Path, tmp_path: Path, content: bytes, found: str
) -> None:
    source = tmp_path / "works.json"
    source.write_bytes(content)
    refused([source], old_store, found)


def test_a_tar_without_record_files_and_an_empty_folder_are_refused(
    old_store: Path, tmp_path: Path
) -> None:
    tar = write_tar(tmp_path / "snapshot.tar", [("README", b"hello")])
    refused([tar], old_store, "a tar without")
    (tmp_path / "empty").mkdir()
    refused([tmp_path / "empty"], old_store, "a folder without")


def test_more_than_one_percent_lost_is_refused_less_is_kept(
    real_records: list[dict[str, Any]], old_store: Path, tmp_path: Path
) -> None:
    records = real_records[:2000]
    members = [
        (f"{n}.json.gz", gzip.compress(items_file(part)))
        for n, part in enumerate(chunks(records, 10))
    ]
    # One member of 200 cut short (as by a broken download): 10 records of 2,000 lost.
    name, data = members[50]
    one_broken = [*members[:50], (name, data[: len(data) // 2]), *members[51:]]
    tar = write_tar(tmp_path / "one.tar", one_broken)
    stats = import_records([tar], tmp_path / "kept.sqlite3", workers=0)
    assert stats.records == 1990

    # Three of 200: 1.5%.
    three_broken = [
        (n, d[:100]) if i in (10, 20, 30) else (n, d) for i, (n, d) in enumerate(members)
    ]
    tar = write_tar(tmp_path / "three.tar", three_broken)
    refused([tar], old_store, r"three\.tar lost 30 of 2,000 records \(1\.5%, more than 1%\)")

    # JSON lines with 2% of their lines not records.
    lines: list[Any] = [*records[:98], "{not json", {"title": ["no DOI"]}]
    refused([write_jsonl(tmp_path / "lossy.jsonl", lines)], old_store, r"lost 2 of 100")


def test_a_tar_cut_short_is_refused(
    real_records: list[dict[str, Any]], old_store: Path, tmp_path: Path
) -> None:
    whole = public_data_tar(tmp_path / "whole.tar", real_records[:1000])
    cut = tmp_path / "cut.tar"
    data = whole.read_bytes()
    cut.write_bytes(data[: len(data) * 3 // 4])  # in the last of the four members, as a
    # download stopped there

    refused([cut], old_store, r"cannot read snapshot .*cut\.tar: unexpected end of data")
