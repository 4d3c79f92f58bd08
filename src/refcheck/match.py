"""Is this Crossref work the one the citation means?

:func:`evidence` measures, field by field, how well a work agrees with what a citation
says. :func:`similarity` weighs that into one score for ranking candidates (title most,
then authors, year, container, volume, first page, issue). :func:`is_same_work` is the
decision: a citation with one wrong field is still its work, while another paper with a
similar title (same group, next year, other volume and pages) is not. A :class:`Citation`
does the same for one reference against many candidates, measuring each pair once.

Measured on works-dev (2,682 records with a title and authors, references built from
them): every reference with harmless variations or one injected error in volume, issue,
pages, year or one author is accepted for its own work; the most similar other work is
accepted for 0.1% of them, all duplicates (the same paper under two DOIs).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from refcheck.compare.authors import AuthorName, author_name, spelled_alike
from refcheck.compare.container import container_match
from refcheck.compare.numbers import same_number
from refcheck.compare.pages import pages_agree, parse_pages
from refcheck.compare.text import fold
from refcheck.compare.title import HEAD_MATCH, is_notice_title, title_in_text, title_similarity
from refcheck.models import Person, Reference, Work

__all__ = ["WEIGHTS", "Citation", "Evidence", "evidence", "is_same_work", "similarity"]

# How much each field counts in :func:`similarity`; fields the citation lacks drop out.
WEIGHTS: dict[str, float] = {
    "title": 0.45,
    "authors": 0.2,
    "year": 0.1,
    "container": 0.1,
    "volume": 0.06,
    "pages": 0.06,
    "issue": 0.03,
}

# Title thresholds of :func:`is_same_work`, from works-dev: harmless variants of a title
# score 1.0 (HEAD_MATCH without a subtitle); one or two words changed 0.82-0.95; the most
# similar other title in the set 0.79 at the 99th percentile.
_SAME_TITLE = 1.0
_NEAR_TITLE = 0.97
_VARIANT_TITLE = 0.85
_LOOSE_TITLE = 0.6
_WRITTEN_TITLE = 0.99
# A title whose numbers differ ("Part 2" / "Part 3") is at most a loose match.
_OTHER_NUMBERS = 0.84
_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True, slots=True)
class Evidence:
    """Per-field agreement in 0-1; None where the citation or the work says nothing."""

    title: float | None
    authors: float | None
    year: float | None
    container: float | None
    volume: float | None
    pages: float | None
    issue: float | None

    def fields(self) -> dict[str, float]:
        """The fields with evidence, by name."""
        return {name: value for name in WEIGHTS if (value := getattr(self, name)) is not None}


def _title(reference: Reference, work: Work) -> float | None:
    if not reference.title or not work.title or not fold(reference.title):
        return None
    score = title_similarity(reference.title, work)
    if (
        score < _SAME_TITLE
        and reference.free_text
        and len(fold(work.title).split()) >= 3
        and title_in_text(reference.text, work)
    ):
        # The string holds the work's whole title, set apart: the parse cut or ran past it
        # ("Motif, the basics: ..." read as "the basics: ..."), the citation did not. Short
        # of the same title: a work whose title is the parsed one whole still ranks first.
        return max(score, _WRITTEN_TITLE)
    if score < HEAD_MATCH and _numbers(reference.title) != _numbers(work.title):
        score = min(score, _OTHER_NUMBERS)
    return score


@lru_cache(maxsize=16384)
def _numbers(title: str) -> tuple[str, ...]:
    return tuple(sorted(_DIGITS.findall(fold(title))))


def _authors(cited: Sequence[AuthorName], authors: Sequence[Person]) -> float | None:
    """Share of cited people among the work's authors (a near spelling counts), with the
    first author weighing half. ``cited``: the cited names that have a name to compare."""
    listed = [n for n in map(author_name, authors) if n.keys]
    if not listed:
        return None
    # A cited person sharing a family spelling with a listed person is that person
    # (:func:`same_author`): one set operation spares the pairwise comparisons.
    people = {key for w in listed if not w.group for key in w.keys}

    def listed_alike(c: AuthorName) -> bool:
        return bool(not c.group and c.keys & people) or any(spelled_alike(c, w) for w in listed)

    # A cited group Crossref does not list says nothing either way.
    kept = [(c, hit) for c in cited if (hit := listed_alike(c)) or not c.group]
    if not kept:
        return None
    lead = kept[0][0]
    first = 1.0 if spelled_alike(lead, listed[0]) else 0.0
    if not first and any(spelled_alike(lead, w) for w in listed[1:3]):
        first = 0.5  # the first two swapped, or a group author first in one list
    found = sum(hit for _, hit in kept)
    return 0.5 * first + 0.5 * found / len(kept)


# Agreement of a year this many years off; more is none.
_YEAR_GAP = {0: 1.0, 1: 0.6, 2: 0.3}


def _year(reference: Reference, work: Work) -> float | None:
    years = work.years
    if reference.year is None or not years:
        return None
    if reference.year in years:
        return 1.0  # the common case, without measuring each gap
    gap = min(abs(reference.year - y) for y in years)
    return _YEAR_GAP.get(gap, 0.0)


def _container(reference: Reference, work: Work) -> float | None:
    if not reference.container or not (work.container_title or work.short_container_title):
        return None
    return 1.0 if container_match(reference.container, work) else 0.0


def _flag(value: bool | None) -> float | None:
    return None if value is None else float(value)


def _weigh(found: Evidence) -> float:
    fields = found.fields()
    if not fields:
        return 0.0
    total = sum(WEIGHTS[name] for name in fields)
    return sum(WEIGHTS[name] * value for name, value in fields.items()) / total


# A person as its three strings, all that folding a name (and so comparing it) reads.
_Spelling = tuple[str | None, str | None, str | None]


class Citation:
    """A reference prepared to be weighed against several candidate works.

    Choosing among search candidates scores each one, then validates the best few: the
    cited names are folded once, each candidate's evidence is measured once, and the
    authors' agreement once per distinct author list (look-alike candidates, such as the
    parts of a series or a paper and its notices, often list the very same people). The
    memos live and die with this object: nothing learnt of one reference reaches another.
    """

    __slots__ = ("_by_list", "_found", "authors", "reference")

    def __init__(self, reference: Reference) -> None:
        self.reference = reference
        # The cited people with a name to compare, folded once.
        self.authors = tuple(n for n in map(author_name, reference.authors) if n.keys)
        self._by_list: dict[tuple[_Spelling, ...], float | None] = {}
        # id(work) -> (work, its evidence); holding the work keeps its id from being reused.
        self._found: dict[int, tuple[Work, Evidence]] = {}

    def evidence(self, work: Work) -> Evidence:
        """How well each field the citation gives agrees with the work."""
        known = self._found.get(id(work))
        if known is not None:
            return known[1]
        found = self._measure(work)
        self._found[id(work)] = (work, found)
        return found

    def similarity(self, work: Work) -> float:
        """0-1: how likely ``work`` is the work the reference cites."""
        return _weigh(self.evidence(work))

    def is_same_work(self, work: Work) -> bool:
        """Is ``work`` the cited work? See :func:`is_same_work`."""
        return _same_work(self.reference, work, self.evidence(work))

    def _measure(self, work: Work) -> Evidence:
        reference = self.reference
        return Evidence(
            title=_title(reference, work),
            authors=self._authors(work),
            year=_year(reference, work),
            container=_container(reference, work),
            volume=_flag(same_number(reference.volume, work.volume))
            if reference.volume and work.volume
            else None,
            pages=_flag(pages_agree(reference.pages, work)) if reference.pages else None,
            issue=_flag(same_number(reference.issue, work.issue))
            if reference.issue and work.issue
            else None,
        )

    def _authors(self, work: Work) -> float | None:
        key = tuple((p.family, p.given, p.literal) for p in work.authors)
        if key not in self._by_list:
            self._by_list[key] = _authors(self.authors, work.authors)
        return self._by_list[key]


def evidence(reference: Reference, work: Work) -> Evidence:
    """How well each field the citation gives agrees with the work."""
    return Citation(reference).evidence(work)


def similarity(reference: Reference, work: Work) -> float:
    """0-1: how likely ``work`` is the work ``reference`` cites."""
    return Citation(reference).similarity(work)


_ARTICLE_NUMBER = re.compile(r"^(?:[a-z]+\d{4,}|\d{5,})$", re.IGNORECASE)


def _identifying_pages(reference: Reference, work: Work) -> bool:
    """The cited pages name one item: the whole page range, or an article number."""
    if not reference.pages:
        return False
    cited = parse_pages(reference.pages)
    if cited is None:
        return False
    number = work.article_number or (work.page if work.page and "-" not in work.page else None)
    if number and _ARTICLE_NUMBER.match(number.strip()) and pages_agree(reference.pages, work):
        return True  # "e0123456", "104154": one article per number
    listed = parse_pages(work.page) if work.page else None
    if listed is None or cited.last is None or listed.last is None:
        return False
    return (
        cited.first.same(listed.first)
        and cited.last.same(listed.last)
        and not listed.first.same(listed.last)
    )


def _doi_holds(
    found: Evidence, author_agree: bool, author_conflict: bool, agree: float, conflict: float
) -> bool:
    """The citation gives this work's DOI: is it the work the rest of the citation describes?

    The DOI itself is strong evidence, so the question is only whether the rest clearly
    describes another work: another title and other authors, or other authors and other
    locators. A wrong title alone (authors and a locator agreeing) is an error in the
    title, not a wrong DOI.
    """
    title = found.title
    if title is None or title >= _LOOSE_TITLE:
        return not (author_conflict and conflict >= 1) and conflict < 2
    return author_agree and conflict <= 0.5 and agree >= 1


def is_same_work(reference: Reference, work: Work) -> bool:
    """Is ``work`` the cited work, allowing one wrong field in the citation?

    The title decides most, and the authors must not contradict it. The locators (volume,
    first page, year two or more off; the container at half weight) may contradict it
    once. Another paper by the same group with a similar title contradicts it at least
    twice: its volume and pages, or its title and year. When the citation gives the
    work's own DOI, only a citation that clearly describes another work is rejected.
    """
    return _same_work(reference, work, evidence(reference, work))


def _same_work(reference: Reference, work: Work, found: Evidence) -> bool:
    author_agree = found.authors is not None and found.authors >= 0.5
    author_conflict = found.authors == 0.0
    agree = conflict = 0.0
    for value in (found.volume, found.pages):
        if value is not None:
            agree += value
            conflict += 1.0 - value
    if found.year is not None:
        # One year off is common (online vs print year); two or more is a contradiction.
        agree += float(found.year == 1.0)
        conflict += float(found.year <= 0.3)
    if found.container is not None:
        agree += 0.5 * found.container
        conflict += 0.5 * (1.0 - found.container)

    title = found.title
    if reference.doi and reference.doi.strip().casefold() == work.doi.casefold():
        return _doi_holds(found, author_agree, author_conflict, agree, conflict)
    if title is None:
        return author_agree and ((conflict == 0 and agree >= 2) or (conflict <= 1 and agree >= 3))
    # A notice about the work ("Correction: <title>") is not the work.
    if work.title and is_notice_title(work.title) and not is_notice_title(reference.title or ""):
        return False
    if title >= _SAME_TITLE:
        if author_conflict:
            return conflict == 0 and agree >= 2
        # Two contradictions only for the very same title by the very same authors
        # (a conference paper and its journal version, say).
        return conflict <= (2 if found.authors == 1.0 else 1)
    if title >= _NEAR_TITLE:  # a subtitle left out, or a letter or two off
        return not author_conflict and conflict <= 1
    if title >= _VARIANT_TITLE:  # a word or two off: a discrepancy already, so no other
        return not author_conflict and conflict == 0 and agree >= 1.5
    if title >= _LOOSE_TITLE:
        return author_agree and conflict == 0 and agree >= 2
    # Another title: the same work only when the authors and pages that identify one item
    # say so (news items on one page share everything but their title).
    return author_agree and conflict == 0 and agree >= 2.5 and _identifying_pages(reference, work)


def is_same_work_but_title(reference: Reference, work: Work) -> bool:
    """Everything but the title says this is the cited work: every author, the year, the
    journal, the volume and the first page agree, and nothing contradicts.

    Only for candidates found by searching without the title after the titled search
    found nothing: then a wrong title is the likelier story than another item by the same
    authors on the same page.
    """
    found = evidence(reference, work)
    locators = (found.year, found.container, found.volume, found.pages)
    return found.authors == 1.0 and all(value == 1.0 for value in locators)


def agrees_but_title(reference: Reference, work: Work) -> bool:
    """Every author agrees, with the year and the journal, and nothing else contradicts:
    a weaker story than :func:`is_same_work_but_title`, worth naming, never taking."""
    found = evidence(reference, work)
    if found.authors != 1.0 or found.year != 1.0 or found.container != 1.0:
        return False
    return all(value in (None, 1.0) for value in (found.volume, found.pages, found.issue))
