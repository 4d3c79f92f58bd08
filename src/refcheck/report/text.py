"""The ``text`` format: one block per reference, cited and Crossref values side by side.

References, titles and names are untrusted text: they are rendered as ``rich.text.Text``
(never as markup) after control characters are removed, so a title cannot restyle the
terminal or forge lines.

A report can be written whole (:func:`emit`) or verdict by verdict as a run reaches them
(:func:`render_verdict`, counting each in a :class:`Tally` for the closing
:func:`summary_line`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from rich.console import Console
from rich.text import Text

from refcheck.models import Severity, Status, Summary, Verdict
from refcheck.report.model import summarise
from refcheck.report.safety import clean as safe_line

MAX_CELL = 300

STATUS_STYLE: dict[Status, tuple[str, str]] = {
    Status.VERIFIED: ("✓ verified", "green"),
    Status.MISMATCH: ("✗ mismatch", "bold red"),
    Status.NOT_FOUND: ("? not found", "red"),
    Status.UNVERIFIED: ("~ unverified", "yellow"),
    Status.INVALID: ("! invalid", "magenta"),
}
SEVERITY_STYLE: dict[Severity, str] = {
    Severity.ERROR: "red",
    Severity.WARNING: "yellow",
    Severity.INFO: "dim",
}


def clean(value: str | None, limit: int = MAX_CELL) -> str:
    """Untrusted text made safe for one terminal cell: no escapes, no newlines, bounded.

    "::" is split with a zero-width space: a wrapped line of a CI log that starts with
    "::error" would otherwise be run by GitHub's runner as a workflow command.
    """
    return safe_line(value, limit).replace("::", ":\u200b:")


def _where(verdict: Verdict) -> str:
    location = verdict.reference.location
    where = location.path or "<input>"
    if location.line is not None:
        where += f":{location.line}"
    return where


def render_verdict(verdict: Verdict, console: Console) -> None:
    label, style = STATUS_STYLE[verdict.status]
    head = Text(_where(verdict), style="bold")
    if verdict.reference.location.key:
        head.append(f" [{clean(verdict.reference.location.key, 80)}]")
    head.append("  ")
    head.append(label, style=style)
    if verdict.work is not None:
        head.append(f"  doi:{clean(verdict.work.doi, 120)}", style="cyan")
    console.print(head)
    if verdict.message and verdict.status is not Status.VERIFIED:
        console.print(Text("  " + clean(verdict.message), style=style))
    for f in verdict.findings:
        line = Text("  ")
        line.append(f"{f.severity.value:<8}", style=SEVERITY_STYLE[f.severity])
        line.append(
            f"{f.code} {f.field}: ", style="bold" if f.severity is not Severity.INFO else ""
        )
        line.append(clean(f.message))
        console.print(line)
        # Wrong values are shown one above the other, cited then Crossref, so they line up;
        # plain lines, not a table, so a file or a log gets no padding.
        if f.severity is not Severity.INFO and (f.cited or f.expected):
            for label, value, value_style in (
                ("cited", f.cited, ""),
                ("Crossref", f.expected, "green"),
            ):
                row = Text(" " * 10)
                row.append(f"{label:<10}", style="dim")
                row.append(clean(value) or "—", style=value_style)
                console.print(row)


def emit(verdicts: Sequence[Verdict], console: Console) -> None:
    for verdict in verdicts:
        render_verdict(verdict, console)
    console.print(summary_line(verdicts))


class Tally:
    """A run's counts, kept verdict by verdict: the summary of verdicts no longer held."""

    def __init__(self) -> None:
        self.statuses: Counter[Status] = Counter()
        self.severities: Counter[Severity] = Counter()

    def add(self, verdict: Verdict) -> None:
        self.statuses[verdict.status] += 1
        self.severities.update(f.severity for f in verdict.findings)

    def summary(self) -> Summary:
        return Summary(
            total=self.statuses.total(),
            **{status.value: self.statuses[status] for status in Status},
            errors=self.severities[Severity.ERROR],
            warnings=self.severities[Severity.WARNING],
            infos=self.severities[Severity.INFO],
        )


def summary_line(verdicts: Sequence[Verdict] | Summary) -> Text:
    """The closing line: counts by status and by severity."""
    s = verdicts if isinstance(verdicts, Summary) else summarise(verdicts)
    noun = "reference" if s.total == 1 else "references"
    line = Text(f"\n{s.total} {noun}: ", style="bold")
    parts = [
        (s.verified, "verified", "green"),
        (s.mismatch, "mismatch", "red"),
        (s.not_found, "not found", "red"),
        (s.unverified, "unverified", "yellow"),
        (s.invalid, "invalid", "magenta"),
    ]
    line.append_text(Text(", ").join(Text(f"{n} {name}", style=st) for n, name, st in parts))
    line.append(f"  ({s.errors} errors, {s.warnings} warnings, {s.infos} info)")
    return line
