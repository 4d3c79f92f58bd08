"""Verdicts -> the JSON contract's models (:class:`~refcheck.models.Report`)."""

from __future__ import annotations

from collections.abc import Sequence

from refcheck._version import __version__
from refcheck.models import (
    Report,
    ReportEntry,
    ReportFinding,
    Severity,
    Status,
    Summary,
    Verdict,
)


def entry(verdict: Verdict) -> ReportEntry:
    reference = verdict.reference
    return ReportEntry(
        path=reference.location.path,
        line=reference.location.line,
        key=reference.location.key,
        text=reference.text,
        status=verdict.status,
        doi=verdict.work.doi if verdict.work is not None else None,
        cited_doi=reference.doi,
        score=verdict.score,
        message=verdict.message,
        findings=[
            ReportFinding(
                code=f.code,
                field=f.field,
                severity=f.severity,
                cited=f.cited,
                expected=f.expected,
                message=f.message,
            )
            for f in verdict.findings
        ],
        sources=list(verdict.sources),
    )


def summarise(verdicts: Sequence[Verdict]) -> Summary:
    counts = {status.value: 0 for status in Status}
    severities = {severity.value: 0 for severity in Severity}
    for verdict in verdicts:
        counts[verdict.status.value] += 1
        for f in verdict.findings:
            severities[f.severity.value] += 1
    return Summary(
        total=len(verdicts),
        **counts,
        errors=severities["error"],
        warnings=severities["warning"],
        infos=severities["info"],
    )


def build_report(verdicts: Sequence[Verdict]) -> Report:
    return Report(
        refcheck=__version__,
        summary=summarise(verdicts),
        references=[entry(v) for v in verdicts],
    )
