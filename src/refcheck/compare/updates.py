"""Updates: retractions, corrections and published versions of the cited work.

These depend on the work alone, not on what the citation says: a retracted paper is
worth flagging however correctly it is cited.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from refcheck.models import Finding, Reference, Update, Work
from refcheck.rules import finding

__all__ = ["CORRECTIONS", "RETRACTIONS", "compare_updates"]

# Crossref's update types (https://www.crossref.org/documentation/crossmark/), folded.
RETRACTIONS = frozenset({"retraction", "partial_retraction", "withdrawal", "removal"})
CORRECTIONS = frozenset({"correction", "corrigendum", "erratum", "expression_of_concern"})

_NAMES = {
    "partial_retraction": "partial retraction",
    "expression_of_concern": "expression of concern",
}


def _kind(update: Update) -> str:
    return update.type.strip().casefold().replace("-", "_").replace(" ", "_")


@dataclass
class _Notice:
    kind: str
    doi: str | None
    sources: list[str] = field(default_factory=list)
    year: int | None = None


def _notices(work: Work, kinds: frozenset[str]) -> list[_Notice]:
    """One per notice: the publisher and Retraction Watch often record the same one twice."""
    found: dict[tuple[str, str | None], _Notice] = {}
    for update in work.updated_by:
        kind = _kind(update)
        if kind not in kinds:
            continue
        key = (kind, update.doi.casefold() if update.doi else None)
        notice = found.setdefault(key, _Notice(kind, update.doi))
        if update.source and update.source not in notice.sources:
            notice.sources.append(update.source)
        notice.year = notice.year or update.year
    return list(found.values())


def _describe(notice: _Notice) -> str:
    """'retraction notice 10.1016/... (publisher, retraction-watch, 2010)'."""
    parts = [_NAMES.get(notice.kind, notice.kind).replace("_", " ")]
    if notice.doi:
        parts += ["notice", notice.doi]
    extra = [*notice.sources, *([str(notice.year)] if notice.year else [])]
    return " ".join(parts) + (f" ({', '.join(extra)})" if extra else "")


def compare_updates(reference: Reference, work: Work) -> list[Finding]:
    """RC701 for a retraction, RC702 for a correction, RC703 for a published preprint."""
    findings: list[Finding] = []
    for notice in _notices(work, RETRACTIONS):
        findings.append(
            finding(
                "RC701",
                f"{work.registry} records a {_describe(notice)} of this work",
                cited=reference.doi or work.doi,
                expected=notice.doi or _describe(notice),
            )
        )
    for notice in _notices(work, CORRECTIONS):
        findings.append(
            finding(
                "RC702",
                f"{work.registry} records a {_describe(notice)} for this work",
                cited=reference.doi or work.doi,
                expected=notice.doi or _describe(notice),
            )
        )
    if (work.type or "").casefold() == "posted-content" and work.preprint_of:
        published = ", ".join(work.preprint_of)
        findings.append(
            finding(
                "RC703",
                f"This preprint has been published as {published}; cite the published version",
                cited=reference.doi or work.doi,
                expected=work.preprint_of[0],
            )
        )
    return findings
