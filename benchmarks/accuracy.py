"""Accuracy of refcheck on BibTeX built from real Crossref records. Prints figures; not a test.

Cases come from ../shared/crossref/works-dev.jsonl.gz. Each record becomes one correct
BibTeX entry, dressed in the harmless variations real writers produce (diacritics dropped
or LaTeX-escaped, particles capitalised, journal abbreviated, the online year, sentence-case
title, abbreviated page ranges, "and others"), and one entry with a single real error
injected. Half the entries cite their DOI, half do not (found by query.bibliographic).
All records are served by the loopback Crossref stand-in; refcheck runs end to end.

The corpus is split by a hash of the DOI: ``--split tune`` (70%) is what rules were tuned
on; ``--split heldout`` (30%, the default) is never looked at while tuning, so its figures
say how refcheck does on references it has not seen.

Issue 12's classes (benchmarks/error_classes.py; ``--class-records N`` records of the split
each) are drawn after these with their own seed and printed in a table of their own, so the
figures above stay comparable. The middle-author classes write the names surname first,
initials first ("J. Wang"), as Vancouver does ("Wang, J"), as Medline does without a comma
("Wang JK", pasted from PubMed) or given name first ("Jing Wang").

    .venv/bin/python benchmarks/accuracy.py [--split heldout|tune|all] [--limit N]
        [--class-records N] [-v]
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import hashlib
import json
import random
import re
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from anyascii import anyascii

sys.path.insert(0, str(Path(__file__).resolve().parent))

from error_classes import (  # benchmarks/ is not a package
    ALTERS_RECORD,
    DOI_SHOWN,
    NAME_FORMS,
    Scored,
    add_class_options,
    class_records,
    class_rng,
    complete_range,
    compound_families,
    edit_title,
    misspelled_middle,
    other_record,
    print_class_table,
    typo_positions,
    with_compound_author,
    wrong_end_page,
    year_beside_year_volume,
)

from refcheck.api import check_async, read_references
from refcheck.config import Settings
from refcheck.models import Severity, Verdict
from refcheck.resolve.crossref import CrossrefClient
from refcheck.resolve.pacing import Limits, Pacer
from refcheck.resolve.resolver import Resolver
from refcheck.testing.crossref_standin import CrossrefStandin

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
WORKS = SHARED / "crossref" / "works-dev.jsonl.gz"
SEED = 20261125

ERRORS = {
    "volume": "volume",
    "issue": "issue",
    "pages": "pages",
    "year": "year",
    "author-misspelled": "authors",
    "author-missing": "authors",
    "author-extra": "authors",
    "author-order": "authors",
    "title": "title",
    "doi-other-work": "doi",
}
LATEX = {
    "á": "{\\'a}", "é": "{\\'e}", "í": "{\\'i}", "ó": "{\\'o}", "ú": "{\\'u}",
    "à": "{\\`a}", "è": "{\\`e}", "ä": '{\\"a}', "ö": '{\\"o}', "ü": '{\\"u}',
    "ç": "{\\c{c}}", "ñ": "{\\~n}", "ø": "{\\o}", "ß": "{\\ss}", "Ö": '{\\"O}',
    "Ü": '{\\"U}', "Ä": '{\\"A}', "É": "{\\'E}",
}  # fmt: skip
PARTICLES = {"van", "von", "der", "den", "de", "del", "della", "di", "du", "el", "la", "le", "ter"}
TAG = re.compile(r"<[^>]+>")


@dataclass
class Case:
    key: str
    record: dict[str, Any]
    kind: str  # "correct" or an ERRORS key
    cites_doi: bool
    variations: tuple[str, ...] = ()
    form: str = ""  # how an issue 12 middle-author case writes its names (NAME_FORMS)


def split_of(doi: str) -> str:
    digest = hashlib.sha256(doi.lower().encode()).digest()
    return "heldout" if digest[0] < 77 else "tune"  # 77/256 ~ 30%


def first(value: Any) -> str | None:
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str) and v.strip()), None)
    return " ".join(TAG.sub("", value).split()) if isinstance(value, str) else None


def year_parts(record: dict[str, Any], key: str) -> int | None:
    try:
        return int(record[key]["date-parts"][0][0])
    except (KeyError, IndexError, TypeError, ValueError):
        return None


def usable(record: dict[str, Any]) -> bool:
    people = [a for a in record.get("author") or [] if a.get("family")]
    return bool(first(record.get("title"))) and len(people) >= 1 and bool(record.get("DOI"))


def bibtex_escape(text: str) -> str:
    text = text.replace("\\", " ").replace("{", "").replace("}", "")
    return re.sub(r"([&%$#_])", r"\\\1", text)


def latex_accents(text: str) -> str:
    return "".join(LATEX.get(ch, ch) for ch in text)


def sentence_case(title: str) -> str:
    words = title.split(" ")
    out = [words[0]]
    for word in words[1:]:
        # Acronyms and words with inner capitals stay, as a careful writer would keep them.
        out.append(word if sum(c.isupper() for c in word) > 1 else word.lower())
    return " ".join(out)


def abbreviate_range(pages: str) -> str:
    match = re.fullmatch(r"(\d+)-(\d+)", pages)
    if not match or len(match[1]) != len(match[2]):
        return pages
    start, end = match[1], match[2]
    i = 0
    while i < len(start) - 1 and start[i] == end[i]:
        i += 1
    return f"{start}–{end[i:]}"


def name_of(author: dict[str, Any], rng: random.Random, variations: set[str]) -> str:
    family = first(author.get("family")) or ""
    given = first(author.get("given")) or ""
    if not family:
        literal = first(author.get("name")) or given
        return "{" + bibtex_escape(literal) + "}"
    if "particles-capitalised" in variations:
        family = " ".join(w.capitalize() if w.lower() in PARTICLES else w for w in family.split())
    if "initials" in variations and given:
        given = " ".join(part[0] + "." for part in re.split(r"[\s.]+", given) if part)
    name = f"{{{family}}}, {given}" if " " in family else f"{family}, {given}"
    if "diacritics-dropped" in variations:
        name = anyascii(name)
    elif "diacritics-latex" in variations:
        name = latex_accents(name)
    return name.strip().rstrip(",")


def render(case: Case, other: dict[str, Any], rng: random.Random) -> str:
    """One BibTeX entry for the case, with its variations and its injected error."""
    record = case.record
    v = set(case.variations)
    authors = [a for a in record.get("author") or [] if a.get("family") or a.get("name")
               or a.get("given")]  # fmt: skip
    names = [name_of(a, rng, v) for a in authors]
    if case.form:
        names = [formed_name(a, case.form, v) for a in authors]
    truncated = "et-al" in v and len(names) > 5
    if truncated:
        names = names[:3]
    title = first(record.get("title")) or ""
    container = first(record.get("container-title"))
    short = first(record.get("short-container-title"))
    if "journal-abbreviated" in v and short:
        container = short
    print_year = year_parts(record, "published-print") or year_parts(record, "issued")
    online_year = year_parts(record, "published-online")
    year = online_year if "online-year" in v and online_year else print_year
    pages = first(record.get("page"))
    if pages is None and record.get("article-number"):
        pages = first(record.get("article-number"))
    volume, issue = first(record.get("volume")), first(record.get("issue"))
    if "sentence-case" in v:
        title = sentence_case(title)
    if pages and "pages-abbreviated" in v:
        pages = abbreviate_range(pages)
    elif pages and "pages-endash" in v:
        pages = pages.replace("-", "–")
    doi = record["DOI"] if case.cites_doi else None

    kind = case.kind
    if kind in {"volume", "sici-doi-volume"}:
        volume = str(int(re.sub(r"\D", "", volume or "") or 0) + rng.choice([1, 2, 3, -1]))
    elif kind == "issue":
        issue = str(int(re.sub(r"\D", "", issue or "") or 0) + rng.choice([1, 2]))
    elif kind == "pages":
        start = int(re.match(r"\D*(\d+)", pages or "")[1])  # type: ignore[index]
        shifted = start + rng.choice([1, 2, 10, 100])
        pages = f"{shifted}-{shifted + 9}" if re.search(r"[-–]", pages or "") else str(shifted)
    elif kind == "year" or kind.startswith("year-no-doi"):
        years = {y for y in (print_year, online_year, year_parts(record, "issued")) if y}
        year = (year or 2000) + rng.choice([-3, -2, 2, 3, 5])
        while year in years:
            year += 1
    elif kind == "author-misspelled":
        index = rng.randrange(len(names))
        names[index] = misspell(names[index], rng)
    elif kind == "author-missing":
        # The last name of an "et al." list is not droppable: "A, B, et al." is still right.
        index = rng.randrange(len(names) - 1 if truncated else len(names))
        del names[index]
    elif kind == "author-extra":
        extra = rng.choice(["Smith, John", "Müller, Anna", "Kowalski, Piotr", "Nguyen, Thi"])
        names.insert(rng.randrange(len(names) + 1), extra)
    elif kind == "author-order":
        i = rng.randrange(len(names) - 1)
        names[i], names[i + 1] = names[i + 1], names[i]
    elif kind == "title":
        title = first(other.get("title")) or "A different study altogether"
    elif kind == "doi-other-work":
        doi = other["DOI"]
    elif kind == "end-page":
        start, last = complete_range(record) or (1, 2)
        pages = f"{start}-{wrong_end_page(start, last, rng)}"
        pages = abbreviate_range(pages) if "pages-abbreviated" in v else pages
    elif kind.startswith("title-word"):
        title = edit_title(kind, title, first(other.get("title")) or "", rng) or title
    elif kind == "year-volume-is-year":
        year = year_beside_year_volume(record, year or 2000, rng)
    elif kind.startswith("author-middle"):
        index = rng.choice(typo_positions(kind, record))
        typo = misspelled_middle(kind, first(authors[index].get("family")) or "", rng)
        names[index] = formed_name(authors[index], case.form, v, typo)

    author_field = " and ".join(names) + (" and others" if truncated else "")
    fields = [("author", author_field), ("title", bibtex_escape(title))]
    if container:
        fields.append(("journal", bibtex_escape(container)))
    if year:
        fields.append(("year", str(year)))
    for name, value in (("volume", volume), ("number", issue), ("pages", pages), ("doi", doi)):
        if value:
            fields.append((name, bibtex_escape(value) if name != "doi" else value))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@article{{{case.key},\n{body}\n}}\n"


def formed_name(
    author: dict[str, Any], form: str, variations: set[str], family: str | None = None
) -> str:
    """A name as the form writes it: "Wang, Jing", "J. Wang", Vancouver's "Wang, J",
    Medline's "Wang JK" (no comma, as pasted from PubMed) or "Jing Wang"."""
    family = family or first(author.get("family")) or ""
    given = first(author.get("given")) or ""
    initials = [part[0] for part in re.split(r"[\s.-]+", given) if part]
    # A family of several words is braced, as BibTeX needs, unless it leads with a
    # lower-case particle, which BibTeX reads as one ("van der Berg, J.", "J. van der Berg").
    if " " in family and not family[:1].islower():
        family = "{" + family + "}"
    if form == "initials-first":
        name = " ".join([*(i + "." for i in initials), family])
    elif form == "vancouver":
        name = f"{family}, {''.join(initials)}" if initials else family
    elif form == "medline":
        name = f"{family} {''.join(initials)}" if initials else family
    elif form == "given-first":
        name = f"{given} {family}" if given else family
    else:
        name = f"{family}, {given}" if given else family
    return anyascii(name) if "diacritics-dropped" in variations else name


def misspell(name: str, rng: random.Random) -> str:
    family, _, given = name.partition(",")
    letters = [i for i, c in enumerate(family) if c.isalpha()]
    if len(letters) < 3:
        return "X" + name
    i = rng.choice(letters[1:])
    new = chr((ord(family[i].lower()) - 97 + rng.randrange(1, 25)) % 26 + 97)
    return family[:i] + new + family[i + 1 :] + ("," + given if given else "")


def errors_possible(record: dict[str, Any]) -> list[str]:
    authors = [a for a in record.get("author") or [] if a.get("family")]
    kinds = ["year", "title", "doi-other-work", "author-extra", "author-misspelled"]
    if first(record.get("volume")) and re.search(r"\d", first(record.get("volume")) or ""):
        kinds.append("volume")
    if first(record.get("issue")) and re.fullmatch(r"\d+", first(record.get("issue")) or ""):
        kinds.append("issue")
    if first(record.get("page")) and re.match(r"\D*\d+", first(record.get("page")) or ""):
        kinds.append("pages")
    if len(authors) >= 2:
        kinds += ["author-missing", "author-order"]
    return kinds


VARIATIONS = (
    "diacritics-dropped",
    "diacritics-latex",
    "particles-capitalised",
    "journal-abbreviated",
    "online-year",
    "sentence-case",
    "pages-abbreviated",
    "pages-endash",
    "et-al",
    "initials",
)


def build_cases(records: list[dict[str, Any]], rng: random.Random) -> list[Case]:
    cases: list[Case] = []
    for n, record in enumerate(records):
        chosen = tuple(v for v in VARIATIONS if rng.random() < 0.3)
        if "diacritics-dropped" in chosen and "diacritics-latex" in chosen:
            chosen = tuple(v for v in chosen if v != "diacritics-latex")
        cases.append(Case(f"c{n}", record, "correct", rng.random() < 0.5, chosen))
        kind = rng.choice(errors_possible(record))
        cases.append(Case(f"e{n}", record, kind, rng.random() < 0.5, chosen))
    return cases


def build_class_cases(
    records: list[dict[str, Any]], per_class: int, kinds: Sequence[str]
) -> list[Case]:
    """Issue 12's classes, from the split's records that fit each, after the original cases.

    A middle-author record makes one entry in each name form: the forms fail apart.
    """
    cases: list[Case] = []
    rngs = {kind: class_rng(kind, "cases") for kind in kinds}
    compounds = compound_families(records)
    for kind, record in class_records(records, per_class, title_of, kinds):
        rng = rngs[kind]
        if kind in ALTERS_RECORD:
            record = with_compound_author(record, rng, compounds)
        forms = NAME_FORMS if kind.startswith("author-middle") else ("",)
        for form in forms:
            chosen = tuple(v for v in VARIATIONS if rng.random() < 0.3)
            if "diacritics-dropped" in chosen and "diacritics-latex" in chosen:
                chosen = tuple(v for v in chosen if v != "diacritics-latex")
            if form:
                # A middle name hidden behind "and others" is no error to catch.
                chosen = tuple(v for v in chosen if v != "et-al")
            cites_doi = DOI_SHOWN.get(kind, rng.random() < 0.5)
            cases.append(Case(f"n{len(cases)}", record, kind, cites_doi, chosen, form))
    return cases


def title_of(record: dict[str, Any]) -> str:
    return first(record.get("title")) or ""


def caught(verdict: Verdict) -> bool:
    return verdict.status.value in {"mismatch", "not_found"} or any(
        f.severity is not Severity.INFO for f in verdict.findings
    )


async def run(
    split: str, limit: int | None, per_class: int, kinds: Sequence[str], verbose: bool
) -> None:
    with gzip.open(WORKS, "rt", encoding="utf-8") as lines:
        all_records = [json.loads(line) for line in lines]
    records = [
        r for r in all_records if usable(r) and (split == "all" or split_of(r["DOI"]) == split)
    ]
    rng = random.Random(SEED)
    rng.shuffle(records)
    split_records = list(records)
    if limit:
        records = records[:limit]
    cases = build_cases(records, rng)
    class_cases = build_class_cases(split_records, per_class, kinds)
    render_rngs = {kind: class_rng(kind, "render") for kind in kinds}
    by_key = {case.key: case for case in cases + class_cases}
    pool = [r for r in all_records if usable(r)]
    entries: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as tmp:
        bib = Path(tmp) / "cases.bib"
        # Classes that alter their records go apart, checked against the altered records.
        altered_bib = Path(tmp) / "altered.bib"
        altered: dict[str, dict[str, Any]] = {}
        with (
            bib.open("w", encoding="utf-8") as out,
            altered_bib.open("w", encoding="utf-8") as out_altered,
        ):
            for case in cases:
                other = rng.choice(pool)
                while other["DOI"] == case.record["DOI"]:
                    other = rng.choice(pool)
                out.write(render(case, other, rng) + "\n")
            for case in class_cases:
                case_rng = render_rngs[case.kind]
                other = other_record(case.record, case.kind, pool, title_of, case_rng)
                entries[case.key] = render(case, other, case_rng)
                if case.kind in ALTERS_RECORD:
                    altered[case.record["DOI"].lower()] = case.record
                    out_altered.write(entries[case.key] + "\n")
                else:
                    out.write(entries[case.key] + "\n")
        verdicts, elapsed = await check_bib(bib, all_records)
        if altered:
            served = [altered.get(r["DOI"].lower(), r) for r in all_records]
            verdicts += (await check_bib(altered_bib, served))[0]
    drawn = {case.key for case in class_cases}
    original = [v for v in verdicts if v.reference.location.key not in drawn]
    report(cases, by_key, original, elapsed, split, len(verdicts))
    scored = []
    for v in verdicts:
        case = by_key[v.reference.location.key or ""]
        if case.key in drawn:
            cited = " ".join(entries[case.key].split())
            scored.append(Scored(case.kind, cited, case.record["DOI"], v, case.form))
    print_class_table(scored, verbose)


async def check_bib(bib: Path, records: list[dict[str, Any]]) -> tuple[list[Verdict], float]:
    """refcheck on one BibTeX file against a stand-in serving ``records``; and its time."""
    # Accuracy, not pacing, is measured here: the stand-in is local, so the client may
    # go faster than Crossref's limits (benchmarks/speed.py measures pacing).
    with CrossrefStandin(records, rate_limit=1000, list_rate_limit=1000) as server:
        settings = Settings(crossref_url=server.url, no_cache=True, timeout=30)
        pacer = Pacer(Limits(single_rate=1000, list_rate=1000, concurrency=8))
        client = CrossrefClient(server.url, "bench@example.org", timeout=30, pacer=pacer)
        references = read_references([bib])
        started = time.perf_counter()
        async with Resolver(settings, client=client) as resolver:
            verdicts = await check_async(references, settings, resolver=resolver)
        return verdicts, time.perf_counter() - started


def report(
    cases: list[Case],
    by_key: dict[str, Case],
    verdicts: list[Verdict],
    elapsed: float,
    split: str,
    checked: int,
) -> None:
    correct = [(by_key[v.reference.location.key or ""], v) for v in verdicts
               if by_key[v.reference.location.key or ""].kind == "correct"]  # fmt: skip
    injected = [(by_key[v.reference.location.key or ""], v) for v in verdicts
                if by_key[v.reference.location.key or ""].kind != "correct"]  # fmt: skip
    # Findings about the work itself (a correction, a retraction) are true whatever the
    # citation says: they are not alarms about the citation.
    alarms = [(c, v) for c, v in correct
              if any(f.severity is not Severity.INFO and f.field != "retraction"
                     for f in v.findings)
              or v.status.value in {"mismatch", "not_found", "invalid"}]  # fmt: skip
    print(f"refcheck accuracy — split {split}: {len(cases)} cases from {len(correct)} records")
    print(f"time: {elapsed:.1f} s for {checked} references with the issue 12 classes "
          f"({1000 * elapsed / max(checked, 1):.1f} ms a reference)")  # fmt: skip
    statuses = Counter(v.status.value for _, v in correct)
    print(f"\ncorrect references: {len(correct)}  statuses {dict(statuses)}")
    print(f"  false alarms (warning/error or not verified): {len(alarms)} "
          f"= {100 * len(alarms) / max(len(correct), 1):.2f}%  (target ≤ 0.5%)")  # fmt: skip
    for cites in (True, False):
        group = [(c, v) for c, v in correct if c.cites_doi is cites]
        right = sum(
            1
            for c, v in group
            if v.work is not None and v.work.doi.lower() == c.record["DOI"].lower()
        )
        label = "with DOI cited   " if cites else "without DOI cited"
        target = "99%" if cites else "98%"
        print(f"  right DOI, {label}: {right}/{len(group)} = "
              f"{100 * right / max(len(group), 1):.2f}%  (target ≥ {target})")  # fmt: skip
    by_variation: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for c, v in correct:
        for variation in c.variations:
            by_variation[variation][1] += 1
            by_variation[variation][0] += (c, v) in alarms
    print("  false alarms by variation present:", ", ".join(
        f"{k} {a}/{n}" for k, (a, n) in sorted(by_variation.items())))  # fmt: skip

    print(f"\ninjected errors: {len(injected)}")
    print(f"  {'error':<20}{'n':>6}{'caught':>9}{'recall':>9}{'field ok':>10}{'expected':>10}")
    totals = [0, 0, 0]
    for kind, field in ERRORS.items():
        group = [(c, v) for c, v in injected if c.kind == kind]
        hit = [(c, v) for c, v in group if caught(v)]
        named = [
            (c, v) for c, v in hit
            if any(f.field == field and f.severity is not Severity.INFO for f in v.findings)
        ]  # fmt: skip
        with_expected = [
            (c, v) for c, v in named
            if any(f.field == field and f.expected for f in v.findings)
            or (kind == "doi-other-work")
        ]  # fmt: skip
        totals[0] += len(group)
        totals[1] += len(hit)
        totals[2] += len(named)
        n = max(len(group), 1)
        print(f"  {kind:<20}{len(group):>6}{len(hit):>9}{100 * len(hit) / n:>8.1f}%"
              f"{100 * len(named) / max(len(hit), 1):>9.1f}%"
              f"{100 * len(with_expected) / max(len(named), 1):>9.1f}%")  # fmt: skip
    print(f"  {'all':<20}{totals[0]:>6}{totals[1]:>9}{100 * totals[1] / max(totals[0], 1):>8.1f}%"
          f"{100 * totals[2] / max(totals[1], 1):>9.1f}%")  # fmt: skip
    print("  (targets: recall ≥ 99% per error; field named ≥ 98%)")

    if "-v" in sys.argv:
        print("\nfalse alarms:")
        for c, v in alarms[:40]:
            print(f"  {c.key} {c.record['DOI']} {v.status.value} {c.variations}")
            for f in v.findings:
                if f.severity is not Severity.INFO:
                    print(f"     {f.code} {f.field}: cited {f.cited!r} expected {f.expected!r}")
        print("\ntitle errors:")
        for c, v in injected:
            if c.kind == "title":
                print(f"  {c.key} {v.status.value} {[(f.code, f.field) for f in v.findings]}")
        print("\nmissed:")
        for c, v in injected:
            if not caught(v):
                print(f"  {c.key} {c.kind} {c.record['DOI']} {v.status.value}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=["heldout", "tune", "all"], default="heldout")
    parser.add_argument("--limit", type=int, default=None)
    add_class_options(parser, 200, "one entry each (three for a middle-author class)")
    parser.add_argument("-v", action="store_true", help="list false alarms and misses")
    args = parser.parse_args()
    if not WORKS.exists():
        sys.exit(f"accuracy: {WORKS} not found (../shared is needed)")
    asyncio.run(run(args.split, args.limit, args.class_records, args.classes, args.v))


if __name__ == "__main__":
    main()
