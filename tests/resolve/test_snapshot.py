from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from refcheck.errors import InputError
from refcheck.models import Work
from refcheck.resolve.search_index import SearchIndex, tokenise, work_fields
from refcheck.resolve.snapshot import Snapshot

from .jsonl import BAD_LINES, LIBRARY, record, write_jsonl

# --- loading ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["works.jsonl", "works.jsonl.gz"])
def test_load_plain_and_gzipped(tmp_path: Path, name: str) -> None:
    path = write_jsonl(tmp_path / name, LIBRARY)

    snapshot = Snapshot.load([path])

    assert len(snapshot) == len(LIBRARY)
    assert snapshot.skipped == 0
    assert [w.doi for w in snapshot] == [r["DOI"] for r in LIBRARY]
    work = snapshot.get("10.1000/spine.1")
    assert work is not None
    assert work.title == "Lumbar MRI findings and future back pain"
    assert work.volume == "47"
    assert work.year == 2022


def test_load_reads_several_files_later_record_wins(tmp_path: Path) -> None:
    first = write_jsonl(tmp_path / "a.jsonl", [record("10.1/x", "Old title"), LIBRARY[0]])
    second = write_jsonl(tmp_path / "b.jsonl.gz", [record("10.1/X", "New title")])

    snapshot = Snapshot.load([first, second])

    assert len(snapshot) == 2
    work = snapshot.get("10.1/x")
    assert work is not None
    assert work.title == "New title"
    assert [w.doi for w in snapshot.search("title", 5)] == ["10.1/X"]


def test_envelopes_are_unwrapped(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "works.jsonl",
        [
            {"status": "ok", "message-type": "work", "message": LIBRARY[0]},
            {
                "status": "ok",
                "message-type": "work-list",
                "message": {"items": [LIBRARY[1], LIBRARY[2]], "total-results": 2},
            },
            LIBRARY[3],
        ],
    )

    snapshot = Snapshot.load([path])

    assert sorted(w.doi for w in snapshot) == sorted(r["DOI"] for r in LIBRARY[:4])
    assert snapshot.skipped == 0


def test_bad_lines_are_skipped_and_counted(tmp_path: Path) -> None:
    path = tmp_path / "works.jsonl"
    path.write_bytes(b"\n".join(BAD_LINES))

    snapshot = Snapshot.load([path])

    # the partly bad work-list line keeps its good item, and counts as skipped
    assert sorted(w.doi for w in snapshot) == [
        "10.1000/Spine.1",
        "10.1000/spine.2",
        "10.1000/spine.3",
    ]
    assert snapshot.skipped == 9


def test_missing_file_raises_input_error_naming_it(tmp_path: Path) -> None:
    present = write_jsonl(tmp_path / "a.jsonl", LIBRARY)
    missing = tmp_path / "nowhere.jsonl.gz"

    with pytest.raises(InputError) as raised:
        Snapshot.load([present, missing])

    message = str(raised.value)
    assert str(missing) in message
    assert "no such file" in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("works.jsonl.gz", b"plain text, not gzip\n", "not a valid gzip file"),
        ("works.jsonl.gz", gzip.compress(b'{"DOI": "10.1/a"}\n' * 500)[:-40], "gzip"),
        ("folder", None, "directory"),
    ],
)
def test_unreadable_file_raises_input_error(
    tmp_path: Path, name: str, content: bytes | None, reason: str
) -> None:
    path = tmp_path / name
    if content is None:
        path.mkdir()
    else:
        path.write_bytes(content)

    with pytest.raises(InputError, match=reason) as raised:
        Snapshot.load([path])
    assert str(path) in str(raised.value)
    assert "\n" not in str(raised.value)


def test_doi_lookup_ignores_case_and_prefix(tmp_path: Path) -> None:
    snapshot = Snapshot.load([write_jsonl(tmp_path / "w.jsonl", LIBRARY)])

    for spelling in ("10.1000/SPINE.1", "https://doi.org/10.1000/spine.1", "doi:10.1000/Spine.1"):
        work = snapshot.get(spelling)
        assert work is not None
        assert work.doi == "10.1000/Spine.1"
        assert spelling in snapshot
    assert snapshot.get("10.1000/spine.99") is None
    assert "10.1000/spine.99" not in snapshot
    assert 42 not in snapshot


def test_snapshot_can_be_built_from_works() -> None:
    works = [Work.from_crossref(r) for r in LIBRARY]
    snapshot = Snapshot(works)
    assert len(snapshot) == len(LIBRARY)
    assert snapshot.skipped == 0
    assert snapshot.search("Hansen fish North Sea", 1)[0].doi == "10.1000/fish.1"


# --- search on a small library ---------------------------------------------------------


@pytest.fixture
def library() -> Snapshot:
    return Snapshot(Work.from_crossref(r) for r in LIBRARY)


def test_search_ranks_the_cited_work_first_with_scores(library: Snapshot) -> None:
    found = library.search("Kasch R, Truthmann J (2022) Lumbar MRI findings. Spine 47:201-211")

    assert [w.doi for w in found[:3]] == ["10.1000/Spine.1", "10.1000/spine.2", "10.1000/spine.3"]
    scores = [w.score for w in found]
    assert all(isinstance(s, float) and s > 0 for s in scores)
    assert scores == sorted(scores, reverse=True)  # type: ignore[type-var]


def test_search_uses_authors_and_year_to_split_equal_titles(library: Snapshot) -> None:
    assert library.search("Jensen Lumbar MRI findings 2019", 1)[0].doi == "10.1000/spine.2"
    assert library.search("Kasch Lumbar MRI findings 2022", 1)[0].doi == "10.1000/Spine.1"


def test_search_matches_abbreviated_container(library: Snapshot) -> None:
    assert library.search("Brinjikji W. AJNR Am J Neuroradiol 2015", 1)[0].doi == "10.1000/neuro.1"


def test_search_folds_diacritics(library: Snapshot) -> None:
    assert library.search("Bulow, Uber Ruckenschmerzen", 1)[0].doi == "10.1000/bulow.1"
    assert library.search("BÜLOW", 1)[0].doi == "10.1000/bulow.1"


def test_search_rows_and_no_match(library: Snapshot) -> None:
    assert len(library.search("lumbar back pain spine", rows=2)) == 2
    assert library.search("lumbar", rows=0) == []
    assert library.search("quantum chromodynamics") == []
    assert library.search("the of and, et al. (pp.)") == []
    assert library.search("") == []


def test_search_does_not_change_the_stored_work(library: Snapshot) -> None:
    library.search("fish", 1)
    work = library.get("10.1000/fish.1")
    assert work is not None
    assert work.score is None


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Follow-up Assessment of Sciatica", ["follow", "up", "assessment", "sciatica"]),
        ("Lycklama À Nijeholt, G.J.", ["lycklama", "nijeholt"]),
        ("O’Brien and O'Neill: Alzheimer's", ["obrien", "oneill", "alzheimers"]),
        ("36(4), pp.811–816", ["36", "4", "811", "816"]),
        ("Genes &amp; Development", ["genes", "development"]),
        ("Müller_Straße", ["muller", "strasse"]),
    ],
)
def test_tokenise(text: str, words: list[str]) -> None:
    assert tokenise(text) == words


def test_index_ignores_unknown_fields_and_empty_documents() -> None:
    index = SearchIndex([{"title": "Sciatica", "colour": "blue"}, {}, {"authors": "Blue"}])
    assert len(index) == 3
    assert [doc for doc, _ in index.search("blue")] == [2]  # not 0: "colour" is no field
    assert [doc for doc, _ in index.search("sciatica blue")] == [0, 2]


def test_work_fields_cover_title_authors_container_year_numbers(library: Snapshot) -> None:
    work = library.get("10.1000/neuro.1")
    assert work is not None
    fields = work_fields(work)
    assert fields["title"] == "Imaging features of spinal degeneration"
    assert fields["authors"] == "Brinjikji Luetmer"
    assert "AJNR Am J Neuroradiol" in fields["container"]
    assert fields["year"] == "2015"


# --- search on the shared works --------------------------------------------------------

SEED_DOIS = {
    "Brinjikji": "10.3174/ajnr.A4173",
    "El Barzouhi": "10.1056/NEJMoa1209250",
    "Kasch": "10.1097/BRS.0000000000004198",
}


@pytest.fixture(scope="module")
def dev_snapshot(shared: Path) -> Snapshot:
    return Snapshot.load(
        [shared / "crossref" / "works-dev.jsonl.gz", shared / "seed" / "seed-works.jsonl"]
    )


def test_dev_snapshot_loads_every_record(dev_snapshot: Snapshot) -> None:
    # 3,114 distinct DOIs (SICI DOIs with "<...>" included) + the 3 seed records
    assert len(dev_snapshot) == 3117
    assert dev_snapshot.skipped == 0


def test_seed_reference_strings_find_their_works(shared: Path, dev_snapshot: Snapshot) -> None:
    post = (shared / "seed" / "lumbar-mri-paradox.txt").read_text(encoding="utf-8")
    references = [line.lstrip("-") for line in post.splitlines() if line.startswith("-")]
    assert len(references) == 3

    for reference in references:
        expected = SEED_DOIS[next(name for name in SEED_DOIS if reference.startswith(name))]
        best, runner_up = dev_snapshot.search(reference, rows=2)
        assert best.doi == expected, reference
        assert best.score is not None
        assert runner_up.score is not None
        assert best.score > 2 * runner_up.score


@pytest.mark.parametrize(
    ("query", "doi"),
    [
        (
            "Brinjikji Luetmer Comstock Systematic Literature Review of Imaging Features of "
            "Spinal Degeneration in Asymptomatic Populations American Journal of "
            "Neuroradiology 2015",
            "10.3174/ajnr.A4173",
        ),
        (
            "El Barzouhi Vleggeert-Lankamp Magnetic Resonance Imaging in Follow-up Assessment "
            "of Sciatica New England Journal of Medicine 2013",
            "10.1056/NEJMoa1209250",
        ),
        (
            "Kasch Truthmann Hancock Association of Lumbar MRI Findings with Current and "
            "Future Back Pain in a Population-based Cohort Study Spine 2022",
            "10.1097/BRS.0000000000004198",
        ),
        ("Kasch 2022 Spine", "10.1097/BRS.0000000000004198"),
        ("el Barzouhi sciatica", "10.1056/NEJMoa1209250"),
    ],
)
def test_seed_field_queries_find_their_works(dev_snapshot: Snapshot, query: str, doi: str) -> None:
    assert dev_snapshot.search(query, rows=1)[0].doi == doi


def test_author_title_container_year_finds_each_dev_work(dev_snapshot: Snapshot) -> None:
    """How often the right work ranks first for "first author, title, container, year"."""
    queried = first = 0
    for work in dev_snapshot:
        if not work.title or not work.authors:
            continue
        author = work.authors[0].family or work.authors[0].literal or ""
        container = work.container_title[0] if work.container_title else ""
        query = f"{author} {work.title} {container} {work.year or ''}"
        queried += 1
        found = dev_snapshot.search(query, rows=1)
        first += bool(found) and found[0].doi == work.doi

    rate = first / queried
    print(f"\nsnapshot search: right work first for {first}/{queried} = {rate:.2%}")
    assert queried > 2700
    assert rate >= 0.99


def test_a_line_nested_past_any_record_is_skipped_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "deep.jsonl"
    deep = "[" * 100_000 + "]" * 100_000
    path.write_text(f'{deep}\n{{"DOI": "10.1/kept", "title": ["Kept"]}}\n', encoding="utf-8")
    snapshot = Snapshot.load([path])
    assert (len(snapshot), snapshot.skipped) == (1, 1)
    assert snapshot.get("10.1/kept") is not None
