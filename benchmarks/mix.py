"""refcheck on references beyond Crossref: DataCite works (Zenodo, figshare, GBIF, arXiv...)
cited by DOI, arXiv papers cited by ID, and works no registry holds. Prints figures; not a test.

Every usable record of ../shared/datacite/records.jsonl.gz becomes one correct reference and
one with a single injected error (first author misspelled, year off by two, DOI with one
wrong digit), written both as a post's reference list (Markdown, APA-like) and as BibTeX
(@misc with doi). arXiv's records are also cited by their arXiv ID without DOI. A fixed list
of blog posts, news articles, code repositories and web pages (written here, not recorded:
no registry holds them) is added to every post. Records are split into tune and held-out
halves by a hash of the DOI. The Crossref stand-in serves ../shared/crossref's records (and
answers /agency: DataCite for the DataCite prefixes), the DataCite stand-in the DataCite ones.

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
from refcheck.parse.identifiers import ARXIV_DOI_PREFIX
from refcheck.resolve.datacite_records import work_from_datacite
from refcheck.testing import CrossrefStandin, DataciteStandin, load_records
from refcheck.testing.arxiv_standin import ArxivStandin

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
    kind: str  # "doi", "arxiv-id", "unregistered"
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
    for person in work.authors[:20]:
        if person.is_group:
            names.append(person.literal or "")
        elif person.family:
            initials = _initials(person.given)
            names.append(f"{person.family}, {initials}" if initials else person.family)
    if not names:
        return None
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
    return " and ".join(names)


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
        versions = [("correct", None)]
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
    agencies = {r["attributes"]["doi"].split("/")[0]: "datacite" for r in records}
    crossref = CrossrefStandin(
        load_records(SHARED / "crossref" / "works-dev.jsonl.gz"), agencies=agencies
    )
    datacite = DataciteStandin(records)
    arxiv = ArxivStandin(load_records(SHARED / "arxiv" / "entries.jsonl.gz"))
    with crossref, datacite, arxiv, tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            crossref_url=crossref.url,
            datacite_url=datacite.url,
            arxiv_url=arxiv.url,
            no_cache=True,
            timeout=5.0,
            mailto="bench@example.org",
        )
        print(f"refcheck beyond Crossref — split {args.split}: {len(chosen)} DataCite records")
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
