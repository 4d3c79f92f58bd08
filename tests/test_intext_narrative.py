"""A narrative "Spence (1935)" with one name (issue 16): prose unless it reads as a
citation: a verb of reporting follows it, or it explains an entry of its year that no other
citation points at (a wrong first author) or one whose author it misspells."""

from __future__ import annotations

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
    # Alone, or beside prose, an odd item is no citation.
    assert find_citations("Seen (Heuer & Richards J., 1994) and (n = 3; Smith 2019).", "p.md") == []


def test_an_editor_mark_before_a_year_is_no_name() -> None:
    prose = CITED + "Elton E. Rodgers, Bill B. Belt, Ed (1968) found that oil was there."
    assert _findings(prose, LIST[:2]) == []
