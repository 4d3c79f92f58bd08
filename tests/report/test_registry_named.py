"""Reports name the registry that holds the work (a DataCite record's values are DataCite's,
not Crossref's), and say who was asked about a reference no registry confirmed."""

from __future__ import annotations

import io

import pytest

from refcheck.compare import compare
from refcheck.models import (
    Consulted,
    Location,
    Person,
    Reference,
    Status,
    Verdict,
    Work,
)
from refcheck.report import github, junit, registry, sarif, text
from refcheck.report.text import Layout, View

DATASET = Work(
    doi="10.5281/zenodo.28518",
    type="software",
    title="Supersmoother: Minor bug fix release",
    authors=(Person(family="Vanderplas", given="Jake"),),
    published=(2011,),
    registry="DataCite",
)
CITED = Reference(
    location=Location(path="refs.bib", line=3, key="vdp"),
    text="@misc{vdp, ...}",
    authors=(Person(family="Vanderplas", given="Jake"),),
    title="Supersmoother: Minor bug fix release",
    year=2013,
    doi="10.5281/zenodo.28518",
)


def _mismatch(work: Work) -> Verdict:
    findings = tuple(compare(CITED, work))
    assert [f.field for f in findings] == ["year"]
    return Verdict(reference=CITED, status=Status.MISMATCH, work=work, findings=findings)


def _reports(verdict: Verdict) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, emit in (("github", github.emit), ("junit", junit.emit), ("sarif", sarif.emit)):
        buffer = io.StringIO()
        emit([verdict], buffer)
        out[name] = buffer.getvalue()
    buffer = io.StringIO()
    text.emit([verdict], registry.plain_console(buffer), View(Layout.PLAIN))
    out["text"] = buffer.getvalue()
    return out


@pytest.mark.parametrize("holder", ["DataCite", "Crossref"])
def test_every_report_names_the_registry_that_holds_the_work(holder: str) -> None:
    other = "Crossref" if holder == "DataCite" else "DataCite"
    verdict = _mismatch(DATASET.model_copy(update={"registry": holder}))
    assert f"{holder} has 2011" in verdict.findings[0].message
    for name, report in _reports(verdict).items():
        # The expected value under the registry's name: "DataCite: 2011", "cited 2013,
        # DataCite 2011".
        said = [f"{holder}: 2011", f"{holder} has 2011", f", {holder} 2011"]
        assert any(form in report for form in said), name
        assert not any(form.replace(holder, other) in report for form in said), name


def _not_found(*sources: tuple[str, str]) -> Verdict:
    return Verdict(
        reference=CITED,
        status=Status.NOT_FOUND,
        message="DOI 10.5281/zenodo.28519 is not registered with Crossref or any other agency",
        sources=tuple(Consulted.model_validate({"source": s, "outcome": o}) for s, o in sources),
    )


def test_the_text_report_says_who_was_asked_about_a_reference_not_found() -> None:
    verdict = _not_found(("crossref", "not-found"), ("agency", "not-found"))
    report = _reports(verdict)["text"]
    assert "refs.bib:3: asked: Crossref not found, registration agency not found" in report


def test_an_unreachable_registry_is_told_apart_from_one_that_does_not_hold_it() -> None:
    verdict = _not_found(
        ("crossref", "not-found"), ("agency", "answered"), ("datacite", "unreachable")
    )
    verdict = verdict.model_copy(update={"status": Status.UNVERIFIED})
    out = io.StringIO()
    console = registry.plain_console(out)
    console.width = 70  # cut to the terminal's width, as every line there
    text.emit([verdict], console, View(Layout.TERMINAL))
    lines = out.getvalue().splitlines()
    assert "    asked: Crossref not found, registration agency answered, DataCite…" in lines


def test_a_verified_reference_lists_no_sources() -> None:
    verdict = _mismatch(DATASET).model_copy(
        update={"sources": (Consulted(source="datacite", outcome="answered"),)}
    )
    assert "asked:" not in _reports(verdict)["text"]
