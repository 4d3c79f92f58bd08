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
import string
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
    "strip_marks",
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
# Commands that only format their argument vanish; any other command stands for a symbol
# and keeps its name ("\\infty" -> "infty", "\\ss" -> "ss"), the way a reader that
# decodes LaTeX loosely writes it.
_FORMATTING = (
    "boldsymbol",
    "emph",
    "ensuremath",
    "mathbb",
    "mathbf",
    "mathcal",
    "mathfrak",
    "mathit",
    "mathrm",
    "mathscr",
    "mathsf",
    "mathtt",
    "mbox",
    "operatorname",
    "text",
    "textbf",
    "textit",
    "textnormal",
    "textrm",
    "textsc",
    "textsf",
    "textsl",
    "texttt",
    "textup",
)
_LATEX_FORMAT = re.compile(r"\\(?:" + "|".join(_FORMATTING) + r")\b\*?\s*")
_LATEX_COMMAND = re.compile(r"\\([A-Za-z]+)\*?(\s*)")
# Formatting command names left bare by a loose decoder ("mathcal W"); never title words.
_BARE_FORMATTING = frozenset(_FORMATTING) - {"text"}
_LATEX_ESCAPE = re.compile(r"\\([&%$#_{}])")
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_APOSTROPHES = "'’ʼ`´"
_WORD_APOSTROPHE = re.compile(rf"(?<=\w)[{_APOSTROPHES}](?=\w)")
# Every ASCII character but a digit or a lower-case letter is a word break (folded text is
# lower-case ASCII by then); a translation table does this faster than a regex.
_BREAKS = str.maketrans(
    {c: " " for c in range(128) if chr(c) not in string.digits + string.ascii_lowercase}
)


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
        text = _LATEX_FORMAT.sub("", text)
        text = _LATEX_COMMAND.sub(lambda m: m[1] + (" " if m[2] else ""), text)
    if "{" in text or "}" in text or "$" in text:
        text = text.replace("{", "").replace("}", "").replace("$", "")
    return " ".join(text.split())  # str.split's whitespace is regex \s, in every script


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
    # The substitutions only when they can apply: each costs more than the scan.
    if any(mark in text for mark in _APOSTROPHES):
        text = _WORD_APOSTROPHE.sub("", text)
    if not text.isascii():
        # anyascii maps each character alone, and walks every one of them in Python: hand
        # it only the runs that need it ("COVID-19 – a review": just the dash).
        text = _NON_ASCII.sub(lambda run: anyascii(run[0]), text)
    text = text.casefold().replace("&", " and ")
    if "'" in text or "`" in text:  # the ASCII apostrophes anyascii writes
        text = _WORD_APOSTROPHE.sub("", text)
    text = " ".join(text.translate(_BREAKS).split())
    if "math" in text or "text" in text or "emph" in text or "bold" in text:
        text = " ".join(w for w in text.split() if w not in _BARE_FORMATTING)
    return text


_UMLAUT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})


@lru_cache(maxsize=65536)
def fold_name(text: str) -> tuple[str, ...]:
    """The folded spellings of a personal name: plain, German umlauts written out, and
    combining marks dropped before transliterating.

    "Bülow" is rightly cited as "Bulow" or "Buelow"; both are kept so either matches.
    """
    spellings = [fold(text)]
    if any(c in text for c in "äöüÄÖÜ"):
        spellings.append(fold(text.translate(_UMLAUT)))
    if not text.isascii():
        spellings.append(fold(strip_marks(text)))
    return tuple(dict.fromkeys(spellings))


@lru_cache(maxsize=16384)
def strip_marks(text: str) -> str:
    """The text without combining marks: what a copy that lost its accents, Cyrillic breves
    ("й" -> "и") or Thai vowel signs still has in common with the original."""
    if text.isascii():
        return text
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


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
