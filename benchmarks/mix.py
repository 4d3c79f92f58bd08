"""refcheck on references beyond Crossref: DataCite works (Zenodo, figshare, GBIF, arXiv...)
cited by DOI, arXiv papers cited by ID, and works no registry holds. Prints figures; not a test.

Every usable record of ../shared/datacite/records.jsonl.gz becomes one correct reference and
one with a single injected error (first author misspelled, year off by two, DOI with one
wrong digit), written both as a post's reference list (Markdown, APA-like) and as BibTeX
(@misc with doi). arXiv's records are also cited by their arXiv ID without DOI. Crossref's
books with an ISBN (../shared/crossref, types book/monograph/edited-book/reference-book) are
cited by their ISBN without DOI (kind ``book``: correct, and once with each of: the year off
by two, a title word changed, the first author misspelled, the ISBN's check digit wrong,
another book's ISBN) and
without ISBN or DOI (kind ``book-no-isbn``, correct only), as APA with "(Eds.)" for editors
and as @book; an Open Library stand-in (its fixtures) answers for ISBNs Crossref lacks. A fixed list
of blog posts, news articles, code repositories and web pages (written here, not recorded:
no registry holds them) is added to every post. Records are split into tune and held-out
halves by a hash of the DOI. The Crossref stand-in serves ../shared/crossref's records (and
answers /agency: DataCite for the DataCite prefixes), the DataCite stand-in the DataCite ones;
the doi.org stand-in answers /ra/ batches (DataCite for the same prefixes).

    .venv/bin/python benchmarks/mix.py [--split tune|heldout|all] [--limit N] [-v]

Figures: false alarms (a warning or error, or a status other than verified — skipped for the
unregistered works — on a correct reference); right DOI on correct DataCite references;
injected errors caught (a warning or error) and named on their field.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import random
import re
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from refcheck.api import check_async, read_references
from refcheck.config import Settings
from refcheck.models import Severity, Status, Verdict
from refcheck.parse.identifiers import ARXIV_DOI_PREFIX, isbn13
from refcheck.resolve.crossref import BOOK_TYPES
from refcheck.resolve.datacite_records import work_from_datacite
from refcheck.resolve.records import work_from_record
from refcheck.testing import CrossrefStandin, DataciteStandin, load_records
from refcheck.testing.arxiv_standin import ArxivStandin
from refcheck.testing.doi_standin import DoiStandin
from refcheck.testing.openlibrary_standin import OpenLibraryStandin

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
RECORDS = "records.jsonl.gz"
CONVERTED = "records-converted.jsonl.gz"

# Written here from the kinds of work the issue names; no registry holds any of them.
UNREGISTERED = [
    "Karpathy, A. (2015, May 21). The unreasonable effectiveness of recurrent neural networks. "
    "Andrej Karpathy blog. Retrieved from http://karpathy.github.io/2015/05/21/rnn-effectiveness/",
    "Metz, C. (2023, May 1). 'The Godfather of A.I.' leaves Google and warns of danger ahead. "
    "The New York Times. https://www.nytimes.com/2023/05/01/technology/ai-google-hinton.html",
    "Olah, C. (2015). Understanding LSTM networks [Blog post]. "
    "https://colah.github.io/posts/2015-08-Understanding-LSTMs/",
    "Harris, C. R. (2024). numpy/numpy: Fundamental package for scientific computing "
    "[Computer software]. GitHub. https://github.com/numpy/numpy",
    "Hern, A. (2020, June 3). Twitter hides Donald Trump tweet for glorifying violence. "
    "The Guardian. https://www.theguardian.com/technology/2020/jun/03/twitter-trump",
    "World Health Organization. (2023). Low back pain [Fact sheet]. Retrieved May 3, 2023, from "
    "https://www.who.int/news-room/fact-sheets/detail/low-back-pain",
    "Wikipedia contributors. (2024). Magnetic resonance imaging. In Wikipedia. "
    "https://en.wikipedia.org/wiki/Magnetic_resonance_imaging",
    "Evans, J. (2022). How we built our data pipeline. Medium. "
    "https://medium.com/@jevans/how-we-built-our-data-pipeline-1a2b3c",
]


@dataclass
class Case:
    key: str
    kind: str  # "doi", "arxiv-id", "book", "book-no-isbn", "unregistered"
    error: str | None  # None: correct
    doi: str | None  # the record's DOI
    field: str | None  # the field the error is on


def split_of(doi: str) -> str:
    digest = hashlib.sha256(f"mix-2026:{doi.lower()}".encode()).digest()
    return "tune" if digest[0] % 2 == 0 else "heldout"


# Particles a writer leaves out of the initials ("María de la Luz" -> "M. L.").
_PARTICLES = frozenset(
    [
        "da",
        "das",
        "de",
        "del",
        "della",
        "der",
        "di",
        "do",
        "dos",
        "du",
        "la",
        "le",
        "van",
        "von",
        "y",
        "e",
    ]
)


def _initials(given: str | None) -> str:
    """APA's initials: "Hui-Jun" and "H.-J." -> "H.-J.", "SV" -> "S. V.", "María de la
    Luz" -> "M. L." (lower-case particles left out)."""
    out: list[str] = []
    for word in (given or "").replace(".-", "-").replace(".", ". ").split():
        if word.islower() and word in _PARTICLES:
            continue
        pieces = [p for p in word.replace(".", "").split("-") if p]
        if len(pieces) > 1:
            out.append("-".join(f"{p[0]}." for p in pieces))
        elif pieces and pieces[0].isupper() and len(pieces[0]) <= 3:
            out += [f"{c}." for c in pieces[0]]  # "SV", "JJ": a run of capital initials
        elif pieces:
            out.append(f"{pieces[0][0]}.")
    return " ".join(out)


@dataclass(frozen=True)
class Cited:
    """One creator as a writer cites it: a person's family and given names, or a group."""

    family: str  # a group's whole name
    given: str = ""
    group: bool = False


# Words a writer knows for an organisation's (written here, not the checker's own list).
_ORG_WORDS = frozenset(
    {
        "agency",
        "archive",
        "association",
        "center",
        "centre",
        "collaboration",
        "college",
        "committee",
        "consortium",
        "council",
        "data",
        "department",
        "facility",
        "foundation",
        "group",
        "inc",
        "initiative",
        "institut",
        "institute",
        "lab",
        "laboratory",
        "library",
        "ltd",
        "ministry",
        "museum",
        "network",
        "office",
        "organization",
        "organisation",
        "program",
        "programme",
        "project",
        "school",
        "service",
        "society",
        "survey",
        "team",
        "university",
        "working",
        "gbif.org",
        "the",
        "of",
        "for",
        "and",
    }
)
_TRAILING_INITIALS = re.compile(r"^(?:[A-Z]\.?-?){1,3}$")  # "SV", "JJ", "A.", "J.-F."
# Not a name at all: ORCIDs, placeholders, bots ("0000-0003-4034-6260", "[s.n.]").
_JUNK = re.compile(
    r"^[\d\W_]+$|^\W*(?:s\.\s*n\.?|unav|unkn|unknown|anonymous|n/a)\W*$|-user$"
    r"|\d|=",  # "9351345@N04", a UUID, "CN=arctic-data-admins, DC=dataone"
    re.I,
)
_TITLE = re.compile(r"^(?:[*†]+\s*|(?:prof|dr|mr|mrs|ms)\.\s+)+", re.I)
_FAMILY_FIRST_SCRIPT = re.compile(r"[\u0400-\u04ff\u3040-\u9fff\uac00-\ud7af]")


def _clean(value: Any) -> str:
    return " ".join(value.split()).strip(" ,;") if isinstance(value, str) else ""


def _writer_people(creator: Any, variant: int) -> list[Cited]:
    """Several people in one creator ("* Prof. Abilasha N. & Dr. Girisha M.C."), each."""
    if isinstance(creator, dict) and not creator.get("givenName"):
        text = _clean(creator.get("name")) or _clean(creator.get("familyName"))
        pieces = [_TITLE.sub("", p).strip() for p in re.split(r"\s+&\s+|\s*;\s*", text)]
        if len(pieces) > 1 and all(p and not _org(p) for p in pieces):
            found = [_writer_person({"name": p}, variant) for p in pieces]
            return [p for p in found if p is not None]
    person = _writer_person(creator, variant)
    return [person] if person is not None else []


def _org(text: str) -> bool:
    return any(w.casefold().strip("()") in _ORG_WORDS or "@" in w for w in text.split()) or bool(
        re.search(r"\w\.(?:org|com|net|edu)\b", text, re.I)
    )


def _writer_person(creator: Any, variant: int) -> Cited | None:
    """How a writer who knows the person cites a DataCite creator, from the raw record (not
    from refcheck's reading of it): ``familyName``/``givenName``; a name's "Family, Given";
    a bare name split as the writer knows it (the last word for "Given Family", the first
    for Cyrillic and CJK names, the words before "SV" in "Srinivas SV", the last two of
    four for an Iberian name every other time); an organisation whole; junk left out."""
    if not isinstance(creator, dict):
        return None
    family, given = _clean(creator.get("familyName")), _clean(creator.get("givenName"))
    name = _clean(creator.get("name"))
    text = name or family or given
    if not text or _JUNK.search(text) or not any(c.isalpha() for c in text):
        return None
    text = re.sub(r",\s*et\.? al\.?$", "", text)  # "Pierce JP, et al."
    if creator.get("nameType") == "Organizational":
        return Cited(text, group=True)
    if family and given and not re.fullmatch(r"ph\.?d\.?|m\.?d\.?", given, re.I):
        return _particles_first(family, given)
    if family and given:
        text = family  # "Alex H. Wagner, PhD": the degree is no given name
    if _org(text):
        return Cited(text, group=True)
    if "," in text:
        last, _, first = text.partition(",")
        return _particles_first(last.strip(), first.strip())
    text = _TITLE.sub("", text).strip() or text
    words = text.split()
    if text.isupper() or text.islower():
        words = [w.capitalize() if variant % 2 else w for w in words]
    if len(words) == 1:
        return Cited(words[0])
    tail = len(words)
    while tail > 1 and _TRAILING_INITIALS.match(words[tail - 1]):
        tail -= 1
    if tail < len(words):
        return Cited(" ".join(words[:tail]), " ".join(words[tail:]))
    if _FAMILY_FIRST_SCRIPT.search(text):
        return Cited(words[0], " ".join(words[1:]))
    if len(words) >= 4 and variant % 2 and not any(_TRAILING_INITIALS.match(w) for w in words[-2:]):
        return Cited(" ".join(words[-2:]), " ".join(words[:-2]))
    return Cited(words[-1], " ".join(words[:-1]))


def _particles_first(family: str, given: str) -> Cited:
    """ "Queiroz, Luciano Paganucci de" as a writer cites it: "de Queiroz, L. P."."""
    words = given.split()
    moved: list[str] = []
    while len(words) > 1 and words[-1].casefold() in _PARTICLES:
        moved.insert(0, words.pop())
    return Cited(" ".join([*moved, family]), " ".join(words))


def writer_names(record: dict[str, Any]) -> list[Cited]:
    """The creators as a writer cites them, each name's form varied by a hash of it."""
    attributes = record.get("attributes") or {}
    names: list[Cited] = []
    for creator in attributes.get("creators") or []:
        variant = hashlib.sha256(repr(creator).encode()).digest()[0]
        names += _writer_people(creator, variant)
    return names


def _apa_name(name: Cited) -> str:
    if name.group:
        return name.family
    initials = _initials(name.given)
    return f"{name.family}, {initials}" if initials else name.family


def _authors_apa(names: list[Cited]) -> str:
    shown = [_apa_name(n) for n in names]
    if len(shown) > 20:
        # APA 7: the first 19, an ellipsis, the last (not the first 20 alone: a real omission).
        return ", ".join(shown[:19]) + ", . . . " + shown[-1]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + ", & " + shown[-1]


def _bib_name(name: Cited) -> str:
    if name.group or (not name.given and " " in name.family):
        # Braced, or BibTeX reads its last word as the family ("Junior Professorship ...").
        return "{" + name.family + "}"
    if not name.given:
        return name.family
    one_word = " " not in name.family and not name.family[:1].islower()
    if one_word and hashlib.sha256(name.family.encode()).digest()[0] % 3 == 0:
        return f"{name.given} {name.family}"  # "Given Family", as many writers type it
    return f"{name.family}, {name.given}"


def _authors_bib(names: list[Cited]) -> str:
    # More than 20: the rest as BibTeX's "and others", not left out as if there were none.
    listed = " and ".join(_bib_name(n) for n in names[:20])
    return listed + (" and others" if len(names) > 20 else "")


def _misspelled(names: list[Cited], where: str) -> list[Cited] | None:
    """The names with one person's family misspelled: the first person's ("first") or one
    in the middle of those cited ("middle"); None when there is none to misspell."""
    people = [i for i, n in enumerate(names[:19]) if not n.group]
    if where == "middle":
        inner = [i for i in people if 0 < i < len(names) - 1]
        people = inner[len(inner) // 2 :][:1]
    for i in people[:1]:
        wrong = _misspell(names[i].family)
        if wrong is not None:
            changed = list(names)
            changed[i] = Cited(wrong, names[i].given)
            return changed
    return None


def _misspell(name: str) -> str | None:
    """One letter of a surname changed; the same change for the same name, every time."""
    letters = [i for i, c in enumerate(name) if c.isalpha() and c.islower()]
    if len(name) < 5 or len(letters) < 3:
        return None
    i = random.Random(name).choice(letters[1:])
    new = "z" if name[i] != "z" else "y"
    return name[:i] + new + name[i + 1 :]


def _wrong_digit(doi: str, rng: random.Random) -> str | None:
    digits = [i for i, c in enumerate(doi) if c.isdigit() and i > doi.index("/")]
    if not digits:
        return None
    i = rng.choice(digits)
    return doi[:i] + str((int(doi[i]) + 1) % 10) + doi[i + 1 :]


def build(
    records: list[dict[str, Any]], rng: random.Random, errors: str = "mixed"
) -> tuple[str, str, list[Case]]:
    """The post (Markdown), the BibTeX and the cases, in order. ``errors``: "mixed", one
    error a record (first author misspelled, year, DOI digit); "authors", the first and a
    middle author misspelled, each in a reference of its own."""
    post: list[str] = ["# Data, code and preprints\n\nSome notes.\n\n## References\n"]
    bib: list[str] = []
    cases: list[Case] = []
    for n, record in enumerate(records):
        work = work_from_datacite(record)
        names = writer_names(record)
        if not work.title or work.year is None or not work.authors or not names:
            continue
        arxiv = work.doi.startswith(ARXIV_DOI_PREFIX.lower())
        publisher = work.publisher or ""
        versions: list[tuple[str, str | None]] = [("correct", None)]
        if errors == "authors":
            versions += [("first", "author-misspelled"), ("middle", "author-middle-misspelled")]
        else:
            error = rng.choice(["author-misspelled", "year", "doi-digit"])
            versions.append((error, error))
        for label, injected in versions:
            year, doi, cited = work.year, work.doi, names
            field = None
            if injected in ("author-misspelled", "author-middle-misspelled"):
                where = "middle" if injected == "author-middle-misspelled" else "first"
                changed = _misspelled(names, where)
                if changed is None:
                    continue
                cited = changed
                field = "authors"
            elif injected == "year":
                year = max(work.years) + 2
                field = "year"
            elif injected == "doi-digit":
                wrong_doi = _wrong_digit(doi, rng)
                if wrong_doi is None:
                    continue
                doi = wrong_doi
                field = "doi"
            key = f"r{n}{label[0]}"
            authors, bib_authors = _authors_apa(cited), _authors_bib(cited)
            cases.append(Case(key, "doi", injected, work.doi, field))
            post.append(f"{authors} ({year}). {work.title}. {publisher}. https://doi.org/{doi}\n")
            title = work.title.replace("{", "").replace("}", "")
            bib.append(
                f"@misc{{{key},\n  author = {{{bib_authors}}},\n  title = {{{{{title}}}}},\n"
                f"  year = {{{year}}},\n  publisher = {{{publisher}}},\n  doi = {{{doi}}}\n}}\n"
            )
            if arxiv and injected != "doi-digit":
                identifier = work.doi[len(ARXIV_DOI_PREFIX) :]
                cases.append(Case(key + "x", "arxiv-id", injected, work.doi, field))
                post.append(
                    f"{authors} ({year}). {work.title}. arXiv preprint arXiv:{identifier}.\n"
                )
                bib.append(
                    f"@misc{{{key}x,\n  author = {{{bib_authors}}},\n  title = {{{{{title}}}}},\n"
                    f"  year = {{{year}}},\n  eprint = {{{identifier}}},\n"
                    f"  archivePrefix = {{arXiv}}\n}}\n"
                )
    for n, text in enumerate(UNREGISTERED):
        cases.append(Case(f"u{n}", "unregistered", None, None, None))
        post.append(text + "\n")
    return "\n".join(post), "\n".join(bib), cases


def _book_names(people: list[dict[str, Any]]) -> tuple[str, str]:
    """APA and BibTeX name lists of a Crossref record's authors or editors."""
    apa: list[str] = []
    bib: list[str] = []
    for person in people[:20]:
        family, given = person.get("family"), person.get("given")
        if not isinstance(family, str) or not family.strip():
            continue
        initials = _initials(given if isinstance(given, str) else None)
        apa.append(f"{family}, {initials}" if initials else family)
        bib.append(f"{family}, {given}" if isinstance(given, str) and given else family)
    text = apa[0] if len(apa) == 1 else ", ".join(apa[:-1]) + ", & " + apa[-1] if apa else ""
    return text, " and ".join(bib)


def _other_title_word(title: str) -> str | None:
    """The title with its longest word replaced by another (an injected title error)."""
    words = title.split()
    longest = max(words, key=len)
    if len(longest) < 5:
        return None
    return title.replace(longest, "Foundations" if longest != "Foundations" else "Principles", 1)


def _bad_check_digit(isbn: str) -> str:
    return isbn[:-1] + str((int(isbn[-1]) + 1) % 10)


def build_books(records: list[dict[str, Any]]) -> tuple[list[str], list[str], list[Case]]:
    """Post lines, BibTeX entries and cases for Crossref's books with an ISBN."""
    post: list[str] = []
    bib: list[str] = []
    cases: list[Case] = []
    # Each book's first valid ISBN, for citing a book with another's (the next one's).
    firsts = [next((i for i in map(isbn13, work_from_record(r).isbn) if i), None) for r in records]
    for n, record in enumerate(records):
        work = work_from_record(record)
        isbns = [i for i in map(isbn13, work.isbn) if i is not None]
        if not work.title or work.year is None or not isbns:
            continue
        others = [i for i in firsts[n + 1 :] + firsts[:n] if i and i not in isbns]
        people = record.get("author") or record.get("editor") or []
        names, bib_names = _book_names(people)
        if not names:
            continue
        editors = not record.get("author")
        title = f"{work.title}: {work.subtitle}" if work.subtitle else work.title
        publisher = work.publisher or ""
        errors = ["year", "title", "isbn-digit", "isbn-other"]
        errors += [] if editors else ["author-misspelled"]
        # Few books: each is cited with every error that applies, one error a reference.
        versions: list[tuple[str, str | None, bool]] = [("c", None, True), ("n", None, False)]
        versions += [(f"e{k}", e, True) for k, e in enumerate(errors)]
        for label, injected, with_isbn in versions:
            year, cited_title, cited_names, cited_bib, isbn = (
                work.year,
                title,
                names,
                bib_names,
                isbns[0],
            )
            field = None
            if injected == "year":
                year, field = max(work.years) + 2, "year"
            elif injected == "title":
                other = _other_title_word(work.title)
                if other is None:
                    continue
                cited_title = f"{other}: {work.subtitle}" if work.subtitle else other
                field = "title"
            elif injected == "author-misspelled":
                family = str(people[0].get("family") or "")
                wrong = _misspell(family)
                if wrong is None:
                    continue
                cited_names = names.replace(family, wrong, 1)
                cited_bib = bib_names.replace(family, wrong, 1)
                field = "authors"
            elif injected == "isbn-digit":
                isbn, field = _bad_check_digit(isbn), "doi"
            elif injected == "isbn-other":
                if not others:
                    continue
                isbn, field = others[0], "doi"
            key = f"b{n}{label}"
            kind = "book" if with_isbn else "book-no-isbn"
            cases.append(Case(key, kind, injected, work.doi, field))
            eds = " (Eds.)." if editors else ""
            tail = f" ISBN {isbn}" if with_isbn else ""
            post.append(f"{cited_names}{eds} ({year}). {cited_title}. {publisher}.{tail}\n")
            who = "editor" if editors else "author"
            isbn_field = f",\n  isbn = {{{isbn}}}" if with_isbn else ""
            bib.append(
                f"@book{{{key},\n  {who} = {{{cited_bib}}},\n  title = {{{{{cited_title}}}}},\n"
                f"  publisher = {{{publisher}}},\n  year = {{{year}}}{isbn_field}\n}}\n"
            )
    return post, bib, cases


def _alarm(verdict: Verdict) -> bool:
    return any(f.severity in (Severity.ERROR, Severity.WARNING) for f in verdict.findings)


async def run(args: argparse.Namespace) -> None:
    records: list[dict[str, Any]] = []
    files = {"base": [RECORDS], "converted": [CONVERTED], "all": [RECORDS, CONVERTED]}
    for name in files[args.records]:
        records += load_records(SHARED / "datacite" / name)
    chosen = [
        r for r in records if args.split == "all" or split_of(r["attributes"]["doi"]) == args.split
    ]
    if args.limit:
        chosen = chosen[: args.limit]
    rng = random.Random(13)
    post, bib, cases = build(chosen, rng, args.errors)
    crossref_records = load_records(SHARED / "crossref" / "works-dev.jsonl.gz")
    books = [
        r
        for r in crossref_records
        if r.get("type") in BOOK_TYPES
        and r.get("ISBN")
        and (args.split == "all" or split_of(r["DOI"]) == args.split)
    ]
    book_post, book_bib, book_cases = build_books(books)
    # Before the unregistered works, which the post alone holds.
    first_unregistered = next(i for i, c in enumerate(cases) if c.kind == "unregistered")
    cases[first_unregistered:first_unregistered] = book_cases
    post = post.replace(UNREGISTERED[0], "\n".join(book_post) + "\n" + UNREGISTERED[0], 1)
    bib += "\n" + "\n".join(book_bib)
    agencies = {r["attributes"]["doi"].split("/")[0]: "datacite" for r in records}
    crossref = CrossrefStandin(crossref_records, agencies=agencies)
    # doi.org's /ra/ answers the agencies of the DOIs Crossref lacks, many a request, as in a
    # run against Crossref's own API; Crossref's /agency route stays the fallback.
    doiorg = DoiStandin(dict.fromkeys(agencies, "DataCite"))
    library = OpenLibraryStandin()
    datacite = DataciteStandin(records)
    arxiv = ArxivStandin(load_records(SHARED / "arxiv" / "entries.jsonl.gz"))
    with crossref, datacite, arxiv, library, doiorg, tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            crossref_url=crossref.url,
            datacite_url=datacite.url,
            doi_url=doiorg.url,
            arxiv_url=arxiv.url,
            openlibrary_url=library.url,
            no_cache=True,
            timeout=5.0,
            mailto="bench@example.org",
        )
        print(
            f"refcheck beyond Crossref — split {args.split}: {len(chosen)} DataCite records, "
            f"{len(books)} Crossref books"
        )
        for form, text, name in (("post", post, "post.md"), ("bibtex", bib, "refs.bib")):
            path = Path(folder) / name
            path.write_text(text, encoding="utf-8")
            references = read_references([path])
            start = time.perf_counter()
            verdicts = await check_async(references, settings)
            took = time.perf_counter() - start
            report(form, cases, verdicts, took, args.verbose)


def report(
    form: str, cases: list[Case], verdicts: list[Verdict], took: float, verbose: bool
) -> None:
    wanted = [c for c in cases if form == "post" or c.kind != "unregistered"]
    if len(verdicts) != len(wanted):
        print(f"  {form}: read {len(verdicts)} references of {len(wanted)} written; skipping")
        return
    print(f"\n{form}: {len(verdicts)} references in {took:.1f} s")
    alarms: Counter[str] = Counter()
    correct: Counter[str] = Counter()
    right_doi: Counter[str] = Counter()
    caught: Counter[str] = Counter()
    on_field: Counter[str] = Counter()
    injected: Counter[str] = Counter()
    for case, verdict in zip(wanted, verdicts, strict=True):
        if case.error is None:
            correct[case.kind] += 1
            expected = Status.SKIPPED if case.kind == "unregistered" else Status.VERIFIED
            if _alarm(verdict) or verdict.status is not expected:
                alarms[case.kind] += 1
                if verbose:
                    print(
                        f"  false alarm [{case.kind}] {verdict.status} {verdict.message}:",
                        [f"{f.code} {f.message}" for f in verdict.findings][:3],
                    )
                    print(f"    {verdict.reference.text[:200]}")
            if case.doi and verdict.work and verdict.work.doi.lower() == case.doi.lower():
                right_doi[case.kind] += 1
        else:
            name = f"{case.kind}/{case.error}"
            injected[name] += 1
            if _alarm(verdict) or verdict.status is not Status.VERIFIED:
                caught[name] += 1
                if any(f.field == case.field and _alarm_f(f.severity) for f in verdict.findings):
                    on_field[name] += 1
                elif verbose:
                    print(
                        f"  wrong field [{name}]", [f"{f.code} {f.field}" for f in verdict.findings]
                    )
            elif verbose:
                print(f"  missed [{name}] {verdict.reference.text[:160]}")
    for kind in sorted(correct):
        n = correct[kind]
        line = (
            f"  correct {kind:<13} {n:>4}  false alarms {alarms[kind]:>3} = {alarms[kind] / n:6.2%}"
        )
        if kind != "unregistered":
            line += f"   right DOI {right_doi[kind]:>4} = {right_doi[kind] / n:6.2%}"
        print(line)
    for name in sorted(injected):
        n = injected[name]
        print(
            f"  injected {name:<28} {n:>4}  caught {caught[name] / n:6.2%}"
            f"  on its field {on_field[name] / n:6.2%}"
        )


def _alarm_f(severity: Severity) -> bool:
    return severity in (Severity.ERROR, Severity.WARNING)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=("tune", "heldout", "all"), default="tune")
    parser.add_argument("--limit", type=int, default=0, help="records to use (0: all)")
    parser.add_argument(
        "--records",
        choices=("base", "converted", "all"),
        default="base",
        help=f"DataCite records: {RECORDS} (base), {CONVERTED} (converted) or both",
    )
    parser.add_argument(
        "--errors",
        choices=("mixed", "authors"),
        default="mixed",
        help="one error a record (mixed), or the first and a middle author misspelled",
    )
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    if not SHARED.is_dir():
        sys.exit("benchmarks/mix.py needs ../shared")
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
