"""The ``markdown`` format: a summary a bot can post on a pull request (GitHub Markdown).

A counts line, then one table row per problem: every finding of severity error or warning,
every entry that could not be read, every reference that could not be checked and every
in-text citation finding (status ``in-text``, at ``path:line:column``). Info
findings and clean references are only counted. The value column is named for the registry
whose records the values are (Crossref, DataCite, Open Library...); where the rows' values
come from several (or, for in-text findings, from the reference list), it is "record" and
each value names its own. The document stays under GitHub's
comment limit (65,536 characters): rows past the budget are counted, not shown.

Cells hold untrusted text: controls and newlines are removed, values cut to 200 characters,
``& < >`` become entities (no HTML tag can open), Markdown punctuation is backslash-escaped
(no link, image, code span or table cell can open) and ``@`` is followed by a zero-width
space, so a cited title cannot mention, and so notify, anyone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TextIO

from refcheck.models import Location, Severity, Status, Verdict
from refcheck.report.model import InText, summarise
from refcheck.report.safety import clean, reference_name, where
from refcheck.report.text import STATUS_STYLE

MAX_CELL = 200
# GitHub refuses comments over 65,536 characters; leave room for the closing lines.
MAX_DOCUMENT = 60_000
MAX_ROWS = 500
HEADER = "| status | location | field | cited | {record} | message |\n|---|---|---|---|---|---|\n"
# Where an in-text finding's value comes from.
REFERENCE_LIST = "reference list"

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


@dataclass(frozen=True, slots=True)
class _Row:
    """A table row, its value cell apart: the header names the value's source, or the
    cell does."""

    head: str  # status, location, field and cited cells
    value: str | None  # the value cell, escaped; None: no value column for this row
    source: str  # whose value it is: a registry, or the reference list
    tail: str  # the message cell

    def line(self, named: bool) -> str:
        if self.value is None:
            return f"{self.head} | | {self.tail} |"
        value = f"{cell(self.source)}: {self.value}" if named and self.value else self.value
        return f"{self.head} | {value} | {self.tail} |"


def _rows(verdict: Verdict) -> Iterator[_Row]:
    status = STATUS_STYLE[verdict.status][0]
    location = where(verdict.reference.location)
    if verdict.reference.location.key or verdict.reference.location.line is None:
        location += f" ({reference_name(verdict)})"
    place = cell(location)
    if verdict.status in (Status.INVALID, Status.UNVERIFIED):
        code = "**RC001** " if verdict.status is Status.INVALID else ""
        reason = verdict.message or verdict.reference.problem
        cited = verdict.reference.text if verdict.status is Status.INVALID else None
        yield _Row(f"| {status} | {place} | | {cell(cited)}", None, "", f"{code}{cell(reason)}")
        return
    # No work matched (a DOI of another work): the values are no one registry's, as in HTML.
    source = verdict.work.registry if verdict.work is not None else "record"
    for f in verdict.findings:
        if f.severity is Severity.INFO:
            continue
        severity = "" if f.severity is Severity.ERROR else " (warning)"
        message = f"**{cell(f.code, 20)}**{severity} {cell(f.message)}"
        yield _Row(
            f"| {status} | {place} | {f.field} | {cell(f.cited)}",
            cell(f.expected),
            source if f.expected else "",
            message,
        )


def _citation_rows(in_text: InText) -> Iterator[_Row]:
    """In-text findings, each at its citation's ``path:line:column``; the list's value is
    in the value column."""
    for item in in_text.located(show_info=False):
        f = item.finding
        place = where(Location(path=item.path, line=item.line))
        if item.column is not None:
            place += f":{item.column}"
        severity = "" if f.severity is Severity.ERROR else " (warning)"
        message = f"**{cell(f.code, 20)}**{severity} {cell(f.message)}"
        yield _Row(
            f"| in-text | {cell(place)} | {f.field} | {cell(f.cited or item.text)}",
            cell(f.expected),
            REFERENCE_LIST if f.expected else "",
            message,
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
    table = [row for verdict in verdicts for row in _rows(verdict)]
    table += list(_citation_rows(in_text)) if in_text is not None else []
    if not table:
        parts.append("\nNo problems found.\n")
        return "".join(parts)
    # One source for every value: the header names it. Several: each value names its own.
    sources = {row.source for row in table if row.value}
    named = len(sources) > 1
    record = "record" if named else next(iter(sources), "record")
    parts.append("\n" + HEADER.format(record=cell(record)))
    rows = [row.line(named) for row in table]
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
