from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable

import pytest

from refcheck.models import Location, Reference, Status, Verdict
from refcheck.report import junit

from .fixtures import NASTY_BIB, POST, SCRIPT, SEED_BIB, VERDICTS, render

# Characters XML 1.0 does not allow anywhere, even escaped.
XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@pytest.fixture(scope="module")
def xml() -> str:
    return render(junit.emit, VERDICTS)


@pytest.fixture(scope="module")
def root(xml: str) -> ET.Element:
    return ET.fromstring(xml)


def cases(root: ET.Element) -> dict[str, ET.Element]:
    return {case.get("name", ""): case for case in root.iter("testcase")}


def test_counts_add_up(root: ET.Element) -> None:
    assert root.tag == "testsuites"
    assert {k: root.get(k) for k in ("tests", "failures", "errors", "skipped")} == {
        "tests": "9",
        "failures": "4",
        "errors": "1",
        "skipped": "1",
    }
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [SEED_BIB, POST, NASTY_BIB]
    assert [s.get("tests") for s in suites] == ["7", "1", "1"]
    for suite in suites:
        found = suite.findall("testcase")
        assert len(found) == int(suite.get("tests", ""))
        assert sum(c.find("failure") is not None for c in found) == int(suite.get("failures", ""))
        assert sum(c.find("error") is not None for c in found) == int(suite.get("errors", ""))
        assert sum(c.find("skipped") is not None for c in found) == int(suite.get("skipped", ""))
        assert all(c.get("classname") == suite.get("name") for c in found)


def test_outcome_per_reference(root: ET.Element) -> None:
    by_name = cases(root)
    assert list(by_name) == [
        "brinjikji2015",
        "elbarzouhi2013",
        "kasch2022",
        "brinjikji2015vol",
        "kasch2022au",
        "broken2020",
        "elbarzouhi2013doi",
        "line 12",
        f"evil{SCRIPT}",
    ]
    for name in ("brinjikji2015", "elbarzouhi2013", "kasch2022"):
        assert [child.tag for child in by_name[name]] == ["system-out"]
    failure = by_name["brinjikji2015vol"].find("failure")
    assert failure is not None
    assert failure.get("message") == "RC601: Volume 35 cited; Crossref has 36"
    assert failure.text is not None
    assert "cited:    35\n  Crossref: 36" in failure.text
    assert by_name["elbarzouhi2013doi"].find("failure") is not None  # RC101 is an error
    error = by_name["broken2020"].find("error")
    assert error is not None
    assert error.get("type") == "RC001 invalid-entry"
    assert "unbalanced braces" in (error.get("message") or "")
    skipped = by_name["line 12"].find("skipped")
    assert skipped is not None
    assert "connection refused" in (skipped.get("message") or "")
    info = by_name["kasch2022"].findtext("system-out") or ""
    assert "RC402 year-online" in info


def test_hostile_text_is_escaped_and_bounded(xml: str, root: ET.Element) -> None:
    assert "<script>" not in xml
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in xml
    assert XML_FORBIDDEN.search(xml) is None
    assert "\x1b" not in xml
    assert "##[" not in xml
    assert len(xml) < 20_000  # two 100 kB titles, cut
    nasty = cases(root)[f"evil{SCRIPT}"]
    failure = nasty.find("failure")
    assert failure is not None
    assert failure.text is not None
    assert "<script>alert(1)</script>" in failure.text  # as text, once parsed
    assert "\n::error" not in failure.text  # the title's newline did not survive
    warning = nasty.findtext("system-out") or ""
    assert "RC202 title-variant" in warning


def test_control_characters_xml_forbids_are_removed() -> None:
    verdict = Verdict(
        reference=Reference(
            location=Location(path="a\x00b.bib", line=1, key="k\x01\x0c"),
            text="t\x07ext \udcff",
            problem="bad\x1f byte \ufffe",
        ),
        status=Status.INVALID,
        message="bad\x1f byte \ufffe",
    )
    xml = render(junit.emit, [verdict])
    assert XML_FORBIDDEN.search(xml) is None
    case = ET.fromstring(xml).find("testsuite/testcase")
    assert case is not None
    assert case.get("name") == "k"
    assert case.get("classname") == "ab.bib"
    error = case.find("error")
    assert error is not None
    assert error.get("message") == "The entry could not be read: bad byte"


def test_no_verdicts_is_an_empty_report() -> None:
    root = ET.fromstring(render(junit.emit, []))
    assert root.get("tests") == "0"
    assert root.findall("testsuite") == []


def test_snapshot(snapshot: Callable[[str, str], None], xml: str) -> None:
    snapshot("report.junit.xml", xml)
