from __future__ import annotations

import pytest

from refcheck.compare.pages import compare_pages, pages_agree, parse_pages
from refcheck.models import Reference, Severity, Work


def work(page: str | None = None, article_number: str | None = None) -> Work:
    return Work(doi="10.1/x", page=page, article_number=article_number)


def codes(cited: str, crossref: Work) -> list[str]:
    return [f.code for f in compare_pages(Reference(pages=cited), crossref)]


@pytest.mark.parametrize(
    ("cited", "crossref"),
    [
        ("811-816", "811-816"),
        ("811–816", "811-816"),
        ("811—816", "811-816"),
        ("pp. 811–816", "811-816"),
        ("pp.811-816", "811-816"),
        ("p. 811", "811-816"),
        ("811 - 816", "811-816"),
        ("811–16", "811-816"),
        ("999–1007", "999-1007"),
        ("1007–9", "1007-1009"),
        ("198-202", "198-202"),
        ("198-02", "198-202"),
        ("813", "811-816"),  # a pinpoint inside the range
        ("811", "811"),
        ("E297-299", "E297-299"),
        ("297-9", "E297-299"),
        ("e4-7", "E4-7"),
        ("iii–iv", "iii-iv"),
        ("S33-S61", "S33-S61"),
        ("33-61", "S33-S61"),
        ("1,234-1,240", "1234-1240"),
        ("811-816", "811"),
        ("12-15, 18-20", "12-20"),
        ("1029.e1-1029.e8", "1029.e1-1029.e8"),
    ],
)
def test_equivalent_pages(cited: str, crossref: str) -> None:
    assert codes(cited, work(crossref)) == []


@pytest.mark.parametrize(
    ("cited", "crossref", "number"),
    [
        ("e0123456", None, "e0123456"),
        ("0123456", None, "e0123456"),
        ("104154", None, "104154"),
        ("e70021", "e70021", None),
        ("1-12", None, "213"),  # an article-numbered work cited by its own page count
    ],
)
def test_article_numbers(cited: str, crossref: str | None, number: str | None) -> None:
    assert codes(cited, work(crossref, number)) == []


def test_first_page_differs_rc603_error() -> None:
    [found] = compare_pages(Reference(pages="812-816"), work("811-816"))
    assert (found.code, found.field, found.severity) == ("RC603", "pages", Severity.ERROR)
    assert (found.cited, found.expected) == ("812-816", "811-816")
    assert found.message == "Pages 812-816 cited; Crossref has 811-816"


def test_single_page_outside_the_range_rc603() -> None:
    assert codes("820", work("811-816")) == ["RC603"]


def test_article_number_differs_rc603() -> None:
    assert codes("e0123457", work("e0123456")) == ["RC603"]


def test_only_last_page_differs_rc604_warning() -> None:
    [found] = compare_pages(Reference(pages="811-819"), work("811-816"))
    assert (found.code, found.severity) == ("RC604", Severity.WARNING)
    assert (found.cited, found.expected) == ("811-819", "811-816")


def test_abbreviated_last_page_that_is_wrong_rc604() -> None:
    assert codes("811–19", work("811-816")) == ["RC604"]


@pytest.mark.parametrize("nothing", ["no-no", "n/a-n/a", ""])
def test_work_without_real_pages(nothing: str) -> None:
    assert codes("811-816", work(nothing or None)) == []


def test_parse_pages() -> None:
    parsed = parse_pages("pp. 811–16")
    assert parsed is not None
    assert parsed.last is not None
    assert (parsed.first.number, parsed.last.number) == (811, 816)
    roman = parse_pages("xii-xiv")
    assert roman is not None
    assert roman.last is not None
    assert (roman.first.number, roman.last.number, roman.first.roman) == (12, 14, True)
    assert parse_pages("n/a") is None


def test_pages_agree() -> None:
    assert pages_agree("811", work("811-816")) is True
    assert pages_agree("911", work("811-816")) is False
    assert pages_agree("911", work()) is None
