"""verify.choose: the validated candidate among look-alikes, ties and weak matches refused."""

from __future__ import annotations

import pytest

from refcheck.models import Person, Reference, Work
from refcheck.verify import choose, validates

AUTHORS = (Person(family="Brinjikji", given="W."), Person(family="Luetmer", given="P.H."))
PART_ONE = Work(
    doi="10.1/part.1",
    title="Imaging features of spinal degeneration, part 1",
    authors=AUTHORS,
    container_title=("Spine",),
    volume="36",
    page="811-816",
    issued=(2015, 4),
)
# Look-alikes by the same people: the next part, and its correction notice.
PART_TWO = PART_ONE.model_copy(
    update={
        "doi": "10.1/part.2",
        "title": "Imaging features of spinal degeneration, part 2",
        "volume": "37",
        "page": "1120-1126",
        "issued": (2016, 2),
    }
)
NOTICE = PART_ONE.model_copy(
    update={"doi": "10.1/notice", "title": f"Correction: {PART_ONE.title}", "page": "E12"}
)
CITED = Reference(
    authors=AUTHORS,
    title="Imaging features of spinal degeneration, part 1",
    container="Spine",
    year=2015,
    volume="36",
    pages="811-16",
)


@pytest.mark.parametrize("order", [(0, 1, 2), (2, 1, 0), (1, 2, 0)])
def test_the_cited_work_among_look_alikes(order: tuple[int, ...]) -> None:
    works = [(PART_ONE, PART_TWO, NOTICE)[i] for i in order]
    assert choose(CITED, works) == (PART_ONE, None)
    part_two = CITED.model_copy(update={"title": PART_TWO.title, "year": 2016, "volume": "37"})
    assert choose(part_two.model_copy(update={"pages": "1120-6"}), works) == (PART_TWO, None)


def test_no_candidate() -> None:
    assert choose(CITED, []) == (None, "Crossref has no candidate for this reference")


def test_nothing_validates_names_the_closest() -> None:
    work, reason = choose(CITED, [PART_TWO, NOTICE])
    assert work is None
    assert str(reason).startswith("no candidate matches; the closest is")


def test_two_dois_for_one_work_are_a_tie() -> None:
    twin = PART_ONE.model_copy(update={"doi": "10.1/twin"})
    work, reason = choose(CITED, [PART_ONE, twin, PART_TWO])
    assert work is None
    assert str(reason).startswith("two works match equally well")


def test_one_doi_found_twice_is_no_tie() -> None:
    again = PART_ONE.model_copy(update={"doi": "10.1/PART.1"})
    assert choose(CITED, [PART_ONE, again, PART_ONE]) == (PART_ONE, None)


def test_each_reference_gets_its_own_answer_from_the_same_candidates() -> None:
    works = [PART_ONE, PART_TWO, NOTICE]
    part_two = CITED.model_copy(
        update={"title": PART_TWO.title, "year": 2016, "volume": "37", "pages": "1120-6"}
    )
    answers = [choose(ref, works)[0] for ref in (CITED, part_two, CITED, part_two)]
    assert answers == [PART_ONE, PART_TWO, PART_ONE, PART_TWO]


def test_free_text_validates_by_the_string_when_the_parse_slipped() -> None:
    text = (
        "Brinjikji W, Luetmer PH. Imaging features of spinal degeneration, part 1. "
        "Spine. 2015;36:811-16."
    )
    slipped = Reference(
        text=text,
        authors=AUTHORS,
        title="Imaging features of spinal degeneration",  # cut at the comma
        container="part 1. Spine",
        confident=frozenset(),
    )
    assert validates(slipped, PART_ONE)
    assert not validates(slipped.model_copy(update={"confident": None}), PART_ONE)
    assert choose(slipped, [PART_TWO, PART_ONE])[0] == PART_ONE
