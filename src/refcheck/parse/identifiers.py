"""Identifiers a reference cites besides a DOI: arXiv IDs and ISBNs, in every form writers use.

    arXiv:1810.04805v2                       arXiv preprint arXiv:1810.04805
    https://arxiv.org/abs/1810.04805         https://arxiv.org/pdf/1810.04805v1.pdf
    hep-th/9901001, arXiv:math.GT/0309136    eprint = {1810.04805}, archivePrefix = {arXiv}

Each names one arXiv paper, which DataCite registers as ``10.48550/arXiv.<id>`` (the ID
without its version). A bare new-style number ("1810.04805") counts only with arXiv named
beside it (an ``arXiv`` label, an arxiv.org URL, a BibTeX ``archivePrefix``/``eprinttype``):
alone it could be anything. An old-style ID counts only under a real arXiv archive name.

ISBNs (:func:`cited_isbns`): BibTeX's ``isbn`` field, CSL-JSON's ``ISBN``, and "ISBN
978-0-374-27563-1" (or "ISBN-10: 0-374-27563-7") in free text; ten or thirteen digits (the
last of ten may be X), hyphens and spaces as written. Each is normalised to ISBN-13 (an
ISBN-10 is the same number under the 978 prefix) when its check digit holds; one whose check
digit fails is kept as written, so the reference can be told so (RC106).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from refcheck.models import Reference

__all__ = [
    "ARXIV_DOI_PREFIX",
    "CitedIsbn",
    "arxiv_doi",
    "arxiv_id",
    "cited_isbns",
    "find_arxiv_id",
    "isbn13",
    "preprint_doi",
]

ARXIV_DOI_PREFIX = "10.48550/arXiv."

# arXiv's archives before 2007, when IDs were archive/YYMMNNN.
_ARCHIVES = (
    "acc-phys|adap-org|alg-geom|ao-sci|astro-ph|atom-ph|bayes-an|chao-dyn|chem-ph|cmp-lg|"
    "comp-gas|cond-mat|cs|dg-ga|funct-an|gr-qc|hep-ex|hep-lat|hep-ph|hep-th|math|math-ph|"
    "mtrl-th|nlin|nucl-ex|nucl-th|patt-sol|physics|plasm-ph|q-alg|q-bio|quant-ph|solv-int|"
    "supr-con"
)
# New style: YYMM.NNNN (2007-2014) or YYMM.NNNNN (2015 on); month 01-12.
_NEW = r"(?:\d\d(?:0[1-9]|1[0-2])\.\d{4,5})"
_OLD = rf"(?:(?:{_ARCHIVES})(?:\.[A-Z]{{2}})?/\d\d(?:0[1-9]|1[0-2])\d{{3}})"
_VERSION = r"(?:v\d+)?"

# arXiv named right before the ID: "arXiv:", "arXiv: ", "arXiv ", "arxiv.org/abs/", ".../pdf/".
_LABELLED = re.compile(
    rf"(?:\barxiv\s*:?\s*|arxiv\.org/(?:abs|pdf)/)({_NEW}|{_OLD}){_VERSION}(?!\d|\.\d)",
    re.IGNORECASE,
)
# An old-style ID stands on its own: its archive name says it is arXiv's.
_OLD_ALONE = re.compile(rf"(?<![\w./-])({_OLD}){_VERSION}(?!\d)")
# BibTeX: eprint = {1810.04805}, with archivePrefix = {arXiv} or eprinttype = {arxiv}.
_EPRINT = re.compile(
    rf"\beprint\s*=\s*[{{\"]\s*(?:arxiv:)?({_NEW}|{_OLD}){_VERSION}\s*[}}\"]", re.IGNORECASE
)
_ARXIV_FIELD = re.compile(
    r"\b(?:archiveprefix|eprinttype)\s*=\s*[{\"]\s*arxiv\s*[}\"]", re.IGNORECASE
)


def find_arxiv_id(text: str | None) -> str | None:
    """The arXiv ID (without version) a piece of text cites, or None."""
    if not text:
        return None
    if match := _LABELLED.search(text):
        return _canonical(match.group(1))
    if (match := _EPRINT.search(text)) and _ARXIV_FIELD.search(text):
        return _canonical(match.group(1))
    if match := _OLD_ALONE.search(text):
        return _canonical(match.group(1))
    return None


def arxiv_id(reference: Reference) -> str | None:
    """The arXiv ID a reference cites, from its URL, its container or its text."""
    for text in (reference.url, reference.container, reference.text):
        found = find_arxiv_id(text)
        if found is not None:
            return found
    return None


def arxiv_doi(identifier: str) -> str:
    """The DOI DataCite registers for an arXiv ID (given without its version)."""
    return ARXIV_DOI_PREFIX + identifier


def preprint_doi(reference: Reference) -> str | None:
    """The DOI of the arXiv paper a reference cites as a preprint, or None.

    A reference naming a container that is not arXiv's ("Nature", with an ``eprint`` beside
    it) cites the published version: that is found as before, not through its preprint,
    whose year and venue would differ from the citation's.
    """
    identifier = arxiv_id(reference)
    if identifier is None:
        return None
    container = (reference.container or "").casefold()
    if container and not any(word in container for word in ("arxiv", "preprint", "corr")):
        return None
    return arxiv_doi(identifier)


def _canonical(identifier: str) -> str:
    # New-style IDs are digits; an old-style archive is lower case, its subject class upper.
    archive, slash, number = identifier.partition("/")
    if not slash:
        return identifier
    name, dot, subject = archive.partition(".")
    return f"{name.lower()}{dot}{subject.upper()}/{number}"


# --- ISBNs -------------------------------------------------------------------------------

# "ISBN 978-0-374-27563-1", "ISBN-13: 978 0 374 27563 1", "ISBN: 0-374-27563-X".
_ISBN_LABELLED = re.compile(
    r"\bISBN(?:-?1[03])?\s*:?\s*((?:\d[\s\u2010-\u2013-]?){9,12}[\dXx])(?![\w-])", re.IGNORECASE
)
# BibTeX's isbn field and CSL-JSON's ISBN, whose value may hold several, comma-separated.
_ISBN_FIELD = re.compile(r"(?:\bisbn\s*=\s*[{\"]|\"ISBN\"\s*:\s*\[?\s*\")([^}\"]*)", re.IGNORECASE)
_ISBN_IN_FIELD = re.compile(r"(?<![\dXx])((?:\d[\s\u2010-\u2013-]?){9,12}[\dXx])(?![\dXx])")
_NOT_DIGIT = re.compile(r"[^\dXx]")


@dataclass(frozen=True, slots=True)
class CitedIsbn:
    """An ISBN as the reference writes it, and its ISBN-13 (None when the check digit fails)."""

    written: str
    isbn13: str | None


def isbn13(text: str) -> str | None:
    """The ISBN-13 of an ISBN-10 or ISBN-13 (hyphens and spaces ignored) whose check digit
    holds, else None."""
    digits = _NOT_DIGIT.sub("", text).upper()
    if len(digits) == 10:
        if not digits[:9].isdigit() or not (digits[9].isdigit() or digits[9] == "X"):
            return None
        values = [int(c) for c in digits[:9]] + [10 if digits[9] == "X" else int(digits[9])]
        if sum((10 - n) * v for n, v in enumerate(values)) % 11:
            return None
        body = "978" + digits[:9]
        return body + _check13(body)
    if len(digits) == 13 and digits.isdigit() and digits.startswith(("978", "979")):
        return digits if _check13(digits[:12]) == digits[12] else None
    return None


def _check13(body: str) -> str:
    total = sum(int(c) * (3 if n % 2 else 1) for n, c in enumerate(body))
    return str((10 - total % 10) % 10)


def _isbn_shaped(written: str) -> bool:
    digits = _NOT_DIGIT.sub("", written).upper()
    if len(digits) == 13:
        return digits.isdigit() and digits.startswith(("978", "979"))
    return len(digits) == 10 and "X" not in digits[:9]


def cited_isbns(reference: Reference) -> tuple[CitedIsbn, ...]:
    """The ISBNs a reference cites, in order, each once; from its text (which holds a BibTeX
    entry's or a CSL-JSON item's source). Digit runs that are no ISBN's length are left out:
    they are something else ("ISBN" before a page count, an order number)."""
    text = reference.text or ""
    if "isbn" not in text.lower():
        return ()
    written: list[str] = [m.group(1) for m in _ISBN_LABELLED.finditer(text)]
    for field in _ISBN_FIELD.finditer(text):
        written += [m.group(1) for m in _ISBN_IN_FIELD.finditer(field.group(1))]
    found: dict[str, CitedIsbn] = {}
    for raw in written:
        raw = raw.strip()
        if not _isbn_shaped(raw):
            continue
        normalised = isbn13(raw)
        key = normalised or _NOT_DIGIT.sub("", raw).upper()
        found.setdefault(key, CitedIsbn(written=raw, isbn13=normalised))
    return tuple(found.values())
