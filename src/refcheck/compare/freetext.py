"""Free-text references: what the string says outranks what the parser guessed.

A reference read from a post's reference list is split into fields by a parser that can
slip (a title cut at an abbreviation, a journal swallowed into the title). A finding on
a word field, or on a number the parser was unsure of, is kept only when the raw string
does not hold Crossref's value either; a parse slip must never turn into a false alarm.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from refcheck.compare.container import container_match
from refcheck.compare.pages import range_written
from refcheck.compare.text import fold
from refcheck.compare.title import title_in_text
from refcheck.models import Finding, Reference, Severity, Work

# Fields whose findings describe the work itself or the DOI, not a parsed value.
_ALWAYS_KEPT = frozenset({"doi", "retraction", "type"})
_WORDS = frozenset({"title", "container", "authors"})
_FIRST_NUMBER = re.compile(r"[A-Za-z]*\d+")
# Identifiers whose digits are no field of the reference: a DOI ("10.1155/2015/904826", a
# SICI DOI's "(199907)180:1<114::"), a URL, an ISBN, an arXiv id. Numbers read there never
# vouch for a volume, issue, pages or year.
_IDENTIFIERS = re.compile(
    r"(?:\b(?:https?|ftp)://|\bwww\.)\S+"
    r"|(?<![\w.])10\.\d{4,9}(?:\.\d+)*/\S+"
    r"|\bISBN(?:-1[03])?\s*:?\s*(?:97[89][\s–-]?)?(?:\d[\s–-]?){9}[\dX]\b"
    r"|\b97[89](?:[–-]\d{1,7}){3}[–-][\dX]\b"
    r"|\barXiv\s*:\s*\S+",
    re.IGNORECASE,
)


def _padded(text: str) -> str:
    return f" {fold(text)} "


@lru_cache(maxsize=4096)
def without_identifiers(text: str) -> str:
    """The string with its DOIs, URLs, ISBNs and arXiv ids blanked out."""
    if not any(mark in text for mark in ("10.", "/", "ISBN", "isbn", "97", "arXiv", "arxiv")):
        return text
    return _IDENTIFIERS.sub(" ", text)


def _years_written(text: str, reference: Reference, work: Work, year: int) -> bool:
    """Does the folded string write ``year`` as the year, not only as the volume, issue or
    pages the parser is sure of ("vol. 2005, no. 3, 2008": 2005 is the volume), or as the
    volume it read that is the work's own ("Case Reports in Surgery, 2020, 1–4")?"""
    written = str(year)
    count = text.count(f" {written} ")
    for name in ("volume", "issue", "pages"):
        value = getattr(reference, name)
        sure = name in (reference.confident or ()) or (name == "volume" and value == work.volume)
        if value and sure:
            count -= fold(value).split().count(written)
    return count > 0


def says(text: str, value: str | None) -> bool:
    """Does the folded text hold the folded value as whole words?"""
    if not value:
        return False
    folded = fold(value)
    return bool(folded) and f" {folded} " in text


def _coverage(text: str, value: str) -> float:
    words = fold(value).split()
    if not words:
        return 0.0
    present = set(text.split())
    return sum(word in present for word in words) / len(words)


def _family(display: str) -> str:
    """The family name out of a finding's 'Family, Given' value (the first of a list)."""
    return display.split(";", 1)[0].split(",", 1)[0].strip()


def supports(reference: Reference, work: Work, finding: Finding) -> bool:
    """Does the raw string say what Crossref says on this finding's field?"""
    # Words are looked for in the whole string, numbers only outside its identifiers.
    text = _padded(reference.text)
    plain = _padded(without_identifiers(reference.text))
    field = finding.field
    if field == "volume":
        if work.volume and work.volume.isdigit() and int(work.volume) in work.years:
            # "Advances in Meteorology 2015, 1–12" (2015): a volume named by its year is
            # written twice when right; once is only the year.
            return plain.count(f" {fold(work.volume)} ") >= 2
        return says(plain, work.volume)
    if field == "issue":
        return says(plain, work.issue)
    if field == "pages":
        first = _FIRST_NUMBER.search(work.page or "") if work.page else None
        return says(plain, first.group(0) if first else work.article_number)
    if field == "year":
        return any(_years_written(plain, reference, work, year) for year in work.years)
    if field == "title":
        # Word for word: nine words of ten would excuse the one changed word. A link that
        # follows the title unpunctuated ("GBIF.org (2022) Occurrence Download https://…")
        # ends it as a full stop would (but a title may hold an ISBN: the string as is too).
        return title_in_text(reference.text, work) or (
            (stripped := without_identifiers(reference.text)) != reference.text
            and title_in_text(stripped, work)
        )
    if field == "container":
        names = (*work.container_title, *work.short_container_title)
        return (
            any(says(text, name) for name in names)
            or _container_tail(reference, work)
            or _title_and_publisher(reference, work)
            or _title_piece(reference, work)
        )
    if field == "authors":
        if finding.code in {"RC301", "RC303"} and finding.expected:
            # Authors sharing the family ("Wang, K.", "Wang, J."; "Kale", "Kulkarni-Kale"):
            # each one must be written, outside the title and the publisher ("Münchner
            # Volkshochschule: Programm 1965" by the Münchner Volkshochschule), and each
            # of a run of missing authors.
            outside = _outside_work_names(text, work)
            if finding.code == "RC303" and finding.cited:
                # Not within the misspelt name itself ("Iqbaz Qureshi" holds "Qureshi";
                # "Lir, Hong" holds "Hong" of the record's unsplit "Hong Lin").
                for word in fold(finding.cited).split():
                    outside = outside.replace(f" {word} ", " ", 1)
            families = [_padded(p.family or "") for p in work.authors]
            shown = [name for name in finding.expected.split(";") if fold(_family(name))]
            written = [_written(outside, name, families) for name in shown]
            return bool(shown) and (all(written) or _cut_short(outside, shown, written))
        if finding.code == "RC302" and finding.cited:
            return _reversed_reading(finding.cited, work)
        # Initials are the parser's weakest guess; an order or extra-author finding stands.
        return finding.code == "RC305"
    return False


_NUMBER_FIELDS = frozenset({"volume", "issue", "pages"})
# "vol. 2, no. 1, pp. 59-60": the 1 before the pages is the issue, not Crossref's volume 1.
_ISSUE_LABEL = re.compile(r"(?:\b(?:no|nr|issue|iss|num|number)\.?|№)\s*$", re.IGNORECASE)


def holds_numbers(raw: str, work: Work, field: str) -> bool:
    """Does the string write Crossref's numbers block, the field's value in it?

    "BJR, 64(757), 82–82" holds volume 64 and issue 757 side by side, so a volume the
    parser took from the title ("Reviews. Vol. 1.") is its slip, not the citation's.
    Two of Crossref's numbers must sit together, and one of them must be the field's.
    """
    volume, issue = work.volume, work.issue
    first = _FIRST_NUMBER.search(work.page or "") if work.page else None
    page = first.group(0) if first else work.article_number
    if not volume or not (issue or page):
        return False
    vol = rf"(?<![\w.]){re.escape(volume)}"
    iss = rf"\(\s*{re.escape(issue)}\s*\)" if issue else None
    after = rf"\s*[,:]\s*(?:pp?\.\s*)?{re.escape(page)}(?!\w)" if page else None
    shapes = []
    if iss and field in ("volume", "issue"):
        shapes.append(rf"{vol}\s*{iss}")
    if after and field in ("volume", "pages"):
        shapes.append(rf"{vol}\s*(?:{iss})?{after}" if iss else rf"{vol}{after}")
    if iss and after and field == "pages":
        shapes.append(rf"{vol}\s*{iss}{after}")
    return any(
        not _ISSUE_LABEL.search(raw, 0, match.start())
        for shape in shapes
        for match in re.finditer(shape, raw)
    )


def _cut_short(text: str, shown: list[str], written: list[bool]) -> bool:
    """Is a run of missing authors written up to "et al."? The first ones written, then
    "et al." after the last of them, and the rest not written ("REMNEVA, O. V., Altai State
    Medical University, A. E. CHERNOVA, et al." copying a record's junk author): the
    parser stopped at the junk, not the writer."""
    count = sum(written)
    if not count or any(written[count:]) or not all(written[:count]):
        return False
    last = fold(_family(shown[count - 1]))
    at = text.rfind(f" {last} ")
    return at >= 0 and " et al " in text[at:]


def _written(text: str, shown: str, families: list[str]) -> bool:
    """Is the author a finding shows ('Family, Given') written in the folded text, as
    often as the work's authors share the family (padded ``families``)?"""
    return any(
        text.count(f" {name} ") >= max(1, sum(_shares(f, name, where) for f in families))
        for name, where in _spellings(fold(_family(shown)), shown)
    )


def _shares(padded: str, name: str, where: str) -> bool:
    """Does another author's padded name hold ``name`` where a family would be?"""
    if where == "start":
        return padded.startswith(f" {name} ")
    if where == "end":
        return padded.endswith(f" {name} ")
    return f" {name} " in padded


def _spellings(family: str, shown: str) -> list[tuple[str, str]]:
    """The folded family of an author as a finding shows it ('Family, Given'), and where the
    record holds a whole name unsplit ("daniel fujiwara", no given name) its first words and
    its last, any of which may be the family; each with where another author's name holds
    it to share it ("start", "end", "any": "Bo Wen" and "Wen-bo Zhu" share no family)."""
    words = family.split()
    found = [(family, "any")]
    if len(words) < 2 or "," in shown:
        return found
    for k in range(1, len(words)):
        if any(len(w) > 1 for w in words[:k]):
            found.append((" ".join(words[:k]), "start"))
        if any(len(w) > 1 for w in words[k:]):
            found.append((" ".join(words[k:]), "end"))
    return found


def _outside_work_names(text: str, work: Work) -> str:
    """The folded string without the work's title, publisher and container where it writes
    them whole (once each): a name there says nothing of the authors."""
    for name in (work.title, work.publisher, *work.container_title):
        folded = fold(name or "")
        if folded:
            text = text.replace(f" {folded} ", "  ", 1)
    return text


def _reversed_reading(cited: str, work: Work) -> bool:
    """ "Magnetohydrodynamik, Cap F.": the parser read "Cap F. Magnetohydrodynamik" as a
    full name when "Cap F." was the author and the rest the title. The 'given' part then
    holds an author's family name."""
    _, _, given = cited.partition(",")
    words = set(fold(given).split())
    return any(
        person.family and fold(person.family) and set(fold(person.family).split()) <= words
        for person in work.authors
    )


def _title_piece(reference: Reference, work: Work) -> bool:
    """A parsed container that is the end of the work's own title, cut at its "?" or ":"
    ("Mehr Schaden als Nutzen? Problematischer Einsatz von ..."): no journal named."""
    container = fold(reference.container or "")
    title = fold(work.title or "")
    return len(container.split()) >= 3 and f"{title} ".endswith(f" {container} ")


def _container_tail(reference: Reference, work: Work) -> bool:
    """A parsed container that swallowed the end of the title ("... in Europe. Syst
    Parasitol"): does a trailing piece of it name the work's journal?"""
    pieces = re.split(r"(?<=[.?!:])\s+", reference.container or "")
    return any(container_match(" ".join(pieces[start:]), work) for start in range(1, len(pieces)))


def _title_and_publisher(reference: Reference, work: Work) -> bool:
    """A parsed container that is only the work's title (or its start) and its publisher:
    "Title. Publisher." (a dataset's, software's, a report's) read as a journal, or a title
    cut at "g-2/EDM" read as one. The citation names no other container to be wrong."""
    title = fold(work.title or "")
    publisher = fold(work.publisher or "")
    pieces = [fold(p) for p in re.split(r"(?<=[.?!:,])\s+", reference.container or "")]
    pieces = [p for p in pieces if p]
    if not pieces or not title:
        return False
    # The title's start, three words at least: "Nature" before a title "Nature of..." is
    # a journal named, not a slip.
    head = pieces[0]
    if len(head.split()) >= 3 and f"{title} ".startswith(f"{head} "):
        # The whole title, when the split cut it at its commas ("Title, 1960-1970").
        whole = next((n for n in range(len(pieces), 1, -1) if " ".join(pieces[:n]) == title), 1)
        pieces = pieces[whole:]
        if not pieces:
            return True
    return bool(publisher) and " ".join(pieces) == publisher


def reconcile(reference: Reference, work: Work, findings: Sequence[Finding]) -> list[Finding]:
    """Drop findings on guessed fields of a free-text reference that the string refutes."""
    if reference.confident is None:
        return list(findings)
    kept: list[Finding] = []
    for finding in findings:
        if finding.code == "RC604":
            # A last page yields only to Crossref's whole range written in the string: the
            # first page (alone, or in the numbers block) says nothing of where it ends.
            if not range_written(without_identifiers(reference.text), work):
                kept.append(finding)
            continue
        # Words (title, journal, names) are checked against the string even when the
        # parser was sure of them: its confidence there is only 70-93% precise. Numbers
        # are checked only when it was unsure: a volume or year turns up elsewhere in a
        # string (in the pages, in a DOI) too often for their presence to clear them.
        checked = finding.field in _WORDS or finding.field not in reference.confident
        if (
            finding.severity is not Severity.INFO
            and finding.field not in _ALWAYS_KEPT
            and checked
            and supports(reference, work, finding)
        ):
            continue
        # A number the parser was sure of still yields to Crossref's whole block written
        # out in the string: the parser read another number (in the title, a bracket).
        plain = without_identifiers(reference.text)
        if finding.field in _NUMBER_FIELDS and holds_numbers(plain, work, finding.field):
            continue
        kept.append(finding)
    return kept


def _places(text: str, work: Work) -> bool:
    """The string names where the work is: its container, and its first page (or, for a
    book's chapter, a long book title). A title of a word or two ("Introduction",
    "Ontologies") needs this before the string alone can vouch for the work."""
    names = (*work.container_title, *work.short_container_title)
    named = [name for name in names if says(text, name)]
    if not named:
        return False
    first = _FIRST_NUMBER.search(work.page or "") if work.page else None
    if first is not None:
        return says(text, first.group(0))
    if work.article_number:
        return says(text, work.article_number)
    return max(len(fold(name).split()) for name in named) >= 4


def text_matches(reference: Reference, work: Work) -> bool:
    """Validation from the string alone: the work's title, first author and year are in it.

    Used for free-text references whose parsed fields did not validate a candidate: a
    mis-split title should not hide a work the string plainly names. A wrong year is the
    one wrong field it tolerates, where the string writes the whole title and names the
    journal, volume and first page: then the error is the year's. A look-alike (a word
    of the title changed, another volume or page) is not shown by the string that way.
    """
    if not reference.text or not work.title:
        return False
    text = _padded(reference.text)
    plain = _padded(without_identifiers(reference.text))
    coverage = _coverage(text, work.title)
    if coverage < 0.85:
        return False
    # The reference cites this very DOI: only whether the string describes the work is
    # asked, not where among all works it is, so its whole title set apart suffices.
    cites_it = _cites_doi(reference, work) and title_in_text(reference.text, work)
    if len(fold(work.title).split()) < 3 and not (
        coverage == 1.0 and (cites_it or _places(plain, work))
    ):
        return False
    if work.authors:
        first = work.authors[0]
        name = first.family or first.literal or ""
        if name and not says(text, name) and not says(text, name.split()[-1]):
            return False
    years = work.years
    if not years or any(says(plain, str(y)) for y in years):
        return True
    # The year alone wrong: the whole title as written, and the work's place (or its DOI).
    return says(text, work.title) and (cites_it or _located(plain, work))


def _cites_doi(reference: Reference, work: Work) -> bool:
    return bool(reference.doi) and (reference.doi or "").strip().lower() == work.doi.lower()


def _located(text: str, work: Work) -> bool:
    """The string names the work's container, volume (when it has one) and first page or
    article number: another year's item by the same people in the same journal is at
    another volume or page, and an editorial on page 1 of every volume differs in its volume.
    """
    first = _FIRST_NUMBER.search(work.page or "") if work.page else None
    page = first.group(0) if first else work.article_number
    names = (*work.container_title, *work.short_container_title)
    return (
        page is not None
        and says(text, page)
        and (not work.volume or says(text, work.volume))
        and any(says(text, name) for name in names)
    )
