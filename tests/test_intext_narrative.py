"""A narrative "Spence (1935)" with one name (issue 16): prose unless it reads as a
citation: a verb of reporting follows it, or it explains an entry of its year that no other
citation points at (a wrong first author) or one whose author it misspells."""

from __future__ import annotations

import pytest

from refcheck.intext import link
from refcheck.models import Location, Person, Reference, Status, Verdict
from refcheck.readers.citations import find_citations

LIST_AT = 20


def _entry(line: int, family: str, year: int) -> Verdict:
    reference = Reference(
        location=Location(path="p.md", line=line),
        authors=(Person(family=family, given="J."),),
        year=year,
        title=f"A study by {family}",
        text=f"{family}, J. ({year}). A study by {family}.",
    )
    return Verdict(reference=reference, status=Status.UNVERIFIED)


LIST = [
    _entry(LIST_AT, "Kasch", 2022),
    _entry(LIST_AT + 2, "Brinjikji", 2015),
    _entry(LIST_AT + 4, "Spence", 1935),
]


def _findings(prose: str, verdicts: list[Verdict] = LIST) -> list[tuple[str, str, str]]:
    linked = link(find_citations(prose, "p.md"), verdicts)
    return [
        (f.finding.code, f.text, f.finding.expected or "")
        for f in linked.findings
        if f.citation is not None
    ] + [(f.finding.code, f.text, "") for f in linked.findings if f.citation is None]


CITED = "Back pain is common (Kasch et al., 2022; Brinjikji et al., 2015). "


def test_a_reporting_verb_makes_a_citation_of_a_missing_entry() -> None:
    prose = CITED + "Spence (1935) found that it was so, as Mayer (1940) has shown."
    verdicts = LIST[:2]
    assert _findings(prose, verdicts) == [
        ("RC801", "Spence (1935)", ""),
        ("RC801", "Mayer (1940)", ""),
    ]


def test_a_name_with_a_year_and_no_reporting_verb_is_prose() -> None:
    prose = CITED + "London (2012) was a fine games, and Spence (1935) wrote it up."
    # London: no 2012 entry, and nothing reports; Spence (1935): linked, no finding.
    assert _findings(prose) == []


def test_an_acronym_that_reports_is_still_prose() -> None:
    # The list may spell the group out; an acronym pointing at nothing is not called missing.
    assert _findings(CITED + "Spence (1935) agrees. WHO (2020) recommends rest.") == []


def test_a_wrong_first_author_explains_the_one_uncited_entry_of_its_year() -> None:
    prose = CITED + "Jones (1935) put it best."
    findings = _findings(prose)
    # Named at the citation, and the Spence entry is not also called never cited.
    assert findings == [("RC802", "Jones (1935)", "Spence")]


def test_a_misspelt_name_points_at_its_entry_even_when_cited_elsewhere() -> None:
    prose = CITED + "Spence (1935) agrees. Later, Spense (1935) put it best."
    assert _findings(prose) == [("RC802", "Spense (1935)", "Spence")]


def test_two_uncited_entries_of_the_year_settle_nothing() -> None:
    verdicts = [*LIST, _entry(LIST_AT + 6, "Abbott", 1935)]
    prose = CITED + "Jones (1935) put it best."
    # Jones explains neither; both entries are never cited (the post cites half its list).
    assert _findings(prose, verdicts) == [
        ("RC804", LIST[2].reference.text, ""),
        ("RC804", verdicts[3].reference.text, ""),
    ]


def test_a_reading_list_explains_nothing() -> None:
    # One citation of three entries: a reading list, whose entries need no citation.
    prose = "Back pain is common (Kasch et al., 2022). Jones (1935) put it best."
    assert _findings(prose) == []


def test_an_odd_item_among_citations_is_taken_when_it_links() -> None:
    verdicts = [*LIST, _entry(LIST_AT + 6, "Heuer", 1994)]
    prose = (
        "It is common (Kasch et al., 2022; Heuer & Richards J., 1994; Brinjikji et al., 2015). "
        "Spence (1935) agrees (Rhodes, 2017; Heuer & Richards J., 1994)."
    )
    found = find_citations(prose, "p.md")
    assert [(c.text, c.tentative) for c in found if c.authors[0] == "Heuer"] == [
        ("Heuer & Richards J., 1994", True),
        ("Heuer & Richards J., 1994", True),
    ]
    linked = link(found, verdicts)
    assert [index for c, index in linked.citations if c.authors[0] == "Heuer"] == [3, 3]
    # Rhodes, read beside it, is cited and has no entry.
    assert [(f.finding.code, f.text) for f in linked.findings] == [("RC801", "Rhodes, 2017")]
    # Beside prose, an odd item is no citation; alone, it is a tentative one (a group, a
    # name in an odd form), by its first name.
    assert find_citations("Seen (n = 3; Heuer & Richards J., 1994).", "p.md") == []
    [alone] = find_citations("Seen (Heuer & Richards J., 1994).", "p.md")
    assert (alone.text, alone.authors, alone.tentative) == (
        "(Heuer & Richards J., 1994)",
        ("Heuer",),
        True,
    )


@pytest.mark.parametrize(
    ("cited", "family", "literal"),
    [
        (
            "(Canadian Pain Society Study Day participants, 2015)",
            None,
            "Canadian Pain Society Study Day participants",
        ),
        ("(Michael E. Hohn, Donald W. Neal 1979)", "Hohn", None),
        ("(Elton E. Rodgers, Bill B. Belt, Ed, 1968)", "Rodgers", None),
        ("(Dimentberg, Iourtchenko and Bratus’, 2000)", "Dimentberg", None),
        ("(May, 2007)", "May", None),
        ("(Atwood et al. 2019; May 2007)", "May", None),
    ],
)
def test_group_and_odd_names_cite_their_entry(
    cited: str, family: str | None, literal: str | None
) -> None:
    # Groups, names given first, a transliterated "Bratus’", a surname that is a month: the
    # entry is cited (no RC804 at it, no RC801 at the citation).
    year = int(cited[-5:-1])
    odd = Reference(
        location=Location(path="p.md", line=LIST_AT + 6),
        authors=(Person(family=family, given="C." if family else None, literal=literal),),
        year=year,
        title="An odd entry",
        text="An odd entry",
    )
    verdicts = [*LIST[:2], Verdict(reference=odd, status=Status.UNVERIFIED)]
    if "Atwood" in cited:
        verdicts.append(_entry(LIST_AT + 7, "Atwood", 2019))
    prose = CITED + f"It is common {cited}."
    assert _findings(prose, verdicts) == []


def test_a_month_and_year_is_a_date_unless_the_list_has_that_author_and_year() -> None:
    # "(March 2021)" alone is a date: no citation. "(March, 2021)" or "(March, 2021; ...)"
    # beside an entry by March of another year is no wrong year (RC802) either.
    assert find_citations("It was revised (March 2021) after.", "p.md") == []
    march = _entry(LIST_AT + 6, "March", 2019)
    prose = CITED + "It was revised (March, 2021) after. Also (Kasch et al., 2022; March, 2021)."
    # March 2019 is then cited nowhere: that is all.
    assert _findings(prose, [*LIST[:2], march]) == [
        ("RC804", "March, J. (2019). A study by March.", "")
    ]


def test_an_editor_mark_before_a_year_is_no_name() -> None:
    prose = CITED + "Elton E. Rodgers, Bill B. Belt, Ed (1968) found that oil was there."
    assert _findings(prose, LIST[:2]) == []


def test_names_given_in_full_before_a_narrative_are_its_first_authors() -> None:
    # "Michael E. Hohn, Donald W. Neal (1979)": the narrative's first author is Hohn, not
    # Neal (who is the entry's second: no RC802 calling Neal a wrong first author).
    hohn = Reference(
        location=Location(path="p.md", line=LIST_AT + 6),
        authors=(Person(family="Hohn", given="Michael E."), Person(family="Neal", given="D. W.")),
        year=1979,
        title="Elemental analyses",
        text="Michael E. Hohn, Donald W. Neal. 1979. Elemental analyses.",
    )
    verdicts = [*LIST[:2], Verdict(reference=hohn, status=Status.UNVERIFIED)]
    prose = CITED + "Then Michael E. Hohn, Donald W. Neal (1979) found that it was so."
    [citation] = [c for c in find_citations(prose, "p.md") if c.year == 1979]
    assert (citation.text, citation.authors) == (
        "Michael E. Hohn, Donald W. Neal (1979)",
        ("Michael E. Hohn", "Donald W. Neal"),
    )
    assert _findings(prose, verdicts) == []
    # "However, Smith (2019)": a word before a comma is no name given in full.
    [smith] = find_citations("However, Smith (2019) found that.", "p.md")
    assert smith.authors == ("Smith",)


def test_a_group_named_with_the_cites_its_entry_and_is_news_otherwise() -> None:
    lancet = Reference(
        location=Location(path="p.md", line=LIST_AT + 6),
        authors=(Person(literal="The Lancet"),),
        year=2011,
        title="Specialist nurses and lung cancer",
        text="The Lancet (2011) ‘Specialist nurses and lung cancer’, The Lancet, 377, p. 1892.",
    )
    verdicts = [*LIST[:2], Verdict(reference=lancet, status=Status.UNVERIFIED)]
    assert _findings(CITED + "The Lancet (2011) found that nurses help.", verdicts) == []
    assert _findings(CITED + "It helps (The Lancet, 2011; Pulle 1906).", verdicts) == [
        ("RC801", "Pulle 1906", "")
    ]
    # The one 2019 entry, cited nowhere, is not what news of 2019 misnames.
    smith = _entry(LIST_AT + 8, "Smith", 2019)
    prose = CITED + "The Guardian (2019) reported that it was so."
    assert _findings(prose, [*LIST[:2], smith]) == [
        ("RC804", "Smith, J. (2019). A study by Smith.", "")
    ]


def test_an_item_with_no_name_leaves_its_neighbours_read() -> None:
    # "(- et al. 2012; Pulle 1906)": a record's "-" for a name; Pulle is still cited.
    [pulle] = find_citations("As described (- et al. 2012; Pulle 1906).", "p.md")
    assert (pulle.text, pulle.authors, pulle.tentative) == ("Pulle 1906", ("Pulle",), False)


def test_a_long_second_name_is_read_from_its_first_author() -> None:
    # "Samigulov & South Ural State University (2019)": read from "Ural" alone it was an
    # RC801 for "Ural State University".
    entry = Reference(
        location=Location(path="p.md", line=LIST_AT + 6),
        authors=(
            Person(family="Samigulov", given="G. K."),
            Person(literal="South Ural State University"),
        ),
        year=2019,
        title="Debatable questions",
        text="Samigulov, G. K., & South Ural State University. (2019). Debatable questions.",
    )
    verdicts = [*LIST[:2], Verdict(reference=entry, status=Status.UNVERIFIED)]
    prose = CITED + "Samigulov & South Ural State University (2019) found that it was so."
    [citation] = [c for c in find_citations(prose, "p.md") if c.year == 2019]
    assert citation.text == "Samigulov & South Ural State University (2019)"
    assert _findings(prose, verdicts) == []
