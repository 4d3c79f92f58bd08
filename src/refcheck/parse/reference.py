"""One free-text reference -> its fields, and which of them the parser is sure about.

The parse walks the string from the left, as a reader does:

1. clean: markup, links, DOIs, PubMed ids and access notes out (:mod:`.clean`);
2. authors: the longest list of names in one shape (:mod:`.names`), or, in author-date
   styles, everything before the year (a group author when it does not read as names);
3. the year, when it follows the authors (Harvard, APA, Chicago author-date);
4. the title: a quoted one, an italic one, or the first sentence;
5. the rest: a container title up to the volume/issue/pages block (:mod:`.numbers`),
   with an italic span preferred as the container when the markup gives one.

``confident`` names the fields read from an unambiguous position (a quoted title, the year
in parentheses after the authors, a ``36(4):811-6`` block...). The comparer should raise
alarms only on those: a field read by a guess is a lead, not evidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import TypeVar

from refcheck.models import Location, Person, Reference
from refcheck.parse.clean import CleanText, clean
from refcheck.parse.crf import read_fields
from refcheck.parse.names import (
    JOURNAL_WORDS,
    AuthorList,
    is_group_name,
    scan_authors,
    split_author_text,
)
from refcheck.parse.numbers import Numbers, find_numbers, plausible_year, years_in

__all__ = ["FIELDS", "ParsedReference", "parse_reference", "to_reference"]

FIELDS = frozenset(
    {"authors", "year", "title", "container", "volume", "issue", "pages", "doi", "url", "pmid"}
)


@dataclass(frozen=True, slots=True)
class ParsedReference:
    """The fields of one reference string; any may be missing."""

    authors: tuple[Person, ...] = ()
    authors_truncated: bool = False
    year: int | None = None
    title: str | None = None
    container: str | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    doi: str | None = None
    url: str | None = None
    pmid: str | None = None
    confident: frozenset[str] = field(default_factory=frozenset)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_EMPTY = ParsedReference()

# The year just after the authors: "(2013)." "2013." ", 2013." "(2013, May 3)." "(n.d.)",
# "(no date)", "(in press)".
_YEAR_SLOT = re.compile(
    r"[\s,.:]*\(?\s*(?P<year>(?:1[5-9]|20)\d\d)(?P<suffix>[a-z])?(?:\s*[-/–]\s*\d{2,4})?"
    r"(?:,?\s+[A-Z][a-z]+\.?(?:\s+\d{1,2}(?:\s*[-–]\s*\d{1,2})?)?)?\s*\)?(?=[\s.,:;]|$)[.,:;]?"
    r"|[\s,.:]*\(?(?:n\.\s?d\.?|no date|undated|in press|forthcoming)\)?[.,:]?",
)
_OPEN_QUOTES = {"“": "”", '"': '"', "‘": "’", "«": "»", "„": "“", "'": "'", "”": "”"}
_ABBREVIATIONS = _words(
    "vs v e.g i.e al etc dr st mr mrs ms jr sr no vol fig figs ed eds approx ca cf co inc ltd "
    "corp u.s u.k dept univ ch sec suppl pt spp sp var ssp"
)
_JOURNAL_WORDS = JOURNAL_WORDS
_IN_PREFIX = re.compile(r"^(?:in\s*:|in\s+(?=[A-Z\u00c0-\u024f]))\s*", re.IGNORECASE)
_EDITOR_CLAUSE = re.compile(
    # \b: "Controlled Fusion" and "Applied Remote Sensing" hold "ed " inside a word.
    r"^(?P<eds>.{1,300}?)(?:,?\s*\(?\b(?:eds?|editors?|hrsg|coords?)\.?\)?[.,:]?\s+)(?=\S)",
    re.IGNORECASE,
)
_MONTHS = (
    r"(?:jan(?:uary|vier|uar)?|feb(?:ruary|ruar)?|mar(?:ch)?|apr(?:il)?|may|june?|july?"
    r"|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|févr(?:ier)?"
    r"|fevrier|mars|avr(?:il)?|mai|juin|juil(?:let)?|août|aout|septembre|octobre|novembre"
    r"|déc(?:embre)?|decembre|märz|okt(?:ober)?|dez(?:ember)?|spring|summer|autumn|fall|winter)"
    r"\.?(?![\w])"
)
_TRAILING_DATE = re.compile(
    rf"(?:[\s,.(]+(?:\d{{1,2}}\s+)?{_MONTHS}(?:\s+\d{{1,2}})?)?(?:[\s,.(]+(?:1[5-9]|20)\d\d[a-z]?\)?)?"
    rf"(?:[\s,.(]+{_MONTHS})?$",
    re.IGNORECASE,
)
# "In:" before a book's title (a chapter), at the start of a reference's rest.
_IN_COLON = re.compile(r"[\s,.;]*\bin\s*:\s+(?=\S)", re.IGNORECASE)
_TRAILING_VOLUME = re.compile(r"[,\s]+\d{1,5}[A-Z]?$")
_TRAILING_JUNK = " ,.;:-–—"


def parse_reference(text: str, *, model: bool = True) -> ParsedReference:
    """Parse one reference string; never raises (nonsense in, few fields out).

    With ``model`` (the default), each field the hand-written parser is not sure of takes
    the trained model's value when the model reads one (:mod:`.crf`); such a field stays
    out of ``confident``. Without the model installed, the hand-written parse alone.
    """
    if not isinstance(text, str) or not text.strip():
        return _EMPTY
    try:
        cleaned = clean(text)
        parsed = _parse(cleaned)
        return _with_model(parsed, cleaned.text) if model else parsed
    except (ValueError, IndexError, RecursionError):  # defensive: a parse is never fatal
        return _EMPTY


_Value = TypeVar("_Value", int | None, str | None)

# The fields the model may fill. Not the DOI, URL or PubMed id: patterns read those best.
_MODEL_FIELDS = ("authors", "year", "title", "container", "volume", "issue", "pages")


def _with_model(parsed: ParsedReference, text: str) -> ParsedReference:
    """The hand-written parse, each field it is unsure of replaced by the model's reading
    when the model reads one (``benchmarks/crf_baseline.py``, "gated": more often right
    than either alone). Confidence is unchanged: a model's value is a lead to check."""
    unsure = [name for name in _MODEL_FIELDS if name not in parsed.confident]
    if not unsure:
        return parsed
    fields = read_fields(text)
    if fields is None:
        return parsed

    offered = {name for name in unsure if getattr(fields, name)}
    # The model may not read a field out of words that a value the parser is sure of stands
    # on ("World Health Organization" the author, then the title; a year inside a quoted
    # title). Not out of a guessed value's words: that guess is as often the wrong one.
    sure = _hand_places(parsed, text, [n for n in _MODEL_FIELDS if n in parsed.confident])
    read_at = {name: (start, end) for name, start, end in fields.places}
    offered = {
        name for name in offered if not any(_overlaps(read_at.get(name), place) for place in sure)
    }

    # A model title that runs on past the parser's ("Dye Laser. Fort Belvoir"): the parser's
    # stop is more often the title's end (held out: title right 1-2 points more often).
    if (
        "title" in offered
        and parsed.title
        and fields.title
        and fields.title != parsed.title
        and fields.title.startswith(parsed.title)
    ):
        offered.discard("title")
    # A model title inside the parser's that cuts a word or a quotation in two: it ends at a
    # hyphen inside a word ("Formation of ... Low" of "... Low-Volatility Products"), starts
    # in lower case after the parser's capital ("the basics: ..." of "Motif, the basics:
    # ..."), or holds one quote mark of a pair ('misleading” jobs' of 'A “misleading” jobs').
    if (
        "title" in offered
        and parsed.title
        and fields.title
        and fields.title != parsed.title
        and fields.title in parsed.title
        and _cuts_title(fields.title, parsed.title)
    ):
        offered.discard("title")

    def pick(name: str, hand: _Value, model: _Value) -> _Value:
        return model if model and name in offered else hand

    take_authors = "authors" in offered
    return replace(
        parsed,
        authors=fields.authors if take_authors else parsed.authors,
        # Either reading that saw "et al." or an elision is right: the list is cut short.
        authors_truncated=parsed.authors_truncated or (take_authors and fields.authors_truncated),
        year=pick("year", parsed.year, fields.year),
        title=pick("title", parsed.title, fields.title),
        container=pick("container", parsed.container, fields.container),
        volume=pick("volume", parsed.volume, fields.volume),
        issue=pick("issue", parsed.issue, fields.issue),
        pages=pick("pages", parsed.pages, fields.pages),
    )


def _cuts_title(part: str, whole: str) -> bool:
    """Does ``part`` of the title ``whole`` cut a word or a quotation in two?"""
    at = whole.find(part)
    after = whole[at + len(part) : at + len(part) + 2]
    if re.match(r"[-‐][^\W\d_]", after) and part[-1:].isalpha():
        return True
    if at > 0 and part[:1].islower() and whole[:1].isupper():
        return True
    return _unbalanced_quotes(part) and not _unbalanced_quotes(whole)


def _unbalanced_quotes(title: str) -> bool:
    """An opening quote mark without its closing one, or the other way round."""
    return title.count("“") != title.count("”") or title.count('"') % 2 == 1


def _hand_places(parsed: ParsedReference, text: str, names: list[str]) -> list[tuple[int, int]]:
    """Where in ``text`` the hand-written values of ``names`` stand, for the words fields
    (a number is too often written twice to place it)."""
    places: list[tuple[int, int]] = []
    for name in names:
        if name == "authors" and parsed.authors:
            first, last = parsed.authors[0], parsed.authors[-1]
            start = text.find(first.family or first.literal or "\0")
            last_name = last.family or last.literal or "\0"
            end = text.find(last_name, max(start, 0))
            if start >= 0 and end >= 0:
                places.append((start, end + len(last_name)))
        elif name in {"title", "container"} and (value := getattr(parsed, name)):
            start = text.find(value)
            if start >= 0:
                places.append((start, start + len(value)))
    return places


def _overlaps(read: tuple[int, int] | None, place: tuple[int, int]) -> bool:
    return read is not None and read[0] < place[1] and place[0] < read[1]


def _parse(cleaned: CleanText) -> ParsedReference:
    text = cleaned.text
    confident: set[str] = set()
    if cleaned.dois:
        confident.add("doi")
    if cleaned.pmid:
        confident.add("pmid")
    url = next((u for u in cleaned.urls if "doi.org/" not in u.lower()), None)
    if url is None and cleaned.urls and not cleaned.dois:
        url = cleaned.urls[0]
    if url:
        confident.add("url")

    authors, truncated, position, authors_sure = _read_authors(text)
    if authors_sure:
        confident.add("authors")

    year: int | None = None
    slot = _YEAR_SLOT.match(text, position)
    if slot is not None and position > 0 and slot.group(0).strip(" .,:;"):
        if slot.group("year"):
            # Where the style puts the year, a year a few years ahead is a mistyped year
            # (and worth reporting), not some other number.
            year = plausible_year(slot.group("year"), ahead=10)
            if year is not None:
                confident.add("year")
        position = slot.end()

    title, title_end, title_sure, title_italic = _read_title(text, position, cleaned.italics)
    tail_start = title_end
    if title is not None and not title_sure and not title_italic:
        # "Title, in: Book. Publisher, pp. 324-337" (Elsevier Harvard): "in:" ends the title.
        chapter = _IN_COLON.search(text, position, title_end)
        if chapter is not None and chapter.start() > _skip(text, position):
            title = _tidy(text[_skip(text, position) : chapter.start()]) or None
            tail_start = chapter.start() + 1
    if year is None and title is not None and not authors:
        # No author: APA puts the title first, then the year ("Editorial. (2015). ...").
        slot = _YEAR_SLOT.match(text, title_end)
        if slot is not None and slot.group("year") and slot.group(0).strip(" .,:;"):
            year = plausible_year(slot.group("year"))
            if year is not None:
                confident.add("year")
            tail_start = slot.end()
    tail = text[tail_start:]
    numbers = find_numbers(tail)
    if title is not None and not title_sure and not title_italic and numbers.found:
        # A title with a full stop in it ("Part I. The effect..."): the container is only
        # the last sentence before the numbers; the sentences before it are the title's.
        region = tail[: numbers.start]
        cut = _last_sentence_start(region)
        # "Title. In: Book. Publisher; p. 324-37": the sentences after "In:" are the book's.
        if cut > 0 and not _IN_COLON.match(region):
            title = _tidy(f"{title}. {region[:cut]}")
            tail_start += cut
            tail = text[tail_start:]
            numbers = find_numbers(tail)
    if title is not None and not title_sure and not title_italic:
        start = _skip(text, position)
        sentence = text[start:title_end]
        inside = find_numbers(sentence)
        if inside.strong and inside.start > 0 and len(sentence) - inside.end <= 40:
            before = sentence[: inside.start].rstrip(" ,;:")
            comma = before.rfind(",")
            if comma > 0 and _looks_like_container(before[comma + 1 :]):
                # Physics, unquoted IEEE: "Authors, Title, Phys. Rev. Lett. 96 (2006) 010404."
                title = _tidy(before[:comma]) or None
                tail_start = start + comma + 1
            else:
                # No title at all (ACS, AIP, Elsevier): "Journal 91 (1926) 254."
                title = None
                tail_start = start
            tail = text[tail_start:]
            numbers = find_numbers(tail)

    if (
        title is not None
        and not title_sure
        and not title_italic
        and numbers.strong
        and not tail[: numbers.start].strip(_TRAILING_JUNK)
    ):
        # Numbers straight after the "title": it was the journal (ACS: "Am. J. Neuroradiol.
        # 2015, 36, 811."); an article's own title is always followed by its container.
        tail_start = _skip(text, position)
        tail = text[tail_start:]
        numbers = find_numbers(tail)
        title = None

    container = _read_container(text, tail_start, tail, numbers, cleaned.italics)
    if (book := _IN_COLON.match(tail)) is not None and not cleaned.italics:
        # A chapter: the book is the sentence after "In:", not the publisher after it.
        book_text = _container_text(tail[book.end() : numbers.start if numbers.found else None])
        end = _sentence_end(book_text, 0, journal=True) if book_text else -1
        if book_text and end > 0:
            container = _container_text(book_text[:end]) or container
    if title_italic and not numbers.found:
        container = None  # an italic title without volume or pages: a book, no container

    if year is None:
        year, year_sure = _fallback_year(text, tail_start, numbers, title)
        if year_sure:
            confident.add("year")

    if numbers.strong:
        for name, value in (
            ("volume", numbers.volume),
            ("issue", numbers.issue),
            ("pages", numbers.pages),
        ):
            if value:
                confident.add(name)
        if container:
            confident.add("container")
            if title and (title_sure or authors_sure):
                confident.add("title")
    if title and title_sure:
        confident.add("title")

    return ParsedReference(
        authors=authors,
        authors_truncated=truncated,
        year=year,
        title=title,
        container=container,
        volume=numbers.volume,
        issue=numbers.issue,
        pages=numbers.pages,
        doi=cleaned.dois[0] if cleaned.dois else None,
        url=url,
        pmid=cleaned.pmid,
        confident=frozenset(
            name for name in confident if _has(name, authors, year, title, container, numbers)
        ),
    )


def _has(
    name: str,
    authors: tuple[Person, ...],
    year: int | None,
    title: str | None,
    container: str | None,
    numbers: Numbers,
) -> bool:
    values = {
        "authors": bool(authors),
        "year": year is not None,
        "title": bool(title),
        "container": bool(container),
        "volume": bool(numbers.volume),
        "issue": bool(numbers.issue),
        "pages": bool(numbers.pages),
    }
    return values.get(name, True)


def _read_authors(text: str) -> tuple[tuple[Person, ...], bool, int, bool]:
    """(persons, truncated, where the list ends, sure)."""
    found = scan_authors(text)
    if len(found.persons) == 1 and is_group_name(text[: found.end]):
        # "World Health Organization." passes for "Given Family": it is a group.
        group = text[: found.end].strip(" ,.;:")
        found = AuthorList((Person(literal=group),), False, found.end, None)
    if found.persons:
        after = text[found.end :]
        year_next = _YEAR_SLOT.match(after) is not None and bool(after.strip(" .,:;"))
        quote_next = bool(re.match(r"[\s,.:]*[\"“‘«„']", after))
        # The list is trusted when a year, a quoted title or a sentence follows it.
        sure = year_next or quote_next or bool(re.match(r"\s*[.,:]\s+\S|\.$", after))
        # "et al. Title" and "Jarvik, J. G. Title": the full stop closed the list.
        closed = found.truncated or text[found.end - 1] == "."
        sure = sure or (closed and bool(re.match(r"\s+\S", after)))
        return found.persons, found.truncated, found.end, sure and _plausible(found.persons)

    # Author-date styles: whatever stands before the year is the author (often a group).
    for match in re.finditer(r"[\s,.]\(?(?:1[5-9]|20)\d\d[a-z]?\)?(?=[\s.,:;]|$)", text[:300]):
        region = text[: match.start()].strip(" ,.;:")
        if not region or re.search(r"[\"“”?!]", region) or len(region) > 200:
            break
        if re.fullmatch(r"\[?(?:anon|anonymous|anonym|n\.\s?n\.)\.?\]?", region, re.IGNORECASE):
            return (), False, match.start(), False  # an anonymous work: no authors to check
        persons, truncated = split_author_text(region)
        if persons and (not persons[0].is_group or is_group_name(region)):
            return persons, truncated, match.start(), not persons[0].is_group
        comma_before_year = "," in text[len(region) : match.start() + 2]
        short = len(region.split()) <= 6 and not re.search(r"[.:]", region)
        if re.fullmatch(r"[A-ZÀ-Þ][\w'’-]+", region) and match.group(0).lstrip().startswith("("):
            # APA's one-name author ("Becherer (1956).", DataCite creators): a family name,
            # so a misspelling of it is named.
            return (Person(family=region),), False, match.start(), False
        if comma_before_year and short and region[:1].isupper():
            # A short name before the year, not a title: a group or a single-name author.
            return (Person(literal=region),), truncated, match.start(), False
        break

    # A group author alone in the first sentence: "World Health Organization. Title. ..."
    head = re.match(r"([^.]{3,150}?)\.\s+(?=\S)", text)
    if head is not None and is_group_name(head.group(1)):
        return (Person(literal=head.group(1).strip()),), False, head.end(), False
    return (), False, 0, False


def _looks_like_container(value: str) -> bool:
    value = value.strip()
    return bool(value) and value[0].isupper() and len(value) <= 100 and len(value.split()) <= 12


def _skip(text: str, position: int) -> int:
    while position < len(text) and text[position] in " ,.;:":
        position += 1
    return position


def _plausible(persons: tuple[Person, ...]) -> bool:
    return all(len(p.family or p.literal or "") <= 60 for p in persons)


def _sentence_end(text: str, start: int, journal: bool = False) -> int:
    """Index of the full stop (or ? !) that ends the sentence starting at ``start``; -1.

    With ``journal``, abbreviated journal words ("Am.", "Phys.") do not end a sentence.
    """
    for match in re.finditer(r"[.?!](?=[\s\"”’)\]]*(?:\s|$))", text[start:]):
        end = start + match.start()
        if text[end] in "?!":
            return end
        word = re.search(r"(\S+)$", text[start:end])
        token = word.group(1) if word else ""
        bare = token.lstrip("(\"“'‘").lower()
        if bare in _ABBREVIATIONS:
            continue
        if journal and (bare in _JOURNAL_WORDS or (token[:1].isupper() and len(token) <= 3)):
            continue
        following = text[end + 1 : end + 3].lstrip()
        if bare in _JOURNAL_WORDS and token[:1].isupper() and following[:1].isalnum():
            continue  # "..., Phys. Rev. Lett. 96": an abbreviated journal, not a title's end
        if re.fullmatch(r"[A-Z]", token):
            # "J. G." is a run of initials; "vitamin D." ends a sentence.
            before = text[start : end - 1].rstrip()
            if not before or re.search(r"(?:^|\s)[A-Z]\.?$", before):
                continue
        if re.fullmatch(r"(?:[A-Za-z]\.){1,3}[A-Za-z]", token):
            continue  # "U.S", "e.g": an abbreviation with inner dots
        return end
    return -1


def _last_sentence_start(region: str) -> int:
    """Where the last sentence of ``region`` starts (0 when it is one sentence)."""
    start = 0
    while True:
        end = _sentence_end(region, start, journal=True)
        if end < 0 or not region[end + 1 :].strip(_TRAILING_JUNK):
            return start if start < len(region) else 0
        following = region[end + 1 :].lstrip(' "”’)]')
        if not following[:1].isupper() and not following[:1].isdigit():
            return start
        start = len(region) - len(following)


def _read_title(
    text: str, position: int, italics: tuple[tuple[int, int], ...]
) -> tuple[str | None, int, bool, bool]:
    """(title, where the rest starts, sure, italic)."""
    rest = text[position:]
    skipped = len(rest) - len(rest.lstrip(" ,.;:"))
    start = position + skipped
    if start >= len(text):
        return None, len(text), False, False

    opener = text[start]
    if opener in _OPEN_QUOTES:
        closer = _OPEN_QUOTES[opener]
        close = _closing_quote(text, start + 1, closer, opener)
        if close > start + 1:
            title = _tidy(text[start + 1 : close])
            return title or None, close + 1, bool(title), False

    for begin, end in italics:
        if begin <= start + 1 and end > start:
            return _tidy(text[start:end]) or None, end, True, True

    end = _sentence_end(text, start)
    stop = end if end >= 0 else len(text)
    # An italic span (the container) may begin before the full stop: the title ends there.
    # Not an italic word inside the title ("a *viable* option", a species name): the
    # container's span follows punctuation.
    for begin, _ in italics:
        if start < begin < stop and text[start:begin].rstrip()[-1:] in _BEFORE_CONTAINER:
            title = text[start:begin]
            return _tidy(title) or None, begin, False, False
    keep_mark = end == stop and end >= 0 and text[end] in "?!"
    title = text[start : stop + 1 if keep_mark else stop]
    return _tidy(title) or None, stop + 1 if stop < len(text) else stop, False, False


_BEFORE_CONTAINER = frozenset(".,:;?!\"”’'")


def _closing_quote(text: str, start: int, closer: str, opener: str = "") -> int:
    """The closing quote: for ’ and ', one that is not an apostrophe inside a word; past
    a quote nested inside ("Corrigendum to “Comprehensive analysis...” [Life Sci.]")."""
    first = -1
    nested = 0
    for index in range(start, len(text)):
        char = text[index]
        if char == opener and opener != closer:
            nested += 1
        elif char == closer:
            if closer in "’'" and text[index + 1 : index + 2].isalpha():
                continue  # an apostrophe: "Alzheimer’s"
            if not nested:
                return index
            nested -= 1
            if first < 0:
                first = index
    return first  # an inner quote never closed: the first closing mark, as written


def _tidy(value: str) -> str:
    value = " ".join(value.split())
    value = value.strip(_TRAILING_JUNK + "\"“”‘’'«»")
    return value


def _read_container(
    text: str,
    tail_start: int,
    tail: str,
    numbers: Numbers,
    italics: tuple[tuple[int, int], ...],
) -> str | None:
    for begin, end in italics:
        if begin >= tail_start - 1 and (not numbers.found or begin < tail_start + numbers.start):
            value = _TRAILING_VOLUME.sub("", text[begin:end])
            return _container_text(value)
    if numbers.found:
        region = tail[: numbers.start]
    else:
        # No numbers: a book or a web page; the next sentence is the best guess.
        end = _sentence_end(tail, 0)
        region = tail[: end if end >= 0 else len(tail)]
        if re.search(r":\s*\S", region) and not _IN_PREFIX.match(region.lstrip(" .,")):
            return None  # "City: Publisher" is not a container title
    return _container_text(region)


def _container_text(region: str) -> str | None:
    region = region.strip(_TRAILING_JUNK)
    region = _IN_PREFIX.sub("", region)
    if (editors := _EDITOR_CLAUSE.match(region)) is not None:
        region = region[editors.end() :]
    # A trailing date or volume belongs to the numbers, not the journal ("Spine. 2015 Apr",
    # "L'Aide-soignante, septembre 2004", "Politix, 10").
    region = _TRAILING_DATE.sub("", region)
    region = re.sub(r"[\s,]+\d{1,4}$", "", region)
    region = region.strip(_TRAILING_JUNK + "\"“”‘’'()[]")
    if not region or not re.search(r"[^\W\d_]{2}", region) or len(region) > 250:
        return None
    return region


def _fallback_year(
    text: str, tail_start: int, numbers: Numbers, title: str | None
) -> tuple[int | None, bool]:
    if numbers.year is not None:
        return numbers.year, numbers.strong
    # A year-like volume or page ("vol. 2005, no. 3, 2008") is that field: only the other
    # years stand as the reference's year.
    # A weak reading ("Mar. 07, 2026" as volume 07, pages 2026) places no field.
    spans = numbers.spans if numbers.strong else ()
    taken = [(tail_start + start, tail_start + end) for start, end in spans]
    found = [
        (year, start, end)
        for year, start, end in years_in(text)
        if not any(low <= start and end <= high for low, high in taken)
    ]
    if not found:
        return None, False
    distinct = {year for year, _, _ in found}
    after_title = [year for year, start, _ in found if start >= tail_start]
    year = after_title[-1] if after_title else found[-1][0]
    # One year only, and not inside the title ("Trends since 1990"): a safe read.
    sure = len(distinct) == 1 and not (title and str(year) in title)
    return year, sure


def to_reference(parsed: ParsedReference, text: str, location: Location | None = None) -> Reference:
    """A :class:`Reference` for the pipeline, from a parse and the string it came from."""
    return Reference(
        location=location or Location(),
        text=text.strip(),
        entry_type=None,
        authors=parsed.authors,
        authors_truncated=parsed.authors_truncated,
        title=parsed.title,
        container=parsed.container,
        year=parsed.year,
        volume=parsed.volume,
        issue=parsed.issue,
        pages=parsed.pages,
        doi=parsed.doi,
        url=parsed.url,
        confident=frozenset(parsed.confident),
    )
