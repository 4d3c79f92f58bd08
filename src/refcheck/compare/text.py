"""Text folding shared by every comparer: what two spellings of one thing have in common.

A citation and a Crossref record write the same title, name or journal with different
markup (``<i>``, LaTeX braces, entities), case, diacritics, dashes, quotes and spacing.
:func:`fold` removes all of that, so comparers only ever see differences a reader would
call real. Every function here is pure and cached: comparing a reference list folds the
same Crossref strings many times.
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

from anyascii import anyascii

__all__ = [
    "GREEK",
    "clean",
    "fold",
    "fold_name",
    "roman_value",
    "squash",
    "tokens",
]

# Greek letters are written out in ASCII titles ("alpha-synuclein"); anyascii would turn
# "α" into "a", so they are named first and both spellings fold alike.
GREEK: dict[str, str] = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "ζ": "zeta",
    "η": "eta", "θ": "theta", "ι": "iota", "κ": "kappa", "λ": "lambda", "μ": "mu",
    "µ": "mu", "ν": "nu", "ξ": "xi", "π": "pi", "ρ": "rho", "σ": "sigma", "ς": "sigma",
    "τ": "tau", "υ": "upsilon", "φ": "phi", "ϕ": "phi", "χ": "chi", "ψ": "psi",
    "ω": "omega", "∆": "delta", "Γ": "gamma", "Δ": "delta", "Θ": "theta", "Λ": "lambda", "Ξ": "xi",
    "Π": "pi", "Σ": "sigma", "Φ": "phi", "Ψ": "psi", "Ω": "omega",
}  # fmt: skip
_GREEK_RE = re.compile("|".join(GREEK))

_TAG = re.compile(r"</?[A-Za-z][\w:.-]*(?:\s[^<>]*)?/?>")
# LaTeX: accent commands vanish (their letter stays, and diacritics fold away anyway),
# Greek-letter commands become the letter's name, any other command name is dropped.
_LATEX_ACCENT = re.compile(r"\\[`'^\"~=.]|\\[uvHckrbdt](?=[\s{])\s*")
_LATEX_GREEK = re.compile(r"\\(" + "|".join(sorted(set(GREEK.values()), key=len)[::-1]) + r")\b")
_LATEX_COMMAND = re.compile(r"\\[A-Za-z]+\*?\s*")
_LATEX_ESCAPE = re.compile(r"\\([&%$#_{}])")
_WORD_APOSTROPHE = re.compile(r"(?<=\w)['’ʼ`´](?=\w)")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=65536)
def clean(text: str) -> str:
    """The text without markup: entities decoded, tags and LaTeX commands removed."""
    if "&" in text:
        text = html.unescape(text)
    if "<" in text:
        text = _TAG.sub(" ", text)
    if "\\" in text:
        text = _LATEX_ESCAPE.sub(r"\1", text)
        text = _LATEX_ACCENT.sub("", text)
        text = _LATEX_GREEK.sub(r"\1", text)
        text = _LATEX_COMMAND.sub("", text)
    if "{" in text or "}" in text or "$" in text:
        text = text.replace("{", "").replace("}", "").replace("$", "")
    return _SPACES.sub(" ", text).strip()


@lru_cache(maxsize=65536)
def fold(text: str, *, greek_names: bool = True) -> str:
    """Lower-case ASCII words separated by single spaces; '&' reads as 'and'.

    Punctuation of every kind (dashes, quotes, colons, periods) becomes a word break, and
    an apostrophe inside a word disappears ("O'Brien" -> "obrien"). Greek letters are
    named ("alpha"); with ``greek_names=False`` they keep anyascii's one letter ("a"), the
    way a lossy copy writes "5a-reductase" for "5α-reductase".
    """
    text = clean(text).casefold()  # before naming Greek letters: "Α" is "α"
    if not text.isascii():
        if greek_names:
            text = _GREEK_RE.sub(lambda m: f" {GREEK[m.group()]} ", text)
        else:
            text = text.replace("∆", "δ")  # the increment sign, used for a delta
        # Combining marks go first, so "й" and "и", or Thai vowel signs, fold alike.
        text = "".join(
            c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)
        )
    text = _WORD_APOSTROPHE.sub("", text)
    text = anyascii(text).casefold().replace("&", " and ")
    text = _WORD_APOSTROPHE.sub("", text)
    return _NON_ALNUM.sub(" ", text).strip()


_UMLAUT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})


@lru_cache(maxsize=65536)
def fold_name(text: str) -> tuple[str, ...]:
    """The folded spellings of a personal name: plain, and German umlauts written out.

    "Bülow" is rightly cited as "Bulow" or "Buelow"; both are kept so either matches.
    """
    plain = fold(text)
    german = fold(text.translate(_UMLAUT)) if any(c in text for c in "äöüÄÖÜ") else plain
    return (plain,) if german == plain else (plain, german)


def squash(text: str) -> str:
    """:func:`fold` without spaces: "Follow-up" == "Followup" == "follow up"."""
    return fold(text).replace(" ", "")


def tokens(text: str) -> tuple[str, ...]:
    """The folded words of a text."""
    folded = fold(text)
    return tuple(folded.split()) if folded else ()


_ROMAN = re.compile(r"^(?=[ivxlcdm]+$)m{0,3}(cm|cd|d?c{0,3})(xc|xl|l?x{0,3})(ix|iv|v?i{0,3})$")
_ROMAN_VALUES = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100, "d": 500, "m": 1000}


def roman_value(text: str) -> int | None:
    """The value of a well-formed roman numeral in any case ("xiv" -> 14), else None."""
    text = text.casefold()
    if not text or not _ROMAN.match(text):
        return None
    total = 0
    for here, after in zip(text, [*text[1:], ""], strict=True):
        value = _ROMAN_VALUES[here]
        total += -value if after and _ROMAN_VALUES[after] > value else value
    return total
