"""Books: references that cite an ISBN, or read as a book, checked against Crossref's and
Open Library's records. The run (:mod:`refcheck.api`) calls three steps:

- :func:`by_isbn`, before searching: a reference citing no DOI and a valid ISBN is looked up
  by it (:meth:`~refcheck.resolve.resolver.Resolver.lookup_isbns`: Crossref's books under
  the ISBN, else Open Library's edition). The ISBN names the book as a DOI names a paper, so
  the book is taken unless the rest of the citation clearly describes another work (as for a
  cited DOI), and each field is then compared with its record: a wrong year, title or
  author is named on its field. A registry that could not be reached, with no other holding
  the ISBN: ``unverified``. An ISBN no registry holds, or one whose book is not the cited
  one: the reference is searched for as any other.
- :func:`also_as_books`, after searching: a reference that reads as a book (it cites an
  ISBN, its entry type is a book's, or its publisher is named where a journal would be)
  and that no search matched is searched at Open Library by its title and first author,
  validated as strictly as any candidate. Not found there either: ``skipped`` with an info
  finding (RC105), never a warning (no registry holds every book). Open Library could not
  be reached: ``unverified``.
- :func:`with_isbn_findings`, on every verdict: a cited ISBN whose check digit fails is an
  error (RC106), whatever else was found; one that named another book than the work the
  search then found is an error too (RC107). Not when the search found nothing: a citation
  read badly must not make its own ISBN look wrong.

An ISBN in an article's citation (a volume and pages, or an article's entry type) is part of
its title, a book review's naming the reviewed book: it is neither looked up nor checked, and
neither is one the matched work's own title holds (the registry's text, not the writer's).

An Open Library record has no DOI: no RC103 ("no DOI cited") is said of it.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from refcheck import verify
from refcheck.compare.text import fold
from refcheck.errors import CrossrefError
from refcheck.match import evidence
from refcheck.models import Consulted, Finding, Reference, Status, Verdict, Work
from refcheck.parse.identifiers import cited_isbns
from refcheck.parse.unregistered import has_article_marks
from refcheck.resolve.resolver import Resolver
from refcheck.rules import finding

__all__ = ["also_as_books", "by_isbn", "reads_as_book", "with_isbn_findings"]

# Entry types of a whole book (BibTeX, biblatex, CSL).
_BOOK_TYPES = frozenset({"book", "mvbook", "booklet", "monograph", "collection", "mvcollection"})
# A publisher where a free-text reference's journal would be, or an editor's mark: a book's.
_PUBLISHER = re.compile(
    r"\b(?:press|publish(?:ers?|ing)|books|verlag|[ée]ditions?|giroux|penguin|random house|"
    r"wiley|springer|routledge|elsevier|mcgraw[- ]hill|o'reilly|apress|norton|harper|"
    r"macmillan|pearson|addison[- ]wesley|prentice[- ]hall|academic press)\b",
    re.IGNORECASE,
)
_ARTICLE_TYPES = frozenset({"article", "article-journal", "article-magazine", "article-newspaper"})
_EDITORS = re.compile(r"\((?:eds?|editors?|hrsg)\.?\)", re.IGNORECASE)
_NOT_DIGIT = re.compile(r"[^\dXx]")
_SUBTITLE = re.compile(r"\s*[:.?!]\s+")


def reads_as_book(reference: Reference) -> bool:
    """Does the reference cite a book: an ISBN, a book's entry type, or (free text) a
    publisher where a journal would be, with no volume, issue or pages?"""
    if cited_isbns(reference):
        return True
    if (reference.entry_type or "").lower() in _BOOK_TYPES:
        return True
    if reference.entry_type or has_article_marks(reference):
        return False
    if reference.volume or reference.issue or reference.pages:
        return False
    container = reference.container or ""
    return bool(_PUBLISHER.search(container) or _EDITORS.search(reference.text or ""))


def _valid_isbns(reference: Reference) -> list[str]:
    return [cited.isbn13 for cited in cited_isbns(reference) if cited.isbn13 is not None]


def _cites_by_isbn(reference: Reference) -> list[str]:
    """The valid ISBNs a reference cites its work by: none for an article's citation,
    whose ISBN names another work (a book review's title names the reviewed book's)."""
    return [] if _cites_an_article(reference) else _valid_isbns(reference)


def _cites_an_article(reference: Reference) -> bool:
    return has_article_marks(reference) or (reference.entry_type or "").lower() in _ARTICLE_TYPES


def _pretend_cited(reference: Reference, work: Work, key: str) -> tuple[Reference, Work]:
    """The reference and the work as if the ISBN were a DOI both carry: matching then asks
    only whether the citation clearly describes another work, as for a cited DOI."""
    return reference.model_copy(update={"doi": key}), work.model_copy(update={"doi": key})


def _names_cited_book(reference: Reference, work: Work, isbn: str) -> bool:
    """Is the book an ISBN names the one the citation describes? As for a cited DOI, unless
    the record has no title: then nothing it holds may contradict the citation (a year two
    off, other authors), for it cannot say which book it is."""
    if work.title is None:
        found = evidence(reference, work)
        return (found.year is None or found.year > 0.3) and found.authors != 0.0
    return verify.by_doi(*_pretend_cited(reference, work, f"isbn:{isbn}"))


def _matched(reference: Reference, work: Work) -> Verdict:
    verdict = verify.matched(reference, work)
    if work.doi:
        return verdict
    # No DOI to suggest: RC103 ("no DOI cited; its DOI is ...") has nothing to say.
    findings = tuple(f for f in verdict.findings if f.code != "RC103")
    return verdict.model_copy(update={"findings": findings})


@dataclass
class IsbnLookups:
    """What looking references up by ISBN settled, and what it leaves to the search."""

    settled: dict[int, Verdict] = field(default_factory=dict)
    # The sources asked for the references left to the search (added to the search's).
    asked: dict[int, tuple[Consulted, ...]] = field(default_factory=dict)
    # References whose ISBN named a book the citation does not describe: the ISBN and book.
    other: dict[int, tuple[str, Work]] = field(default_factory=dict)


async def by_isbn(
    resolver: Resolver, chunk: Sequence[Reference], indices: Iterable[int]
) -> IsbnLookups:
    """The references (of ``indices``) settled by their ISBN, and for the others that cite
    one, the sources asked and the other book an ISBN named (see :func:`with_isbn_findings`)."""
    wanted = {i: isbns for i in indices if (isbns := _cites_by_isbn(chunk[i]))}
    lookups = IsbnLookups()
    if not wanted:
        return lookups
    found = await resolver.lookup_isbns([isbn for isbns in wanted.values() for isbn in isbns])
    settled, asked, other = lookups.settled, lookups.asked, lookups.other
    for index, isbns in wanted.items():
        reference = chunk[index]
        sources = tuple(c for isbn in isbns for c in resolver.consulted(f"isbn:{isbn}"))
        verdict: Verdict | None = None
        errors: list[CrossrefError] = []
        for isbn in isbns:
            answer = found.get(isbn)
            if isinstance(answer, CrossrefError):
                errors.append(answer)
            elif isinstance(answer, Work):
                if _names_cited_book(reference, answer, isbn):
                    verdict = _matched(reference, answer)
                    break
                other.setdefault(index, (isbn, answer))
        if verdict is None and errors and not any(isinstance(found.get(i), Work) for i in isbns):
            verdict = verify.unverified(reference, errors[0])
        if verdict is None:
            asked[index] = sources
        else:
            other.pop(index, None)
            settled[index] = verdict.model_copy(update={"sources": sources})
    for isbns in wanted.values():
        for isbn in isbns:
            resolver.consulted(f"isbn:{isbn}", forget=True)
    return lookups


def _book_query(reference: Reference) -> tuple[str, str | None] | None:
    """The title (its main part: Open Library keeps subtitles apart) and the first
    author's family name to search a book by; None without a title."""
    title = _SUBTITLE.split(reference.title or "", maxsplit=1)[0].strip()
    if len(title) < 3:
        return None
    first = reference.authors[0] if reference.authors else None
    author = (first.family or first.literal) if first is not None else None
    return title, author


async def _candidates(
    resolver: Resolver, query: tuple[str, str | None], year: int | None, key: str
) -> list[Work]:
    """Open Library's books for a title and author; for the title alone when none has
    that author (a misspelt name must be found, to be named on its field)."""
    title, author = query
    works = await resolver.search_openlibrary(title, author, year, key=key)
    if not works and author:
        works = await resolver.search_openlibrary(title, None, year, key=key)
    return works


def _not_held(reference: Reference) -> Verdict:
    isbns = _valid_isbns(reference)
    which = f" (ISBN {isbns[0]})" if isbns else ""
    return Verdict(
        reference=reference,
        status=Status.SKIPPED,
        findings=(
            finding(
                "RC105",
                f"Not checked: a book{which} neither Crossref nor Open Library holds",
                cited=(reference.title or reference.text or "")[:200] or None,
            ),
        ),
        message="A book: no registry asked holds it",
    )


async def also_as_books(resolver: Resolver, verdicts: list[Verdict]) -> list[Verdict]:
    """References no search matched that read as books: searched at Open Library, else
    skipped (see the module docstring). Left as they are when Open Library is not asked
    in this run (offline, or a resolver built without it); left out of the run
    (``--source``), such a reference is unverified, naming it. One Crossref was left out
    of stays unverified unless Open Library holds it."""
    if not resolver.asks_openlibrary and "openlibrary" not in resolver.left_out:
        return verdicts
    wanted = [
        n
        for n, verdict in enumerate(verdicts)
        if (verify.searched_in_vain(verdict) or resolver.unsearched(verdict))
        and reads_as_book(verdict.reference)
    ]
    queries = {n: _book_query(verdicts[n].reference) for n in wanted}
    keys = {n: f"openlibrary:{n}:{query}" for n, query in queries.items()}
    answers = await asyncio.gather(
        *(
            _candidates(resolver, query, verdicts[n].reference.year, keys[n])
            for n, query in queries.items()
            if query is not None
        ),
        return_exceptions=True,
    )
    searched = dict(zip([n for n, q in queries.items() if q is not None], answers, strict=True))
    out = list(verdicts)
    for n in wanted:
        before, reference = verdicts[n], verdicts[n].reference
        answer = searched.get(n, [])
        if isinstance(answer, BaseException) and not isinstance(answer, CrossrefError):
            raise answer  # a bug, not Open Library's failure: do not hide it
        if isinstance(answer, CrossrefError):
            after = before if resolver.unsearched(before) else verify.unverified(reference, answer)
        else:
            work, _ = verify.choose(reference, answer) if answer else (None, None)
            if work is not None:
                after = _matched(reference, work)
            else:
                after = before if resolver.unsearched(before) else _not_held(reference)
        asked = resolver.consulted_by_search(keys[n])
        out[n] = after.model_copy(update={"sources": (*before.sources, *asked)})
    resolver.forget_searches()
    return out


def _label(work: Work) -> str:
    who = work.authors[0].family or work.authors[0].display() if work.authors else ""
    year = f" ({work.year})" if work.year else ""
    return f"{who}{year} {work.title or '(untitled)'}".strip()


def _same_book(one: Work, other: Work, isbn: str) -> bool:
    if one.doi and other.doi:
        return one.doi.lower() == other.doi.lower()
    return isbn in other.isbn or fold(one.title or "") == fold(other.title or "")


def _other_book(verdict: Verdict, other: tuple[str, Work] | None) -> list[Finding]:
    """RC107 when the ISBN named a book the citation does not describe and the described
    work was found: only then is the ISBN, not the reading of the citation, at fault."""
    if other is None or verdict.work is None:
        return []
    isbn, book = other
    if _same_book(book, verdict.work, isbn):
        return []
    written = next((c.written for c in cited_isbns(verdict.reference) if c.isbn13 == isbn), isbn)
    return [
        finding(
            "RC107",
            f"ISBN {written} is another book, {_label(book)} ({book.registry}); the cited "
            f"work is {_label(verdict.work)}",
            cited=written,
            expected=next(iter(verdict.work.isbn), None),
        )
    ]


def with_isbn_findings(verdict: Verdict, other: tuple[str, Work] | None = None) -> Verdict:
    """The verdict with an error for each cited ISBN whose check digit fails (RC106), and
    for one that named another book than the work found (``other``, from :func:`by_isbn`:
    RC107)."""
    if verdict.status is Status.INVALID or _cites_an_article(verdict.reference):
        return verdict  # an article's ISBN is its title's (a book review's), not a citation
    wrong = _other_book(verdict, other)
    # An ISBN the matched work's own title holds (a book review's) is the registry's text.
    title = _NOT_DIGIT.sub("", verdict.work.title or "") if verdict.work is not None else ""
    bad = [
        cited.written
        for cited in cited_isbns(verdict.reference)
        if cited.isbn13 is None and _NOT_DIGIT.sub("", cited.written) not in title
    ]
    if not bad and not wrong:
        return verdict
    findings = wrong + [
        finding(
            "RC106",
            f"ISBN {written} has a wrong check digit: no book has it (a digit mistyped, or "
            "two swapped)",
            cited=written,
        )
        for written in bad
    ]
    status = verdict.status
    if status is Status.VERIFIED:
        status = Status.MISMATCH  # an error on the reference, though its work was found
    return verdict.model_copy(update={"findings": (*findings, *verdict.findings), "status": status})
