"""The author list at the head of a reference, where a first family name is typed in
lower case: read as a name (so its misspelling is compared), never a title word."""

from __future__ import annotations

import pytest

from refcheck.models import Person
from refcheck.parse.names import Shape, scan_authors, split_author_text


@pytest.mark.parametrize(
    ("text", "shape", "first"),
    [
        ("xarrell, H. L. (1984). The Old Oak.", Shape.FAMILY_INITIALS, ("xarrell", "H. L.")),
        ("H. L. xarrell, “The Old Oak,” JAMA", Shape.INITIALS_FAMILY, ("xarrell", "H. L.")),
        ("xarrell HL. The Old Oak. JAMA. 1984", Shape.FAMILY_BARE, ("xarrell", "HL")),
        ("xarrell, Henry L. 1984. “The Old Oak.”", Shape.FAMILY_GIVEN, ("xarrell", "Henry L.")),
        ("xi, J., Wang, K., & Li, X. (2020). T", Shape.FAMILY_INITIALS, ("xi", "J.")),
        ("U. xchmidt-Ott, and C. W. Kwan, “Morph", Shape.INITIALS_FAMILY, ("xchmidt-Ott", "U.")),
    ],
)
def test_a_first_family_in_lower_case_is_read_as_written(
    text: str, shape: Shape, first: tuple[str, str]
) -> None:
    found = scan_authors(text)
    assert found.shape is shape
    assert found.persons[0] == Person(family=first[0], given=first[1])


@pytest.mark.parametrize(
    ("text", "persons"),
    [
        ("van der Berg, J. (2000). Title.", [("van der Berg", "J.")]),
        ("de Groot JW, Smith K. Title.", [("de Groot", "JW"), ("Smith", "K.")]),
        ("the effect of, J. Smith", []),
        ("in: Smith, J. Title", []),
        ("and others, 2001", []),
    ],
)
def test_particles_and_words_in_lower_case_stay_what_they_were(
    text: str, persons: list[tuple[str, str]]
) -> None:
    found = scan_authors(text)
    assert [(p.family, p.given) for p in found.persons] == persons


@pytest.mark.parametrize(
    ("text", "persons"),
    [
        (
            "Fernández, María D, Consuelo Sánchez-Brunete, Alvaro J Rodríguez, and José L "
            "Tadeo. 2001. “Adsorption and degradation of thiazopyr.”",
            [("Fernández", "María D"), ("Sánchez-Brunete", "Consuelo"),
             ("Rodríguez", "Alvaro J"), ("Tadeo", "José L")],
        ),
        (
            "Bellaredj, Mohamed L.F., Colin A. Pardue, Paul Kohl, and Madhavan Swaminathan. "
            "2018. “Fabrication of package embedded spiral inductors.”",
            [("Bellaredj", "Mohamed L.F."), ("Pardue", "Colin A."), ("Kohl", "Paul"),
             ("Swaminathan", "Madhavan")],
        ),
        (
            "Mohler, George, P. Jeffrey Brantingham, Jeremy Carter, and Martin B. Short. 2019. "
            "“Reducing Bias in Estimates for the Law of Crime Concentration.”",
            [("Mohler", "George"), ("Brantingham", "P. Jeffrey"), ("Carter", "Jeremy"),
             ("Short", "Martin B.")],
        ),
    ],
)  # fmt: skip
def test_chicago_given_names_keep_initials_as_crossref_holds_them(
    text: str, persons: list[tuple[str, str]]
) -> None:
    # Chicago writes given names as deposited: "María D" (no dot), "Mohamed L.F." (no space).
    found = scan_authors(text)
    assert found.shape is Shape.FAMILY_GIVEN
    assert [(p.family, p.given) for p in found.persons] == persons


@pytest.mark.parametrize(
    ("text", "persons"),
    [
        (
            "Willard C, Plaster K, Castillo J. Snake River Sockeye Salmon Captive Broodstock "
            "Program; Research Element, 2003 Annual Report.",
            [("Willard", "C"), ("Plaster", "K"), ("Castillo", "J.")],
        ),
        (
            "Song YS, Ha Y, Kim MJ. Early and late magmatism.",
            [("Song", "YS"), ("Ha", "Y"), ("Kim", "MJ")],
        ),
    ],
)  # fmt: skip
def test_vancouver_names_are_not_read_as_a_family_and_a_given_name(
    text: str, persons: list[tuple[str, str]]
) -> None:
    # "Willard C, Plaster K": a family ending in initials is a Vancouver name, never the
    # family before a Chicago given name ("Plaster K" would pass for "María D").
    found = scan_authors(text)
    assert found.shape is Shape.FAMILY_BARE
    assert [(p.family, p.given) for p in found.persons] == persons


def test_an_initial_leads_a_given_name_only_in_a_chicago_list() -> None:
    # ACS: "Gordon Taylor" is the family; "H. American Pharmacy" is no person.
    found = scan_authors("Gordon Taylor, H. American Pharmacy 1994, 34, 41–44.")
    assert [(p.family, p.given) for p in found.persons] == [("Gordon Taylor", "H.")]


@pytest.mark.parametrize(
    ("text", "shape"),
    [
        ("AL-Keridis, L. A., Gaber, N. M., & Sharaf, M. R. (2021). T", Shape.FAMILY_INITIALS),
        ("AL-Keridis LA, Gaber NM, Sharaf MR. Tetramorium sericeiventre.", Shape.FAMILY_BARE),
        ("L. A. AL-Keridis, N. M. Gaber, and M. R. Sharaf, “Tetramorium", Shape.INITIALS_FAMILY),
    ],
)  # fmt: skip
def test_a_family_whose_capital_prefix_is_hyphenated(text: str, shape: Shape) -> None:
    # "AL-Keridis" (works-dev 10.1080/00222933.2021.1899325): the list used to end unread.
    found = scan_authors(text)
    assert found.shape is shape
    assert [p.family for p in found.persons] == ["AL-Keridis", "Gaber", "Sharaf"]


# Crossref 10.1046/j.1365-294x.1999.00551.x holds its last author as family "DAWSON",
# given "C. SOTELO-MONTES† and I. K.": the styles print that tail in no name shape.
@pytest.mark.parametrize(
    ("region", "families"),
    [
        (
            "RUSSELL JR, WEBER JC, BOOTH A, POWEGL W, DAWSON CSM and IK",
            ["RUSSELL", "WEBER", "BOOTH", "POWEGL", "DAWSON"],
        ),
        (
            "RUSSELL, J. R., J. C. WEBER, A. BOOTR, W. POWELL, and C. S.-M. and I. K. DAWSON",
            ["RUSSELL", "WEBER", "BOOTR", "POWELL"],
        ),
    ],
)
def test_names_before_an_unreadable_tail_are_kept_and_the_rest_left_unchecked(
    region: str, families: list[str]
) -> None:
    persons, truncated = split_author_text(region)

    assert [person.family for person in persons] == families
    assert truncated


@pytest.mark.parametrize(
    "region",
    [
        "Smith J, Jones K, Brown A, and the results of 2019 trials",  # digits: no names
        "Smith J, Jones K. Back pain. Why it hurts",  # a sentence follows two names
        "World Health Organization Regional Office for Europe",
    ],
)
def test_other_unreadable_regions_stay_one_literal(region: str) -> None:
    persons, _ = split_author_text(region)

    assert persons == (Person(literal=region.strip(" ,.;:")),)


def test_st_with_a_full_stop_is_part_of_the_family_name() -> None:
    # Crossref 10.1002/(sici)1098-108x(199907)26:1<37::aid-eat5>3.0.co;2-j, IEEE style.
    found = scan_authors("T. P. Carmody, R. L. Brunner, and S. T. St. Jeor, “Hostility, dieting")

    assert found.persons[-1] == Person(family="St. Jeor", given="S. T.")


def test_a_capital_particle_and_run_on_initials_make_one_name() -> None:
    # Crossref 10.1002/(sici)1234-987x(199601)9:1<1::aid-meh402>3.3.co;2-9, Harvard CTR:
    # "J.H." is no "J." before a family name "H".
    found = scan_authors("VAN LAAR, J.H. et al. (1996) ‘Adhesion of streptococcus mutans")

    assert found.persons == (Person(family="VAN LAAR", given="J.H."),)
    assert found.truncated


# Real records (works-dev) whose lists used to end early, leaving the names after the cut
# unchecked (a misspelled later author went unseen): an Iberian particle between initials
# (10.1101/2020.12.01.406702 "J. da C."; 10.21125/edulearn.2019.0799 "E. de J.";
# 10.1155/2020/8716474 "J.B. de F."), a suffix between a Vancouver family and its initials
# (10.1155/s1463924602000147 "Raimundo, Jr. IM") and an apostrophe prefix written apart
# (10.1200/jco.2021.39.15_suppl.4068 "O' Donoghue").
@pytest.mark.parametrize(
    ("text", "families"),
    [
        (
            "Joyce, L. R., Manzer, H. S., Mendonça, J. da C., Villarreal, R., Nagao, P. E., "
            "Doran, K. S., Paimer, K. L., & Guan, Z. (2020). Identification",
            ["Joyce", "Manzer", "Mendonça", "Villarreal", "Nagao", "Doran", "Paimer", "Guan"],
        ),
        (
            "Candido Moraes, E. de J., Conti Silva, J. A., Figueiredo Flria, L. F., Motta "
            "Barreto, M. A., & Savio Giordani, D. (2019, July). USE OF",
            ["Candido Moraes", "Conti Silva", "Figueiredo Flria", "Motta Barreto",
             "Savio Giordani"],
        ),
        (
            "Cembraneli, P.N., Ambrogi, G., Cavalcante, J.B. de F., Raphe, R., Luporini, R.L., "
            "2020. Acute Appendicitis",
            ["Cembraneli", "Ambrogi", "Cavalcante", "Raphe", "Luporini"],
        ),
        (
            "Rohwedder JJR, Pasquini C, Raimundo, Jr. IM, Conceiçao M, Montenegro BSM, Araxjo "
            "AN, et al. Design and",
            ["Rohwedder", "Pasquini", "Raimundo", "Conceiçao", "Montenegro", "Araxjo"],
        ),
        (
            "Lumish, M. A., Maron, S. B., Paroder, V., Philemond, S., O' Donoghue, J. A., "
            "Sqhöder, H., Lewis, J. S. (2021). Imaging",
            ["Lumish", "Maron", "Paroder", "Philemond", "O' Donoghue", "Sqhöder", "Lewis"],
        ),
        (
            "Lumish MA, Maron SB, Paroder V, Philemond S, O' Donoghue JA, Sjhöder H, et al. "
            "Imaging",
            ["Lumish", "Maron", "Paroder", "Philemond", "O' Donoghue", "Sjhöder"],
        ),
    ],
)  # fmt: skip
def test_a_list_reads_on_past_particles_suffixes_and_apostrophes(
    text: str, families: list[str]
) -> None:
    assert [p.family for p in scan_authors(text).persons] == families


def test_the_given_name_keeps_its_inner_particle() -> None:
    # 10.1155/2020/8716474: Crossref "Cavalcante, Julia Brasileiro de Faria".
    found = scan_authors("Ambrogi, G., Cavalcante, J.B. de F., Raphe, R. (2020).")
    assert found.persons[1] == Person(family="Cavalcante", given="J.B. de F.")


def test_one_inverted_full_name_before_et_al_is_a_name() -> None:
    # 10.1155/2020/8716474 in MLA: alone, "Family, Given Names" could be a title's words.
    found = scan_authors("Cembraneli, Pedro Nogarotto, et al. “Acute Appendicitis")
    assert found.persons == (Person(family="Cembraneli", given="Pedro Nogarotto"),)
    assert found.truncated


def test_vancouver_puts_a_particle_after_the_initials() -> None:
    # 10.1371/journal.pone.0105551 (works-dev): "Almeida RM de" ended the list, so a
    # misspelled author after it ("Nistijo H" for "Nishijo") went unseen.
    found = scan_authors("Saletti PG, Maior RS, Hori E, Almeida RM de, Nistijo H, Tomaz C. Whole")
    assert [(p.family, p.given) for p in found.persons][3:5] == [
        ("de Almeida", "RM"),
        ("Nistijo", "H"),
    ]


# works-dev 10.1177/14703203010020011201 holds its second author whole, family first, with
# no given name ("Dayuan Li"); the styles write it as held.
@pytest.mark.parametrize(
    "text",
    [
        "Mehta, J. L., & Dayuan Li. (2001). Facilitative interaction between angiotensin II",
        "Mehta, J.L. and Dayuan Li (2001) ‘Facilitative interaction between angiotensin II",
        "Mehta, J.L., Dayuan Li, 2001. Facilitative interaction between angiotensin II",
    ],
)
def test_a_name_held_whole_ends_the_list(text: str) -> None:
    found = scan_authors(text)
    assert [(p.family, p.given) for p in found.persons] == [("Mehta", "J. L." if ". L" in text
        else "J.L."), ("Dayuan Li", None)]  # fmt: skip


@pytest.mark.parametrize(
    "text",
    [
        "Tian, Y. Q., Zhang Wei, Chen, R. F., & Huang, W. (2012). Using modeled runoff",
        "Tian YQ, Zhang Wei, Chen RF, Huang W. Using modeled runoff",
        "Y. Q. Tian, Zhang Wei, R. F. Chen, and W. Huang, “Using modeled runoff,”",
    ],
)
def test_a_name_held_whole_inside_the_list_does_not_end_it(text: str) -> None:
    families = [p.family for p in scan_authors(text).persons]
    assert families == ["Tian", "Zhang Wei", "Chen", "Huang"]


def test_title_words_after_the_list_are_no_name() -> None:
    # Vancouver: a full stop ends the list; capitalised title words after it are the title.
    found = scan_authors("Mehta JL, Dayuan Li. Facilitative Interaction Between Angiotensin")
    assert [p.family for p in found.persons] == ["Mehta"]
