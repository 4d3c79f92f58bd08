"""Title: the cited title against the work's, its subtitle and its short title.

Markup, case, punctuation, dashes, quotes, diacritics and "&"/"and" are folded away, and
spaces do not count ("Follow-up" == "Followup"). A subtitle may be given or left out on
either side. What remains is compared word by word (see "Word by word" below): a changed,
missing or added content word is an error (RC201), near wording a warning (RC202).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import Match, SequenceMatcher
from functools import lru_cache

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

from refcheck.compare.text import clean, fold, roman_value, strip_marks
from refcheck.models import Finding, Reference, Work
from refcheck.rules import finding

__all__ = [
    "HEAD_MATCH",
    "compare_title",
    "is_notice_title",
    "main_title",
    "same_title",
    "title_heads",
    "title_in_text",
    "title_similarity",
]

# Where a main title ends and its subtitle starts.
_SUBTITLE_BREAK = re.compile(r"\s*(?::|[?!]\s|\.\s|\s[-–—]+\s|\s*[–—]\s*)\s*")
# A break holds one of these, or a hyphen after a space.
_BREAK_MARKS = ":?!.–—"


@lru_cache(maxsize=16384)
def title_heads(title: str) -> tuple[str, ...]:
    """The title cut before each subtitle: 'A – Part I: B' -> ('A', 'A – Part I')."""
    text = clean(title)
    # Most titles have no break; scanning for one with the regex is the slow part.
    if " -" not in text and not any(mark in text for mark in _BREAK_MARKS):
        return ()
    return tuple(
        text[: m.start()]
        for m in _SUBTITLE_BREAK.finditer(text)
        if m.start() > 0 and not _after_initial(text, m)
    )


def _after_initial(text: str, match: re.Match[str]) -> bool:
    """Is the break the full stop of a genus's initial ("Lessons from C. elegans")? A
    capital after it may start a subtitle ("Vitamin D. A review")."""
    start, end = match.start(), match.end()
    return (
        match.group(0).strip() == "."
        and text[start - 1].isupper()
        and (start == 1 or not text[start - 2].isalnum())
        and end < len(text)
        and text[end].islower()
    )


def main_title(title: str) -> str:
    """The title before its subtitle: 'Cancer: a review' -> 'Cancer'."""
    heads = title_heads(title)
    return heads[0] if heads else clean(title)


def _key(text: str) -> str:
    return fold(text).replace(" ", "")


def _lossy_key(text: str) -> str:
    return fold(text, greek_names=False).replace(" ", "")


# Publishers rename a retracted article ("RETRACTED: ..."); it is cited by its own title.
_RETRACTED_MARK = re.compile(
    r"^\s*(?:retracted(?:\s+article)?|withdrawn|notice\s+of\s+retraction)\s*[:.\-–—]\s*",
    re.IGNORECASE,
)
# Titles of notices about another work: "Correction: <the work's title>", "Erratum to ...".
_NOTICE_PREFIX = re.compile(
    r"^\W*(?:(?:author|publisher)(?:'s)?\s+)?(?:correction|corrigendum|erratum|errata"
    r"|retraction(?:\s+note)?|expression\s+of\s+concern|publisher'?s\s+note)"
    r"\s*(?:[:.\-–—]|to\b|for\b|on\b|$)"
    r"|^\W*(?:comments?\s+on|reply\s+to|review\s+for)\b",
    re.IGNORECASE,
)


def is_notice_title(title: str) -> bool:
    """Is this the title of a notice about another work ("Correction: ...")?"""
    return bool(_NOTICE_PREFIX.match(clean(title)))


@dataclass(frozen=True, slots=True)
class _Forms:
    """Every way one work's title may rightly be cited, keyed and folded once."""

    full: tuple[str, ...]  # the whole title, with and without its subtitle; the short title
    full_keys: frozenset[str]
    head_keys: frozenset[str]  # of the title cut before each of its subtitles
    folded_full: tuple[str, ...]
    folded_all: tuple[str, ...]  # of full and cut titles
    ascii: bool  # every full form is plain ASCII
    bare: bool  # a title without a subtitle


@lru_cache(maxsize=16384)
def _forms(title: str | None, subtitle: str | None, short_title: str | None) -> _Forms:
    """The forms of a work's title (cached: ranking, validating and reporting all ask)."""
    full: list[str] = []
    heads: tuple[str, ...] = ()
    if title:
        title = _RETRACTED_MARK.sub("", title) or title
        if subtitle:
            full.append(f"{title}: {subtitle}")
        full.append(title)
        heads = title_heads(title)
    if short_title:
        full.append(short_title)
    return _Forms(
        full=tuple(full),
        full_keys=frozenset(map(_key, full)),
        head_keys=frozenset(map(_key, heads)),
        folded_full=tuple(map(fold, full)),
        folded_all=tuple(map(fold, (*full, *heads))),
        ascii=all(f.isascii() for f in full),
        bare=bool(title) and not subtitle,
    )


@dataclass(frozen=True, slots=True)
class _Cited:
    """A cited title, keyed and folded once, whole and cut before each subtitle."""

    key: str
    folded: str
    head_keys: tuple[str, ...]
    folded_heads: tuple[str, ...]


@lru_cache(maxsize=4096)
def _cited(title: str) -> _Cited:
    heads = title_heads(title)
    return _Cited(_key(title), fold(title), tuple(map(_key, heads)), tuple(map(fold, heads)))


# A citation that matches only part of the title (a subtitle left out or added) is right,
# but says less about which work it means than a whole-title match.
HEAD_MATCH = 0.98


def _match(cited: str, work: Work) -> float:
    """1.0 for the whole title, HEAD_MATCH for a title cut at a subtitle, else 0."""
    return _match_forms(cited, _cited(cited), _forms(work.title, work.subtitle, work.short_title))


def _match_forms(text: str, cited: _Cited, forms: _Forms) -> float:
    if not cited.key:
        return 1.0
    full = forms.full_keys
    if cited.key in full:
        return 1.0
    # Greek letters or symbols flattened to one Latin letter in the citation ("Bcl-2D"),
    # or accents and other combining marks lost.
    if not forms.ascii:
        if _lossy_key(text) in {_lossy_key(f) for f in forms.full}:
            return 1.0
        if _key(strip_marks(text)) in {_key(strip_marks(f)) for f in forms.full}:
            return 1.0
    if cited.key in forms.head_keys:
        return HEAD_MATCH  # the citation leaves out the subtitle
    if forms.bare and any(key in full for key in cited.head_keys):
        return HEAD_MATCH  # the citation adds a subtitle Crossref does not record
    return 0.0


def same_title(cited: str, work: Work) -> bool:
    """Is the cited title one of the work's titles, up to folding and subtitles?"""
    return _match(cited, work) > 0.0


def title_similarity(cited: str, work: Work) -> float:
    """0-1: how close the cited title is to the nearest of the work's titles."""
    prepared = _cited(cited)
    forms = _forms(work.title, work.subtitle, work.short_title)
    exact = _match_forms(cited, prepared, forms)
    if exact:
        return exact
    best = 0.0
    # Whole against whole or against a shortened title, a shortened one against whole;
    # never shortened against shortened, or "Part I: X" would equal "Part III: Y".
    for form in forms.folded_all:
        best = max(best, fuzz.ratio(prepared.folded, form))
    for folded in forms.folded_full:
        for head in prepared.folded_heads:
            best = max(best, fuzz.ratio(head, folded))
    # Never as high as a match: 0.97 at most for a near spelling.
    return min(best / 100.0, 0.97)


# Word by word. A cited title that is not one of the work's titles (above) is compared with
# each of them word by word, after one more normalisation: British and American spellings,
# numbers written as words each get one form; a roman numeral stands for its digits. What is
# left is a changed, missing or added word. A content word (a noun, a verb, an adjective, a
# number) changes what the title says: RC201. Wording that leaves every content word of the
# work's title in place -- a function word, a word's number (singular or plural), a one-letter
# slip, two words swapped, a title cut short after three or more words -- still names the
# work beyond doubt: RC202.

# Words whose presence never changes which work a title names.
_QUIET_WORDS = frozenset({"a", "an", "the", "of", "and"})
# Function words: one changed, added or dropped is near wording, not another title. "with"
# and "without", "not", "no", "versus" are content: they turn what a title says around.
_FUNCTION_WORDS = _QUIET_WORDS | frozenset({
    "about", "after", "among", "amongst", "as", "at", "be", "been", "before", "between",
    "but", "by", "during", "for", "from", "her", "his", "in", "into", "is", "its", "nor",
    "on", "onto", "or", "our", "over", "per", "so", "than", "that", "their", "these", "this",
    "those", "through", "to", "toward", "towards", "under", "upon", "via", "was", "were",
    "which", "who", "whose", "within",
})  # fmt: skip
_CARDINALS = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
    "eighteen", "nineteen", "twenty",
)  # fmt: skip
_ORDINALS = (
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
    "tenth",
)  # fmt: skip
_NUMBER_WORDS = {word: str(n) for n, word in enumerate(_CARDINALS)} | {
    word: f"{n}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(n, 'th') }"
    for n, word in enumerate(_ORDINALS, start=1)
}
# Spellings no rule below covers.
_SPELLINGS = {
    "acknowledgement": "acknowledgment",
    "ageing": "aging",
    "aluminium": "aluminum",
    "artefact": "artifact",
    "artefacts": "artifacts",
    "cheque": "check",
    "draught": "draft",
    "grey": "gray",
    "judgement": "judgment",
    "mould": "mold",
    "moulds": "molds",
    "plough": "plow",
    "programme": "program",
    "programmes": "programs",
    "tyre": "tire",
    "tyres": "tires",
}
# colour, behavioural, tumours, favourable -> color, ...; never four, hour, your, detour.
_OUR = re.compile(
    r"(?<=[^fhystj])our(?=(?:s|ed|ing|al|ally|able|ably|ite|ites|er|ers|ful|less|ism|ist|ists"
    r"|hood|hoods|ly)?$)"
)
# centre, fibres, manoeuvre -> center, fibers, maneuver.
_RE_ENDING = re.compile(r"(?<=[^aeiou])re(s?)$")


@lru_cache(maxsize=65536)
def _spelling(word: str) -> str:
    """One form for a word's British and American spellings and for a number in words.

    Both sides of a comparison go through this, so a rule that merges two real words only
    ever lets that one substitution pass; the rules keep to the spellings' own patterns."""
    word = _NUMBER_WORDS.get(word, word)
    if len(word) < 4 or not word.isalpha():
        return word
    word = _SPELLINGS.get(word, word)
    if "ae" in word or "oe" in word:  # haemoglobin, oesophagus, foetal, manoeuvre
        word = word.replace("ae", "e").replace("oe", "e")
    word = word.replace("z", "s").replace("ll", "l")  # -ize/-ise, -yze/-yse; modelling
    if "sulph" in word:
        word = word.replace("sulph", "sulf")
    if "our" in word:
        word = _OUR.sub("or", word)
    if word.endswith(("ogue", "ogues")):  # catalogue, analogues
        word = word.replace("ogue", "og")
    if word.endswith(("ence", "ences")):  # defence, licence
        word = word[: word.rindex("ence")] + "ense" + word[word.rindex("ence") + 4 :]
    return _RE_ENDING.sub(r"er\1", word)


@dataclass(frozen=True, slots=True)
class _Words:
    """A title as shown (markup removed) and its words, each knowing the piece it is from."""

    pieces: tuple[str, ...]  # the title split at spaces: what a message marks
    keys: tuple[str, ...]  # the words, folded and with one spelling
    piece_of: tuple[int, ...]  # the piece each word comes from
    subtitles: frozenset[int]  # the words that start a subtitle


# A piece that ends a title before its subtitle ("Cancer:", "Why?", "– ") or holds the break.
_ENDS_TITLE = re.compile(r"[:?!.]$|^[-–—]+$|[–—]")


@lru_cache(maxsize=16384)
def _words(text: str, *, greek_names: bool = True) -> _Words:
    pieces = tuple(clean(text).split())
    keys: list[str] = []
    piece_of: list[int] = []
    subtitles: set[int] = set()
    for n, piece in enumerate(pieces):
        before = pieces[n - 1] if n else ""
        # "E. coli": an initial's period ends no title.
        if _ENDS_TITLE.search(before) and not (len(before) == 2 and before[1] == "."):
            subtitles.add(len(keys))
        for word in fold(piece, greek_names=greek_names).split():
            keys.append(_spelling(word))
            piece_of.append(n)
    return _Words(pieces, tuple(keys), tuple(piece_of), frozenset(subtitles))


# A translated title in square brackets, given beside the original or instead of it.
_BRACKETED = re.compile(r"\[([^\]]*)\]")
# A title the writer (or the style) marked as cut: "A very long title ..."
_ELLIPSIS = re.compile(r"(?:\.\.\.|…|\[\s*(?:\.\.\.|…)\s*\])\W*$")


def _readings(text: str) -> list[str]:
    """The text as written, and with its accents lost."""
    out = [text]
    if not text.isascii():
        out.append(strip_marks(text))
    return [t for t in dict.fromkeys(out) if fold(t)]


def _translations(text: str) -> list[str]:
    """The text without a bracketed translation (of two words or more: "[2.2.2]octane" or
    "[14]annulene" are no translation), and each translation alone."""
    found = [m for m in _BRACKETED.finditer(text) if len(m[1].split()) >= 2]
    if not found:
        return []
    spans = {m.span() for m in found}
    bare = " ".join(_BRACKETED.sub(lambda m: " " if m.span() in spans else m[0], text).split())
    return [bare, *(m[1] for m in found)]


def _word_forms(texts: Sequence[str]) -> list[_Words]:
    forms: list[_Words] = []
    for text in texts:
        for reading in _readings(text):
            forms.append(_words(reading))
            if not reading.isascii():  # "5a-reductase" for "5α-reductase"
                forms.append(_words(reading, greek_names=False))
    return forms


def _translated(*texts: str) -> list[_Words]:
    """The word forms of the texts without their translations, and of the translations."""
    return _word_forms([t for text in texts for t in _translations(text)])


@dataclass(frozen=True, slots=True)
class _Change:
    """Words of the cited title that differ from the work's, by index in each."""

    cited: tuple[int, ...]
    work: tuple[int, ...]
    minor: bool  # wording that leaves the work's content words in place
    cut: bool = False  # the cited title stops early


def _near(a: str, b: str) -> bool:
    """One word for the other with the same content: singular and plural, a one-letter slip
    in a word of five letters or more."""
    short, long = sorted((a, b), key=len)
    if long in (short + "s", short + "es") or (short.endswith("y") and long == short[:-1] + "ies"):
        return True
    for one, many in (("is", "es"), ("um", "a"), ("on", "a"), ("us", "i"), ("a", "ae")):
        stem = a.removesuffix(one)
        if a.endswith(one) and stem + many == b:
            return True
        stem = b.removesuffix(one)
        if b.endswith(one) and stem + many == a:
            return True
    return len(short) >= 5 and not a.isdigit() and not b.isdigit() and OSA.distance(a, b) == 1


def _same_number(a: str, b: str) -> bool:
    """A number in digits and in roman numerals: "Type II" for "Type 2"."""
    if a.isdigit():
        a, b = b, a
    return b.isdigit() and roman_value(a) == int(b)


def _function(keys: Sequence[str]) -> bool:
    return all(key in _FUNCTION_WORDS for key in keys)


def _changes(cited: _Words, work: _Words, ellipsis: bool | None) -> list[_Change]:
    """The differing words of two titles, quiet differences left out. ``ellipsis``: whether
    the cited title is marked as cut; None where it is a cited title's head, which is not
    cut short but is meant to be the work's whole title."""
    a, b = cited.keys, work.keys
    changes: list[_Change] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal" or "".join(a[i1:i2]) == "".join(b[j1:j2]):
            continue  # the same words spaced or hyphenated differently ("follow-up")
        mine = [i for i in range(i1, i2) if a[i] not in _QUIET_WORDS]
        theirs = [j for j in range(j1, j2) if b[j] not in _QUIET_WORDS]
        if "".join(a[i] for i in mine) == "".join(b[j] for j in theirs):
            continue  # "the" or "of" dropped or added
        if tag == "insert" and i1 == len(a) and j2 == len(b) and ellipsis is not None:
            if ellipsis:
                continue
            # Cut within one part of the title: a cut that also drops a subtitle is
            # judged against the title without it.
            if len(theirs) >= 3 and len(a) >= 3 and not work.subtitles & set(range(j1 + 1, j2)):
                changes.append(_Change((), tuple(theirs), minor=True, cut=True))
                continue
        if len(mine) == len(theirs):
            for i, j in zip(mine, theirs, strict=True):
                if _same_number(a[i], b[j]):
                    continue
                minor = _function((a[i], b[j])) or _near(a[i], b[j])
                changes.append(_Change((i,), (j,), minor))
        else:
            minor = _function([a[i] for i in mine]) and _function([b[j] for j in theirs])
            changes.append(_Change(tuple(mine), tuple(theirs), minor))
    # A content word dropped in one place and added in another has moved: near wording.
    dropped = Counter(b[j] for c in changes if not c.minor and not c.cited for j in c.work)
    added = Counter(a[i] for c in changes if not c.minor and not c.work for i in c.cited)
    moved = dropped & added
    if moved:
        changes = [
            _Change(c.cited, c.work, True, c.cut)
            if not c.minor
            and (not c.cited or not c.work)
            and all(k in moved for k in [*(a[i] for i in c.cited), *(b[j] for j in c.work)])
            else c
            for c in changes
        ]
    return changes


def _grade(changes: Sequence[_Change]) -> tuple[int, int, int]:
    """Worse first: content changes, then their size, then minor changes."""
    major = [c for c in changes if not c.minor]
    return (
        2 if major else 1 if changes else 0,
        sum(len(c.cited) + len(c.work) for c in major),
        len(changes),
    )


@dataclass(frozen=True, slots=True)
class _Comparison:
    cited: _Words
    work: _Words
    changes: tuple[_Change, ...]


def _compare_words(reference: Reference, work: Work) -> _Comparison:
    """The closest pairing of a form of the cited title with a form of the work's."""
    cited = reference.title or ""
    forms = _forms(work.title, work.subtitle, work.short_title)
    whole = _word_forms([cited])
    full = _word_forms(forms.full)
    # The whole cited title against the whole work's title or against it cut before a
    # subtitle, a cited title cut before its subtitle against the whole of a work without
    # one; never cut against cut, or a change after the cut would pass. A translation in
    # brackets is set against the other side's whole title only.
    ellipsis = bool(_ELLIPSIS.search(cited))
    pairs: list[tuple[_Words, _Words, bool | None]] = [
        (one, other, ellipsis) for one in whole for other in full
    ]
    if "[" in cited:
        pairs += [(one, other, ellipsis) for one in _translated(cited) for other in full]
    if any("[" in f for f in forms.full):
        pairs += [(one, other, ellipsis) for one in whole for other in _translated(*forms.full)]
    if work.title and (heads := title_heads(work.title)):
        pairs += [(one, other, ellipsis) for one in whole for other in _word_forms(heads)]
    if forms.bare and (cut := title_heads(cited)):
        pairs += [(one, other, None) for one in _word_forms(cut) for other in full]
    best: _Comparison | None = None
    best_grade = (3, 0, 0)
    for one, other, marked in pairs:
        changes = _changes(one, other, marked)
        grade = _grade(changes)
        if grade < best_grade:
            best, best_grade = _Comparison(one, other, tuple(changes)), grade
            if not grade[0]:
                break
    assert best is not None  # both titles have words: there is a pair
    return best


def _shown(words: _Words, marked: set[int]) -> str:
    """The title with each run of pieces holding marked words in «»."""
    pieces = {words.piece_of[k] for k in marked}
    out: list[str] = []
    for n, piece in enumerate(words.pieces):
        opens = n in pieces and n - 1 not in pieces
        closes = n in pieces and n + 1 not in pieces
        out.append(f"{'«' if opens else ''}{piece}{'»' if closes else ''}")
    return " ".join(out)


def _said(words: _Words, keys: Sequence[int]) -> str:
    pieces = dict.fromkeys(words.piece_of[k] for k in keys)
    return " ".join(words.pieces[n].strip(_EDGE_PUNCTUATION) for n in pieces)


_EDGE_PUNCTUATION = ".,;:!?\"'“”‘’()[]«»"


def _describe(comparison: _Comparison, registry: str) -> str:
    cited, work = comparison.cited, comparison.work
    parts: dict[str, None] = {}  # "long term" for "follow up" is one change, not two
    for change in comparison.changes:
        if change.cut:
            part = f"stops before '{_said(work, change.work)}'"
        elif change.cited and change.work:
            part = f"has '{_said(cited, change.cited)}' for '{_said(work, change.work)}'"
        elif change.work:
            part = f"leaves out '{_said(work, change.work)}'"
        else:
            part = f"adds '{_said(cited, change.cited)}'"
        parts[part] = None
    marked_cited = {i for c in comparison.changes for i in c.cited}
    marked_work = {j for c in comparison.changes for j in c.work}
    return (
        f"The cited title {'; '.join(parts)}: cited '{_shown(cited, marked_cited)}', "
        f"{registry} '{_shown(work, marked_work)}'"
    )


# More changed words than this (and more than a third of the title's) make another title,
# not a misquoted one: the message then names the work's title instead of listing words.
_LISTED_CHANGES = 4


def compare_title(reference: Reference, work: Work) -> list[Finding]:
    """RC201 for a changed, added or missing content word (or another title), RC202 for
    near wording that leaves the work's content words in place."""
    if reference.free_text and not reference.title and work.title:
        # The parser read no title (it went into the journal, say): compare the part of
        # the string that stands where the work's title does.
        reference = reference.model_copy(update={"title": _title_written(reference.text, work)})
    if not reference.title or not work.title or not fold(reference.title):
        return []
    cited = reference.title
    if work.type == "peer-review" and (label := _REVIEW_LABEL.match(cited)):
        # Styles print a review's title as "[Review of <title>]" (CSL's type "review").
        cited = label.group(1)
        reference = reference.model_copy(update={"title": cited})
    # A work whose title has no word (":") gives nothing to compare against.
    if same_title(cited, work) or not fold(work.title):
        return []
    comparison = _compare_words(reference, work)
    grade, size, _ = _grade(comparison.changes)
    if not grade:
        return []
    expected = f"{work.title}: {work.subtitle}" if work.subtitle else work.title
    if grade == 2 and size > max(_LISTED_CHANGES, len(comparison.work.keys) // 3):
        message = f"The cited title is not this work's title, which is '{expected}'"
    else:
        message = _describe(comparison, work.registry)
    code = "RC201" if grade == 2 else "RC202"
    return [finding(code, message, cited=reference.title, expected=expected)]


_REVIEW_LABEL = re.compile(r"^\[?\s*review\s+of\s+(.+?)\]?$", re.IGNORECASE | re.DOTALL)

# Marks around a piece of a reference string that set it apart from its neighbours.
_CLOSERS = tuple(".,:;?!\"'”’)]»")
_OPENERS = tuple("“‘\"'([«")


def _apart(before: str, after: str) -> bool:
    """Do punctuation or quotes set two neighbouring pieces of a string apart?"""
    return before.endswith(_CLOSERS) or after.startswith(_OPENERS)


@lru_cache(maxsize=4096)
def _spans(text: str) -> tuple[tuple[str, ...], tuple[bool, ...], tuple[bool, ...]]:
    """The words of a reference string, and for each whether it starts or ends a part of
    the string set apart by punctuation or quotes."""
    words = _words(text)
    pieces, of = words.pieces, words.piece_of
    count = len(words.keys)
    starts = [True] * count
    ends = [True] * count
    for k in range(1, count):
        # Words of one piece ("Euler-Poisson") are never apart.
        apart = of[k - 1] != of[k] and _apart(pieces[of[k] - 1], pieces[of[k]])
        starts[k] = ends[k - 1] = apart
    return words.keys, tuple(starts), tuple(ends)


def _holds(
    keys: Sequence[str],
    starts: Sequence[bool],
    ends: Sequence[bool],
    title: Sequence[str],
    quoted_head: bool = False,
    subtitle: Sequence[str] = (),
) -> bool:
    """Is ``title`` (without quiet words) a part of the string on its own: starting and
    ending where punctuation sets it apart, quiet words skipped on both sides?
    ``quoted_head``: the title's first content word is quoted inside it ('A “misleading”
    jobs report'), so its quote marks no start: a content word before it is an added one.
    ``subtitle``: the work's subtitle, for a ``title`` without it: where the string goes on
    to write most of the subtitle's words, not all of them, it cites the subtitle changed."""
    for first in range(len(keys)):
        if not starts[first]:
            continue
        if quoted_head and first and keys[first - 1] not in _QUIET_WORDS:
            continue
        at, matched = first, 0
        while at < len(keys) and matched < len(title):
            if keys[at] == title[matched]:
                matched += 1
            elif keys[at] not in _QUIET_WORDS:
                break
            at += 1
        if matched == len(title) and ends[at - 1]:
            if subtitle and _subtitle_changed(keys, ends, at, subtitle):
                continue
            return True
    return False


def _subtitle_changed(
    keys: Sequence[str], ends: Sequence[bool], at: int, subtitle: Sequence[str]
) -> bool:
    """Do the words from ``at`` to the end of their part hold half the subtitle's words
    or more, but not the subtitle itself (a word of it dropped, changed or added)?"""
    stop = next((k + 1 for k in range(at, len(keys)) if ends[k]), len(keys))
    written = [k for k in keys[at:stop] if k not in _QUIET_WORDS]
    if written == list(subtitle):
        return False
    shared = sum(min(written.count(k), subtitle.count(k)) for k in set(subtitle))
    return 2 * shared >= len(subtitle) > 0


def title_in_text(text: str, work: Work) -> bool:
    """Does a whole reference string hold one of the work's titles word for word (up to the
    differences :func:`compare_title` lets pass: spelling, quiet words), set apart from
    the words around it? A word added before or after the title is in the same part of the
    string, so a title cited with an added word is not vouched for."""
    if not work.title:
        return False
    keys, starts, ends = _spans(text)
    forms = _forms(work.title, work.subtitle, work.short_title)
    # The title without its subtitle must not stand for a subtitle cited changed.
    subtitle = (
        [k for k in _words(work.subtitle).keys if k not in _QUIET_WORDS] if work.subtitle else []
    )
    alone = {_key(work.title)}
    for text_form in forms.full:
        for form in _word_forms([text_form]):
            content = [n for n, k in enumerate(form.keys) if k not in _QUIET_WORDS]
            title = [form.keys[n] for n in content]
            quoted_head = (
                bool(content)
                and content[0] > 0
                and form.pieces[form.piece_of[content[0]]].startswith(_OPENERS)
            )
            without = subtitle if _key(text_form) in alone else []
            if title and _holds(keys, starts, ends, title, quoted_head, without):
                return True
    return False


# At least this share of a title's words, and three, found together in a string place the
# title there.
_PLACED = 0.6


def _title_written(text: str, work: Work) -> str | None:
    """The words of a reference string that stand where the work's title does: from the
    first to the last word that agree with it, stretched over a title word the string
    changed at either end, never past the punctuation that sets the title apart. None
    when the string holds too few of the title's words together."""
    keys, starts, ends = _spans(text)
    wanted = [k for k in _words(work.title or "").keys if k not in _QUIET_WORDS]
    if len(wanted) < 3:
        return None
    at = [n for n, key in enumerate(keys) if key not in _QUIET_WORDS]  # quiet words aside
    said = [keys[n] for n in at]
    blocks = [
        b
        for b in SequenceMatcher(None, said, wanted, autojunk=False).get_matching_blocks()
        if b.size
    ]
    if not blocks:
        return None

    def near(one: Match, other: Match) -> bool:  # no further apart than in the title, ± 2
        return other.a - (one.a + one.size) <= other.b - (one.b + one.size) + 2

    # The longest run of agreeing words, and the runs near it on either side.
    first = last = max(range(len(blocks)), key=lambda n: blocks[n].size)
    while first > 0 and near(blocks[first - 1], blocks[first]):
        first -= 1
    while last < len(blocks) - 1 and near(blocks[last], blocks[last + 1]):
        last += 1
    run = blocks[first : last + 1]
    if sum(b.size for b in run) < max(3, _PLACED * len(wanted)):
        return None
    start, stop = run[0].a, run[-1].a + run[-1].size - 1  # the first and last word, in said

    def opens(m: int) -> bool:  # does word m of said start a part of the string?
        return m == 0 or any(starts[n] for n in range(at[m - 1] + 1, at[m] + 1))

    def closes(m: int) -> bool:
        return m == len(at) - 1 or any(ends[n] for n in range(at[m], at[m + 1]))

    # Title words missing before the first agreeing word or after the last were changed
    # (or words added there): stretch over them, and over up to two more words where that
    # reaches the punctuation that sets the title apart, never past it.
    missing = run[0].b
    for m in range(start, max(start - missing - 2, -1), -1):
        if opens(m):
            start = m
            break
    else:
        while missing and not opens(start):
            start, missing = start - 1, missing - 1
    missing = len(wanted) - (run[-1].b + run[-1].size)
    for m in range(stop, min(stop + missing + 2, len(at) - 1) + 1):
        if closes(m):
            stop = m
            break
    else:
        while missing and not closes(stop):
            stop, missing = stop + 1, missing - 1
    words = _words(text)
    pieces = words.pieces[words.piece_of[at[start]] : words.piece_of[at[stop]] + 1]
    return " ".join(pieces).strip(_EDGE_PUNCTUATION) or None
