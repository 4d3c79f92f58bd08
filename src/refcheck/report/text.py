"""The ``text`` format (and the lines ``concise`` is made of): what people read on a
terminal, and what grep, editors and CI problem matchers read in a file, a pipe or a log.

One report, three layouts (:class:`Layout`):

* terminal: grouped by file; one header line per reference (status, key, DOI) and one line
  per finding under it; every line cut with an ellipsis to the console's width, never
  wrapped;
* plain (a file, a pipe, a CI log): nothing cut, wrapped or padded; a reference's header
  starts ``path:line [key]`` and every finding is one line that starts ``path:line: RCnnn``;
* concise: those finding lines alone, then the summary.

Author findings are shown as the cited list and the work's aligned: one line per missing,
extra, misspelled, replaced or moved name, marked in place (:mod:`.author_marks`), each
under its rule; the findings' messages when the marks would not tell the same story.

Info findings are counted in the summary and shown only when asked for; ``quiet`` leaves
out the references with nothing to show. The summary ends with what to do next: the
errors, how many ``refcheck fix`` can fix, and the rule to read.

References, titles and names are untrusted text: they are rendered as ``rich.text.Text``
(never as markup) after control characters are removed, so a title cannot restyle the
terminal or forge lines.

A report is written verdict by verdict as a run reaches them (:class:`TextReport`), or
whole (:func:`emit`).
"""

from __future__ import annotations

import enum
import shlex
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from rich.cells import cell_len, get_character_cell_size
from rich.console import Console
from rich.text import Text

from refcheck.fix import crossref_value, fixable
from refcheck.models import (
    CitationFinding,
    Finding,
    Location,
    Severity,
    Status,
    Summary,
    Verdict,
)
from refcheck.readers import read_bibtex, reader_for
from refcheck.report.author_marks import AUTHOR_CODES, agree, mark_authors
from refcheck.report.model import summarise
from refcheck.report.safety import clean as safe_line
from refcheck.report.safety import reference_name, where

MAX_CELL = 300

STATUS_STYLE: dict[Status, tuple[str, str]] = {
    Status.VERIFIED: ("✓ verified", "green"),
    Status.MISMATCH: ("✗ mismatch", "bold red"),
    Status.NOT_FOUND: ("? not found", "red"),
    Status.UNVERIFIED: ("~ unverified", "yellow"),
    Status.INVALID: ("! invalid", "magenta"),
    Status.SKIPPED: ("- skipped", "dim"),
}
SEVERITY_STYLE: dict[Severity, str] = {
    Severity.ERROR: "red",
    Severity.WARNING: "yellow",
    Severity.INFO: "dim",
}
# An entry that could not be read has no finding; it stands for this rule, always shown.
INVALID_CODE, INVALID_FIELD = "RC001", "entry"
# Fields whose cited and Crossref values read well side by side. For the others (authors,
# the DOI, the type) and for a reference matched to no work, the finding's message says
# what differs better than two values would.
SIDE_BY_SIDE = frozenset({"title", "year", "container", "volume", "issue", "pages"})
ELLIPSIS = "…"
LABEL_WIDTH = max(len(label) for label, _ in STATUS_STYLE.values())


class Layout(enum.Enum):
    TERMINAL = "terminal"
    PLAIN = "plain"
    CONCISE = "concise"


@dataclass(frozen=True, slots=True)
class View:
    """How a text report is laid out, and what it leaves out."""

    layout: Layout = Layout.PLAIN
    quiet: bool = False  # leave out references with nothing to show
    show_info: bool = False

    def shows(self, found: Finding) -> bool:
        return self.show_info or found.severity is not Severity.INFO


def clean(value: str | None, limit: int = MAX_CELL) -> str:
    """Untrusted text made safe for one terminal cell: no escapes, no newlines, bounded.

    "::" is split with a zero-width space: a line of a CI log that starts with "::error"
    would otherwise be run by GitHub's runner as a workflow command.
    """
    return safe_line(value, limit).replace("::", ":\u200b:")


# A path is never cut in a plain line (an editor must find the file), only bounded as
# operating systems bound it.
MAX_PATH = 4096


def place(location: Location) -> str:
    """``path:line`` as editors and problem matchers read it (``<input>`` without a path)."""
    return where(location, MAX_PATH).replace("::", ":\u200b:")


def _cut(value: str, cells: int) -> str:
    """``value`` in at most ``cells`` terminal cells, an ellipsis marking the cut."""
    if cell_len(value) <= cells:
        return value
    text = Text(value)
    text.truncate(max(cells, 0), overflow="ellipsis")
    return text.plain


def _cut_left(value: str, cells: int) -> str:
    """``value`` in at most ``cells`` cells, its start cut: a path keeps its file name."""
    if cell_len(value) <= cells:
        return value
    if cells < 1:
        return ""
    kept: list[str] = []
    room = cells - 1  # the ellipsis takes one
    for char in reversed(value):
        room -= get_character_cell_size(char)
        if room < 0:
            break
        kept.append(char)
    return ELLIPSIS + "".join(reversed(kept))


def _fit(line: Text, width: int) -> Text:
    """The line cut to ``width`` cells, an ellipsis marking the cut."""
    if line.cell_len > width:
        line.truncate(width, overflow="ellipsis")
    return line


def _side_by_side(verdict: Verdict, found: Finding) -> tuple[str, str] | None:
    if verdict.work is None or found.severity is Severity.INFO:
        return None
    if found.field not in SIDE_BY_SIDE or not found.cited or not found.expected:
        return None
    return clean(found.cited), clean(found.expected)


def _share(cited: str, expected: str, room: int) -> tuple[str, str]:
    """Both values cut to share ``room`` cells, the shorter kept whole when it fits half."""
    a, b = cell_len(cited), cell_len(expected)
    if a + b <= room:
        return cited, expected
    half = max(room // 2, 1)
    if a <= half:
        return cited, _cut(expected, max(room - a, 1))
    if b <= half:
        return _cut(cited, max(room - b, 1)), expected
    return _cut(cited, half), _cut(expected, max(room - half, 1))


def _detail(verdict: Verdict, found: Finding, room: int | None) -> Text:
    """What a finding says: ``cited X, Crossref Y``, or its message; in ``room`` cells."""
    values = _side_by_side(verdict, found)
    if values is None:
        return Text(clean(found.message))
    cited, expected = values
    full = Text("cited ", style="dim")
    full.append(cited)
    full.append(f", {verdict.work.registry if verdict.work else 'Crossref'} ", style="dim")
    full.append(expected, style="green")
    if room is None or full.cell_len <= room:
        return full
    # A narrow terminal: the two values, each cut to a share of the room, matter more
    # than the words that name them.
    cited, expected = _share(cited, expected, room - len(" → "))
    compact = Text(cited)
    compact.append(" → ", style="dim")
    compact.append(expected, style="green")
    return compact


def _finding(code: str, severity: Severity, field: str, detail: Text, at: str) -> Text:
    """One finding as a plain line: ``path:line: RCnnn severity field: detail``."""
    line = Text(f"{at}: ")
    line.append(code, style="bold")
    line.append(" ")
    line.append(severity.value, style=SEVERITY_STYLE[severity])
    line.append(f" {field}: ")
    return line.append_text(detail)


def _terminal_finding(
    code: str, severity: Severity, field: str, location: Location, detail: Text
) -> Text:
    """One finding under its reference: ``    line  severity  RCnnn  field: detail``."""
    line = Text("    ")
    if location.line is not None:
        line.append(f"{location.line}  ", style="dim")
    line.append(f"{severity.value:<7}", style=SEVERITY_STYLE[severity])
    line.append("  ")
    line.append(code, style="bold")
    line.append(f"  {field}: ")
    return line.append_text(detail)


def _marked_authors(verdict: Verdict, view: View) -> list[tuple[Finding, Text]] | None:
    """The author findings as the two lists' marked names, one line each, each under the
    finding it stands for; None (the findings' messages then) when they do not agree."""
    if verdict.work is None:
        return None
    shown = [f for f in verdict.findings if f.code in AUTHOR_CODES and view.shows(f)]
    if not shown:
        return None
    reference = verdict.reference
    marks = mark_authors(reference.authors, verdict.work.authors, reference.authors_truncated)
    marks = agree(marks, shown) if marks is not None else None
    if not marks:
        return None
    by_code = {f.code: f for f in reversed(shown)}  # the first finding of each rule
    return [(by_code[m.code], Text(clean(str(m)))) for m in marks]


def finding_lines(verdict: Verdict, view: View, width: int | None = None) -> Iterator[Text]:
    """The shown findings of a verdict, one line each; an invalid entry as its RC001.
    Author findings are the marked names of the aligned lists, one line each, where the
    first of them would be.

    ``width`` (terminal layout): lines under a reference header, cut to that many cells;
    None: whole lines that start ``path:line: RCnnn``.
    """
    location = verdict.reference.location
    rows: list[tuple[str, Severity, str, Finding | None, Text | None]] = []
    if verdict.status is Status.INVALID:
        rows.append((INVALID_CODE, Severity.ERROR, INVALID_FIELD, None, None))
    marked = _marked_authors(verdict, view)
    for f in verdict.findings:
        if not view.shows(f):
            continue
        if marked is not None and f.code in AUTHOR_CODES:
            rows.extend((m.code, m.severity, m.field, m, text) for m, text in marked)
            marked = []  # every mark at the first author finding's place
            continue
        rows.append((f.code, f.severity, f.field, f, None))
    for code, severity, field, found, mark in rows:
        room = None
        if width is not None:
            room = width - _terminal_finding(code, severity, field, location, Text()).cell_len
        if mark is not None:
            detail = mark
        else:
            detail = _detail(verdict, found, room) if found else Text(clean(verdict.message))
        if width is None:
            yield _finding(code, severity, field, detail, place(location))
        else:
            yield _fit(_terminal_finding(code, severity, field, location, detail), width)


# Sources as a reader names them; an agency refcheck does not ask keeps its id ("medra").
_SOURCE_NAMES = {
    "crossref": "Crossref",
    "datacite": "DataCite",
    "arxiv": "arXiv",
    "openlibrary": "Open Library",
    "agency": "registration agency",
    "doi.org": "doi.org",
    "snapshot": "snapshot",
    "cache": "cache",
}
# Statuses whose reader needs to know who was asked: "none holds it" and "none could say"
# differ only by the sources' outcomes.
SOURCES_SHOWN = frozenset({Status.NOT_FOUND, Status.UNVERIFIED})


def sources_text(verdict: Verdict) -> str | None:
    """``asked: Crossref not found, DataCite unreachable`` for a reference no registry
    confirmed; None for the other statuses or when no source was recorded."""
    if verdict.status not in SOURCES_SHOWN or not verdict.sources:
        return None
    said = dict.fromkeys(
        f"{_SOURCE_NAMES.get(c.source, c.source)} {c.outcome.replace('-', ' ')}"
        for c in verdict.sources
    )
    return clean("asked: " + ", ".join(said))


def sources_line(verdict: Verdict, width: int | None = None) -> Text | None:
    """The sources line under a reference (terminal) or after its findings (plain)."""
    said = sources_text(verdict)
    if said is None:
        return None
    if width is None:
        return Text(f"{place(verdict.reference.location)}: {said}", style="dim")
    return _fit(Text(f"    {said}", style="dim"), width)


def _header_message(verdict: Verdict, view: View) -> str | None:
    """The verdict's message, for a header, when no finding line says it already."""
    if verdict.status in (Status.VERIFIED, Status.INVALID) or not verdict.message:
        return None
    if any(view.shows(f) for f in verdict.findings):
        return None
    return clean(verdict.message)


def header(verdict: Verdict, view: View, width: int | None = None) -> Text:
    """A reference's one line: where (plain) or its name (terminal), status, DOI."""
    label, style = STATUS_STYLE[verdict.status]
    location = verdict.reference.location
    if width is None:
        line = Text(place(location), style="bold")
        if location.key:
            line.append(f" [{clean(location.key, 80)}]")
        line.append("  ")
        line.append(label, style=style)
    else:
        # Status first, its label padded to the longest, so that the names line up.
        line = Text("  ")
        line.append(f"{label:<{LABEL_WIDTH}}", style=style)
        line.append("  ")
        line.append(reference_name(verdict, 80), style="bold")
    message = _header_message(verdict, view)
    if verdict.work is not None:
        work = verdict.work
        # A book from Open Library has no DOI: its ISBN names it.
        named = f"doi:{work.doi}" if work.doi or not work.isbn else f"isbn:{work.isbn[0]}"
        line.append(f"  {clean(named, 120)}", style="cyan")
    elif message:
        line.append(f"  {message}")
    return line if width is None else _fit(line, width)


# Statuses that say nothing is wrong: ``quiet`` leaves their references out.
QUIET_STATUSES = frozenset({Status.VERIFIED, Status.SKIPPED})


def _has_lines(verdict: Verdict, view: View) -> bool:
    """Does the reference have something to show beyond 'nothing wrong'?"""
    return verdict.status not in QUIET_STATUSES or any(view.shows(f) for f in verdict.findings)


def _fix_target(verdict: Verdict, found: Finding) -> str | None:
    """The file ``refcheck fix`` would edit for this finding; None if it fixes nothing."""
    path, work = verdict.reference.location.path, verdict.work
    if work is None or path is None or reader_for(path) is not read_bibtex:
        return None
    if verdict.status not in (Status.VERIFIED, Status.MISMATCH):
        return None
    if found.severity is Severity.INFO or not fixable(found):
        return None
    if crossref_value(found.code, found, work, ascii_only=True) is None:
        return None
    return path


class Tally:
    """A run's counts, kept verdict by verdict: the summary of verdicts no longer held."""

    def __init__(self) -> None:
        self.statuses: Counter[Status] = Counter()
        self.severities: Counter[Severity] = Counter()
        # Codes of the problems (errors, then warnings), for the rule to read first.
        self.errors: Counter[str] = Counter()
        self.warnings: Counter[str] = Counter()
        self.fixable: Counter[str] = Counter()  # file -> findings `refcheck fix` fixes

    def add(self, verdict: Verdict) -> None:
        self.statuses[verdict.status] += 1
        self.severities.update(f.severity for f in verdict.findings)
        if verdict.status is Status.INVALID:
            self.errors[INVALID_CODE] += 1
        for found in verdict.findings:
            if found.severity is Severity.ERROR:
                self.errors[found.code] += 1
            elif found.severity is Severity.WARNING:
                self.warnings[found.code] += 1
            target = _fix_target(verdict, found)
            if target is not None:
                self.fixable[target] += 1

    def add_in_text(self, findings: Iterable[CitationFinding]) -> None:
        """In-text citation findings (printed apart from the references) in the counts."""
        for item in findings:
            found = item.finding
            self.severities[found.severity] += 1
            if found.severity is Severity.ERROR:
                self.errors[found.code] += 1
            elif found.severity is Severity.WARNING:
                self.warnings[found.code] += 1

    def summary(self) -> Summary:
        return Summary(
            total=self.statuses.total(),
            **{status.value: self.statuses[status] for status in Status},
            errors=self.severities[Severity.ERROR],
            warnings=self.severities[Severity.WARNING],
            infos=self.severities[Severity.INFO],
        )

    def next_steps(self, view: View) -> list[list[str]]:
        """What to do next, as sentences of phrases: the problems and how many ``refcheck
        fix`` fixes; the rule to read and the info findings not shown."""
        invalid = self.errors[INVALID_CODE]
        errors, warnings = self.errors.total() - invalid, self.warnings.total()
        counted = [
            c
            for c in (
                _count(errors, "error"),
                _count(warnings, "warning"),
                _count(invalid, "unreadable entry", "unreadable entries"),
            )
            if c
        ]
        if not counted:
            fix = ["Nothing to fix"]
        else:
            listed = ", ".join(counted[:-1]) + " and " if len(counted) > 1 else ""
            fix = [f"{listed}{counted[-1]} to fix"]
        fixes = self.fixable.total()
        if fixes:
            files = sorted(self.fixable)
            target = shlex.quote(place(Location(path=files[0]))) if len(files) == 1 else "FILE.bib"
            also = "" if len(files) == 1 else f" ({len(files)} files)"
            fix.append(f"{fixes} fixable with `refcheck fix {target}`{also}")
        unchecked = self.statuses[Status.UNVERIFIED]
        if unchecked:
            # "Nothing to fix" alone would read as "all is well" when nothing was checked.
            noun = "reference" if unchecked == 1 else "references"
            fix.append(f"{unchecked} {noun} could not be checked")
        then: list[str] = []
        worst = self.errors or self.warnings
        if worst:
            then.append(f"Read `refcheck rule {worst.most_common(1)[0][0]}`")
        infos = self.severities[Severity.INFO]
        if infos and not view.show_info:
            then.append(f"{infos} info not shown (--show-info)")
        return [fix, then] if then else [fix]


def _count(n: int, noun: str, plural: str | None = None, *, zero: bool = False) -> str:
    """``n`` things, in the plural unless one; nothing when there are none (unless ``zero``)."""
    if n == 0 and not zero:
        return ""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def _pack(pieces: Sequence[Text], width: int | None) -> list[Text]:
    """Pieces joined into lines of at most ``width`` cells, broken only between pieces
    (their trailing spaces dropped at a break); one line when ``width`` is None."""
    lines: list[Text] = []
    line = Text()
    for piece in pieces:
        candidate = line + piece
        trimmed = candidate.copy()
        trimmed.rstrip()
        if width is None or not line.plain or trimmed.cell_len <= width:
            line = candidate
            continue
        line.rstrip()
        lines.append(line)
        line = piece.copy()
    line.rstrip()
    lines.append(line)
    return lines if width is None else [_fit(each, width) for each in lines]


def summary_lines(
    counts: Sequence[Verdict] | Summary, tally: Tally | None, view: View, width: int | None = None
) -> list[Text]:
    """The closing lines: counts by status and severity, then what to do next.

    ``width`` (terminal): each line at most that many cells, broken between phrases.
    """
    s = counts if isinstance(counts, Summary) else summarise(counts)
    noun = "reference" if s.total == 1 else "references"
    # Statuses none of the references has are left out; "verified" is always said.
    statuses = [
        (getattr(s, status.value), status.value.replace("_", " "), STATUS_STYLE[status][1])
        for status in Status
        if status is Status.VERIFIED or getattr(s, status.value)
    ]
    pieces = [Text(f"{s.total} {noun}: ", style="bold")]
    for n, (count, name, style) in enumerate(statuses):
        pieces.append(Text(f"{count} {name}", style=style))
        pieces[-1].append(", " if n < len(statuses) - 1 else "  ")
    severities = [
        _count(s.errors, "error"),
        _count(s.warnings, "warning"),
        f"{s.infos} info" if s.infos else "",
    ]
    pieces.append(Text(f"({', '.join(c for c in severities if c) or 'no findings'})"))
    lines = _pack(pieces, width)
    for sentence in tally.next_steps(view) if tally is not None else []:
        ends = ["; "] * (len(sentence) - 1) + ["."]
        phrases = [Text(phrase + end) for phrase, end in zip(sentence, ends, strict=True)]
        lines.extend(_pack(phrases, width))
    return lines


class TextReport:
    """A text report written verdict by verdict as a run reaches them, its summary at
    :meth:`close`. The terminal layout writes a file's name above its first reference."""

    _NO_FILE = "\0"  # no file header printed yet: paths never hold a NUL

    def __init__(self, console: Console, view: View) -> None:
        self.console = console
        self.view = view
        self.tally = Tally()
        self._file: str | None = self._NO_FILE

    def _print(self, line: Text) -> None:
        # Never wrapped by rich: a terminal's lines are cut to fit beforehand, and a file's,
        # a pipe's or a log's stay whole for grep, editors and problem matchers.
        self.console.print(line, soft_wrap=True)

    def add(self, verdict: Verdict) -> None:
        self.tally.add(verdict)
        view = self.view
        if view.layout is Layout.CONCISE:
            for line in finding_lines(verdict, view):
                self._print(line)
            return
        if view.quiet and not _has_lines(verdict, view):
            return
        if view.layout is Layout.PLAIN:
            self._print(header(verdict, view))
            for line in finding_lines(verdict, view):
                self._print(line)
            if (asked := sources_line(verdict)) is not None:
                self._print(asked)
            return
        width = self.console.width
        path = verdict.reference.location.path
        if path != self._file:
            if self._file != self._NO_FILE:
                self._print(Text())
            self._file = path
            shown = place(Location(path=path)) if path is not None else "<input>"
            self._print(Text(_cut_left(shown, width), style="bold underline"))
        self._print(header(verdict, view, width))
        for line in finding_lines(verdict, view, width):
            self._print(line)
        if (asked := sources_line(verdict, width)) is not None:
            self._print(asked)

    def add_in_text(self, findings: Iterable[CitationFinding]) -> None:
        self.tally.add_in_text(findings)

    def close(self) -> None:
        width = self.console.width if self.view.layout is Layout.TERMINAL else None
        self._print(Text())
        for line in summary_lines(self.tally.summary(), self.tally, self.view, width):
            self._print(line)


def emit(verdicts: Sequence[Verdict], console: Console, view: View | None = None) -> None:
    """A whole report; by default laid out for a terminal if ``console`` is one."""
    if view is None:
        view = View(Layout.TERMINAL if console.is_terminal else Layout.PLAIN)
    report = TextReport(console, view)
    for verdict in verdicts:
        report.add(verdict)
    report.close()
