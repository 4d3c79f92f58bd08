"""The ``junit`` format: JUnit XML, for CI systems that show test reports.

One ``testsuite`` per file checked (in the order first seen), one ``testcase`` per reference
(``classname`` = the file, ``name`` = the key, else ``line N``, else the text). The outcome
follows the CLI's exit code:

- a finding of severity error -> ``<failure>`` (all error findings in its text);
- an entry that could not be read -> ``<error>`` (type RC001 invalid-entry);
- a reference that could not be checked, or a work no registry holds -> ``<skipped>``;
- otherwise the test passes; warnings and info findings go to ``<system-out>``;
- each in-text finding (RC801-RC806) is a test of its own in its file's suite, named by
  the citation and its line and column: an error fails it, a warning goes to its output.

The tree is built with ElementTree, which escapes markup; characters XML 1.0 cannot carry
at all (most controls) are removed first by :mod:`refcheck.report.safety`.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from typing import TextIO

from refcheck._version import __version__
from refcheck.models import CitationFinding, Finding, Severity, Status, Verdict
from refcheck.report.model import InText
from refcheck.report.safety import clean, posix_path, reference_name
from refcheck.rules import BY_CODE

SUITES_NAME = "refcheck"
INVALID_TYPE = "RC001 invalid-entry"
MAX_MESSAGE = 1_000
MAX_VALUE = 500
MAX_NAME = 200


def _title(f: Finding) -> str:
    rule = BY_CODE.get(f.code)
    return clean(f"{f.code} {rule.name}" if rule else f.code, 100)


def _detail(f: Finding, registry: str = "Crossref") -> str:
    text = f"{f.severity.value} {_title(f)} ({f.field}): {clean(f.message, MAX_MESSAGE)}"
    if f.cited or f.expected:
        text += f"\n  cited:    {clean(f.cited, MAX_VALUE) or '—'}"
        text += f"\n  {registry + ':':<9} {clean(f.expected, MAX_VALUE) or '—'}"
    return text


class _Counts:
    def __init__(self) -> None:
        self.tests = self.failures = self.errors = self.skipped = 0

    def add(self, other: _Counts) -> None:
        self.tests += other.tests
        self.failures += other.failures
        self.errors += other.errors
        self.skipped += other.skipped

    def attributes(self) -> dict[str, str]:
        return {
            "tests": str(self.tests),
            "failures": str(self.failures),
            "errors": str(self.errors),
            "skipped": str(self.skipped),
            "time": "0",
        }


def _testcase(verdict: Verdict, classname: str, counts: _Counts) -> ET.Element:
    case = ET.Element(
        "testcase",
        {"classname": classname, "name": reference_name(verdict, MAX_NAME), "time": "0"},
    )
    counts.tests += 1
    errors = [f for f in verdict.findings if f.severity is Severity.ERROR]
    others = [f for f in verdict.findings if f.severity is not Severity.ERROR]
    registry = verdict.work.registry if verdict.work is not None else "Crossref"
    if verdict.status is Status.INVALID:
        counts.errors += 1
        problem = clean(verdict.message or verdict.reference.problem, MAX_MESSAGE)
        message = "The entry could not be read" + (f": {problem}" if problem else "")
        error = ET.SubElement(case, "error", {"message": message, "type": INVALID_TYPE})
        error.text = clean(verdict.reference.text, MAX_MESSAGE) or None
    elif errors:
        counts.failures += 1
        summary = "; ".join(f"{f.code}: {clean(f.message, 200)}" for f in errors)
        failure = ET.SubElement(
            case,
            "failure",
            {"message": clean(summary, MAX_MESSAGE), "type": verdict.status.value},
        )
        failure.text = "\n".join(_detail(f, registry) for f in errors)
    elif verdict.status is Status.UNVERIFIED:
        counts.skipped += 1
        reason = clean(verdict.message, MAX_MESSAGE) or "no answer"
        ET.SubElement(case, "skipped", {"message": f"could not be checked: {reason}"})
    elif verdict.status is Status.SKIPPED:
        counts.skipped += 1
        reason = clean(verdict.message, MAX_MESSAGE) or "no registry holds it"
        ET.SubElement(case, "skipped", {"message": f"not a registered work: {reason}"})
    lines: list[str] = []
    if verdict.work is not None:
        work = verdict.work
        # A book from Open Library has no DOI: its ISBN names it.
        named = f"doi:{work.doi}" if work.doi or not work.isbn else f"isbn:{work.isbn[0]}"
        lines.append(f"{registry}: {clean(named, MAX_VALUE)}")
    lines.extend(_detail(f, registry) for f in others)
    if lines:
        ET.SubElement(case, "system-out").text = "\n".join(lines)
    return case


def _citation_testcase(item: CitationFinding, classname: str, counts: _Counts) -> ET.Element:
    """An in-text finding as a test of its own, named by where it stands: an error fails."""
    f = item.finding
    place = f"line {item.line or 0}" + (f", column {item.column}" if item.column else "")
    name = clean(f"{' '.join(item.text.split())[:100]} ({place})", MAX_NAME)
    case = ET.Element("testcase", {"classname": classname, "name": name, "time": "0"})
    counts.tests += 1
    detail = f"{f.severity.value} {_title(f)} ({place}): {clean(f.message, MAX_MESSAGE)}"
    if f.severity is Severity.ERROR:
        counts.failures += 1
        failure = ET.SubElement(
            case, "failure", {"message": clean(f"{f.code}: {f.message}", MAX_MESSAGE)}
        )
        failure.set("type", "in-text")
        failure.text = detail
    else:
        ET.SubElement(case, "system-out").text = detail
    return case


def junit_tree(verdicts: Sequence[Verdict], in_text: InText | None = None) -> ET.Element:
    """The ``<testsuites>`` element of ``verdicts`` (and of the in-text findings)."""
    suites: dict[str, tuple[ET.Element, _Counts]] = {}

    def suite_of(path: str | None) -> tuple[str, ET.Element, _Counts]:
        classname = clean(posix_path(path), MAX_NAME) if path else "<input>"
        if classname not in suites:
            suite = ET.Element("testsuite", {"name": classname})
            properties = ET.SubElement(suite, "properties")
            ET.SubElement(properties, "property", {"name": "refcheck", "value": __version__})
            suites[classname] = (suite, _Counts())
        return classname, *suites[classname]

    for verdict in verdicts:
        classname, suite, counts = suite_of(verdict.reference.location.path)
        suite.append(_testcase(verdict, classname, counts))
    for item in in_text.located(show_info=False) if in_text is not None else ():
        classname, suite, counts = suite_of(item.path)
        suite.append(_citation_testcase(item, classname, counts))
    root = ET.Element("testsuites", {"name": SUITES_NAME})
    total = _Counts()
    for suite, counts in suites.values():
        # Attributes are set once the counts are known; ElementTree keeps insertion order.
        for key, value in counts.attributes().items():
            suite.set(key, value)
        total.add(counts)
        root.append(suite)
    for key, value in total.attributes().items():
        root.set(key, value)
    return root


def emit(verdicts: Sequence[Verdict], out: TextIO, in_text: InText | None = None) -> None:
    root = junit_tree(verdicts, in_text)
    ET.indent(root)
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(ET.tostring(root, encoding="unicode"))
    out.write("\n")
