from __future__ import annotations

import pytest

from refcheck.match import Citation, evidence, is_same_work, similarity
from refcheck.models import Person, Reference, Work

from .conftest import people


@pytest.fixture
def cited(ajnr: Work) -> Reference:
    return Reference(
        authors=tuple(Person(family=a.family, given=a.given) for a in ajnr.authors),
        year=2015,
        title="Systematic literature review of imaging features of spinal degeneration in "
        "asymptomatic populations",
        container="AJNR Am J Neuroradiol",
        volume="36",
        issue="4",
        pages="811–16",
    )


def test_own_work_scores_one(cited: Reference, ajnr: Work) -> None:
    assert similarity(cited, ajnr) == pytest.approx(1.0)
    assert is_same_work(cited, ajnr)


def test_other_work_scores_low(cited: Reference, sciatica: Work) -> None:
    assert similarity(cited, sciatica) < 0.4
    assert not is_same_work(cited, sciatica)


@pytest.mark.parametrize(
    "error",
    [
        {"volume": "35"},
        {"year": 2017},
        {"pages": "911-916"},
        {"issue": "5"},
        {"container": "American Journal of Radiology"},
    ],
)
def test_one_wrong_locator_is_still_the_same_work(
    cited: Reference, ajnr: Work, error: dict[str, object]
) -> None:
    wrong = cited.model_copy(update=error)
    assert is_same_work(wrong, ajnr)
    assert similarity(wrong, ajnr) < similarity(cited, ajnr)


def test_one_wrong_author_is_still_the_same_work(cited: Reference, ajnr: Work) -> None:
    misspelled = cited.model_copy(
        update={"authors": (Person(family="Brinjiki", given="W."), *cited.authors[1:])}
    )
    dropped = cited.model_copy(update={"authors": cited.authors[:1] + cited.authors[2:]})
    assert is_same_work(misspelled, ajnr)
    assert is_same_work(dropped, ajnr)


def test_near_miss_by_the_same_group_is_another_work(cited: Reference, ajnr: Work) -> None:
    sequel = ajnr.model_copy(
        update={
            "doi": "10.3174/ajnr.A9999",
            "title": "Systematic literature review of imaging features of spinal degeneration "
            "in symptomatic populations",
            "volume": "37",
            "page": "1120-1126",
            "published_print": (2016, 6),
            "published_online": (2016, 2, 1),
            "issued": (2016, 2, 1),
        }
    )
    assert not is_same_work(cited, sequel)
    assert similarity(cited, sequel) < similarity(cited, ajnr)


def test_numbered_parts_are_other_works(cited: Reference, ajnr: Work) -> None:
    part1 = cited.model_copy(update={"title": "Imaging of spinal degeneration, part 1"})
    part2 = ajnr.model_copy(update={"title": "Imaging of spinal degeneration, part 2"})
    assert not is_same_work(part1.model_copy(update={"volume": None, "pages": None}), part2)


def test_a_correction_notice_is_not_the_work(cited: Reference, ajnr: Work) -> None:
    notice = ajnr.model_copy(
        update={"title": f"Correction: {ajnr.title}", "authors": (), "page": "E12"}
    )
    assert not is_same_work(cited, notice)


def test_news_items_on_one_page_are_other_works() -> None:
    first = Work(
        doi="10.1001/jama.2009.1701",
        title="Emergency Influenza Drug",
        authors=people(("Kuehn", "Bridget M.")),
        volume="302",
        page="2194",
        container_title=("JAMA",),
        issued=(2009, 11, 25),
    )
    cited = Reference(
        title="Monoclonal Antibody Concerns",
        authors=people(("Kuehn", "B.M.")),
        volume="302",
        pages="2194",
        container="JAMA",
        year=2009,
    )
    assert not is_same_work(cited, first)


def test_without_title_authors_and_locators_decide(cited: Reference, ajnr: Work) -> None:
    untitled = cited.model_copy(update={"title": None})
    assert is_same_work(untitled, ajnr)
    assert not is_same_work(untitled.model_copy(update={"authors": people(("Smith", "J."))}), ajnr)
    assert not is_same_work(Reference(year=2015), ajnr)


def test_nothing_to_go_on() -> None:
    assert similarity(Reference(), Work(doi="10.1/x")) == 0.0
    assert not is_same_work(Reference(), Work(doi="10.1/x"))


def test_evidence_fields(cited: Reference, ajnr: Work) -> None:
    found = evidence(cited.model_copy(update={"pages": None}), ajnr)
    assert found.title == 1.0
    assert found.authors == 1.0
    assert found.volume == 1.0
    assert found.pages is None
    assert set(found.fields()) == {"title", "authors", "year", "container", "volume", "issue"}


def test_cited_doi_with_a_wrong_title_is_still_its_work(cited: Reference, ajnr: Work) -> None:
    wrong_title = cited.model_copy(
        update={"title": "Imaging of the lumbar spine in athletes", "pages": None}
    )
    assert not is_same_work(wrong_title, ajnr)  # found by search: not enough to go on
    assert is_same_work(wrong_title.model_copy(update={"doi": "10.3174/AJNR.A4173"}), ajnr)


def test_cited_doi_of_another_work_is_rejected(
    cited: Reference, ajnr: Work, sciatica: Work
) -> None:
    # The DOI of the sciatica paper, the rest of the citation Brinjikji's.
    assert not is_same_work(cited.model_copy(update={"doi": sciatica.doi}), sciatica)
    same_first_author = sciatica.model_copy(
        update={"authors": (ajnr.authors[0], *sciatica.authors[1:])}
    )
    assert not is_same_work(cited.model_copy(update={"doi": sciatica.doi}), same_first_author)


def test_a_citation_weighs_each_candidate_as_the_functions_do(
    cited: Reference, ajnr: Work, sciatica: Work, spine: Work
) -> None:
    # A notice listing the same people: the authors' agreement is shared, nothing else.
    notice = ajnr.model_copy(update={"doi": "10.3174/x", "title": f"Correction: {ajnr.title}"})
    citation = Citation(cited)
    for work in (notice, ajnr, sciatica, spine, ajnr, notice):
        assert citation.evidence(work) == evidence(cited, work)
        assert citation.similarity(work) == similarity(cited, work)
        assert citation.is_same_work(work) == is_same_work(cited, work)
    assert citation.evidence(notice).authors == citation.evidence(ajnr).authors == 1.0
    assert citation.evidence(notice).title != citation.evidence(ajnr).title


def test_nothing_a_citation_learns_reaches_another_reference(cited: Reference, ajnr: Work) -> None:
    other = cited.model_copy(update={"authors": people(("Smith", "J."), ("Jones", "K."))})
    first, second = Citation(cited), Citation(other)
    assert first.evidence(ajnr).authors == 1.0
    assert second.evidence(ajnr).authors == 0.0
    assert second.similarity(ajnr) < first.similarity(ajnr)
    assert first.evidence(ajnr).authors == 1.0  # asked again after the other citation
