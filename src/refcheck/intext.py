"""In-text citations against the post's reference list: links, and findings where they stand.

Pure: takes the citations the readers found (:mod:`refcheck.readers.citations`) and the
verdicts on the post's list entries, and says which entry each citation points at and what
disagrees. Citations and entries are only linked within one file.

- author-year: the entry whose first author's family name is the cited one (folded:
  case, accents, particles, spaces) and whose year is the cited year ("2019a": the first
  such entry of 2019, "2019b" the second). Same author, another year: RC802, naming the
  list's year and, when the cited year is the matched work's other year (online-first or
  print), saying so. No entry by that author: RC801, unless the cited name is a later
  author of the one entry of that year (a wrong first author: RC802). A narrative "Smith
  (2019)" that points at nothing is taken for prose, not a citation.
- numeric: "[n]" is the list's n-th entry; beyond the list, RC803.
- key: the entry with that key (BibTeX), or whose key reads as its first author and year
  ("kasch2022"); none, RC805. A post whose front matter names a bibliography (or holds a
  ``references:`` block) defines its keys there: a key neither there nor in the list is
  RC805, whether or not the post has a list.
- an entry no citation points at: RC804, only in a file whose citations point at half its
  entries or more (none, or a mention or two of a long list, is a reading list).

Findings are only raised in a file that has a reference list: without one, a citation
points at a bibliography refcheck has not read (a later part reads front matter).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from anyascii import anyascii

from refcheck.models import CitationFinding, InTextCitation, Person, Reference, Verdict, Work
from refcheck.policy import Policy, inline_codes
from refcheck.readers.citations import DATE_NAMES, is_list_entry
from refcheck.rules import finding

__all__ = ["Linked", "apply_policy", "link"]


@dataclass(frozen=True, slots=True)
class Linked:
    """Each citation with the index of the verdict it points at (None: nothing), and the
    findings, in file order."""

    citations: tuple[tuple[InTextCitation, int | None], ...] = ()
    findings: tuple[CitationFinding, ...] = ()
    _by_entry: dict[int, list[InTextCitation]] = field(default_factory=dict)

    def cited_by(self, index: int) -> list[InTextCitation]:
        """The citations that point at verdict ``index``."""
        return self._by_entry.get(index, [])

    @property
    def unlinked(self) -> list[InTextCitation]:
        return [citation for citation, index in self.citations if index is None]


def _fold(name: str) -> str:
    return re.sub(r"[^a-z]", "", anyascii(name).casefold())


def _family(person: Person) -> str:
    # A generational suffix some records keep in the family ("Mantovaneli Jr") is not cited.
    family = re.sub(r",?\s+(?:Jr|Sr|II|III|IV)\b\.?$", "", person.family or person.literal or "")
    return _fold(family)


def _same_name(cited: str, person: Person) -> bool:
    """Folded names agree, allowing a particle left out ("Kallen" for "van der Kallen") and
    a name the list's parse split otherwise ("Hong Lin" read as given "Hong", family "Lin")."""
    want, have = _fold(cited), _family(person)
    if not want or not have:
        return False
    given = _fold(person.given or "")
    if want in {have, given + have, have + given}:
        return True
    if _fold(cited.split()[-1]) == have:
        return True
    shorter, longer = sorted((want, have), key=len)
    if len(shorter) >= 4 and longer.endswith(shorter):
        return True
    if _stands_for(cited, person.family or person.literal or ""):
        return True
    # A group of names the list's parse kept whole ("이다영, and 조현재"): its first is cited.
    return person.family is None and len(want) >= 4 and have.startswith(want)


def _stands_for(cited: str, name: str) -> bool:
    """An acronym cited for a group the list spells out: "WHO" for "World Health
    Organization" (the capitalised words' initials; "of", "for", "the" left out)."""
    if not (2 <= len(cited) <= 8 and cited.isalpha() and cited.isupper()):
        return False
    words = re.findall(r"[^\W\d_][\w'’\-]*", name)
    initials = "".join(word[0] for word in words if word[0].isupper())
    return len(words) >= 2 and initials == cited


def _near(cited: str, person: Person) -> bool:
    """A misspelt name: folded, four letters or more, one letter off (two from eight)."""
    want, have = _fold(cited), _family(person)
    if min(len(want), len(have)) < 4 or want == have:
        return False
    most = 2 if min(len(want), len(have)) >= 8 else 1
    if abs(len(want) - len(have)) > most:
        return False
    row = list(range(len(have) + 1))
    for i, a in enumerate(want, 1):
        previous, row[0] = row[0], i
        for j, b in enumerate(have, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (a != b))
    return row[-1] <= most


def _opens_with(cited: str, reference: Reference) -> bool:
    """An entry whose authors the parse did not read ("Dave (2011) 'Remediation...'",
    "Hong Lin (2005) ...", "World Health Organization. (2020)." for "WHO") that starts
    with the cited name, as a whole word."""
    if _stands_for(cited, re.split(r"[.(]", reference.text, maxsplit=1)[0]):
        return True
    want = anyascii(cited).casefold().strip()
    if len(_fold(want)) < 3:
        return False
    text = anyascii(re.sub(r"^\W+", "", reference.text)).casefold()
    return text.startswith(want) and not text[len(want) : len(want) + 1].isalpha()


def _which_year(work: Work | None, year: int) -> str | None:
    """What the year is to the work: its "online", "print" or "issue" year; None if none."""
    if work is None or year not in work.years:
        return None
    if work.published_online and work.published_online[0] == year:
        return "online"
    if work.published_print and work.published_print[0] == year:
        return "print"
    return "issue"


def _where(
    citation: InTextCitation,
    code: str,
    message: str,
    *,
    cited: str | None = None,
    expected: str | None = None,
) -> CitationFinding:
    return CitationFinding(
        path=citation.path,
        line=citation.line,
        column=citation.column,
        text=citation.text,
        finding=finding(code, message, cited=cited, expected=expected),
        citation=citation,
    )


def _looks_like_key(citation: InTextCitation) -> bool:
    """A bracketed key is one; a bare "@name" in prose may be a handle ("follow @ourblog"),
    and is only taken for a key when it holds a year, as generated keys do ("@kasch2022")."""
    return not citation.narrative or re.search(r"(?:1[6-9]|20)\d\d", citation.key or "") is not None


class _File:
    """One file's list entries and what its citations link to."""

    def __init__(self, entries: list[tuple[int, Verdict]]) -> None:
        self.entries = entries

    def reading_list(self, cited_in_text: bool, by_entry: Mapping[int, object]) -> bool:
        """No in-text citation at all (``cited_in_text`` false), or a mention or two of a
        long list: a reading list, whose entries are not meant to be cited."""
        cited = sum(1 for index, _ in self.entries if index in by_entry)
        return not cited_in_text or 2 * cited < len(self.entries)

    def _year_of(self, index: int) -> int | None:
        return self.entries[index][1].reference.year

    def _has_year(self, index: int, year: int | None) -> bool:
        """The entry's year is ``year``: as read, or as printed where a list prints its
        year ("(2022)", "2022.") when the reading took another (one from the title)."""
        if year is None or self._year_of(index) == year:
            return year is not None
        # Not a year inside a DOI or address ("10.1001/jama.2011.2010.", cited as 2010).
        text = re.sub(
            r"(?:https?://|doi:\s*|\b10\.\d{4,9}/)\S+", " ", self.entries[index][1].reference.text
        )
        return re.search(rf"\(\s*{year}[a-z]?\s*[),]|(?<![\d–-]){year}[a-z]?[.;]", text) is not None

    def author_year(self, citation: InTextCitation) -> tuple[int | None, CitationFinding | None]:
        cited = citation.authors[0]
        by_name = [
            n
            for n, (_, verdict) in enumerate(self.entries)
            if (
                _same_name(cited, verdict.reference.authors[0])
                if verdict.reference.authors
                else _opens_with(cited, verdict.reference)
            )
        ]
        same_year = [n for n in by_name if self._has_year(n, citation.year)]
        if citation.tentative and _fold(cited) in DATE_NAMES and not same_year:
            return None, None  # "(May 2007)" cites May 2007 or is a date
        if citation.year_suffix and len(same_year) > 1:
            rank = ord(citation.year_suffix) - ord("a")
            same_year = same_year[rank : rank + 1] or same_year
        if len(same_year) > 1 and len(citation.authors) > 1:
            # "(Smith & Jones, 2019)" of two 2019 works by Smith: the one with Jones.
            same_year = [
                n
                for n in same_year
                if len(authors := self.entries[n][1].reference.authors) > 1
                and _same_name(citation.authors[1], authors[1])
            ] or same_year
        if same_year:
            n = same_year[0]
            return n, self._second_author(citation, n)
        if by_name:
            # The work's own year, if one entry's work has it; else the first by that name.
            n = next(
                (m for m in by_name if _which_year(self.entries[m][1].work, citation.year or 0)),
                by_name[0],
            )
            verdict = self.entries[n][1]
            listed = verdict.reference.year
            if listed is None:
                return n, None
            kind = _which_year(verdict.work, citation.year or 0)
            note = f" ({citation.year} is the work's {kind} year)" if kind else ""
            if kind and verdict.work is not None and listed not in verdict.work.years:
                note = f" ({citation.year} is the work's {kind} year: the list's is the slip)"
            return n, _where(
                citation,
                "RC802",
                f"The text cites {cited} {citation.year}; the reference list has {cited} "
                f"{listed}{note}",
                cited=str(citation.year),
                expected=str(listed),
            )
        if citation.tentative:
            return None, None
        of_year = [n for n, _ in enumerate(self.entries) if self._year_of(n) == citation.year]
        if len(of_year) == 1:
            authors = self.entries[of_year[0]][1].reference.authors
            if any(_same_name(cited, person) for person in authors[1:]):
                first = authors[0].family or authors[0].display()
                return of_year[0], _where(
                    citation,
                    "RC802",
                    f"The text cites {cited} {citation.year}; the list's entry of "
                    f"{citation.year} has {first} as its first author",
                    cited=cited,
                    expected=first,
                )
        return None, _where(
            citation,
            "RC801",
            f"{citation.text} is cited in the text, and the reference list has no entry "
            f"by {cited} ({citation.year})",
            cited=f"{cited} {citation.year}",
        )

    def explained(self, citation: InTextCitation, cited: set[int]) -> int | None:
        """The entry a narrative "Spence (1935)" that points at nothing would cite with a
        wrong first author: the one entry of that year whose first author's name is a small
        edit of the cited one, else the one entry of that year no citation points at
        (``cited``: the verdict indexes cited). None when neither settles it, or for a
        group ("The Guardian (2019) reported" is news, no misnamed author)."""
        if citation.authors[0].startswith("The "):
            return None
        year = [
            n
            for n, (_, verdict) in enumerate(self.entries)
            if verdict.reference.authors
            and _citable(verdict.reference)
            and self._has_year(n, citation.year)
        ]
        near = [
            n for n in year if _near(citation.authors[0], self.entries[n][1].reference.authors[0])
        ]
        if len(near) == 1:
            return near[0]
        uncited = [n for n in year if self.entries[n][0] not in cited]
        return uncited[0] if len(uncited) == 1 and not near else None

    def ambiguous(self, citation: InTextCitation) -> tuple[list[int], CitationFinding] | None:
        """Two or more entries by the cited first author in the cited year that the
        citation cannot tell apart (no "2019a", no second author that settles it): all of
        them, and RC806."""
        if citation.year_suffix or not citation.authors:
            return None
        fits = [
            n
            for n, (_, verdict) in enumerate(self.entries)
            if verdict.reference.authors
            and self._year_of(n) == citation.year
            and _same_name(citation.authors[0], verdict.reference.authors[0])
        ]
        if len(fits) > 1 and len(citation.authors) > 1:
            second = [
                n
                for n in fits
                if len(authors := self.entries[n][1].reference.authors) > 1
                and _same_name(citation.authors[1], authors[1])
            ]
            fits = second or fits
        if len(fits) < 2:
            return None
        suffixed = all(
            re.search(rf"\b{citation.year}[a-z]\b", self.entries[n][1].reference.text) for n in fits
        )
        how = (
            f"they are marked {citation.year}a, {citation.year}b and the text gives no letter"
            if suffixed
            else f"each by {citation.authors[0]}, {citation.year}, with no a/b suffix to tell "
            "them apart"
        )
        return fits, _where(
            citation,
            "RC806",
            f"{citation.text} fits {len(fits)} entries of the reference list: {how}",
            cited=f"{citation.authors[0]} {citation.year}",
        )

    def _second_author(self, citation: InTextCitation, n: int) -> CitationFinding | None:
        authors = self.entries[n][1].reference.authors
        if len(citation.authors) < 2 or len(authors) < 2:
            return None
        if _same_name(citation.authors[1], authors[1]):
            return None
        second = authors[1].family or authors[1].display()
        return _where(
            citation,
            "RC802",
            f"The text cites {citation.authors[1]} as the second author; the reference "
            f"list has {second}",
            cited=citation.authors[1],
            expected=second,
        )

    def key(self, citation: InTextCitation) -> tuple[int | None, CitationFinding | None]:
        key = citation.key or ""
        for n, (_, verdict) in enumerate(self.entries):
            if verdict.reference.location.key == key:
                return n, None
        folded = _fold(key)
        for n, (_, verdict) in enumerate(self.entries):
            reference = verdict.reference
            if (
                reference.authors
                and reference.year is not None
                and str(reference.year) in key
                and len(_family(reference.authors[0])) >= 2
                and folded.startswith(_family(reference.authors[0]))
            ):
                return n, None
        if not _looks_like_key(citation):
            return None, None
        return None, _where(citation, "RC805", f"The citation key '{key}' has no entry", cited=key)


# How far beyond the list a number in parentheses may be and still be a citation.
_NEAR = 5


def _numbers_that_cite(
    citations: list[InTextCitation], files: Mapping[str | None, _File]
) -> list[InTextCitation]:
    """The citations, less numbers in parentheses or superscripts (tentative numerics) in a
    file where they do not cite: where it cites with brackets or by author and year, has no
    list, or where they do not point at half its entries, all but one in ten within the list
    (a count, an enumeration or a power then). Where they cite, a number just beyond the
    list (by five at most) is RC803; one far beyond it is a quantity, and is dropped."""
    kept: list[InTextCitation] = []
    by_path: dict[str | None, list[InTextCitation]] = {}
    for citation in citations:
        if citation.kind == "numeric" and citation.tentative:
            by_path.setdefault(citation.path, []).append(citation)
    citing: set[str | None] = set()
    for path, numbers in by_path.items():
        file = files.get(path)
        if file is None or any(
            c.path == path and not c.tentative and c.kind != "key" for c in citations
        ):
            continue
        size = len(file.entries)
        cited = [n for c in numbers for n in c.numbers if n <= size + _NEAR]
        within = [n for n in cited if n <= size]
        beyond = set(cited) - set(within)
        if 2 * len(set(within)) >= size and len(beyond) <= max(1, len(set(within)) // 10):
            citing.add(path)
    for citation in citations:
        if citation.kind == "numeric" and citation.tentative:
            file = files.get(citation.path)
            if citation.path not in citing or file is None:
                continue
            if min(citation.numbers) > len(file.entries) + _NEAR:
                continue
            citation = citation.model_copy(update={"tentative": False})
        kept.append(citation)
    return kept


def _link_disagrees(citation: InTextCitation, work: Work | None) -> CitationFinding | None:
    """RC802 where a link's text names a first author or a year the linked work does not
    have (nothing when the work is unknown: not checked, or not found)."""
    if work is None or not citation.authors:
        return None
    cited = citation.authors[0]
    if work.authors and not any(_same_name(cited, person) for person in work.authors[:1]):
        first = work.authors[0].family or work.authors[0].display()
        return _where(
            citation,
            "RC802",
            f"The link text cites {cited}; the linked work ({work.doi}) has {first} as its "
            "first author",
            cited=cited,
            expected=first,
        )
    if citation.year is not None and work.years and citation.year not in work.years:
        years = " or ".join(str(year) for year in sorted(set(work.years)))
        return _where(
            citation,
            "RC802",
            f"The link text cites {cited} {citation.year}; the linked work ({work.doi}) is "
            f"of {years}",
            cited=str(citation.year),
            expected=years,
        )
    return None


def _confirmed(citations: list[InTextCitation]) -> list[InTextCitation]:
    """A narrative "Friz (1983)" is sure when the same file also cites Friz 1983 in
    parentheses: no longer tentative (pointing at nothing, it is reported like them)."""
    sure = {
        (c.path, _fold(c.authors[0]), c.year)
        for c in citations
        if c.kind == "author-year" and not c.tentative and c.authors
    }
    return [
        c.model_copy(update={"tentative": False})
        if c.tentative and c.authors and (c.path, _fold(c.authors[0]), c.year) in sure
        else c
        for c in citations
    ]


_PARTICLES = frozenset(
    {"van", "von", "de", "der", "den", "del", "della", "da", "di", "du", "dos", "la", "le"}
    | {"el", "al", "ter", "ten", "zu", "y"}
)


def _citable(reference: Reference) -> bool:
    """An entry whose first author an author-year citation can name. Not a record's
    oddity no citation reader can match, for which the entry is not called never cited:
    a family whose first word is initials or less ("C.", "-", "S", "P., K", "X.D"), or
    lower-case and no particle ("patel, vaishali"); nor an entry read with only its year
    (its authors and title unread)."""
    if not reference.authors:
        return reference.title is not None
    first = reference.authors[0]
    word = re.split(r"[\s,]+", (first.family or first.literal or "").strip())[0]
    if all(len(_fold(part)) <= 1 for part in word.split(".")):
        return False
    lower = word[:1].islower() and re.match(r"[dl]['’]", word) is None  # "d'Alembert" is one
    return not lower or word.casefold() in _PARTICLES


def link(
    citations: Iterable[InTextCitation],
    verdicts: Sequence[Verdict],
    defined: Mapping[str | None, frozenset[str]] | None = None,
) -> Linked:
    """Each citation linked to the verdict of the list entry it cites, and the findings.

    ``defined``: per post, the keys its front matter's bibliography defines. A key cited
    there is the bibliography's (no finding, and no list entry of the post's); any other
    key cited by a post that has such a bibliography is undefined (RC805)."""
    defined = defined or {}
    by_path: dict[str | None, list[tuple[int, Verdict]]] = {}
    for index, verdict in enumerate(verdicts):
        if is_list_entry(verdict.reference):
            by_path.setdefault(verdict.reference.location.path, []).append((index, verdict))
    files = {path: _File(entries) for path, entries in by_path.items()}
    # Entries of bibliography files (BibTeX, CSL-JSON) by key, for front-matter citations.
    by_key: dict[str, int] = {}
    for index, verdict in enumerate(verdicts):
        key = verdict.reference.location.key
        if key:
            by_key.setdefault(key, index)
    # Each post's references by DOI (its list's, and DOIs met in its prose), for links.
    by_doi: dict[str | None, dict[str, int]] = {}
    for index, verdict in enumerate(verdicts):
        if verdict.reference.doi:
            place = by_doi.setdefault(verdict.reference.location.path, {})
            place.setdefault(verdict.reference.doi.casefold(), index)
    links: list[tuple[InTextCitation, int | None]] = []
    findings: list[CitationFinding] = []
    by_entry: dict[int, list[InTextCitation]] = {}
    citing: set[str | None] = set()
    # Narrative "Spence (1935)" that point at nothing, taken for prose unless they explain
    # an entry (below).
    unexplained: list[InTextCitation] = []
    citations = _confirmed(_numbers_that_cite(list(citations), files))
    by_number = {c.path for c in citations if c.kind == "numeric" and not c.tentative}
    for citation in citations:
        file = files.get(citation.path)
        keys = defined.get(citation.path)
        if citation.kind == "key" and keys is not None:
            if citation.key in keys:
                citing.add(citation.path)
                # Linked to the bibliography's entry when it is checked in this run.
                entry = by_key.get(citation.key)
                if entry is not None:
                    links.append((citation, entry))
                    by_entry.setdefault(entry, []).append(citation)
                continue
            if file is None or file.key(citation)[0] is None:
                links.append((citation, None))
                citing.add(citation.path)
                if _looks_like_key(citation):
                    findings.append(
                        _where(
                            citation,
                            "RC805",
                            f"The citation key '{citation.key}' is defined neither in the "
                            "post's bibliography nor by its reference list",
                            cited=citation.key,
                        )
                    )
                continue
        if citation.doi is not None and citation.doi.casefold() in by_doi.get(citation.path, {}):
            # A link that is the citation: it cites the work it links to, list or no list.
            index = by_doi[citation.path][citation.doi.casefold()]
            citing.add(citation.path)
            links.append((citation, index))
            by_entry.setdefault(index, []).append(citation)
            problem = _link_disagrees(citation, verdicts[index].work)
            if problem is not None:
                findings.append(problem)
            continue
        if file is None:
            if not citation.tentative:
                links.append((citation, None))
            continue
        found: list[tuple[int | None, CitationFinding | None]]
        if citation.kind == "author-year":
            ambiguous = file.ambiguous(citation)
            if ambiguous is not None:
                # Linked to each entry it may cite: none of them is "never cited".
                entries, unclear = ambiguous
                found = [(entries[0], unclear), *((n, None) for n in entries[1:])]
            else:
                found = [file.author_year(citation)]
        elif citation.kind == "key":
            found = [file.key(citation)]
        else:
            found = []
            beyond = [n for n in citation.numbers if n > len(file.entries)]
            if beyond:
                found.append(
                    (
                        None,
                        _where(
                            citation,
                            "RC803",
                            f"{citation.text} cites number {beyond[0]}, and the reference "
                            f"list has {len(file.entries)} entries",
                            cited=str(beyond[0]),
                            expected=str(len(file.entries)),
                        ),
                    )
                )
            found.extend((n - 1, None) for n in citation.numbers if n <= len(file.entries))
        linked = [n for n, _ in found if n is not None]
        for _, problem in found:
            if problem is not None:
                findings.append(problem)
        if not linked and citation.tentative:
            if citation.narrative and citation.kind == "author-year" and citation.authors:
                unexplained.append(citation)
            continue
        citing.add(citation.path)
        links.append((citation, file.entries[linked[0]][0] if linked else None))
        for n in dict.fromkeys(linked):
            by_entry.setdefault(file.entries[n][0], []).append(citation)
    # A narrative "Jones (1935)" in a post that cites most of its list, where the list's
    # one 1935 entry is by Spence and cited nowhere (or by "Spense"): the writer cited that
    # entry with a wrong first author. Prose naming a person with a year explains nothing.
    reading_lists = {
        path for path, file in files.items() if file.reading_list(path in citing, by_entry)
    }
    for citation in unexplained:
        file = files[citation.path]
        if citation.path in reading_lists:
            continue
        explained = file.explained(citation, set(by_entry))
        if explained is None:
            continue
        index, verdict = file.entries[explained]
        first = verdict.reference.authors[0]
        name = first.family or first.display()
        links.append((citation, index))
        by_entry.setdefault(index, []).append(citation)
        findings.append(
            _where(
                citation,
                "RC802",
                f"The text cites {citation.authors[0]} {citation.year}; the reference list's "
                f"entry of {citation.year} that it would cite has {name} as its first author",
                cited=citation.authors[0],
                expected=name,
            )
        )
    order = {id(citation): n for n, citation in enumerate(citations)}
    links.sort(key=lambda pair: order[id(pair[0])])
    for path, file in files.items():
        # A post citing most of its list and missing one has likely lost that citation.
        if file.reading_list(path in citing, by_entry):
            continue
        for index, verdict in file.entries:
            # Cited by number, any entry can be: its names do not matter.
            if index not in by_entry and (path in by_number or _citable(verdict.reference)):
                reference = verdict.reference
                findings.append(
                    CitationFinding(
                        path=reference.location.path,
                        line=reference.location.line,
                        column=None,
                        text=reference.text,
                        finding=finding(
                            "RC804", "This reference list entry is never cited in the text"
                        ),
                    )
                )
    findings.sort(key=lambda f: (f.path or "", f.line or 0, f.column or 0))
    return Linked(tuple(links), tuple(findings), by_entry)


def apply_policy(
    findings: Iterable[CitationFinding], policy: Policy, verdicts: Sequence[Verdict] = ()
) -> list[CitationFinding]:
    """The findings the policy keeps, at its severities: selected, not ignored (for the
    file too), not suppressed on the citation's line (``refcheck: ignore[RC802]``) or, for
    an entry never cited, by the entry itself."""
    by_place = {
        (v.reference.location.path, v.reference.location.line): v.reference for v in verdicts
    }
    kept: list[CitationFinding] = []
    for item in findings:
        code = item.finding.code
        if not policy.enabled(code) or code in policy.file_ignores(item.path):
            continue
        if item.citation is not None:
            if "*" in item.citation.suppress or code in item.citation.suppress:
                continue
        else:
            reference = by_place.get((item.path, item.line))
            if reference is not None:
                codes, every = inline_codes(reference)
                if every or code in codes:
                    continue
        severity = policy.severity_of(code, item.finding.severity)
        if severity is not item.finding.severity:
            item = item.model_copy(
                update={"finding": item.finding.model_copy(update={"severity": severity})}
            )
        kept.append(item)
    return kept
