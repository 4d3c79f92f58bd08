"""The one public face: `refcheck` exports what the README promises, and rules stay documented."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import refcheck
from refcheck.cli import main
from refcheck.rules import RULES, lookup

README = Path(__file__).resolve().parents[1] / "README.md"


def test_all_is_sorted_and_complete() -> None:
    assert refcheck.__all__ == sorted(refcheck.__all__)
    for name in refcheck.__all__:
        assert hasattr(refcheck, name), name
    for name in ("check", "check_async", "check_file", "check_file_async", "Reference", "Work"):
        assert name in refcheck.__all__


def test_report_json_schema_has_the_contract_fields() -> None:
    schema = refcheck.Report.model_json_schema()
    entry = schema["$defs"]["ReportEntry"]["properties"]
    for field in ("path", "line", "key", "text", "status", "doi", "cited_doi", "score", "findings"):
        assert field in entry
    finding = schema["$defs"]["ReportFinding"]["properties"]
    assert set(finding) == {"code", "field", "severity", "cited", "expected", "message"}


def test_every_rule_is_documented_and_in_the_readme() -> None:
    readme = README.read_text(encoding="utf-8")
    codes = [rule.code for rule in RULES]
    assert len(codes) == len(set(codes))
    assert len({rule.name for rule in RULES}) == len(RULES)
    for rule in RULES:
        assert re.fullmatch(r"RC\d{3}", rule.code)
        assert rule.summary
        assert rule.why
        assert rule.example
        assert f"| {rule.code} | {rule.name} | {rule.field} | {rule.severity.value} |" in readme
        assert lookup(rule.code) is rule
        assert lookup(rule.name) is rule


def test_rule_command_prints_the_explanation(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rule", "rc301"]) == 0
    out = capsys.readouterr().out
    assert "author-missing" in out
    assert "Why it matters" in out
    assert main(["rule", "RC999"]) == 2
    assert main(["rules"]) == 0
    assert "RC601" in capsys.readouterr().out


def test_schema_command_prints_the_report_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["title"] == "Report"
    assert set(schema["required"]) == {"refcheck", "summary", "references"}
