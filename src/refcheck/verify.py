"""From a reference and what the sources answered to a verdict. Pure: no I/O here.

The decisions that keep verdicts honest live here:
- a reference that could not be looked up is ``unverified``, never ``not_found``;
- a search candidate becomes the match only when it validates field by field
  (:func:`refcheck.match.is_same_work`) and is not tied with another candidate;
- a cited DOI whose work is not the one the rest of the citation describes is an error on
  the DOI itself, not a pile of errors on every other field.
"""

from __future__ import annotations

from collections.abc import Sequence

from refcheck.compare import compare
from refcheck.compare.authors import author_name, same_author
from refcheck.compare.freetext import reconcile, text_matches
from refcheck.compare.text import fold
from refcheck.compare.title import same_title
from refcheck.errors import CrossrefError
from refcheck.match import (
    Citation,
    agrees_but_title,
    evidence,
    is_same_work_but_title,
    similarity,
)
from refcheck.models import Finding, Reference, Severity, Status, Verdict, Work
from refcheck.resolve.search_index import STOP_WORDS
from refcheck.rules import finding

# Two validated candidates closer than this are a tie: neither is taken silently.
TIE_MARGIN = 0.02


def status_of(findings: Sequence[Finding]) -> Status:
    if any(f.severity is Severity.ERROR for f in findings):
        return Status.MISMATCH
    return Status.VERIFIED


def describe(work: Work) -> str:
    """A short human label for a work: 'Family et al. (2015) Title'."""
    who = work.authors[0].family or work.authors[0].display() if work.authors else ""
    if len(work.authors) > 1:
        who += " et al."
    year = f" ({work.year})" if work.year else ""
    title = work.title or "(untitled)"
    if len(title) > 90:
        title = title[:87] + "..."
    return f"{who}{year} {title}".strip() + f" [doi:{work.doi}]"


def query_for(reference: Reference, *, with_title: bool = True) -> str:
    """The text sent to ``query.bibliographic``: the citation as a reader would type it.

    ``with_title=False`` leaves the title out: a citation whose title is wrong is still
    found by its authors, journal, year, volume and pages.
    """
    if (
        with_title
        and reference.text
        and reference.location.key is None
        and not reference.text.startswith("@")
    ):
        return " ".join(reference.text.split())
    parts: list[str] = [p.family or p.literal or "" for p in reference.authors[:4]]
    title = reference.title if with_title else None
    for value in (title, reference.container, reference.year, reference.volume):
        if value:
            parts.append(str(value))
    if reference.pages:
        parts.append(reference.pages)
    return " ".join(" ".join(parts).split())


def has_identity(reference: Reference) -> bool:
    """Does the citation say enough besides its DOI to tell one work from another?"""
    return bool(reference.title) or (bool(reference.authors) and reference.year is not None)


def validates(reference: Reference, work: Work) -> bool:
    """Is this work the cited one? Field by field, or for free text, by the string itself."""
    return _validates(Citation(reference), work)


def _validates(citation: Citation, work: Work) -> bool:
    reference = citation.reference
    if _names_its_container(reference, work):
        return False
    if citation.is_same_work(work):
        return True
    return reference.free_text and text_matches(reference, work)


# Crossref records whole journals, proceedings and series too ("Journal of Probability and
# Statistics", type "journal", no date, no authors).
_CONTAINER_TYPES = frozenset(
    {"journal", "journal-volume", "journal-issue", "proceedings", "book-series", "book-set"}
)


def _names_its_container(reference: Reference, work: Work) -> bool:
    """Is the work a journal (or series) that the string only names as where the cited
    work appeared? Its title is then in the string, but the citation is of an article."""
    return (
        work.type in _CONTAINER_TYPES
        and bool(reference.title)
        and not same_title(reference.title or "", work)
    )


def choose(reference: Reference, candidates: Sequence[Work]) -> tuple[Work | None, str | None]:
    """The validated candidate, or None with the reason (weak or tied) naming the best one."""
    if not candidates:
        return None, "Crossref has no candidate for this reference"
    # One citation for every candidate: its evidence on each is measured once, for the
    # ranking and the validation alike.
    citation = Citation(reference)
    scored = sorted(
        ((citation.similarity(work), work) for work in candidates),
        key=lambda pair: pair[0],
        reverse=True,
    )
    best_score, best = scored[0]
    if not _validates(citation, best):
        validated = [(score, work) for score, work in scored[1:] if _validates(citation, work)]
        if not validated:
            return None, nearest_miss(reference, best)
        best_score, best = validated[0]
    for score, other in scored[1:]:
        if other is best:
            continue
        if best_score - score < TIE_MARGIN and _validates(citation, other):
            if other.doi.lower() == best.doi.lower():
                continue
            exact = _exact_title(citation, best), _exact_title(citation, other)
            if exact == (True, False):
                continue  # a chapter and its reprint without the subtitle: the cited title
            if exact == (False, True):
                best = other  # is one of them whole
                continue
            return None, f"two works match equally well: {describe(best)} and {describe(other)}"
    return best, None


def _exact_title(citation: Citation, work: Work) -> bool:
    return citation.evidence(work).title == 1.0


# Words of a title that say nothing of which work it is.
_TITLE_FILLER = STOP_WORDS | {
    "analysis", "approach", "based", "case", "effect", "effects", "new", "review", "study",
    "studies", "using",
}  # fmt: skip


def _title_words(title: str | None) -> set[str]:
    return {w for w in fold(title or "").split() if len(w) > 2 and w not in _TITLE_FILLER}


def plausibly_cited(reference: Reference, work: Work) -> bool:
    """Could a reader take ``work`` for the cited one? It shares most of the title's telling
    words (two at least), or the first author and the year (one off at most)."""
    cited = _title_words(reference.title)
    shared = cited & _title_words(work.title)
    if len(shared) >= min(2, len(cited)) > 0 and 2 * len(shared) >= len(cited):
        return True
    if not reference.authors or not work.authors or reference.year is None:
        return False
    if work.year is None or abs(work.year - reference.year) > 1:
        return False
    first, theirs = author_name(reference.authors[0]), author_name(work.authors[0])
    return bool(first.keys) and same_author(first, theirs)


def nearest_miss(reference: Reference, best: Work) -> str:
    """RC104's reason when no candidate validates: the closest named only when a reader
    could take it for the cited work; an unrelated paper named there is noise."""
    if plausibly_cited(reference, best):
        return f"no candidate matches; the closest is {describe(best)}"
    return "no candidate matches, and nothing like it was found"


def unverified(reference: Reference, error: CrossrefError | str) -> Verdict:
    return Verdict(reference=reference, status=Status.UNVERIFIED, message=str(error))


def invalid(reference: Reference) -> Verdict:
    return Verdict(reference=reference, status=Status.INVALID, message=reference.problem)


def matched(reference: Reference, work: Work, *, extra: Sequence[Finding] = ()) -> Verdict:
    findings = [*extra, *reconcile(reference, work, compare(reference, work))]
    if not reference.doi:
        findings.insert(
            0,
            finding(
                "RC103",
                f"No DOI cited; {work.registry}'s DOI for this work is {work.doi}",
                expected=work.doi,
            ),
        )
    return Verdict(
        reference=reference,
        status=status_of(findings),
        work=work,
        score=round(similarity(reference, work), 3),
        findings=tuple(findings),
    )


def doi_unknown(reference: Reference, agency: str | None = None) -> Verdict:
    """The cited DOI exists nowhere: Crossref does not hold it and no agency registered it;
    or ``agency`` (DataCite), said to be its registration agency, does not hold it."""
    doi = reference.doi or ""
    said, message = (
        (
            f"The DOI's registration agency is {agency}, but {agency} does not know the DOI {doi}",
            f"DOI {doi} is not held by {agency}, its registration agency",
        )
        if agency
        else (
            f"No registration agency knows the DOI {doi} (neither Crossref nor another)",
            f"DOI {doi} is not registered with Crossref or any other agency",
        )
    )
    return Verdict(
        reference=reference,
        status=Status.NOT_FOUND,
        findings=(finding("RC101", said, cited=doi),),
        message=message,
    )


def skipped(reference: Reference, kind: str) -> Verdict:
    """A work no registry holds (``kind``: "a blog post", "a news article"...): not checked,
    and nothing said against it."""
    return Verdict(
        reference=reference,
        status=Status.SKIPPED,
        findings=(
            finding(
                "RC105",
                f"Not checked: {kind}, which no registry holds",
                cited=(reference.url or reference.title or "")[:200] or None,
            ),
        ),
        message=f"{kind[0].upper()}{kind[1:]}: no registry holds it",
    )


def arxiv_unknown(reference: Reference, identifier: str) -> Verdict:
    """The cited arXiv ID names no paper: DataCite has no DOI for it."""
    return Verdict(
        reference=reference,
        status=Status.NOT_FOUND,
        findings=(
            finding(
                "RC101",
                f"arXiv has no paper {identifier} (DataCite does not know its DOI)",
                cited=f"arXiv:{identifier}",
            ),
        ),
        message=f"arXiv ID {identifier} does not exist",
    )


def doi_of_other_work(
    reference: Reference, cited_work: Work, candidates: Sequence[Work] | CrossrefError | None
) -> Verdict:
    """The cited DOI is another work's: name it, and the right one when search finds it."""
    right: Work | None = None
    if isinstance(candidates, Sequence):
        right, _ = choose(reference, [c for c in candidates if c.doi != cited_work.doi])
    if right is not None:
        wrong = finding(
            "RC102",
            f"DOI {reference.doi} is another work, {describe(cited_work)}; "
            f"the cited work's DOI is {right.doi}",
            cited=reference.doi,
            expected=right.doi,
        )
        return matched(reference, right, extra=[wrong])
    wrong = finding(
        "RC102",
        f"DOI {reference.doi} is another work: {describe(cited_work)}",
        cited=reference.doi,
        expected=cited_work.title,
    )
    return Verdict(
        reference=reference,
        status=Status.MISMATCH,
        work=None,
        findings=(wrong,),
        message="the cited DOI belongs to another work",
    )


def by_doi(reference: Reference, cited_work: Work) -> bool:
    """Is the cited DOI's work the work the citation describes (or can we not tell)?"""
    return (
        not has_identity(reference)
        or validates(reference, cited_work)
        or confirmed_but_authors(reference, cited_work)
    )


# A parsed title this close to the printed DOI's work's confirms it.
_CONFIRMING_TITLE = 0.97


def _padded(text: str) -> str:
    return f" {fold(text)} "


def _shows(written: str, value: str | None) -> bool:
    """Does the folded string hold the value whole, as words?"""
    folded = fold(value or "")
    return bool(written and folded) and f" {folded} " in written


def confirmed_but_authors(reference: Reference, work: Work) -> bool:
    """The printed DOI's work, confirmed field by field whatever the author line says.

    Its title is the cited one (as parsed, or written in the string when the parser slipped
    on a misspelt name), and the year, journal, volume and pages agree, at least two of
    them and none against (three for a title of a word or two, "Editorial", "Reply").
    Then a wrong author is an error on the author, not a reason to doubt the DOI.
    """
    found = evidence(reference, work)
    # Where the parser slipped (a title or journal read with the misspelt name beside it),
    # a free-text reference's own string still shows the value whole.
    written = _padded(reference.text) if reference.free_text and reference.text else ""
    title = (found.title is not None and found.title >= _CONFIRMING_TITLE) or _shows(
        written, work.title
    )
    if not title:
        return False
    container = found.container
    if container == 0.0 and any(
        _shows(written, name) for name in (*work.container_title, *work.short_container_title)
    ):
        container = 1.0
    agree = 0
    for value in (container, found.volume, found.pages):
        if value is None:
            continue
        if value < 1.0:
            return False
        agree += 1
    if found.year is not None:
        if found.year < 0.6:
            return False  # two or more years off: another work's
        agree += found.year == 1.0  # one off (online and print years) neither way
    words = fold(work.title or "").split()
    return agree >= (2 if len(words) >= 3 else 3)


def searched_in_vain(verdict: Verdict) -> bool:
    """Did the search alone decide this verdict, finding nothing (no DOI cited, no finding
    but RC104)? Such a reference may still be held by another registry."""
    return (
        verdict.status is Status.NOT_FOUND
        and not verdict.reference.doi
        and all(f.code == "RC104" for f in verdict.findings)
    )


def by_search(
    reference: Reference,
    candidates: Sequence[Work],
    untitled: Sequence[Work] = (),
    *,
    choice: tuple[Work | None, str | None] | None = None,
) -> Verdict:
    """The verdict from search candidates; ``untitled`` came from a search without the title.

    ``choice``: what :func:`choose` made of these candidates, when the caller has it already.
    """
    work, reason = choose(reference, candidates) if choice is None else choice
    if work is None:
        blind = [w for w in untitled if is_same_work_but_title(reference, w)]
        if len({w.doi.lower() for w in blind}) == 1:
            work = blind[0]
    if work is not None:
        return matched(reference, work)
    findings = [finding("RC104", reason or "no match", cited=query_for(reference)[:200])]
    if reference.title:
        closest = {
            w.doi.lower(): w for w in [*candidates, *untitled] if agrees_but_title(reference, w)
        }
        if len(closest) == 1:
            [near] = closest.values()
            findings.append(
                finding(
                    "RC203",
                    f"No work has this title; {describe(near)} agrees on everything else",
                    cited=reference.title,
                    expected=near.title,
                )
            )
    return Verdict(
        reference=reference,
        status=Status.NOT_FOUND,
        findings=tuple(findings),
        message=reason,
    )
