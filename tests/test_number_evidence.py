"""Issue 12, end to end on real Crossref records (works-dev) through the loopback stand-in:
numbers inside a DOI or URL are no evidence for a field, a year vouches only where it stands
as the year, and a reference without DOI whose year alone is wrong is matched and the year
named -- while another year's paper by the same people is never taken for it.

Each post is written to a file, read by the post reader and checked over HTTP.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from refcheck.api import check_file
from refcheck.config import Settings
from refcheck.models import Severity, Status, Verdict
from refcheck.testing.crossref_standin import CrossrefStandin, load_records

SICI = "10.1002/(sici)1097-4652(199907)180:1<114::aid-jcp13>3.0.co;2-0"  # 180(1):114-122
# Volume 9, issue 1, first page 1: "9:1" in the DOI reads as volume 9, page 1.
SICI_9_1 = "10.1002/(sici)1234-987x(199601)9:1<1::aid-meh402>3.3.co;2-9"
ALLEN = (
    "R. G. Allen, M. Tresini, B. P. Keogh, D. L. Doggett, and V. J. Cristofalo, "
    "“Differences in electron transport potential, antioxidant defenses, and oxidant "
    "generation in young and senescent fetal lung fibroblasts (WI-38),” Journal of Cellular "
    "Physiology, vol. {volume}, no. 1, pp. 114–122, 1999, doi: " + SICI + "."
)
ALLEN_HARVARD = (
    "Allen, R.G. et al. (1999) ‘Differences in electron transport potential, antioxidant "
    "defenses, and oxidant generation in young and senescent fetal lung fibroblasts "
    "(WI-38)’, Journal of Cellular Physiology, {volume}(1), pp. 114–122. "
    "https://doi.org/" + SICI
)
VAN_LAAR = (
    "Van Laar JH, De Soet JJ, Hogeveen R, De Graaff J. Adhesion of Streptococcus mutans to "
    "saliva-coated hydroxyapatite formed in situ in microtitre plates. Microbial Ecology in "
    "Health and Disease. 1996;{volume}(1):1-8. doi:" + SICI_9_1
)
# Elsevier Harvard prints the volume bare, and the DOI's "89:5<682::" holds it with the page.
SICI_89_5 = "10.1002/(sici)1520-6017(200005)89:5<682::aid-jps14>3.3.co;2-r"
ALLISON = (
    "Allison, S.D., Anchordoquy, T.J., 2000. Mechanisms of protection of cationic lipid-DNA "
    "complexes during lyophilization. Journal of Pharmaceutical Sciences {volume}, 682. "
    "https://doi.org/" + SICI_89_5
)
# The DOI holds the year (2019) the reference gets wrong.
SAMIGULOV = (
    "Samigulov, G.K., 2022. DEBATABLE QUESTIONS OF THE HISTORY OF THE TRANS-URALIAN TURKS "
    "INCORPORATION INTO THE RUSSIAN STATE. Вестник Пермского университета. История 5–13. "
    "https://doi.org/10.17072/2219-3111-2019-2-5-13"
)
# The DOI holds the article number (112792) the reference gets wrong.
SOGUT = (
    "Sogut, E., Velioglu Sogut, D., & Farhadzadeh, A. (2022). Experimental study of bed "
    "evolution around a non-slender square structure under combined solitary wave and steady "
    "current actions. Ocean Engineering, 266, {page}. "
    "https://doi.org/10.1016/j.oceaneng.2022.112792"
)
# Hindawi: the volume is the year (2015).
WU = (
    "B. Wu, X. Chen, F. Song, Y. Sun, and T. Zhou, “Initialized Decadal Predictions by "
    "LASG/IAP Climate System Model FGOALS-s2: Evaluations of Strengths and Weaknesses,” "
    "Advances in Meteorology, vol. 2015, pp. 1–12, {year}."
)
ZONG = (
    "Zong, N., et al. “Nutrient Enrichment Mediates the Relationships of Soil Microbial "
    "Respiration with Climatic Factors in an Alpine Meadow.” The Scientific World Journal, "
    "vol. 2015, {year}, pp. 1–11."
)
DELPHI_DOI = "10.1371/journal.pone.0020476"  # PLoS ONE 2011;6(6):e20476
DELPHI = (
    "Boulkedid R, Abdoul H, Loustau M, Sibony O, Alberti C. Using and reporting the Delphi "
    "method for selecting healthcare quality indicators: a systematic review. PLoS ONE. "
    "{year};6(6):e20476."
)
MACDONALD = (
    "MacDonald, M.C., Christiansen, M.H., {year}. Reassessing working memory: Comment on Just "
    "and Carpenter (1992) and Waters and Caplan (1996). Psychological Review 109, 35–54."
)
FREEMAN = "Freeman A. Using the datepicker widget. In: Pro jQuery 2.0. Apress; {year}:555-586."


@pytest.fixture(scope="module")
def records(shared: Path) -> list[dict[str, Any]]:
    return load_records(shared / "crossref" / "works-dev.jsonl.gz")


@pytest.fixture(scope="module")
def crossref(records: list[dict[str, Any]]) -> Iterator[CrossrefStandin]:
    with CrossrefStandin(records) as server:
        yield server


def _check(tmp_path: Path, url: str, *references: str) -> list[Verdict]:
    post = tmp_path / "post.md"
    items = "".join(f"- {reference}\n" for reference in references)
    post.write_text(f"# A post\n\nSome prose.\n\n## References\n\n{items}", encoding="utf-8")
    settings = Settings(crossref_url=url, no_cache=True, timeout=5)
    verdicts = check_file(post, settings=settings)
    assert len(verdicts) == len(references)
    return verdicts


def _errors(verdict: Verdict) -> list[tuple[str, str | None, str | None]]:
    return [(f.code, f.cited, f.expected) for f in verdict.findings if f.severity is Severity.ERROR]


def _serious(verdict: Verdict) -> list[str]:
    return [f.code for f in verdict.findings if f.severity is not Severity.INFO]


def test_numbers_inside_a_sici_doi_do_not_vouch_for_a_wrong_volume(
    tmp_path: Path, crossref: CrossrefStandin
) -> None:
    verdicts = _check(
        tmp_path,
        crossref.url,
        ALLEN.format(volume="2"),
        ALLEN_HARVARD.format(volume="18"),
        VAN_LAAR.format(volume="8"),
        ALLISON.format(volume="90"),
    )
    assert [v.status for v in verdicts] == [Status.MISMATCH] * 4
    assert _errors(verdicts[0]) == [("RC601", "2", "180")]
    assert _errors(verdicts[1]) == [("RC601", "18", "180")]
    assert _errors(verdicts[2]) == [("RC601", "8", "9")]
    assert _errors(verdicts[3]) == [("RC601", "90", "89")]
    assert {v.work.doi for v in verdicts if v.work} == {SICI, SICI_9_1, SICI_89_5}


def test_a_correct_reference_with_a_sici_doi_is_verified(
    tmp_path: Path, crossref: CrossrefStandin
) -> None:
    verdicts = _check(
        tmp_path,
        crossref.url,
        ALLEN.format(volume="180"),
        ALLEN_HARVARD.format(volume="180"),
        VAN_LAAR.format(volume="9"),
        ALLISON.format(volume="89"),
    )
    assert [v.status for v in verdicts] == [Status.VERIFIED] * 4
    assert [_serious(v) for v in verdicts] == [[], [], [], []]


def test_a_year_or_page_inside_the_doi_does_not_excuse_the_cited_one(
    tmp_path: Path, crossref: CrossrefStandin
) -> None:
    samigulov, sogut, sogut_right = _check(
        tmp_path,
        crossref.url,
        SAMIGULOV,
        SOGUT.format(page="112802"),
        SOGUT.format(page="112792"),
    )
    assert samigulov.status is Status.MISMATCH
    assert [code for code, _, _ in _errors(samigulov)] == ["RC401"]
    assert sogut.status is Status.MISMATCH
    assert [(code, cited) for code, cited, _ in _errors(sogut)] == [("RC603", "112802")]
    assert sogut_right.status is Status.VERIFIED
    assert _serious(sogut_right) == []


def test_a_volume_named_by_its_year_does_not_vouch_for_a_wrong_year(
    tmp_path: Path, crossref: CrossrefStandin
) -> None:
    wrong_wu, wrong_zong, right_wu, right_zong = _check(
        tmp_path,
        crossref.url,
        WU.format(year="2016"),
        ZONG.format(year="2012"),
        WU.format(year="2015"),
        ZONG.format(year="2015"),
    )
    assert [(code, cited) for code, cited, _ in _errors(wrong_wu)] == [("RC401", "2016")]
    assert [(code, cited) for code, cited, _ in _errors(wrong_zong)] == [("RC401", "2012")]
    # The volume equal to the year is neither a wrong volume nor a wrong year.
    assert [right_wu.status, right_zong.status] == [Status.VERIFIED] * 2
    assert [_serious(right_wu), _serious(right_zong)] == [[], []]


def test_without_doi_a_wrong_year_is_matched_and_named(
    tmp_path: Path, crossref: CrossrefStandin
) -> None:
    delphi, macdonald, freeman = _check(
        tmp_path,
        crossref.url,
        DELPHI.format(year="2016"),
        MACDONALD.format(year="2007"),
        FREEMAN.format(year="2018"),
    )
    assert [v.work.doi if v.work else None for v in (delphi, macdonald, freeman)] == [
        DELPHI_DOI,
        "10.1037/0033-295x.109.1.35",
        "10.1007/978-1-4302-6389-0_21",
    ]
    for verdict, year in ((delphi, "2016"), (macdonald, "2007"), (freeman, "2018")):
        assert verdict.status is Status.MISMATCH
        assert [(code, cited) for code, cited, _ in _errors(verdict)] == [("RC401", year)]


def _look_alike(record: dict[str, Any]) -> dict[str, Any]:
    """The same people's paper in the same journal, five years on: another title, volume,
    article number and DOI."""
    other = copy.deepcopy(record)
    other["DOI"] = "10.1371/journal.pone.0150001"
    other["title"] = ["Quality indicators for paediatric emergency care: a Delphi consensus"]
    other["volume"], other["issue"], other["page"] = "11", "3", "e0150001"
    for key in ("issued", "published-online", "published"):
        other[key] = {"date-parts": [[2016, 3, 1]]}
    return other


def test_another_years_paper_by_the_same_people_is_not_taken(
    tmp_path: Path, records: list[dict[str, Any]]
) -> None:
    delphi = next(r for r in records if r["DOI"] == DELPHI_DOI)
    # The cited work is not in the index; its look-alike is, with the year the citation gives.
    kept = [r for r in records if r["DOI"] != DELPHI_DOI] + [_look_alike(delphi)]
    with CrossrefStandin(kept) as server:
        [verdict] = _check(tmp_path, server.url, DELPHI.format(year="2016"))
    assert verdict.status is Status.NOT_FOUND, json.dumps(_errors(verdict))
    assert verdict.work is None
