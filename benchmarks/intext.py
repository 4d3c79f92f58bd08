"""In-text citations against the reference list, on generated posts. Prints figures; not a test.

Each post holds 4-10 real Crossref records of ../shared/crossref/works-dev.jsonl.gz, cited in
its prose and listed under a references heading, both rendered by citeproc-py through one CSL
style of ../shared/csl (posts.py's renderer: the in-text citations are the style's own
citation layout, registered in the order the prose cites them, so numeric styles number
them as a writer's reference manager does). Author-year styles: APA, Cite Them Right,
Elsevier Harvard, Chicago author-date; some single citations are turned narrative
("Kasch et al. (2022)"), some cite two works at once. Numeric: IEEE ("[1]", "[2], [5]"),
Vancouver and NLM ("(1)", "(2,5)"), AMA (superscripts, written as ``<sup>1</sup>``). MLA is
left out: its in-text form names author and title, not a year, and is not read. A ninth
"style", ``pandoc``, writes Markdown/Quarto posts that cite by key (``[@key]``, ``[see @key,
p. 4; @other]``, ``@key says``, ``[-@key]``) against a front-matter ``bibliography:`` file
(BibTeX beside the post) or ``references:`` block, with no list of their own.

Posts are Markdown (numbered, bulleted or paragraph lists), plain text (a trailing run of "-"
lines, like the seed post) or saved HTML pages. Their prose carries distractors that only
look like citations: "in 2022", "(n = 283)", "(84%)", "(p < 0.05)", "(Table 2)", "[sic]",
"(see Figure 3)", "(WHO)", "(95% CI 1.2-3.4)", "(March 2021)", "a 2019 Cochrane review",
"(1) whether ... and (2) for whom" enumerations, "@handles".

Each post holds at most one injected slip: wrong year (an author-year citation's year moved
off every year of the work), wrong first author (another record's family name), missing
entry (a cited work's entry deleted; in a numeric style the last entry, so that its number
points beyond the list), uncited entry (one more entry in the list, cited nowhere), number
out of range (a numeric citation one to three beyond the list), undefined key (a key cited
with a typo). A slip is caught when a finding of the in-text rules (RC801-RC805) stands at the
slipped citation (for an uncited entry: at the entry's line; for a missing entry: at every
citation of it). Every other finding is a false alarm, counted against the in-text citations
written. Also: the share of written citations found where they were written, and of those
linked to the entry they cite.

Offline and pure: no registry is asked. Each post is read as ``refcheck check`` reads it
(``read_references``, ``read_citations``, the front matter's keys), its entries taken as
verdicts with no work, and linked (``link_citations``). Records are split by DOI hash as in
accuracy.py; ``--split tune`` uses the tune records and the tuning styles only, ``heldout``
(the default) the held-out records in every style (Elsevier Harvard and AMA are held-out
styles, never looked at while tuning).

    .venv/bin/python benchmarks/intext.py [--split heldout|tune|all] [--posts N] [--out DIR] [-v]
"""

from __future__ import annotations

import argparse
import gzip
import html
import json
import random
import re
import sys
import tempfile
import textwrap
import time
import warnings
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from anyascii import anyascii

sys.path.insert(0, str(Path(__file__).resolve().parent))

from accuracy import SEED, WORKS, split_of, usable  # benchmarks/ is not a package
from posts import (
    HEADINGS,
    HTML_HEAD,
    HTML_TAIL,
    PROSE,
    TOPICS,
    Renderer,
    as_citeproc_js,
    csl_item,
    date_of,
    strip_number,
)

from refcheck.api import link_citations, read_citations, read_references
from refcheck.models import CitationFinding, Status, Verdict
from refcheck.readers import load_text, read_path
from refcheck.readers.citations import front_matter_keys

AUTHOR_YEAR = ("apa", "harvard-cite-them-right", "elsevier-harvard", "chicago-author-date")
NUMERIC = ("ieee", "vancouver", "nlm-citation-sequence", "american-medical-association")
KEYS = "pandoc"
STYLES = (*AUTHOR_YEAR, *NUMERIC, KEYS)
HELD_OUT_STYLES = frozenset({"elsevier-harvard", "american-medical-association"})
SHORT = {
    "harvard-cite-them-right": "harvard-ctr",
    "chicago-author-date": "chicago-ad",
    "nlm-citation-sequence": "nlm",
    "american-medical-association": "ama",
}
SLIPS = (
    "wrong-year",
    "wrong-first-author",
    "missing-entry",
    "uncited-entry",
    "number-out-of-range",
    "undefined-key",
)
STYLE_SLIPS = {
    "author-year": ("wrong-year", "wrong-first-author", "missing-entry", "uncited-entry"),
    "numeric": ("missing-entry", "uncited-entry", "number-out-of-range"),
    "keys": ("undefined-key",),
}
# Sentences that only look like they cite: each is put into some paragraph.
DISTRACTORS = (
    "The survey ran in 2022 and again in 2023.",
    "Of the patients enrolled (n = 283), most were women.",
    "Most respondents (84%) said they would do it again.",
    "The difference was significant (p < 0.05) but small.",
    "The effect sizes are summarised below (Table 2).",
    'One participant wrote that the pain "was worse then ever [sic]".',
    "Recovery took longer in the older group (see Figure 3).",
    "The World Health Organization (WHO) and the NHS both issued guidance.",
    "Imaging (MRI) was only done where symptoms persisted.",
    "The odds ratio was 2.1 (95% CI 1.2-3.4).",
    "The guidance was last revised (March 2021) after a consultation.",
    "A 2019 Cochrane review reached a similar conclusion.",
    "Between 2015 and 2019 the number of prescriptions doubled.",
    "The trial asked two questions: (1) whether it helps and (2) for whom.",
    "Adults (aged 18-65) were eligible.",
    "Since the pandemic (COVID-19) began, waiting lists have grown.",
    "Windows 10 (2019 update) broke the app we used to log the data.",
    "Follow @healthblog for updates, or write to editor@example.org.",
    "The questionnaire [Appendix A] is available on request.",
    "This was Version 2 (2020), not the first release.",
)


@dataclass
class Cite:
    """One citation written in the prose: the records it cites, its text and where it is."""

    keys: tuple[str, ...]
    text: str
    line: int = 0
    column: int = 0  # 1-based, of the citation's first character
    slip: str | None = None


@dataclass
class Post:
    style: str
    path: Path
    slip: str | None
    cites: list[Cite]
    entry_line: dict[str, int]  # record key -> line of its list entry
    slip_entry_line: int | None = None  # an uncited entry's line
    slip_keys: tuple[str, ...] = ()  # the records a missing entry leaves uncovered
    findings: list[CitationFinding] = field(default_factory=list)
    found: int = 0
    list_read: bool = True  # every entry of the list read at its line, with authors
    linked_right: int = 0
    checked_links: int = 0


def odd_name(name: str) -> bool:
    """A first author no plain "Surname" form reads: a group ("Canadian Pain Society Study
    Day participants"), all capitals ("MEYER"), or initials ("P., K.")."""
    letters = [c for c in name if c.isalpha()]
    return bool(letters) and (
        len(name.split()) >= 3 or all(c.isupper() for c in letters) or len(letters) <= 2
    )


def family(item: dict[str, Any]) -> str:
    people = item.get("author") or []
    return str(people[0].get("family") or people[0].get("literal") or "") if people else ""


def bib_key(item: dict[str, Any], taken: set[str]) -> str:
    """A Better BibTeX-like key: the first author's family and the year ("kasch2022")."""
    year = (item.get("issued") or {}).get("date-parts", [[""]])[0][0]
    stem = re.sub(r"[^a-z]", "", anyascii(family(item)).lower())[:20] or "anon"
    key = f"{stem}{year}"
    suffix = ord("a")
    while key in taken:
        key = f"{stem}{year}{chr(suffix)}"
        suffix += 1
    taken.add(key)
    return key


def bibtex(items: Sequence[dict[str, Any]], keys: Sequence[str]) -> str:
    out = []
    for item, key in zip(items, keys, strict=True):
        people = " and ".join(
            f"{p['family']}, {p.get('given', '')}".strip(", ") if "family" in p else p["literal"]
            for p in item.get("author", [])
        )
        year = (item.get("issued") or {}).get("date-parts", [[""]])[0][0]
        title = re.sub(r"[{}\\]", "", item.get("title", ""))
        container = re.sub(r"[{}\\]", "", item.get("container-title", ""))
        fields = [f"  author = {{{people}}}", f"  title = {{{title}}}", f"  year = {{{year}}}"]
        if container:
            fields.append(f"  journal = {{{container}}}")
        if item.get("DOI"):
            fields.append(f"  doi = {{{item['DOI']}}}")
        out.append(f"@article{{{key},\n" + ",\n".join(fields) + "\n}\n")
    return "\n".join(out)


class Rendering:
    """A post's citations and list as citeproc-py renders them through one style."""

    def __init__(self, renderer: Renderer, style: str) -> None:
        self.renderer, self.style = renderer, style

    def render(
        self,
        items: Sequence[dict[str, Any]],
        groups: Sequence[tuple[str, ...]],
        uncited: str | None,
    ) -> tuple[list[str], list[tuple[str, str]]]:
        """The text of each citation group, and the list as (record key, entry text) pairs in
        the style's order; ``uncited`` is listed but cited nowhere."""
        from citeproc import (  # type: ignore[import-untyped]
            Citation,
            CitationItem,
            CitationStylesBibliography,
        )
        from citeproc.source.json import CiteProcJSON  # type: ignore[import-untyped]

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            bibliography = CitationStylesBibliography(
                self.renderer.styles[self.style], CiteProcJSON(list(items)), self.renderer.formatter
            )
            citations = [Citation([CitationItem(k.lower()) for k in group]) for group in groups]
            for citation in citations:
                bibliography.register(citation)
            if uncited is not None:
                bibliography.register(Citation([CitationItem(uncited.lower())]))
            bibliography.sort()
            texts = [" ".join(str(bibliography.cite(c, lambda _: None)).split()) for c in citations]
            entries = [
                strip_number(as_citeproc_js(self.style, " ".join(str(e).split())))
                for e in bibliography.bibliography()
            ]
        by_lower = {str(item["id"]).lower(): str(item["id"]) for item in items}
        return texts, list(zip([by_lower[k] for k in bibliography.keys], entries, strict=True))


def family_of_style(style: str) -> str:
    return "keys" if style == KEYS else "numeric" if style in NUMERIC else "author-year"


def narrative(text: str) -> str | None:
    """ "(Kasch et al., 2022)" as a writer puts it in a sentence: "Kasch et al. (2022)"."""
    match = re.fullmatch(r"\((.+?),? (\d{4}[a-z]?)\)", text)
    if match is None or ";" in text:
        return None
    return f"{match.group(1)} ({match.group(2)})"


def make_post(
    folder: Path,
    name: str,
    style: str,
    records: Sequence[dict[str, Any]],
    outsiders: Sequence[dict[str, Any]],
    slip: str | None,
    rendering: Rendering | None,
    rng: random.Random,
    *,
    wrap: bool = False,
) -> Post:
    kind = family_of_style(style)
    items = [csl_item(record, f"k{n}") for n, record in enumerate(records)]
    for item in items:
        if rng.random() < 0.5:
            item.pop("DOI", None)
    keys = [str(item["id"]) for item in items]
    extra: str | None = None
    if slip == "uncited-entry":
        # The last record is listed but cited nowhere.
        extra = keys[-1]
        keys = keys[:-1]
    order = keys[:]
    rng.shuffle(order)
    # Every work cited once, a few twice, some two at a time.
    groups: list[tuple[str, ...]] = []
    pending = order[:]
    while pending:
        if len(pending) >= 2 and groups and rng.random() < 0.2:
            groups.append((pending.pop(0), pending.pop(0)))
        else:
            groups.append((pending.pop(0),))
        if groups and rng.random() < 0.2:
            groups.append((rng.choice(order[: len(order) - len(pending)]),))
    if kind == "keys":
        return _keys_post(folder, name, items, groups, slip, rng)
    assert rendering is not None
    texts, listed = rendering.render(items, groups, extra)
    cites = [Cite(group, text) for group, text in zip(groups, texts, strict=True)]
    if style == "american-medical-association":
        for cite in cites:
            cite.text = f"<sup>{cite.text}</sup>"
    elif kind == "author-year":
        for cite in cites:
            if len(cite.keys) == 1 and rng.random() < 0.25:
                cite.text = narrative(cite.text) or cite.text
    slip_keys: tuple[str, ...] = ()
    target: Cite | None = None
    if slip in {"wrong-year", "wrong-first-author", "number-out-of-range"}:
        target = rng.choice([c for c in cites if len(c.keys) == 1])
        target.slip = slip
        by_key = {
            str(item["id"]): (item, record) for item, record in zip(items, records, strict=True)
        }
        item, record = by_key[target.keys[0]]
        if slip == "wrong-year":
            year = int(re.findall(r"\d{4}", target.text)[-1])
            known = {
                p[0]
                for k in ("issued", "published-print", "published-online")
                if (p := date_of(record, k))
            }
            new = year + rng.choice([-3, -2, -1, 1, 2, 3])
            while new in known:
                new += 1
            target.text = target.text.replace(str(year), str(new))
        elif slip == "wrong-first-author":
            listed_names = {anyascii(family(i)).lower() for i in items}
            other = rng.choice(
                [o for o in outsiders if anyascii(family(o)).lower() not in listed_names]
            )
            old = family(item)
            new_name = family(other)
            if old not in target.text:
                old = old.upper()
            target.text = target.text.replace(old, new_name, 1)
        else:
            beyond = len(listed) + rng.randint(1, 3)
            target.text = re.sub(r"\d+", str(beyond), target.text, count=1)
    elif slip == "missing-entry":
        gone = listed[-1][0] if kind == "numeric" else rng.choice(listed)[0]
        listed = [(k, e) for k, e in listed if k != gone]
        slip_keys = (gone,)
        for cite in cites:
            if gone in cite.keys:
                cite.slip = slip
    return _write(folder, name, style, kind, cites, listed, slip, slip_keys, extra, rng, wrap)


def _prose(cites: Sequence[Cite], rng: random.Random) -> list[list[str | Cite]]:
    """Paragraphs as pieces: sentences, citations placed before a sentence's full stop."""
    paragraphs: list[list[str | Cite]] = []
    pool = list(cites)
    distractors = rng.sample(DISTRACTORS, min(len(DISTRACTORS), rng.randint(3, 6)))
    while pool or distractors:
        pieces: list[str | Cite] = []
        for _ in range(rng.randint(2, 4)):
            if distractors and rng.random() < 0.4:
                pieces.append(distractors.pop() + " ")
                continue
            if not pool:
                continue
            cite = pool.pop(0)
            sentence = rng.choice(PROSE)[:-1]
            if re.match(r"[^(<\[]", cite.text) and cite.text[-1] == ")":
                # Narrative: the citation opens the sentence.
                pieces += [cite, " found that " + sentence[0].lower() + sentence[1:] + ". "]
            else:
                sep = "" if cite.text.startswith("<sup>") else " "
                pieces += [sentence + sep, cite, ". "]
        if pieces:
            paragraphs.append(pieces)
    return paragraphs


def _write(
    folder: Path,
    name: str,
    style: str,
    kind: str,
    cites: list[Cite],
    listed: list[tuple[str, str]],
    slip: str | None,
    slip_keys: tuple[str, ...],
    extra: str | None,
    rng: random.Random,
    wrap: bool = False,
) -> Post:
    formats = ["md", "html"] if style == "american-medical-association" else ["md", "txt", "html"]
    fmt = rng.choice(formats)
    lines: list[str] = []
    title = rng.choice(TOPICS).capitalize()
    escape = (lambda s: html.escape(s, quote=False)) if fmt == "html" else (lambda s: s)

    def paragraph(pieces: list[str | Cite], prefix: str, suffix: str) -> None:
        text = prefix
        for piece in pieces:
            if isinstance(piece, Cite):
                piece.line, piece.column = len(lines) + 1, len(text) + 1
                # An HTML superscript is written as markup, not escaped.
                text += piece.text if piece.text.startswith("<sup>") else escape(piece.text)
            else:
                text += escape(piece)
        lines.append(text.rstrip() + suffix)

    if fmt == "html":
        lines += HTML_HEAD.format(title=html.escape(title)).split("\n")
        lines.append(f"<h1>{html.escape(title)}</h1>")
        for pieces in _prose(cites, rng):
            paragraph(pieces, "<p>", "</p>")
        lines.append(f"<h2>{rng.choice(HEADINGS)}</h2>")
        tag = "ol" if kind == "numeric" else "ul"
        lines.append(f'<{tag} class="references">')
    elif fmt == "txt":
        lines += [title, ""]
        for pieces in _prose(cites, rng):
            paragraph(pieces, "", "")
            lines.append("")
        lines.append("")
    else:
        lines += [f"# {title}", ""]
        for pieces in _prose(cites, rng):
            paragraph(pieces, "", "")
            lines.append("")
        lines += [f"## {rng.choice(HEADINGS)}", ""]
    entry_line: dict[str, int] = {}
    list_style = rng.choice(["numbered", "bulleted", "paragraphs"])
    if kind == "numeric":
        list_style = rng.choice(["numbered", "paragraphs"])
    width = rng.randint(60, 80)
    hang = rng.random() < 0.5  # plain text: wrapped lines indented under the entry's text

    def add(first: str, entry: str, indent: str = "") -> None:
        """An entry after its marker, wrapped as a writer's editor wraps it when ``wrap``."""
        if not wrap:
            lines.append(first + entry)
            return
        rows = textwrap.wrap(
            entry, width, initial_indent=first, subsequent_indent=indent, break_on_hyphens=False
        )
        lines.extend(rows or [first])

    for number, (key, entry) in enumerate(listed, 1):
        entry_line[key] = len(lines) + 1
        if fmt == "html":
            add("<li>", html.escape(entry, quote=False) + "</li>", "    ")
        elif fmt == "txt":
            marker = "- " if kind != "numeric" else f"{number}. "
            add(marker, entry, " " * len(marker) if hang else "")
        elif list_style == "numbered":
            marker = f"{number}. "
            add(marker, entry, " " * len(marker))
        elif list_style == "bulleted":
            add("- ", entry, "  ")
        else:
            add(f"[{number}] " if kind == "numeric" else "", entry)
            lines.append("")
    if fmt == "html":
        lines.append(f"</{'ol' if kind == 'numeric' else 'ul'}>")
        lines += HTML_TAIL.split("\n")
    path = folder / f"{name}.{fmt}"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    post = Post(style, path, slip, cites, entry_line, slip_keys=slip_keys)
    if extra is not None:
        post.slip_entry_line = entry_line[extra]
    return post


def _keys_post(
    folder: Path,
    name: str,
    items: list[dict[str, Any]],
    groups: list[tuple[str, ...]],
    slip: str | None,
    rng: random.Random,
) -> Post:
    taken: set[str] = set()
    bib = {str(item["id"]): bib_key(item, taken) for item in items}
    cites: list[Cite] = []
    for group in groups:
        refs = [bib[k] for k in group]
        form = rng.random()
        if len(refs) > 1:
            text = "[" + "; ".join(f"@{r}" for r in refs) + "]"
            if form < 0.3:
                text = f"[see @{refs[0]}, p. {rng.randint(2, 300)}; @{refs[1]}]"
        elif form < 0.5:
            text = f"[@{refs[0]}]"
        elif form < 0.7:
            text = f"[-@{refs[0]}]"
        elif form < 0.85:
            text = f"[@{refs[0]}, pp. {rng.randint(2, 40)}-{rng.randint(41, 90)}]"
        else:
            text = f"@{refs[0]}"
        cites.append(Cite(group, text))
    if slip == "undefined-key":
        target = rng.choice(cites)
        target.slip = slip
        key = re.search(r"@([\w:.\-]+\w)", target.text)
        assert key is not None
        old = key.group(1)
        digits = re.search(r"\d{4}", old)
        if digits and rng.random() < 0.5:
            typo = old.replace(digits.group(0), str(int(digits.group(0)) + 1))
        else:
            typo = old[:2] + old[3:] if len(old) > 4 else old + "x"
        while typo in taken:
            typo += "x"
        target.text = target.text.replace("@" + old, "@" + typo, 1)
    fmt = rng.choice(["md", "qmd", "rmd"])
    use_bib = rng.random() < 0.7
    lines = ["---", f"title: {rng.choice(TOPICS).capitalize()}"]
    if use_bib:
        lines.append(f"bibliography: {name}.bib")
        (folder / f"{name}.bib").write_text(bibtex(items, [bib[str(i["id"])] for i in items]))
    else:
        lines.append("references:")
        for item in items:
            lines += [f"  - id: {bib[str(item['id'])]}", "    type: article-journal"]
            lines.append(f"    title: {json.dumps(item.get('title', ''))}")
    lines += ["---", ""]
    for pieces in _prose(cites, rng):
        text = ""
        for piece in pieces:
            if isinstance(piece, Cite):
                if piece.text.startswith("@"):
                    # A narrative key opens its sentence: "@kasch2022 found that ...".
                    text = text.rstrip(" ") + " "
                piece.line, piece.column = len(lines) + 1, len(text) + 1
                text += piece.text
            else:
                text += piece
        lines += [text.rstrip(), ""]
    path = folder / f"{name}.{fmt}"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return Post(KEYS, path, slip, cites, {})


# --- checking and scoring -----------------------------------------------------------------


def check_post(post: Post) -> None:
    """Read and link the post as ``refcheck check`` does, offline (no work for any entry)."""
    references = read_references([post.path])
    verdicts = [Verdict(reference=r, status=Status.UNVERIFIED) for r in references]
    citations = read_citations([post.path])
    text = load_text(post.path)
    keys = front_matter_keys(text, str(post.path), read_path)
    defined: dict[str | None, frozenset[str]] = {str(post.path): keys} if keys else {}
    linked = link_citations(citations, verdicts, defined)
    post.findings = list(linked.findings)
    read_lines = {r.location.line for r in references if r.authors}
    post.list_read = set(post.entry_line.values()) <= read_lines
    line_of = {n: v.reference.location.line for n, v in enumerate(verdicts)}
    links: dict[tuple[int, int], int | None] = {}
    by_entry: dict[tuple[int, int], set[int]] = defaultdict(set)
    for n in range(len(verdicts)):
        for citation in linked.cited_by(n):
            line = line_of[n]
            if line is not None:
                by_entry[(citation.line, citation.column)].add(line)
    for citation, index in linked.citations:
        links[(citation.line, citation.column)] = index
    read = [(c.line, c.column) for c in citations]
    for cite in post.cites:
        if not any(_within(cite, line, column) for line, column in read):
            continue
        post.found += 1
        inside = [place for place in links if _within(cite, place[0], place[1])]
        if cite.slip is not None or post.style == KEYS:
            continue
        want = {post.entry_line[k] for k in cite.keys if k in post.entry_line}
        got: set[int] = set()
        for place in inside:
            got |= by_entry.get(place, set())
        post.checked_links += 1
        post.linked_right += want == got


def _within(cite: Cite, line: int | None, column: int | None) -> bool:
    return (
        line == cite.line
        and column is not None
        and cite.column <= column < cite.column + len(cite.text)
    )


def score(post: Post) -> tuple[bool | None, list[CitationFinding]]:
    """Whether the slip was caught (None: no slip), and the false alarms."""
    expected: list[CitationFinding] = []
    caught: bool | None = None
    if post.slip == "uncited-entry":
        expected = [
            f for f in post.findings if f.finding.code == "RC804" and f.line == post.slip_entry_line
        ]
        caught = bool(expected)
    elif post.slip is not None:
        targets = [c for c in post.cites if c.slip]
        hits = {
            id(c): [
                f for f in post.findings if f.citation is not None and _within(c, f.line, f.column)
            ]
            for c in targets
        }
        caught = bool(targets) and all(hits[id(c)] for c in targets)
        expected = [f for found in hits.values() for f in found]
        if post.slip != "missing-entry":
            # Where the slipped citation was its entry's only one, the entry is rightly uncited.
            lines = {post.entry_line[k] for c in targets for k in c.keys if k in post.entry_line}
            expected += [f for f in post.findings if f.finding.code == "RC804" and f.line in lines]
    alarms = [f for f in post.findings if not any(f is e for e in expected)]
    return caught, alarms


def report(posts: Sequence[Post], styles: Sequence[str], verbose: bool) -> None:
    """Per style: posts, citations written, lists read whole, citations found and rightly
    linked, false alarms (and those in posts whose list was misread), slips caught."""
    short = {
        "wrong-year": "year",
        "wrong-first-author": "author",
        "missing-entry": "missing",
        "uncited-entry": "uncited",
        "number-out-of-range": "beyond",
        "undefined-key": "key",
    }
    print(
        f"{'style':<12}{'posts':>6}{'cites':>7}{'lists':>7}{'found':>8}{'linked':>8}"
        f"{'false alarms':>15}{'misread':>9}  " + "".join(f"{short[s]:>9}" for s in SLIPS)
    )
    examples: list[str] = []
    for style in [*styles, "all"]:
        mine = [p for p in posts if style in {"all", p.style}]
        caught: Counter[str] = Counter()
        slipped: Counter[str] = Counter()
        alarms = misread = 0
        for post in mine:
            hit, false = score(post)
            alarms += len(false)
            misread += 0 if post.list_read else len(false)
            if post.slip is not None:
                slipped[post.slip] += 1
                caught[post.slip] += bool(hit)
                if not hit and style != "all":
                    spots = [(c.line, c.column, c.text) for c in post.cites if c.slip]
                    examples.append(f"missed {post.slip}: {post.path.name} {spots}")
            if style != "all":
                examples += [
                    f"false alarm: {post.path.name}:{f.line}:{f.column} "
                    f"{f.finding.code} {f.finding.message}"
                    + ("" if post.list_read else " [list misread]")
                    for f in false
                ]
        cites = sum(len(p.cites) for p in mine)
        found = sum(p.found for p in mine)
        checked = sum(p.checked_links for p in mine)
        right = sum(p.linked_right for p in mine)
        lists = sum(p.list_read for p in mine if p.style != KEYS)
        listed = sum(p.style != KEYS for p in mine)
        cells = "".join(f"{f'{caught[s]}/{slipped[s]}' if slipped[s] else '-':>9}" for s in SLIPS)
        print(
            f"{SHORT.get(style, style):<12}{len(mine):>6}{cites:>7}{pct(lists, listed):>7}"
            f"{pct(found, cites):>8}{pct(right, checked):>8}"
            f"{f'{alarms} ({pct(alarms, cites)})':>15}{misread:>9}  {cells}"
        )
        if style == "all":
            all_caught, all_slips = sum(caught.values()), sum(slipped.values())
            print(
                f"\nslips caught {all_caught}/{all_slips} ({pct(all_caught, all_slips)}): "
                + ", ".join(f"{s} {pct(caught[s], slipped[s])}" for s in SLIPS if slipped[s])
            )
            print(
                f"false alarms {alarms} of {cites} in-text citations ({pct(alarms, cites)}); "
                f"{misread} of them in posts whose list the post reader misread "
                f"(an entry not read at its line)"
            )
    print(
        "lists: posts whose every entry was read at its line; found: written citations read "
        "where they stand; linked: of those with no slip, linked to exactly the entries cited"
    )
    if verbose:
        for line in examples[:100]:
            print(" ", line)


# --- the run ------------------------------------------------------------------------------


def load_records(split: str) -> list[dict[str, Any]]:
    records = []
    with gzip.open(WORKS, "rt", encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            if not usable(record) or date_of(record, "issued") is None:
                continue
            people = [a for a in record.get("author") or [] if a.get("family")]
            # A first author with a family name, as author-year citations need one.
            if not (record.get("author") or [{}])[0].get("family") or not people:
                continue
            if split == "all" or split_of(record["DOI"]) == split:
                records.append(record)
    return records


def pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=["heldout", "tune", "all"], default="heldout")
    parser.add_argument("--posts", type=int, default=120, help="posts per style; default 120")
    parser.add_argument("--out", help="write the posts into this folder and keep them")
    parser.add_argument("-v", action="store_true", help="print each missed slip and false alarm")
    parser.add_argument("--seed", type=int, default=SEED, help="random seed; default accuracy.py's")
    parser.add_argument(
        "--entries",
        default="4-10",
        help="works a post cites, LOW-HIGH; default 4-10 (12-20 stresses long numbered lists)",
    )
    parser.add_argument(
        "--wrap",
        type=float,
        default=0.0,
        help="share of posts whose list entries wrap at 60-80 columns, as typed; default 0",
    )
    parser.add_argument(
        "--names",
        choices=["any", "odd"],
        default="any",
        help="odd: every post cites a work whose first author is a group, all capitals "
        "or initials (posts otherwise as usual); default any",
    )
    args = parser.parse_args()
    low, _, high = args.entries.partition("-")
    entries = (int(low), int(high or low))
    if not WORKS.exists():
        sys.exit(f"intext: {WORKS} not found (../shared is needed)")
    try:
        import citeproc  # noqa: F401
    except ImportError:
        sys.exit("intext: citeproc-py is needed (.venv/bin/pip install -e '.[dev]')")
    started = time.perf_counter()
    rng = random.Random(args.seed)
    records = load_records(args.split)
    odd = [r for r in records if odd_name(family(csl_item(r, "x")))]
    renderer = Renderer()
    styles = [s for s in STYLES if args.split != "tune" or s not in HELD_OUT_STYLES]
    folder_context = tempfile.TemporaryDirectory(prefix="refcheck-intext-")
    folder = Path(args.out) if args.out else Path(folder_context.name)
    folder.mkdir(parents=True, exist_ok=True)
    posts: list[Post] = []
    for style in styles:
        rendering = None if style == KEYS else Rendering(renderer, style)
        slips = STYLE_SLIPS[family_of_style(style)]
        for n in range(args.posts):
            # One post in three is clean; the others carry each slip of the style in turn.
            slip = None if n % 3 == 0 else slips[(n - n // 3 - 1) % len(slips)]
            chosen = rng.sample(records, rng.randint(*entries) + (slip == "uncited-entry"))
            if args.names == "odd" and odd:
                chosen[rng.randrange(len(chosen))] = rng.choice(odd)
            names = [anyascii(family(csl_item(r, "x"))).lower() for r in chosen]
            if len(set(names)) < len(names):
                # Two works by one first author are the ambiguous case, apart from this.
                continue
            post = make_post(
                folder,
                f"{SHORT.get(style, style)}-{n:03d}",
                style,
                chosen,
                records,
                slip,
                rendering,
                rng,
                wrap=rng.random() < args.wrap,
            )
            check_post(post)
            posts.append(post)
    print(
        f"In-text citations: {len(posts)} posts, split {args.split}, "
        f"{time.perf_counter() - started:.1f} s\n"
    )
    report(posts, styles, args.v)
    folder_context.cleanup() if not args.out else None


if __name__ == "__main__":
    main()
