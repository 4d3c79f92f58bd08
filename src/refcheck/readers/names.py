"""Person names as BibTeX writes them, split into family and given names.

BibTeX knows three forms of a name (``First von Last``, ``von Last, First`` and
``von Last, Jr, First``); bibtexparser's splitter implements them faithfully, braces and
case rules included, so it does the splitting here. What this module adds:

* the particle ("von" part) stays inside ``family`` as written: "van der Kallen",
  "el Barzouhi", "Lycklama À Nijeholt";
* a name wholly in braces (``{Leiden-The Hague Spine Intervention Prognostic Study Group}``)
  is a group: ``Person(literal=...)``;
* ``and others`` and a trailing ``et al.`` mark the author list as truncated;
* ``Brinjikji W`` / ``Jarvik JG`` (Medline style, often pasted into .bib files) is read as
  family + initials rather than BibTeX's literal reading (first name "Brinjikji");
* the "Jr" part is dropped: :class:`Person` has no suffix, and Crossref keeps suffixes
  apart from the family name too;
* LaTeX is decoded last, part by part (``B{\\"u}low`` -> "Bülow").
"""

from __future__ import annotations

import re

from bibtexparser.middlewares.names import (
    parse_single_name_into_parts,
    split_multiple_persons_names,
)
from pylatexenc.latex2text import LatexNodes2Text

from refcheck.models import Person

_LATEX = LatexNodes2Text(math_mode="text")
# "%" starts a comment in LaTeX, but not in a BibTeX field: "50% of cases" must survive.
_UNESCAPED_PERCENT = re.compile(r"(?<!\\)%")
# What pylatexenc would change: macros, groups, math, ties, dashes and TeX quotes.
_LATEX_SYNTAX = re.compile(r"[\\{}$~]|--|``|''")
_ET_AL_TAIL = re.compile(r"[\s,;]*\bet(?:\.\s*|\s+)al\b\.?\s*$", re.IGNORECASE)
_DANGLING_AND = re.compile(r"(?:^\s*and\s+|\s+and\s*$)", re.IGNORECASE)
_TRUNCATION_MARKERS = frozenset({"others", "et al", "et al.", "etal", "et. al."})
_INITIALS = re.compile(r"(?:[^\W\d_]\.?-?){1,4}")
# "Jr", "Sr" and roman numerals after a name; "JR" and "SR" in capitals are Medline's
# initials ("Gutierrez JR", "Østmo SR").
_GENERATIONS = frozenset({"II", "III", "IV", "Jr", "Jr.", "Sr", "Sr.", "JR.", "SR."})


def decode_latex(value: str) -> str:
    """LaTeX to plain text: accents to Unicode, braces dropped, whitespace collapsed.

    Shared by the BibTeX reader for every text field. Never raises: pylatexenc parses
    tolerantly, and anything it still rejects is returned with only braces removed.
    """
    if not value:
        return ""
    if not _LATEX_SYNTAX.search(value):  # the common case: no parser needed
        return " ".join(value.split())
    try:
        text = _LATEX.latex_to_text(_UNESCAPED_PERCENT.sub(r"\\%", value))
    except Exception:  # pylatexenc is tolerant; this is a last resort against its bugs.
        text = value.replace("{", "").replace("}", "")
    return " ".join(text.split())


def _is_wholly_braced(name: str) -> bool:
    """``{...}`` where the first brace closes at the very end (not ``{A}nd {B}``)."""
    if not (name.startswith("{") and name.endswith("}")):
        return False
    depth = 0
    for index, char in enumerate(name):
        if char == "{" and (index == 0 or name[index - 1] != "\\"):
            depth += 1
        elif char == "}" and name[index - 1] != "\\":
            depth -= 1
            if depth == 0:
                return index == len(name) - 1
    return False


def _is_initials(word: str) -> bool:
    return bool(_INITIALS.fullmatch(word)) and word.isupper() and word not in _GENERATIONS


def split_bibtex_name(raw: str) -> Person:
    """One BibTeX name (still LaTeX) -> Person; see the module doc for the rules."""
    name = " ".join(raw.split()).strip(" ,")
    if not name:
        return Person()
    if _is_wholly_braced(name):
        return Person(literal=decode_latex(name[1:-1]) or None)

    parts = parse_single_name_into_parts(name, strict=False)
    first, von, last = list(parts.first), list(parts.von), list(parts.last)
    words = [*first, *von, *last]
    if "," not in name:
        # "Brinjikji W", "Jarvik JG", "Smith A. B.": Medline order, family name, initials.
        cut = len(words)
        while cut > 0 and _is_initials(words[cut - 1]):
            cut -= 1
        if 0 < cut < len(words) and not any(_is_initials(word) for word in words[:cut]):
            first, von, last = words[cut:], [], words[:cut]
        elif cut == 0 and len(words) == 2 and len(words[0]) > 1 and len(words[1]) == 1:
            # "LI J": a family in capitals as short as initials, then one initial.
            first, von, last = words[1:], [], words[:1]
    family = decode_latex(" ".join([*von, *last]))
    given = decode_latex(" ".join(first))
    if not family and given:
        family, given = given, ""
    return Person(family=family or None, given=given or None)


def split_bibtex_authors(field: str) -> tuple[tuple[Person, ...], bool]:
    """An ``author`` field -> (persons in order, truncated).

    ``truncated`` is True when the list ends with ``and others`` or ``et al.``: the citation
    names only the first authors, so missing ones are not an error.
    """
    persons: list[Person] = []
    truncated = False
    # A dangling "and" (an author deleted, the separator left) is not a name.
    for raw in split_multiple_persons_names(_DANGLING_AND.sub("", field)):
        name = " ".join(raw.split())
        if name.strip("{}").lower() in _TRUNCATION_MARKERS:
            truncated = True
            continue
        tail = _ET_AL_TAIL.search(name)
        if tail:
            truncated = True
            name = name[: tail.start()]
        person = split_bibtex_name(name)
        if person.family or person.given or person.literal:
            persons.append(person)
    return tuple(persons), truncated
