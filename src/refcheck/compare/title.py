"""Title: the cited title against the work's, its subtitle and its short title.

Markup, case, punctuation, dashes, quotes, diacritics and "&"/"and" are folded away, and
spaces do not count ("Follow-up" == "Followup"). A subtitle may be given or left out on
either side. What remains is graded: near wording is a warning (RC202), a different title
an error (RC201).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

from refcheck.compare.text import clean, fold, strip_marks
from refcheck.models import Finding, Reference, Work
from refcheck.rules import finding

__all__ = [
    "HEAD_MATCH",
    "RC201_BELOW",
    "compare_title",
    "is_notice_title",
    "main_title",
    "same_title",
    "title_heads",
    "title_similarity",
]

# Below this similarity (0-1) a cited title is another title (RC201), above it a variant
# of the right one (RC202). Measured on works-dev: another record's title scores 0.37
# (median) to 0.52 (99.9th percentile) against a work, the most similar other title 0.79
# at the 99th percentile; one word replaced or dropped scores 0.82 at the 1st percentile.
RC201_BELOW = 0.7

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
    return tuple(text[: m.start()] for m in _SUBTITLE_BREAK.finditer(text) if m.start() > 0)


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


def _shortened(cited: str, title: str) -> bool:
    """A title cut short (or run on) at a word: the right title, incompletely cited."""
    a, b = fold(cited), fold(title)
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    return len(short.split()) >= 3 and long.startswith(short + " ")


def compare_title(reference: Reference, work: Work) -> list[Finding]:
    """RC202 for a variant of the work's title, RC201 for another title."""
    if not reference.title or not work.title or not fold(reference.title):
        return []
    if same_title(reference.title, work):
        return []
    score = title_similarity(reference.title, work)
    expected = f"{work.title}: {work.subtitle}" if work.subtitle else work.title
    if score < RC201_BELOW and not _shortened(reference.title, expected):
        return [
            finding(
                "RC201",
                f"The cited title is not this work's title, which is '{expected}'",
                cited=reference.title,
                expected=expected,
            )
        ]
    return [
        finding(
            "RC202",
            f"The cited title differs from Crossref's '{expected}' ({round(score * 100)}% similar)",
            cited=reference.title,
            expected=expected,
        )
    ]
