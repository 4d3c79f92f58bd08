from __future__ import annotations

import pytest

from refcheck.compare.numbers import compare_issue, compare_volume, parse_numbering, same_number
from refcheck.models import Reference, Severity, Work


@pytest.mark.parametrize(
    ("cited", "crossref"),
    [
        ("36", "36"),
        ("036", "36"),
        ("Vol. 36", "36"),
        ("vol 36", "36"),
        ("XXXVI", "36"),
        ("V", "5"),
        ("36A", "36"),
    ],
)
def test_same_volume(cited: str, crossref: str) -> None:
    assert same_number(cited, crossref) is True


@pytest.mark.parametrize(
    ("cited", "crossref"),
    [
        ("4", "4-5"),
        ("4–5", "4"),
        ("4/5", "5"),
        ("No. 4", "4"),
        ("Suppl 1", "S1"),
        ("Supplement 1", "1_suppl"),
        ("1", "suppl_1"),
        ("Suppl", "Suppl 2"),
        ("Spring", "2"),
        ("1-3", "2"),
        ("3 Suppl 1", "S1"),
    ],
)
def test_equivalent_issues(cited: str, crossref: str) -> None:
    assert same_number(cited, crossref) is True


@pytest.mark.parametrize(
    ("cited", "crossref"),
    [("35", "36"), ("3", "4-5"), ("36A", "36B"), ("Suppl 2", "S1"), ("XII", "13")],
)
def test_different_numbers(cited: str, crossref: str) -> None:
    assert same_number(cited, crossref) is False


@pytest.mark.parametrize("empty", ["", "  ", "n/a", "null", "&NA;"])
def test_nothing_said(empty: str) -> None:
    assert parse_numbering(empty) is None
    assert same_number(empty, "36") is None


def test_volume_mismatch_rc601() -> None:
    work = Work(doi="10.3174/ajnr.A4173", volume="36")
    [found] = compare_volume(Reference(volume="35"), work)
    assert (found.code, found.field, found.severity) == ("RC601", "volume", Severity.ERROR)
    assert (found.cited, found.expected) == ("35", "36")
    assert found.message == "Volume 35 cited; Crossref has 36"


def test_issue_mismatch_rc602() -> None:
    work = Work(doi="10.3174/ajnr.A4173", issue="4")
    [found] = compare_issue(Reference(issue="3"), work)
    assert (found.code, found.field, found.cited, found.expected) == ("RC602", "issue", "3", "4")


def test_missing_either_side_is_never_a_finding() -> None:
    work = Work(doi="10.1/x", volume="36", issue="4")
    assert compare_volume(Reference(), work) == []
    assert compare_issue(Reference(), work) == []
    assert compare_volume(Reference(volume="35"), Work(doi="10.1/x")) == []
    assert compare_issue(Reference(issue="3"), Work(doi="10.1/x")) == []


def test_a_number_read_from_the_works_own_title_is_not_an_issue() -> None:
    # 10.1016/0963-8695(88)90153-3 (works-dev), a book review whose title ends "British Gas
    # plc 1988 (x + 230 pp, £27.50)": cited correctly in Elsevier Harvard, its parse took
    # "x + 230 pp, £27.50" for the issue (RC602 against issue 4).
    review = Work(
        doi="10.1016/0963-8695(88)90153-3",
        title="Elastic waves in solids, with applications to NDT of pipelines A.H. Harker "
        "Adam Hilger, UK, in association with British Gas plc 1988 (x + 230 pp, £27.50)",
        volume="21",
        issue="4",
    )
    assert compare_issue(Reference(issue="x + 230 pp, £27.50"), review) == []
    assert compare_volume(Reference(volume="x + 230 pp, £27.50"), review) == []
    # A wrong issue that is not the title's words is still one.
    assert [f.code for f in compare_issue(Reference(issue="5"), review)] == ["RC602"]
    assert [f.code for f in compare_issue(Reference(issue="1988"), review)] == ["RC602"]
