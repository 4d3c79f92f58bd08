"""Free-text evidence for numbers: digits inside identifiers vouch for nothing, a year only
where it stands as the year, and the string may show a work whose year alone is wrong."""

from __future__ import annotations

import pytest

from refcheck.compare import compare
from refcheck.compare.freetext import reconcile, text_matches, without_identifiers
from refcheck.models import Person, Reference, Severity, Work

SICI = "10.1002/(sici)1097-4652(199907)180:1<114::aid-jcp13>3.0.co;2-0"
ALL_SURE = frozenset({"authors", "year", "title", "container", "volume", "issue", "pages"})

# Real records (works-dev): a SICI DOI whose "9:1<1::" reads as volume 9, first page 1; a
# Hindawi paper whose volume is its year and whose DOI holds the year again.
VAN_LAAR = Work(
    doi="10.1002/(sici)1234-987x(199601)9:1<1::aid-meh402>3.3.co;2-9",
    title="Adhesion of Streptococcus mutans to Saliva-coated Hydroxyapatite formed in situ",
    authors=(Person(family="Van Laar", given="J. H."), Person(family="De Soet", given="J. J.")),
    container_title=("Microbial Ecology in Health and Disease",),
    volume="9",
    issue="1",
    page="1-8",
    published_print=(1996, 1),
)
WU = Work(
    doi="10.1155/2015/904826",
    title="Initialized Decadal Predictions by LASG/IAP Climate System Model FGOALS-s2",
    authors=(Person(family="Wu", given="Bo"), Person(family="Chen", given="Xiaolong")),
    container_title=("Advances in Meteorology",),
    volume="2015",
    page="1-12",
    published_print=(2015,),
)
DELPHI = Work(
    doi="10.1371/journal.pone.0020476",
    title="Using and Reporting the Delphi Method for Selecting Healthcare Quality Indicators",
    authors=(Person(family="Boulkedid", given="Rym"), Person(family="Abdoul", given="Hendy")),
    container_title=("PLoS ONE",),
    volume="6",
    issue="6",
    page="e20476",
    published_online=(2011, 6, 9),
)


def _errors(reference: Reference, work: Work) -> list[tuple[str, str | None]]:
    findings = reconcile(reference, work, compare(reference, work))
    return [(f.field, f.cited) for f in findings if f.severity is not Severity.INFO]


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("Ocean Eng 266, 112802. https://doi.org/10.1016/j.oceaneng.2022.112792",
         "Ocean Eng 266, 112802."),
        (f"J Cell Physiol. doi:{SICI}", "J Cell Physiol. doi:"),
        ("Oxford, 1990. ISBN 0-19-852663-6. 406 pages", "Oxford, 1990. . 406 pages"),
        ("Oxford, 1990. ISBN: 9780198526636, 2nd ed.", "Oxford, 1990. , 2nd ed."),
        ("Oxford; 978-0-19-852663-6, 1990", "Oxford; , 1990"),
        ("A preprint. arXiv:2003.01234, 2019", "A preprint. 2019"),
        ("See www.example.org/2015/05/page for more", "See for more"),
    ],
)  # fmt: skip
def test_identifiers_are_blanked(text: str, plain: str) -> None:
    assert without_identifiers(text).split() == plain.split()


def test_a_sici_dois_volume_and_page_do_not_excuse_a_wrong_volume() -> None:
    text = (
        "Van Laar JH, De Soet JJ. Adhesion of Streptococcus mutans to saliva-coated "
        "hydroxyapatite formed in situ. Microbial Ecology in Health and Disease. 1996;8:1-8. "
        f"doi:{VAN_LAAR.doi}"
    )
    cited = Reference(
        text=text,
        authors=VAN_LAAR.authors,
        title=VAN_LAAR.title,
        container="Microbial Ecology in Health and Disease",
        year=1996,
        volume="8",
        pages="1-8",
        doi=VAN_LAAR.doi,
        confident=ALL_SURE - {"volume"},
    )
    assert _errors(cited, VAN_LAAR) == [("volume", "8")]


def _wu(year: int, *, confident: frozenset[str] = ALL_SURE) -> Reference:
    return Reference(
        text=(
            "B. Wu and X. Chen, “Initialized Decadal Predictions by LASG/IAP Climate System "
            f"Model FGOALS-s2,” Advances in Meteorology, vol. 2015, pp. 1–12, {year}. "
            "doi: 10.1155/2015/904826"
        ),
        authors=WU.authors,
        title=WU.title,
        container="Advances in Meteorology",
        year=year,
        volume="2015",
        pages="1–12",
        doi=WU.doi,
        confident=confident,
    )


def test_a_volume_named_by_its_year_does_not_vouch_for_the_year() -> None:
    # The parser unsure of the year: the string is asked, and its 2015s are the volume's
    # and the DOI's.
    assert _errors(_wu(2016, confident=ALL_SURE - {"year"}), WU) == [("year", "2016")]
    assert _errors(_wu(2015, confident=ALL_SURE - {"year"}), WU) == []


def test_a_year_written_as_the_year_still_vouches() -> None:
    # The parser read 2009 from the title; the string writes 2015 as the year too.
    reference = _wu(2009, confident=ALL_SURE - {"year"}).model_copy(
        update={"text": _wu(2015).text.replace("vol. 2015", "vol. 2015, 2015")}
    )
    assert _errors(reference, WU) == []


def _delphi(text: str) -> Reference:
    return Reference(text=text, authors=DELPHI.authors, title="Using", confident=frozenset())


DELPHI_TITLE = (
    "Boulkedid R, Abdoul H. Using and reporting the Delphi method for selecting healthcare "
    "quality indicators."
)


def test_the_string_shows_a_work_whose_year_alone_is_wrong() -> None:
    assert text_matches(_delphi(f"{DELPHI_TITLE} PLoS ONE. 2016;6(6):e20476."), DELPHI)
    assert text_matches(_delphi(f"{DELPHI_TITLE} PLoS ONE. 2011;6(6):e20476."), DELPHI)


@pytest.mark.parametrize(
    "where",
    [
        "PLoS ONE. 2016;7(3):e20476.",  # another volume
        "PLoS ONE. 2016;6(6):e20477.",  # another article number
        "PLoS Medicine. 2016;6(6):e20476.",  # another journal
        "2016.",  # nothing that places it
    ],
)
def test_a_wrong_year_is_tolerated_only_where_the_string_places_the_work(where: str) -> None:
    assert not text_matches(_delphi(f"{DELPHI_TITLE} {where}"), DELPHI)


def test_a_look_alike_whose_title_lost_a_word_is_not_shown_with_a_wrong_year() -> None:
    # All its title words are in the string, its place too; only not as its title.
    look_alike = DELPHI.model_copy(
        update={"title": "Using the Delphi Method for Selecting Healthcare Quality Indicators"}
    )
    text = f"{DELPHI_TITLE} PLoS ONE. 2016;6(6):e20476."
    assert text_matches(_delphi(text), DELPHI)
    assert not text_matches(_delphi(text), look_alike)
    assert text_matches(_delphi(text.replace("2016", "2011")), look_alike)


GIBB = Work(
    doi="10.1155/1988/259489",
    title="The Ciba Collection of Medical Illustrations",
    authors=(Person(family="Gibb", given="W. R. G."),),
    container_title=("Behavioural Neurology",),
    volume="1",
    issue="1",
    page="59-60",
    published_print=(1988,),
)


@pytest.mark.parametrize(("volume", "fields"), [("2", [("volume", "2")]), ("1", [])])
def test_the_issue_before_the_pages_is_not_crossrefs_volume(
    volume: str, fields: list[tuple[str, str]]
) -> None:
    cited = Reference(
        text=(
            "W. R. G. Gibb, “The ciba collection of medical illustrations,” Behavioural "
            f"Neurology, vol. {volume}, no. 1, pp. 59–60, 1988."
        ),
        authors=GIBB.authors,
        title="The ciba collection of medical illustrations",
        container="Behavioural Neurology",
        year=1988,
        volume=volume,
        issue="1",
        pages="59–60",
        confident=ALL_SURE,
    )
    assert _errors(cited, GIBB) == fields


def test_a_volume_named_by_its_year_read_unsure_does_not_vouch_either() -> None:
    # APA, Hindawi: "Case Reports in Surgery, 2020, 1–4"; the parser sure of neither number.
    work = WU.model_copy(update={"volume": "2020", "published_print": (2020, 2, 27)})
    cited = _wu(2018, confident=frozenset({"authors", "doi"})).model_copy(
        update={
            "text": "Wu, B. (2018). Initialized Decadal Predictions. Advances in Meteorology, "
            "2020, 1–12. https://doi.org/10.1155/2020/904826",
            "volume": "2020",
        }
    )
    assert _errors(cited, work) == [("year", "2018")]
    right = cited.model_copy(update={"year": 2020, "text": cited.text.replace("2018", "2020")})
    assert _errors(right, work) == []
