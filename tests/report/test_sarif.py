from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped,unused-ignore]
import pytest

from refcheck._version import __version__
from refcheck.models import Location, Reference, Status, Verdict
from refcheck.report import sarif
from refcheck.rules import RULES, finding

from .fixtures import POST, SEED_BIB, VERDICTS, render


def log_of(verdicts: list[Verdict] | tuple[Verdict, ...]) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(render(sarif.emit, verdicts))
    return data


@pytest.fixture(scope="module")
def log() -> dict[str, Any]:
    return log_of(VERDICTS)


@pytest.fixture(scope="module")
def run(log: dict[str, Any]) -> dict[str, Any]:
    runs: list[dict[str, Any]] = log["runs"]
    assert len(runs) == 1
    return runs[0]


@pytest.fixture(scope="module")
def validator(shared: Path) -> jsonschema.Draft7Validator:
    """The official schema; its root object is validated whether the file keeps it at the
    top (as OASIS publishes it) or under ``definitions/Root`` (as ../shared does, where the
    top level alone would accept any document)."""
    schema: dict[str, Any] = json.loads(
        (shared / "schemas" / "sarif-schema-2.1.0.json").read_text("utf-8")
    )
    if "properties" not in schema and "Root" in schema.get("definitions", {}):
        schema = {**schema, "$ref": "#/definitions/Root"}
    return jsonschema.Draft7Validator(schema)


def test_valid_against_the_official_schema(
    validator: jsonschema.Draft7Validator, log: dict[str, Any]
) -> None:
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(log)]
    assert errors == []
    assert log["version"] == "2.1.0"


@pytest.mark.parametrize(
    ("where", "change"),
    [
        ("result level", lambda log: log["runs"][0]["results"][0].update(level="fatal")),
        ("no version", lambda log: log.pop("version")),
        (
            "line 0",
            lambda log: log["runs"][0]["results"][2]["locations"][0]["physicalLocation"][
                "region"
            ].update(startLine=0),
        ),
        ("unknown key", lambda log: log["runs"][0]["tool"]["driver"].update(colour="red")),
    ],
)
def test_the_schema_check_can_fail(
    validator: jsonschema.Draft7Validator,
    log: dict[str, Any],
    where: str,
    change: Callable[[dict[str, Any]], object],
) -> None:
    broken = json.loads(json.dumps(log))
    change(broken)
    assert list(validator.iter_errors(broken)), where


def test_driver_names_the_tool_and_every_rule(run: dict[str, Any]) -> None:
    driver = run["tool"]["driver"]
    assert driver["name"] == "refcheck"
    assert driver["version"] == __version__
    assert driver["informationUri"].startswith("https://")
    assert [r["id"] for r in driver["rules"]] == [rule.code for rule in RULES]
    levels = {"error": "error", "warning": "warning", "info": "note"}
    for descriptor, rule in zip(driver["rules"], RULES, strict=True):
        assert descriptor["name"] == rule.name
        assert descriptor["shortDescription"]["text"] == rule.summary
        assert rule.why in descriptor["fullDescription"]["text"]
        assert rule.why in descriptor["help"]["text"]
        assert rule.example.strip() in descriptor["help"]["text"]
        assert descriptor["defaultConfiguration"]["level"] == levels[rule.severity.value]


def test_one_result_per_finding_and_per_invalid_entry(run: dict[str, Any]) -> None:
    results = run["results"]
    expected = [f.code for v in VERDICTS for f in v.findings]
    expected.insert(4, "RC001")  # the invalid entry comes between RC301 and RC101
    assert [r["ruleId"] for r in results] == expected
    rules = run["tool"]["driver"]["rules"]
    for result in results:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    levels = {r["ruleId"]: r["level"] for r in results}
    assert levels == {
        "RC502": "note",
        "RC402": "note",
        "RC601": "error",
        "RC301": "error",
        "RC001": "error",
        "RC101": "error",
        "RC201": "error",
        "RC202": "warning",
    }


def test_results_locate_the_reference(run: dict[str, Any]) -> None:
    by_rule = {r["ruleId"]: r for r in run["results"]}
    volume = by_rule["RC601"]
    assert volume["message"]["text"] == "Volume 35 cited; Crossref has 36\ncited: 35\nCrossref: 36"
    physical = volume["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"] == {"uri": SEED_BIB, "uriBaseId": "%SRCROOT%"}
    assert physical["region"] == {"startLine": 44}
    assert volume["locations"][0]["logicalLocations"][0]["name"] == "brinjikji2015vol"
    invalid = by_rule["RC001"]
    assert invalid["message"]["text"] == (
        "The entry could not be read: unbalanced braces: the entry never closes"
    )
    assert invalid["locations"][0]["physicalLocation"]["region"] == {"startLine": 72}
    # Spaces, commas and colons of a path are percent-encoded: the uri stays a URI.
    nasty = by_rule["RC201"]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert nasty["uri"] == "refs/nasty%2C%20odd%3Aname.bib"


def test_unverified_references_are_notifications_not_results(run: dict[str, Any]) -> None:
    assert all(POST not in json.dumps(r["locations"]) for r in run["results"])
    invocation = run["invocations"][0]
    assert invocation["executionSuccessful"] is True
    (notification,) = invocation["toolExecutionNotifications"]
    assert notification["level"] == "warning"
    assert "connection refused" in notification["message"]["text"]
    assert notification["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == POST
    descriptor = run["tool"]["driver"]["notifications"][notification["descriptor"]["index"]]
    assert descriptor["id"] == notification["descriptor"]["id"] == "unverified"


def test_summary_in_run_properties(run: dict[str, Any]) -> None:
    summary = run["properties"]["summary"]
    assert summary["total"] == len(VERDICTS)
    assert summary["mismatch"] == 3
    assert summary["unverified"] == summary["invalid"] == summary["not_found"] == 1


def test_hostile_text_is_bounded_and_clean(run: dict[str, Any]) -> None:
    raw = render(sarif.emit, VERDICTS)
    assert raw.isascii()
    # A 100 kB title, twice, cut to a few hundred characters; the rule catalogue is most of it.
    assert len(raw) < 70_000
    for result in run["results"]:
        text = result["message"]["text"]
        assert len(text) <= sarif.MAX_MESSAGE + 2 * sarif.MAX_VALUE + 40
        assert "\x1b" not in text
        assert "\r" not in text
        assert "##[" not in text
    nasty = next(r for r in run["results"] if r["ruleId"] == "RC201")
    assert "<script>alert(1)</script>" in nasty["message"]["text"]  # JSON needs no escaping
    assert nasty["properties"]["cited"].endswith("…")


def test_fingerprints_are_stable_and_distinct(run: dict[str, Any]) -> None:
    prints = [r["partialFingerprints"][sarif.FINGERPRINT] for r in run["results"]]
    assert len(set(prints)) == len(prints)
    # Moving the entry to another line keeps the fingerprint: alerts follow it.
    verdict = VERDICTS[3]
    moved = verdict.model_copy(
        update={
            "reference": verdict.reference.model_copy(
                update={"location": Location(path=SEED_BIB, line=400, key="brinjikji2015vol")}
            )
        }
    )
    moved_log = log_of([moved])
    assert (
        moved_log["runs"][0]["results"][0]["partialFingerprints"]
        == (run["results"][2]["partialFingerprints"])
    )
    assert moved_log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 400
    }


@pytest.mark.parametrize(
    ("path", "uri", "base"),
    [
        ("refs\\win.bib", "refs/win.bib", True),
        ("./refs/a b.bib", "refs/a%20b.bib", True),
        ("/abs/refs.bib", "file:///abs/refs.bib", False),
        ("C:\\refs\\x.bib", "file:///C:/refs/x.bib", False),
    ],
)
def test_paths_become_uri_references(path: str, uri: str, base: bool) -> None:
    verdict = Verdict(
        reference=Reference(location=Location(path=path, line=None), doi="10.1/x"),
        status=Status.NOT_FOUND,
        findings=(finding("RC101", "unknown DOI", cited="10.1/x"),),
    )
    (result,) = log_of([verdict])["runs"][0]["results"]
    physical = result["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"]["uri"] == uri
    assert ("uriBaseId" in physical["artifactLocation"]) is base
    assert "region" not in physical  # no line known: no region rather than a made-up one


def test_reference_without_a_file_has_no_location() -> None:
    verdict = Verdict(
        reference=Reference(text="bad \udcff bytes", problem="undecodable \udcff"),
        status=Status.INVALID,
        message="undecodable \udcff",
    )
    (result,) = log_of([verdict])["runs"][0]["results"]
    assert "locations" not in result
    assert result["message"]["text"] == "The entry could not be read: undecodable"


def test_no_verdicts_is_an_empty_valid_run(validator: jsonschema.Draft7Validator) -> None:
    log = log_of([])
    assert list(validator.iter_errors(log)) == []
    assert log["runs"][0]["results"] == []
    assert "toolExecutionNotifications" not in log["runs"][0]["invocations"][0]


def test_snapshot(snapshot: Callable[[str, str], None]) -> None:
    snapshot("report.sarif", render(sarif.emit, VERDICTS))
