from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from refcheck.compare.title import (
    HEAD_MATCH,
    compare_title,
    is_notice_title,
    main_title,
    same_title,
    title_heads,
    title_in_text,
    title_similarity,
)
from refcheck.models import Reference, Severity, Work

WORK = Work(
    doi="10.3174/ajnr.A4173",
    title="Systematic Literature Review of Imaging Features of Spinal Degeneration in "
    "Asymptomatic Populations",
)


SPINE_TITLE = WORK.title or ""


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
    cited = SPINE_TITLE.replace("Features", "Feature")
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
    assert title_similarity("Sciatica in cats", WORK) < 0.5


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


# Word by word: real titles (the seed post's and works-dev records') with one word changed.
SPINE = SPINE_TITLE
SCIATICA = "Magnetic Resonance Imaging in Follow-up Assessment of Sciatica"
LUMBAR = (
    "Association of Lumbar MRI Findings with Current and Future Back Pain in a "
    "Population-based Cohort Study"
)
RESNET = "Deep Residual Learning for Image Recognition"
WAVES = (
    "Mass-modulation schemes for a class of wave energy converters: Experiments, models, "
    "and efficacy"
)
SPILLS = (
    "Remediation Technologies for Marine Oil Spills: A Critical Review and Comparative Analysis"
)


@pytest.mark.parametrize(
    ("title", "cited", "named"),
    [
        (SPINE, SPINE.replace("Degeneration", "Stenosis"), "has 'Stenosis' for 'Degeneration'"),
        (SCIATICA, SCIATICA.replace("Follow-up", "Long-term"), "has 'Long-term' for 'Follow-up'"),
        (LUMBAR, LUMBAR.replace("Current", "Recurrent"), "has 'Recurrent' for 'Current'"),
        (RESNET, RESNET.replace("Image", "Video"), "has 'Video' for 'Image'"),
        (WAVES, WAVES.replace("a class of ", "a of "), "leaves out 'class'"),
        (SPILLS, "Para remediation technologies for marine oil spills: a critical review and "
         "comparative analysis", "adds 'Para'"),
        (SPINE, SPINE.replace("Spinal ", "Lumbar Spinal "), "adds 'Lumbar'"),
        (SPINE, SPINE.removesuffix(" Populations"), "leaves out 'Populations'"),
        (SPILLS, SPILLS.replace("Oil", "Fuel").split(":")[0], "has 'Fuel' for 'Oil'"),
    ],
)  # fmt: skip
def test_a_changed_content_word_is_an_error_that_names_it(
    title: str, cited: str, named: str
) -> None:
    work = Work(doi="10.1/x", title=title)
    [found] = compare_title(Reference(title=cited), work)
    assert (found.code, found.severity) == ("RC201", Severity.ERROR)
    assert named in found.message
    assert (found.cited, found.expected) == (cited, title)


def test_the_message_shows_both_titles_with_the_words_marked() -> None:
    [found] = compare_title(
        Reference(title=SCIATICA.replace("Follow-up", "Long-term")),
        Work(doi="10.1/x", title=SCIATICA),
    )
    assert found.message == (
        "The cited title has 'Long-term' for 'Follow-up': "
        "cited 'Magnetic Resonance Imaging in «Long-term» Assessment of Sciatica', "
        "Crossref 'Magnetic Resonance Imaging in «Follow-up» Assessment of Sciatica'"
    )


def test_words_after_a_subtitle_break_are_compared_too() -> None:
    work = Work(doi="10.1/x", title=WAVES)
    [found] = compare_title(Reference(title=WAVES.replace("models", "methods")), work)
    assert found.code == "RC201"
    work = Work(doi="10.1/x", title="Deep learning", subtitle="a review of methods")
    [found] = compare_title(Reference(title="Deep learning: a review of models"), work)
    assert found.code == "RC201"


@pytest.mark.parametrize(
    ("title", "cited"),
    [
        ("Behavioural Ecology", "Behavioral ecology"),
        ("The development of ordered SQL packages for modelling advanced applications",
         "The development of ordered SQL packages for modeling advanced applications"),
        ("Tumour colour and behaviour in the oesophagus: organisation of paediatric centres",
         "Tumor color and behavior in the esophagus: organization of pediatric centers"),
        ("Benefits of Targeted Use of 5α-Reductase Inhibitors in Patients With Prostate Cancer",
         "Benefits of targeted use of 5-alpha-reductase inhibitors in patients with prostate "
         "cancer"),
        ("Benefits of Targeted Use of 5α-Reductase Inhibitors in Patients With Prostate Cancer",
         "Benefits of targeted use of 5a-reductase inhibitors in patients with prostate cancer"),
        ("Phase II study of lenvatinib for metastatic colorectal cancer refractory to standard "
         "chemotherapy: the LEMON study (NCCH1503)",
         "Phase 2 study of lenvatinib for metastatic colorectal cancer refractory to standard "
         "chemotherapy"),
        ("Three repair strategies", "3 repair strategies"),
        ("Long-term pCO2 dynamics in rivers in the Chesapeake Bay watershed",
         "Longterm pCO2 dynamics in rivers in Chesapeake Bay watershed"),
        ("Surface periodicity index (<mml:math xmlns:mml=\"http://www.w3.org/1998/Math/MathML\">"
         "<mml:mrow><mml:msub><mml:mi>S</mml:mi><mml:mrow><mml:mi>P</mml:mi><mml:mi>I</mml:mi>"
         "</mml:mrow></mml:msub></mml:mrow></mml:math>): A measure of periodicity of surface "
         "topography",
         "Surface periodicity index (SPI): a measure of periodicity of surface topography"),
        (SPINE, SPINE.replace(" of Imaging", " of the Imaging")),
        (SCIATICA, "Magnetic resonance imaging in follow up assessment of sciatica"),
        ("Current challenges and potential directions towards precision microscale additive "
         "manufacturing – Part I: Direct ink writing/jetting processes",
         "Current challenges and potential directions towards precision …"),
    ],
)  # fmt: skip
def test_spelling_numbers_markup_and_quiet_words_stay_quiet(title: str, cited: str) -> None:
    assert findings(cited, Work(doi="10.1/x", title=title)) == []


ORIGINAL = "Necesidades percibidas en el trabajo doméstico y de cuidados: un estudio cualitativo"
ENGLISH = "Perceived needs in domestic and care work: a qualitative study"


def test_a_translated_title_in_brackets_stays_quiet() -> None:
    plain = Work(doi="10.1/x", title=ORIGINAL)
    assert findings(f"{ORIGINAL} [{ENGLISH}]", plain) == []
    both = Work(doi="10.1/x", title=f"{ORIGINAL} [{ENGLISH}]")
    assert findings(ENGLISH, both) == []
    assert findings(ORIGINAL, both) == []
    # ... but a word changed in it is still a word changed.
    assert findings(ENGLISH.replace("care", "farm"), both) == [("RC201", Severity.ERROR)]


def test_brackets_that_hold_no_translation_are_compared() -> None:
    work = Work(
        doi="10.1/x",
        title="Kinetic investigations of the reactions of hindered phenols with "
        "N-fluoro-1,4-diazoniabicyclo[2.2.2]octane salt analogues",
    )
    cited = (work.title or "").replace("Kinetic", "Thermal")
    assert findings(cited, work) == [("RC201", Severity.ERROR)]


@pytest.mark.parametrize(
    ("cited", "named"),
    [
        (SPINE.replace("Features", "Feature"), "has 'Feature' for 'Features'"),
        (SPINE.replace(" in Asymptomatic", " among Asymptomatic"), "has 'among' for 'in'"),
        (SPINE.replace("Spinal Degeneration", "Degeneration Spinal"), "Degeneration"),
        (SPINE.replace("Asymptomatic", "Asymptomtic"), "has 'Asymptomtic' for 'Asymptomatic'"),
        ("Systematic Literature Review of Imaging Features", "stops before 'Spinal Degeneration"),
    ],
)
def test_near_wording_that_keeps_every_content_word_is_a_warning(cited: str, named: str) -> None:
    [found] = compare_title(Reference(title=cited), WORK)
    assert (found.code, found.severity) == ("RC202", Severity.WARNING)
    assert named in found.message


def test_a_part_number_is_a_content_word() -> None:
    work = Work(doi="10.1/x", title="Precision manufacturing – Part III: Energy deposition")
    [found] = compare_title(
        Reference(title="Precision manufacturing – Part I: Energy deposition"), work
    )
    assert found.code == "RC201"
    assert "has 'I' for 'III'" in found.message


@pytest.mark.parametrize(
    ("text", "held"),
    [
        (f"Kasch R, et al. {LUMBAR}. Spine. 2022;47(3):201-211.", True),
        (f"Kasch, R. (2022). “{LUMBAR.lower()},” Spine, 47(3).", True),
        (f"Kasch R (2022) {LUMBAR} Spine 47", False),  # nothing sets it apart
        (f"Kasch R (2022). Recurrent {LUMBAR}. Spine 47", False),  # an added first word
        (f"Kasch R (2022). {LUMBAR} Revisited. Spine 47", False),  # an added last word
        (f"Kasch R (2022). {LUMBAR.replace('Current', 'Recurrent')}. Spine 47", False),
    ],
)
def test_title_in_text_needs_the_whole_title_set_apart(text: str, held: bool) -> None:
    assert title_in_text(text, Work(doi="10.1/x", title=LUMBAR)) is held


ARCTIC = Work(doi="10.2307/1361", title="Canadian Arctic Wild Life Enquiry, 1940-41")


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("Chitty D, Nicholson M. Canadian Arctic Wild Models Enquiry, 1940-41. The Journal of "
         "Animal Ecology. 1942 Nov;11(2):270.", "has 'Models' for 'Life'"),
        ("Chitty, D., & Nicholson, M. (1942). Stability Arctic Wild Life Enquiry, 1940-41. The "
         "Journal of Animal Ecology, 11(2), 270.", "has 'Stability' for 'Canadian'"),
        ("Chitty D, Nicholson M. Typology canadian Arctic Wild Life Enquiry, 1940-41. The "
         "Journal of Animal Ecology. 1942 Nov;11(2):270.", "adds 'Typology'"),
    ],
)  # fmt: skip
def test_a_title_the_parser_did_not_read_is_found_in_the_string(text: str, named: str) -> None:
    # The parser took these titles for part of the journal's name.
    reference = Reference(text=text, confident=frozenset({"authors", "year"}))
    [found] = compare_title(reference, ARCTIC)
    assert found.code == "RC201"
    assert named in found.message


def test_a_string_holding_the_title_unread_gives_nothing() -> None:
    text = (
        "Chitty D, Nicholson M. Canadian Arctic Wild Life Enquiry, 1940-41. The Journal of "
        "Animal Ecology. 1942 Nov;11(2):270."
    )
    assert compare_title(Reference(text=text, confident=frozenset()), ARCTIC) == []
    # Nor one that holds too little of it to place it: another paper's title.
    other = "Chitty D. Snowshoe hares in the wild. The Journal of Animal Ecology. 1942;11:270."
    assert compare_title(Reference(text=other, confident=frozenset()), ARCTIC) == []
    # A structured entry without a title has none to compare.
    assert compare_title(Reference(text=text), ARCTIC) == []


@pytest.mark.parametrize(
    ("text", "held"),
    [
        ("Benderly, B. L. “A “misleading” Jobs Report from NSF?” Science, Sept. 2014.", True),
        ("Benderly BL. A “misleading” jobs report from NSF?. Science. 2014.", True),
        # A word added before the title's quoted word: the inner quote starts no title.
        ("Benderly, B. L. “A Care “misleading” Jobs Report from NSF?” Science, 2014.", False),
        ("Benderly BL. A niger “misleading” jobs report from NSF?. Science. 2014.", False),
    ],
)
def test_a_quote_inside_the_title_does_not_start_it(text: str, held: bool) -> None:
    # Crossref 10.1126/science.caredit.a1400238.
    work = Work(doi="10.1126/x", title="A “misleading” jobs report from NSF?")

    assert title_in_text(text, work) is held


MCADAMS = (
    "McAdams, R. M. (2019). Increased Odds of Survival or Prevention of Severe Neurological "
    "Injury in Extremely Low-Gestational-Age Neonates{subtitle}. JAMA Network Open, 2(3), "
    "e191293. https://doi.org/10.1001/jamanetworkopen.2019.1293"
)


@pytest.mark.parametrize(
    ("subtitle", "vouches"),
    [
        (": Including Placental Transfusion as the First Step to Improve Outcomes in Preterm "
         "Newborns", True),
        ("", True),  # the subtitle left out
        # A word of the subtitle dropped, or changed: the main title alone does not vouch.
        (": Including Placental Transfusion as the First Step to Improve Outcomes in Preterm",
         False),
        (": Including Placental Transfusion as the First Step to Improve Outcomes in Preterm "
         "Infants", False),
        (": Including Transfusion as the First Step to Improve Outcomes in Preterm Newborns",
         False),
    ],
)  # fmt: skip
def test_the_main_title_alone_does_not_vouch_for_a_changed_subtitle(
    shared: Path, subtitle: str, vouches: bool
) -> None:
    record = _record(shared, "10.1001/jamanetworkopen.2019.1293")
    work = Work.from_crossref(record)
    assert work.subtitle  # Crossref holds the subtitle apart
    assert title_in_text(MCADAMS.format(subtitle=subtitle), work) is vouches


def _record(shared: Path, doi: str) -> dict[str, Any]:
    with gzip.open(shared / "crossref" / "works-dev.jsonl.gz", "rt", encoding="utf-8") as lines:
        for line in lines:
            if doi in line:
                record: dict[str, Any] = json.loads(line)
                if record["DOI"].lower() == doi:
                    return record
    raise AssertionError(f"{doi} is not in works-dev")


def test_a_genus_initial_starts_no_subtitle(shared: Path) -> None:
    # "Lessons from C. elegans": cut after "C." it is a word dropped, not a subtitle left out.
    work = Work.from_crossref(_record(shared, "10.1080/19420889.2017.1395120"))
    assert work.title == "The dire side of autophagy in aging: Lessons from C. elegans"
    cut = Reference(title="The dire side of autophagy in aging: Lessons from C")
    assert [f.code for f in compare_title(cut, work)] == ["RC201"]
    assert compare_title(Reference(title=work.title), work) == []
    assert compare_title(Reference(title="The dire side of autophagy in aging"), work) == []
    # A capital after an initial's stop may start a subtitle.
    assert title_heads("Vitamin D. A review") == ("Vitamin D",)
