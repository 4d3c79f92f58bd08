"""Container: the cited journal (or book, or proceedings) against the work's.

Right when the cited name is the work's container title or short title (folded), its
ISSN, or an abbreviation of it. Abbreviations are recognised without a list: every cited
word must abbreviate the next word of the full title (a prefix, or a contraction such as
"Natl" for "National" that keeps the word's last letter), stop words may be dropped, and
a word may pack several ("USA", "NEnglJMed"). A leading acronym ("AJNR Am J
Neuroradiol"), a parenthetical ("Spine (Phila Pa 1976)"), a journal's section left out
("Physica A" for "Physica A: Statistical Mechanics...") and a trailing place or year
("J Zool Lond") are allowed.

Measured on 3,788 journal names cited in the references deposited with works-dev records
and resolved through Crossref's abbreviation list: 94% are recognised (most of the rest
name a journal under a former title); against other journals' titles that share the
first word, 0.12% are taken for abbreviations, nearly all sections of one journal
("Phys. Rev." for "Physical Review A").
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import Literal

from anyascii import anyascii
from rapidfuzz import fuzz

from refcheck.compare.text import clean, fold
from refcheck.models import Finding, Reference, Work
from refcheck.rules import finding

__all__ = [
    "STOP_WORDS",
    "ContainerMatch",
    "compare_container",
    "container_match",
    "is_abbreviation",
]

# Words ISO 4 drops from abbreviations, in the languages journal titles are mostly in.
STOP_WORDS = frozenset(
    {
        "a", "an", "and", "as", "at", "by", "d", "da", "das", "de", "degli", "del", "della",
        "der", "des", "di", "die", "do", "dos", "du", "e", "el", "en", "et", "for", "from",
        "fuer", "fur", "i", "im", "in", "ja", "l", "la", "las", "le", "les", "los", "och", "of",
        "on", "the", "to", "und", "von", "with", "y", "zum", "zur",
    }
)  # fmt: skip
_PARENTHETICAL = re.compile(r"\s*[(\[][^)\]]*[)\]]")
_ISSN = re.compile(r"^\s*(?:e?-?issn:?\s*)?(\d{4})[-–\s]?(\d{3}[\dXx])\s*$", re.IGNORECASE)
_LEADING_IN = re.compile(r"^\s*in\s*:?\s+", re.IGNORECASE)
_CAMEL = re.compile(r"[A-Z][a-z]+|[A-Z]+(?![a-z])|[a-z]+|\d+")
_NON_ALNUM = re.compile(r"[^A-Za-z0-9]+")
_APOSTROPHE = re.compile(r"(?<=\w)['’ʼ`´](?=\w)")

# How a cited container names the work's; "" when it does not.
ContainerMatch = Literal["same", "abbreviation", "issn", ""]
# Book and proceedings titles are cited in many word orders and lengths.
_LOOSE_TYPES_RATIO = 90


def _without_parenthetical(text: str) -> str:
    stripped = _PARENTHETICAL.sub(" ", text).strip()
    return stripped or text


def _words(text: str) -> list[str]:
    """Folded words of a full title, leading 'The' dropped."""
    words = fold(_without_parenthetical(text)).split()
    if len(words) > 1 and words[0] == "the":
        words = words[1:]
    return words


def _cited_tokens(text: str) -> list[tuple[str, ...]]:
    """Each cited word, then the words it may pack: 'NEnglJMed' -> (nengljmed, n, engl, j, med).

    Split the way :func:`fold` splits, so both sides see the same words; the original case
    is kept just long enough to find packed words.
    """
    out: list[tuple[str, ...]] = []
    raw = anyascii(_APOSTROPHE.sub("", clean(_without_parenthetical(text)))).replace("&", " and ")
    for word in _NON_ALNUM.split(raw):
        if not word:
            continue
        whole = word.casefold()
        parts = _CAMEL.findall(word)
        if len(parts) > 1:
            out.append((whole, *(p.casefold() for p in parts)))
        elif word.isupper() and 2 <= len(word) <= 5:
            out.append((whole, *whole))  # "USA" = U S A
        else:
            out.append((whole,))
    return out


def _abbreviates(short: str, word: str) -> bool:
    """'neuroradiol' of 'neuroradiology' (a prefix), 'natl' of 'national' (a contraction:
    letters in order, ending on the word's last letter)."""
    if short == word:
        return True
    if not short or not word or short[0] != word[0] or len(short) > len(word):
        return False
    if short.isdigit() or word.isdigit():
        return False
    if word.startswith(short):
        return True
    # Letters kept in order are not enough ("ecol" is in "endocrinology"): a contraction
    # keeps the word's end.
    if short[-1] != word[-1]:
        return False
    it = iter(word)
    return all(c in it for c in short)


# Words of a full title an abbreviation may leave out ("Proc R Soc Lond B" for "... Series B").
_DROPPABLE = STOP_WORDS | {"series", "ser", "section", "sect", "part"}
# Words a citation may add ("Journal of Marriage and the Family"); never a single letter,
# which may be a section ("Phys Rev E"), nor "for", which may be "Forest".
_CITED_FILLER = frozenset(
    {"and", "das", "de", "der", "des", "die", "du", "et", "la", "le", "les", "of", "the", "und"}
)
# What a citation may add at the end: the place of publication, a year.
_TRAILING = re.compile(r"^(?:usa|lond|london|paris|ny|phila|berl|berlin|amst|(?:1[89]|20)\d\d)$")


def _match_from(tokens: list[tuple[str, ...]], words: list[str]) -> bool:
    """Do the cited words abbreviate the title's words in order? A packed cited word may
    stand for several title words; title stop words may be dropped."""
    n = len(tokens)

    @cache
    def walk(i: int, j: int) -> bool:
        if i == n or (j == len(words) and all(_TRAILING.match(t[0]) for t in tokens[i:])):
            return all(w in _DROPPABLE for w in words[j:])
        whole = tokens[i][0]
        if whole in _CITED_FILLER and walk(i + 1, j):
            return True  # "Journal of Marriage and the Family" for "... and Family"
        if j == len(words):
            return False
        if words[j] in _DROPPABLE and walk(i, j + 1):
            return True
        if _abbreviates(whole, words[j]) and walk(i + 1, j + 1):
            return True
        return len(tokens[i]) > 1 and packed(i, 1, j)

    @cache
    def packed(i: int, k: int, j: int) -> bool:
        """Part k of cited word i (and the parts after it) against words from j."""
        if k == len(tokens[i]):
            return walk(i + 1, j)
        if j == len(words):
            return False
        if words[j] in _DROPPABLE and packed(i, k, j + 1):
            return True
        return _abbreviates(tokens[i][k], words[j]) and packed(i, k + 1, j + 1)

    return walk(0, 0)


# Where a journal's section or subtitle starts: "Physica A: Statistical Mechanics...",
# "Mutation Research/Genetic Toxicology", "American Journal of Physiology-Cell Physiology".
_SECTION_BREAK = re.compile(r"\s*(?::|/|\s[-–—]\s|[–—]|\.\s)\s*|(?<=[a-z])-(?=[A-Z])")


def _title_variants(full: str) -> list[list[str]]:
    """The full title's words, and those of each head before a section or subtitle, and
    without a leading acronym ("JNCI Journal of...", "TrAC Trends in...")."""
    text = clean(full)
    variants = [_words(text)]
    variants.extend(
        _words(text[: m.start()]) for m in _SECTION_BREAK.finditer(text) if m.start() > 0
    )
    first = text.split(maxsplit=1)
    if (
        len(first) == 2
        and re.fullmatch(r"[A-Z][A-Za-z]{1,5}", first[0])
        and sum(c.isupper() for c in first[0]) >= 2
    ):
        variants.append(_words(first[1]))
    return [v for v in variants if v]


@lru_cache(maxsize=16384)
def is_abbreviation(cited: str, full: str) -> bool:
    """Is ``cited`` an abbreviation of the title ``full`` (ISO 4 style, any punctuation)?"""
    tokens = _cited_tokens(cited)
    if not tokens:
        return False
    attempts = [tokens]
    # A leading acronym before the abbreviation proper: "AJNR Am J Neuroradiol".
    if len(tokens) > 1 and re.fullmatch(r"[a-z]{2,6}", tokens[0][0]):
        attempts.append(tokens[1:])
    return any(
        _match_from(attempt, words) for words in _title_variants(full) for attempt in attempts
    )


def _same(cited: str, full: str) -> bool:
    a, b = _words(cited), _words(full)
    if "".join(a) == "".join(b):
        return True
    # Spelling variants of one title ("Orthopaedics"/"Orthopedics"): same words, near letters.
    return len(a) == len(b) and len(a) > 1 and fuzz.ratio(" ".join(a), " ".join(b)) >= 95


def container_match(cited: str, work: Work) -> ContainerMatch:
    """How the cited container names the work's: 'same', 'abbreviation', 'issn' or ''."""
    return _container_match(
        cited, work.container_title, work.short_container_title, work.issn, work.type
    )


# Candidates for one citation are often of one journal, and a bibliography cites few
# journals: the answer is worked out once per citation and journal.
@lru_cache(maxsize=16384)
def _container_match(
    cited: str,
    fulls: tuple[str, ...],
    shorts: tuple[str, ...],
    issns: tuple[str, ...],
    kind: str | None,
) -> ContainerMatch:
    issn = _ISSN.match(cited)
    if issn:
        wanted = f"{issn.group(1)}-{issn.group(2).upper()}"
        return "issn" if wanted in {i.upper() for i in issns} else ""
    cited = _LEADING_IN.sub("", cited)
    if not fold(cited):
        return "same"
    if any(_same(cited, t) for t in fulls):
        return "same"
    if any(_same(cited, t) for t in shorts):
        return "abbreviation"
    for title in (*fulls, *shorts):
        if is_abbreviation(cited, title):
            return "abbreviation"
        # Some records hold an abbreviation as the title, and citations the full name.
        if is_abbreviation(title, cited):
            return "same"
    if kind and kind != "journal-article":
        folded = fold(cited)
        if any(fuzz.token_set_ratio(folded, fold(t)) >= _LOOSE_TYPES_RATIO for t in fulls):
            return "same"
    return ""


def compare_container(reference: Reference, work: Work) -> list[Finding]:
    """RC502 (info) for an abbreviation, RC501 (warning) for another container."""
    if not reference.container or not (work.container_title or work.short_container_title):
        return []
    how = container_match(reference.container, work)
    expected = (work.container_title or work.short_container_title)[0]
    if how == "abbreviation":
        return [
            finding(
                "RC502",
                f"'{reference.container}' is an abbreviation of '{expected}'",
                cited=reference.container,
                expected=expected,
            )
        ]
    if how or _names_publisher(reference.container, work):
        return []
    return [
        finding(
            "RC501",
            f"Container '{reference.container}' cited; {work.registry} has '{expected}'",
            cited=reference.container,
            expected=expected,
        )
    ]


# Company forms that a citation leaves out of a publisher's name.
_COMPANY_WORDS = frozenset({"bv", "co", "gmbh", "inc", "llc", "ltd", "plc", "sa", "ag", "kg"})


def _names_publisher(cited: str, work: Work) -> bool:
    """Whether the cited "container" is the work's publisher ("Berkeley, CA: Apress").

    Books and reports are cited with their publisher where the parser looks for a
    container; Crossref's container title is then a series the citation need not name.
    A journal article's publisher is no excuse ("Science" is not "Science Advances").
    """
    if not work.publisher or work.type in ("journal-article", None):
        return False  # a journal is never cited by its publisher's name
    publisher = set(fold(work.publisher).split()) - _COMPANY_WORDS - STOP_WORDS
    named = set(fold(cited).split()) - _COMPANY_WORDS - STOP_WORDS
    if not publisher or not named:
        return False
    return publisher <= named or named <= publisher
