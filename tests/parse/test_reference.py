"""parse_reference on the seed's references, each common style, and the listed variations."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from refcheck.models import Location, Person
from refcheck.parse import ParsedReference, parse_reference, to_reference


def families(parsed: ParsedReference) -> list[str | None]:
    return [person.family or person.literal for person in parsed.authors]


# --- the seed post ------------------------------------------------------------------------

SEED_BRINJIKJI = (
    "-Brinjikji, W., Luetmer, P.H., Comstock, B., Bresnahan, B.W., Chen, L.E., Deyo, R.A., "
    "Halabi, S., Turner, J.A., Avins, A.L., James, K., Wald, J.T., Kallmes, D.F. and Jarvik, "
    "J.G., 2015. Systematic Literature Review of Imaging Features of Spinal Degeneration in "
    "Asymptomatic Populations. American Journal of Neuroradiology, 36(4), pp.811–816."
)
SEED_EL_BARZOUHI = (
    "-El Barzouhi, A., Vleggeert-Lankamp, C.L.A.M., Lycklama À Nijeholt, G.J., Van Der Kallen, "
    "B.F., Van Den Hout, W.B., Jacobs, W.C.H., Koes, B.W. and Peul, W.C., 2013. Magnetic "
    "Resonance Imaging in Follow-up Assessment of Sciatica. New England Journal of Medicine, "
    "368(11), pp.999–1007."
)
SEED_KASCH = (
    "-Kasch, R., Truthmann, J., Hancock, M.J., Maher, C.G., Otto, M., Nell, C., Reichwein, N., "
    "Bülow, R., Chenot, J.-F., Hofer, A., Wassilew, G. and Schmidt, C.O., 2022. Association of "
    "Lumbar MRI Findings with Current and Future Back Pain in a Population-based Cohort Study. "
    "Spine, 47(3), pp.201–211."
)
ALL_SURE = frozenset({"authors", "year", "title", "container", "volume", "issue", "pages"})


def test_seed_brinjikji() -> None:
    parsed = parse_reference(SEED_BRINJIKJI)
    assert families(parsed) == [
        "Brinjikji", "Luetmer", "Comstock", "Bresnahan", "Chen", "Deyo", "Halabi",
        "Turner", "Avins", "James", "Wald", "Kallmes", "Jarvik",
    ]  # fmt: skip
    assert parsed.authors[1] == Person(family="Luetmer", given="P.H.")
    assert not parsed.authors_truncated
    assert parsed.year == 2015
    assert parsed.title == (
        "Systematic Literature Review of Imaging Features of Spinal Degeneration in "
        "Asymptomatic Populations"
    )
    assert parsed.container == "American Journal of Neuroradiology"
    assert (parsed.volume, parsed.issue, parsed.pages) == ("36", "4", "811–816")
    assert parsed.doi is None
    assert parsed.confident == ALL_SURE


def test_seed_el_barzouhi_keeps_particles() -> None:
    parsed = parse_reference(SEED_EL_BARZOUHI)
    assert families(parsed) == [
        "El Barzouhi", "Vleggeert-Lankamp", "Lycklama À Nijeholt", "Van Der Kallen",
        "Van Den Hout", "Jacobs", "Koes", "Peul",
    ]  # fmt: skip
    assert parsed.authors[1].given == "C.L.A.M."
    assert parsed.year == 2013
    assert parsed.title == "Magnetic Resonance Imaging in Follow-up Assessment of Sciatica"
    assert parsed.container == "New England Journal of Medicine"
    assert (parsed.volume, parsed.issue, parsed.pages) == ("368", "11", "999–1007")
    assert parsed.confident == ALL_SURE


def test_seed_kasch_hyphenated_initials_and_umlaut() -> None:
    parsed = parse_reference(SEED_KASCH)
    assert len(parsed.authors) == 12
    assert parsed.authors[7] == Person(family="Bülow", given="R.")
    assert parsed.authors[8] == Person(family="Chenot", given="J.-F.")
    assert parsed.authors[-1] == Person(family="Schmidt", given="C.O.")
    assert parsed.year == 2022
    assert parsed.container == "Spine"
    assert (parsed.volume, parsed.issue, parsed.pages) == ("47", "3", "201–211")
    assert parsed.confident == ALL_SURE


def test_seed_file_references(shared: Path) -> None:
    lines = (shared / "seed" / "lumbar-mri-paradox.txt").read_text(encoding="utf-8").splitlines()
    references = [line for line in lines if line.startswith("-")]
    assert references == [SEED_BRINJIKJI, SEED_EL_BARZOUHI, SEED_KASCH]


# --- one example per style ---------------------------------------------------------------

TITLE = "Systematic literature review of imaging features of spinal degeneration"
TITLE_CASE = "Systematic Literature Review of Imaging Features of Spinal Degeneration"


@pytest.mark.parametrize(
    ("text", "container", "pages", "issue"),
    [
        pytest.param(
            "Brinjikji, W., Luetmer, P. H., & Jarvik, J. G. (2015). Systematic literature "
            "review of imaging features of spinal degeneration. American Journal of "
            "Neuroradiology, 36(4), 811–816. https://doi.org/10.3174/ajnr.A4173",
            "American Journal of Neuroradiology",
            "811–816",
            "4",
            id="apa",
        ),
        pytest.param(
            "Brinjikji W, Luetmer PH, Jarvik JG. Systematic literature review of imaging "
            "features of spinal degeneration. AJNR Am J Neuroradiol. 2015;36(4):811-6. "
            "doi:10.3174/ajnr.A4173",
            "AJNR Am J Neuroradiol",
            "811-6",
            "4",
            id="vancouver",
        ),
        pytest.param(
            "Brinjikji W, Luetmer PH, Jarvik JG. Systematic literature review of imaging "
            "features of spinal degeneration. AJNR Am J Neuroradiol. 2015;36(4):811-816. "
            "doi:10.3174/ajnr.A4173",
            "AJNR Am J Neuroradiol",
            "811-816",
            "4",
            id="ama",
        ),
        pytest.param(
            '[1] W. Brinjikji, P. H. Luetmer, and J. G. Jarvik, "Systematic literature review '
            'of imaging features of spinal degeneration," AJNR Am. J. Neuroradiol., vol. 36, '
            "no. 4, pp. 811–816, Apr. 2015, doi: 10.3174/ajnr.A4173.",
            "AJNR Am. J. Neuroradiol",
            "811–816",
            "4",
            id="ieee",
        ),
        pytest.param(
            "Brinjikji, W., Luetmer, P. H. & Jarvik, J. G. Systematic literature review of "
            "imaging features of spinal degeneration. Am. J. Neuroradiol. 36, 811–816 (2015).",
            "Am. J. Neuroradiol",
            "811–816",
            None,
            id="nature",
        ),
    ],
)
def test_styles_with_initials(text: str, container: str, pages: str, issue: str | None) -> None:
    parsed = parse_reference(text)
    assert families(parsed) == ["Brinjikji", "Luetmer", "Jarvik"]
    assert parsed.year == 2015
    assert parsed.title == TITLE
    assert parsed.container == container
    assert parsed.volume == "36"
    assert parsed.issue == issue
    assert parsed.pages == pages
    assert {"authors", "year", "title", "container", "volume", "pages"} <= parsed.confident
    if "10.3174" in text:
        assert parsed.doi == "10.3174/ajnr.A4173"
        assert "doi" in parsed.confident


def test_mla_full_given_names_and_et_al() -> None:
    parsed = parse_reference(
        'Brinjikji, Waleed, et al. "Systematic Literature Review of Imaging Features of Spinal '
        'Degeneration." American Journal of Neuroradiology, vol. 36, no. 4, 2015, pp. 811-816.'
    )
    assert parsed.authors == (Person(family="Brinjikji", given="Waleed"),)
    assert parsed.authors_truncated
    assert parsed.title == TITLE_CASE
    assert parsed.container == "American Journal of Neuroradiology"
    assert (parsed.year, parsed.volume, parsed.issue, parsed.pages) == (2015, "36", "4", "811-816")


def test_mla_seventh_edition_volume_dot_issue() -> None:
    parsed = parse_reference(
        'Brinjikji, Waleed, and Jeffrey G. Jarvik. "Systematic Literature Review of Imaging '
        'Features of Spinal Degeneration." American Journal of Neuroradiology 36.4 (2015): '
        "811-16."
    )
    assert parsed.authors == (
        Person(family="Brinjikji", given="Waleed"),
        Person(family="Jarvik", given="Jeffrey G."),
    )
    assert (parsed.year, parsed.volume, parsed.issue, parsed.pages) == (2015, "36", "4", "811-16")
    assert parsed.container == "American Journal of Neuroradiology"


def test_chicago_author_date() -> None:
    parsed = parse_reference(
        "Brinjikji, Waleed, Patrick H. Luetmer, and Jeffrey G. Jarvik. 2015. “Systematic "
        "Literature Review of Imaging Features of Spinal Degeneration.” American Journal of "
        "Neuroradiology 36 (4): 811–16. https://doi.org/10.3174/ajnr.A4173."
    )
    assert families(parsed) == ["Brinjikji", "Luetmer", "Jarvik"]
    assert parsed.authors[1].given == "Patrick H."
    assert parsed.title == TITLE_CASE
    assert parsed.container == "American Journal of Neuroradiology"
    assert (parsed.year, parsed.volume, parsed.issue, parsed.pages) == (2015, "36", "4", "811–16")
    assert parsed.doi == "10.3174/ajnr.A4173"
    assert parsed.url is None  # a doi.org link is the DOI, not a separate URL


def test_chicago_notes_volume_then_labelled_issue() -> None:
    parsed = parse_reference(
        "Brinjikji, Waleed, and Jeffrey G. Jarvik. “Systematic Literature Review.” American "
        "Journal of Neuroradiology 36, no. 4 (2015): 811–16."
    )
    assert (parsed.volume, parsed.issue, parsed.pages, parsed.year) == ("36", "4", "811–16", 2015)
    assert parsed.container == "American Journal of Neuroradiology"


@pytest.mark.parametrize(
    ("text", "container"),
    [
        pytest.param(
            "(1) Brinjikji, W.; Jarvik, J. G. Am. J. Neuroradiol. 2015, 36, 811–816.",
            "Am. J. Neuroradiol",
            id="acs",
        ),
        pytest.param(
            "1 W. Brinjikji and J.G. Jarvik, Am. J. Neuroradiol. 36, 811 (2015).",
            "Am. J. Neuroradiol",
            id="aip",
        ),
        pytest.param(
            "[1] W. Brinjikji, J.G. Jarvik, American Journal of Neuroradiology 36 (2015) 811.",
            "American Journal of Neuroradiology",
            id="elsevier",
        ),
    ],
)
def test_styles_without_titles(text: str, container: str) -> None:
    parsed = parse_reference(text)
    assert families(parsed) == ["Brinjikji", "Jarvik"]
    assert parsed.title is None
    assert parsed.container == container
    assert parsed.volume == "36"
    assert (parsed.pages or "").startswith("811")
    assert parsed.year == 2015


def test_physics_title_ends_at_comma() -> None:
    parsed = parse_reference(
        "M. M. Wolf, Violation of the entropic area law for Fermions, Phys. Rev. Lett. 96 "
        "(2006) 010404."
    )
    assert families(parsed) == ["Wolf"]
    assert parsed.title == "Violation of the entropic area law for Fermions"
    assert parsed.container == "Phys. Rev. Lett"
    assert (parsed.volume, parsed.pages, parsed.year) == ("96", "010404", 2006)


# --- the variations ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected", "title"),
    [
        # A full-name reading ("Fava F. Performances", "Dean W. Handel") would eat the title.
        (
            "Bertin L, Colao MC, Fava F. Performances and microbial features of a reactor. "
            "FEMS Microbiology Ecology. 2009;68(3):1-9.",
            [("Bertin", "L"), ("Colao", "MC"), ("Fava", "F.")],
            "Performances and microbial features of a reactor",
        ),
        (
            "Dean W. Handel and the Victorians. The Musical Times. 1959 Aug;100(1398):428.",
            [("Dean", "W.")],
            "Handel and the Victorians",
        ),
        (
            "Kasdan A. Photodissociation Dye Laser. Fort Belvoir, VA: Defense Technical "
            "Information Center; 1976 Apr.",
            [("Kasdan", "A.")],
            "Photodissociation Dye Laser",
        ),
        # One full name alone stays a full name.
        (
            "Russell A. Berman. Fiction Sets You Free: Literature, Liberty, and Western Culture. "
            "Iowa City: University Of Iowa Press, 2007.",
            [("Berman", "Russell A.")],
            "Fiction Sets You Free: Literature, Liberty, and Western Culture",
        ),
    ],
)
def test_vancouver_list_against_full_names(
    text: str, expected: list[tuple[str, str]], title: str
) -> None:
    parsed = parse_reference(text)
    assert [(p.family, p.given) for p in parsed.authors] == expected
    assert parsed.title == title


@pytest.mark.parametrize(
    ("text", "volume", "pages", "year"),
    [
        # Elsevier names a volume by its year; ACS cites a book's year and pages.
        ("Wu, B., 2015. A title. Advances in Meteorology 2015, 1–12.", None, "1–12", 2015),
        ("Economic Survey of Asia 1958, 48–65.", None, "48–65", 1958),
        ("Smith, J. A title. J. Am. Chem. Soc. 2015, 137, 811–816.", "137", "811–816", 2015),
    ],
)
def test_year_then_range_is_pages(text: str, volume: str | None, pages: str, year: int) -> None:
    parsed = parse_reference(text)
    assert (parsed.volume, parsed.pages, parsed.year) == (volume, pages, year)


@pytest.mark.parametrize(
    ("numbers", "volume", "issue", "pages"),
    [
        ("36(4), 811–816.", "36", "4", "811–816"),
        ("36(4), pp. 811-816.", "36", "4", "811-816"),
        ("36:811–6.", "36", None, "811–6"),
        ("36(4):811-6.", "36", "4", "811-6"),
        ("vol. 36, no. 4, pp. 811–816.", "36", "4", "811–816"),
        ("Vol 36 No 4 pp 811-816.", "36", "4", "811-816"),
        ("36 (4), 811 - 816.", "36", "4", "811-816"),
        ("36(Suppl 2), S11–S16.", "36", "Suppl 2", "S11–S16"),
        ("36(4), e0123456.", "36", "4", "e0123456"),
    ],
)
def test_volume_issue_pages_forms(numbers: str, volume: str, issue: str | None, pages: str) -> None:
    parsed = parse_reference(f"Smith, J. (2015). A title. Journal of Things, {numbers}")
    assert (parsed.volume, parsed.issue, parsed.pages) == (volume, issue, pages)
    assert parsed.container == "Journal of Things"


@pytest.mark.parametrize(
    ("authors", "expected"),
    [
        ("Brinjikji W, Luetmer PH", [("Brinjikji", "W"), ("Luetmer", "PH")]),
        ("W. Brinjikji, P. H. Luetmer", [("Brinjikji", "W."), ("Luetmer", "P. H.")]),
        (
            "Brinjikji, W., Luetmer, P.H. and Kallmes, D.F.",
            [("Brinjikji", "W."), ("Luetmer", "P.H."), ("Kallmes", "D.F.")],
        ),
        ("Brinjikji, W., & Luetmer, P. H.", [("Brinjikji", "W."), ("Luetmer", "P. H.")]),
        ("van der Kallen BF, El Barzouhi A", [("van der Kallen", "BF"), ("El Barzouhi", "A.")]),
        ("Lycklama à Nijeholt GJ, Peul WC", [("Lycklama à Nijeholt", "GJ"), ("Peul", "WC")]),
        (
            "B.F. van der Kallen and A. El Barzouhi",
            [("van der Kallen", "B.F."), ("El Barzouhi", "A.")],
        ),
        (
            "Derrick, D., I. Stavness and B. Gick",
            [("Derrick", "D."), ("Stavness", "I."), ("Gick", "B.")],
        ),
        ("OWEN-SMITH, B. D.; BURRY, H. C.", [("OWEN-SMITH", "B. D."), ("BURRY", "H. C.")]),
        ("Janhäll S., Andreae M. O.", [("Janhäll", "S."), ("Andreae", "M. O.")]),
        # Five initials, and a capitalised particle: no "given family" reading ("KR Vaz").
        (
            "Vaz De Azevedo KR, Lopes CB, Andrade RHTLR",
            [("Vaz De Azevedo", "KR"), ("Lopes", "CB"), ("Andrade", "RHTLR")],
        ),
        ("Arizmendi M del C, Ornelas JF", [("Arizmendi", "M del C"), ("Ornelas", "JF")]),
        (
            "M. del C. Arizmendi and J. F. Ornelas",
            [("Arizmendi", "M. del C."), ("Ornelas", "J. F.")],
        ),
        ("Frauendorf S and Dönau F 2014", [("Frauendorf", "S"), ("Dönau", "F")]),
    ],
)
def test_author_name_orders(authors: str, expected: list[tuple[str, str]]) -> None:
    text = f"{authors.rstrip('.')}. A study of things. Journal of Things. 2015;36:811-6."
    parsed = parse_reference(text)
    assert [(p.family, p.given) for p in parsed.authors] == expected
    assert parsed.title == "A study of things"
    assert "authors" in parsed.confident


def test_et_al_marks_truncation() -> None:
    parsed = parse_reference(
        "Brinjikji W, Luetmer PH, Comstock B, et al. Systematic review. AJNR. 2015;36(4):811-6."
    )
    assert families(parsed) == ["Brinjikji", "Luetmer", "Comstock"]
    assert parsed.authors_truncated
    assert parsed.title == "Systematic review"


def test_apa_ellipsis_keeps_the_last_author() -> None:
    parsed = parse_reference(
        "Csörgő, T., Antchev, G., Aspell, P., … Bozzo, M. (2012). Elastic scattering. Progress "
        "of Theoretical Physics Supplement, 193, 180–183."
    )
    assert families(parsed) == ["Csörgő", "Antchev", "Aspell", "Bozzo"]
    assert parsed.authors_truncated
    assert parsed.year == 2012


@pytest.mark.parametrize(
    "text",
    [
        "Peul, W. (2013). A title. *New England Journal of Medicine*, 368(11), 999–1007.",
        "Peul, W. (2013). A title. _New England Journal of Medicine_, 368(11), 999–1007.",
        "Peul, W. (2013). A title. <i>New England Journal of Medicine</i>, 368(11), 999–1007.",
        "Peul, W. (2013). A title. <em>New England Journal of Medicine</em> 368(11), 999–1007.",
    ],
)
def test_italics_markup(text: str) -> None:
    parsed = parse_reference(text)
    assert parsed.container == "New England Journal of Medicine"
    assert parsed.title == "A title"
    assert (parsed.volume, parsed.issue, parsed.pages) == ("368", "11", "999–1007")


def test_apa_italic_journal_with_volume() -> None:
    parsed = parse_reference(
        "Peul, W. (2013). Sciatica. *New England Journal of Medicine, 368*(11), 999–1007."
    )
    assert parsed.container == "New England Journal of Medicine"
    assert parsed.volume == "368"


def test_italic_book_title_has_no_container() -> None:
    parsed = parse_reference("Kahneman, D. (2011). *Thinking, fast and slow*. Farrar, Straus.")
    assert parsed.title == "Thinking, fast and slow"
    assert parsed.container is None
    assert parsed.year == 2011


@pytest.mark.parametrize("marker", ["[1] ", "1. ", "- ", "* ", "12) ", "(3) ", "• ", "[12]"])
def test_leading_list_markers(marker: str) -> None:
    parsed = parse_reference(f"{marker}Peul WC, Koes BW. Sciatica. BMJ. 2008;336(7657):1355-8.")
    assert families(parsed) == ["Peul", "Koes"]
    assert parsed.title == "Sciatica"


def test_identifiers_urls_and_access_notes() -> None:
    parsed = parse_reference(
        "Peul WC, Koes BW. Sciatica. BMJ. 2008;336(7657):1355-8. doi: 10.1136/bmj.39583.709074.BE"
        ". PMID: 18502911. Available at: https://www.bmj.com/content/336/7657/1355 "
        "[Accessed 3 May 2020]."
    )
    assert parsed.doi == "10.1136/bmj.39583.709074.BE"
    assert parsed.pmid == "18502911"
    assert parsed.url == "https://www.bmj.com/content/336/7657/1355"
    assert (parsed.volume, parsed.issue, parsed.pages) == ("336", "7657", "1355-8")
    assert parsed.year == 2008
    assert {"doi", "pmid", "url"} <= parsed.confident


def test_pubmed_link_gives_pmid() -> None:
    parsed = parse_reference(
        "Peul WC, Koes BW. Sciatica. BMJ. 2008;336:1355-8. https://pubmed.ncbi.nlm.nih.gov/18502911/"
    )
    assert parsed.pmid == "18502911"
    assert parsed.url == "https://pubmed.ncbi.nlm.nih.gov/18502911/"


def test_markdown_link_around_doi() -> None:
    parsed = parse_reference(
        "Peul, W. (2013). A title. Journal, 3(1), 1–2. "
        "[doi:10.1056/NEJMoa1211320](https://doi.org/10.1056/NEJMoa1211320)"
    )
    assert parsed.doi == "10.1056/NEJMoa1211320"
    assert parsed.pages == "1–2"


def test_group_author_vancouver() -> None:
    parsed = parse_reference(
        "World Health Organization. Global status report on road safety. Geneva: WHO; 2018."
    )
    assert parsed.authors == (Person(literal="World Health Organization"),)
    assert parsed.title == "Global status report on road safety"
    assert parsed.year == 2018
    assert parsed.container is None


def test_group_author_author_date() -> None:
    parsed = parse_reference(
        "Leiden-The Hague Spine Intervention Prognostic Study Group (2013). Sciatica. New "
        "England Journal of Medicine, 368(11), 999–1007."
    )
    assert parsed.authors == (
        Person(literal="Leiden-The Hague Spine Intervention Prognostic Study Group"),
    )
    assert parsed.year == 2013
    assert parsed.title == "Sciatica"


def test_anonymous_work_has_no_authors() -> None:
    parsed = parse_reference("Anon, 2015. Hexetidine. Reactions Weekly, 1542(1), pp.127–127.")
    assert parsed.authors == ()
    assert parsed.title == "Hexetidine"
    assert parsed.container == "Reactions Weekly"


def test_title_with_question_mark() -> None:
    parsed = parse_reference(
        "Smith, J. (2010). Ansteckung airborne? Allergo Journal, 19(5), 290–290."
    )
    assert parsed.title == "Ansteckung airborne?"
    assert parsed.container == "Allergo Journal"


def test_title_with_inner_full_stop_keeps_container_clean() -> None:
    parsed = parse_reference(
        "Ober, S. (1995). The Bulletin is Dead. Long Live the Quarterly. Business "
        "Communication Quarterly, 58(1), 3–4."
    )
    assert parsed.container == "Business Communication Quarterly"
    assert parsed.title == "The Bulletin is Dead. Long Live the Quarterly"


def test_guessed_fields_are_not_confident() -> None:
    # A book: no numbers block, so nothing vouches for the container.
    parsed = parse_reference("Smith J. A book about things. London: Publisher; 1999.")
    assert parsed.year == 1999
    assert "container" not in parsed.confident
    assert "volume" not in parsed.confident


# --- garbage never raises -------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "\n\n",
        "x",
        ".",
        "((((((",
        "[1]",
        "et al.",
        "2015",
        "\x00\x01\x02\ufffd\x7f" * 50,
        "".join(chr(c) for c in range(0, 0x3000, 7)),
        "A, B, C, D, E, F, G, H, " * 400,
        "Smith, J., " * 3000,
        "(" * 5000 + ")" * 5000,
        "1(2):3-4; " * 2000,
        "*_*_*_<i><i></i>" * 500,
    ],
)
def test_garbage_never_raises(text: str) -> None:
    parsed = parse_reference(text)
    assert isinstance(parsed, ParsedReference)
    assert parsed.confident <= {
        "authors", "year", "title", "container", "volume", "issue", "pages", "doi", "url", "pmid"
    }  # fmt: skip


def test_huge_input_is_fast_and_safe() -> None:
    import time

    text = ("Brinjikji, W., " * 200 + "2015. A title. Journal, 36(4), 811–816. ") * 50
    assert len(text) > 100_000
    start = time.perf_counter()
    parsed = parse_reference(text)
    assert time.perf_counter() - start < 1.0
    assert isinstance(parsed, ParsedReference)


def test_only_a_url() -> None:
    parsed = parse_reference("https://example.org/paper?id=3")
    assert parsed.url == "https://example.org/paper?id=3"
    assert parsed.authors == ()
    assert parsed.title is None
    assert parsed.confident == {"url"}


def test_only_a_doi() -> None:
    parsed = parse_reference("https://doi.org/10.3174/ajnr.A4173")
    assert parsed.doi == "10.3174/ajnr.A4173"
    assert parsed.title is None
    assert parsed.confident == {"doi"}


def test_non_string_input() -> None:
    assert parse_reference(None) == ParsedReference()  # type: ignore[arg-type]


# --- to_reference ---------------------------------------------------------------------------


def test_to_reference_carries_fields_and_location() -> None:
    text = SEED_EL_BARZOUHI
    parsed = parse_reference(text)
    reference = to_reference(parsed, text, Location(path="post.md", line=12))
    assert reference.location == Location(path="post.md", line=12)
    assert reference.text == text
    assert reference.authors == parsed.authors
    assert (reference.year, reference.volume, reference.issue, reference.pages) == (
        2013, "368", "11", "999–1007",
    )  # fmt: skip
    assert reference.title == parsed.title
    assert reference.container == "New England Journal of Medicine"


def test_to_reference_default_location() -> None:
    reference = to_reference(parse_reference("et al."), "et al.")
    assert reference.location == Location()
    assert reference.authors == ()


def test_word_starting_like_a_label_is_no_issue() -> None:
    parsed = parse_reference(
        "Sun, J., & Liu, L. (2017). Processes of dike-break induced flows: a combined "
        "experimental and numerical model study. International Journal of Sediment Research, "
        "32(4), 465–471."
    )
    assert parsed.title == (
        "Processes of dike-break induced flows: a combined experimental and numerical model study"
    )
    assert parsed.container == "International Journal of Sediment Research"
    assert (parsed.volume, parsed.issue, parsed.pages) == ("32", "4", "465–471")


def test_chapter_with_pages_only() -> None:
    parsed = parse_reference(
        "Lorenzo, O., & Ramdani, B. (2011). The next technology wave. The Long Conversation, "
        "102–113."
    )
    assert parsed.container == "The Long Conversation"
    assert parsed.pages == "102–113"
    assert parsed.volume is None


def test_tex_quotes_mark_the_title() -> None:
    parsed = parse_reference(
        "J. B. Kam and J. D. Ullman, ``Monotone data flow analysis frameworks,'' Acta "
        "Informatica, vol. 7, no. 3, pp. 305-317, Jul. 1977."
    )
    assert families(parsed) == ["Kam", "Ullman"]
    assert parsed.title == "Monotone data flow analysis frameworks"
    assert parsed.container == "Acta Informatica"
    assert (parsed.volume, parsed.issue, parsed.pages, parsed.year) == ("7", "3", "305-317", 1977)


def test_french_et_joins_authors_but_et_al_truncates() -> None:
    parsed = parse_reference(
        "T. D. Tennent, E. O. Pearse, et D. M. Eastwood, « A new technique », J. Shoulder "
        "Elbow Surg., vol. 21, no 12, p. 1734, 2012."
    )
    assert families(parsed) == ["Tennent", "Pearse", "Eastwood"]
    assert not parsed.authors_truncated
    assert parsed.title == "A new technique"


@pytest.mark.parametrize("mark", ["(n.d.)", "(no date)", "(in press)", "n.d."])
def test_an_undated_year_slot_is_not_part_of_the_title(mark: str) -> None:
    parsed = parse_reference(
        f"McIntyre, N.E. {mark} ‘Urban ecology’, The Routledge Handbook of Urban Ecology. "
        "Routledge."
    )
    assert parsed.title == "Urban ecology"
    assert parsed.year is None


@pytest.mark.parametrize(
    ("text", "volume", "pages"),
    [
        # Harvard (Cite Them Right): a bare volume before a labelled page.
        ("Hinds, E.S. (2021) ‘A title’, Engineering Geology, 293, p. 106240.", "293", "106240"),
        ("Hinds, E.S. (2021) ‘A title’, Engineering Geology, 293, pp. 1–11.", "293", "1–11"),
        # Chicago without an issue: the month stands in its place.
        ("Hinds, E. S. 2021. “A Title.” Engineering 239 (July): 112408.", "239", "112408"),
        ("Hinds, E. S. 2023. “A Title.” Engineering 80 (January): 200–209.", "80", "200–209"),
    ],
)
def test_volume_before_labelled_pages_or_a_month(text: str, volume: str, pages: str) -> None:
    parsed = parse_reference(text)
    assert (parsed.volume, parsed.pages) == (volume, pages)


def test_a_bare_number_in_the_title_is_no_volume_before_labels() -> None:
    parsed = parse_reference(
        "Smith, J. (2020) ‘Results from 12, 14 sites’, Journal of Things, vol. 3, pp. 5–9."
    )
    assert (parsed.volume, parsed.pages) == ("3", "5–9")


def test_a_quote_nested_in_a_quoted_title_does_not_end_it() -> None:
    parsed = parse_reference(
        "F. Qin et al., “Corrigendum to “Comprehensive analysis of DNA repair” [Life Sci. 278 "
        "(2021) 119559],” Life Sciences, vol. 297, p. 120492, May 2022."
    )
    assert parsed.title == (
        "Corrigendum to “Comprehensive analysis of DNA repair” [Life Sci. 278 (2021) 119559]"
    )
    assert (parsed.container, parsed.volume, parsed.pages, parsed.year) == (
        "Life Sciences",
        "297",
        "120492",
        2022,
    )


# --- numbers that are no year: a volume named by its year, a DOI's digits -----------------

WU_IEEE = (
    "B. Wu, X. Chen, F. Song, Y. Sun, and T. Zhou, “Initialized Decadal Predictions by "
    "LASG/IAP Climate System Model FGOALS-s2: Evaluations of Strengths and Weaknesses,” "
    "Advances in Meteorology, vol. 2015, pp. 1–12, {year}."
)


@pytest.mark.parametrize("year", [2015, 2016])
def test_a_volume_named_by_its_year_is_not_the_year(year: int) -> None:
    parsed = parse_reference(WU_IEEE.format(year=year))
    assert (parsed.volume, parsed.pages, parsed.year) == ("2015", "1–12", year)
    assert {"volume", "year"} <= parsed.confident


@pytest.mark.parametrize(
    ("text", "volume", "issue", "year"),
    [
        ('A. Smith, "A title of things," Proc. Workshop, vol. 2005, no. 3, pp. 12-20, 2008.',
         "2005", "3", 2008),
        # MLA: ACS's "2015, 2012, pp. 1–11" would take the labelled volume for the year.
        ("Zong, N., et al. “Nutrient Enrichment Mediates the Relationships of Soil Microbial "
         "Respiration.” The Scientific World Journal, vol. 2015, 2012, pp. 1–11.",
         "2015", None, 2012),
        # MLA with a roman volume: the year before the pages is no volume.
        ("GILLIAM, D. T. “THE VAGINAL ROUTE FOR OPERATIONS ON THE PELVIC VISCERA.” JAMA: The "
         "Journal of the American Medical Association, XXV, no. 9, Aug. 1895, p. 362.",
         "XXV", "9", 1895),
    ],
)  # fmt: skip
def test_the_year_is_read_where_it_stands_as_the_year(
    text: str, volume: str, issue: str | None, year: int
) -> None:
    parsed = parse_reference(text)
    assert (parsed.volume, parsed.issue, parsed.year) == (volume, issue, year)
    assert "year" in parsed.confident


def test_year_like_pages_are_not_the_year() -> None:
    parsed = parse_reference(
        'A. Smith, "A title of things," Journal of Stuff, vol. 36, no. 4, pp. 2001-2010, 2015.'
    )
    assert (parsed.volume, parsed.issue, parsed.pages, parsed.year) == (
        "36",
        "4",
        "2001-2010",
        2015,
    )
    assert "year" in parsed.confident


SICI = "10.1002/(sici)1097-4652(199907)180:1<114::aid-jcp13>3.0.co;2-0"


@pytest.mark.parametrize("prefix", ["https://doi.org/", "doi: ", "https://dx.doi.org/"])
def test_a_sici_doi_leaves_no_numbers_behind(prefix: str) -> None:
    # No numbers block: the SICI DOI's "<114::aid-jcp13>" was read as volume 114.
    parsed = parse_reference(
        "Allen, R.G. et al. (1999) ‘Differences in electron transport potential’, Journal of "
        f"Cellular Physiology. {prefix}{SICI}"
    )
    assert parsed.doi == SICI
    assert (parsed.volume, parsed.issue, parsed.pages, parsed.year) == (None, None, None, 1999)
    assert (parsed.container, parsed.url) == ("Journal of Cellular Physiology", None)


def test_an_isbns_digits_are_no_pages() -> None:
    parsed = parse_reference(
        "Reeve, E., 1991. A Dictionary of Genetics, 4th Edition. By Robert C. King. Oxford "
        "University Press. 1990. 406 pages. Paperback £16.00, ISBN 0 19 506371 6. Genet. Res. "
        "58, 92–93."
    )
    assert (parsed.volume, parsed.pages, parsed.year) == ("58", "92–93", 1991)


def test_a_year_in_the_year_slot_a_few_years_ahead_is_still_the_year() -> None:
    # A typo for 2024: reported as a wrong year, not read from the pages (1721).
    parsed = parse_reference(
        "Spillane, N., and D. B. Szyld. 2029. “New Convergence Analysis of GMRES.” SIAM J. "
        "Matrix Anal. Appl. 45 (4): 1721–45."
    )
    assert (parsed.year, parsed.volume, parsed.pages) == (2029, "45", "1721–45")


def test_a_weak_reading_of_a_date_keeps_its_year() -> None:
    # "07, 2026" might be volume and pages; it is a date, and its year is the year.
    parsed = parse_reference("S. Franks, “Towards Implementing Calls to Action,” Mar. 07, 2026.")
    assert parsed.year == 2026


@pytest.mark.parametrize(
    ("text", "volume", "pages", "year"),
    [
        # A range's last page and the year after it are no volume and pages.
        ("“Managing Multiple Projects,” Producing Games, pp. 149–152, 2010.", None, "149–152",
         2010),
        # A date's year before the pages is no volume.
        ("FRANCEZ, N., AND KOZEN, D. Generalized fair termination. In Proceedings of the 11th "
         "ACM Symposium. Salt Lake City, Utah, Jan 15-18 1984, pages 46-53.", None, "46-53",
         1984),
        # A volume named by its year, printed bare, is still the volume.
        ("Liang, Z. et al., 2017. Orderly Roulette Selection. Mathematical Problems in "
         "Engineering, 2017, pp.1–15.", "2017", "1–15", 2017),
    ],
)  # fmt: skip
def test_numbers_a_label_reads_are_not_read_again(
    text: str, volume: str | None, pages: str, year: int
) -> None:
    parsed = parse_reference(text)
    assert (parsed.volume, parsed.pages, parsed.year) == (volume, pages, year)


@pytest.mark.parametrize(
    "text",
    [
        "Benderly BL. A “misleading” jobs report from NSF?. Science. 2019 Sept 22.",
        "Benderly, B. L. (2019). A “misleading” jobs report from NSF? Science.",
    ],
)
def test_a_title_is_not_cut_at_a_quotation_inside_it(text: str) -> None:
    # 10.1126/science.caredit.a1400238: the trained model cut the title at its quote marks
    # ("misleading” jobs report", "A “misleading"), so a wrong year left it unmatched.
    assert parse_reference(text).title == "A “misleading” jobs report from NSF?"


@pytest.mark.parametrize(
    ("text", "title"),
    [
        # 10.5194/acp-2016-887: the model ended the title at "Low-" inside a word.
        (
            "Schwantes, R. H., Schilling, K. A., & Seinfeld, J. H. (2013). Formation of Highly "
            "Oxygenated Low-Volatility Products from Cresol Oxidation.",
            "Formation of Highly Oxygenated Low-Volatility Products from Cresol Oxidation",
        ),
        # 10.2172/7118251: the model started the title after its first word's comma.
        (
            "McClurg, F. R. (1995). Motif, the basics: an overview of the widget set. Office "
            "of Scientific and Technical Information (OSTI).",
            "Motif, the basics: an overview of the widget set",
        ),
    ],
)
def test_a_title_is_not_cut_inside_a_word_or_after_its_first(text: str, title: str) -> None:
    # With a wrong year and no DOI, the cut title left these works unmatched (RC104).
    assert parse_reference(text).title == title


def test_a_year_ahead_in_a_numbers_block_is_read_as_the_year() -> None:
    # works-dev 10.1002/fee.70021 (2025/2026) cited five years ahead in AMA's numbers block:
    # a mistyped year to report, not some other number (it was read as no year at all).
    ahead = datetime.date.today().year + 5
    parsed = parse_reference(
        "Norman KE, Boettiger C, Poisot T, Jones GM. The role of AI in ecology’s "
        f"computational carbon footprint. Frontiers in Ecology and the Environment. "
        f"{ahead};24(1):e70021."
    )
    assert parsed.year == ahead
    assert (parsed.volume, parsed.issue, parsed.pages) == ("24", "1", "e70021")
