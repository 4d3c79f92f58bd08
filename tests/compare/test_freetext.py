"""Free-text references: findings the string itself refutes are dropped, real ones kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from refcheck.api import read_references
from refcheck.compare import compare
from refcheck.compare.freetext import holds_numbers, reconcile, text_matches
from refcheck.models import Person, Reference, Severity, Work

BJR = Work(
    doi="10.1259/0007-1285-64-757-82-a",
    title="Book reviews",
    authors=(Person(family="Grundy", given="A."),),
    container_title=("The British Journal of Radiology",),
    short_container_title=("BJR",),
    volume="64",
    issue="757",
    page="82-82",
    published_print=(1991,),
)
ALL_SURE = frozenset({"authors", "year", "title", "container", "volume", "issue", "pages"})


def _cited(text: str, **fields: object) -> Reference:
    base: dict[str, object] = {
        "text": text,
        "authors": (Person(family="Grundy", given="A."),),
        "year": 1991,
        "title": "Book reviews",
        "container": "BJR",
        "volume": "64",
        "issue": "757",
        "pages": "82–82",
        "confident": ALL_SURE,
    }
    base.update(fields)
    return Reference.model_validate(base)


def _fields(reference: Reference) -> list[str]:
    findings = reconcile(reference, BJR, compare(reference, BJR))
    return [finding.field for finding in findings if finding.severity is not Severity.INFO]


def test_a_volume_read_from_the_title_yields_to_the_block_the_string_writes() -> None:
    text = "Grundy, A. (1991). Book reviews. Reviews. Vol. 1. Ed. by H. BJR, 64(757), 82–82."
    assert _fields(_cited(text, volume="1")) == []


def test_a_wrong_volume_in_the_block_is_still_reported() -> None:
    text = "Grundy, A. (1991). Book reviews. BJR, 65(757), 82–82."
    assert _fields(_cited(text, volume="65")) == ["volume"]


def test_wrong_pages_next_to_the_right_volume_are_still_reported() -> None:
    text = "Grundy, A. (1991). Book reviews. BJR, 64(757), 83–89."
    assert _fields(_cited(text, pages="83–89")) == ["pages"]


def test_the_block_needs_two_of_crossrefs_numbers_side_by_side() -> None:
    # "64" alone (here a page) proves nothing about the volume.
    text = "Grundy, A. (1991). Book reviews. BJR, 12(757), 64–82."
    assert not holds_numbers(text, BJR, "volume")
    assert holds_numbers("BJR 64(757)", BJR, "volume")
    assert holds_numbers("BJR, vol. 64: 82", BJR, "pages")


def test_structured_references_are_never_reconciled() -> None:
    # BibTeX fields are the author's own: no guess to forgive.
    reference = Reference(
        text="BJR, 64(757), 82–82", title="Book reviews", volume="1", container="BJR"
    )
    assert "volume" in _fields(reference)


CHAPTER = Work(
    doi="10.1007/978-3-7091-6622-2_5",
    type="book-chapter",
    title="Magnetohydrodynamik",
    authors=(Person(family="Cap", given="Ferdinand"),),
    container_title=("Lehrbuch der Plasmaphysik und Magnetohydrodynamik",),
    page="99-118",
    published_print=(1994,),
)
CAP = (
    "Cap F. Magnetohydrodynamik. In: Lehrbuch der Plasmaphysik und Magnetohydrodynamik. "
    "Vienna: Springer Vienna; 1994. p. 99–118."
)


def test_a_one_word_title_is_vouched_for_by_its_place_in_the_string() -> None:
    # "Cap F. Magnetohydrodynamik" reads as one full name too; the string still names
    # the author, the title, the book and its first page.
    misread = Reference(
        text=CAP,
        authors=(Person(family="Magnetohydrodynamik", given="Cap F."),),
        container="Vienna: Springer Vienna",
        year=1994,
        pages="99–118",
        confident=frozenset({"authors", "year"}),
    )
    assert text_matches(misread, CHAPTER)
    kept = reconcile(misread, CHAPTER, compare(misread, CHAPTER))
    assert [f.code for f in kept if f.severity is not Severity.INFO] == []


def test_a_one_word_title_alone_vouches_for_nothing() -> None:
    # The same title and author in another book: not this chapter.
    other = CAP.replace("Lehrbuch der Plasmaphysik und", "Einführung in die")
    reference = Reference(text=other, title="Magnetohydrodynamik", confident=frozenset())
    assert not text_matches(reference, CHAPTER)
    moved = CAP.replace("99–118", "12–40")
    assert not text_matches(Reference(text=moved, confident=frozenset()), CHAPTER)


def test_another_author_is_still_named() -> None:
    text = CAP.replace("Cap F.", "Smith J.")
    reference = Reference(
        text=text,
        authors=(Person(family="Smith", given="J."),),
        title="Magnetohydrodynamik",
        confident=frozenset({"authors", "title"}),
    )
    kept = reconcile(reference, CHAPTER, compare(reference, CHAPTER))
    assert "RC302" in [f.code for f in kept]


HINDAWI = Work(
    doi="10.1155/2015/617471",
    title="Nutrient enrichment mediates the relationships of soil microbial respiration",
    authors=(Person(family="Zong", given="Ning"),),
    container_title=("The Scientific World Journal",),
    volume="2015",
    page="1-11",
    published_print=(2015,),
)


def test_a_volume_named_by_its_year_must_be_written_as_a_volume_too() -> None:
    base = (
        "Zong, N. et al. (2015) ‘Nutrient enrichment mediates the relationships of soil "
        "microbial respiration’, The Scientific World Journal, {}, pp. 1–11."
    )
    wrong = Reference(
        text=base.format("2014"),
        authors=(Person(family="Zong", given="N."),),
        year=2015,
        container="The Scientific World Journal",
        volume="2014",
        pages="1–11",
        confident=frozenset({"authors", "year", "container"}),
    )
    kept = reconcile(wrong, HINDAWI, compare(wrong, HINDAWI))
    assert [f.field for f in kept if f.severity is not Severity.INFO] == ["volume"]
    # Written once as the year and once as the volume, the finding is the parser's slip.
    right = wrong.model_copy(update={"text": base.format("2015"), "volume": "2016"})
    assert reconcile(right, HINDAWI, compare(right, HINDAWI)) == []


# Real record (works-dev 10.31684/2541-8475.2017.3(7).47-52): an affiliation held as the
# second author. A post copying the record's list up to "et al." cites it correctly.
REMNEVA = Work(
    doi="10.31684/2541-8475.2017.3(7).47-52",
    title="INTRANATAL FETAL DEATH IN TERM DELIVERY: CLINICAL AND PATHOMORPHOLOGICAL CORRELATIONS",
    authors=(
        Person(family="REMNEVA", given="O.V."),
        Person(literal="Altai State Medical University"),
        Person(family="CHERNOVA", given="A.E."),
        Person(family="NESTEROV", given="YU.N."),
        Person(family="BURKOVA", given="T.V."),
    ),
    container_title=("Bulletin of Medical Science",),
    issue="3(7)",
    page="47-52",
    published_print=(2017,),
)


@pytest.mark.parametrize(
    ("chernova", "expected"),
    [("CHERNOVA", []), ("CHERNOWA", ["authors"])],
)
@pytest.mark.parametrize(
    "line",
    [
        "REMNEVA OV, Altai State Medical University, {} AE, et al. INTRANATAL FETAL DEATH IN "
        "TERM DELIVERY: CLINICAL AND PATHOMORPHOLOGICAL CORRELATIONS. BMS. 2017;(3(7)):47-52.",
        "REMNEVA, O. V., Altai State Medical University, A. E. {}, et al. 2017. “INTRANATAL "
        "FETAL DEATH IN TERM DELIVERY: CLINICAL AND PATHOMORPHOLOGICAL CORRELATIONS.” Bulletin "
        "of Medical Science, nos. 3(7): 47–52.",
    ],
)
def test_a_list_copying_a_junk_author_up_to_et_al_is_no_omission(
    tmp_path: Path, line: str, chernova: str, expected: list[str]
) -> None:
    # The parser stops at the affiliation; the authors it missed are written up to "et al.",
    # and those after it are cut on purpose. A misspelling among them is still an error.
    post = tmp_path / "post.md"
    post.write_text(f"# Notes\n\n## References\n\n{line.format(chernova)}\n", encoding="utf-8")
    [reference] = read_references([post])
    findings = reconcile(reference, REMNEVA, compare(reference, REMNEVA))
    fields = [f.field for f in findings if f.severity is not Severity.INFO]
    assert fields == expected
