"""DataCite records in the snapshot store: imported and updated in every form DataCite's
records come in (JSON lines of ``data`` objects, ``{"data": ...}`` answers of one or a list),
got by DOI and found by search as the Works datacite_records makes, and checked against
with verdicts naming DataCite. Real records from ../shared/datacite."""

from __future__ import annotations

import gzip
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from refcheck.api import check, read_references
from refcheck.cli import main
from refcheck.config import Settings
from refcheck.models import Status, Verdict
from refcheck.resolve.datacite_records import work_from_datacite
from refcheck.resolve.snapshot import Snapshot
from refcheck.resolve.store import SnapshotStore, import_records
from refcheck.testing import CrossrefStandin, DataciteStandin

# A dataset with two personal creators, a title of rare words and a publisher.
CITED = "10.15125/bath-00114"


@pytest.fixture(scope="module")
def records(shared: Path) -> list[dict[str, Any]]:
    with gzip.open(shared / "datacite" / "records.jsonl.gz", "rt", encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def _works(records: list[dict[str, Any]]) -> dict[str, Any]:
    """The Works datacite_records makes of the records it takes, by DOI."""
    works = {}
    for record in records:
        try:
            work = work_from_datacite(record)
        except ValueError:
            continue
        works[work.doi] = work
    return works


def _forms(forms: Mapping[str, int]) -> dict[str, int]:
    """The forms records came in, with how many (those none came in left out)."""
    return {form: n for form, n in forms.items() if n}


def _bibtex(record: dict[str, Any], *, year: int | None = None, doi: bool = True) -> str:
    attributes = record["attributes"]
    authors = " and ".join(f"{c['familyName']}, {c['givenName']}" for c in attributes["creators"])
    fields = {
        "author": authors,
        "title": attributes["titles"][0]["title"],
        "publisher": attributes["publisher"],
        "year": str(year or attributes["publicationYear"]),
        "doi": attributes["doi"] if doi else "",
    }
    body = ",\n".join(f"  {k} = {{{v}}}" for k, v in fields.items() if v)
    return f"@misc{{cited,\n{body}\n}}\n"


def test_json_lines_of_data_objects_import_and_are_got_and_found(
    tmp_path: Path, shared: Path, records: list[dict[str, Any]]
) -> None:
    store_path = tmp_path / "works.sqlite3"
    stats = import_records([shared / "datacite" / "records.jsonl.gz"], store_path, workers=0)

    expected = _works(records)
    assert _forms(stats.forms) == {"DataCite records": stats.records}
    assert stats.works == len(expected)
    in_memory = Snapshot.load([shared / "datacite" / "records.jsonl.gz"])
    assert len(in_memory) == len(expected)
    with SnapshotStore(store_path) as store:
        for doi, work in expected.items():
            assert store.get(doi.upper()) == work
            assert in_memory.get(doi) == work
            # Each work's title finds it first, in the store as in memory.
            if work.title and len(work.title.split()) >= 4:
                assert store.search(work.title, 1)[0].doi == in_memory.search(work.title, 1)[0].doi
        got = store.get(CITED)
        assert got is not None
        assert got.registry == "DataCite"
        assert got.title is not None
        found = store.search(f"{got.title} {got.issued[0] if got.issued else ''}")
        assert found[0].doi == CITED
        assert found[0].registry == "DataCite"
        assert found[0].score is not None


def test_data_answers_one_and_a_list_import_and_update(
    tmp_path: Path, records: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    listed = tmp_path / "page.json"
    listed.write_text(json.dumps({"data": records[:20], "meta": {"total": 20}}, indent=2))
    one = tmp_path / "one.json"
    one.write_text(json.dumps({"data": records[20]}))
    store_path = tmp_path / "works.sqlite3"

    assert main(["snapshot", "import", str(listed), str(one), "-o", str(store_path)]) == 0
    err = capsys.readouterr().err
    assert err.startswith("refcheck: imported 21 works from 21 records (21 from DataCite records;")

    # A newer record for one of them, as DataCite's API answers it: it replaces the work.
    newer = json.loads(json.dumps(records[3]))
    newer["attributes"]["publicationYear"] = 1901
    answer = tmp_path / "answer.json"
    answer.write_text(json.dumps({"data": newer}, indent=2))
    assert main(["snapshot", "update", str(store_path), str(answer)]) == 0
    err = capsys.readouterr().err
    assert "(1 from DataCite records; 0 skipped)" in err
    assert "1 works replaced, 0 records added, 21 works now" in err
    with SnapshotStore(store_path) as store:
        work = store.get(newer["id"])
        assert work is not None
        assert work.issued == (1901,)
        assert work == work_from_datacite(newer)


def test_crossref_and_datacite_lines_in_one_file_are_counted_apart(
    tmp_path: Path, records: list[dict[str, Any]]
) -> None:
    seed = Path(__file__).resolve().parents[2] / "references" / "seed-works.jsonl"
    crossref = [line for line in seed.read_text().splitlines() if line.strip()]
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_text("\n".join([*crossref, *map(json.dumps, records[:5])]) + "\n")

    stats = import_records([mixed], tmp_path / "works.sqlite3", workers=0)

    assert _forms(stats.forms) == {"JSON lines": len(crossref), "DataCite records": 5}
    with SnapshotStore(tmp_path / "works.sqlite3") as store:
        registries = {store.get(r["id"]).registry for r in records[:5]}  # type: ignore[union-attr]
        assert registries == {"DataCite"}
        assert store.get("10.1056/NEJMoa1209250").registry == "Crossref"  # type: ignore[union-attr]


def test_a_check_against_the_store_names_datacite(
    tmp_path: Path, shared: Path, records: list[dict[str, Any]]
) -> None:
    store_path = tmp_path / "works.sqlite3"
    import_records([shared / "datacite" / "records.jsonl.gz"], store_path, workers=0)
    record = next(r for r in records if r["id"] == CITED)
    year = record["attributes"]["publicationYear"]
    settings = Settings(offline=True, no_cache=True, snapshots=(store_path,))

    verdicts = []
    for n, text in enumerate(
        [_bibtex(record), _bibtex(record, year=year - 3), _bibtex(record, doi=False)]
    ):
        bib = tmp_path / f"ref{n}.bib"
        bib.write_text(text, encoding="utf-8")
        (verdict,) = check(read_references([bib]), settings)
        verdicts.append(verdict)
    right, wrong_year, no_doi = verdicts

    assert right.status is Status.VERIFIED
    assert right.work is not None
    assert right.work.registry == "DataCite"
    assert wrong_year.status is Status.MISMATCH
    assert [f.code for f in wrong_year.findings if f.severity == "error"] == ["RC401"]
    assert wrong_year.work is not None
    assert wrong_year.work.registry == "DataCite"
    # Found by search: DataCite's DOI is offered, as the online DataCite path offers it.
    assert no_doi.work is not None
    assert no_doi.work.doi == CITED
    assert no_doi.work.registry == "DataCite"
    assert any(f.message.startswith("No DOI cited; DataCite's DOI") for f in no_doi.findings)


def test_verdicts_against_the_store_are_the_online_datacite_paths(
    tmp_path: Path, shared: Path, records: list[dict[str, Any]]
) -> None:
    """The same references checked offline against a store of DataCite's records, and
    online against DataCite's stand-in serving them: the same verdicts."""
    store_path = tmp_path / "works.sqlite3"
    import_records([shared / "datacite" / "records.jsonl.gz"], store_path, workers=0)
    record = next(r for r in records if r["id"] == CITED)
    year = record["attributes"]["publicationYear"]
    bib = tmp_path / "refs.bib"
    bib.write_text(
        _bibtex(record).replace("{cited,", "{right,")
        + _bibtex(record, year=year - 3).replace("{cited,", "{year,"),
        encoding="utf-8",
    )
    references = read_references([bib])
    offline = check(references, Settings(offline=True, no_cache=True, snapshots=(store_path,)))
    crossref = CrossrefStandin([], agencies={CITED.split("/")[0]: "datacite"})
    with crossref, DataciteStandin(records) as datacite:
        online = check(
            references,
            Settings(no_cache=True, crossref_url=crossref.url, datacite_url=datacite.url),
        )

    def seen(verdicts: list[Verdict]) -> list[tuple[Any, ...]]:
        return [
            (v.status, v.work, [(f.code, f.severity, f.cited, f.expected) for f in v.findings])
            for v in verdicts
        ]

    assert [v.status for v in offline] == [Status.VERIFIED, Status.MISMATCH]
    assert seen(offline) == seen(online)


@pytest.mark.parametrize("answer", [False, True])
def test_a_broken_datacite_file_is_refused_and_the_store_kept(
    tmp_path: Path, records: list[dict[str, Any]], capsys: pytest.CaptureFixture[str], answer: bool
) -> None:
    store_path = tmp_path / "works.sqlite3"
    good = tmp_path / "good.jsonl"
    good.write_text("\n".join(map(json.dumps, records[:10])) + "\n")
    assert main(["snapshot", "import", str(good), "-o", str(store_path)]) == 0
    before = store_path.read_bytes()
    capsys.readouterr()
    # Records whose attributes are gone (no DOI): 8 of 10 lost.
    broken = [dict(r, attributes="") if n > 1 else r for n, r in enumerate(records[10:20])]
    source = tmp_path / ("broken.json" if answer else "broken.jsonl")
    if answer:
        source.write_text(json.dumps({"data": broken}, indent=2))
    else:
        source.write_text("\n".join(map(json.dumps, broken)) + "\n")

    code = main(["snapshot", "import", str(source), "-o", str(store_path)])

    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith(f"refcheck: error: {source} lost 8 of 10 records (80.0%")
    assert err.count("\n") == 1
    assert store_path.read_bytes() == before
    assert main(["snapshot", "update", str(store_path), str(source)]) == 2
    assert store_path.read_bytes() == before


def test_an_empty_datacite_answer_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "empty.json"
    source.write_text('{"data": [], "meta": {"total": 0}}')
    store_path = tmp_path / "works.sqlite3"

    assert main(["snapshot", "import", str(source), "-o", str(store_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"refcheck: error: no works record in {source}: found ")
    assert not store_path.exists()
