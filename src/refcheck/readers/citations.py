"""In-text citations: where a post's prose cites a work, with 1-based line and column.

Found on the file's own text, so that every citation is located where the writer sees it:
HTML tags, Markdown code, link targets and front matter are blanked out first (replaced by
spaces, newlines kept), so that positions do not move and nothing inside them is read.

The forms read (each cited item becomes one :class:`~refcheck.models.InTextCitation`):

- parenthetical author-year: "(Kasch et al., 2022)", "(Kasch et al. 2022; Brinjikji et al.
  2015)", "(Smith & Jones, 2019, p. 4)", "(Smith 2019a)", "(see Smith, 2019, 2020)";
  every item between the parentheses must read as a citation, or none is taken;
- narrative author-year: "Kasch et al. (2022)", "Kasch and colleagues (2022)", "Smith and
  Jones (2019)", "Smith (2019)";
- numeric: "[3]", "[1-4]", "[2, 5]" (not a Markdown link "[3](...)" or definition "[3]:");
  "(1)", "(2,5)" and "<sup>1</sup>", tentative (intext.py takes them where they cite the
  list); Markdown footnote markers "[^2]" (read_citations: the footnote's reference);
- links that are the citation: "[Kasch et al., 2021](https://doi.org/...)", an HTML
  <a href> to a DOI with such a text (``doi`` set: linked to the work the DOI names);
- keys (Pandoc, Quarto, R Markdown, Jekyll-Scholar, Obsidian): "[@kasch2022]",
  "[see @kasch2022, p. 3; @smith2019]", "[-@kasch2022]", "@kasch2022 says",
  "{% cite kasch2022 %}", "[[@kasch2022]]"; an Obsidian note link "[[Some Note]]" is none.
  A bare "@name" counts only in a file that also cites by key in brackets (otherwise it is
  a handle or an address).

Prose that only looks like a citation is not one: a year alone ("in 2022"), "(n = 283)",
"(84%)", "(March 2022)", "(p < 0.05)", "(Table 2)", "[sic]", "(WHO)", an enumeration's
"(1) whether", a power "10<sup>6</sup>".
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Collection, Iterator, Sequence
from pathlib import Path

from refcheck.errors import InputError
from refcheck.models import InTextCitation, Location, Reference
from refcheck.readers.bibtex import read_bibtex
from refcheck.readers.csljson import read_csljson
from refcheck.readers.files import load_text
from refcheck.readers.text import clean_doi, find_dois

__all__ = [
    "DATE_NAMES",
    "checked_elsewhere",
    "cited_bibliography",
    "entry_lines",
    "find_citations",
    "front_matter_keys",
    "is_list_entry",
    "read_citations",
]

# Capitals, and the letters of scripts without case a name may be written in (Greek and
# Cyrillic capitals, kana, CJK, Hangul).
_UPPER = (
    "A-Z\u00c0-\u00d6\u00d8-\u00de\u0100-\u017f\u0391-\u03a9\u0410-\u042f"
    "\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7a3"
)
_PARTICLE = r"(?:van|von|de|der|den|del|della|da|di|du|dos|la|le|el|al|ter|ten|zu|d'|l'|St\.)"
# A family name: "Kasch", "El Barzouhi", "van der Kallen", "O'Brien", "Vleggeert-Lankamp".
# A generational suffix after the family: "Gschneidner, Jr.", "King Jr".
_SUFFIX = r"(?:,?\s+(?:Jr|Sr|II|III|IV)\b\.?)?"
# The inside of a name: letters, apostrophes, hyphens, and a letter a record's encoding lost
# ("Babu?ka", "Ni\ufffdez"), as lists and texts copied from it print the name.
_LETTERS = r"[\w'’\-\u2010\u2011?\ufffd]"
_NAME = (
    # Initials before a family, as some lists print a later author ("Fong and M. Fong").
    rf"(?:[{_UPPER}]\.\s?){{0,2}}(?:{_PARTICLE}\s+){{0,2}}[{_UPPER}]{_LETTERS}*[\w]"
    # A group or literal name: "Climate Editorial Office", "Newell P. Campbell"; a spaced
    # dash inside one as a record may give it ("Abdul – Rahman").
    rf"(?:(?:\s+[–-])?\s+(?:{_PARTICLE}\s+){{0,2}}(?:[{_UPPER}]\.(?=\s+[{_UPPER}])|[{_UPPER}]{_LETTERS}*\w)){{0,2}}"
    # A name a record ends with an apostrophe, as transliterated ("Bratus’").
    rf"(?:['’](?=[\s,;)]))?"
    rf"{_SUFFIX}"
)
_YEAR = r"(?:1[6-9]\d\d|20\d\d)"
_AUTHORS = (
    rf"(?P<first>{_NAME})"
    rf"(?:(?P<etal>,?\s+et\s+al\.?)"  # a stray comma: "Brewer, et al."
    rf"|,?\s+(?:and|&)\s+(?P<second>{_NAME})"  # a stray comma: "Brewer, & Krzyzynski"
    rf"|,\s+(?P<second2>{_NAME}),?\s+(?:and|&)\s+{_NAME})?"
)
# One item of a parenthetical citation: "see Kasch et al., 2022, p. 4" or "Smith 2019a, 2020".
_ITEM = re.compile(
    r"\s*(?:(?:see\s+also|see|e\.g\.,?|cf\.|i\.e\.,?|also)\s+)?"
    rf"{_AUTHORS},?\s+(?P<years>{_YEAR}[a-z]?(?:\s*,\s*{_YEAR}[a-z]?)*)"
    r"(?:\s*,\s*(?:pp?\.|chap\.|ch\.|para\.|sec\.|fig\.)\s*[\divxlc]+(?:\s*[-–]\s*[\divxlc]+)?)?"
    r"\s*"
)
# An item of a parenthetical citation whose names the forms above do not read
# ("Heuer & Richards J., 1994", "Michael E. Hohn, Donald W. Neal, 1979", "- et al. 2012").
_ODD_ITEM = re.compile(
    rf"\s*(?P<lead>[^\d;()\s][^\d;()]{{0,160}}?),?\s+"
    rf"(?P<years>{_YEAR}[a-z]?(?:\s*,\s*{_YEAR}[a-z]?)*)\s*"
)
_PARENS = re.compile(r"\(([^()\n]{5,400})\)")
_NARRATIVE = re.compile(
    rf"(?<![\w(])(?:{_AUTHORS}|(?P<lead>{_NAME})\s+and\s+(?:colleagues|co-?workers|coauthors"
    rf"|co-authors))\s+\((?P<years>{_YEAR}[a-z]?)(?:\s*,\s*pp?\.\s*\d+(?:\s*[-–]\s*\d+)?)?\)"
)
# Names given in full before a narrative's own, each with a middle initial: "Michael E.
# Hohn, Donald W. Neal (1979)" ("name" is the first of them).
_FULL_NAME = rf"[{_UPPER}][\w'’\-]+\s+(?:[{_UPPER}]\.\s?){{1,2}}\s*[{_UPPER}][\w'’\-]*\w"
_FULL_NAMES_BEFORE = re.compile(rf"(?<![\w.])(?P<name>{_FULL_NAME})(?:,\s+{_FULL_NAME})*,\s+$")
_LONG_SECOND_BEFORE = re.compile(
    rf"(?<![\w.])(?P<name>{_NAME})\s+(?:&|and)\s+(?:[{_UPPER}][\w'’\-]*\s+){{1,4}}$"
)
# What follows a narrative "Spence (1935)" that cites: a verb of reporting ("found that",
# "argued", "have shown"), perhaps after an adverb ("also", "recently").
_REPORTS = re.compile(
    r"\s+(?:(?:also|recently|later|first|previously|similarly|likewise|further|instead)\s+)?"
    r"(?:(?:has|have|had)\s+)?"
    r"(?:found|finds|showed|shown|shows|argued|argues|reported|reports|suggested|suggests"
    r"|demonstrated|demonstrates|concluded|concludes|observed|observes|described|describes"
    r"|proposed|proposes|noted|estimated|estimates|examined|examines|investigated"
    r"|investigates|explored|explores|compared|compares|identified|identifies|measured"
    r"|measures|recommended|recommends|claimed|claims|analy[sz]ed|analy[sz]es|wrote|writes"
    r"|stated|states|reviewed|reviews|tested|tests|studied|studies|assessed|assesses"
    r"|evaluated|evaluates|presented|presents|introduced|introduces|defined|defines)\b"
)
_YEAR_ITEM = re.compile(rf"({_YEAR})([a-z]?)")
_NUMERIC = re.compile(
    r"(?<![\w\]\[!^])\[(\s*\d{1,3}(?:\s*[-–]\s*\d{1,3})?(?:\s*,\s*\d{1,3}(?:\s*[-–]\s*\d{1,3})?)*\s*)\]"
    r"(?![(\[:])"
)
# Numbers in parentheses, as Vancouver and NLM cite ("pain (1).", "(2,5)", "(1-3)"); not an
# enumeration's "(1) whether", which follows a colon, a comma, "and"/"or" or starts a line.
_NUMBERS = r"\d{1,3}(?:\s*[-–]\s*\d{1,3})?(?:\s*,\s*\d{1,3}(?:\s*[-–]\s*\d{1,3})?)*"
_PAREN_NUMERIC = re.compile(rf"(?<=[\w.”’\"'\]])(?P<gap> ?)\((?P<numbers>{_NUMBERS})\)")
_ENUMERATION = re.compile(r"(?:^|[:;,(]|\b(?:and|or)|\d)\s*$", re.IGNORECASE)
# Superscript numbers, as AMA cites ("pain<sup>1,2</sup>"); not a power (10<sup>6</sup>,
# m<sup>2</sup>): a superscript straight after a digit, or a one- or two-letter unit, is one.
_SUPERSCRIPT = re.compile(rf"<sup>\s*\[?(?P<numbers>{_NUMBERS})\]?\s*</sup>", re.IGNORECASE)
_POWER_BEFORE = re.compile(r"(?:\d|\b[A-Za-zµ]{1,2}|\^)$")
_KEY = r"[\w][\w:.#$%&\-+?<>~/]*[\w]|[\w]"
_BRACKET_KEYS = re.compile(r"(?<![\[\w])\[([^\[\]\n]*?-?@[\w][^\[\]\n]*)\](?![(\[:])")
_KEY_IN_BRACKET = re.compile(rf"(?<![\w@])-?@(?P<key>{_KEY})")
_OBSIDIAN = re.compile(rf"\[\[@(?P<key>{_KEY})(?:[|#][^\]\n]*)?\]\]")
_JEKYLL = re.compile(r"\{%\s*cite\s+([^%\n]+?)\s*%\}")
_BARE_KEY = re.compile(rf"(?<![\w@.\[/\-])@(?P<key>{_KEY})")
# Capitalised words a year in parentheses follows that are no author.
_NOT_NAMES = frozenset(
    [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "spring",
        "summer",
        "autumn",
        "fall",
        "winter",
        "in",
        "on",
        "at",
        "by",
        "since",
        "until",
        "from",
        "to",
        "for",
        "of",
        "the",
        "a",
        "an",
        "and",
        "or",
        "see",
        "also",
        "between",
        "during",
        "after",
        "before",
        "about",
        "around",
        "version",
        "windows",
        "covid",
        "figure",
        "fig",
        "table",
        "vol",
        "volume",
        "issue",
        "page",
        "chapter",
        "section",
        "part",
        "edition",
        "published",
        "updated",
        "posted",
        "accessed",
        "retrieved",
        "ed",
        "eds",
    ]
)

# A tag opens with a letter, "/", "!" or "?": the "<" of "(p < 0.05)" opens none (read as
# one, it blanked the prose up to the next ">", citations and all).
_TAG = re.compile(
    r"<!--.*?-->|<(script|style)\b.*?</\1\s*>|<[A-Za-z/!?][^>]*>", re.DOTALL | re.IGNORECASE
)
_FRONT_MATTER = re.compile(r"\A---\n.*?\n(?:---|\.\.\.)\n", re.DOTALL)
_FENCE = re.compile(r"^(`{3,}|~{3,}).*?^\1[ \t]*$", re.DOTALL | re.MULTILINE)
_CODE_SPAN = re.compile(r"(`+)[^`\n].*?\1")
# A Markdown link's target: "](https://...)" - its text stays, its address is blanked.
_LINK_TARGET = re.compile(r"\]\(([^()\s]*(?:\([^()\s]*\)[^()\s]*)*)(?:\s+\"[^\"\n]*\")?\)")
_URL = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)
_ENTITY = re.compile(r"&(?:#\d{1,7}|#x[0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_SUPPRESS = re.compile(r"\brefcheck\s*:\s*ignore\b\s*(?:\[([^\]]*)\])?", re.IGNORECASE)


def _blank(match: re.Match[str]) -> str:
    """The match as spaces, its newlines kept: positions after it do not move."""
    return re.sub(r"[^\n]", " ", match.group(0))


class _Unescaped:
    """HTML text with its entities replaced by their characters ("Smith &amp; M&uuml;ller"
    reads "Smith & Müller"), and the way back from an offset in it to one in the file."""

    def __init__(self, text: str) -> None:
        parts: list[str] = []
        # From offset starts[i] of the new text on, the file's offset is ahead[i] further.
        self.starts, self.ahead = [0], [0]
        last = ahead = length = 0
        for match in _ENTITY.finditer(text):
            char = html.unescape(match.group(0))
            if len(char) != 1 or char == "\xa0":
                char = " "
            parts += [text[last : match.start()], char]
            length += match.start() - last + 1
            ahead += len(match.group(0)) - 1
            self.starts.append(length)
            self.ahead.append(ahead)
            last = match.end()
        parts.append(text[last:])
        self.text = "".join(parts)

    def in_file(self, offset: int) -> int:
        import bisect

        return offset + self.ahead[bisect.bisect_right(self.starts, offset) - 1]


def _visible(text: str, kind: str) -> str:
    """The text with what is no prose (tags, code, addresses, front matter) blanked."""
    if kind == "html":
        text = _TAG.sub(_blank, text)
    elif kind == "markdown":
        text = _FRONT_MATTER.sub(_blank, text)
        text = _FENCE.sub(_blank, text)
        text = _CODE_SPAN.sub(_blank, text)
        text = _TAG.sub(_blank, text)
        text = _LINK_TARGET.sub(lambda m: "](" + " " * (len(m.group(0)) - 3) + ")", text)
    return _URL.sub(_blank, text)


def _kind_of(path: str | None) -> str:
    suffix = Path(path).suffix.lower() if path else ""
    if suffix in {".html", ".htm"}:
        return "html"
    if suffix in {".md", ".markdown", ".qmd", ".rmd"}:
        return "markdown"
    return "text"


class _Lines:
    """Offsets -> 1-based (line, column), and each line's suppression codes."""

    def __init__(self, text: str, raw: str) -> None:
        self.starts = [0]
        self.starts.extend(m.end() for m in re.finditer("\n", text))
        self.suppress: dict[int, tuple[str, ...]] = {}
        for match in _SUPPRESS.finditer(raw):
            codes = tuple(c.upper() for c in re.split(r"[\s,;]+", match.group(1) or "") if c)
            self.suppress[self.place(match.start())[0]] = codes or ("*",)

    def place(self, offset: int) -> tuple[int, int]:
        import bisect

        index = bisect.bisect_right(self.starts, offset) - 1
        return index + 1, offset - self.starts[index] + 1


def _years(text: str) -> Iterator[tuple[int, str]]:
    for match in _YEAR_ITEM.finditer(text):
        yield int(match.group(1)), match.group(2)


def _is_name(name: str) -> bool:
    words = name.split()
    return not any(word.casefold() in _NOT_NAMES for word in words) and not any(
        char.isdigit() for char in name
    )


# Words a year in parentheses follows that are dates, and surnames too ("(May 2007)"):
# read as a name only tentatively, and linked only to an entry of that name and year.
DATE_NAMES = frozenset({"may", "june", "march", "april", "august", "winter", "summer", "spring"})
_LEAD_WORDS = re.compile(r"^(?:see\s+also|see|e\.g\.,?|cf\.|i\.e\.,?|also)\s+", re.IGNORECASE)


def _odd_name(lead: str) -> tuple[str, str] | None:
    """The first author an item in an odd form names, and the name as written: its first
    part before a comma or "and" ("Michael E. Hohn, Donald W. Neal" -> "Michael E. Hohn"),
    a group whole ("Canadian Pain Society Study Day participants"), a date word that is a
    surname ("May"); None for prose ("in the summer of") or initials alone ("P.")."""
    written = re.split(r",|&|\band\b", _LEAD_WORDS.sub("", lead.strip()), maxsplit=1)[0].strip()
    name = _family(written)
    words = name.split()
    if not words or not re.match(rf"[{_UPPER}]", name) or any(c.isdigit() for c in name):
        return None
    if len(re.sub(r"\W", "", name)) < 2:
        return None
    first = words[0].casefold()
    if first in _NOT_NAMES and not (len(words) == 1 and first in DATE_NAMES) and not _the(name):
        return None
    return name, written


def _the(name: str) -> bool:
    """A group whose name starts with "The": "The Lancet", "The Cochrane Collaboration"."""
    words = name.split()
    return len(words) >= 2 and words[0] == "The" and _is_name(" ".join(words[1:]))


def _acronym(names: tuple[str, ...], more: bool) -> bool:
    """ "(WHO, 2020)" is a group author, "(UK, 2019)" or "(FY 2019)" is none: a lone
    capitalised short word is only taken as an author when the list has it."""
    return len(names) == 1 and not more and names[0].isupper() and len(names[0]) <= 6


def _family(name: str) -> str:
    """A cited name without its initials or generational suffix ("M. Fong" -> "Fong")."""
    name = re.sub(rf"^(?:[{_UPPER}]\.\s?)+", "", name)
    return re.sub(r",?\s+(?:Jr|Sr|II|III|IV)\b\.?$", "", name)


def _names(match: re.Match[str]) -> tuple[tuple[str, ...], bool]:
    """The cited family names, and whether the list goes on ("et al.", "and colleagues")."""
    groups = match.groupdict()
    first = groups.get("first") or groups.get("lead") or ""
    second = groups.get("second") or groups.get("second2")
    names = tuple(_family(name) for name in ((first, second) if second else (first,)))
    more = bool(groups.get("etal") or groups.get("lead") or groups.get("second2"))
    return names, more


def _numbers(text: str) -> tuple[int, ...]:
    """ "1-3, 5" as (1, 2, 3, 5); empty when a number is 0 (no citation number)."""
    numbers: list[int] = []
    for part in text.split(","):
        ends = [int(n) for n in re.split(r"[-–]", part) if n.strip()]
        if len(ends) == 2 and 0 < ends[0] <= ends[1] and ends[1] - ends[0] < 100:
            numbers.extend(range(ends[0], ends[1] + 1))
        else:
            numbers.extend(ends)
    return tuple(numbers) if numbers and 0 not in numbers else ()


def find_citations(text: str, path: str | None = None) -> list[InTextCitation]:
    """Every in-text citation in a post's text (Markdown, HTML or plain text, by the path's
    suffix), in the order they appear."""
    kind = _kind_of(path)
    blanked = _visible(text, kind)
    lines = _Lines(blanked, text)
    # Entities are read as their characters in HTML (and in Markdown's inline HTML).
    unescaped = _Unescaped(blanked) if kind != "text" else None
    shown = unescaped.text if unescaped is not None else blanked
    found: list[tuple[int, InTextCitation]] = []

    def add(offset: int, cited: str, *, in_file: bool = False, **parts: object) -> None:
        """A citation at ``offset`` of the shown text (``in_file``: of the file's)."""
        if not in_file and unescaped is not None:
            offset = unescaped.in_file(offset)
        line, column = lines.place(offset)
        found.append(
            (
                offset,
                InTextCitation.model_validate(
                    {
                        "path": path,
                        "line": line,
                        "column": column,
                        "text": " ".join(cited.split()),
                        "suppress": lines.suppress.get(line, ()),
                        **parts,
                    }
                ),
            )
        )

    taken: list[tuple[int, int]] = []
    for parens in _PARENS.finditer(shown):
        body = parens.group(1)
        items = body.split(";")
        matches = [
            match if match is not None and _is_name(match.group("first")) else None
            for match in map(_ITEM.fullmatch, items)
        ]
        # Among citations ("Rhodes, 2017; Heuer & Richards J., 1994"), an item whose names
        # are odd but that ends in a year is one too, tentative (taken when it links).
        odd = [
            _ODD_ITEM.fullmatch(item) if m is None else None
            for item, m in zip(items, matches, strict=True)
        ]
        if not all(m or o for m, o in zip(matches, odd, strict=True)):
            continue
        # Alone, such an item is a group or a name in an odd form ("(Canadian Pain Society
        # Study Day participants, 2015)", "(May 2007)"), also tentative.
        leads = [_odd_name(o.group("lead")) if o is not None else None for o in odd]
        if (
            len(items) == 1
            and leads[0] is not None
            and "," not in body
            and leads[0][0].casefold() in DATE_NAMES
        ):
            continue  # "(March 2022)" alone is a date
        if not any(matches) and not any(leads):
            continue
        taken.append(parens.span())
        offset = parens.start(1)
        for item, match, loose, lead in zip(items, matches, odd, leads, strict=True):
            if match is None:
                assert loose is not None
                if lead is not None:
                    at = offset + loose.start("lead") + max(0, loose.group("lead").find(lead[1]))
                    alone = len(items) == 1
                    for year, suffix in _years(loose.group("years")):
                        add(
                            parens.start() if alone else at,
                            parens.group(0) if alone else item.strip(),
                            kind="author-year",
                            authors=(lead[0],),
                            et_al=True,
                            year=year,
                            year_suffix=suffix or None,
                            tentative=True,
                        )
                offset += len(item) + 1
                continue
            names, more = _names(match)
            start = parens.start() if len(items) == 1 else offset + match.start("first")
            cited = parens.group(0) if len(items) == 1 else item.strip()
            for year, suffix in _years(match.group("years")):
                add(
                    start,
                    cited,
                    kind="author-year",
                    authors=names,
                    et_al=more,
                    year=year,
                    year_suffix=suffix or None,
                    tentative=_acronym(names, more),
                )
            offset += len(item) + 1
    for match in _NARRATIVE.finditer(shown):
        names, more = _names(match)
        if any(a <= match.start() < b for a, b in taken):
            continue
        group = _the(names[0])  # "The Lancet (2011) found": taken when it links
        alone = len(names) == 1 and not more
        reports = _REPORTS.match(shown, match.end()) is not None
        # A date word that is a surname, reporting ("May (2007) found that"): taken when
        # it links to May 2007.
        dated = alone and reports and names[0].casefold() in DATE_NAMES
        if not _is_name(names[0]) and not group and not dated:
            continue
        # "Smith (2019)" alone is often a product or place with its year: only read as a
        # citation when it is linked, or a verb of reporting follows ("Smith (2019) found
        # that"; not an acronym's "WHO (2020) says", whose list may spell it out);
        # "Smith et al. (2019)" and "Smith and Jones" always.
        start = match.start()
        # The last of names written out in full ("Michael E. Hohn, Donald W. Neal (1979)",
        # as a record may give them): the first of them is the first author.
        earlier = _FULL_NAMES_BEFORE.search(shown, max(0, start - 200), start)
        if earlier is None:
            # The tail of a longer second name: "Samigulov & South Ural State University
            # (2019)" read from "Ural": the first author is the name before "&".
            earlier = _LONG_SECOND_BEFORE.search(shown, max(0, start - 200), start)
        if earlier is not None and _is_name(earlier.group("name")):
            names, more, alone = (_family(earlier.group("name")), *names[:1]), True, False
            start = earlier.start("name")
        for year, suffix in _years(match.group("years")):
            add(
                start,
                shown[start : match.end()],
                kind="author-year",
                authors=names,
                et_al=more,
                year=year,
                year_suffix=suffix or None,
                narrative=True,
                tentative=group or dated or (alone and (not reports or _acronym(names, more))),
            )
    for match in _NUMERIC.finditer(shown):
        numbers = _numbers(match.group(1))
        if numbers:
            add(match.start(), match.group(0), kind="numeric", numbers=numbers)
    # Numbers in parentheses or superscripts may be prose (a count, an enumeration, a
    # power): tentative, taken only in a file whose such numbers cite its list (intext.py).
    for match in _PAREN_NUMERIC.finditer(shown):
        before = shown[max(0, match.start() - 40) : match.start()]
        if _ENUMERATION.search(before + match.group("gap")):
            continue
        numbers = _numbers(match.group("numbers"))
        if numbers:
            start = match.start() + len(match.group("gap"))
            add(start, shown[start : match.end()], kind="numeric", numbers=numbers, tentative=True)
    if kind != "text":
        for match in _SUPERSCRIPT.finditer(text):
            if _POWER_BEFORE.search(text[max(0, match.start() - 3) : match.start()]):
                continue
            numbers = _numbers(match.group("numbers"))
            if numbers:
                cited = match.group("numbers").strip()
                add(
                    match.start(),
                    cited,
                    in_file=True,
                    kind="numeric",
                    numbers=numbers,
                    tentative=True,
                )
    bracketed = False
    key_spans: list[tuple[int, int]] = []
    for match in _OBSIDIAN.finditer(shown):
        bracketed = True
        key_spans.append(match.span())
        add(match.start(), match.group(0), kind="key", key=match.group("key"))
    for match in _BRACKET_KEYS.finditer(shown):
        if any(a <= match.start() < b for a, b in key_spans):
            continue
        keys = list(_KEY_IN_BRACKET.finditer(match.group(1)))
        if not keys:
            continue
        bracketed = True
        key_spans.append(match.span())
        for key in keys:
            start = match.start(1) + key.start()
            add(
                start if len(keys) > 1 else match.start(),
                key.group(0) if len(keys) > 1 else match.group(0),
                kind="key",
                key=key.group("key"),
            )
    for match in _JEKYLL.finditer(shown):
        bracketed = True
        key_spans.append(match.span())
        for word in match.group(1).split():
            if not word.startswith("--"):  # an option: {% cite key --file refs %}
                add(match.start(), match.group(0), kind="key", key=word)
                break
    if bracketed or (
        _FRONT_MATTER.match(text) and re.search(r"^(?:bibliography|references):", text, re.M)
    ):
        for match in _BARE_KEY.finditer(shown):
            if any(a <= match.start() < b for a, b in key_spans):
                continue
            add(match.start(), match.group(0), kind="key", key=match.group("key"), narrative=True)
    for (begin, end), offset, label, doi in _citing_links(text, kind):
        item = _ITEM.fullmatch(label) or _NARRATIVE.fullmatch(label.strip())
        if item is None or not _is_name(item.group("first") or item.group("lead") or ""):
            continue
        names, more = _names(item)
        years = list(_years(item.group("years")))
        if len(years) != 1:
            continue
        # The link is the citation: a reading of its text, or of the parentheses around
        # it, as a citation of its own gives way.
        found = [(o, c) for o, c in found if not (begin - 1 <= o < end)]
        year, suffix = years[0]
        add(
            offset,
            label,
            in_file=True,
            kind="author-year",
            authors=names,
            et_al=more,
            year=year,
            year_suffix=suffix or None,
            doi=doi,
        )
    return [citation for _, citation in sorted(found, key=lambda pair: pair[0])]


_MD_LINK = re.compile(r"\[([^\[\]\n]{4,200})\]\(\s*<?([^()\s>]*(?:\([^()\s]*\)[^()\s>]*)*)>?")
_HTML_LINK = re.compile(
    r"<a\b[^>]*?\bhref\s*=\s*[\"']([^\"']+)[\"'][^>]*>([^<]{4,200})</a\s*>", re.IGNORECASE
)


def _citing_links(text: str, kind: str) -> Iterator[tuple[tuple[int, int], int, str, str]]:
    """Links to a DOI whose text may be a citation ("[Kasch et al., 2021](https://doi.org/
    10.1097/...)", "<a href=...>Kasch et al., 2021</a>"): the link's span in the file, where
    the citation stands (Markdown: the "["; HTML: the link's text), its text and the DOI."""
    if kind == "markdown":
        for match in _MD_LINK.finditer(text):
            dois = find_dois(match.group(2))
            if dois and (doi := clean_doi(dois[0])):
                yield match.span(), match.start(), match.group(1), doi
    elif kind == "html":
        for match in _HTML_LINK.finditer(text):
            dois = find_dois(html.unescape(match.group(1)))
            if dois and (doi := clean_doi(dois[0])):
                yield match.span(), match.start(2), html.unescape(match.group(2)), doi


def entry_lines(text: str, references: Sequence[Reference]) -> set[int]:
    """The lines the post's reference list entries stand on: each entry's line up to the
    next blank line (an entry's own "(2022)" is no citation of it)."""
    lines = text.split("\n")
    taken: set[int] = set()
    for reference in references:
        start = reference.location.line
        if start is None or not (reference.authors or reference.title or reference.year):
            continue
        line = start
        while line <= len(lines) and (line == start or lines[line - 1].strip()):
            taken.add(line)
            line += 1
    return taken


def read_citations(
    text: str, path: str | None = None, references: Sequence[Reference] = ()
) -> list[InTextCitation]:
    """The in-text citations of a post, outside its list ``references``; none for a
    bibliography file (BibTeX, CSL-JSON)."""
    suffix = Path(path).suffix.lower() if path else ""
    if suffix in {".bib", ".bibtex", ".json", ".csljson"}:
        return []
    # The post's own list only: a front-matter bibliography's entries stand in their file.
    own = [r for r in references if r.location.path in {path, None}]
    skip = entry_lines(text, own)
    found = [c for c in find_citations(text, path) if c.line not in skip]
    if _kind_of(path) == "markdown":
        found = sorted(
            [*found, *_footnote_citations(text, path, own)], key=lambda c: (c.line, c.column)
        )
    return found


def is_list_entry(reference: Reference) -> bool:
    """A list entry, not a DOI met in prose (which has a DOI and nothing else). An entry
    whose authors and title the parse missed ("[10] W. E. W., ... 1962.") still holds its
    place in a numbered list: its year says it was read as an entry."""
    return (
        bool(reference.authors or reference.title or reference.year) and reference.problem is None
    )


_FOOTNOTE_MARKER = re.compile(r"\[\^([^\]\s]{1,100})\](?!:)")
_FOOTNOTE_DEFINITION = re.compile(r"^[ ]{0,3}\[\^([^\]\s]{1,100})\]:", re.MULTILINE)


def _footnote_citations(
    text: str, path: str | None, references: Sequence[Reference]
) -> list[InTextCitation]:
    """Markdown footnote markers ("[^2]") whose footnote is a reference of the list: a
    numeric citation of that entry (its place among the list's entries, as intext.py counts
    them: :func:`is_list_entry`). A marker of a footnote that is a note is none; one with
    no footnote at all (Markdown prints "[^9]" as it is) is a key cited with no entry."""
    shown = _visible(text, "markdown")
    lines = _Lines(shown, text)
    defined = {m.group(1): lines.place(m.start())[0] for m in _FOOTNOTE_DEFINITION.finditer(shown)}
    entries = [r for r in references if is_list_entry(r)]
    number_at = {r.location.line: n for n, r in enumerate(entries, 1) if r.location.line}
    citations: list[InTextCitation] = []
    for match in _FOOTNOTE_MARKER.finditer(shown):
        label = match.group(1)
        line, column = lines.place(match.start())
        parts: dict[str, object] = {}
        if label not in defined:
            parts = {"kind": "key", "key": f"^{label}"}
        elif defined[label] in number_at:
            parts = {"kind": "numeric", "numbers": (number_at[defined[label]],)}
        else:
            continue
        citations.append(
            InTextCitation.model_validate(
                {
                    "path": path,
                    "line": line,
                    "column": column,
                    "text": match.group(0),
                    "suppress": lines.suppress.get(line, ()),
                    **parts,
                }
            )
        )
    return citations


_FRONT = re.compile(r"\A\ufeff?---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
_TOP_KEY = re.compile(r"^(?P<name>[A-Za-z_][\w-]*)\s*:\s*(?P<value>.*)$")
_ITEM_VALUE = re.compile(r"^\s*-\s*(?P<value>.+)$")
_ID = re.compile(r"^\s*(?:-\s*)?id\s*:\s*(?P<value>.+)$")


def _scalar(value: str) -> str:
    return value.split(" #")[0].strip().strip("\"'")


def _front_matter(text: str) -> dict[str, list[str]]:
    """A post's YAML front matter read as far as citations need: each top-level name with
    its inline value and the lines of its block (no YAML library: a few shapes suffice)."""
    match = _FRONT.match(text)
    if match is None:
        return {}
    fields: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in match.group(1).split("\n"):
        top = _TOP_KEY.match(line)
        if top is not None:
            current = fields.setdefault(top.group("name").lower(), [])
            if top.group("value").strip():
                current.append(top.group("value"))
        elif current is not None and line.strip():
            current.append(line)
    return fields


def _bibliography_files(lines: list[str]) -> list[str]:
    files: list[str] = []
    for line in lines:
        item = _ITEM_VALUE.match(line)
        value = item.group("value") if item else line
        value = value.strip()
        if value.startswith("[") and value.endswith("]"):
            files.extend(_scalar(part) for part in value[1:-1].split(",") if part.strip())
        elif value:
            files.append(_scalar(value))
    return [name for name in files if name]


def front_matter_keys(
    text: str, path: str | None, read: Callable[[Path], list[Reference]]
) -> frozenset[str] | None:
    """The citation keys a post's front matter defines: the entries of its
    ``bibliography:`` files (read by ``read``, relative to the post) and the ids of its
    ``references:`` block. None when it names neither, or a bibliography file cannot be
    read: then no key can be called undefined."""
    fields = _front_matter(text)
    if "bibliography" not in fields and "references" not in fields:
        return None
    keys: set[str] = set()
    for line in fields.get("references", []):
        found = _ID.match(line)
        if found is not None:
            keys.add(_scalar(found.group("value")))
    folder = Path(path).parent if path else Path()
    for name in _bibliography_files(fields.get("bibliography", [])):
        try:
            references = read(folder / name)
        except InputError:
            return None
        keys.update(r.location.key for r in references if r.location.key)
    return frozenset(keys)


_NOCITE_KEY = re.compile(r"@(\*|[\w][\w:.#$%&\-+?<>~/]*[\w]|[\w])")


def _nocite(lines: list[str]) -> set[str]:
    """The keys of a ``nocite:`` field ("@a, @b", a block of them, or "@*": every entry)."""
    return {match.group(1) for line in lines for match in _NOCITE_KEY.finditer(line)}


def _front_matter_line(text: str, name: str) -> int:
    """The 1-based line of a top-level front matter field (1 when not found)."""
    for number, line in enumerate(text.split("\n")[:500], 1):
        if re.match(rf"{name}\s*:", line, re.IGNORECASE):
            return number
    return 1


def cited_bibliography(text: str, path: str | None) -> list[Reference]:
    """The entries of a post's front-matter ``bibliography:`` files that the post cites by
    key (``[@key]``, ``@key``, ``{% cite key %}``) or names in ``nocite:`` (``@*``: all), in
    each file's order, located in that file: Pandoc and Quarto print these in the post, so
    they are checked with it. A bibliography file that cannot be read is one reference
    with a problem, at the front matter's ``bibliography:`` line."""
    fields = _front_matter(text)
    names = _bibliography_files(fields.get("bibliography", []))
    if not names:
        return []
    cited = {c.key for c in find_citations(text, path) if c.kind == "key" and c.key}
    cited |= _nocite(fields.get("nocite", []))
    folder = Path(path).parent if path else Path()
    entries: list[Reference] = []
    for name in names:
        file = folder / name
        reader = read_csljson if file.suffix.lower() in {".json", ".csljson"} else read_bibtex
        try:
            references = reader(load_text(file), str(file))
        except InputError as exc:
            where = Location(path=path, line=_front_matter_line(text, "bibliography"))
            problem = f"the front matter's bibliography {name} cannot be read: {exc}"
            entries.append(Reference(location=where, text=name, problem=problem))
            continue
        entries += [r for r in references if "*" in cited or r.location.key in cited]
    return entries


def checked_elsewhere(
    references: list[Reference], post: str | Path, reading: Collection[Path]
) -> list[Reference]:
    """A post's references less the entries of its front-matter bibliography files that the
    run reads on their own (``reading``: every file the run reads): a ``.bib`` named beside
    the post is checked once, from its own file, and the post's keys are linked to those."""
    own = str(post)
    others = {path.resolve() for path in reading} - {Path(post).resolve()}
    if not others:
        return references
    return [
        reference
        for reference in references
        if reference.location.path in {None, own}
        or Path(reference.location.path).resolve() not in others
    ]
