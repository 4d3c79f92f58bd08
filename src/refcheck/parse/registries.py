"""Which references cite a work DataCite is likely to hold: datasets, software, preprints.

Crossref is searched for every reference without a DOI; DataCite, whose search is slower and
whose records are mostly data and code, only for a reference that names one of its
repositories (Zenodo, figshare, Dryad, PANGAEA, OSF, GBIF, arXiv...) or one of the kinds of
work it registers, as a style marks them ("[Data set]", "[Computer software]") or as the
container ("Preprint", "Dataset"); never the words of a title.
"""

from __future__ import annotations

import re

from refcheck.models import Reference
from refcheck.parse.unregistered import has_article_marks

__all__ = ["names_datacite_work"]

# DataCite's repositories, named anywhere in a citation (titles rarely name them).
_REPOSITORIES = re.compile(
    r"\b(?:zenodo|figshare|dryad|pangaea|osf\.io|open science framework|gbif|arxiv|"
    r"dataverse|mendeley data|icpsr)\b",
    re.IGNORECASE,
)
# Kinds of work DataCite registers, as a style marks them: in brackets anywhere ("[Data
# set]"), or as the container; not as words of a title ("A new dataset for...").
_MARKED = re.compile(r"\[\s*(?:data\s*set|dataset|computer software|software)\s*\]", re.I)
_KINDS = re.compile(r"\b(?:data\s*set|dataset|software|preprint)\b", re.IGNORECASE)
_DATACITE_TYPES = frozenset({"dataset", "data", "software"})


def names_datacite_work(reference: Reference) -> bool:
    """Does the reference name a DataCite repository or a kind of work DataCite holds?"""
    if (reference.entry_type or "").lower() in _DATACITE_TYPES:
        return True
    if has_article_marks(reference):
        return False  # a journal article's
    texts = (reference.container, reference.url, reference.text)
    if any(t and _REPOSITORIES.search(t) for t in texts):
        return True
    if reference.text and _MARKED.search(reference.text):
        return True
    return bool(reference.container and _KINDS.search(reference.container))
