"""The ``sarif`` format: SARIF 2.1.0, as GitHub code scanning and other SARIF viewers read it.

One run. ``tool.driver.rules`` is the whole rule catalogue, so every ``ruleId`` has its
documentation next to it and ``ruleIndex`` points into it. What becomes a result:

- every finding, at its severity: error -> ``error``, warning -> ``warning``, info ->
  ``note`` (SARIF's level for "worth knowing"; viewers filter notes out easily, and the
  rules' ``defaultConfiguration`` says the same);
- an entry that could not be read -> an ``error`` result of rule RC001 invalid-entry, as
  the CLI exits 1 on it;
- a reference that could not be checked (Crossref unreachable) is no result: it is a fact
  about this run, not about the file, and code scanning would open and close alerts with
  the network. It is a ``toolExecutionNotification`` of the invocation instead.

``partialFingerprints["refcheck/v1"]`` hashes the file, the reference's key (or its text),
the rule and the values compared, not the line: alerts survive entries moving around.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any, TextIO

from refcheck._version import __version__
from refcheck.models import CitationFinding, Finding, Severity, Status, Verdict
from refcheck.report.model import InText, summarise
from refcheck.report.safety import clean, is_absolute, posix_path, uri_reference
from refcheck.rules import RULES, Rule

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
INFORMATION_URI = "https://pypi.org/project/refcheck/"
SRCROOT = "%SRCROOT%"
INVALID_RULE = "RC001"
UNVERIFIED_NOTIFICATION = "unverified"
FINGERPRINT = "refcheck/v1"

LEVEL: dict[Severity, str] = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.INFO: "note",
}
MAX_MESSAGE = 2_000
MAX_VALUE = 500

_RULE_INDEX: dict[str, int] = {rule.code: index for index, rule in enumerate(RULES)}


def _rule_descriptor(rule: Rule) -> dict[str, Any]:
    example = rule.example.rstrip("\n")
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": f"{rule.summary} {rule.why}"},
        "help": {
            "text": f"{rule.why}\n\nExample:\n{example}",
            "markdown": f"{rule.why}\n\nExample:\n\n```text\n{example}\n```",
        },
        "defaultConfiguration": {"level": LEVEL[rule.severity]},
        "properties": {"tags": ["references", rule.field]},
    }


def _driver() -> dict[str, Any]:
    return {
        "name": "refcheck",
        "version": __version__,
        "semanticVersion": __version__,
        "informationUri": INFORMATION_URI,
        "rules": [_rule_descriptor(rule) for rule in RULES],
        "notifications": [
            {
                "id": UNVERIFIED_NOTIFICATION,
                "name": "unverified",
                "shortDescription": {
                    "text": "A reference could not be checked (Crossref unreachable or "
                    "answering badly); run again to check it."
                },
                "defaultConfiguration": {"level": "warning"},
            }
        ],
    }


def _locations(verdict: Verdict) -> list[dict[str, Any]]:
    location = verdict.reference.location
    if not location.path or not posix_path(location.path):
        return []
    artifact: dict[str, Any] = {"uri": uri_reference(location.path)}
    if not is_absolute(posix_path(location.path)):
        artifact["uriBaseId"] = SRCROOT
    physical: dict[str, Any] = {"artifactLocation": artifact}
    if location.line is not None and location.line >= 1:
        physical["region"] = {"startLine": location.line}
    found: dict[str, Any] = {"physicalLocation": physical}
    if location.key:
        found["logicalLocations"] = [{"name": clean(location.key, 200), "kind": "element"}]
    return [found]


def _identity(verdict: Verdict) -> str:
    """What names a reference across runs: its key, else its text (whitespace folded)."""
    location = verdict.reference.location
    if location.key:
        return "key:" + location.key
    return "text:" + " ".join(verdict.reference.text.split())


def fingerprint(verdict: Verdict, code: str, *values: str | None) -> str:
    path = posix_path(verdict.reference.location.path or "")
    parts = [path, _identity(verdict), code, *(value or "" for value in values)]
    digest = hashlib.sha256("\x00".join(parts).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()[:32]


def _finding_text(f: Finding, registry: str = "Crossref") -> str:
    text = clean(f.message, MAX_MESSAGE)
    if f.severity is not Severity.INFO and (f.cited or f.expected):
        cited = clean(f.cited, MAX_VALUE) or "—"
        expected = clean(f.expected, MAX_VALUE) or "—"
        text += f"\ncited: {cited}\n{registry}: {expected}"
    return text


def _result(
    verdict: Verdict, code: str, level: str, text: str, *values: str | None
) -> dict[str, Any]:
    result: dict[str, Any] = {"ruleId": code}
    if code in _RULE_INDEX:
        result["ruleIndex"] = _RULE_INDEX[code]
    result["level"] = level
    result["message"] = {"text": text}
    locations = _locations(verdict)
    if locations:
        result["locations"] = locations
    result["partialFingerprints"] = {FINGERPRINT: fingerprint(verdict, code, *values)}
    return result


def _results(verdict: Verdict) -> list[dict[str, Any]]:
    if verdict.status is Status.INVALID:
        problem = clean(verdict.message or verdict.reference.problem, MAX_MESSAGE)
        text = "The entry could not be read" + (f": {problem}" if problem else "")
        return [_result(verdict, INVALID_RULE, "error", text)]
    results = []
    registry = verdict.work.registry if verdict.work is not None else "Crossref"
    for f in verdict.findings:
        result = _result(
            verdict, f.code, LEVEL[f.severity], _finding_text(f, registry), f.cited, f.expected
        )
        result["properties"] = {
            "field": f.field,
            "status": verdict.status.value,
            "cited": clean(f.cited, MAX_VALUE) or None,
            "expected": clean(f.expected, MAX_VALUE) or None,
        }
        results.append(result)
    return results


def _notification(verdict: Verdict) -> dict[str, Any]:
    reason = clean(verdict.message, MAX_MESSAGE) or "no answer"
    notification: dict[str, Any] = {
        "descriptor": {"id": UNVERIFIED_NOTIFICATION, "index": 0},
        "level": "warning",
        "message": {"text": f"The reference could not be checked: {reason}"},
    }
    locations = _locations(verdict)
    if locations:
        notification["locations"] = locations
    return notification


def _citation_result(item: CitationFinding) -> dict[str, Any]:
    """An in-text finding at the citation's line and column (an entry never cited: its
    line), fingerprinted by file, rule and the citation's text (not its line, which moves)."""
    f = item.finding
    result: dict[str, Any] = {"ruleId": f.code}
    if f.code in _RULE_INDEX:
        result["ruleIndex"] = _RULE_INDEX[f.code]
    result["level"] = LEVEL[f.severity]
    result["message"] = {"text": clean(f.message, MAX_MESSAGE)}
    path = item.path
    if path and posix_path(path):
        artifact: dict[str, Any] = {"uri": uri_reference(path)}
        if not is_absolute(posix_path(path)):
            artifact["uriBaseId"] = SRCROOT
        physical: dict[str, Any] = {"artifactLocation": artifact}
        if item.line is not None and item.line >= 1:
            physical["region"] = {"startLine": item.line}
            if item.column is not None and item.column >= 1:
                physical["region"]["startColumn"] = item.column
        result["locations"] = [{"physicalLocation": physical}]
    parts = [posix_path(path or ""), "text:" + " ".join(item.text.split()), f.code, f.cited or ""]
    digest = hashlib.sha256("\x00".join(parts).encode("utf-8", "surrogatepass")).hexdigest()
    result["partialFingerprints"] = {FINGERPRINT: digest[:32]}
    result["properties"] = {
        "field": f.field,
        "cited": clean(f.cited, MAX_VALUE) or None,
        "expected": clean(f.expected, MAX_VALUE) or None,
    }
    return result


def sarif_log(verdicts: Sequence[Verdict], in_text: InText | None = None) -> dict[str, Any]:
    """The SARIF log of ``verdicts`` (and of the in-text findings) as plain JSON data."""
    results = [result for verdict in verdicts for result in _results(verdict)]
    if in_text is not None:
        results += [_citation_result(item) for item in in_text.located()]
    notifications = [_notification(v) for v in verdicts if v.status is Status.UNVERIFIED]
    invocation: dict[str, Any] = {"executionSuccessful": True}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    return {
        "$schema": SCHEMA_URI,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {"driver": _driver()},
                "invocations": [invocation],
                "results": results,
                "properties": {"summary": summarise(verdicts, in_text).model_dump()},
            }
        ],
    }


def emit(verdicts: Sequence[Verdict], out: TextIO, in_text: InText | None = None) -> None:
    # ensure_ascii keeps the file 7-bit clean whatever encoding ``out`` was opened with.
    out.write(json.dumps(sarif_log(verdicts, in_text), indent=2, ensure_ascii=True))
    out.write("\n")
