from __future__ import annotations

import pytest

from refcheck.compare.title import (
    HEAD_MATCH,
    RC201_BELOW,
    compare_title,
    is_notice_title,
    main_title,
    same_title,
    title_heads,
    title_similarity,
)
from refcheck.models import Reference, Severity, Work

WORK = Work(
    doi="10.3174/ajnr.A4173",
    title="Systematic Literature Review of Imaging Features of Spinal Degeneration in "
    "Asymptomatic Populations",
)


def findings(cited: str, work: Work = WORK) -> list[tuple[str, Severity]]:
    return [(f.code, f.severity) for f in compare_title(Reference(title=cited), work)]


@pytest.mark.parametrize(
    "cited",
    [
        "Systematic Literature Review of Imaging Features of Spinal Degeneration in "
        "Asymptomatic Populations",
        "Systematic literature review of imaging features of spinal degeneration in "
        "asymptomatic populations.",
        "SYSTEMATIC LITERATURE REVIEW OF IMAGING FEATURES OF SPINAL DEGENERATION IN "
        "ASYMPTOMATIC POPULATIONS",
        "“Systematic Literature Review of Imaging Features of Spinal Degeneration in "
        "Asymptomatic Populations”",
        "Systematic Literature Review of Imaging Features of Spinal Degeneration in "
        "Asymptomatic Populations: A Meta-Analysis",  # a subtitle Crossref lacks
    ],
)
def test_equivalent_titles_give_nothing(cited: str) -> None:
    assert findings(cited) == []


def test_markup_dashes_and_ampersands_fold() -> None:
    work = Work(doi="10.1/x", title="Follow-up of <i>E. coli</i> & CO<sub>2</sub> — a study")
    assert findings("Followup of E. coli and CO2: a study", work) == []


def test_subtitle_left_out() -> None:
    work = Work(doi="10.1/x", title="Deep learning: a review of methods")
    assert findings("Deep Learning", work) == []
    separate = Work(doi="10.1/x", title="Deep learning", subtitle="a review of methods")
    assert findings("Deep learning: a review of methods", separate) == []
    assert findings("Deep learning", separate) == []


def test_retracted_mark_is_not_part_of_the_title() -> None:
    work = Work(doi="10.1/x", title="RETRACTED: Vaccines and autism")
    assert findings("Vaccines and autism", work) == []


def test_lossy_greek_letters() -> None:
    work = Work(doi="10.1/x", title="The role of 5α-reductase in Bcl-2∆ cells")
    assert findings("The role of 5a-reductase in Bcl-2D cells", work) == []
    assert findings("The role of 5alpha-reductase in Bcl-2delta cells", work) == []


def test_near_wording_rc202_warning() -> None:
    cited = "Systematic Review of Imaging Features of Spinal Degeneration in Asymptomatic People"
    assert findings(cited) == [("RC202", Severity.WARNING)]
    [found] = compare_title(Reference(title=cited), WORK)
    assert found.cited == cited
    assert found.expected == WORK.title


def test_truncated_title_is_a_variant_not_another_title() -> None:
    assert findings("Systematic Literature Review of Imaging Features") == [
        ("RC202", Severity.WARNING)
    ]


def test_another_title_rc201_error() -> None:
    [found] = compare_title(
        Reference(title="Magnetic Resonance Imaging in Follow-up Assessment of Sciatica"), WORK
    )
    assert (found.code, found.severity) == ("RC201", Severity.ERROR)
    assert found.expected == WORK.title
    assert "is not this work's title" in found.message


def test_parts_of_a_series_are_not_the_same_title() -> None:
    work = Work(doi="10.1/x", title="Precision manufacturing – Part III: Energy deposition")
    assert not same_title("Precision manufacturing – Part I: Direct ink writing", work)


def test_similarity_scale() -> None:
    assert title_similarity(WORK.title or "", WORK) == 1.0
    head = Work(doi="10.1/x", title="Deep learning: a review")
    assert title_similarity("Deep learning", head) == HEAD_MATCH
    assert title_similarity("Sciatica in cats", WORK) < RC201_BELOW


def test_main_title() -> None:
    assert main_title("Cancer: a review") == "Cancer"
    assert main_title("Cancer") == "Cancer"


@pytest.mark.parametrize(
    ("title", "notice"),
    [
        ("Correction: Sustained expression of HoxA5", True),
        ("Erratum to “Imaging of the spine”", True),
        ("Retraction Note: Imaging", True),
        ("Comment on “Imaging of the spine”", True),
        ("Review of wave models", False),
        ("Corrections in spectroscopy", False),
    ],
)
def test_notice_titles(title: str, notice: bool) -> None:
    assert is_notice_title(title) is notice


def test_no_title_on_either_side() -> None:
    assert compare_title(Reference(), WORK) == []
    assert compare_title(Reference(title="Anything"), Work(doi="10.1/x")) == []


def test_latex_math_decoded_loosely() -> None:
    work = Work(doi="10.1/x", title=r"$${\mathcal {W}}_\infty $$-transport with discrete target")
    assert findings("$$ mathcal W_ infty $$-transport with discrete target", work) == []
    assert findings(r"$\mathcal{W}_\infty$-transport with discrete target", work) == []


def test_combining_marks_lost() -> None:
    work = Work(doi="10.1/x", title="Социальная составляющая российского краудфандинга")
    assert findings("Социальная составляющая россииского краудфандинга", work) == []


@pytest.mark.parametrize(
    ("title", "heads"),
    [
        ("COVID-19 vaccines in the UK", ()),  # a hyphen inside a word is no break
        ("Ends with a dot.", ()),
        ("Spine - a review", ("Spine",)),
        ("Spine—a review", ("Spine",)),
        ("What? Why not", ("What",)),
        ("Cancer: a review. Part 2", ("Cancer", "Cancer: a review")),
    ],
)
def test_title_heads(title: str, heads: tuple[str, ...]) -> None:
    assert title_heads(title) == heads


def test_cited_subtitle_and_retracted_mark_together() -> None:
    work = Work(doi="10.1/r", title="RETRACTED: Spine imaging")
    assert title_similarity("Spine imaging: a review", work) == HEAD_MATCH
    assert title_similarity("Spine imaging", work) == 1.0
