from __future__ import annotations

import pytest

from refcheck.compare.container import compare_container, container_match, is_abbreviation
from refcheck.models import Reference, Severity, Work

AJNR = Work(
    doi="10.3174/ajnr.A4173",
    container_title=("American Journal of Neuroradiology",),
    short_container_title=("AJNR Am J Neuroradiol",),
    issn=("0195-6108", "1936-959X"),
)


def codes(cited: str, work: Work = AJNR) -> list[str]:
    return [f.code for f in compare_container(Reference(container=cited), work)]


@pytest.mark.parametrize(
    "cited",
    [
        "American Journal of Neuroradiology",
        "american journal of neuroradiology",
        "1936-959X",
        "0195 6108",
    ],
)
def test_same_container_or_issn_gives_nothing(cited: str) -> None:
    assert codes(cited) == []


@pytest.mark.parametrize(
    "cited",
    [
        "Am J Neuroradiol",
        "Am. J. Neuroradiol.",
        "AJNR Am J Neuroradiol",
        "AJNR. Am. J. Neuroradiol",
    ],
)
def test_abbreviations_are_info_rc502(cited: str) -> None:
    [found] = compare_container(Reference(container=cited), AJNR)
    assert (found.code, found.severity) == ("RC502", Severity.INFO)
    assert found.expected == "American Journal of Neuroradiology"


@pytest.mark.parametrize(
    ("cited", "full"),
    [
        ("N Engl J Med", "New England Journal of Medicine"),
        ("N. Engl. J. Med.", "New England Journal of Medicine"),
        ("NEnglJMed", "New England Journal of Medicine"),
        ("Spine (Phila Pa 1976)", "Spine"),
        (
            "Proc Natl Acad Sci USA",
            "Proceedings of the National Academy of Sciences of the United States of America",
        ),
        ("Proc. Natl Acad. Sci. USA", "Proceedings of the National Academy of Sciences"),
        ("J. Am. Chem. Soc.", "Journal of the American Chemical Society"),
        ("Z. Naturforsch.", "Zeitschrift für Naturforschung"),
        ("Physica A", "Physica A: Statistical Mechanics and its Applications"),
        ("Am J Physiol", "American Journal of Physiology-Cell Physiology"),
        ("J Natl Cancer Inst", "JNCI Journal of the National Cancer Institute"),
        ("Journal of Marriage and the Family", "Journal of Marriage and Family"),
        ("J Zool Lond", "Journal of Zoology"),
        ("Clin. Exp. Ophthalmol.", "Clinical & Experimental Ophthalmology"),
    ],
)
def test_abbreviation_matcher_accepts(cited: str, full: str) -> None:
    assert is_abbreviation(cited, full)


@pytest.mark.parametrize(
    ("cited", "full"),
    [
        ("Phys Rev E", "Physical Review A"),
        ("Mol. Ecol.", "Molecular Endocrinology"),
        ("Adv. Eng. Mater.", "Advanced Energy Materials"),
        ("Am J Roentgenol", "American Journal of Neuroradiology"),
        ("J Neurosurg", "Journal of Neuroradiology"),
        ("", "Spine"),
    ],
)
def test_abbreviation_matcher_rejects(cited: str, full: str) -> None:
    assert not is_abbreviation(cited, full)


def test_another_journal_rc501_warning() -> None:
    [found] = compare_container(Reference(container="American Journal of Radiology"), AJNR)
    assert (found.code, found.severity) == ("RC501", Severity.WARNING)
    assert (found.cited, found.expected) == (
        "American Journal of Radiology",
        "American Journal of Neuroradiology",
    )


def test_a_wrong_issn_is_a_mismatch() -> None:
    assert codes("0028-4793") == ["RC501"]


def test_book_container_with_leading_in() -> None:
    work = Work(
        doi="10.1/x",
        container_title=("Lecture Notes in Computer Science", "Document Analysis Systems"),
    )
    assert container_match("In: Document Analysis Systems", work) == "same"
    assert codes("In: Lect Notes Comput Sci", work) == ["RC502"]


def test_record_holding_an_abbreviation_as_its_title() -> None:
    work = Work(doi="10.1/x", container_title=("J. Appl. Phys.",))
    assert codes("Journal of Applied Physics", work) == []


def test_no_container_on_either_side() -> None:
    assert compare_container(Reference(), AJNR) == []
    assert compare_container(Reference(container="Spine"), Work(doi="10.1/x")) == []


SERIES_BOOK = Work(
    doi="10.17875/gup2015-824",
    type="monograph",
    publisher="Göttingen University Press",
    container_title=("Göttinger Studien zur Kulturanthropologie",),
)


@pytest.mark.parametrize(
    "cited", ["Göttingen University Press", "Göttingen University Press, Göttingen"]
)
def test_a_book_cited_with_its_publisher_is_no_other_container(cited: str) -> None:
    assert codes(cited, SERIES_BOOK) == []


def test_a_book_in_another_series_is_still_named() -> None:
    assert codes("Lecture Notes in Physics", SERIES_BOOK) == ["RC501"]


def test_a_journal_is_never_excused_by_its_publisher() -> None:
    article = Work(
        doi="10.1126/sciadv.1",
        type="journal-article",
        publisher="American Association for the Advancement of Science (AAAS)",
        container_title=("Science Advances",),
    )
    assert codes("Science", article) == ["RC501"]
