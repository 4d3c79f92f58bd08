"""DataCite creators in every form a record holds them, made into the Work's authors and
compared with citations as a writer writes them: a whole name with no split (Western,
Cyrillic, Iberian), several people in one creator, a degree where a given name belongs, a
one-word name, placeholders. A correct citation by any split is quiet; a misspelling in any
part of the name is named on the authors field. Records from ../shared where one holds the
form, else written here in DataCite's shape."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from refcheck.api import read_references
from refcheck.compare import compare
from refcheck.compare.freetext import reconcile
from refcheck.models import Person, Reference, Severity, Work
from refcheck.resolve.datacite_records import work_from_datacite
from refcheck.testing import load_records

MOLCHANOV = "10.25702/ksc.2307-5252.2018.9.1.180-184"  # creators "Молчанов Владимир Петрович, "
QURESHI = "10.13140/rg.2.2.10974.02887"  # "Muhammad Naveed Iqbal Qureshi", "Boreom Lee"
VOLKSHOCHSCHULE = "10.12764/15367_p36"  # by "Münchner Volkshochschule", named in the title
CARDENAS = "10.7272/q63x84km"  # eight people in one creator, "Family, Given ; ..."
BECHERER = "10.5281/zenodo.6315051"  # one creator, "Becherer"


def _record(creators: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": "10.5281/zenodo.1",
        "attributes": {
            "doi": "10.5281/zenodo.1",
            "creators": creators,
            "titles": [{"title": "Observations of river temperature"}],
            "publisher": "Zenodo",
            "publicationYear": 2020,
            "types": {"resourceTypeGeneral": "Dataset"},
        },
    }


@pytest.fixture(scope="module")
def works(shared: Path) -> dict[str, Work]:
    wanted = {MOLCHANOV, QURESHI, VOLKSHOCHSCHULE, CARDENAS, BECHERER}
    found: dict[str, Work] = {}
    for name in ("records.jsonl.gz", "records-converted.jsonl.gz"):
        for record in load_records(shared / "datacite" / name):
            doi = record["attributes"]["doi"].lower()
            if doi in wanted:
                found[doi] = work_from_datacite(record)
    assert set(found) == wanted
    return found


def _read(tmp_path: Path, text: str, name: str = "post.md") -> Reference:
    path = tmp_path / name
    if name.endswith(".md"):
        text = f"# Data and code\n\n## References\n\n{text}\n"
    path.write_text(text, encoding="utf-8")
    [reference] = read_references([path])
    return reference


def _problems(reference: Reference, work: Work) -> list[tuple[str, str | None]]:
    findings = reconcile(reference, work, compare(reference, work))
    return [(f.code, f.field) for f in findings if f.severity is not Severity.INFO]


def _bib(authors: str, doi: str) -> str:
    return f"@misc{{k,\n  author = {{{authors}}},\n  title = {{T}},\n  doi = {{{doi}}}\n}}\n"


def test_creator_forms_become_people_groups_or_nothing() -> None:
    work = work_from_datacite(
        _record(
            [
                {"name": "Молчанов Владимир Петрович, ", "nameType": "Personal",
                 "familyName": "Молчанов Владимир Петрович"},
                {"name": "* Prof. Abilasha N. & Dr. Girisha M.C.", "nameType": "Personal",
                 "familyName": "* Prof. Abilasha N. & Dr. Girisha M.C."},
                {"name": "Cardenas, Valerie ; Samuelson, Kristin"},
                {"name": "Alex H. Wagner, PhD", "givenName": "PhD",
                 "familyName": "Alex H. Wagner"},
                {"name": "María de la Luz Vázquez Sauceda"},
                {"name": "ricky lawton"},
                {"name": "Ortega y Gasset, José"},
                {"name": "Harshad"},
                {"name": "Smith & Sons"},
                {"name": "0000-0003-4034-6260"},
                {"name": "ODIN Consortium"},
            ]
        )
    )  # fmt: skip
    assert work.authors == (
        # No split known: the whole name is kept, and comparison tries each split.
        Person(family="Молчанов Владимир Петрович"),
        # Two people in one creator, titles and marks dropped.
        Person(family="Abilasha N."),
        Person(family="Girisha M.C."),
        Person(family="Cardenas", given="Valerie"),
        Person(family="Samuelson", given="Kristin"),
        Person(family="Alex H. Wagner"),  # a degree is no given name
        Person(family="María de la Luz Vázquez Sauceda"),
        Person(family="ricky lawton"),
        Person(family="Ortega y Gasset", given="José"),  # "y" joins one person's names
        # One word may be a person, an organisation or a bot: a group, which a citation
        # may leave out.
        Person(literal="Harshad"),
        Person(literal="Smith & Sons"),
        Person(literal="ODIN Consortium"),
    )  # an ORCID where the name belongs names no one


@pytest.mark.parametrize(
    "cited",
    [
        "Молчанов, В. П.",  # Russian order: the family first
        "Molchanov, V. P.",  # transliterated
        "Vladimir Molchanov",  # BibTeX, given name first
        "Молчанов, Владимир Петрович",
    ],
)
def test_a_whole_name_is_cited_by_any_of_its_splits(
    tmp_path: Path, works: dict[str, Work], cited: str
) -> None:
    work = works[MOLCHANOV]
    assert work.authors[0] == Person(family="Молчанов Владимир Петрович")
    others = (
        "Медков, Михаил Азарьевич and Достовалов, Виктор Александрович"
        " and Молчанова, Наталья Николаевна"
    )
    reference = _read(tmp_path, _bib(f"{cited} and {others}", MOLCHANOV), "refs.bib")
    assert [f.code for f in compare(reference, work) if f.field == "authors"] == []


@pytest.mark.parametrize(
    ("cited", "wrong"),
    [
        ("Молчанов, В. П.", "Молчанав, В. П."),
        ("Vladimir Molchanov", "Vladimir Molchanuv"),
        ("Медков, Михаил Азарьевич", "Медкив, Михаил Азарьевич"),  # a middle author
    ],
)
def test_a_misspelling_of_a_whole_name_is_named(
    tmp_path: Path, works: dict[str, Work], cited: str, wrong: str
) -> None:
    work = works[MOLCHANOV]
    authors = (
        "Молчанов, В. П. and Медков, Михаил Азарьевич and Достовалов, Виктор Александрович"
        " and Молчанова, Наталья Николаевна"
    )
    if cited not in authors:
        authors = authors.replace("Молчанов, В. П.", cited)
    reference = _read(tmp_path, _bib(authors.replace(cited, wrong), MOLCHANOV), "refs.bib")
    assert ("RC303", "authors") in _problems(reference, work)


@pytest.mark.parametrize(
    ("first", "problems"),
    [
        ("Iqbal Qureshi, M. N.", []),  # the family as the writer knows it: two words
        ("Qureshi, M. N. I.", []),
        ("Iqbaz Qureshi, M. N.", [("RC303", "authors")]),  # one of its words misspelled
        ("Qurezhi, M. N. I.", [("RC303", "authors")]),
    ],
)
def test_an_iberian_or_south_asian_name_without_split(
    tmp_path: Path, works: dict[str, Work], first: str, problems: list[tuple[str, str]]
) -> None:
    line = (
        f"{first}, & Lee, B. (2016). EEG Classification for Motor Imagery BCI using "
        f"Hierarchical Features Extraction. Unpublished. https://doi.org/{QURESHI}"
    )
    reference = _read(tmp_path, line)
    assert _problems(reference, works[QURESHI]) == problems


def test_a_family_written_in_the_title_does_not_vouch_for_a_misspelled_author(
    tmp_path: Path, works: dict[str, Work]
) -> None:
    work = works[VOLKSHOCHSCHULE]
    line = (
        "{name} (2014). Münchner Volkshochschule: Programm 2. Trimester 1965, S. 36. DIE - "
        f"German Institute for Adult Education. https://doi.org/{VOLKSHOCHSCHULE}"
    )
    right = _read(tmp_path, line.format(name="Volkshochschule, M."))
    assert _problems(right, work) == []
    wrong = _read(tmp_path, line.format(name="Volkshochschulz, M."))
    assert _problems(wrong, work) == [("RC303", "authors")]


def test_people_in_one_creator_are_cited_one_by_one(tmp_path: Path, works: dict[str, Work]) -> None:
    work = works[CARDENAS]
    assert len(work.authors) == 8
    assert work.authors[1] == Person(family="Samuelson", given="Kristin")
    line = (
        "Cardenas, V., Samuelson, K., Lenoci, M., Studholme, C., Neylan, T., Marmar, C., "
        "Schuff, N., & Weiner, M. (2012). Changes in brain anatomy during the course of PTSD. "
        f"University of California, San Francisco. https://doi.org/{CARDENAS}"
    )
    assert _problems(_read(tmp_path, line), work) == []
    misspelled = _read(tmp_path, line.replace("Lenoci", "Lenozi"))
    assert _problems(misspelled, work) == [("RC303", "authors")]


def test_a_one_name_author_is_read_and_its_misspelling_named(
    tmp_path: Path, works: dict[str, Work]
) -> None:
    work = works[BECHERER]
    line = "{name} (1956). Primula hirsuta L.. Zenodo. https://doi.org/" + BECHERER
    right = _read(tmp_path, line.format(name="Becherer"))
    assert right.authors == (Person(family="Becherer"),)
    assert _problems(right, work) == []
    wrong = _read(tmp_path, line.format(name="Bechzrer"))
    assert _problems(wrong, work) == [("RC302", "authors")]


def _post_work(names: list[str]) -> Work:
    return work_from_datacite(_record([{"name": name} for name in names]))


def test_a_misspelled_name_is_not_vouched_for_by_a_namesake(tmp_path: Path) -> None:
    # Two authors of one family, each name held whole: the other's name is no excuse.
    work = _post_work(["Pipat Lounglawan", "Yutthapong Sornwongkaew", "Wisitiporn Lounglawan"])
    line = "{a}, P., Sornwongkaew, Y., & Lounglawan, W. (2020). Observations of river temperature."
    assert _problems(_read(tmp_path, line.format(a="Lounglawan")), work) == []
    assert _problems(_read(tmp_path, line.format(a="Louzglawan")), work) == [("RC303", "authors")]


def test_authors_the_parser_missed_are_vouched_for_when_each_is_written(tmp_path: Path) -> None:
    # Lower-case names the parser cannot split: every one the string writes is no omission,
    # "Wen" written once is enough where another name only starts with it ("Wen-bo Zhu").
    work = _post_work(["Hasan Bakhshi", "daniel fujiwara", "ricky lawton", "Wen-bo Zhu", "Bo Wen"])
    line = (
        "Bakhshi, H., fujiwara, d., {name}, r., Zhu, W.-b., & Wen, B. (2020). Observations of "
        "river temperature. Zenodo."
    )
    assert _problems(_read(tmp_path, line.format(name="lawton")), work) == []
    problems = _problems(_read(tmp_path, line.format(name="lawtoz")), work)
    assert "authors" in {field for _, field in problems}


@pytest.mark.parametrize(
    ("cited", "problems"),
    [
        ("Masera, O. R.", []),  # initials only: nothing to compare the whole name with
        ("Masera, Omar R.", []),
        ("Mazera, O. R.", [("RC303", "authors")]),
    ],
)
def test_a_short_whole_name_cited_with_initials(
    tmp_path: Path, cited: str, problems: list[tuple[str, str]]
) -> None:
    work = _post_work(["Omar R Masera", "Jim Eraker"])
    line = f"{cited}, & Eraker, J. (2020). Observations of river temperature. Zenodo."
    assert _problems(_read(tmp_path, line), work) == problems
