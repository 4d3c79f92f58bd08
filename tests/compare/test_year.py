from __future__ import annotations

from refcheck.compare.year import compare_year, labelled_years
from refcheck.models import Reference, Severity, Work

KASCH = Work(
    doi="10.1097/BRS.0000000000004198",
    published_print=(2022, 2, 1),
    published_online=(2021, 8, 18),
    issued=(2021, 8, 18),
)


def test_print_year_is_silent() -> None:
    assert compare_year(Reference(year=2022), KASCH) == []


def test_online_year_is_info_rc402() -> None:
    [found] = compare_year(Reference(year=2021), KASCH)
    assert (found.code, found.field, found.severity) == ("RC402", "year", Severity.INFO)
    assert found.cited == "2021"
    assert found.expected == "2022 (print), 2021 (online, issued)"


def test_other_year_is_error_rc401() -> None:
    [found] = compare_year(Reference(year=2019), KASCH)
    assert (found.code, found.severity) == ("RC401", Severity.ERROR)
    assert (found.cited, found.expected) == ("2019", "2022 (print), 2021 (online, issued)")
    assert found.message == "Year 2019 cited; Crossref has 2022 (print), 2021 (online, issued)"


def test_year_after_online_without_print_date_is_a_warning() -> None:
    online_only = Work(doi="10.1/x", published_online=(2014, 12, 20), issued=(2014, 12, 20))
    [found] = compare_year(Reference(year=2015), online_only)
    assert (found.code, found.severity) == ("RC401", Severity.WARNING)
    [far] = compare_year(Reference(year=2016), online_only)
    assert far.severity is Severity.ERROR


def test_labelled_years() -> None:
    assert labelled_years(KASCH) == [(2022, ["print"]), (2021, ["online", "issued"])]


def test_no_year_on_either_side() -> None:
    assert compare_year(Reference(), KASCH) == []
    assert compare_year(Reference(year=2020), Work(doi="10.1/x")) == []


def test_without_dates_a_proceedings_title_year_is_used() -> None:
    work = Work(
        doi="10.1109/icdcsw.2003.1203662",
        container_title=("23rd International Conference on Distributed Computing Systems "
                         "Workshops, 2003. Proceedings.",),
    )  # fmt: skip
    assert compare_year(Reference(year=2003), work) == []
    assert compare_year(Reference(year=2004), work) == []
    [found] = compare_year(Reference(year=2006), work)
    assert (found.code, found.severity, found.expected) == (
        "RC401",
        Severity.WARNING,
        "2003 (container title)",
    )
    undated = Work(doi="10.1/x", container_title=("Power Electronics in Transportation",))
    assert compare_year(Reference(year=1996), undated) == []
