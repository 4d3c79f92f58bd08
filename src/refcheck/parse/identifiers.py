"""Identifiers a reference cites besides a DOI: arXiv IDs, in every form writers use.

    arXiv:1810.04805v2                       arXiv preprint arXiv:1810.04805
    https://arxiv.org/abs/1810.04805         https://arxiv.org/pdf/1810.04805v1.pdf
    hep-th/9901001, arXiv:math.GT/0309136    eprint = {1810.04805}, archivePrefix = {arXiv}

Each names one arXiv paper, which DataCite registers as ``10.48550/arXiv.<id>`` (the ID
without its version). A bare new-style number ("1810.04805") counts only with arXiv named
beside it (an ``arXiv`` label, an arxiv.org URL, a BibTeX ``archivePrefix``/``eprinttype``):
alone it could be anything. An old-style ID counts only under a real arXiv archive name.
"""

from __future__ import annotations

import re

from refcheck.models import Reference

__all__ = ["ARXIV_DOI_PREFIX", "arxiv_doi", "arxiv_id", "find_arxiv_id", "preprint_doi"]

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
