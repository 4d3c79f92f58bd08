"""Correct references of works-dev records that used to raise alarms on posts (tune half):
a book chapter cited with "In:" whose reprint without its subtitle is registered too, and a
peer-review report cited as CSL styles print a review ("[Review of <title>]")."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from refcheck.compare.title import compare_title
from refcheck.match import is_same_work
from refcheck.models import Reference, Work
from refcheck.parse import parse_reference, to_reference
from refcheck.verify import choose

CHAPTER = "10.9774/gleaf.978-1-909493-30-8_29"  # the title with its subtitle, no year
REPRINT = "10.4324/9781351282086-28"  # the same chapter, 2017, without the subtitle
REVIEW = "10.1002/2050-7038.12454/v2/response1"


@pytest.fixture(scope="module")
def works(shared: Path) -> dict[str, Work]:
    found: dict[str, Work] = {}
    with gzip.open(shared / "crossref" / "works-dev.jsonl.gz", "rt", encoding="utf-8") as lines:
        for line in lines:
            if any(doi in line for doi in (CHAPTER, REPRINT, REVIEW)):
                record = json.loads(line)
                found[record["DOI"].lower()] = Work.from_crossref(record)
    return found


CHAPTER_CITED = [
    # Elsevier Harvard: ", in:" ends the title; Vancouver / NLM / AMA: ". In:".
    "Billen, G., n.d. From ecology of natural systems to industrial ecology: The need for an "
    "extension of the scope of ecology, in: Perspectives on Industrial Ecology. Greenleaf "
    "Publishing Limited, pp. 324–337.",
    "Billen G. From ecology of natural systems to industrial ecology: the need for an extension "
    "of the scope of ecology. In: Perspectives on Industrial Ecology. Greenleaf Publishing "
    "Limited; p. 324–37.",
]


@pytest.mark.parametrize("text", CHAPTER_CITED)
def test_in_marks_the_book_of_a_chapter(text: str) -> None:
    parsed = parse_reference(text)
    assert parsed.title is not None
    assert parsed.title.endswith("the scope of ecology")
    assert parsed.container == "Perspectives on Industrial Ecology"


@pytest.mark.parametrize("text", CHAPTER_CITED)
def test_the_whole_cited_title_settles_a_tie_with_a_reprint(
    text: str, works: dict[str, Work]
) -> None:
    reference = to_reference(parse_reference(text), text)
    for order in ((CHAPTER, REPRINT), (REPRINT, CHAPTER)):
        work, reason = choose(reference, [works[doi] for doi in order])
        assert reason is None
        assert work is not None
        assert work.doi.lower() == CHAPTER


def test_cited_without_the_subtitle_it_is_the_reprint(works: dict[str, Work]) -> None:
    # The reprint's title is the cited one whole; the chapter's only with its subtitle cut.
    text = (
        "Billen G. From ecology of natural systems to industrial ecology. In: Perspectives on "
        "Industrial Ecology. Greenleaf Publishing Limited; p. 324–37."
    )
    reference = to_reference(parse_reference(text), text)
    for order in ((CHAPTER, REPRINT), (REPRINT, CHAPTER)):
        work, reason = choose(reference, [works[doi] for doi in order])
        assert reason is None
        assert work is not None
        assert work.doi.lower() == REPRINT


@pytest.mark.parametrize(
    "title",
    [
        '[Review of Author response for "Stochastic very short‐term economic dispatch for wind '
        'power operation using flexible ramp reserve"]',
        'Review of Author Response for "Stochastic Very Short‐term Economic Dispatch for Wind '
        'Power Operation Using Flexible Ramp Reserve"',
    ],
)
def test_a_peer_review_cited_as_a_review_of_its_title(title: str, works: dict[str, Work]) -> None:
    review = works[REVIEW]
    assert review.type == "peer-review"
    assert compare_title(Reference(title=title), review) == []
    # Another work's title after "Review of" is still another title.
    other = title.replace("wind power", "solar power").replace("Wind Power", "Solar Power")
    assert [f.code for f in compare_title(Reference(title=other), review)] != []


@pytest.fixture(scope="module")
def abstracts(shared: Path) -> dict[str, Work]:
    wanted = ("10.1145/2676723.2691909", "10.5555/6vs5en6")
    found: dict[str, Work] = {}
    with gzip.open(shared / "crossref" / "works-dev.jsonl.gz", "rt", encoding="utf-8") as lines:
        for line in lines:
            if any(doi in line for doi in wanted):
                record = json.loads(line)
                found[record["DOI"].lower()] = Work.from_crossref(record)
    return found


@pytest.mark.parametrize(
    ("text", "doi"),
    [
        # The model reads "Where are we?" and drops "(Abstract Only)"; the string holds the
        # whole title, so the wrong year (2015, 2020 in the records) is named, not RC104.
        ("Waltman, L. (2018). Open Abstracts: Where are we?. Jamon Iberico.", "10.5555/6vs5en6"),
        (
            "Hu, H. H. (2018). Using POGIL Activities to Teach CS Principles to Diverse Students "
            "(Abstract Only). Proceedings of the 46th ACM Technical Symposium on Computer Science "
            "Education - SIGCSE '15.",
            "10.1145/2676723.2691909",
        ),
    ],
)
def test_a_title_written_whole_in_the_string_matches_despite_the_parse(
    text: str, doi: str, abstracts: dict[str, Work]
) -> None:
    reference = to_reference(parse_reference(text), text)
    assert is_same_work(reference, abstracts[doi])
    # One word of the title changed in the string: no longer the same title, and with the
    # year wrong too, not the work.
    changed = text.replace("Where are we", "Where were we").replace("Diverse", "Young")
    reference = to_reference(parse_reference(changed), changed)
    assert not is_same_work(reference, abstracts[doi])
