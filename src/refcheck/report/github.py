"""The ``github`` format: GitHub Actions workflow commands, one annotation per problem.

    ::error file=refs.bib,line=12,title=RC601 volume-mismatch::The cited volume ...

- findings of severity error and warning -> ``::error`` / ``::warning`` (info findings
  are left out: an annotation on every reference without a DOI is noise in a PR);
- an entry that could not be read -> ``::error`` titled ``RC001 invalid-entry``;
- a reference that could not be checked -> ``::notice`` titled ``unverified``: worth
  seeing, but not a fault of the file (the CLI does not fail on it either);
- in-text citation findings (RC801-RC806) at the citation's line and column (``col=``).

Every value is escaped as the runner unescapes it (``%``, CR and LF in the message; also
``:`` and ``,`` in properties), after control characters are removed, so untrusted text
stays inside its annotation and can never start a line, hence never a command.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TextIO

from refcheck.models import Severity, Status, Verdict
from refcheck.report.model import InText
from refcheck.report.safety import clean, posix_path
from refcheck.rules import BY_CODE

INVALID_TITLE = "RC001 invalid-entry"
MAX_MESSAGE = 1_000
MAX_VALUE = 300
MAX_PATH = 500

COMMAND: dict[Severity, str] = {Severity.ERROR: "error", Severity.WARNING: "warning"}


def escape_data(value: str) -> str:
    """A message as the runner reads it back: ``%``, CR and LF percent-encoded."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """A property value (``file``, ``title``): as :func:`escape_data`, plus ``:`` and ``,``."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def command(
    name: str,
    message: str,
    *,
    file: str | None,
    line: int | None,
    title: str,
    col: int | None = None,
) -> str:
    properties: list[str] = []
    if file:
        properties.append(f"file={escape_property(file)}")
        if line is not None and line >= 1:
            properties.append(f"line={line}")
            if col is not None and col >= 1:
                properties.append(f"col={col}")
    properties.append(f"title={escape_property(title)}")
    return f"::{name} {','.join(properties)}::{escape_data(message)}"


def _commands(verdict: Verdict) -> Iterator[str]:
    location = verdict.reference.location
    file = clean(posix_path(location.path), MAX_PATH) if location.path else None
    line = location.line
    if verdict.status is Status.INVALID:
        problem = clean(verdict.message or verdict.reference.problem, MAX_MESSAGE)
        message = "The entry could not be read" + (f": {problem}" if problem else "")
        yield command("error", message, file=file, line=line, title=INVALID_TITLE)
        return
    if verdict.status is Status.UNVERIFIED:
        reason = clean(verdict.message, MAX_MESSAGE) or "no answer"
        message = f"The reference could not be checked: {reason}"
        yield command("notice", message, file=file, line=line, title="unverified")
        return
    # The registry that holds the work gives the expected values ("DataCite: 2019").
    registry = verdict.work.registry if verdict.work is not None else "Crossref"
    for f in verdict.findings:
        if f.severity not in COMMAND:
            continue
        rule = BY_CODE.get(f.code)
        title = clean(f"{f.code} {rule.name}" if rule else f.code, 100)
        # Cleaned values are single lines; the newlines added here are escaped as %0A.
        message = clean(f.message, MAX_MESSAGE)
        if f.cited or f.expected:
            message += f"\ncited: {clean(f.cited, MAX_VALUE) or '—'}"
            message += f"\n{registry}: {clean(f.expected, MAX_VALUE) or '—'}"
        yield command(COMMAND[f.severity], message, file=file, line=line, title=title)


def _citation_commands(in_text: InText) -> Iterator[str]:
    """In-text findings at the citation's line and column (an entry never cited: its line)."""
    for item in in_text.located(show_info=False):
        f = item.finding
        if f.severity not in COMMAND:
            continue
        rule = BY_CODE.get(f.code)
        title = clean(f"{f.code} {rule.name}" if rule else f.code, 100)
        file = clean(posix_path(item.path), MAX_PATH) if item.path else None
        message = clean(f.message, MAX_MESSAGE)
        yield command(
            COMMAND[f.severity], message, file=file, line=item.line, title=title, col=item.column
        )


def emit(verdicts: Sequence[Verdict], out: TextIO, in_text: InText | None = None) -> None:
    for verdict in verdicts:
        for line in _commands(verdict):
            out.write(line + "\n")
    for line in _citation_commands(in_text) if in_text is not None else ():
        out.write(line + "\n")
