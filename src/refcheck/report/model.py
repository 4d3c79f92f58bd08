"""Verdicts -> the JSON contract's models (:class:`~refcheck.models.Report`)."""

from __future__ import annotations

from collections.abc import Sequence

from refcheck._version import __version__
from refcheck.intext import Linked
from refcheck.models import (
    CitationFinding,
    Finding,
    InTextCitation,
    Report,
    ReportCitation,
    ReportEntry,
    ReportFinding,
    Severity,
    Status,
    Summary,
    Verdict,
)


def _report_finding(f: Finding) -> ReportFinding:
    return ReportFinding(
        code=f.code,
        field=f.field,
        severity=f.severity,
        cited=f.cited,
        expected=f.expected,
        message=f.message,
    )


def _citation(citation: InTextCitation, findings: Sequence[Finding]) -> ReportCitation:
    return ReportCitation(
        path=citation.path,
        line=citation.line,
        column=citation.column,
        text=citation.text,
        findings=[_report_finding(f) for f in findings],
    )


class InText:
    """The in-text side of a report: each verdict's citations and the unlinked ones, with
    the findings a policy kept (``findings``; all of ``linked``'s by default)."""

    def __init__(self, linked: Linked, findings: Sequence[CitationFinding] | None = None) -> None:
        self.linked = linked
        kept = linked.findings if findings is None else findings
        self.kept: tuple[CitationFinding, ...] = tuple(kept)
        self._on: dict[InTextCitation, list[Finding]] = {}
        self._uncited: dict[tuple[str | None, int | None], list[Finding]] = {}
        for item in kept:
            if item.citation is not None:
                self._on.setdefault(item.citation, []).append(item.finding)
            else:
                self._uncited.setdefault((item.path, item.line), []).append(item.finding)

    def citations(self, index: int) -> list[ReportCitation]:
        return [_citation(c, self._on.get(c, [])) for c in self.linked.cited_by(index)]

    def entry_findings(self, verdict: Verdict) -> list[Finding]:
        """Findings on the entry itself (never cited), at the entry's place."""
        location = verdict.reference.location
        return self._uncited.get((location.path, location.line), [])

    def unlinked(self) -> list[ReportCitation]:
        return [_citation(c, self._on.get(c, [])) for c in self.linked.unlinked]

    def located(self, *, show_info: bool = True) -> list[CitationFinding]:
        """The kept findings where they stand (citation, or an entry never cited), in file
        order; info ones only with ``show_info``."""
        return [f for f in self.kept if show_info or f.finding.severity is not Severity.INFO]

    def findings(self) -> list[Finding]:
        return [item.finding for item in self.kept]


def entry(verdict: Verdict, index: int | None = None, in_text: InText | None = None) -> ReportEntry:
    """The JSON entry of a verdict; with ``in_text``, the citations of the verdict at
    ``index`` and its never-cited finding."""
    if in_text is not None and index is not None:
        extra = in_text.entry_findings(verdict)
        built = entry(verdict.model_copy(update={"findings": (*verdict.findings, *extra)}))
        return built.model_copy(update={"citations": in_text.citations(index)})
    reference = verdict.reference
    return ReportEntry(
        path=reference.location.path,
        line=reference.location.line,
        key=reference.location.key,
        text=reference.text,
        status=verdict.status,
        # A book from Open Library has no DOI: null, as for no work.
        doi=(verdict.work.doi or None) if verdict.work is not None else None,
        cited_doi=reference.doi,
        score=verdict.score,
        message=verdict.message,
        findings=[_report_finding(f) for f in verdict.findings],
        sources=list(verdict.sources),
    )


def summarise(verdicts: Sequence[Verdict], in_text: InText | None = None) -> Summary:
    counts = {status.value: 0 for status in Status}
    severities = {severity.value: 0 for severity in Severity}
    for verdict in verdicts:
        counts[verdict.status.value] += 1
        for f in verdict.findings:
            severities[f.severity.value] += 1
    for f in in_text.findings() if in_text is not None else ():
        severities[f.severity.value] += 1
    return Summary(
        total=len(verdicts),
        **counts,
        errors=severities["error"],
        warnings=severities["warning"],
        infos=severities["info"],
    )


def build_report(verdicts: Sequence[Verdict], in_text: InText | None = None) -> Report:
    return Report(
        refcheck=__version__,
        summary=summarise(verdicts, in_text),
        unlinked_citations=in_text.unlinked() if in_text is not None else [],
        references=[entry(v, n, in_text) for n, v in enumerate(verdicts)],
    )
