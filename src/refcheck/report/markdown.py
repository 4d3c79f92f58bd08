"""The ``markdown`` format: a summary a bot can post on a pull request (GitHub Markdown).

A counts line, then one table row per problem: every finding of severity error or warning,
every entry that could not be read, every reference that could not be checked and every
in-text citation finding (status ``in-text``, at ``path:line:column``). Info
findings and clean references are only counted. The document stays under GitHub's
comment limit (65,536 characters): rows past the budget are counted, not shown.

Cells hold untrusted text: controls and newlines are removed, values cut to 200 characters,
``& < >`` become entities (no HTML tag can open), Markdown punctuation is backslash-escaped
(no link, image, code span or table cell can open) and ``@`` is followed by a zero-width
space, so a cited title cannot mention, and so notify, anyone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import TextIO

from refcheck.models import Location, Severity, Status, Verdict
from refcheck.report.model import InText, summarise
from refcheck.report.safety import clean, reference_name, where
from refcheck.report.text import STATUS_STYLE

MAX_CELL = 200
# GitHub refuses comments over 65,536 characters; leave room for the closing lines.
MAX_DOCUMENT = 60_000
MAX_ROWS = 500
HEADER = "| status | location | field | cited | Crossref | message |\n|---|---|---|---|---|---|\n"

# Enough to keep text inert in a cell: no emphasis, code span, link, strikethrough, math
# or cell break can open ("(" and "!" are harmless once "[" cannot start a link).
_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_\[\]|~$])")
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def cell(value: str | None, limit: int = MAX_CELL) -> str:
    """Untrusted text as one inert table cell."""
    text = clean(value, limit)
    text = "".join(_ENTITIES.get(char, char) for char in text)
    text = _MARKDOWN_PUNCTUATION.sub(r"\\\1", text)
    return text.replace("@", "@\u200b")


def _rows(verdict: Verdict) -> Iterator[str]:
    status = STATUS_STYLE[verdict.status][0]
    location = where(verdict.reference.location)
    if verdict.reference.location.key or verdict.reference.location.line is None:
        location += f" ({reference_name(verdict)})"
    place = cell(location)
    if verdict.status in (Status.INVALID, Status.UNVERIFIED):
        code = "**RC001** " if verdict.status is Status.INVALID else ""
        reason = verdict.message or verdict.reference.problem
        cited = verdict.reference.text if verdict.status is Status.INVALID else None
        yield f"| {status} | {place} | | {cell(cited)} | | {code}{cell(reason)} |"
        return
    for f in verdict.findings:
        if f.severity is Severity.INFO:
            continue
        severity = "" if f.severity is Severity.ERROR else " (warning)"
        message = f"**{cell(f.code, 20)}**{severity} {cell(f.message)}"
        yield (
            f"| {status} | {place} | {f.field} | {cell(f.cited)} | {cell(f.expected)} | {message} |"
        )


def _citation_rows(in_text: InText) -> Iterator[str]:
    """In-text findings, each at its citation's ``path:line:column``; the list's value is
    in the value column."""
    for item in in_text.located(show_info=False):
        f = item.finding
        place = where(Location(path=item.path, line=item.line))
        if item.column is not None:
            place += f":{item.column}"
        severity = "" if f.severity is Severity.ERROR else " (warning)"
        message = f"**{cell(f.code, 20)}**{severity} {cell(f.message)}"
        yield (
            f"| in-text | {cell(place)} | {f.field} | {cell(f.cited or item.text)} "
            f"| {cell(f.expected)} | {message} |"
        )


def counts_line(verdicts: Sequence[Verdict], in_text: InText | None = None) -> str:
    s = summarise(verdicts, in_text)
    noun = "reference" if s.total == 1 else "references"
    statuses = ", ".join(
        f"{count} {name}"
        for count, name in (
            (s.verified, "verified"),
            (s.mismatch, "mismatch"),
            (s.not_found, "not found"),
            (s.unverified, "unverified"),
            (s.invalid, "invalid"),
            *(((s.skipped, "skipped"),) if s.skipped else ()),
        )
    )
    return (
        f"**{s.total} {noun}**: {statuses} "
        f"({s.errors} errors, {s.warnings} warnings, {s.infos} info)"
    )


def render(verdicts: Sequence[Verdict], in_text: InText | None = None) -> str:
    """The whole Markdown document."""
    parts = ["### refcheck\n\n", counts_line(verdicts, in_text), "\n"]
    rows = [row for verdict in verdicts for row in _rows(verdict)]
    rows += list(_citation_rows(in_text)) if in_text is not None else []
    if not rows:
        parts.append("\nNo problems found.\n")
        return "".join(parts)
    parts.append("\n" + HEADER)
    size = sum(len(part) for part in parts)
    shown = 0
    for row in rows:
        if shown >= MAX_ROWS or size + len(row) + 1 > MAX_DOCUMENT:
            break
        parts.append(row + "\n")
        size += len(row) + 1
        shown += 1
    if shown < len(rows):
        parts.append(f"\n… and {len(rows) - shown} more not shown.\n")
    return "".join(parts)


def emit(verdicts: Sequence[Verdict], out: TextIO, in_text: InText | None = None) -> None:
    out.write(render(verdicts, in_text))
