"""Blog posts: find the reference list, split it into references, say where each starts.

The format readers (:mod:`.markdown`, :mod:`.html`, plain text here) turn a post into a
flat sequence of :class:`Block` values - headings, list items, paragraphs (as lines),
footnotes, and boundaries where the article ends - each knowing its 1-based line in the
file. :func:`references_from_blocks` decides, on those blocks alone, what is a reference:

1. Under a heading named like a reference list ("References", "Bibliography", "Works
   cited", "Further reading", "Quellen"... see :data:`SECTION_NAMES`; a bold line or a
   paragraph's first line that says only that counts as a heading below h6), up to the
   next heading of the same or a higher level or the end of the article: every list item,
   and every paragraph split into references (:func:`split_references`), unless it is
   plainly no reference (an introduction ending in ":", a copyright line, no year, DOI,
   link, author or page numbers at all). Elements the source marks as a reference list
   (``class="references"``, citeproc's ``csl-bib-body``) count as such a section.
2. Without such a heading: the last run of two or more items or lines that each look like
   a reference (:func:`looks_like_reference`, then the parse must find authors and a year,
   or a DOI), like the seed post's "-Brinjikji, W., ..., 2015. ..." lines; an item that
   only passes the lenient test may sit between two of them.
3. Footnotes (Markdown ``[^1]:``, HTML footnote sections) that look like references.
4. A DOI anywhere else (a doi.org link or a bare DOI in prose) becomes a reference with
   only that DOI and its sentence as text, unless a listed reference already cites it.

A comment ``<!-- refcheck: ignore[RC301, RC302] -->`` (or ``ignore`` alone: every rule)
just before a reference, or on its line, sets the reference's ``suppress``.

Further reading counts as a reference list: what a post recommends is worth checking too.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from refcheck.models import Location, Reference
from refcheck.readers.text import clean_doi, find_dois

if TYPE_CHECKING:
    from refcheck.parse import ParsedReference

__all__ = [
    "ITALIC_CLOSE",
    "ITALIC_OPEN",
    "PSEUDO_HEADING_LEVEL",
    "SECTION_NAMES",
    "Block",
    "BlockKind",
    "Segment",
    "heading_like",
    "link_target",
    "looks_like_reference",
    "next_number",
    "plain_text_blocks",
    "read_plain_text",
    "reference_heading",
    "references_from_blocks",
    "split_references",
    "suppression",
]

# Italic spans travel through the blocks as private-use sentinels: the parser is given
# them as <i>...</i> (the container is often the italic part), the report never sees them.
ITALIC_OPEN, ITALIC_CLOSE = "\ue010", "\ue011"
# A bold line standing alone ("**References**") is a heading below h6.
PSEUDO_HEADING_LEVEL = 7

SectionKind = Literal["list", "notes"]

_LIST_SECTIONS = (
    "references",
    "reference",
    "reference list",
    "list of references",
    "bibliography",
    "select bibliography",
    "selected bibliography",
    "works cited",
    "work cited",
    "works consulted",
    "sources",
    "source",
    "sources cited",
    "literature",
    "literature cited",
    "cited literature",
    "further reading",
    "further readings",
    "additional reading",
    "suggested reading",
    "recommended reading",
    "reading list",
    "notes and references",
    "references and notes",
    "references and further reading",
    "sources and further reading",
    "notes and sources",
    "citations",
    "quellen",
    "quellenangaben",
    "quellenverzeichnis",
    "literatur",
    "literaturverzeichnis",
    "literaturangaben",
    "references bibliographiques",
    "bibliographie",
    "sources et references",
    "referencias",
    "referencias bibliograficas",
    "bibliografia",
    "riferimenti",
    "riferimenti bibliografici",
    "literatuur",
    "referenties",
    "bronnen",
    "referenser",
    "kallor",
    "litteratur",
    "kilder",
)
# Notes hold references among remarks: each note must look like a reference on its own.
_NOTE_SECTIONS = ("notes", "endnotes", "end notes", "footnotes")
SECTION_NAMES: dict[str, SectionKind] = {
    **dict.fromkeys(_LIST_SECTIONS, "list"),
    **dict.fromkeys(_NOTE_SECTIONS, "notes"),
}

# Every regex below runs on text of bounded length (see _MAX_REFERENCE) or is linear.
_YEAR = re.compile(r"(?<!\d)(?:1[6-9]\d\d|20\d\d)(?!\d)")
_PAGES = r"[A-Za-z]?\d{1,6}(?:\s*[-–—]\s*[A-Za-z]?\d{1,6})?"
_LOCATOR = re.compile(
    rf"\b\d{{1,5}}\s*\(\s*[\w\-–/ ]{{1,12}}\)\s*[:,]\s*(?:pp?\.\s*)?{_PAGES}"  # 36(4):811-6
    r"|;\s*\d{1,5}\s*(?:\(\s*[\w\-–/ ]{1,12}\))?\s*:\s*[A-Za-z]?\d{1,6}"  # 2015;36:811
    r"|\b\d{1,5}\s*:\s*[A-Za-z]?\d{1,6}\s*[-–—]\s*[A-Za-z]?\d{1,6}"  # 36:811-816
    r"|\bpp?\.\s?\d{1,6}"  # pp. 811 / p.12
    r"|\bvol\.\s*\d{1,5}"  # vol. 36
    r"|\b\d{1,5}\.\d{1,4}\s*\(\s*(?:1[6-9]|20)\d\d\s*\)"  # MLA 7: 36.4 (2015)
    rf"|\b\d{{1,5}},\s*{_PAGES}\s*\(\s*(?:1[6-9]|20)\d\d\s*\)"  # AIP, Nature: 36, 811 (2015)
    rf"|\b(?:1[6-9]|20)\d\d,\s*\d{{1,5}},\s*{_PAGES}"  # ACS: 2015, 36, 811-816
    r"|\b(?:1[6-9]|20)\d\d,\s*\d{1,6}\s*[-–—]\s*\d{1,6}"  # 2010, 149-152
    r"|\bISBN\b",
    re.IGNORECASE,
)
_ET_AL = re.compile(r"\bet\s+al\b\.?", re.IGNORECASE)
# Capitals of the Latin, Greek and Cyrillic scripts ("Паршин, Д. А."), and letters of
# scripts without case that a name may start with (kana, CJK, Hangul: "조혜린. (2008).").
_UPPER = "A-Z\u00c0-\u00d6\u00d8-\u00de\u0100-\u017f\u0391-\u03a9\u0400-\u042f"
_UNCASED = "\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7a3"
_PARTICLES = r"(?:(?:van|von|de|der|den|del|della|da|di|du|dos|la|le|el|al|ter|ten|zu|v\.)\s+)*"
_SURNAME = (
    rf"{_PARTICLES}[{_UPPER}][\w'’\-\u2010\u2011]*"
    rf"(?:\s+{_PARTICLES}[{_UPPER}][\w'’\-\u2010\u2011]+){{0,3}}"
)
_INITIALS = rf"[{_UPPER}](?:\.|(?=[\s,\-]))(?:\s?-?[{_UPPER}](?:\.|(?=[\s,])))*"
_YEAR_ALONE = r"(?:1[6-9]|20)\d\d[a-z]?"
# How a reference begins: "Brinjikji, W.", "Brinjikji W,", "Brinjikji WT.", "Brinjikji,
# Waleed," "W. Brinjikji," or a group author with its year: "WHO (2020). Title".
_AUTHOR_START = re.compile(
    rf"(?:{_SURNAME}\s*,\s*{_INITIALS}"
    rf"|{_SURNAME}\s+[{_UPPER}]{{1,4}}(?=[,.;:]|\s+(?:and|&)\s|\s+et\s+al)"
    rf"|{_SURNAME}\s*,\s*[{_UPPER}][\w'’\-]+(?=\s*[,.;]|\s+(?:and|&)\s|\s+et\s+al"
    rf"|\s+[{_UPPER}]\.)"
    rf"|(?:[{_UPPER}]\.\s?-?){{1,3}}\s?{_SURNAME}(?=[,.;]|\s+(?:and|&)\s|\s+et\s+al)"
    rf"|[{_UPPER}]{{1,3}}\s+{_SURNAME},\s*[{_UPPER}]{{1,3}}\s+[{_UPPER}]"
    # A name alone before its year: "WHO (2020). Title", "Dave. (2011).", Harvard's
    # "조혜린 (2008) ‘Title’", Chicago's "조혜린. 2008. “Title.”"
    rf"|[{_UPPER}{_UNCASED}][^.()\n]{{0,80}}(?:\.?\s*\(\s*{_YEAR_ALONE}\s*\)|\.\s*{_YEAR_ALONE}\.)"
    rf"(?:\s*[.,:]\s+[\"“‘{_UPPER}{_UNCASED}]|\s+[\"“‘]))"
)
# A narrative citation is prose about a paper, not the paper: "(Kasch et al., 2022)",
# "Smith et al. (2019) showed"; a conference's "(ISCE 2010)" in a reference is none.
_NARRATIVE = re.compile(
    r"\((?![A-Z\d\-]+\s)[A-Z][\w'’\-]+(?:\s+et\s+al\.?|\s+(?:and|&)\s+[A-Z][\w'’\-]+)?,?\s+"
    r"(?:1[6-9]|20)\d\d[a-z]?(?:\s*[;,][^()]{0,80})?\)"
    r"|\(\s*(?:1[6-9]|20)\d\d[a-z]?\s*\)\s+(?!and\b|in\b)[a-z]"
)
# A list marker: "1." "2)" "[3]" "(4)" "-" "•"; "-Brinjikji" (no space) included.
_MARKER = re.compile(
    r"^\s*(?:(?P<number>\[\s*\d{1,4}[a-z]?\s*\]\.?|\(\s*\d{1,3}\s*\)|\d{1,3}[.)](?=\s|[A-Z])"
    r"|\d{1,3}\s+(?=[A-Z\u00c0-\u00de][\w.]))"
    r"|(?P<bullet>[-–—•‣◦▪●·](?=\s*[^\s\d])|[*+](?=\s)))\s*"
)
# A line that goes on with the reference above it rather than starting a new one.
_CONTINUATION = re.compile(
    r"^(?:[a-z\d(\[]|(?i:doi\b|https?:|www\.|pp?\.|in:|available|retrieved|accessed|pmid"
    r"|pmcid|isbn))"
)
_BOILERPLATE = re.compile(
    r"©|\bcopyright\b|\ball rights reserved\b|\bback to top\b|\bshare (?:this|on)\b"
    r"|\b(?:posted|published|updated) (?:on|by)\b|\bcomments?\b\s*$|\bread more\b",
    re.IGNORECASE,
)
_URL = re.compile(r"\b(?:https?://|www\.)\S", re.IGNORECASE)
_SCHEME = re.compile(r"^(?:https?|ftp)://", re.IGNORECASE)
_QUOTED = re.compile(r"[\"“«„][^\"“”«»„]{8,}[\"”»“]")
_SUPPRESS = re.compile(r"\brefcheck\s*:\s*ignore\b\s*(?:\[([^\]]*)\])?", re.IGNORECASE)
_FOOTNOTE_MARK = re.compile(r"\[\^[^\]\s]{1,100}\]|↩\ufe0e?|↩️")
_LAST_WORD = re.compile(r"[\w.]+$")
_ABBREVIATIONS = frozenset(
    {"al", "e.g", "i.e", "eg", "ie", "vs", "etc", "cf", "dr", "fig", "figs", "no", "vol", "approx"}
)
_PART_BREAK = re.compile(r"[.:;](?=\s)")
_SENTENCE_END = re.compile(r"[.!?](?=[\s\"”’)\]]|$)")

_MIN_REFERENCE = 12
# Past this a "reference" is a page of prose; raw text longer than this is not rendered.
_MAX_REFERENCE = 3000
_MAX_RAW = 200_000
_MAX_SENTENCE = 400


# --- blocks -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Segment:
    """One line of a block as the post shows it (a source line, or a piece between <br>s).

    ``text`` is plain text with :data:`ITALIC_OPEN`/:data:`ITALIC_CLOSE` around italics and
    link targets written out after the link text; ``hard`` says a hard break (``<br>``, a
    Markdown hard break) comes before it rather than a wrapped line.
    """

    line: int
    text: str
    hard: bool = False
    bold: bool = False  # every letter in it is bold: a bold line may stand as a heading
    suppress: tuple[str, ...] = ()


class BlockKind(enum.Enum):
    HEADING = "heading"
    ITEM = "item"  # the first paragraph of a list item: one reference at most
    PARAGRAPH = "paragraph"
    FOOTNOTE = "footnote"
    BOUNDARY = "boundary"  # the article ends here (end of <article>, a footer, a rule)


class Block:
    """A heading, list item, paragraph or footnote of a post, or where its article ends.

    ``raw`` is a cheap stand-in for the text (Markdown source, say) used to rule blocks out
    before they are rendered; ``segments`` are rendered on first use, so a long post whose
    prose holds no reference is never rendered in full.
    """

    __slots__ = (
        "_render",
        "_segments",
        "in_list",
        "kind",
        "level",
        "line",
        "raw",
        "suppress",
        "tidy",
    )

    def __init__(
        self,
        kind: BlockKind,
        line: int,
        *,
        segments: Sequence[Segment] | None = None,
        render: Callable[[], Sequence[Segment]] | None = None,
        raw: str | None = None,
        level: int = 0,
        suppress: tuple[str, ...] = (),
        in_list: bool = False,
        tidy: Callable[[str], str] | None = None,
    ) -> None:
        self.kind = kind
        self.line = line
        self.level = level
        # Applies to the first reference of the block (a comment on the line before it).
        self.suppress = suppress
        # The source marks the block as part of a reference list (class="references").
        self.in_list = in_list
        # Raw text -> plain text, for reading DOIs in prose without rendering the block;
        # the raw text then has one line per source line, starting at ``line``.
        self.tidy = tidy
        self._render = render
        self._segments: tuple[Segment, ...] | None = (
            tuple(segments) if segments is not None else None
        )
        if raw is None:
            raw = " ".join(segment.text for segment in self._segments or ())
        self.raw = raw

    @property
    def segments(self) -> tuple[Segment, ...]:
        if self._segments is None:
            self._segments = tuple(self._render()) if self._render is not None else ()
        return self._segments

    @property
    def rendered(self) -> bool:
        return self._segments is not None

    @property
    def text(self) -> str:
        """The block's plain text on one line."""
        return _one_line(" ".join(plain(segment.text) for segment in self.segments))

    def __repr__(self) -> str:
        return f"Block({self.kind.name}, line={self.line}, level={self.level}, {self.raw[:40]!r})"


def plain(text: str) -> str:
    """Segment text without the italic sentinels."""
    return text.replace(ITALIC_OPEN, "").replace(ITALIC_CLOSE, "")


def _one_line(text: str) -> str:
    return " ".join(_FOOTNOTE_MARK.sub(" ", text).split())


def link_target(href: str, text: str) -> str | None:
    """The URL to write after a link's text, or None when the text already shows it.

    Only web and ``doi:`` links: anchors ("#fn1"), relative and mailto links say nothing
    about a reference.
    """
    href = href.strip()
    if len(href) > 2000 or not (_SCHEME.match(href) or href.casefold().startswith("doi:")):
        return None
    shown = plain(text)
    bare = _SCHEME.sub("", href).removeprefix("www.").rstrip("/")
    if href in shown or (bare and bare in shown):
        return None
    folded = shown.casefold()
    if any(doi.casefold() in folded for doi in find_dois(href)):
        return None
    return href


def suppression(comment: str) -> tuple[str, ...] | None:
    """The rule codes a ``refcheck: ignore[...]`` comment names; ("*",) for all; None if none.

    >>> suppression("<!-- refcheck: ignore[RC301, rc302] -->")
    ('RC301', 'RC302')
    >>> suppression(" refcheck: ignore ")
    ('*',)
    """
    match = _SUPPRESS.search(comment)
    if match is None:
        return None
    codes = tuple(code.upper() for code in re.split(r"[\s,;]+", match.group(1) or "") if code)
    return codes or ("*",)


def merge_codes(*groups: tuple[str, ...]) -> tuple[str, ...]:
    codes: list[str] = []
    for group in groups:
        codes.extend(code for code in group if code not in codes)
    return ("*",) if "*" in codes else tuple(codes)


class SegmentCutter:
    """What both inline renderers (Markdown, HTML) keep while cutting text into segments:
    the segments so far, whether the next one starts after a hard break, whether its
    letters were all bold, and the suppression codes waiting for it."""

    def __init__(self) -> None:
        self.segments: list[Segment] = []
        self.hard = False
        self.letters_bold = False
        self.letters_plain = False
        self.suppress: tuple[str, ...] = ()
        self.pending: tuple[str, ...] = ()

    def note_letters(self, has_letters: bool, *, bold: bool) -> None:
        if bold:
            self.letters_bold = self.letters_bold or has_letters
        else:
            self.letters_plain = self.letters_plain or has_letters

    def add_codes(self, codes: tuple[str, ...], *, started: bool) -> None:
        """A suppression comment: for the segment under way, or for the next one."""
        if started:
            self.suppress = merge_codes(self.suppress, codes)
        else:
            self.pending = merge_codes(self.pending, codes)

    def close(self, start: int, text: str | None, *, hard: bool) -> None:
        """End the current segment, keeping ``text`` as one unless it is None."""
        if text is not None:
            self.segments.append(
                Segment(
                    start,
                    text,
                    hard=self.hard,
                    bold=self.letters_bold and not self.letters_plain,
                    suppress=merge_codes(self.pending, self.suppress),
                )
            )
            self.pending = ()
            self.hard = hard
        else:
            self.hard = self.hard or hard
        self.suppress = ()
        self.letters_bold = self.letters_plain = False


# --- what a heading and a reference look like --------------------------------------------


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def reference_heading(text: str) -> SectionKind | None:
    """Whether a heading names a reference list ("list") or notes ("notes"), or neither.

    Case, accents, numbering ("7.", "VII."), a trailing colon or count are ignored.
    """
    name = _fold(plain(text[:120]))
    name = re.sub(r"^[^\w]+", "", name)
    name = re.sub(r"^(?:\d{1,3}(?:\.\d{1,3})*|[ivxlc]{1,6})[.):]?\s+", "", name)
    name = re.sub(r"\s*\(\d{1,4}\)\s*$", "", name)
    name = " ".join(re.sub(r"[^\w\s]+$", "", name).split())
    return SECTION_NAMES.get(name)


def heading_like(line: str) -> bool:
    """A plain-text line that can stand as a heading: short, no sentence, no reference."""
    text = line.strip()
    if not text or len(text) > 90:
        return False
    if reference_heading(text) is not None:
        return True
    if len(text.split()) > 12 or text[-1] in ".,;!?" or _MARKER.match(text):
        return False
    if _YEAR.search(text) or ("10." in text and find_dois(text)) or _URL.search(text):
        return False
    return any(char.isalpha() for char in text)


def _evidence(text: str) -> tuple[bool, bool, bool, bool]:
    """(year, locator, DOI, et al.) in a reference candidate."""
    return (
        _YEAR.search(text) is not None,
        _LOCATOR.search(text) is not None,
        "10." in text and bool(find_dois(text)),
        _ET_AL.search(text) is not None,
    )


def looks_like_reference(text: str) -> bool:
    """Strictly: a line that reads as a reference even without a heading above it.

    It starts like an author list (or has a number marker and two clues), has a year,
    volume/issue/pages or a DOI, and is no narrative citation ("(Kasch et al., 2022)").
    """
    text = plain(text).strip()
    if not _MIN_REFERENCE * 2 <= len(text) <= _MAX_REFERENCE:
        return False
    marker = _MARKER.match(text)
    body = text[marker.end() :] if marker else text
    if _NARRATIVE.search(body):
        return False
    year, locator, doi, et_al = _evidence(body)
    if not (year or locator or doi):
        return False
    if _AUTHOR_START.match(body):
        return True
    numbered = marker is not None and marker.group("number") is not None
    return numbered and sum((year, locator, doi, et_al)) >= 2


def _worth_checking(text: str) -> bool:
    """Leniently, for text under a references heading: anything but plain non-references."""
    text = plain(text).strip()
    if not _MIN_REFERENCE <= len(text) <= _MAX_REFERENCE or not re.search(r"[^\W\d_]{2}", text):
        return False
    if text.endswith(":"):
        return False
    year, locator, doi, et_al = _evidence(text)
    # A footer line ("© 2023 Jo Writer. All rights reserved.") does not start with an
    # author list; a reference may have "Copyright" in its title ("Copyright Law Symposium").
    if _BOILERPLATE.search(text) and not looks_like_reference(text):
        return False
    if locator or doi or et_al or _URL.search(text) or _QUOTED.search(text):
        return True
    body = _MARKER.sub("", text, count=1)
    if _AUTHOR_START.match(body) is not None:
        return True
    # A year alone: a reference has parts ("WHO. Title. Geneva: WHO; 2023."), a sentence
    # with a year in it ("Thanks for reading, see you in 2024.") has none.
    return year and len(_PART_BREAK.findall(body)) >= 2


def _strip_marker(text: str) -> str:
    match = _MARKER.match(text)
    return text[match.end() :] if match else text.lstrip()


# --- splitting a paragraph into references ------------------------------------------------


def _ends_reference(text: str) -> bool:
    """Whether a line could be a reference's last: a final stop, bracket, DOI or URL."""
    text = plain(text).rstrip()
    if not text:
        return False
    last = text.rsplit(maxsplit=1)[-1].casefold()
    return text[-1] in ".)]:" or last.startswith(("http://", "https://", "doi:", "10."))


def _starts_reference(segment: Segment, before: str, complete: bool) -> bool:
    """Whether ``segment`` starts a new reference after the line ``before``; ``complete``:
    the reference so far has a year or a DOI."""
    text = plain(segment.text).lstrip()
    if _MARKER.match(text):
        return True
    if segment.hard:
        return _CONTINUATION.match(text) is None
    if _AUTHOR_START.match(text) is None:
        return False
    return complete and _ends_reference(before)


def _marker_kind(text: str) -> tuple[str, int | None] | None:
    """A line's list marker as (shape, number): ("0.", 7) for "7.", ("[0]", 12) for "[12]",
    ("-", None) for a bullet; None without one. A "(2):" or "(2)," is an issue number
    a wrapped line begins with ("5\n(2): 229-46"), no marker."""
    match = _MARKER.match(text)
    if match is None:
        return None
    number = match.group("number")
    if number is None:
        return match.group("bullet"), None
    if text[match.end() : match.end() + 1] in {":", ","}:
        return None
    digits = re.search(r"\d+", number)
    assert digits is not None
    return re.sub(r"\d+", "0", number.strip()), int(digits.group(0))


def next_number(number: int, last: int) -> bool:
    """Whether ``number`` numbers the entry after ``last``'s: a little above it (a writer
    may skip one), or "1." again ("1." on every entry is a list typed for Markdown to
    number)."""
    return last < number <= last + 3 or number == last == 1


def _next_marker(kind: tuple[str, int | None] | None, last: tuple[str, int | None]) -> bool:
    """Whether a marker opens the next entry of a list whose last marker was ``last``: the
    same bullet, or a number of the same shape that goes on from it (:func:`next_number`);
    "36 Suppl" or "(2)" on a wrapped line is none."""
    if kind is None or kind[0] != last[0]:
        return False
    if kind[1] is None or last[1] is None:
        return kind[1] is None and last[1] is None
    return next_number(kind[1], last[1])


# A reference's date, or the mark of a work without one.
_DATED = re.compile(
    r"(?<!\d)(?:1[6-9]|20)\d\d(?!\d)|\b[Nn]\.\s?[Dd]\."
    r"|\b(?:[Nn]o date|[Ii]n press|[Ff]orthcoming)\b"
)


def split_references(segments: Sequence[Segment]) -> list[tuple[Segment, ...]]:
    """A paragraph's lines, grouped into references: one per marker, per hard break that
    does not continue the reference above, or per line that starts with authors after a
    line that ended a reference; a wrapped reference stays one.

    A paragraph whose first line has a list marker ("- ", "1.", "[1]") is a list typed as
    text: its entries start at the markers that go on from the first ("2." after "1.", the
    same bullet), and every other line continues an entry, whatever it starts with (a
    wrapped "Physical Review D, 92(4)" or "(2): 229-46"). Elsewhere, a piece cut off at a
    line that starts with authors must hold a date of its own ("Palgrave Macmillan UK.
    https://doi.org/..." is the end of a wrapped entry, not a new one)."""
    lines = [segment for segment in segments if plain(segment.text).strip()]
    if not lines:
        return []
    last = _marker_kind(plain(lines[0].text).lstrip())
    if last is not None:
        marked: list[list[Segment]] = [[lines[0]]]
        for segment in lines[1:]:
            kind = _marker_kind(plain(segment.text).lstrip())
            if _next_marker(kind, last):
                assert kind is not None
                marked.append([segment])
                last = kind
            else:
                marked[-1].append(segment)
        return [tuple(group) for group in marked]
    groups: list[list[Segment]] = []
    by_authors: list[bool] = []  # each group was cut off at a line starting with authors
    complete = False
    numbered: tuple[str, int | None] | None = None  # the last number that opened an entry
    for segment in lines:
        text = plain(segment.text)
        kind = _marker_kind(text.lstrip())
        if kind is not None and kind[1] is not None:
            # A number opens an entry when it starts a list or goes on from the last one;
            # "940. ISBN" on a wrapped line does neither.
            if (numbered is None and kind[1] <= 3) or (
                numbered is not None and _next_marker(kind, numbered)
            ):
                numbered = kind
            elif groups:
                groups[-1].append(segment)
                complete = complete or _YEAR.search(text) is not None or "10." in text
                continue
        if groups and not _starts_reference(segment, groups[-1][-1].text, complete):
            groups[-1].append(segment)
        else:
            stripped = text.lstrip()
            by_authors.append(bool(groups) and not segment.hard and _MARKER.match(stripped) is None)
            groups.append([segment])
            complete = False
        complete = complete or _YEAR.search(text) is not None or "10." in text
    merged: list[list[Segment]] = []
    for group, cut in zip(groups, by_authors, strict=True):
        if cut and merged and not _DATED.search(" ".join(plain(s.text) for s in group)):
            merged[-1].extend(group)
        else:
            merged.append(group)
    return [tuple(group) for group in merged]


# --- turning blocks into references -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Candidate:
    block: Block
    segments: tuple[Segment, ...]
    first: bool  # the block's first candidate: a comment before the block applies to it

    @property
    def line(self) -> int:
        return self.segments[0].line if self.segments else self.block.line

    @property
    def markup(self) -> str:
        return " ".join(segment.text.strip() for segment in self.segments)

    @property
    def text(self) -> str:
        return _one_line(_strip_marker(plain(self.markup)))

    @property
    def suppress(self) -> tuple[str, ...]:
        groups = [segment.suppress for segment in self.segments]
        if self.first:
            groups.insert(0, self.block.suppress)
        return merge_codes(*groups)


def _candidates(block: Block) -> list[_Candidate]:
    if block.kind in (BlockKind.HEADING, BlockKind.BOUNDARY):
        return []
    if not block.rendered and len(block.raw) > _MAX_RAW:
        return []  # a page-long paragraph of source: not worth rendering to look for a list
    segments = block.segments
    if block.kind is BlockKind.PARAGRAPH:
        groups = split_references(segments)
    else:
        groups = [segments] if segments else []
    return [_Candidate(block, group, index == 0) for index, group in enumerate(groups)]


# A year, a DOI, numbers, or the mark of a work without a date ("n.d.", "in press"): an
# undated entry must not cut a list in two.
_MAYBE_REFERENCE = re.compile(
    r"(?<!\d)(?:1[6-9]|20)\d\d(?!\d)|10\.\d{4,9}/|\d\s*\(\d|\d:\d"
    r"|\b[Nn]\.\s?[Dd]\.|\b(?:[Nn]o date|[Ii]n press|[Ff]orthcoming)\b"
)


def _parse(candidate: _Candidate) -> ParsedReference:
    # Imported here: refcheck.parse imports this package's DOI helpers (readers.text).
    from refcheck.parse import parse_reference

    markup = _FOOTNOTE_MARK.sub(" ", _strip_marker(candidate.markup))
    markup = markup.replace(ITALIC_OPEN, "<i>").replace(ITALIC_CLOSE, "</i>")
    return parse_reference(markup)


def _confirmed(parsed: ParsedReference) -> bool:
    """The parse agrees it is a reference: a DOI, or authors with a year and a title or
    a journal, volume or pages (some styles print no title)."""
    if parsed.doi:
        return True
    if not parsed.authors or parsed.year is None:
        return False
    return bool(parsed.title or parsed.container or parsed.volume or parsed.pages)


def _reference(candidate: _Candidate, parsed: ParsedReference, path: str | None) -> Reference:
    from refcheck.parse import to_reference

    reference = to_reference(parsed, candidate.text, Location(path=path, line=candidate.line))
    if reference.doi:
        reference = reference.model_copy(update={"doi": clean_doi(reference.doi)})
    suppress = candidate.suppress
    return reference.model_copy(update={"suppress": suppress}) if suppress else reference


def _heading_line(block: Block) -> tuple[SectionKind, Block | None] | None:
    """A paragraph whose first line names a reference list ("References:", styled by CSS or
    not at all): the section kind, and the rest of the paragraph as a block of its own."""
    if block.kind is not BlockKind.PARAGRAPH:
        return None
    if block.rendered:
        first = block.segments[0].text if block.segments else ""
    else:
        first = block.raw.partition("\n")[0]  # Markdown source: its first line
    if len(first) > 80:
        return None
    kind = reference_heading(first)
    if kind is None:
        return None
    rest = block.segments[1:]
    body = Block(BlockKind.PARAGRAPH, rest[0].line, segments=rest) if rest else None
    return kind, body


def _sections(blocks: Sequence[Block]) -> list[tuple[SectionKind, list[Block]]]:
    """Blocks under each reference-list heading (and blocks marked as a list)."""
    sections: list[tuple[SectionKind, list[Block]]] = []
    index = 0
    while index < len(blocks):
        block = blocks[index]
        members: list[Block] = []
        level = block.level
        kind = reference_heading(block.raw) if block.kind is BlockKind.HEADING else None
        if kind is None and (line := _heading_line(block)) is not None:
            kind, body = line
            level = PSEUDO_HEADING_LEVEL
            members.extend([body] if body is not None else [])
        if kind is None:
            if block.in_list:
                run = [block]
                while index + 1 < len(blocks) and blocks[index + 1].in_list:
                    index += 1
                    run.append(blocks[index])
                sections.append(("list", run))
            index += 1
            continue
        index += 1
        while index < len(blocks):
            member = blocks[index]
            if member.kind is BlockKind.BOUNDARY:
                break
            if member.kind is BlockKind.HEADING and member.level <= level:
                break
            # A list's own heading below ("# Notes" then "## References") starts its
            # section: read as notes, its entries had to look like references unaided.
            if member.kind is BlockKind.HEADING and reference_heading(member.raw) is not None:
                break
            members.append(member)
            index += 1
        sections.append((kind, members))
    return sections


def _trailing_run(blocks: Sequence[Block]) -> list[tuple[_Candidate, ParsedReference]]:
    """The last run of consecutive candidates that look like references (see _settle)."""
    run: list[tuple[_Candidate, ParsedReference, bool]] = []
    for block in reversed(blocks):
        if block.kind is BlockKind.FOOTNOTE:
            continue  # footnotes are read on their own; they neither make nor break a run
        if block.kind in (BlockKind.HEADING, BlockKind.BOUNDARY):
            candidates: list[_Candidate] = []
        elif _MAYBE_REFERENCE.search(block.raw[:_MAX_RAW]) is None and not _AUTHOR_START.match(
            _strip_marker(plain(block.raw[:200]))
        ):
            # No year, DOI or numbers, and no author list first (a book cited without a
            # date): nothing in it reads as a reference.
            candidates = []
        else:
            candidates = _candidates(block)
        if not candidates:
            if found := _settle(run):
                return found
            run = []
            continue
        for candidate in reversed(candidates):
            member = _run_member(candidate)
            if member is not None:
                run.append((candidate, *member))
                continue
            if found := _settle(run):
                return found
            run = []
    return _settle(run)


def _run_member(candidate: _Candidate) -> tuple[ParsedReference, bool] | None:
    """(parse, strict) when the candidate may be part of a run, else None.

    Strict members read as references on their own; between two of them may sit one that
    only passes the lenient test (an authorless work, an odd style): it must not cut the
    list in two, and at the run's edges it is dropped (_settle).
    """
    markup = candidate.markup
    parsed: ParsedReference | None = None
    if looks_like_reference(markup):
        parsed = _parse(candidate)
        if _confirmed(parsed):
            return parsed, True
    if _worth_checking(markup) and not _NARRATIVE.search(plain(markup)):
        return parsed or _parse(candidate), False
    return None


def _settle(
    run: list[tuple[_Candidate, ParsedReference, bool]],
) -> list[tuple[_Candidate, ParsedReference]]:
    """The run (collected backwards) in file order, if it is one: it starts and ends with a
    strict member, has two or more of them, and they are at least half of it."""
    sure = [index for index, (_, _, strict) in enumerate(run) if strict]
    if len(sure) < 2:
        return []
    first, last = sure[0], sure[-1]
    if (last - first + 1) > len(sure) * 2:
        return []
    # A numbered list goes on at its edges through entries that only pass the lenient test
    # ("3. -, X. D., -, G. X. (2012)", a record's odd authors) where they carry its next
    # number (a bullet says less: a list of findings may stand just above the references).
    while first > 0 and _goes_on(run[first][0], run[first - 1][0]):
        first -= 1
    while last + 1 < len(run) and _goes_on(run[last + 1][0], run[last][0]):
        last += 1
    return [(candidate, parsed) for candidate, parsed, _ in reversed(run[first : last + 1])]


def _goes_on(before: _Candidate, after: _Candidate) -> bool:
    """Whether ``after``'s number is the one that follows ``before``'s in a typed list."""
    last = _marker_kind(plain(before.markup).lstrip())
    return (
        last is not None
        and last[1] is not None
        and _next_marker(_marker_kind(plain(after.markup).lstrip()), last)
    )


def references_from_blocks(blocks: Iterable[Block], path: str | None) -> list[Reference]:
    """Every reference in a post's blocks (see the module doc), in the order of the file."""
    blocks = list(blocks)
    found: list[Reference] = []
    used: set[int] = set()  # ids of blocks read as part of a list (their notes included)
    taken_segments: set[int] = set()  # ids of segments already part of a reference

    def take(candidate: _Candidate, parsed: ParsedReference) -> None:
        found.append(_reference(candidate, parsed, path))
        taken_segments.update(id(segment) for segment in candidate.segments)

    for kind, members in _sections(blocks):
        for block in members:
            used.add(id(block))
            for candidate in _candidates(block):
                text = candidate.markup
                keep = _worth_checking(text) if kind == "list" else looks_like_reference(text)
                if keep:
                    take(candidate, _parse(candidate))
    if not found:
        for candidate, parsed in _trailing_run(blocks):
            used.add(id(candidate.block))
            take(candidate, parsed)
    for block in blocks:
        if block.kind is BlockKind.FOOTNOTE and id(block) not in used:
            for candidate in _candidates(block):
                if looks_like_reference(candidate.markup):
                    parsed = _parse(candidate)
                    if _confirmed(parsed):
                        take(candidate, parsed)

    cited = {reference.doi.casefold() for reference in found if reference.doi}
    for block in blocks:
        if "10." not in block.raw or block.kind is BlockKind.BOUNDARY:
            continue
        found.extend(_prose_dois(block, taken_segments, cited, path))
    found.sort(key=lambda reference: reference.location.line or 0)
    return found


def _prose_dois(
    block: Block, taken: set[int], cited: set[str], path: str | None
) -> list[Reference]:
    """A reference for each DOI in the block's prose (not in a reference already read)."""
    starts: list[int] = []
    lines: list[int] = []
    tidy: Callable[[str], str] = plain
    if not block.rendered and (block.tidy is not None or len(block.raw) > _MAX_RAW):
        # Read the source as it is, a line per source line: rendering costs more than
        # the sentence around a DOI is worth.
        text = block.raw
        tidy = block.tidy or plain
        position = 0
        for number, row in enumerate(text.split("\n")):
            starts.append(position)
            lines.append(block.line + number)
            position += len(row) + 1
        text = text.replace("\n", " ")
    else:
        pieces: list[str] = []
        position = 0
        for segment in block.segments:
            if id(segment) in taken:
                continue
            piece = plain(segment.text).strip()
            starts.append(position)
            lines.append(segment.line)
            pieces.append(piece)
            position += len(piece) + 1
        text = " ".join(pieces)
    if not starts:
        return []
    references: list[Reference] = []
    cursor = 0
    for doi in find_dois(text):
        # DOIs come in order: look for each after the last (a decoded one may not be found).
        found = text.find(doi, cursor)
        start = found if found >= 0 else cursor
        cursor = start + len(doi) if found >= 0 else cursor
        cleaned = clean_doi(doi)
        if not cleaned or cleaned.casefold() in cited:
            continue
        cited.add(cleaned.casefold())
        begin, finish = _sentence(text, start, start + len(doi))
        sentence = _one_line(_strip_marker(tidy(text[begin:finish])))
        # The DOI's own line (a link on a paragraph's third line is there, not at its top).
        line = lines[bisect_right(starts, start) - 1]
        references.append(
            Reference(
                location=Location(path=path, line=line),
                text=sentence,
                doi=cleaned,
                confident=frozenset({"doi"}),
            )
        )
    return references


def _abbreviation(text: str, stop: int) -> bool:
    """Whether the full stop at ``stop`` ends an abbreviation ("et al.", "e.g.", "J.")."""
    if text[stop] != ".":
        return False
    word = _LAST_WORD.search(text, max(0, stop - 12), stop)
    if word is None:
        return False
    token = word.group(0).casefold()
    return token in _ABBREVIATIONS or (len(token) == 1 and token.isalpha())


def _sentence(text: str, start: int, end: int) -> tuple[int, int]:
    """Where the sentence around text[start:end] begins and ends (a few hundred chars)."""
    floor = max(0, start - _MAX_SENTENCE)
    begin = floor
    for match in _SENTENCE_END.finditer(text, floor, start):
        if not _abbreviation(text, match.start()):
            begin = match.end()
    finish = min(len(text), end + _MAX_SENTENCE)
    for match in _SENTENCE_END.finditer(text, end, finish):
        if not _abbreviation(text, match.start()):
            finish = match.end()
            break
    while begin < start and text[begin] in " \t":
        begin += 1
    return begin, finish


# --- plain text -------------------------------------------------------------------------

_UNDERLINE = re.compile(r"^\s*([=\-~^*+#\"'`:._])\1{2,}\s*$")
_ATX = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_RST_NOTE = re.compile(r"^\.\.\s+\[([^\]\s]{1,100})\]\s+")
_RST_DIRECTIVE = re.compile(r"^\.\.(?:\s|$)")
_RST_LINK = re.compile(r"`([^`<]{0,500}?)\s*<([^<>`\s]{1,800})>`__?")
_RST_LITERAL = re.compile(r"``([^`]{1,500})``|:[\w:-]{1,30}:`([^`]{1,500})`")
_STARRED = re.compile(r"(?<![\w*])(\*{1,2})(?=[^\s*])([^*\n]{1,400}?)(?<=[^\s*])\1(?![\w*])")
_COMMENT_LINE = re.compile(r"^\s*<!--(.*?)-->\s*$")


def _rst_link(match: re.Match[str]) -> str:
    text, href = match.group(1), match.group(2)
    target = link_target(href, text)
    return f"{text} {target}" if target else text or href


def _plain_line(line: str) -> str:
    # reStructuredText links and literals read as text: "`Title <https://doi.org/...>`_".
    if "`" in line:
        line = _RST_LINK.sub(_rst_link, line)
        line = _RST_LITERAL.sub(lambda m: m.group(1) or m.group(2) or "", line)
    # *emphasis* (reStructuredText, or typed in plain text) marks italics, as in Markdown.
    if "*" in line:
        line = _STARRED.sub(lambda m: f"{ITALIC_OPEN}{m.group(2)}{ITALIC_CLOSE}", line)
    return line


def plain_text_blocks(text: str) -> list[Block]:
    """A plain-text post as blocks: paragraphs between blank lines, one segment per line;
    a short line on its own is a heading (so are ``#`` lines and underlined lines)."""
    lines = text.split("\n")
    blocks: list[Block] = []
    pending: tuple[str, ...] = ()
    underline_levels: dict[str, int] = {}
    paragraph: list[tuple[int, str]] = []

    def flush() -> None:
        nonlocal pending
        if paragraph:
            pending = _plain_paragraph(paragraph, blocks, pending, underline_levels)
            paragraph.clear()

    for number, line in enumerate(lines, start=1):
        if not line.strip():
            flush()
            continue
        comment = _COMMENT_LINE.match(line)
        if comment is not None:
            flush()
            codes = suppression(comment.group(1))
            if codes is not None:
                pending = merge_codes(pending, codes)
            continue
        paragraph.append((number, line))
    flush()
    return blocks


def _plain_paragraph(
    lines: list[tuple[int, str]],
    blocks: list[Block],
    pending: tuple[str, ...],
    underline_levels: dict[str, int],
) -> tuple[str, ...]:
    """Append the blocks of one paragraph; return the suppression still waiting."""
    while lines:
        first_line, first = lines[0]
        heading: tuple[str, int] | None = None
        rest = lines[1:]
        atx = _ATX.match(first) if len(first) <= 300 else None  # headings are short
        if atx is not None:
            heading = (atx.group(2), len(atx.group(1)))
        elif len(lines) >= 3 and _UNDERLINE.match(first) and _UNDERLINE.match(lines[2][1]):
            char = first.strip()[0]
            level = underline_levels.setdefault("o" + char, min(len(underline_levels) + 1, 6))
            first_line, heading, rest = lines[1][0], (lines[1][1], level), lines[3:]
        elif (
            len(lines) >= 2
            and _UNDERLINE.match(lines[1][1])
            and len(lines[1][1].strip()) * 2 >= len(first.strip())
            and len(first) <= 120
            and not looks_like_reference(first)
        ):
            char = lines[1][1].strip()[0]
            level = underline_levels.setdefault(char, min(len(underline_levels) + 1, 6))
            heading, rest = (first, level), lines[2:]
        elif (len(lines) == 1 and heading_like(first)) or reference_heading(first):
            heading = (first, 1)
        if heading is not None:
            text = _plain_line(heading[0]).strip()
            segment = Segment(first_line, text)
            blocks.append(
                Block(
                    BlockKind.HEADING,
                    first_line,
                    segments=(segment,),
                    level=heading[1],
                    suppress=pending,
                )
            )
            pending = ()
            lines = rest
            continue
        if _RST_DIRECTIVE.match(first) and not _RST_NOTE.match(first):
            return pending  # a reStructuredText comment or directive: not prose
        notes = [index for index, (_, line) in enumerate(lines) if _RST_NOTE.match(line)]
        if notes and notes[0] == 0:
            for start, end in zip(notes, [*notes[1:], len(lines)], strict=True):
                chunk = lines[start:end]
                head = _RST_NOTE.sub("", chunk[0][1], count=1)
                segments = [Segment(chunk[0][0], _plain_line(head))]
                segments += [
                    Segment(number, _plain_line(line.strip())) for number, line in chunk[1:]
                ]
                blocks.append(
                    Block(BlockKind.FOOTNOTE, chunk[0][0], segments=segments, suppress=pending)
                )
                pending = ()
            return pending
        segments = [Segment(number, _plain_line(line.strip())) for number, line in lines]
        blocks.append(Block(BlockKind.PARAGRAPH, lines[0][0], segments=segments, suppress=pending))
        return ()
    return pending


def read_plain_text(text: str, path: str | None) -> list[Reference]:
    """The references of a plain-text post (a page saved as text, a .txt or .rst file)."""
    return references_from_blocks(plain_text_blocks(text), path)
