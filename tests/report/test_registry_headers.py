"""The Markdown and HTML reports name the registry whose values they show: a DataCite
record's values under "DataCite", never under "Crossref"; a table mixing registries names
each value's."""

from __future__ import annotations

import io

from refcheck.compare import compare
from refcheck.models import Location, Person, Reference, Status, Verdict, Work
from refcheck.report import html, markdown
from refcheck.verify import doi_of_other_work

DATASET = Work(
    doi="10.5281/zenodo.28518",
    type="software",
    title="Supersmoother: Minor bug fix release",
    authors=(Person(family="Vanderplas", given="Jake"),),
    published=(2011,),
    registry="DataCite",
)
ARTICLE = Work(
    doi="10.3174/ajnr.a4173",
    type="journal-article",
    title="Systematic literature review of imaging features of spinal degeneration",
    authors=(Person(family="Brinjikji", given="W."),),
    issued=(2015,),
    registry="Crossref",
)

# A reference no registry was asked about: no value of its own.
UNVERIFIED = Verdict(
    reference=Reference(location=Location(path="refs.bib", line=1), text="x"),
    status=Status.UNVERIFIED,
    message="DataCite was not asked (--source)",
)


def _mismatch(work: Work, line: int) -> Verdict:
    year = (work.year or 0) + 2  # a wrong year: the one finding
    cited = Reference(
        location=Location(path="refs.bib", line=line),
        text=f"{work.authors[0].family} ({year}) {work.title}",
        authors=work.authors,
        title=work.title,
        year=year,
        doi=work.doi,
    )
    findings = tuple(compare(cited, work))
    assert [f.field for f in findings] == ["year"]
    return Verdict(reference=cited, status=Status.MISMATCH, work=work, findings=findings)


def _header(document: str) -> str:
    return next(line for line in document.splitlines() if line.startswith("| status"))


def test_markdown_names_the_one_registry_of_its_values() -> None:
    document = markdown.render([_mismatch(DATASET, 3)])
    assert _header(document) == "| status | location | field | cited | DataCite | message |"
    assert "| 2013 | 2011" in document
    assert "Crossref" not in document
    crossref = markdown.render([_mismatch(ARTICLE, 3)])
    assert _header(crossref) == "| status | location | field | cited | Crossref | message |"


def test_markdown_mixing_registries_names_each_value() -> None:
    document = markdown.render([_mismatch(DATASET, 3), _mismatch(ARTICLE, 9)])
    assert _header(document) == "| status | location | field | cited | record | message |"
    assert "| 2013 | DataCite: 2011" in document
    assert "| 2017 | Crossref: 2015" in document


def test_markdown_unverified_rows_leave_the_value_column_to_the_others() -> None:
    document = markdown.render([UNVERIFIED, _mismatch(DATASET, 3)])
    assert _header(document) == "| status | location | field | cited | DataCite | message |"
    assert "| | DataCite was not asked (--source) |" in document


def test_html_names_the_registry_holding_each_work() -> None:
    out = io.StringIO()
    html.emit([_mismatch(DATASET, 3), _mismatch(ARTICLE, 9)], out)
    page = out.getvalue()
    assert page.count("<th>DataCite</th>") == 1
    assert page.count("<th>Crossref</th>") == 1


def test_markdown_with_no_values_names_no_registry() -> None:
    document = markdown.render([UNVERIFIED])
    assert _header(document) == "| status | location | field | cited | record | message |"


def test_markdown_value_of_no_matched_work_names_a_record_not_nothing() -> None:
    cited = Reference(
        location=Location(path="refs.bib", line=1), text="x", title="A", doi=ARTICLE.doi
    )
    other = doi_of_other_work(cited, ARTICLE, None)  # no work matched, a value all the same
    assert other.work is None
    assert other.findings[0].expected
    document = markdown.render([other])
    assert _header(document) == "| status | location | field | cited | record | message |"
