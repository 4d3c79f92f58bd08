"""Compare a cited reference with a Crossref work, field by field.

Each field has its own module with a pure ``compare_<field>(reference, work)`` and the
normaliser it relies on. :func:`compare` runs them all, in a fixed field order, for the
fields the citation gives: a field the citation leaves out is never an error.
"""

from __future__ import annotations

from collections.abc import Callable

from refcheck.compare.authors import compare_authors
from refcheck.compare.container import compare_container
from refcheck.compare.numbers import compare_issue, compare_volume
from refcheck.compare.pages import compare_pages
from refcheck.compare.title import compare_title
from refcheck.compare.updates import compare_updates
from refcheck.compare.year import compare_year
from refcheck.models import Finding, Reference, Work

__all__ = [
    "COMPARERS",
    "compare",
    "compare_authors",
    "compare_container",
    "compare_issue",
    "compare_pages",
    "compare_title",
    "compare_updates",
    "compare_volume",
    "compare_year",
]

Comparer = Callable[[Reference, Work], list[Finding]]

# The order findings are reported in.
COMPARERS: tuple[Comparer, ...] = (
    compare_title,
    compare_authors,
    compare_year,
    compare_container,
    compare_volume,
    compare_issue,
    compare_pages,
    compare_updates,
)


def compare(reference: Reference, work: Work) -> list[Finding]:
    """Every finding on ``reference`` as a citation of ``work``, in field order."""
    findings: list[Finding] = []
    for comparer in COMPARERS:
        findings.extend(comparer(reference, work))
    return findings
