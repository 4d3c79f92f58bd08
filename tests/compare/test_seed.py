"""The seed post's three references against the seed works: clean as cited, and every
kind of injected error caught on its own field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from refcheck.compare import compare
from refcheck.match import is_same_work
from refcheck.models import Person, Reference, Severity, Work

# The post's references, as a reader hands them over (Harvard style, no DOIs).
CITED = {
    "10.3174/ajnr.A4173": Reference(
        authors=tuple(
            Person(family=f, given=g)
            for f, g in [
                ("Brinjikji", "W."), ("Luetmer", "P.H."), ("Comstock", "B."),
                ("Bresnahan", "B.W."), ("Chen", "L.E."), ("Deyo", "R.A."), ("Halabi", "S."),
                ("Turner", "J.A."), ("Avins", "A.L."), ("James", "K."), ("Wald", "J.T."),
                ("Kallmes", "D.F."), ("Jarvik", "J.G."),
            ]
        ),
        year=2015,
        title="Systematic Literature Review of Imaging Features of Spinal Degeneration in "
        "Asymptomatic Populations",
        container="American Journal of Neuroradiology",
        volume="36",
        issue="4",
        pages="pp.811–816",
    ),
    "10.1056/NEJMoa1209250": Reference(
        authors=tuple(
            Person(family=f, given=g)
            for f, g in [
                ("El Barzouhi", "A."), ("Vleggeert-Lankamp", "C.L.A.M."),
                ("Lycklama À Nijeholt", "G.J."), ("Van Der Kallen", "B.F."),
                ("Van Den Hout", "W.B."), ("Jacobs", "W.C.H."), ("Koes", "B.W."),
                ("Peul", "W.C."),
            ]
        ),
        year=2013,
        title="Magnetic Resonance Imaging in Follow-up Assessment of Sciatica",
        container="New England Journal of Medicine",
        volume="368",
        issue="11",
        pages="pp.999–1007",
    ),
    "10.1097/BRS.0000000000004198": Reference(
        authors=tuple(
            Person(family=f, given=g)
            for f, g in [
                ("Kasch", "R."), ("Truthmann", "J."), ("Hancock", "M.J."), ("Maher", "C.G."),
                ("Otto", "M."), ("Nell", "C."), ("Reichwein", "N."), ("Bülow", "R."),
                ("Chenot", "J.-F."), ("Hofer", "A."), ("Wassilew", "G."), ("Schmidt", "C.O."),
            ]
        ),
        year=2022,
        title="Association of Lumbar MRI Findings with Current and Future Back Pain in a "
        "Population-based Cohort Study",
        container="Spine",
        volume="47",
        issue="3",
        pages="pp.201–211",
    ),
}  # fmt: skip


@pytest.fixture(scope="module")
def seed_works(shared: Path) -> dict[str, Work]:
    lines = (shared / "seed" / "seed-works.jsonl").read_text(encoding="utf-8").splitlines()
    works = [Work.from_crossref(json.loads(line)) for line in lines if line.strip()]
    return {w.doi: w for w in works}


def serious(reference: Reference, work: Work) -> list[tuple[str, str]]:
    return [
        (f.code, f.field)
        for f in compare(reference, work)
        if f.severity in (Severity.ERROR, Severity.WARNING)
    ]


@pytest.mark.parametrize("doi", sorted(CITED))
def test_the_posts_citations_are_clean(seed_works: dict[str, Work], doi: str) -> None:
    assert compare(CITED[doi], seed_works[doi]) == []
    assert is_same_work(CITED[doi], seed_works[doi])


def test_each_citation_matches_only_its_own_work(seed_works: dict[str, Work]) -> None:
    for doi, reference in CITED.items():
        for other, work in seed_works.items():
            assert is_same_work(reference, work) is (doi == other)


def test_kasch_online_year_is_info_only(seed_works: dict[str, Work]) -> None:
    online = CITED["10.1097/BRS.0000000000004198"].model_copy(update={"year": 2021})
    [found] = compare(online, seed_works["10.1097/BRS.0000000000004198"])
    assert (found.code, found.severity) == ("RC402", Severity.INFO)


def test_abbreviated_forms_are_clean(seed_works: dict[str, Work]) -> None:
    ajnr = CITED["10.3174/ajnr.A4173"].model_copy(
        update={
            "container": "AJNR Am J Neuroradiol",
            "pages": "811-6",
            "authors_truncated": True,
            "authors": CITED["10.3174/ajnr.A4173"].authors[:3],
        }
    )
    nejm = CITED["10.1056/NEJMoa1209250"].model_copy(
        update={"container": "N. Engl. J. Med.", "pages": "999–1007"}
    )
    spine = CITED["10.1097/BRS.0000000000004198"].model_copy(
        update={
            "container": "Spine (Phila Pa 1976)",
            "title": "Association of lumbar MRI "
            "findings with current and future back pain in a population-based cohort study",
        }
    )
    for doi, reference in (
        ("10.3174/ajnr.A4173", ajnr),
        ("10.1056/NEJMoa1209250", nejm),
        ("10.1097/BRS.0000000000004198", spine),
    ):
        assert serious(reference, seed_works[doi]) == []


AJNR, NEJM, SPINE = "10.3174/ajnr.A4173", "10.1056/NEJMoa1209250", "10.1097/BRS.0000000000004198"


@pytest.mark.parametrize(
    ("doi", "error", "expected"),
    [
        (AJNR, {"volume": "35"}, ("RC601", "volume", "36")),
        (AJNR, {"issue": "3"}, ("RC602", "issue", "4")),
        (AJNR, {"pages": "812-816"}, ("RC603", "pages", "811-816")),
        (AJNR, {"pages": "811-819"}, ("RC604", "pages", "811-816")),
        (AJNR, {"year": 2016}, ("RC401", "year", "2015 (print), 2014 (online, issued)")),
        (NEJM, {"year": 2012}, ("RC401", "year", "2013 (print, online, issued)")),
        (NEJM, {"container": "Lancet"}, ("RC501", "container", "New England Journal of Medicine")),
        (SPINE, {"title": "Lumbar MRI findings in asymptomatic adults"}, ("RC201", "title", None)),
    ],
)  # fmt: skip
def test_injected_field_errors(
    seed_works: dict[str, Work],
    doi: str,
    error: dict[str, object],
    expected: tuple[str, str, str | None],
) -> None:
    reference = CITED[doi].model_copy(update=error)
    [found] = compare(reference, seed_works[doi])
    assert (found.code, found.field) == expected[:2]
    if expected[2] is not None:
        assert found.expected == expected[2]
    assert found.cited == str(error[found.field])
    # One wrong field, even the title when authors and the page range agree: same work.
    assert is_same_work(reference, seed_works[doi])


def test_misspelled_author(seed_works: dict[str, Work]) -> None:
    cited = CITED["10.1056/NEJMoa1209250"]
    authors = list(cited.authors)
    authors[1] = Person(family="Vleggert-Lankamp", given="C.L.A.M.")
    [found] = compare(
        cited.model_copy(update={"authors": tuple(authors)}), seed_works["10.1056/NEJMoa1209250"]
    )
    assert (found.code, found.field) == ("RC303", "authors")
    assert (found.cited, found.expected) == (
        "Vleggert-Lankamp, C.L.A.M.",
        "Vleggeert-Lankamp, Carmen L.A.M.",
    )


def test_missing_author(seed_works: dict[str, Work]) -> None:
    cited = CITED["10.3174/ajnr.A4173"]
    dropped = cited.model_copy(update={"authors": cited.authors[:1] + cited.authors[2:]})
    [found] = compare(dropped, seed_works["10.3174/ajnr.A4173"])
    assert found.message == "Author 2 'Luetmer, P.H.' is missing from the cited list"
    assert is_same_work(dropped, seed_works["10.3174/ajnr.A4173"])


def test_extra_and_reordered_authors(seed_works: dict[str, Work]) -> None:
    cited = CITED["10.1097/BRS.0000000000004198"]
    work = seed_works["10.1097/BRS.0000000000004198"]
    extra = cited.model_copy(
        update={
            "authors": (*cited.authors[:3], Person(family="Smith", given="J."), *cited.authors[3:])
        }
    )
    assert serious(extra, work) == [("RC302", "authors")]
    swapped = cited.model_copy(
        update={"authors": (cited.authors[1], cited.authors[0], *cited.authors[2:])}
    )
    assert serious(swapped, work) == [("RC304", "authors")]


def test_initials_differ(seed_works: dict[str, Work]) -> None:
    cited = CITED["10.3174/ajnr.A4173"]
    authors = (*cited.authors[:-1], Person(family="Jarvik", given="J.A."))
    [found] = compare(
        cited.model_copy(update={"authors": authors}), seed_works["10.3174/ajnr.A4173"]
    )
    assert (found.code, found.severity) == ("RC305", Severity.WARNING)
