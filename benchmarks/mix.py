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


def _initials(given: str | None) -> str:
    return " ".join(f"{part[0]}." for part in (given or "").replace(".", " ").split() if part)


def _authors_apa(record: dict[str, Any]) -> str | None:
    work = work_from_datacite(record)
    names: list[str] = []
    for person in work.authors:
        if person.is_group:
            names.append(person.literal or "")
        elif person.family:
            initials = _initials(person.given)
            names.append(f"{person.family}, {initials}" if initials else person.family)
    if not names:
        return None
    if len(names) > 20:
        # APA 7: the first 19, an ellipsis, the last (not the first 20 alone: a real omission).
        return ", ".join(names[:19]) + ", . . . " + names[-1]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + ", & " + names[-1]


def _authors_bib(record: dict[str, Any]) -> str:
    work = work_from_datacite(record)
    names = []
    for person in work.authors[:20]:
        if person.is_group:
            names.append("{" + (person.literal or "") + "}")
        else:
            family = person.family or ""
            if person.given:
                names.append(f"{family}, {person.given}")
            else:
                # A family of several words and no given name: braced, or BibTeX reads its
                # last word as the family ("Junior Professorship for ..." as a person).
                names.append("{" + family + "}" if " " in family.strip() else family)
    # More than 20: the rest as BibTeX's "and others", not left out as if there were none.
    return " and ".join(names) + (" and others" if len(work.authors) > 20 else "")


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


def build(records: list[dict[str, Any]], rng: random.Random) -> tuple[str, str, list[Case]]:
    """The post (Markdown), the BibTeX and the cases, in order."""
    post: list[str] = ["# Data, code and preprints\n\nSome notes.\n\n## References\n"]
    bib: list[str] = []
    cases: list[Case] = []
    for n, record in enumerate(records):
        work = work_from_datacite(record)
        if not work.title or work.year is None or not work.authors:
            continue
        authors = _authors_apa(record)
        if authors is None:
            continue
        arxiv = work.doi.startswith(ARXIV_DOI_PREFIX.lower())
        publisher = work.publisher or ""
        versions: list[tuple[str, str | None]] = [("correct", None)]
        error = rng.choice(["author-misspelled", "year", "doi-digit"])
        versions.append((error, error))
        for label, injected in versions:
            year, doi, names = work.year, work.doi, authors
            field = None
            if injected == "author-misspelled":
                first = work.authors[0]
                wrong = _misspell(first.family or "") if not first.is_group else None
                if wrong is None:
                    continue
                names = names.replace(first.family or "", wrong, 1)
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
            cases.append(Case(key, "doi", injected, work.doi, field))
            post.append(f"{names} ({year}). {work.title}. {publisher}. https://doi.org/{doi}\n")
            bib_authors = _authors_bib(record)
            if injected == "author-misspelled":
                first_family = work.authors[0].family or ""
                bib_authors = bib_authors.replace(first_family, _misspell(first_family) or "", 1)
            title = work.title.replace("{", "").replace("}", "")
            bib.append(
                f"@misc{{{key},\n  author = {{{bib_authors}}},\n  title = {{{{{title}}}}},\n"
                f"  year = {{{year}}},\n  publisher = {{{publisher}}},\n  doi = {{{doi}}}\n}}\n"
            )
            if arxiv and injected != "doi-digit":
                identifier = work.doi[len(ARXIV_DOI_PREFIX) :]
                cases.append(Case(key + "x", "arxiv-id", injected, work.doi, field))
                post.append(f"{names} ({year}). {work.title}. arXiv preprint arXiv:{identifier}.\n")
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
    records = load_records(SHARED / "datacite" / "records.jsonl.gz")
    chosen = [
        r for r in records if args.split == "all" or split_of(r["attributes"]["doi"]) == args.split
    ]
    if args.limit:
        chosen = chosen[: args.limit]
    rng = random.Random(13)
    post, bib, cases = build(chosen, rng)
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
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    if not SHARED.is_dir():
        sys.exit("benchmarks/mix.py needs ../shared")
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
