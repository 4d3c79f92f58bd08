"""A trained tagger (linear-chain CRF) for the fields of a reference string.

The hand-written parser (:mod:`.reference`) says which fields it is sure of; for the others,
this model's reading is more often right (``benchmarks/crf_baseline.py``: 87% of fields right
on held-out ParsCit with the two combined, 81% hand-written alone). Tokens are runs of letters,
runs of digits or single punctuation marks; each gets one label of :data:`LABELS`; a field's
value is read back from the labelled spans.

The model (``data/references.crfsuite``) is trained by ``tools/train_parser.py`` on AnyStyle's
and GROBID's labelled references (see ``data/README.md``). It is loaded on first use. When
python-crfsuite or the model file is missing or unreadable, :func:`read_fields` returns None
and the hand-written parser stands alone.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from refcheck.models import Person
from refcheck.parse.names import scan_authors, split_author_text
from refcheck.parse.numbers import plausible_year

__all__ = [
    "LABELS",
    "MODEL_PATH",
    "OTHER",
    "ModelFields",
    "Token",
    "features",
    "read_fields",
    "spans",
    "tag",
    "token_labels",
    "tokenise",
]

MODEL_PATH = Path(__file__).resolve().parent / "data" / "references.crfsuite"
OTHER = "other"
LABELS = ("author", "year", "title", "container", "volume", "issue", "pages", "doi", OTHER)

# --- tokens and features -------------------------------------------------------------------

# Letters and digits apart: "C34", "V69", "p1914" hold a container letter or a page prefix.
_TOKEN = re.compile(r"[^\W\d_]+|\d+|[^\w\s]|_")
_YEAR = re.compile(r"(?:1[5-9]|20)\d\d")
_MONTH = re.compile(
    r"jan|feb|mar|apr|may|jun|jul|aug|sept?|oct|nov|dec|january|february|march|april|june|july"
    r"|august|september|october|november|december"
)
_OPENING = frozenset("“«„")
_CLOSING = frozenset("”»")


@dataclass(frozen=True, slots=True)
class Token:
    text: str
    start: int
    end: int


def tokenise(text: str) -> list[Token]:
    return [Token(m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def token_labels(tokens: Sequence[Token], chars: Sequence[str]) -> list[str]:
    """One label a token, from one label a character: the most common under the token."""
    return [Counter(chars[t.start : t.end]).most_common(1)[0][0] for t in tokens]


@lru_cache(maxsize=65536)
def _shape(word: str) -> str:
    shape = re.sub(r"[A-Z]", "X", re.sub(r"[a-z]", "x", re.sub(r"\d", "d", word)))
    return re.sub(r"(.)\1+", r"\1\1", shape)  # "Xxxxxx" -> "Xxx": length beyond 2 is noise


@lru_cache(maxsize=65536)
def _own_features(word: str) -> tuple[tuple[str, ...], bool]:
    """A word's features that depend on the word alone (cached: words repeat), and whether
    it is a month name."""
    lower = word.lower()
    found = [f"w={lower}", f"shape={_shape(word)}", f"len={min(len(word), 8)}"]
    if len(word) > 3:
        found += [f"pre={lower[:3]}", f"suf={lower[-3:]}"]
    if word.isdigit():
        found.append("digit")
        if _YEAR.fullmatch(word):
            found.append("year")
    elif not word[0].isalnum():
        found.append("punct")
    elif word.isupper() and len(word) > 1:
        found.append("upper")
    elif word[0].isupper():
        found.append("capital")
    return tuple(found), bool(_MONTH.fullmatch(lower))


def _word_features(tokens: Sequence[Token], index: int) -> list[str]:
    word = tokens[index].text
    own, month = _own_features(word)
    found = list(own)
    following = tokens[index + 1].text if index + 1 < len(tokens) else ""
    if len(word) == 1 and word.isupper() and following == ".":
        found.append("initial")
    if month:
        found.append("month")
    return found


def features(text: str, tokens: Sequence[Token]) -> list[list[str]]:
    """The features of each token: its own, its neighbours', and what came before it."""
    own = [_word_features(tokens, i) for i in range(len(tokens))]
    shapes = [_shape(t.text) for t in tokens]
    sequence: list[list[str]] = []
    quoted = False
    parens = brackets = stops = commas = 0
    year_seen = False
    count = len(tokens)
    for i, token in enumerate(tokens):
        word = token.text
        # Context as the reader has seen it so far, before this token.
        closing = quoted and (word in _CLOSING or word == '"')
        if closing:
            quoted = False
        item = ["bias", *own[i], f"pos={10 * i // count}"]
        item += [f"stops={min(stops, 5)}", f"commas={min(commas, 6)}"]
        if quoted:
            item.append("in-quotes")
        if parens > 0:
            item.append("in-parens")
        if brackets > 0:
            item.append("in-brackets")
        if year_seen:
            item.append("after-year")
        if token.start and text[token.start - 1].isspace():
            item.append("blank-before")
        if token.end < len(text) and text[token.end].isspace():
            item.append("blank-after")
        for offset in (-2, -1, 1, 2):
            j = i + offset
            if 0 <= j < count:
                item += [f"{offset}:w={tokens[j].text.lower()}", f"{offset}:shape={shapes[j]}"]
                if abs(offset) == 1:
                    item += [f"{offset}:{f}" for f in own[j] if "=" not in f]
            else:
                item.append(f"{offset}:edge")
        sequence.append(item)
        if not closing and (word in _OPENING or word == '"'):
            quoted = True
        parens += (word == "(") - (word == ")")
        brackets += (word == "[") - (word == "]")
        commas += word == ","
        year_seen = year_seen or "year" in own[i]
        # A stop ends a sentence when it follows a word, not an initial ("J.") or a number.
        if word == "." and i and len(tokens[i - 1].text) > 1 and tokens[i - 1].text.isalpha():
            stops += 1
    return sequence


def spans(text: str, tokens: Sequence[Token], labels: Sequence[str]) -> dict[str, list[str]]:
    """The text of each run of equally labelled tokens, per label, in reading order."""
    found: dict[str, list[str]] = {}
    i = 0
    while i < len(tokens):
        j = i
        while j + 1 < len(tokens) and labels[j + 1] == labels[i]:
            j += 1
        if labels[i] != OTHER:
            found.setdefault(labels[i], []).append(text[tokens[i].start : tokens[j].end])
        i = j + 1
    return found


# --- the model ---------------------------------------------------------------------------


class _Tagger(Protocol):
    """The part of ``pycrfsuite.Tagger`` used here (python-crfsuite ships no type hints)."""

    def open(self, name: str) -> object: ...

    def tag(self, xseq: list[list[str]]) -> list[str]: ...


# A crfsuite tagger holds state between calls: one thread at a time.
_LOCK = threading.Lock()


@lru_cache(maxsize=4)
def _load(path: str) -> _Tagger | None:
    try:
        import pycrfsuite  # type: ignore[import-untyped]

        tagger: _Tagger = pycrfsuite.Tagger()
        tagger.open(path)
    except Exception:  # no library, no file, a broken file: parse without the model
        return None
    return tagger


def tag(text: str) -> list[tuple[Token, str]] | None:
    """Each token of ``text`` with its predicted label; None when there is no model."""
    tagger = _load(str(MODEL_PATH))
    if tagger is None:
        return None
    tokens = tokenise(text)
    if not tokens:
        return []
    try:
        with _LOCK:
            labels = tagger.tag(features(text, tokens))
    except Exception:  # defensive: the model never makes a parse fail
        return None
    return list(zip(tokens, labels, strict=True))


# --- field values --------------------------------------------------------------------------

_JUNK = " ,.;:-–—\"“”‘’'«»()[]"
_PAGE_PREFIX = re.compile(r"^(?:pp?|pages?)\.?\s*", re.IGNORECASE)
_YEAR_IN = re.compile(r"(?<!\d)(?:1[5-9]|20)\d\d(?!\d)")
_NUMBER_VALUE = re.compile(r"\w")
_ANONYMOUS = re.compile(r"\[?(?:anon|anonymous|anonym|n\.\s?n)\.?\]?", re.IGNORECASE)
_RANGE_BEFORE = re.compile(r"\d\s?[-–—]\s?$")
_RANGE_AFTER = re.compile(r"\s?[-–—]\s?\d")  # matched at the start of what follows
_ELIDED = re.compile(r"[\s,;]*(?:…|\.\.\.|et\.?\s*al\b)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ModelFields:
    """The fields the model read; None (or no authors) where it read nothing usable."""

    authors: tuple[Person, ...] = ()
    authors_truncated: bool = False
    year: int | None = None
    title: str | None = None
    container: str | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    # Where each field's value was read: (field, start, end) in the text tagged.
    places: tuple[tuple[str, int, int], ...] = ()


def _tidy(value: str) -> str | None:
    value = " ".join(value.split()).strip(_JUNK)
    return value or None


def _persons(region: str) -> tuple[tuple[Person, ...], bool]:
    """The persons of an author span. Read with its final full stop first: split_author_text
    drops it, and "Jarvik, J.G" then loses the last initial."""
    region = " ".join(region.split()).strip(" ,;:")
    if _ANONYMOUS.fullmatch(region):
        return (), False  # an anonymous work: no authors to check, as the parser reads it
    found = scan_authors(region)
    if found.persons and not region[found.end :].strip(" ,.;:"):
        return found.persons, found.truncated
    persons, truncated = split_author_text(region)
    # "et al." alone leaves a person without a name.
    return tuple(p for p in persons if p.family or p.literal), truncated


_FIELD_OF = {label: "authors" if label == "author" else label for label in LABELS}


def _first_run_start(tagged: Sequence[tuple[Token, str]], label: str) -> int:
    return next((token.start for token, own in tagged if own == label), -1)


def _first_run_end(tagged: Sequence[tuple[Token, str]], label: str) -> int:
    """Where the first run of tokens labelled ``label`` ends in the text (0: no such run)."""
    end = 0
    for token, own in tagged:
        if own == label:
            end = token.end
        elif end:
            break
    return end


def _year(text: str, start: int, end: int) -> int | None:
    """The first year in the span: not a number in a range ("pp. 1590–1594", "1743-1933"),
    which the model sometimes takes for the year."""
    if start < 0:
        return None
    for match in _YEAR_IN.finditer(text, start, end):
        before, after = (
            text[max(0, match.start() - 4) : match.start()],
            text[match.end() : match.end() + 4],
        )
        if _RANGE_BEFORE.search(before) or _RANGE_AFTER.match(after):
            continue
        return plausible_year(match.group(0))
    return None


def _number(value: str | None) -> str | None:
    if value is None or not _NUMBER_VALUE.search(value) or len(value) > 30:
        return None
    return value


def read_fields(text: str) -> ModelFields | None:
    """The model's reading of ``text``: the first span of each field (authors: the first
    author span, split into persons); None when there is no model."""
    tagged = tag(text)
    if tagged is None:
        return None
    tokens = [token for token, _ in tagged]
    found = spans(text, tokens, [label for _, label in tagged])
    places = tuple(
        (_FIELD_OF.get(label, label), start, end)
        for label in found
        if (start := _first_run_start(tagged, label)) >= 0
        and (end := _first_run_end(tagged, label))
    )

    def first(label: str) -> str | None:
        values = found.get(label)
        return _tidy(values[0]) if values else None

    authors: tuple[Person, ...] = ()
    truncated = False
    if "author" in found:
        authors, truncated = _persons(found["author"][0])
        # "Palmer, D., … WIDGET team": the list goes on past the span the model labelled.
        end = _first_run_end(tagged, "author")
        truncated = truncated or bool(_ELIDED.match(text, end))
    year = _year(text, _first_run_start(tagged, "year"), _first_run_end(tagged, "year"))
    pages = first("pages")
    if pages is not None:
        pages = _tidy(_PAGE_PREFIX.sub("", pages))
    return ModelFields(
        authors=authors,
        authors_truncated=truncated,
        year=year,
        title=first("title"),
        container=first("container"),
        volume=_number(first("volume")),
        issue=_number(first("issue")),
        pages=_number(pages),
        places=places,
    )
