"""Free-text citations of DataCite works, read from a post as the post reader reads them and
checked against the real DataCite records in ../shared: a title of two words by an author
whose name the parser splits (GBIF's downloads), a publisher written where a journal
would be. The string vouches for the work when it cites its DOI; it never vouches for a
DOI of another work, nor for a journal it does not name."""

from __future__ import annotations

from pathlib import Path

import pytest

from refcheck.api import read_references
from refcheck.compare import compare
from refcheck.compare.freetext import reconcile, text_matches
from refcheck.models import Reference, Severity, Work
from refcheck.resolve.datacite_records import work_from_datacite
from refcheck.testing import load_records

GBIF = "10.15468/dl.3mz3dq"
MOSSMAN = "10.2312/geowissenschaften.1989.7.181"


@pytest.fixture(scope="module")
def works(shared: Path) -> dict[str, Work]:
    records = load_records(shared / "datacite" / "records.jsonl.gz")
    wanted = {GBIF, MOSSMAN}
    found = {
        r["attributes"]["doi"].lower(): work_from_datacite(r)
        for r in records
        if r["attributes"]["doi"].lower() in wanted
    }
    assert set(found) == wanted
    return found


def _read(tmp_path: Path, line: str) -> Reference:
    post = tmp_path / "post.md"
    post.write_text(f"# Data and code\n\n## References\n\n{line}\n", encoding="utf-8")
    [reference] = read_references([post])
    assert reference.free_text
    return reference


def _problems(reference: Reference, work: Work) -> list[tuple[str, str]]:
    findings = reconcile(reference, work, compare(reference, work))
    return [(f.code, f.field) for f in findings if f.severity is not Severity.INFO]


GBIF_LINE = (
    "Occdownload Gbif.Org ({year}). Occurrence Download. The Global Biodiversity "
    "Information Facility. https://doi.org/{doi}"
)


def test_a_two_word_title_is_vouched_for_by_the_string_that_cites_its_doi(
    tmp_path: Path, works: dict[str, Work]
) -> None:
    work = works[GBIF]
    assert work.title == "Occurrence Download"
    reference = _read(tmp_path, GBIF_LINE.format(year=2022, doi=GBIF))
    assert text_matches(reference, work)
    assert _problems(reference, work) == []


def test_the_same_string_with_another_doi_vouches_for_nothing(
    tmp_path: Path, works: dict[str, Work]
) -> None:
    # Every GBIF download has this title, author and year: only the DOI tells them apart.
    reference = _read(tmp_path, GBIF_LINE.format(year=2022, doi="10.15468/dl.abcdef"))
    assert not text_matches(reference, works[GBIF])


def test_a_wrong_year_beside_the_works_own_doi_is_an_error_on_the_year(
    tmp_path: Path, works: dict[str, Work]
) -> None:
    work = works[GBIF]
    reference = _read(tmp_path, GBIF_LINE.format(year=2024, doi=GBIF))
    assert text_matches(reference, work)
    assert _problems(reference, work) == [("RC401", "year")]
    [year] = [f for f in compare(reference, work) if f.field == "year"]
    assert "DataCite has 2022" in year.message  # the registry that holds the work


@pytest.mark.parametrize("year", [1989, 1991])
def test_the_publisher_where_a_journal_would_be_is_no_wrong_journal(
    tmp_path: Path, works: dict[str, Work], year: int
) -> None:
    work = works[MOSSMAN]
    assert work.publisher == "VCH Verlagsgesellschaft mbH"
    assert work.container_title  # a journal the citation does not name
    reference = _read(
        tmp_path,
        f"Mossman, D. J. ({year}). An Overview of the Geology of Canadian Gold Occurrences. "
        f"VCH Verlagsgesellschaft mbH. https://doi.org/{MOSSMAN}",
    )
    expected = [] if year == 1989 else [("RC401", "year")]
    assert _problems(reference, work) == expected


def test_another_journal_named_is_still_a_wrong_journal(
    tmp_path: Path, works: dict[str, Work]
) -> None:
    work = works[MOSSMAN]
    reference = _read(
        tmp_path,
        "Mossman, D. J. (1989). An Overview of the Geology of Canadian Gold Occurrences. "
        f"Economic Geology, 84(3), 181-190. https://doi.org/{MOSSMAN}",
    )
    assert ("RC501", "container") in _problems(reference, work)
