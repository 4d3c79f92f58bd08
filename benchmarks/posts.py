"""refcheck end to end on blog posts whose reference lists real CSL styles rendered. Prints figures.

Section 1 — posts. Each Crossref record of ../shared/crossref/works-dev.jsonl.gz becomes a
CSL-JSON item, rendered by citeproc-py (plain text) through each style of ../shared/csl,
with the en-US / en-GB locales there. Per record and style there is one correct reference,
dressed in harmless variations (diacritics dropped, particles capitalised, the online year,
a sentence-case title, the journal's short title, an abbreviated page range), and one copy
of it with a single real error injected: the error is re-drawn until it shows in that
style's text (an extra fifth author is invisible behind "et al."). Half the references show
their DOI, half do not (the DOI is removed before rendering). Each style's references are
written into posts — Markdown (``# Title``, prose, ``## References``, then a numbered or
bulleted list, or one paragraph a reference), plain-text posts whose list is a trailing
run of "-" lines, like the seed post, and saved HTML pages (the article among navigation, a
sidebar and a footer; the list an ``<ol>`` or ``<ul>``, DOI URLs as links) — and refcheck
reads and checks those files end to end
(``read_references`` then ``check_async``) against the loopback Crossref stand-in serving
every works-dev record.

Records are split by DOI hash as in accuracy.py (``--split``); styles are split too: the
held-out styles (MLA, AMA, Elsevier Harvard) are never looked at while tuning, the others
are tuning styles. Figures, per style:

* read: references read at the line they were written on / references written, and reads
  that are no reference written (extra);
* right DOI: correct references whose verdict names the record's DOI (DOI shown / hidden);
* false alarms: correct references with a warning or error not about a retraction, or a
  status other than verified;
* recall: injected errors flagged (a warning or error, or status mismatch / not found);
  field: of those, the share with a warning or error on the field the error is in.

The last three count references that were read; what was not read is the ``read`` column.

Issue 12's classes (``--class-records N`` records of the split each, in every style that shows
the error; benchmarks/error_classes.py) follow in a table of their own, written into posts of
their own and checked apart, so the figures above do not change: a wrong last page, one
content word of the title substituted / dropped / added, a SICI DOI beside a wrong volume, a
wrong year where the volume is a year, a middle author of 4-6 misspelled (also where two
authors share the surname), a wrong year with no DOI shown, a misspelled middle author whose
name is hard to read (a particle, a hyphen, several words, letters beyond ASCII) or who is
one of 7-20; and correct references of records with a SICI DOI, a volume that is a year, or
affiliations held as authors.

Section 2 — Crossref's reference-matching evaluation (../shared/refdata/...): the 2,000
real deposited reference strings of ``real_2000`` (1,194 with a verified DOI). Their
records are not in works-dev, so they measure only DOI extraction (``find_dois`` and
``parse_reference(...).doi`` against the gold DOI) and how often the parser finds each field.

    .venv/bin/python benchmarks/posts.py [--split heldout|tune|all] [--limit N]
        [--class-records N] [-v]
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import gzip
import html
import json
import random
import re
import sys
import tempfile
import time
import warnings
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from anyascii import anyascii

sys.path.insert(0, str(Path(__file__).resolve().parent))

import error_classes as classes
from accuracy import (  # benchmarks/ is not a package
    ERRORS,
    PARTICLES,
    SEED,
    SHARED,
    WORKS,
    abbreviate_range,
    caught,
    errors_possible,
    first,
    misspell,
    sentence_case,
    split_of,
    usable,
)

from refcheck.api import check_async, read_references
from refcheck.config import Settings
from refcheck.models import Severity, Verdict
from refcheck.parse import parse_reference
from refcheck.readers.text import find_dois
from refcheck.resolve.crossref import CrossrefClient
from refcheck.resolve.pacing import Limits, Pacer
from refcheck.resolve.resolver import Resolver
from refcheck.testing.crossref_standin import CrossrefStandin

CSL = SHARED / "csl"
REAL_2000 = (
    SHARED / "refdata" / "crossref-reference-matching-evaluation" / "real_2000"
    / "unstructured_orig.json"
)  # fmt: skip
STYLES = (
    "apa",
    "harvard-cite-them-right",
    "elsevier-harvard",
    "ieee",
    "modern-language-association",
    "chicago-author-date",
    "american-medical-association",
    "vancouver",
    "nlm-citation-sequence",
)
HELD_OUT_STYLES = frozenset(
    {"modern-language-association", "american-medical-association", "elsevier-harvard"}
)
NUMERIC_STYLES = frozenset(
    {"ieee", "american-medical-association", "vancouver", "nlm-citation-sequence"}
)
# Cite Them Right is a British style: render it as a British writer's Zotero would.
STYLE_LOCALES = {"harvard-cite-them-right": "en-GB"}
SHORT_NAMES = {
    "harvard-cite-them-right": "harvard-ctr",
    "modern-language-association": "mla",
    "chicago-author-date": "chicago-ad",
    "american-medical-association": "ama",
    "nlm-citation-sequence": "nlm",
}
VARIATIONS = (
    "diacritics-dropped",
    "particles-capitalised",
    "journal-abbreviated",
    "online-year",
    "sentence-case",
    "pages-abbreviated",
)
CSL_TYPES = {
    "journal-article": "article-journal",
    "proceedings-article": "paper-conference",
    "book-chapter": "chapter",
    "posted-content": "article",
    "report": "report",
    "dataset": "dataset",
    "reference-entry": "entry-encyclopedia",
    "book": "book",
    "monograph": "book",
    "edited-book": "book",
    "peer-review": "review",
    "dissertation": "thesis",
}
FORMATS = ("md-numbered", "md-bulleted", "md-paragraphs", "txt-dashes", "html-page")
FORMAT_WEIGHTS = (0.25, 0.25, 0.1, 0.2, 0.2)
# A saved blog page: the article sits among navigation, a sidebar and a footer.
HTML_HEAD = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title} | A Health Blog</title>
<link rel="stylesheet" href="/style.css"><script>window.dataLayer = [];</script></head>
<body><header class="site"><nav><a href="/">Home</a> <a href="/about">About</a>
<a href="/archive">Archive 2019–2024</a> <a href="/contact">Contact</a></nav></header>
<main><article>"""
HTML_TAIL = """</article></main>
<aside><h3>Popular posts</h3><ul><li><a href="/p/1">Ten things about sleep (2021)</a></li>
<li><a href="/p/2">Why your knee hurts, 2nd ed.</a></li></ul></aside>
<footer><p>© 2024 A Health Blog. All rights reserved.</p><p>Subscribe to our newsletter.</p>
</footer></body></html>"""
HEADINGS = ("References", "References", "Bibliography", "Sources", "Reference list")
EXTRA_AUTHORS = (
    {"family": "Smith", "given": "John"},
    {"family": "Müller", "given": "Anna"},
    {"family": "Kowalski", "given": "Piotr"},
    {"family": "Nguyen", "given": "Thi"},
)
TOPICS = (
    "what the evidence says",
    "a second look at an old question",
    "why the numbers did not add up",
    "reading the literature so you don't have to",
    "notes from the clinic",
    "a short review",
)
PROSE = (
    "I have been reading around this question for a while, and the picture is less clear "
    "than the headlines suggest.",
    "Most of the work below is observational, so the usual caveats about confounding apply.",
    "The studies differ in how they measured the outcome, which makes comparing them harder "
    "than it looks.",
    "What follows is a summary for readers without the time to go through every paper.",
    "Several of these papers were widely shared when they came out, not always accurately.",
    "Where the authors disagree, I have tried to say why, and which side I find convincing.",
    "Sample sizes vary a lot, and the smaller studies should be read with that in mind.",
    "None of this is advice; talk to someone qualified before you change anything.",
)


# --- CSL-JSON items -----------------------------------------------------------------------


def date_of(record: dict[str, Any], key: str) -> list[int] | None:
    try:
        parts = record[key]["date-parts"][0]
    except (KeyError, IndexError, TypeError):
        return None
    numbers = [int(p) for p in parts if isinstance(p, int | str) and str(p).isdigit()]
    return numbers[:3] or None


def text_of(value: Any) -> str | None:
    """A Crossref text field as a reference manager shows it: markup and entities gone."""
    text = first(value)
    return first(html.unescape(text)) if text else None


def person(author: dict[str, Any]) -> dict[str, str] | None:
    family, given = text_of(author.get("family")), text_of(author.get("given"))
    if given:
        # citeproc-py garbles a lower-case part after a hyphen ("Zhi-han" -> "Z.-. han .");
        # citeproc-js prints "Z.-H.", which is what this gives citeproc-py too.
        given = re.sub(r"-([a-z])", lambda m: "-" + m[1].upper(), given)
    if family:
        return {"family": family, "given": given} if given else {"family": family}
    literal = text_of(author.get("name")) or given
    return {"literal": literal} if literal else None


def csl_item(record: dict[str, Any], key: str) -> dict[str, Any]:
    """The CSL-JSON item a reference manager would hold for the record (DOI included)."""
    kind = CSL_TYPES.get(str(record.get("type")), "article")
    title = text_of(record.get("title")) or ""
    subtitle = text_of(record.get("subtitle"))
    # Reference managers join Crossref's subtitle to the title, and styles print both.
    if subtitle and subtitle.lower() not in title.lower():
        title = f"{title}: {subtitle}"
    item: dict[str, Any] = {"id": key, "type": kind, "title": title, "DOI": record["DOI"]}
    # A journal's academic editor is in some records, but no writer cites one.
    for role in ("author",) if kind == "article-journal" else ("author", "editor"):
        people = [p for p in (person(a) for a in record.get(role) or []) if p]
        if people:
            item[role] = people
    container = text_of(record.get("container-title"))
    if container and kind != "book":
        item["container-title"] = container
    issued = date_of(record, "published-print") or date_of(record, "issued")
    if issued:
        item["issued"] = {"date-parts": [issued]}
    pages = first(record.get("page")) or first(record.get("article-number"))
    for name, value in (
        ("volume", first(record.get("volume"))),
        ("issue", first(record.get("issue"))),
        ("page", pages),
    ):
        if value:
            item[name] = value
    if kind in {"book", "chapter", "paper-conference", "report", "thesis", "dataset"}:
        if first(record.get("publisher")):
            item["publisher"] = first(record.get("publisher"))
        if first(record.get("publisher-location")):
            item["publisher-place"] = first(record.get("publisher-location"))
    return item


def vary(item: dict[str, Any], record: dict[str, Any], variations: Iterable[str]) -> dict[str, Any]:
    """The item as a writer's reference manager might hold it: harmless differences only."""
    out = copy.deepcopy(item)
    v = set(variations)
    for name in out.get("author", []):
        if "family" not in name:
            continue
        if "particles-capitalised" in v:
            name["family"] = " ".join(
                w.capitalize() if w.lower() in PARTICLES else w for w in name["family"].split()
            )
        if "diacritics-dropped" in v:
            for part in ("family", "given"):
                if part in name:
                    name[part] = anyascii(name[part])
    short = text_of(record.get("short-container-title"))
    if "journal-abbreviated" in v and short and "container-title" in out:
        out["container-title"] = short
    online = date_of(record, "published-online")
    if "online-year" in v and online:
        out["issued"] = {"date-parts": [online]}
    if "sentence-case" in v:
        out["title"] = sentence_case(out["title"])
    if "pages-abbreviated" in v and "page" in out:
        out["page"] = abbreviate_range(out["page"])
    return out


def inject(
    item: dict[str, Any],
    record: dict[str, Any],
    kind: str,
    other: dict[str, Any],
    rng: random.Random,
) -> dict[str, Any]:
    """A copy of the item with one real error of the given kind."""
    out = copy.deepcopy(item)
    people = out.get("author", [])
    if kind in {"volume", "sici-doi-volume"}:
        out["volume"] = str(int(re.sub(r"\D", "", out["volume"]) or 0) + rng.choice([1, 2, 3, -1]))
    elif kind == "issue":
        out["issue"] = str(int(re.sub(r"\D", "", out["issue"]) or 0) + rng.choice([1, 2]))
    elif kind == "pages":
        pages = out["page"]
        start = int(re.match(r"\D*(\d+)", pages)[1])  # type: ignore[index]
        shifted = start + rng.choice([1, 2, 10, 100])
        out["page"] = f"{shifted}-{shifted + 9}" if re.search(r"[-–]", pages) else str(shifted)
    elif kind == "year" or kind.startswith("year-no-doi"):
        parts = out.get("issued", {}).get("date-parts", [[2000]])[0]
        # Any year the record gives (print, online) would be a right year, not an error.
        taken = {parts[0]} | known_years(record)
        year = parts[0] + rng.choice([-3, -2, 2, 3, 5])
        while year in taken:
            year += 1
        out["issued"] = {"date-parts": [[year, *parts[1:]]]}
    elif kind == "author-misspelled":
        index = rng.choice([i for i, p in enumerate(people) if "family" in p] or [0])
        part = "family" if "family" in people[index] else "literal"
        typo = misspell(people[index][part], rng)
        # A typo in a name set in capitals ("PENG") is a capital too.
        people[index][part] = typo.upper() if people[index][part].isupper() else typo
    elif kind == "author-missing":
        del people[rng.randrange(len(people))]
    elif kind == "author-extra":
        people.insert(rng.randrange(len(people) + 1), dict(rng.choice(EXTRA_AUTHORS)))
    elif kind == "author-order":
        i = rng.randrange(len(people) - 1)
        people[i], people[i + 1] = people[i + 1], people[i]
    elif kind == "title":
        out["title"] = text_of(other.get("title")) or "A different study altogether"
    elif kind == "doi-other-work":
        out["DOI"] = other["DOI"]
    elif kind == "end-page":
        start, last = classes.complete_range(record) or (1, 2)
        pages = f"{start}-{classes.wrong_end_page(start, last, rng)}"
        # A writer who shortens ranges shortens the wrong one too.
        out["page"] = pages if out["page"] == first(record.get("page")) else abbreviate_range(pages)
    elif kind.startswith("title-word"):
        out["title"] = classes.edit_title(kind, out["title"], title_of(other), rng) or out["title"]
    elif kind == "year-volume-is-year":
        parts = out["issued"]["date-parts"][0]
        out["issued"] = {
            "date-parts": [[classes.year_beside_year_volume(record, parts[0], rng), *parts[1:]]]
        }
    elif kind.startswith("author-middle"):
        index = rng.choice(classes.typo_positions(kind, record))
        people[index]["family"] = classes.misspelled_middle(kind, people[index]["family"], rng)
    return out


def known_years(record: dict[str, Any]) -> set[int]:
    keys = ("published-print", "published-online", "issued", "published")
    return {parts[0] for key in keys if (parts := date_of(record, key))}


# --- rendering ------------------------------------------------------------------------------


class Renderer:
    """citeproc-py with the shared styles and locales, no network, plain-text output."""

    def __init__(self) -> None:
        import citeproc.frontend  # type: ignore[import-untyped]
        import citeproc.model  # type: ignore[import-untyped]
        from citeproc import CitationStylesStyle, formatter

        # citeproc-py looks locales up in its own data folder; point it at the shared ones.
        citeproc.frontend.LOCALES_PATH = str(CSL)
        number = citeproc.model.FormatNumber
        shorten: Any = getattr(number, "_format_last_page", None)

        def last_page(self: Any, first_page: str, last: str) -> str:
            # citeproc-py shortens 1-12 to "1–2", and 250-250 and 180-1 to "250–", "180–";
            # citeproc-js reads 180-1 as 180-181 and shortens only ends of as many digits.
            if len(last) < len(first_page) and last.isdigit() and first_page.isdigit():
                last = first_page[: len(first_page) - len(last)] + last
            if len(last) != len(first_page) or last == first_page:
                return last
            return str(shorten(self, first_page, last))

        if shorten is not None:
            number._format_last_page = last_page
        self.formatter = formatter.plain
        self.styles: dict[str, Any] = {}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for style in STYLES:
                self.styles[style] = CitationStylesStyle(
                    str(CSL / f"{style}.csl"), locale=STYLE_LOCALES.get(style), validate=False
                )

    def render(self, style: str, item: dict[str, Any]) -> str:
        from citeproc import (
            Citation,
            CitationItem,
            CitationStylesBibliography,
        )
        from citeproc.source.json import CiteProcJSON  # type: ignore[import-untyped]

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            bibliography = CitationStylesBibliography(
                self.styles[style], CiteProcJSON([item]), self.formatter
            )
            bibliography.register(Citation([CitationItem(str(item["id"]).lower())]))
            text = str(bibliography.bibliography()[0])
        return as_citeproc_js(style, " ".join(text.split()))


def as_citeproc_js(style: str, text: str) -> str:
    """Undo citeproc-py's departures from what citeproc-js (Zotero, Mendeley) prints."""
    # Date parts lose their delimiter in citeproc-py: "2019Mar1;" is "2019 Mar 1;".
    text = re.sub(
        r"\b(\d{4})([A-Z][a-z]{2,8})(\d{1,2})?(?=[;.,:])",
        lambda m: " ".join(p for p in m.groups() if p),
        text,
    )
    # An empty volume/issue/pages group keeps its ";" prefix in citeproc-py: "2020;."
    text = re.sub(r";\.$", ".", text)
    # The en-US locale puts periods and commas inside closing quotes; citeproc-py does not.
    if STYLE_LOCALES.get(style, "en-US") == "en-US":
        # ... and a title that ends in its own stop takes no second one ("blogs?,”").
        text = re.sub(r"([.?!])([”’])[.,]", r"\1\2", text)
        text = re.sub(r"([”’])([.,])", r"\2\1", text)
    return text


def strip_number(text: str) -> str:
    """A numeric style's entry without its citation number ("[1]", "1.")."""
    return re.sub(r"^\s*(?:\[\d+\]|\d+\.)\s*", "", text)


# --- cases ----------------------------------------------------------------------------------


@dataclass
class PostCase:
    key: str
    style: str
    record: dict[str, Any]
    kind: str  # "correct" or an ERRORS key
    cites_doi: bool
    variations: tuple[str, ...]
    text: str  # as rendered, without the citation number
    path: str = ""
    line: int = 0
    post_format: str = ""


def build_cases(
    records: Sequence[dict[str, Any]],
    pool: Sequence[dict[str, Any]],
    renderer: Renderer,
    rng: random.Random,
) -> list[PostCase]:
    cases: list[PostCase] = []
    for n, record in enumerate(records):
        base = csl_item(record, f"r{n}")
        for style in STYLES:
            variations = tuple(v for v in VARIATIONS if rng.random() < 0.3)
            cites_doi = rng.random() < 0.5
            item = vary(base, record, variations)
            if not cites_doi:
                del item["DOI"]
            text = renderer.render(style, item)
            cases.append(PostCase(f"{style}:c{n}", style, record, "correct", cites_doi,
                                  variations, strip_number(text)))  # fmt: skip
            kinds = [
                k
                for k in errors_possible(record)
                # No DOI shown: no DOI to get wrong. No year in the record: none to check.
                if (cites_doi or k != "doi-other-work") and (k != "year" or "issued" in item)
            ]
            rng.shuffle(kinds)
            for kind in kinds:
                other = rng.choice(pool)
                while other["DOI"].lower() == record["DOI"].lower():
                    other = rng.choice(pool)
                bad = inject(item, record, kind, other, rng)
                wrong = renderer.render(style, bad)
                if wrong != text and shows_error(kind, item, bad, wrong):
                    cases.append(PostCase(f"{style}:e{n}", style, record, kind, cites_doi,
                                          variations, strip_number(wrong)))  # fmt: skip
                    break
    return cases


def shows_error(kind: str, item: dict[str, Any], bad: dict[str, Any], wrong: str) -> bool:
    """Whether the text of the erroneous item says something false.

    An error the style does not print (a sixth author behind "et al.") is none; nor is an
    extra author the style hides: "Brown et al." is a fair short form of three authors.
    """
    if kind.startswith("author-middle"):
        # A misspelled middle author behind "et al." (MLA, Harvard) is no error shown.
        typo = [p for p in bad.get("author", []) if p not in item.get("author", [])]
        return bool(typo) and typo[0]["family"] in wrong
    if kind != "author-extra":
        return True
    added = [p for p in bad.get("author", []) if p not in item.get("author", [])]
    return bool(added) and added[0]["family"] in wrong


def title_of(record: dict[str, Any]) -> str:
    return text_of(record.get("title")) or ""


def build_class_cases(
    records: Sequence[dict[str, Any]],
    pool: Sequence[dict[str, Any]],
    renderer: Renderer,
    per_class: int,
    kinds: Sequence[str],
) -> list[PostCase]:
    """Issue 12's classes: each record that fits a class, in every style that shows it."""
    cases: list[PostCase] = []
    rngs = {kind: classes.class_rng(kind, "cases") for kind in kinds}
    chosen = classes.class_records(records, per_class, title_of, kinds)
    compounds = classes.compound_families(records)
    for n, (kind, record) in enumerate(chosen):
        rng = rngs[kind]
        if kind in classes.ALTERS_RECORD:
            record = classes.with_compound_author(record, rng, compounds)
        base = csl_item(record, f"x{n}")
        for style in STYLES:
            variations = tuple(v for v in VARIATIONS if rng.random() < 0.3)
            cites_doi = classes.DOI_SHOWN.get(kind, rng.random() < 0.5)
            item = vary(base, record, variations)
            if not cites_doi:
                del item["DOI"]
            text = renderer.render(style, item)
            if kind not in classes.CLASS_CORRECT:
                if kind.startswith("year") and "issued" not in item:
                    continue
                other = classes.other_record(record, kind, pool, title_of, rng)
                bad = inject(item, record, kind, other, rng)
                wrong = renderer.render(style, bad)
                if wrong == text or not shows_error(kind, item, bad, wrong):
                    continue
                text = wrong
            cases.append(PostCase(f"{style}:x{n}", style, record, kind, cites_doi, variations,
                                  strip_number(text)))  # fmt: skip
    return cases


# --- posts ----------------------------------------------------------------------------------


def in_text(case: PostCase, number: int) -> str:
    if case.style in NUMERIC_STYLES:
        return f"[{number}]"
    people = [p for p in case.record.get("author") or [] if p.get("family")]
    name = first(people[0].get("family")) if people else "Anon"
    issued = date_of(case.record, "issued")
    year = issued[0] if issued else "n.d."
    return f"({name} et al., {year})" if len(people) > 2 else f"({name}, {year})"


def prose(cases: Sequence[PostCase], rng: random.Random) -> list[str]:
    """One or two paragraphs citing a few of the references in the text."""
    paragraphs = []
    for _ in range(rng.randint(1, 2)):
        sentences = rng.sample(PROSE, 3)
        cited = rng.sample(range(len(cases)), min(2, len(cases)))
        sentences[1] = sentences[1][:-1] + " " + in_text(cases[cited[0]], cited[0] + 1) + "."
        paragraphs.append(" ".join(sentences))
    return paragraphs


def write_post(
    folder: Path, name: str, cases: list[PostCase], fmt: str, rng: random.Random
) -> Path:
    """Write one post; each case learns the path and line its reference was written on."""
    lines: list[str] = []
    numbered = cases[0].style in NUMERIC_STYLES
    if fmt == "txt-dashes":
        lines += [rng.choice(TOPICS).capitalize(), ""]
        for paragraph in prose(cases, rng):
            lines += [paragraph, ""]
        lines.append("")
        gap = rng.random() < 0.5  # the seed post has a blank line between its references
        marker = rng.choice(["-", "- "])
        for case in cases:
            case.line = len(lines) + 1
            lines.append(marker + case.text)
            if gap:
                lines.append("")
        path = folder / f"{name}.txt"
    elif fmt == "html-page":
        title = rng.choice(TOPICS).capitalize()
        lines += HTML_HEAD.format(title=html.escape(title)).split("\n")
        lines.append(f"<h1>{html.escape(title)}</h1>")
        for paragraph in prose(cases, rng):
            lines.append(f"<p>{html.escape(paragraph)}</p>")
        lines.append(f"<h2>{rng.choice(HEADINGS)}</h2>")
        tag = "ol" if numbered else "ul"
        lines.append(f'<{tag} class="references">')
        for case in cases:
            case.line = len(lines) + 1
            lines.append(f"<li>{_html_reference(case.text)}</li>")
        lines.append(f"</{tag}>")
        lines += HTML_TAIL.split("\n")
        path = folder / f"{name}.html"
    else:
        lines += [f"# {rng.choice(TOPICS).capitalize()}", ""]
        for paragraph in prose(cases, rng):
            lines += [paragraph, ""]
        lines += [f"## {rng.choice(HEADINGS)}", ""]
        bullet = rng.choice(["-", "*"])
        for number, case in enumerate(cases, 1):
            case.line = len(lines) + 1
            if fmt == "md-numbered":
                lines.append(f"{number}. {case.text}")
            elif fmt == "md-bulleted":
                lines.append(f"{bullet} {case.text}")
            else:
                # As pasted from a word processor: the number glued on, as citeproc prints it.
                label = ("[{}]" if case.style == "ieee" else "{}.").format(number)
                lines += [(label if numbered else "") + case.text, ""]
        path = folder / f"{name}.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for case in cases:
        case.path, case.post_format = str(path), fmt
    return path


_DOI_URL = re.compile(r"https://doi\.org/\S+?(?=[.,;]?(?:\s|$))")


def _html_reference(text: str) -> str:
    """A reference as a page writes it: escaped, its DOI URL a link."""
    escaped = html.escape(text, quote=False)
    return _DOI_URL.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', escaped)


def write_posts(
    folder: Path, cases: list[PostCase], rng: random.Random, prefix: str = ""
) -> dict[str, list[Path]]:
    files: dict[str, list[Path]] = defaultdict(list)
    for style in STYLES:
        mine = [c for c in cases if c.style == style]
        rng.shuffle(mine)
        start = 0
        while start < len(mine):
            size = rng.randint(4, 16)
            if len(mine) - (start + size) < 3:
                size = len(mine) - start  # no post of one or two references at the end
            fmt = rng.choices(FORMATS, FORMAT_WEIGHTS)[0]
            name = f"{prefix}{SHORT_NAMES.get(style, style)}-{len(files[style]) + 1:03d}"
            files[style].append(write_post(folder, name, mine[start : start + size], fmt, rng))
            start += size
    return files


# --- scoring --------------------------------------------------------------------------------

Pair = tuple[PostCase, Verdict | None]  # a reference written, and its verdict if it was read


def alarm(verdict: Verdict) -> bool:
    return verdict.status.value != "verified" or any(
        f.severity is not Severity.INFO and f.field != "retraction" for f in verdict.findings
    )


def right_doi(case: PostCase, verdict: Verdict) -> bool:
    return verdict.work is not None and verdict.work.doi.lower() == case.record["DOI"].lower()


def named(case: PostCase, verdict: Verdict) -> bool:
    field = ERRORS[case.kind]
    return any(f.field == field and f.severity is not Severity.INFO for f in verdict.findings)


@dataclass
class Tally:
    written: int = 0
    read: int = 0
    extra: int = 0
    doi_shown: list[int] = field(default_factory=lambda: [0, 0])  # right, of
    doi_hidden: list[int] = field(default_factory=lambda: [0, 0])
    correct: int = 0
    alarms: int = 0
    injected: int = 0
    caught: int = 0
    named: int = 0
    seconds: float = 0.0

    def add(self, other: Tally) -> None:
        for name in ("written", "read", "extra", "correct", "alarms", "injected", "caught",
                     "named", "seconds"):  # fmt: skip
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for mine, theirs in ((self.doi_shown, other.doi_shown),
                             (self.doi_hidden, other.doi_hidden)):  # fmt: skip
            mine[0] += theirs[0]
            mine[1] += theirs[1]


def pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:6.2f}%" if whole else "      -"


def tally(pairs: Sequence[Pair], extra: int, seconds: float) -> Tally:
    t = Tally(written=len(pairs), extra=extra, seconds=seconds)
    for case, verdict in pairs:
        if verdict is None:
            continue
        t.read += 1
        if case.kind == "correct":
            t.correct += 1
            t.alarms += alarm(verdict)
            group = t.doi_shown if case.cites_doi else t.doi_hidden
            group[0] += right_doi(case, verdict)
            group[1] += 1
        else:
            t.injected += 1
            if caught(verdict):
                t.caught += 1
                t.named += named(case, verdict)
    return t


def row(label: str, t: Tally) -> str:
    return (
        f"{label:<28}{t.read:>5}/{t.written:<5}{t.extra:>6} "
        f"{pct(*t.doi_shown)} {pct(*t.doi_hidden)} {pct(t.alarms, t.correct)} "
        f"{pct(t.caught, t.injected)} {pct(t.named, t.caught)} {t.seconds:7.1f}"
    )


def signature(case: PostCase, verdict: Verdict | None) -> str:
    """What refcheck got wrong, coarsely: the status and the codes of its findings."""
    if verdict is None:
        return f"not read ({case.post_format})"
    codes = sorted({f"{f.code} {f.field}" for f in verdict.findings
                    if f.severity is not Severity.INFO and f.field != "retraction"})  # fmt: skip
    return " ".join([verdict.status.value, *codes])


def short(style: str) -> str:
    return SHORT_NAMES.get(style, style)


# --- running --------------------------------------------------------------------------------


@dataclass
class Outcome:
    pairs: dict[str, list[Pair]]  # by style
    extras: dict[str, list[Verdict]]  # reads at no line a reference was written on
    seconds: dict[str, float]
    files: dict[str, list[Path]]
    class_pairs: list[Pair] = field(default_factory=list)  # issue 12's classes, all styles


async def check_style(files: list[Path], server_url: str) -> tuple[list[Verdict], float]:
    settings = Settings(crossref_url=server_url, no_cache=True, timeout=30)
    pacer = Pacer(Limits(single_rate=1000, list_rate=1000, concurrency=8))
    client = CrossrefClient(server_url, "bench@example.org", timeout=30, pacer=pacer)
    started = time.perf_counter()
    references = read_references(files)
    async with Resolver(settings, client=client) as resolver:
        verdicts = await check_async(references, settings, resolver=resolver)
    return verdicts, time.perf_counter() - started


async def check_posts(
    cases: list[PostCase],
    class_cases: list[PostCase],
    all_records: list[dict[str, Any]],
    folder: Path,
    rng: random.Random,
    class_rng: random.Random,
) -> Outcome:
    outcome = Outcome({}, {}, {}, write_posts(folder, cases, rng))
    # Issue 12's classes go in posts of their own, checked apart: the original posts, their
    # figures and their times stay as they were.
    # Classes that alter their records are written and checked apart, against a stand-in
    # serving the altered records; the others' posts stay as they were without them.
    altering = [c for c in class_cases if c.kind in classes.ALTERS_RECORD]
    plain = [c for c in class_cases if c.kind not in classes.ALTERS_RECORD]
    class_files = write_posts(folder, plain, class_rng, prefix="x-")
    # Accuracy, not pacing, is measured: the stand-in is local and allows any pace.
    with CrossrefStandin(all_records, rate_limit=1000, list_rate_limit=1000) as server:
        for style in STYLES:
            verdicts, outcome.seconds[style] = await check_style(outcome.files[style], server.url)
            mine = [c for c in cases if c.style == style]
            outcome.pairs[style], outcome.extras[style] = pair_up(mine, verdicts)
            if class_files[style]:
                verdicts, _ = await check_style(class_files[style], server.url)
                pairs, _ = pair_up([c for c in plain if c.style == style], verdicts)
                outcome.class_pairs += pairs
    if altering:
        altered = {c.record["DOI"].lower(): c.record for c in altering}
        served = [altered.get(r["DOI"].lower(), r) for r in all_records]
        altered_files = write_posts(folder, altering, classes.class_rng("altered", "posts"), "y-")
        with CrossrefStandin(served, rate_limit=1000, list_rate_limit=1000) as server:
            for style in STYLES:
                if altered_files[style]:
                    verdicts, _ = await check_style(altered_files[style], server.url)
                    mine = [c for c in altering if c.style == style]
                    outcome.class_pairs += pair_up(mine, verdicts)[0]
    return outcome


def pair_up(mine: list[PostCase], verdicts: list[Verdict]) -> tuple[list[Pair], list[Verdict]]:
    """Each case with the verdict read at its line; and the reads at no case's line."""
    at: dict[tuple[str, int], Verdict] = {}
    extras: list[Verdict] = []
    for verdict in verdicts:
        location = verdict.reference.location
        spot = (location.path or "", location.line or 0)
        if spot in at:
            extras.append(verdict)
        else:
            at[spot] = verdict
    wanted = {(c.path, c.line) for c in mine}
    extras += [v for s, v in at.items() if s not in wanted]
    return [(c, at.get((c.path, c.line))) for c in mine], extras


async def run_posts(
    split: str,
    limit: int,
    verbose: bool,
    examples: int,
    out: str | None = None,
    dump: str | None = None,
    per_class: int = 0,
    kinds: Sequence[str] = (),
) -> None:
    with gzip.open(WORKS, "rt", encoding="utf-8") as lines:
        all_records = [json.loads(line) for line in lines]
    pool = [r for r in all_records if usable(r)]
    records = [r for r in pool if split == "all" or split_of(r["DOI"]) == split]
    rng = random.Random(SEED)
    rng.shuffle(records)
    split_records = list(records)
    records = records[:limit] if limit else records
    renderer = Renderer()
    started = time.perf_counter()
    cases = build_cases(records, pool, renderer, rng)
    rendering = time.perf_counter() - started
    class_cases = build_class_cases(split_records, pool, renderer, per_class, kinds)
    class_rng = classes.class_rng("all", "posts")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(out or tmp)
        folder.mkdir(parents=True, exist_ok=True)
        outcome = await check_posts(cases, class_cases, all_records, folder, rng, class_rng)
        if verbose:
            for path in sorted(outcome.files["apa"])[:1] + sorted(outcome.files["ieee"])[:1]:
                print(f"--- sample post {path.name} ---\n{path.read_text(encoding='utf-8')}")

    n_posts = sum(len(f) for f in outcome.files.values())
    print(f"refcheck on rendered blog posts — records: split {split}, {len(records)} records; "
          f"{len(cases)} references in {n_posts} posts ({rendering:.1f} s to render)")  # fmt: skip
    report_table(cases, outcome)
    pairs = [p for style in STYLES for p in outcome.pairs[style]]
    report_breakdowns(pairs)
    report_kinds(pairs, examples, verbose)
    if verbose:
        for style in STYLES:
            for v in outcome.extras[style][:5]:
                text = v.reference.text[:160]
                print(f"extra read ({style}): line {v.reference.location.line}: {text!r}")
    if class_cases:
        print(f"\n{len(class_cases)} references of issue 12's classes "
              f"({time.perf_counter() - started:.1f} s in all)")  # fmt: skip
        scored = [classes.Scored(c.kind, c.text, c.record["DOI"], v, short(c.style))
                  for c, v in outcome.class_pairs]  # fmt: skip
        classes.print_class_table(scored, verbose, examples)
    if dump:
        write_dump(Path(dump), pairs + outcome.class_pairs)


def report_table(cases: list[PostCase], outcome: Outcome) -> None:
    tuning = [short(s) for s in STYLES if s not in HELD_OUT_STYLES]
    held_out = [short(s) for s in STYLES if s in HELD_OUT_STYLES]
    print(f"styles: tune = {', '.join(tuning)}; "
          f"held out (never looked at while tuning) = {', '.join(held_out)}")  # fmt: skip
    formats = Counter(c.post_format for c in cases)
    print("post formats: " + ", ".join(f"{k} {v}" for k, v in sorted(formats.items())))
    print("\nread: references read at the line they were written on / written; extra: reads "
          "at no such line.\nDOI+ / DOI-: right DOI for correct references that show / do not "
          "show their DOI;\nalarms: correct references with a warning or error (retractions "
          "aside) or not verified;\nrecall: injected errors with a warning or error, or "
          "mismatch / not found; field: of those, on the\nerror's field. Rates are over the "
          "references read; time = reading + checking.")  # fmt: skip
    print(f"{'style':<28}{'read':>5}/{'wrote':<5}{'extra':>6} {'DOI+':>7} {'DOI-':>7} "
          f"{'alarms':>7} {'recall':>7} {'field':>7} {'time s':>7}")  # fmt: skip
    total, tune, held = Tally(), Tally(), Tally()
    for style in STYLES:
        t = tally(outcome.pairs[style], len(outcome.extras[style]), outcome.seconds[style])
        kind = "held out" if style in HELD_OUT_STYLES else "tune"
        print(row(f"{short(style)} [{kind}]", t))
        total.add(t)
        (held if style in HELD_OUT_STYLES else tune).add(t)
    print(row("tune styles", tune))
    print(row("held-out styles", held))
    print(row("all styles", total))
    print("targets: right DOI ≥ 98% (shown or hidden), false alarms ≤ 1%, errors caught ≥ 97%")


def report_breakdowns(pairs: list[Pair]) -> None:
    read = [(c, v) for c, v in pairs if v is not None]
    print("\ninjected errors, all styles:")
    print(f"  {'error':<20}{'n':>6}{'caught':>8}{'recall':>9}{'field':>9}")
    for kind in ERRORS:
        group = [(c, v) for c, v in read if c.kind == kind]
        hit = [(c, v) for c, v in group if caught(v)]
        field_ok = sum(named(c, v) for c, v in hit)
        print(f"  {kind:<20}{len(group):>6}{len(hit):>8}{pct(len(hit), len(group)):>9}"
              f"{pct(field_ok, len(hit)):>9}")  # fmt: skip
    by_variation: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for c, v in read:
        if c.kind == "correct":
            for variation in (*c.variations, "doi-shown" if c.cites_doi else "doi-hidden"):
                by_variation[variation][0] += alarm(v)
                by_variation[variation][1] += 1
    print("\nfalse alarms by variation present: " + ", ".join(
        f"{k} {a}/{n}" for k, (a, n) in sorted(by_variation.items())))  # fmt: skip
    by_format: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for c, maybe in pairs:
        by_format[c.post_format][0] += maybe is not None
        by_format[c.post_format][1] += 1
    print("read by post format: " + ", ".join(
        f"{k} {r}/{n}" for k, (r, n) in sorted(by_format.items())))  # fmt: skip


def report_kinds(pairs: list[Pair], examples: int, verbose: bool) -> None:
    """The commonest kinds of false alarm, miss and wrong DOI, each with an example."""
    groups = {
        "false alarms on correct references": [
            (c, v) for c, v in pairs if c.kind == "correct" and (v is None or alarm(v))
        ],
        "missed injected errors": [
            (c, v) for c, v in pairs if c.kind != "correct" and (v is None or not caught(v))
        ],
        "wrong or no DOI on correct references": [
            (c, v) for c, v in pairs if c.kind == "correct" and (v is None or not right_doi(c, v))
        ],
    }
    for title, members in groups.items():
        kinds: dict[str, list[Pair]] = defaultdict(list)
        for c, v in members:
            label = signature(c, v) if c.kind == "correct" else f"{c.kind}: {signature(c, v)}"
            kinds[label].append((c, v))
        print(f"\nmost common {title} ({len(members)}):")
        for label, group in sorted(kinds.items(), key=lambda kv: -len(kv[1]))[:examples]:
            styles = Counter(short(c.style) for c, _ in group)
            common = ", ".join(f"{s} {n}" for s, n in styles.most_common(4))
            print(f"  {len(group):>4}  {label}   [{common}]")
            for c, v in group[: 4 if verbose else 1]:
                print(f"        e.g. {c.text}")
                print(f"        record {c.record['DOI']}; refcheck: {classes.said(v)}")
                if verbose:
                    print(f"        in {Path(c.path).name} line {c.line}; {c.variations}")


def write_dump(path: Path, pairs: list[Pair]) -> None:
    with path.open("w", encoding="utf-8") as out:
        for c, v in pairs:
            out.write(json.dumps({
                "style": c.style, "kind": c.kind, "doi": c.record["DOI"],
                "cites_doi": c.cites_doi, "variations": c.variations,
                "post": Path(c.path).name, "line": c.line, "format": c.post_format,
                "text": c.text,
                "status": v.status.value if v else None,
                "work": v.work.doi if v and v.work else None,
                "findings": [f.model_dump(mode="json") for f in v.findings] if v else [],
                "message": v.message if v else None,
            }, ensure_ascii=False) + "\n")  # fmt: skip


# --- section 2: real deposited reference strings ------------------------------------------


def doi_key(doi: str) -> str:
    return doi.lower().rstrip(".")


def run_real_2000(verbose: bool) -> None:
    if not REAL_2000.exists():
        print(f"\n(section 2 skipped: {REAL_2000} not found)")
        return
    data = json.loads(REAL_2000.read_text(encoding="utf-8"))["dataset"]
    started = time.perf_counter()
    parsed = [parse_reference(item["ref_string"]) for item in data]
    found = [find_dois(item["ref_string"]) for item in data]
    elapsed = time.perf_counter() - started
    gold = [(item["target_gt"] or {}).get("DOI") for item in data]
    print("\n\nSection 2 — Crossref reference-matching evaluation, real_2000: "
          f"{len(data)} real deposited reference strings, {sum(map(bool, gold))} with a "
          "verified DOI")  # fmt: skip
    print(f"  parse + find_dois: {elapsed:.1f} s ({1000 * elapsed / len(data):.2f} ms a string)")
    shows = [i for i, g in enumerate(gold) if g and "10." in data[i]["ref_string"]
             and doi_key(g) in data[i]["ref_string"].lower()]  # fmt: skip
    ok_find = sum(1 for i in shows if doi_key(gold[i] or "") in map(doi_key, found[i]))
    ok_parse = sum(1 for i in shows if parsed[i].doi and doi_key(parsed[i].doi or "") ==
                   doi_key(gold[i] or ""))  # fmt: skip
    print(f"  strings that show their gold DOI: {len(shows)}")
    print(f"    find_dois finds it:              {ok_find}/{len(shows)} = "
          f"{pct(ok_find, len(shows)).strip()}")  # fmt: skip
    print(f"    parse_reference(...).doi is it:  {ok_parse}/{len(shows)} = "
          f"{pct(ok_parse, len(shows)).strip()}")  # fmt: skip
    wrong = [i for i, p in enumerate(parsed) if p.doi and (not gold[i] or
             doi_key(p.doi) != doi_key(gold[i] or ""))]  # fmt: skip
    other_text = [i for i in wrong if i not in shows]
    print(f"  parse_reference(...).doi other than the gold DOI: {len(wrong)} "
          f"(of which {len(other_text)} in strings not showing the gold DOI)")  # fmt: skip
    if verbose or wrong:
        for i in wrong[:8]:
            print(f"    gold {gold[i]!s:<34} parsed {parsed[i].doi!s:<34} "
                  f"{data[i]['ref_string'][:140]!r}")  # fmt: skip
    missed = [i for i in shows if doi_key(gold[i] or "") not in map(doi_key, found[i])]
    for i in missed[:8]:
        print(f"    missed gold {gold[i]}: found {found[i]} in {data[i]['ref_string'][:160]!r}")

    print("  fields the parser found (share of all strings / of strings with a gold DOI):")
    with_doi = [i for i, g in enumerate(gold) if g]
    for name in ("authors", "year", "title", "container", "volume", "pages", "doi"):
        has = [bool(getattr(p, name)) for p in parsed]
        among_doi = sum(has[i] for i in with_doi)
        print(f"    {name:<10} {pct(sum(has), len(has))}  {pct(among_doi, len(with_doi))}")
    searchable = [bool(p.authors and p.year and (p.title or p.container)) for p in parsed]
    print(f"    authors + year + title or container (a usable search): "
          f"{pct(sum(searchable), len(searchable)).strip()}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=["heldout", "tune", "all"], default="heldout")
    parser.add_argument("--limit", type=int, default=200,
                        help="records to use (0 = all of the split); default 200")  # fmt: skip
    parser.add_argument("--examples", type=int, default=10, help="kinds listed per group")
    parser.add_argument("--out", help="write the posts into this folder and keep them")
    parser.add_argument("--dump", help="write every reference and its verdict here (JSON lines)")
    classes.add_class_options(parser, 40, "each in every style")
    parser.add_argument("-v", action="store_true", help="sample posts, extra reads, more detail")
    args = parser.parse_args()
    if not WORKS.exists():
        sys.exit(f"posts: {WORKS} not found (../shared is needed)")
    try:
        import citeproc  # noqa: F401
    except ImportError:
        sys.exit("posts: citeproc-py is needed (.venv/bin/pip install -e '.[dev]')")
    asyncio.run(
        run_posts(
            args.split,
            args.limit,
            args.v,
            args.examples,
            args.out,
            args.dump,
            args.class_records,
            args.classes,
        )
    )
    run_real_2000(args.v)


if __name__ == "__main__":
    main()
