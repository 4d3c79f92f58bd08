"""Pages: first and last page (or article number), however the range is written.

Understood: en/em dashes and hyphens, "pp."/"p.", spaces, abbreviated ranges ("811–16",
"1007–9"), letter prefixes ("E297", "S33", "e0123"), roman numerals ("iii–iv"), thousands
separators ("1,234"), a single cited page inside the work's range (a pinpoint), and
article numbers.

A differing first page is an error (RC603). A differing last page (RC604) is an error
against a complete Crossref range, and a warning where Crossref's range cannot be trusted
to end where the work does: it runs backwards ("1392b-1392"), or it is only the page count
of an article-numbered work ("1-12" beside article e0123456). Where Crossref has no last
page (a first page alone, or "373-373", which Crossref records hold as a placeholder for
a first page as often as for a one-page item), the cited last page is not judged at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from refcheck.compare.text import roman_value
from refcheck.models import Finding, Reference, Severity, Work
from refcheck.rules import finding

__all__ = ["Page", "PageRange", "compare_pages", "pages_agree", "parse_pages", "range_written"]

_LABEL = re.compile(
    r"^\s*(?:pp?\.?|pages?|pgs?\.?|s\.|с\.|стр\.|art(?:icle)?\.?(?:\s*no\.?)?|no\.)\s*",
    re.IGNORECASE,
)
_DASH = re.compile(r"\s*(?:--?|[‐‑‒–—―−]|\bto\b)\s*")
_THOUSANDS = re.compile(r"(?<![\d,])(\d{1,2}),(\d{3})(?![\d,])")
_PAGE = re.compile(r"^([A-Za-z]*)\.?(\d+)((?:\.?[A-Za-z]\d*)?)$")
_PIECES = re.compile(r"\s*[,;]\s*|\s+and\s+")
_NO_PAGES = {"no", "na", "n/a", "nopagination", "unknown", "null", "none"}


@dataclass(frozen=True, slots=True)
class Page:
    """One page: letter prefix ("e", "s"), number, suffix (".e1", "a"), or a roman numeral."""

    text: str
    prefix: str = ""
    number: int | None = None
    suffix: str = ""
    roman: bool = False

    def same(self, other: Page) -> bool:
        """The same page, allowing one side to omit a prefix or suffix ("E297" == "297")."""
        if self.number is None or other.number is None:
            return self.text == other.text
        if self.number != other.number or self.roman != other.roman:
            return False
        if self.prefix and other.prefix and self.prefix != other.prefix:
            return False
        return not (self.suffix and other.suffix and self.suffix != other.suffix)


@dataclass(frozen=True, slots=True)
class PageRange:
    first: Page
    last: Page | None
    # The last page as written when it does not run forward ("1392b-1392"): an
    # inconsistent range, told apart from a first page alone.
    backwards: Page | None = None

    def contains(self, page: Page) -> bool:
        if self.last is None or page.number is None:
            return False
        low, high = self.first.number, self.last.number
        if low is None or high is None or self.first.roman != page.roman:
            return False
        if page.prefix and self.first.prefix and page.prefix != self.first.prefix:
            return False
        return low <= page.number <= high


def _page(text: str) -> Page:
    text = text.strip().strip(".,;").casefold()
    match = _PAGE.match(text)
    if match:
        prefix, digits, suffix = match.groups()
        return Page(text, prefix, int(digits), suffix.lstrip("."))
    value = roman_value(text)
    if value is not None:
        return Page(text, number=value, roman=True)
    return Page(text)


@lru_cache(maxsize=16384)
def parse_pages(text: str) -> PageRange | None:
    """'pp. 811–16' -> 811..816. None when the text holds no page ("n/a-n/a")."""
    # "(pp. 107-115).", ":961-71.": brackets and punctuation around the pages as cut from
    # a reference string.
    text = _LABEL.sub("", text.strip().lstrip("([: ")).rstrip(")]:;,. ")
    text = _THOUSANDS.sub(r"\1\2", text)
    # Several ranges ("12-15, 18-20"): the first page of the first, the last of the last.
    chunks = [c for c in _PIECES.split(text) if c.strip()]
    if not chunks:
        return None
    first_bounds = _DASH.split(chunks[0], maxsplit=1)
    last_bounds = _DASH.split(chunks[-1], maxsplit=1)
    first_text = first_bounds[0].replace(" ", "")
    last_text = last_bounds[-1].replace(" ", "") if len(chunks) > 1 or len(last_bounds) > 1 else ""
    if first_text.casefold() in _NO_PAGES or not first_text:
        return None
    first = _page(first_text)
    if not last_text or last_text.casefold() in _NO_PAGES:
        return PageRange(first, None)
    last: Page | None = _page(last_text)
    assert last is not None
    # "811-16", "1007-9", "E4-7": the last page writes only the digits that changed.
    if (
        first.number is not None
        and last.number is not None
        and not first.roman
        and not last.roman
        and last.number < first.number
        and not last.prefix
        and len(str(last.number)) < len(str(first.number))
    ):
        digits = str(first.number)
        written = _PAGE.match(last.text)
        tail = written.group(2) if written else str(last.number)
        expanded = int(digits[: len(digits) - len(tail)] + tail)
        if expanded < first.number:  # "198-02" runs over a hundred: 202
            expanded += 10 ** len(tail)
        last = Page(last.text, first.prefix, expanded, last.suffix)
    elif first.prefix and last.number is not None and not last.prefix and not last.roman:
        last = Page(last.text, first.prefix, last.number, last.suffix)
    if first.number is not None and last.number is not None and last.number < first.number:
        # "1392b-1392": a range that does not run forward says nothing more of the end.
        return PageRange(first, None, backwards=last)
    return PageRange(first, last)


def _work_ranges(work: Work) -> list[PageRange]:
    ranges: list[PageRange] = []
    for text in (work.page, work.article_number):
        parsed = parse_pages(text) if text else None
        if parsed is not None:
            ranges.append(parsed)
    if ranges and ranges[0].first.number == 1 and not work.article_number:
        number = _doi_article_number(work.doi)
        if number is not None:
            ranges.append(PageRange(Page(number, number=int(number)), None))
    return ranges


# A DOI that ends in the article's number ("10.1155/2015/904826"): Hindawi records hold
# only the page count ("1-12") and no article number, yet "Article ID 904826" is cited.
# Only beside such a count: a record with no pages at all is not given one by its DOI.
_DOI_NUMBER = re.compile(r"/(\d{5,8})$")


@lru_cache(maxsize=4096)
def _doi_article_number(doi: str) -> str | None:
    match = _DOI_NUMBER.search(doi)
    return match.group(1) if match else None


def pages_agree(cited: str, work: Work) -> bool | None:
    """Does the cited first page agree with the work's? None when either has no page."""
    parsed = parse_pages(cited)
    ranges = _work_ranges(work)
    if parsed is None or not ranges:
        return None
    return any(_first_agrees(parsed, r) for r in ranges)


def _first_agrees(cited: PageRange, work: PageRange) -> bool:
    if cited.first.same(work.first):
        return True
    # A single cited page inside the range is a pinpoint citation, not an error.
    return cited.last is None and work.contains(cited.first)


def compare_pages(reference: Reference, work: Work) -> list[Finding]:
    """RC603 when the first page (or article number) differs, RC604 when only the last does."""
    if not reference.pages:
        return []
    cited = parse_pages(reference.pages)
    ranges = _work_ranges(work)
    if cited is None or not ranges:
        return []
    expected = work.page or work.article_number or ""
    for candidate in ranges:
        if _first_agrees(cited, candidate):
            return _last_page(reference.pages, cited, candidate, work, expected)
    # Article-numbered works are often cited by their own page count ("1-12").
    if (
        cited.first.number == 1
        and not cited.first.prefix
        and work.page is None
        and work.article_number is not None
    ):
        return []
    return [
        finding(
            "RC603",
            f"Pages {reference.pages} cited; {work.registry} has {expected}",
            cited=reference.pages,
            expected=expected,
        )
    ]


def _last_page(
    pages: str, cited: PageRange, listed: PageRange, work: Work, expected: str
) -> list[Finding]:
    """RC604 on a cited last page that is not where Crossref's range ends (the first agrees)."""
    if cited.last is None:
        return []  # a first page or a pinpoint: nothing said of the end
    if cited.last.number is None or (listed.last is not None and listed.last.number is None):
        return []  # "816 (table 3)": an end that does not read as a page is not judged
    if listed.last is None:
        if listed.backwards is None or cited.last.same(listed.backwards):
            return []  # Crossref gives a first page alone: the end cannot be judged
        return [
            finding(
                "RC604",
                f"Pages {pages} cited; {work.registry} has {expected}, a range that runs "
                f"backwards, so the last page could not be checked",
                cited=pages,
                expected=expected,
                severity=Severity.WARNING,
            )
        ]
    if cited.last.same(listed.last) or listed.last.same(listed.first):
        # "373-373": Crossref records repeat the first page where they lack the last as
        # often as they describe a one-page item; a cited end beyond it is not judged.
        return []
    if _piece_ends_there(pages, listed.last):
        return []
    if _page_count(listed, work):
        return [
            finding(
                "RC604",
                f"Pages {pages} cited; {work.registry} has {expected}, the page count of article "
                f"{work.article_number} (the last page differs)",
                cited=pages,
                expected=expected,
                severity=Severity.WARNING,
            )
        ]
    return [
        finding(
            "RC604",
            f"Pages {pages} cited; {work.registry} has {expected} (the last page differs)",
            cited=pages,
            expected=expected,
        )
    ]


def _piece_ends_there(pages: str, last: Page) -> bool:
    """A cited range of several pieces ("811–816, 820": a pinpoint or an erratum after it),
    one of which ends where Crossref's range does."""
    pieces = [p for p in _PIECES.split(_THOUSANDS.sub(r"\1\2", pages)) if p.strip()]
    if len(pieces) < 2:
        return False
    for piece in pieces:
        parsed = parse_pages(piece)
        if parsed is not None and parsed.last is not None and parsed.last.same(last):
            return True
    return False


def _page_count(listed: PageRange, work: Work) -> bool:
    """Crossref's "1-12" beside an article number counts the article's pages, which differ
    between its versions (preprint, accepted manuscript, typeset PDF)."""
    return (
        work.article_number is not None
        and listed.first.number == 1
        and not listed.first.prefix
        and not listed.first.roman
    )


# A page range anywhere in a string: two pages (as _PAGE reads them, or roman numerals)
# joined by a dash or "to". Looked for at every position, so "36,811-816" yields 811-816.
_TOKEN = r"(?:[A-Za-z]{0,3}\d+(?:,\d{3})*(?:\.?[A-Za-z]\d*)?|[ivxlcdm]+)"
_RANGE_IN_TEXT = re.compile(
    rf"(?<!\w)(?=({_TOKEN})\s*(?:--?|[‐‑‒–—―−]|\s+to\s+)\s*({_TOKEN})(?!\w))",
    re.IGNORECASE,
)


def range_written(text: str, work: Work) -> bool:
    """Does the string write Crossref's whole page range, first and last page, in any of
    the forms :func:`parse_pages` reads ("999–1007", "pp. 999-07", "S12–15")?"""
    ends = [(r.first, r.last) for r in _work_ranges(work) if r.last is not None]
    if not ends:
        return False
    for match in _RANGE_IN_TEXT.finditer(text):
        written = parse_pages(f"{match.group(1)}-{match.group(2)}")
        if written is None or written.last is None:
            continue
        last = written.last
        if any(written.first.same(first) and last.same(end) for first, end in ends):
            return True
    return False
