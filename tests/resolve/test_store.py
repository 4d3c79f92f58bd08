from __future__ import annotations

import gzip
import json
import random
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from refcheck.config import Settings
from refcheck.errors import InputError
from refcheck.models import Work
from refcheck.resolve import store as store_module
from refcheck.resolve.cache import WorkCache
from refcheck.resolve.records import work_from_record
from refcheck.resolve.resolver import Resolver
from refcheck.resolve.search_index import work_fields
from refcheck.resolve.snapshot import Snapshot, WorkSource
from refcheck.resolve.store import (
    CombinedSnapshot,
    SnapshotStore,
    _without_references,
    import_records,
    record_fields,
)

from .jsonl import BAD_LINES, LIBRARY, record, write_jsonl


def build(tmp_path: Path, lines: list[Any], name: str = "works.jsonl") -> SnapshotStore:
    source = write_jsonl(tmp_path / name, lines)
    import_records([source], tmp_path / "works.sqlite3")
    return SnapshotStore(tmp_path / "works.sqlite3")


# --- import and lookups ----------------------------------------------------------------------


def test_get_gives_the_snapshots_work_by_any_spelling_of_the_doi(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "works.jsonl.gz", LIBRARY)

    stats = import_records([source], tmp_path / "works.sqlite3")
    store = SnapshotStore(tmp_path / "works.sqlite3")
    snapshot = Snapshot.load([source])

    assert (stats.lines, stats.records, stats.works, stats.skipped) == (6, 6, 6, 0)
    assert len(store) == 6
    assert isinstance(store, WorkSource)
    assert isinstance(snapshot, WorkSource)
    for work in snapshot:
        assert store.get(work.doi) == work
    for spelling in ("10.1000/SPINE.1", "https://doi.org/10.1000/spine.1", "doi:10.1000/Spine.1"):
        work = store.get(spelling)
        assert work is not None
        assert work.doi == "10.1000/Spine.1"
        assert work.page == "201-211"
        assert spelling in store
    assert store.get("10.1000/spine.99") is None
    assert "10.1000/spine.99" not in store
    assert 42 not in store


def test_a_later_record_wins_in_the_later_place(tmp_path: Path) -> None:
    first = write_jsonl(
        tmp_path / "a.jsonl",
        [record("10.1/x", "Same words", volume="1"), record("10.1/y", "Same words")],
    )
    second = write_jsonl(tmp_path / "b.jsonl.gz", [record("10.1/X", "Same words", volume="2")])

    stats = import_records([first, second], tmp_path / "s.sqlite3")
    store = SnapshotStore(tmp_path / "s.sqlite3")

    assert (stats.records, stats.works) == (3, 2)
    assert "1 replaced by a later record" in stats.summary()
    assert len(store) == 2
    work = store.get("10.1/x")
    assert work is not None
    assert (work.doi, work.volume) == ("10.1/X", "2")
    # The later record took the later place: it loses a tie to the work imported before it.
    found = store.search("same words", 5)
    assert [w.doi for w in found] == ["10.1/y", "10.1/X"]
    assert found == Snapshot.load([first, second]).search("same words", 5)


def test_search_finds_the_work_first_with_snapshot_scores(tmp_path: Path) -> None:
    store = build(tmp_path, LIBRARY)
    snapshot = Snapshot(work_from_record(r) for r in LIBRARY)

    for query in (
        "Kasch, R. (2022). Lumbar MRI findings and future back pain. Spine, 47, 201-211.",
        "Brinjikji Luetmer AJNR Am J Neuroradiol 2015",
        "Bülow Ischias",
        "bulow uber ruckenschmerzen",
    ):
        found = store.search(query, 3)
        assert found
        assert found[:1] == snapshot.search(query, 3)[:1]
        scores = [w.score for w in found]
        assert all(s is not None and s > 0 for s in scores)
        assert scores == sorted(scores, reverse=True)
    assert store.search("Kasch Lumbar MRI back pain 2022", 5)[0].doi == "10.1000/Spine.1"
    assert store.search("quantum chromodynamics", 5) == []
    assert store.search("", 5) == []
    assert store.search("lumbar", 0) == []


def test_scores_agree_with_the_snapshot_where_a_word_is_in_two_fields_or_twice(
    tmp_path: Path,
) -> None:
    # The store scores most rows by a shortcut (each title word once, in the title alone);
    # these rows take the long way: the same word in the title and the journal, a word
    # twice in the title, an author's name in the journal's.
    works = [
        record("10.1/a", "Spine surgery outcomes", ("Jensen",), "Spine", 2019, volume="12"),
        record("10.1/b", "Pain pain and more pain in spine", ("Kasch",), "Pain", 2018),
        record("10.1/c", "Surgery outcomes reviewed", ("Jensen",), "Jensen Reports", 2019),
        record("10.1/d", "Spine surgery outcomes 2019", ("Kasch", "Jensen"), "Spine", 2019),
        record("10.1/e", "Outcomes of spine surgery", ("Smith",), "Surgery", 2012, page="12"),
    ]
    store = build(tmp_path, works)
    snapshot = Snapshot(work_from_record(r) for r in works)

    for query in (
        "Jensen (2019) Spine surgery outcomes. Spine 12",
        "Kasch pain pain spine 2018",
        "Jensen surgery outcomes Jensen Reports 2019",
        "outcomes spine surgery 2019 12",
    ):
        ours = {w.doi: w.score for w in store.search(query, 5)}
        theirs = {w.doi: w.score for w in snapshot.search(query, 5)}
        assert ours == theirs, query


def test_search_agrees_with_the_snapshot_on_the_real_records(shared: Path, tmp_path: Path) -> None:
    works = shared / "crossref" / "works-dev.jsonl.gz"
    import_records([works], tmp_path / "real.sqlite3")
    store = SnapshotStore(tmp_path / "real.sqlite3")
    snapshot = Snapshot.load([works])
    assert len(store) == len(snapshot)
    rng = random.Random(7)
    sample = rng.sample(list(snapshot), 100)
    for work in sample:
        assert store.get(work.doi) == work
        families = [p.family or p.literal or "" for p in work.authors[:3]]
        for query in (
            " ".join([*families, work.title or "", *work.container_title, str(work.year or "")]),
            " ".join([*families[:1], str(work.year or ""), work.volume or ""]),
            " ".join((work.title or "").split()[:4]),
        ):
            ours, theirs = store.search(query, 5), snapshot.search(query, 5)
            assert ours[:1] == theirs[:1], query


def test_record_fields_are_work_fields_of_the_work(shared: Path) -> None:
    works = shared / "crossref" / "works-dev.jsonl.gz"
    with gzip.open(works, "rb") as lines:
        records = [json.loads(line) for line in lines]
    for item in [*records, *LIBRARY, {"DOI": "10.1/p", "author": [{"name": "The Group"}, 3]}]:
        assert record_fields(item) == work_fields(work_from_record(item))


def test_msgspec_and_the_json_module_read_a_line_alike(shared: Path) -> None:
    # The quick way (msgspec, kept keys only, typed authors) and the json module's way must
    # give one row: the same DOI key, search words and kept record.
    works = shared / "crossref" / "works-dev.jsonl.gz"
    with gzip.open(works, "rb") as stream:
        lines = [line for line in stream if line.strip()]
    odd = [
        {"DOI": "10.1/odd", "author": [{"name": "The Group", "affiliation": []}, {"x": 1}]},
        {"DOI": "10.1/rel", "relation": {"cites": [], "is-preprint-of": [{"id": "10.1/p"}]}},
    ]
    for raw in [*lines, *(json.dumps(r).encode() for r in odd)]:
        quick: list[tuple[str, ...]] = []
        assert store_module._line_rows(raw, quick)
        slow = store_module._row(json.loads(raw))
        assert slow is not None
        [(key, kept, words)] = quick
        assert (key, words) == (slow[0], slow[2])
        assert json.loads(kept) == json.loads(slow[1])


def test_work_list_envelopes_are_unwrapped(tmp_path: Path) -> None:
    store = build(
        tmp_path,
        [
            {"status": "ok", "message-type": "work", "message": LIBRARY[0]},
            {"status": "ok", "message": {"items": [LIBRARY[1], LIBRARY[2]], "total-results": 2}},
            LIBRARY[3],
        ],
    )

    assert len(store) == 4
    assert all(r["DOI"] in store for r in LIBRARY[:4])


# --- what is skipped ---------------------------------------------------------------------


def test_bad_lines_are_skipped_and_counted_as_the_snapshot_does(tmp_path: Path) -> None:
    whole = json.dumps(LIBRARY[5])
    cut_short = whole[: len(whole) // 2].encode()  # as by a killed download
    lines = [*BAD_LINES[:2], cut_short, *BAD_LINES[2:]]
    source = tmp_path / "works.jsonl"
    source.write_bytes(b"\n".join(lines))

    with pytest.raises(InputError, match=r"works\.jsonl lost 10 of 13 records"):
        import_records([source], tmp_path / "works.sqlite3")
    assert not (tmp_path / "works.sqlite3").exists()
    # Allowed to lose them, the import keeps what it can.
    stats = import_records([source], tmp_path / "works.sqlite3", max_loss=1.0)
    store = SnapshotStore(tmp_path / "works.sqlite3")
    snapshot = Snapshot.load([source])

    assert stats.skipped == snapshot.skipped == 10
    assert stats.lines == 12
    assert len(store) == len(snapshot) == 3
    assert all(store.get(w.doi) == w for w in snapshot)
    assert "3 from JSON lines; 10 lines or items skipped" in stats.summary()


def test_the_reference_list_is_cut_before_parsing() -> None:
    for item in LIBRARY:
        for separators in ((", ", ": "), (",", ":")):
            line = json.dumps(item, separators=separators).encode()
            cut = _without_references(line)
            assert b'"reference"' not in cut
            assert json.loads(cut) == {k: v for k, v in item.items() if k != "reference"}


@pytest.mark.parametrize(
    "line",
    [
        # the list last, or empty
        json.dumps({"DOI": "10.1/l", "title": ["T"], "reference": [{"u": "a"}]}),
        json.dumps({"DOI": "10.1/e", "reference": [], "title": ["T"]}),
        # a string ending in '], ' just before its closing quote, then more fields
        json.dumps({"DOI": "10.1/s", "reference": [{"u": "x], "}, {"u": 'a"], '}], "t": 1}),
        # lists inside the list: the first '], "' is not its end
        json.dumps({"DOI": "10.1/n", "reference": [{"a": ["b"], "c": "d"}], "volume": "2"}),
        # "reference" as a value before the key; backslashes
        json.dumps({"type": "reference", "DOI": "10.1/v", "reference": [{"u": "\\"}], "x": 1}),
        '{"DOI": "10.1/q", "title": ["ends in \\\\"], "reference": [{"u": "]"}], "page": "3"}',
        '{"DOI": "10.1/r", "reference": [{"u": "\\\\"}, {"v": "\\"], "}], "page": "3"}',
    ],
)
def test_a_cut_never_changes_what_the_rest_says(line: str) -> None:
    whole = json.loads(line)
    whole.pop("reference", None)
    cut = _without_references(line.encode())
    if cut == line.encode():
        return  # not cut: the whole line is parsed
    try:
        parsed = json.loads(cut)
    except ValueError:
        return  # cut wrongly, which shows: the whole line is parsed instead
    assert parsed == whole


def test_damage_inside_the_reference_list_alone_keeps_the_record(tmp_path: Path) -> None:
    source = tmp_path / "works.jsonl"
    source.write_bytes(json.dumps(LIBRARY[0]).encode().replace(b'"Other"', b'"Oth\xff"'))

    stats = import_records([source], tmp_path / "works.sqlite3")

    # Documented leniency: the Snapshot skips the line (not UTF-8), the store keeps the work.
    assert Snapshot.load([source]).skipped == 1
    assert (stats.works, stats.skipped) == (1, 0)
    assert "10.1000/Spine.1" in SnapshotStore(tmp_path / "works.sqlite3")


def test_lines_the_fast_decoder_refuses_are_read_as_the_snapshot_reads_them(
    tmp_path: Path,
) -> None:
    # JSON Python's json module reads and msgspec does not (NaN, a number past a double, a
    # lone surrogate), a duplicated key, nesting too deep for either: each line is read as
    # the Snapshot reads it.
    base = json.dumps(record("10.1/base", "Plain title of a work"))
    lines = [
        base,
        json.dumps(record("10.1/nan", "Not a number", extra=float("nan"))),
        json.dumps(record("10.1/huge", "A huge number")).replace('"DOI"', '"n": 1e400, "DOI"'),
        json.dumps(record("10.1/big", "A big integer", volume=10**30)),
        json.dumps(record("10.1/surrogate", "Lone \ud800 surrogate"), ensure_ascii=True),
        json.dumps(record("10.1/first", "The first title"))[:-1]
        + ', "title": ["The later title"]}',
        '{"DOI": "10.1/deep", "title": ' + "[" * 100_000 + "]" * 100_000 + "}",
        json.dumps({"status": "ok", "message": record("10.1/envelope", "In an envelope")}),
    ]
    source = write_jsonl(tmp_path / "works.jsonl", lines)

    stats = import_records([source], tmp_path / "works.sqlite3", max_loss=0.2)
    store = SnapshotStore(tmp_path / "works.sqlite3")

    assert (stats.records, stats.skipped) == (7, 1)  # the deep line alone is skipped
    snapshot = Snapshot.load([write_jsonl(tmp_path / "works-no-deep.jsonl", lines[:6] + lines[7:])])
    assert len(store) == len(snapshot) == 7
    assert all(store.get(w.doi) == w for w in snapshot)
    first = store.get("10.1/first")
    assert first is not None
    assert first.title == "The later title"


# --- files that are not stores, and atomic writes --------------------------------------------


def test_a_file_that_is_not_a_store_raises_input_error(tmp_path: Path) -> None:
    text = tmp_path / "notes.sqlite3"
    text.write_text("not a database at all, just some text\n" * 20)
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    cache = tmp_path / "crossref.sqlite3"
    WorkCache(cache).close()
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE meta (key TEXT, value TEXT)")
        db.execute("INSERT INTO meta VALUES ('format', 'something else')")
    db.close()

    for path in (text, empty, cache, other, tmp_path / "missing.sqlite3", tmp_path):
        with pytest.raises(InputError) as raised:
            SnapshotStore(path)
        message = str(raised.value)
        assert str(path) in message
        assert "\n" not in message


def test_a_failed_import_leaves_no_store_and_the_old_one_intact(tmp_path: Path) -> None:
    store_path = tmp_path / "works.sqlite3"
    import_records([write_jsonl(tmp_path / "old.jsonl", LIBRARY[:2])], store_path)
    before = store_path.read_bytes()
    truncated = tmp_path / "new.jsonl.gz"
    truncated.write_bytes(gzip.compress(json.dumps(LIBRARY[0]).encode() * 3000)[:-60])

    with pytest.raises(InputError, match=r"new\.jsonl\.gz"):
        import_records([truncated], store_path)
    with pytest.raises(InputError, match="no such file"):
        import_records([tmp_path / "missing.jsonl"], tmp_path / "other.sqlite3")

    assert store_path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "new.jsonl.gz",
        "old.jsonl",
        "works.sqlite3",
    ]


def test_an_interrupted_import_leaves_no_file(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "works.jsonl", LIBRARY)
    store_path = tmp_path / "works.sqlite3"

    def interrupt(records: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        import_records([source], store_path, progress=interrupt)

    assert sorted(p.name for p in tmp_path.iterdir()) == ["works.jsonl"]


def _rows(path: Path) -> list[list[tuple[Any, ...]]]:
    with sqlite3.connect(path) as db:
        return [
            db.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
            for table in ("records", "works", "words", "meta WHERE key != 'created'")
        ]


# Blocks reach the workers through shared memory; through the pool's pipe when there is no
# room for it, or for a block larger than a slot.
@pytest.mark.parametrize("handoff", ["shared", "no room", "some blocks too large"])
def test_worker_processes_build_the_same_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, handoff: str
) -> None:
    lines = [record(f"10.1/w{n}", f"Work number {n} on topic {n % 7}") for n in range(3000)]
    source = write_jsonl(tmp_path / "works.jsonl.gz", [*lines, *LIBRARY])
    seen: list[int] = []
    monkeypatch.setattr(store_module, "_BLOCK", 1 << 16)  # some 20 blocks
    if handoff == "no room":
        monkeypatch.setattr(store_module, "_room_for_shared", lambda size: False)
    elif handoff == "some blocks too large":
        # A block is up to _BLOCK bytes of whole lines and the line the last one cut.
        monkeypatch.setattr(store_module, "_SLOT", 1 << 16)
    put = store_module._Slots.put
    shared: list[bool] = []

    def spy(slots: store_module._Slots, block: bytes) -> tuple[str, int, int] | None:
        where = put(slots, block)
        shared.append(where is not None)
        return where

    monkeypatch.setattr(store_module._Slots, "put", spy)

    stats = import_records([source], tmp_path / "a.sqlite3", workers=2, progress=seen.append)
    import_records([source], tmp_path / "b.sqlite3", workers=0)

    assert stats.works == 3006
    assert seen[-1] == 3006
    assert len(shared) == len(seen) > 10
    assert {"shared": {True}, "no room": {False}}.get(handoff, {True, False}) == set(shared)
    assert _rows(tmp_path / "a.sqlite3") == _rows(tmp_path / "b.sqlite3")
    with SnapshotStore(tmp_path / "a.sqlite3") as a, SnapshotStore(tmp_path / "b.sqlite3") as b:
        assert a.get("10.1/w2999") == b.get("10.1/w2999") is not None
        assert a.search("work number 17 topic", 5) == b.search("work number 17 topic", 5)


_LINES = [
    json.dumps(record("10.1/a", "Lumbar spine imaging")).encode(),
    json.dumps({"status": "ok", "message": record("10.1/b", "Disc herniation")}).encode(),
    b"",
    b"   ",
    b"\r",
    b" \t ",
    b"{not json",
    b'{"DOI": 7}',
    b"[1, 2]",
    json.dumps(record("10.1/c", "Modic changes")).encode() + b"\r",
]


@settings(max_examples=200, deadline=None)
@given(picks=st.lists(st.sampled_from(_LINES), max_size=12), final_newline=st.booleans())
def test_a_block_is_read_as_its_lines_one_by_one(picks: list[bytes], final_newline: bool) -> None:
    block = b"\n".join(picks) + (b"\n" if final_newline else b"")

    keys, kept, words, lines, skipped, lengths = store_module.parse_block(block)

    alone = [store_module.parse_block(line) for line in picks]
    assert list(keys) == [key for part in alone for key in part[0]]
    assert list(kept) == [row for part in alone for row in part[1]]
    assert list(words) == [row for part in alone for row in part[2]]
    assert lines == sum(part[3] for part in alone) == sum(1 for p in picks if p.strip())
    assert skipped == sum(part[4] for part in alone)
    assert skipped == sum(p in (b"{not json", b'{"DOI": 7}', b"[1, 2]") for p in picks)
    for field, counts in enumerate(lengths):
        assert counts == [sum(part[5][field][n] for part in alone) for n in (0, 1)]


# --- the resolver ------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["works.sqlite3", "works.snapshot"])  # by suffix, by header
async def test_the_resolver_opens_a_store_path(tmp_path: Path, name: str) -> None:
    source = write_jsonl(tmp_path / "works.jsonl", LIBRARY)
    import_records([source], tmp_path / "built.sqlite3")
    (tmp_path / "built.sqlite3").rename(tmp_path / name)
    settings = Settings(snapshots=(tmp_path / name,), offline=True, no_cache=True)

    async with Resolver.from_settings(settings) as resolver:
        assert isinstance(resolver.snapshot, SnapshotStore)
        found = await resolver.lookup_dois(["https://doi.org/10.1000/SPINE.2"])
        candidates = await resolver.search("Jensen sciatica 2019", local_only=True)

    work = found["10.1000/spine.2"]
    assert isinstance(work, Work)
    assert work.title == "Lumbar MRI findings in sciatica"
    assert candidates[0].doi == "10.1000/spine.2"


async def test_the_resolver_combines_a_store_and_json_lines(tmp_path: Path) -> None:
    import_records([write_jsonl(tmp_path / "a.jsonl", LIBRARY[:3])], tmp_path / "a.db")
    renamed = record("10.1000/spine.3", "Back pain in teenagers", ("Kasch",), "Pain", 2018)
    newer = write_jsonl(tmp_path / "b.jsonl", [renamed, LIBRARY[5]])
    settings = Settings(snapshots=(tmp_path / "a.db", newer), offline=True, no_cache=True)

    async with Resolver.from_settings(settings) as resolver:
        snapshot = resolver.snapshot
        assert isinstance(snapshot, CombinedSnapshot)
        found = await resolver.lookup_dois(["10.1000/spine.3", "10.1000/fish.1"])
        fish = await resolver.search("Hansen fish north sea", local_only=True)
        kasch = await resolver.search("Kasch back pain adolescents", local_only=True)
        assert len(snapshot) == 5  # spine.3 counted in both
        assert "10.1000/fish.1" in snapshot

    spine, fish_work = found["10.1000/spine.3"], found["10.1000/fish.1"]
    assert isinstance(spine, Work)
    assert spine.title == "Back pain in adolescents"  # the first source that knows it
    assert isinstance(fish_work, Work)
    assert fish[0].doi == "10.1000/fish.1"
    assert [w.doi for w in kasch].count("10.1000/spine.3") == 1
    assert kasch[0].title == "Back pain in adolescents"


async def test_a_store_path_that_is_no_store_is_an_input_error(tmp_path: Path) -> None:
    bogus = tmp_path / "works.sqlite3"
    bogus.write_text("{}\n")

    with pytest.raises(InputError, match="not a refcheck snapshot store"):
        Resolver.from_settings(Settings(snapshots=(bogus,), offline=True, no_cache=True))


@settings(max_examples=200, deadline=None)
@given(
    lines=st.lists(st.binary(max_size=40).map(lambda b: b.replace(b"\n", b"")), max_size=30),
    final_newline=st.booleans(),
    block=st.sampled_from([1, 2, 3, 7, 16, 64]),
)
def test_input_is_cut_into_blocks_of_whole_lines(
    lines: list[bytes], final_newline: bool, block: int, tmp_path_factory: pytest.TempPathFactory
) -> None:
    data = b"\n".join(lines) + (b"\n" if final_newline else b"")
    path = tmp_path_factory.mktemp("blocks") / "works.jsonl"
    path.write_bytes(data)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(store_module, "_BLOCK", block)
        blocks = list(store_module._blocks([path]))

    assert b"".join(blocks) == data
    assert all(isinstance(b, bytes) and b.endswith(b"\n") for b in blocks[:-1])
    assert all(blocks)
