"""In-text citation forms beyond the seed post (issue 16): HTML entities, generational
suffixes and initials in cited names, Vancouver's "(1)" and AMA's superscripts (taken only
where they cite the list), and an author-year citation two entries fit (RC806)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from refcheck.intext import link
from refcheck.models import InTextCitation, Location, Person, Reference, Status, Verdict
from refcheck.readers.citations import find_citations

SNAPSHOT = Path(__file__).resolve().parents[1] / "references" / "seed-works.jsonl"


def _entry(line: int, family: str, year: int, *, path: str = "p.html", text: str = "") -> Verdict:
    reference = Reference(
        location=Location(path=path, line=line),
        authors=(Person(family=family, given="J."), Person(family="Other", given="K.")),
        year=year,
        title=f"A study by {family}",
        text=text or f"{family}, J., Other, K. ({year}). A study by {family}.",
    )
    return Verdict(reference=reference, status=Status.UNVERIFIED)


def _at(text: str, citation: InTextCitation) -> str:
    line = text.split("\n")[citation.line - 1]
    return line[citation.column - 1 :]


def test_html_entities_are_read_as_characters_at_their_own_columns() -> None:
    text = "<p>As shown (Drygajlo &amp; Li, 2013) and M&uuml;ller et al. (2020) &mdash; ok</p>"
    found = find_citations(text, "post.html")
    assert [(c.text, c.authors) for c in found] == [
        ("(Drygajlo & Li, 2013)", ("Drygajlo", "Li")),
        ("Müller et al. (2020)", ("Müller",)),
    ]
    assert _at(text, found[0]).startswith("(Drygajlo &amp; Li, 2013)")
    assert _at(text, found[1]).startswith("M&uuml;ller et al. (2020)")


def test_suffixes_initials_and_particles_in_cited_names() -> None:
    text = (
        "Seen before (Bertrand & Gschneidner, Jr., 1969; Fong and M. Fong, 2011) and "
        "(Carmody, Brunner and St. Jeor, 1999)."
    )
    found = find_citations(text, "post.txt")
    assert [c.authors for c in found] == [
        ("Bertrand", "Gschneidner"),
        ("Fong", "Fong"),
        ("Carmody", "Brunner"),
    ]


VANCOUVER = """<h1>Back pain</h1>
<p>Disc bulges are common without pain (1). Imaging rarely changes care (2,3), and
the trial asked two questions: (1) whether it helps and (2) for whom. Pain fell (4-5).</p>
<h2>References</h2>
<ol>
{entries}
</ol>
"""


def _vancouver(cites: str = "") -> tuple[str, list[Verdict]]:
    names = ["Brinjikji", "Kasch", "Jarvik", "Deyo", "Chou"]
    entries = "\n".join(f"<li>{name} J. A study. 2015.</li>" for name in names)
    text = VANCOUVER.format(entries=entries).replace("Pain fell (4-5).", f"Pain fell (4-5).{cites}")
    verdicts = [_entry(n + 6, name, 2015) for n, name in enumerate(names)]
    return text, verdicts


def test_parenthesised_numbers_cite_a_numbered_list() -> None:
    text, verdicts = _vancouver()
    linked = link(find_citations(text, "p.html"), verdicts)
    # The enumeration's "(1) whether" and "(2) for whom" are no citations.
    assert [(c.text, c.line, index) for c, index in linked.citations] == [
        ("(1)", 2, 0),
        ("(2,3)", 2, 1),
        ("(4-5)", 3, 3),
    ]
    assert linked.findings == ()


def test_a_parenthesised_number_just_beyond_the_list_is_rc803() -> None:
    text, verdicts = _vancouver(" Also (6).")
    linked = link(find_citations(text, "p.html"), verdicts)
    assert [(f.finding.code, f.text) for f in linked.findings] == [("RC803", "(6)")]
    assert _at(text, linked.findings[0].citation or linked.unlinked[0]).startswith("(6)")


def test_parenthesised_numbers_in_an_author_year_post_are_prose() -> None:
    text = (
        "<p>Back pain is common (Kasch et al., 2015) in adults (18) and the sample (120) was"
        " large (3).</p>"
    )
    verdicts = [_entry(5, "Kasch", 2015), _entry(6, "Jarvik", 2015)]
    linked = link(find_citations(text, "p.html"), verdicts)
    assert [c.text for c, _ in linked.citations] == ["(Kasch et al., 2015)"]
    # Jarvik is not cited, but half the list is: RC804 is the only finding; no RC803.
    assert [f.finding.code for f in linked.findings] == ["RC804"]


def test_superscripts_cite_but_powers_do_not() -> None:
    text = (
        "<p>Back pain is common<sup>1,2</sup> and costly.<sup>3</sup> A field of 10<sup>6</sup>"
        " cells in 2 m<sup>2</sup>.</p>"
    )
    verdicts = [_entry(n + 2, name, 2015) for n, name in enumerate(["A", "B", "C"])]
    found = find_citations(text, "p.html")
    assert [(c.text, c.numbers) for c in found] == [("1,2", (1, 2)), ("3", (3,))]
    assert _at(text, found[0]).startswith("<sup>1,2</sup>")
    linked = link(found, verdicts)
    assert [index for _, index in linked.citations] == [0, 2]
    assert linked.findings == ()


def test_a_year_two_entries_share_is_ambiguous() -> None:
    verdicts = [_entry(10, "Smith", 2019), _entry(11, "Smith", 2019), _entry(12, "Jones", 2020)]
    text = "As shown (Smith et al., 2019) and (Jones, 2020)."
    linked = link(find_citations(text, "p.html"), verdicts)
    [finding] = linked.findings
    assert (finding.finding.code, finding.finding.severity.value) == ("RC806", "warning")
    assert "2 entries" in finding.finding.message
    assert "no a/b suffix" in finding.finding.message
    # Linked to both: neither is "never cited".
    assert linked.cited_by(0)
    assert linked.cited_by(1)


def test_a_year_suffix_or_a_second_author_settles_it() -> None:
    a = _entry(10, "Smith", 2019, text="Smith, J., Other, K. (2019a). A.")
    b = _entry(11, "Smith", 2019, text="Smith, J., Other, K. (2019b). B.")
    linked = link(find_citations("As (Smith et al., 2019b) and (Smith, 2019a).", "p.html"), [a, b])
    assert [index for _, index in linked.citations] == [1, 0]
    assert linked.findings == ()
    unsuffixed = link(find_citations("As (Smith et al., 2019).", "p.html"), [a, b])
    assert "marked 2019a, 2019b" in unsuffixed.findings[0].finding.message
    jones = Verdict(
        reference=b.reference.model_copy(
            update={"authors": (Person(family="Smith", given="J."), Person(family="Jones"))}
        ),
        status=Status.UNVERIFIED,
    )
    settled = link(find_citations("As (Smith & Jones, 2019).", "p.html"), [a, jones])
    assert [index for _, index in settled.citations] == [1]
    assert [f.finding.code for f in settled.findings] == ["RC804"]


LINKED = """# Scans

Back pain is common and scans are too, as found in the
cohort ([{kasch}](https://doi.org/10.1097/BRS.0000000000004198)) and
the review of [{brinjikji}](https://doi.org/10.3174/ajnr.A4173 "AJNR").
"""


@pytest.mark.parametrize(
    ("kasch", "brinjikji", "expected"),
    [
        # 2021 is the work's online year, 2022 its print year: both are the work's.
        ("Kasch et al., 2021", "Brinjikji et al., 2015", []),
        ("Kasch et al., 2022", "Brinjikji et al. (2015)", []),
        (
            "Kasch et al., 2019",
            "Smith et al., 2015",
            [
                (4, "Kasch et al., 2019", "RC802", "is of 2021 or 2022"),
                (5, "Smith et al., 2015", "RC802", "has Brinjikji as its first author"),
            ],
        ),
    ],
)
def test_a_link_that_is_the_citation_is_checked_against_the_linked_work(
    tmp_path: Path, kasch: str, brinjikji: str, expected: list[tuple[int, str, str, str]]
) -> None:
    from refcheck.cli import main

    post = tmp_path / "post.md"
    text = LINKED.format(kasch=kasch, brinjikji=brinjikji)
    post.write_text(text, encoding="utf-8")
    out = tmp_path / "report.json"
    argv = ["check", "--isolated", "--offline", "--no-cache", "--snapshot", str(SNAPSHOT)]
    status = main([*argv, "--format", "json", "--output", str(out), str(post)])
    report = json.loads(out.read_text(encoding="utf-8"))
    # Each link's DOI is a reference at the link's own line, and the link text its citation
    # there (not the paragraph's first line); no citation is read twice or left unlinked.
    references = report["references"]
    assert [r["line"] for r in references] == [4, 5]
    lines = text.split("\n")
    for reference in references:
        [citation] = reference["citations"]
        assert citation["line"] == reference["line"]
        assert lines[citation["line"] - 1][citation["column"] - 1 :].startswith(
            ("[" + kasch, "[" + brinjikji)
        )
    assert report["unlinked_citations"] == []
    found = [
        (c["line"], c["text"], f["code"], f["message"])
        for r in references
        for c in r["citations"]
        for f in c["findings"]
    ]
    assert [(line, text, code) for line, text, code, _ in found] == [e[:3] for e in expected]
    assert all(e[3] in message for e, (*_, message) in zip(expected, found, strict=True))
    assert status == (1 if expected else 0)


FOOTNOTES = Path(__file__).resolve().parent / "fixtures" / "posts" / "footnotes.md"


def test_footnote_markers_cite_the_footnotes_references(tmp_path: Path) -> None:
    from refcheck.api import link_citations, read_citations, read_references

    text = FOOTNOTES.read_text(encoding="utf-8")
    # An author-year citation beside them: the post cites in the text, so an entry no
    # marker pointed at would be "never cited".
    text = text.replace("Some say otherwise.", "Some say otherwise (Kasch et al., 2022).[^9]")
    post = tmp_path / "post.md"
    post.write_text(text, encoding="utf-8")
    references = read_references([post])
    verdicts = [Verdict(reference=r, status=Status.UNVERIFIED) for r in references]
    linked = link_citations(read_citations([post]), verdicts)
    lines = text.split("\n")
    by_text = {c.text: (c, index) for c, index in linked.citations}
    brinjikji, first = by_text["[^brinjikji]"]
    barzouhi, second = by_text["[^2]"]
    # Each marker where it stands, linked to the reference its footnote holds; "[^note]"
    # is a note, not a citation.
    assert "[^note]" not in by_text
    for citation in (brinjikji, barzouhi):
        assert lines[citation.line - 1][citation.column - 1 :].startswith(citation.text)
    assert first is not None
    assert references[first].location.line == 8
    assert second is not None
    assert references[second].location.line == 14
    # "[^9]" has no footnote: Markdown prints it as it is.
    assert [(f.finding.code, f.text) for f in linked.findings] == [
        ("RC801", "(Kasch et al., 2022)"),
        ("RC805", "[^9]"),
    ]


def test_a_generational_suffix_the_list_keeps_in_a_family_is_not_cited() -> None:
    reference = Reference(
        location=Location(path="p.md", line=9),
        authors=(Person(family="Santos", given="A."), Person(family="Mantovaneli Jr", given="B.")),
        year=2019,
        title="A study",
    )
    verdicts = [Verdict(reference=reference, status=Status.UNVERIFIED)]
    linked = link(find_citations("As seen (Santos & Mantovaneli, 2019).", "p.md"), verdicts)
    assert [index for _, index in linked.citations] == [0]
    assert linked.findings == ()
    # Another second author is still named.
    other = link(find_citations("As seen (Santos & Moreira, 2019).", "p.md"), verdicts)
    assert [f.finding.code for f in other.findings] == ["RC802"]


def test_a_less_than_sign_in_markdown_prose_opens_no_tag() -> None:
    text = "Small (p < 0.05). Stone et al. (2017) found it.\n\nA ratio > 1 <b>held</b> (Li, 2019)."
    assert [c.text for c in find_citations(text, "post.md")] == [
        "Stone et al. (2017)",
        "(Li, 2019)",
    ]


def _unparsed(line: int, text: str, year: int | None) -> Verdict:
    """An entry read at its line whose authors and title the parse did not find."""
    reference = Reference(location=Location(path="p.txt", line=line), text=text, year=year)
    return Verdict(reference=reference, status=Status.UNVERIFIED)


def test_an_entry_whose_authors_the_parse_missed_is_cited_by_its_opening_name() -> None:
    # "Dave (2011) 'Remediation ...'" and "Hong Lin (2005) ..." are list entries whose
    # single-word or given-and-family author the parse did not read: a citation naming
    # them links (no RC801 at the citation, no RC804 at the entry).
    text = "As shown (Dave, 2011) and later Hong Lin (2005) found that (Smith, 2019)."
    verdicts = [
        _unparsed(3, "Dave (2011) ‘Remediation Technologies for Marine Oil Spills’", 2011),
        _unparsed(4, "Hong Lin (2005) ‘Identification of Spinal Deformity’", 2005),
        _entry(5, "Smith", 2019, path="p.txt"),
    ]
    linked = link(find_citations(text, "p.txt"), verdicts)
    assert linked.findings == ()
    assert [index for _, index in linked.citations] == [0, 1, 2]
    # A name that only begins the entry's first word is none of its authors.
    linked = link(find_citations("As shown (Dav, 2011) and (Smith, 2019).", "p.txt"), verdicts)
    assert [(f.finding.code, f.text) for f in linked.findings] == [("RC801", "(Dav, 2011)")]


def test_an_entry_read_with_only_its_year_keeps_its_number() -> None:
    # "[2] W. E. W., ..." read with a year but neither authors nor title still counts as
    # the list's second entry: "[3]" is the third, not beyond the list.
    verdicts = [
        _entry(3, "Hermann", 2019, path="p.txt"),
        _unparsed(4, "W. E. W., Announcement regarding APS and SPR abstracts, 1962.", 1962),
        _entry(5, "Lam", 2016, path="p.txt"),
    ]
    linked = link(find_citations("One [1], two [2] and three [3].", "p.txt"), verdicts)
    assert linked.findings == ()
    assert [index for _, index in linked.citations] == [0, 1, 2]


def test_an_acronym_cites_the_group_the_list_spells_out() -> None:
    who = Reference(
        location=Location(path="p.txt", line=4),
        authors=(Person(literal="World Health Organization"),),
        year=2020,
        title="Guidance",
        text="World Health Organization. (2020). Guidance.",
    )
    verdicts = [
        _entry(3, "Kasch", 2022, path="p.txt"),
        Verdict(reference=who, status=Status.UNVERIFIED),
    ]
    text = "It is so (Kasch et al., 2022) and (WHO, 2020)."
    linked = link(find_citations(text, "p.txt"), verdicts)
    assert linked.findings == ()
    assert [index for _, index in linked.citations] == [0, 1]
    # The same entry read without its author: its opening words stand for the acronym.
    bare = _unparsed(4, "World Health Organization (2020) ‘Guidance’, WHO Press.", 2020)
    linked = link(find_citations(text, "p.txt"), [verdicts[0], bare])
    assert [index for _, index in linked.citations] == [0, 1]
    # Initials that only begin it are no match: "WH" is not "WHO".
    linked = link(find_citations("So (Kasch et al., 2022; WH, 2020).", "p.txt"), verdicts)
    assert [f.finding.code for f in linked.findings] == ["RC804"]


def test_an_entry_read_with_only_its_year_is_never_called_uncited() -> None:
    verdicts = [
        _entry(3, "Kasch", 2022, path="p.txt"),
        _unparsed(4, "Ѕоmе еntrу thе раrsе соuld nоt rеаd, 2020.", 2020),
    ]
    linked = link(find_citations("It is so (Kasch et al., 2022).", "p.txt"), verdicts)
    assert linked.findings == ()


@pytest.mark.parametrize(
    ("text", "authors"),
    [
        # A stray comma before "&", as a record's odd author list renders in APA.
        ("(Brewer, & Krzyzynski, 2002; Schwantes et al., 2016)", ("Brewer", "Krzyzynski")),
        # A spaced dash inside a family name, as a record may give it.
        ("Abdul – Rahman and Abdullah (2018) found that", ("Abdul – Rahman", "Abdullah")),
        # A stray comma before "et al.".
        ("(Brewer, et al., 2016; Schwantes et al., 2016)", ("Brewer", "Other")),
        # A letter the record's encoding lost, printed as "?" in the list and the text.
        ("(Setnes & Babu?ka, 2001)", ("Setnes", "Babu?ka")),
        ("Setnes & Babu\ufffdka (2001) found that", ("Setnes", "Babu\ufffdka")),
    ],
)
def test_odd_punctuation_in_cited_names(text: str, authors: tuple[str, ...]) -> None:
    first = find_citations(text, "p.txt")[0]
    assert (first.authors[0], first.tentative) == (authors[0], False)
    assert first.authors[1:] == authors[1:] or first.et_al
    family = authors[0]
    entry = Reference(
        location=Location(path="p.txt", line=3),
        authors=(Person(family=family, given="D."), Person(family=authors[1], given="K.")),
        year=first.year,
        title="A study",
        text=f"{family}, D., & {authors[1]}, K. ({first.year}). A study.",
    )
    linked = link([first], [Verdict(reference=entry, status=Status.UNVERIFIED)])
    assert linked.findings == ()
    assert [index for _, index in linked.citations] == [0]


def _odd_first(line: int, literal: str, year: int) -> Verdict:
    reference = Reference(
        location=Location(path="p.txt", line=line),
        authors=(Person(literal=literal),),
        year=year,
        title="Test article",
        text=f"{literal} ({year}). Test article.",
    )
    return Verdict(reference=reference, status=Status.UNVERIFIED)


@pytest.mark.parametrize("literal", ["patel, vaishali", "X.D", "P., K"])
def test_an_entry_no_author_year_citation_can_name_is_not_called_uncited(literal: str) -> None:
    verdicts = [_entry(3, "Kasch", 2022, path="p.txt"), _odd_first(4, literal, 2011)]
    linked = link(find_citations("So (Kasch et al., 2022).", "p.txt"), verdicts)
    assert linked.findings == ()
    # Cited by number, any entry can be, whatever its names: uncited, it is RC804.
    linked = link(find_citations("So [1].", "p.txt"), verdicts)
    assert [(f.finding.code, f.line) for f in linked.findings] == [("RC804", 4)]


@pytest.mark.parametrize("family", ["de Silva", "d'Alembert", "van der Berg"])
def test_a_family_starting_with_a_particle_is_citable(family: str) -> None:
    verdicts = [
        _entry(3, "Kasch", 2022, path="p.txt"),
        _entry(4, "Brinjikji", 2015, path="p.txt"),
        _entry(5, family, 2011, path="p.txt"),
    ]
    linked = link(find_citations("So (Kasch et al., 2022; Brinjikji, 2015).", "p.txt"), verdicts)
    assert [(f.finding.code, f.line) for f in linked.findings] == [("RC804", 5)]


@pytest.mark.parametrize("cited", ["(Setnes & Babu?ka, 2001)", "(Brewer, et al., 2016)"])
def test_an_odd_but_readable_citation_with_no_entry_is_reported(cited: str) -> None:
    # Read as surely as "(Setnes & Babuska, 2001)": missing from the list, it is RC801
    # (read as an odd item, it was tentative and dropped unlinked).
    verdicts = [_entry(3, "Kasch", 2022, path="p.txt")]
    linked = link(find_citations(f"So (Kasch et al., 2022) and {cited}.", "p.txt"), verdicts)
    assert [(f.finding.code, f.column) for f in linked.findings] == [("RC801", 29)]


def test_a_year_inside_the_entrys_doi_is_not_its_year() -> None:
    # The list's 2012, whose DOI ends "2011.2010": "(Belcher 2010)" is a wrong year.
    text = (
        "Belcher, R. E. 2012. “Vessel.” JAMA 307 (7): 643. https://doi.org/10.1001/jama.2011.2010."
    )
    verdicts = [_entry(3, "Belcher", 2012, path="p.txt", text=text)]
    linked = link(find_citations("It was shared (Belcher 2010).", "p.txt"), verdicts)
    assert [(f.finding.code, f.finding.expected) for f in linked.findings] == [("RC802", "2012")]
    linked = link(find_citations("It was shared (Belcher 2012).", "p.txt"), verdicts)
    assert linked.findings == ()


def test_a_date_word_surname_reporting_cites_its_entry() -> None:
    verdicts = [_entry(3, "Kasch", 2022, path="p.txt"), _entry(4, "May", 2007, path="p.txt")]
    text = "So (Kasch et al., 2022). May (2007) found that teams plan."
    linked = link(find_citations(text, "p.txt"), verdicts)
    assert linked.findings == ()
    assert [index for _, index in linked.citations] == [0, 1]
    # With no May 2007 in the list it is a date: no finding (and the entry is uncited).
    linked = link(find_citations(text, "p.txt"), verdicts[:1])
    assert linked.findings == ()
