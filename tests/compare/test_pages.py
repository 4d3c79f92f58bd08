from __future__ import annotations

import pytest

from refcheck.compare import compare
from refcheck.compare.freetext import reconcile
from refcheck.compare.pages import compare_pages, pages_agree, parse_pages, range_written
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
        # Abbreviated ranges, cited or in Crossref's record.
        ("999-07", "999-1007"),
        ("999–1007", "999-07"),
        ("1201-9", "1201-1209"),
        ("1201–1209", "1201-9"),
        # Prefixed pages: a prefix written once, or left out on one side.
        ("S12-15", "S12-S15"),
        ("S12–S15", "S12-15"),
        ("A3", "A3"),
        ("A3", "A3-A5"),
        ("e11-13", "e11-e13"),
        # Roman numerals.
        ("xii–xiv", "xii-xiv"),
        # An e-page suffix on one side only.
        ("811-816", "811-816.e3"),
        # Crossref without a last page: a first page alone, or the first page repeated.
        ("999-1007", "999"),
        ("373-381", "373-373"),
        ("373", "373-373"),
        # A first page or pinpoint cited: nothing said of the end.
        ("999", "999-1007"),
        ("1001", "999-1007"),
        # A range of several pieces, one ending where Crossref's does; an unreadable end.
        ("811–816, 820", "811-816"),
        ("811-816 (table 3)", "811-816"),
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


def test_only_last_page_differs_rc604_error() -> None:
    [found] = compare_pages(Reference(pages="pp.999–1070"), work("999-1007"))
    assert (found.code, found.field, found.severity) == ("RC604", "pages", Severity.ERROR)
    assert (found.cited, found.expected) == ("pp.999–1070", "999-1007")
    assert found.message == "Pages pp.999–1070 cited; Crossref has 999-1007 (the last page differs)"


@pytest.mark.parametrize(
    ("cited", "crossref"),
    [
        ("811-817", "811-816"),
        ("201–210", "201-211"),
        ("999-1070", "999-07"),  # Crossref's own range abbreviated
        ("999-08", "999-1007"),  # an abbreviated cited range that ends elsewhere
        ("1201-8", "1201-1209"),
        ("S12-S16", "S12-S15"),
        ("S12-16", "S12-S15"),
        ("e11-e14", "e11-e13"),
        ("xii-xv", "xii-xiv"),
        ("1-14", "1-12"),  # a range from page 1 without an article number is a range
        ("811–817, 820", "811-816"),
    ],
)
def test_last_page_differs_from_a_complete_range_rc604_error(cited: str, crossref: str) -> None:
    [found] = compare_pages(Reference(pages=cited), work(crossref))
    assert (found.code, found.severity) == ("RC604", Severity.ERROR)


@pytest.mark.parametrize(
    ("cited", "crossref"),
    [
        ("998-1007", "999-1007"),
        ("998–07", "999-1007"),
        ("S13-S15", "S12-S15"),
        ("A4", "A3"),
        ("A4-A5", "A3-A5"),
        ("xiii-xiv", "xii-xiv"),
        ("1202-9", "1201-1209"),
    ],
)
def test_first_page_differs_rc603_in_every_form(cited: str, crossref: str) -> None:
    assert codes(cited, work(crossref)) == ["RC603"]


def test_page_count_of_an_article_numbered_work_rc604_warning() -> None:
    # "1-12" beside article e0123456 counts the PDF's pages, which differ between versions.
    [found] = compare_pages(Reference(pages="1-10"), work("1-12", "e0123456"))
    assert (found.code, found.severity) == ("RC604", Severity.WARNING)
    assert "page count" in found.message
    assert codes("1-12", work("1-12", "e0123456")) == []
    assert codes("e0123456", work("1-12", "e0123456")) == []


def test_crossref_range_that_runs_backwards_rc604_warning() -> None:
    [found] = compare_pages(Reference(pages="999-1007"), work("999-998"))
    assert (found.code, found.severity) == ("RC604", Severity.WARNING)
    assert codes("999-998", work("999-998")) == []
    assert codes("999", work("999-998")) == []


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


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("(pp. 107-115).", 107, 115),
        (":961‑71.", 961, 971),
        ("с. 170-171", 170, 171),
        ("pp. 1761–1800).", 1761, 1800),
    ],
)
def test_parse_pages_cut_from_a_reference_string(text: str, first: int, last: int) -> None:
    parsed = parse_pages(text)
    assert parsed is not None
    assert parsed.last is not None
    assert (parsed.first.number, parsed.last.number) == (first, last)


def test_parse_pages_keeps_a_backwards_end_apart() -> None:
    parsed = parse_pages("999-998")
    assert parsed is not None
    assert parsed.last is None
    assert parsed.backwards is not None
    assert parsed.backwards.number == 998
    single = parse_pages("999")
    assert single is not None
    assert (single.last, single.backwards) == (None, None)


@pytest.mark.parametrize(
    "text",
    [
        "N Engl J Med 2013;368:999-1007.",
        "New England Journal of Medicine, 368(11), pp.999–1007.",
        "NEJM 368 (11): 999 - 1007",
        "N Engl J Med. 2013;368(11):999–07.",
        "368,999-1007",
        "pages 999 to 1007",
    ],
)
def test_range_written_finds_crossrefs_range_in_a_string(text: str) -> None:
    assert range_written(text, work("999-1007"))


@pytest.mark.parametrize(
    "text",
    [
        "New England Journal of Medicine, 368(11), pp.999–1070.",
        "N Engl J Med 2013;368:999.",
        "N Engl J Med 2013;368:998-1007.",
        "doi:10.1056/NEJMoa1209250, 2013-2014",
    ],
)
def test_range_written_wants_both_ends(text: str) -> None:
    assert not range_written(text, work("999-1007"))


def test_range_written_prefixed_and_roman_ranges() -> None:
    assert range_written("Suppl 2:S12–15.", work("S12-S15"))
    assert range_written("pp. xii–xiv", work("xii-xiv"))
    assert not range_written("Suppl 2:S12–16.", work("S12-S15"))
    assert not range_written("anything 1-12", work("999"))


SEED_TEXT = (
    "El Barzouhi, A. and Peul, W.C., 2013. Magnetic Resonance Imaging in Follow-up "
    "Assessment of Sciatica. New England Journal of Medicine, 368(11), pp.{pages}."
)
NEJM = Work(doi="10.1056/NEJMoa1209250", volume="368", issue="11", page="999-1007")
SURE = frozenset({"volume", "issue", "pages"})


def _free(pages: str, parsed: str, confident: frozenset[str] = SURE) -> list[str]:
    reference = Reference(
        text=SEED_TEXT.format(pages=pages),
        volume="368",
        issue="11",
        pages=parsed,
        confident=confident,
    )
    return [f.code for f in reconcile(reference, NEJM, compare(reference, NEJM))]


def test_free_text_wrong_last_page_is_kept_though_the_first_is_in_the_numbers_block() -> None:
    # "368(11), pp.999" is Crossref's volume, issue and first page side by side: that used
    # to clear the finding. Only the whole range written out clears a last page.
    assert _free("999–1070", "999–1070") == ["RC604"]
    assert _free("999–1070", "999–1070", frozenset()) == ["RC604"]


def test_free_text_last_page_finding_from_a_parse_slip_is_dropped() -> None:
    # The parser read a wrong end ("999–10") where the string writes the right range.
    assert _free("999–1007", "999–10") == []
    assert _free("999–1007", "999–10", frozenset()) == []


def test_free_text_range_inside_a_doi_does_not_clear_a_last_page() -> None:
    # The DOI's "...-2-5-13" holds Crossref's range 5-13; only the printed pages count.
    text = (
        "Samigulov, G.K., 2019. Debatable questions of the history. Vestnik, 2, 5–14. "
        "https://doi.org/10.17072/2219-3111-2019-2-5-13"
    )
    printed = Work(doi="10.17072/2219-3111-2019-2-5-13", volume="2", page="5-13")
    reference = Reference(text=text, volume="2", pages="5–14", confident=SURE)
    assert [f.code for f in reconcile(reference, printed, compare(reference, printed))] == ["RC604"]


def test_pages_agree() -> None:
    assert pages_agree("811", work("811-816")) is True
    assert pages_agree("911", work("811-816")) is False
    assert pages_agree("911", work()) is None


@pytest.mark.parametrize("cited", ["904826", "Article ID 904826", "Art. no. 904826"])
def test_a_hindawi_article_id_is_the_number_its_doi_ends_in(cited: str) -> None:
    # 10.1155/2015/904826 (works-dev): Crossref holds only "1-12" and no article number;
    # "Advances in Meteorology, vol. 2015, Article ID 904826, 12 pages" is how it is cited.
    hindawi = Work(doi="10.1155/2015/904826", title="Initialized Decadal Predictions", page="1-12")
    assert compare_pages(Reference(pages=cited), hindawi) == []
    assert pages_agree(cited, hindawi) is True
    assert [f.code for f in compare_pages(Reference(pages="904827"), hindawi)] == ["RC603"]


@pytest.mark.parametrize("doi", ["10.32920/22229509", "10.2172/893359"])
def test_a_doi_number_gives_no_pages_to_a_record_without_any(doi: str) -> None:
    # works-dev: a report and a thesis with no pages, cited in MLA with a day ("7 Mar. 2023").
    report = Work(doi=doi, title="A report")
    assert compare_pages(Reference(pages="7"), report) == []
    assert compare_pages(Reference(pages=doi.rsplit("/", 1)[1]), report) == []
