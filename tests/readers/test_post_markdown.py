"""Markdown posts: the reference list found, split, located and parsed."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from refcheck.models import Reference
from refcheck.parse import parse_reference
from refcheck.readers import read_path
from refcheck.readers.markdown import markdown_blocks, read_markdown
from refcheck.readers.post import BlockKind

ROOT = Path(__file__).resolve().parents[2]
POSTS = ROOT / "tests" / "fixtures" / "posts"
SEED_MD = ROOT / "references" / "lumbar-mri-paradox.md"

BRINJIKJI = (
    "Brinjikji W, Luetmer PH, Comstock B, et al. Systematic literature review of imaging "
    "features of spinal degeneration in asymptomatic populations. AJNR Am J Neuroradiol. "
    "2015;36(4):811-816."
)
KASCH = (
    "Kasch R, Truthmann J, Hancock MJ, et al. Association of lumbar MRI findings with current "
    "and future back pain in a population-based cohort study. Spine. 2022;47(3):201-211."
)


def read(name: str) -> list[Reference]:
    return read_path(POSTS / name)


def first_authors(references: list[Reference]) -> list[str | None]:
    return [reference.authors[0].family if reference.authors else None for reference in references]


def lines(references: list[Reference]) -> list[int | None]:
    return [reference.location.line for reference in references]


# --- the seed post --------------------------------------------------------------------


def test_seed_post_as_markdown_gives_its_three_references() -> None:
    references = read_path(SEED_MD)

    assert lines(references) == [13, 14, 15]
    assert first_authors(references) == ["Brinjikji", "El Barzouhi", "Kasch"]
    assert [reference.year for reference in references] == [2015, 2013, 2022]
    assert {reference.location.path for reference in references} == {str(SEED_MD)}
    source = SEED_MD.read_text(encoding="utf-8").splitlines()
    for reference in references:
        line = source[reference.location.line - 1]  # type: ignore[operator]
        assert reference.text == line.removeprefix("- ")
        parsed = parse_reference(line)
        assert reference.authors == parsed.authors
        assert (reference.title, reference.container) == (parsed.title, parsed.container)
        assert (reference.volume, reference.issue, reference.pages) == (
            parsed.volume,
            parsed.issue,
            parsed.pages,
        )
        assert reference.doi is None
        assert reference.suppress == ()
    brinjikji = references[0]
    assert brinjikji.container == "American Journal of Neuroradiology"
    assert (brinjikji.volume, brinjikji.issue, brinjikji.pages) == ("36", "4", "811–816")


# --- numbered, wrapped, linked, suppressed ---------------------------------------------


def test_numbered_references_wrapping_across_lines() -> None:
    references = read("numbered-wrapped.md")

    assert lines(references) == [14, 18, 23, 27]
    assert first_authors(references) == ["Brinjikji", "el Barzouhi", "Kasch", "Jensen"]
    brinjikji, barzouhi, kasch, jensen = references
    # Soft-wrapped and indented continuation lines are one reference, markup stripped.
    assert brinjikji.text == BRINJIKJI + " doi:10.3174/ajnr.A4173"
    assert brinjikji.container == "AJNR Am J Neuroradiol"
    assert (brinjikji.year, brinjikji.volume, brinjikji.issue, brinjikji.pages) == (
        2015,
        "36",
        "4",
        "811-816",
    )
    assert brinjikji.doi == "10.3174/ajnr.A4173"  # from the link, shown once
    # Lazy continuation lines (not indented) belong to the item too; _x_ is emphasis.
    assert barzouhi.title == "Magnetic resonance imaging in follow-up assessment of sciatica"
    assert barzouhi.container == "N Engl J Med"
    assert barzouhi.text.endswith("N Engl J Med. 2013;368(11):999-1007.")
    # A link around the title: the text is kept, the doi.org URL gives the DOI.
    assert kasch.doi == "10.1097/BRS.0000000000004198"
    assert kasch.title == (
        "Association of lumbar MRI findings with current and future back pain in a "
        "population-based cohort study"
    )
    assert "[" not in kasch.text
    assert "](" not in kasch.text
    assert "*" not in kasch.text
    assert jensen.year == 1994
    assert jensen.pages == "69-73"
    assert jensen.doi is None


def test_suppression_comments() -> None:
    references = read("numbered-wrapped.md")

    assert [reference.suppress for reference in references] == [
        (),
        (),
        ("RC301", "RC202"),  # the comment on the line before the item
        ("*",),  # "ignore" without codes, at the end of the reference's own lines
    ]


def test_front_matter_code_and_other_sections_are_not_read() -> None:
    references = read("numbered-wrapped.md")

    # The front matter cites Jensen's DOI, the code block a fake reference, and the
    # "About the author" section a year: none of them is a reference.
    assert all(reference.doi != "10.1056/NEJM199407143310201" for reference in references)
    assert all("Code-Block" not in reference.text for reference in references)
    assert len(references) == 4


def test_apa_paragraphs_wrapped_and_back_to_back() -> None:
    references = read("apa.md")

    assert lines(references) == [7, 13, 17]
    assert first_authors(references) == ["Brinjikji", "el Barzouhi", "Kasch"]
    brinjikji, barzouhi, kasch = references
    assert len(brinjikji.authors) == 13
    assert brinjikji.container == "American Journal of Neuroradiology"
    assert (brinjikji.volume, brinjikji.issue, brinjikji.pages) == ("36", "4", "811–816")
    assert brinjikji.doi == "10.3174/ajnr.A4173"
    assert barzouhi.doi == "10.1056/NEJMoa1209250"
    assert barzouhi.container == "New England Journal of Medicine"
    assert (kasch.year, kasch.volume, kasch.issue, kasch.pages) == (2022, "47", "3", "201–211")
    # "# Comments" (a higher heading) ends the list: "Posted by Sam, 2023." is not in it.
    assert all("Sam" not in reference.text for reference in references)


def test_footnotes() -> None:
    references = read("footnotes.md")

    assert lines(references) == [8, 14]
    brinjikji, barzouhi = references
    assert brinjikji.text == BRINJIKJI
    assert brinjikji.authors_truncated
    assert barzouhi.doi == "10.1056/NEJMoa1209250"
    assert barzouhi.year == 2013
    # "[^note]: I have seen this myself ... since 2010." is a remark, not a reference.


def test_doi_link_in_prose_is_a_reference_with_only_its_doi() -> None:
    references = read("doi-in-prose.md")

    assert [(reference.doi, reference.location.line) for reference in references] == [
        ("10.3174/ajnr.A4173", 4),
        ("10.1056/NEJMoa1209250", 5),  # the DOI's own line (its sentence starts on 4)
    ]
    link, bare = references
    assert link.text == (
        "It is at the journal's site https://doi.org/10.3174/ajnr.A4173 and worth your time!"
    )
    assert bare.text == "The follow-up study (doi:10.1056/NEJMoa1209250) says the same."
    for reference in references:
        assert reference.authors == ()
        assert reference.title is None
        assert reference.year is None


def test_doi_in_prose_next_to_a_list_that_cites_it_is_not_repeated() -> None:
    text = (
        "See doi:10.3174/ajnr.A4173 for the review, and 10.1000/other.1 too.\n\n"
        "## References\n\n"
        f"1. {BRINJIKJI} doi:10.3174/ajnr.A4173\n"
    )
    references = read_markdown(text, None)

    assert [(reference.doi, reference.location.line) for reference in references] == [
        ("10.1000/other.1", 1),
        ("10.3174/ajnr.A4173", 5),
    ]
    assert references[1].title is not None


def test_prose_only_post_gives_no_reference() -> None:
    assert read("no-references.md") == []


def test_headingless_trailing_list() -> None:
    references = read("headingless.md")

    assert lines(references) == [7, 10]
    assert first_authors(references) == ["Brinjikji", "Kasch"]
    assert references[1].pages == "201–211"


# --- headings ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "heading",
    [
        "## References",
        "## REFERENCES:",
        "## 7. References",
        "### Reference list",
        "## Bibliography",
        "## Works Cited",
        "## Sources",
        "## Literature cited",
        "## Further reading",
        "## Notes and references",
        "## Citations",
        "## Quellen",
        "## Références",
        "References\n----------",
        "**References**",
        "__Bibliography:__",
    ],
)
def test_reference_headings(heading: str) -> None:
    # One reference under the heading would not make a headingless run: the heading counts.
    text = f"# Post\n\nSome prose.\n\n{heading}\n\n- {KASCH}\n"

    (reference,) = read_markdown(text, "p.md")

    assert reference.authors[0].family == "Kasch"
    assert reference.location.line == text.count("\n", 0, text.index("- Kasch")) + 1


def test_bold_heading_with_its_list_in_one_paragraph() -> None:
    text = f"Prose.\n\n**References:**\n{BRINJIKJI}\n{KASCH}\n"

    references = read_markdown(text, None)

    assert lines(references) == [4, 5]
    assert first_authors(references) == ["Brinjikji", "Kasch"]


def test_plain_line_naming_the_list() -> None:
    text = f"Prose.\n\nReferences:\n{KASCH}\n\nSources\n\n{BRINJIKJI}\n"
    references = read_markdown(text, None)

    assert lines(references) == [4, 8]


def test_not_a_reference_heading() -> None:
    text = "## Sources of protein\n\n- Beans, 2019 harvest.\n- Eggs (2020): 12 a day.\n"
    assert read_markdown(text, None) == []


def test_section_runs_to_the_next_heading_of_its_level() -> None:
    text = (
        "## References\n\n"
        "### Journal articles\n\n"
        f"- {BRINJIKJI}\n\n"
        "## Comments\n\n"
        f"- {KASCH}\n"  # under another h2, and alone: not a reference list
    )
    references = read_markdown(text, None)

    assert first_authors(references) == ["Brinjikji"]
    assert lines(references) == [5]


def test_intro_and_boilerplate_lines_in_a_section_are_skipped() -> None:
    text = (
        "## References\n\n"
        "The studies I cite, in order of appearance:\n\n"
        f"1. {BRINJIKJI}\n"
        f"2. {KASCH}\n\n"
        "Thanks for reading, and see you in 2024.\n\n"
        "© 2023 Jo Writer\n"
    )
    references = read_markdown(text, None)

    assert first_authors(references) == ["Brinjikji", "Kasch"]


def test_a_reference_with_copyright_in_its_title_is_no_boilerplate() -> None:
    # Crossref 10.2307/892945, as Elsevier Harvard and MLA print it.
    harvard = (
        "Lichtenwanger, W., 1956. Copyright Law Symposium, Number Nine; Nathan Burkan "
        "Memorial Competition. Notes 16, 394."
    )
    mla = (
        "Lichtenwanger, W. \u201cCopyright Law Symposium, Number Nine; Nathan Burkan Memorial "
        "Competition.\u201d Notes, vol. 16, no. 3, June 1956, p. 394."
    )
    text = (
        f"## References\n\n1. {BRINJIKJI}\n2. {harvard}\n3. {mla}\n\n"
        "Copyright 2023 Jo Writer. All rights reserved.\n"
    )
    references = read_markdown(text, None)

    assert first_authors(references) == ["Brinjikji", "Lichtenwanger", "Lichtenwanger"]
    assert [reference.year for reference in references][1:] == [1956, 1956]


def test_thematic_break_ends_the_section() -> None:
    text = f"## References\n\n- {BRINJIKJI}\n\n---\n\nJo Writer, 2019. *Backs*. Penguin.\n"
    references = read_markdown(text, None)

    assert first_authors(references) == ["Brinjikji"]


def test_raw_html_list_in_markdown() -> None:
    text = (
        "# Post\n\n"
        "## References\n\n"
        "<ol>\n"
        f"<li>{BRINJIKJI}</li>\n"
        "<!-- refcheck: ignore[RC501] -->\n"
        f"<li>{KASCH}</li>\n"
        "</ol>\n"
    )
    references = read_markdown(text, None)

    assert lines(references) == [6, 8]
    assert [reference.suppress for reference in references] == [(), ("RC501",)]


# --- blocks and line numbers --------------------------------------------------------------


def test_front_matter_keeps_line_numbers() -> None:
    for fence, closer in (("---", "---"), ("---", "..."), ("+++", "+++")):
        text = f"{fence}\ntitle: x\ndoi: 10.1000/front.1\n{closer}\n\n## References\n\n- {KASCH}\n"
        (reference,) = read_markdown(text, None)
        assert reference.location.line == 8


def test_unclosed_front_matter_is_text() -> None:
    text = f"---\ntitle: x\n\n## References\n\n- {KASCH}\n"
    (reference,) = read_markdown(text, None)
    assert reference.location.line == 6


def test_blocks_of_a_small_post() -> None:
    text = "# Title\n\nProse *here*.\n\n- item\n\n[^1]: A note.\n\n```\ncode\n```\n\n***\n"
    blocks = markdown_blocks(text)

    assert [(block.kind, block.line) for block in blocks] == [
        (BlockKind.HEADING, 1),
        (BlockKind.PARAGRAPH, 3),
        (BlockKind.ITEM, 5),
        (BlockKind.FOOTNOTE, 7),
        (BlockKind.BOUNDARY, 13),
    ]
    assert blocks[1].text == "Prose here."


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n\n",
        "---\ntitle: only front matter\n---\n",
        "+++\n",
        "# References\n\n",
        "# References\n\n- \n- \n",
        "[^1]:\n[^2]: [^3]:",
        "```\n# References\n- Smith J, 2019. T. J 1(2):3-4.",
        ">" * 5000 + " Smith, J. (2019). Title. Journal, 1(2), 3-4.",
        "- " * 5000 + "x",
        "[" * 20000,
        "*" * 100_000,
        "<div>" * 5000,
        "a" * 500_000,
        "<!-- refcheck: ignore[] -->",
        "\x00\x01 10.1000/x\x00",
        "## References\n\n" + "x" * 300_000 + " 2019",
        "[a](https://doi.org/10.1000/(((((" + ")" * 10,
    ],
)
def test_odd_input_never_raises(text: str) -> None:
    references = read_markdown(text, "odd.md")
    assert isinstance(references, list)


def test_a_megabyte_post_is_read_fast() -> None:
    paragraph = (
        "Back pain is *common* in 2015 and [links](https://example.org/a) appear with `code`,\n"
        "wrapped across lines (Smith et al., 2019), 36(4):811-6, like **this**.\n\n"
    )
    section = "## Section\n\n" + paragraph * 5 + "- item one, 2019\n- item two (2020)\n\n"
    text = section * (1_000_000 // len(section)) + "## References\n\n" + f"1. {KASCH}\n" * 40
    assert len(text) > 990_000
    read_markdown(text[:5000], None)  # warm up: the first call compiles the parser's patterns

    start = time.process_time()  # CPU time: other processes on the machine do not count
    references = read_markdown(text, None)
    elapsed = time.process_time() - start

    assert len(references) == 40
    # Typically 0.2-0.7 s of CPU; the bound leaves room for a loaded machine and catches
    # any quadratic walk, which would take tens of seconds.
    assert elapsed < 2.0, elapsed


_PIECES = st.sampled_from(
    [
        "# References\n",
        "- ",
        "1. ",
        "[^1]: ",
        "**",
        "*",
        "_",
        "`",
        "```\n",
        "[",
        "](",
        ")",
        "<!-- refcheck: ignore -->",
        "<ol><li>",
        "---\n",
        "> ",
        "    ",
        "\n",
        "\n\n",
        "Smith, J. (2019). ",
        "Title. ",
        "J Med, 1(2), 3-4. ",
        "10.1000/x ",
        "https://doi.org/10.1000/y",
        "et al. ",
    ]
) | st.text(max_size=8)


@settings(max_examples=150, deadline=None)
@given(st.lists(_PIECES, max_size=60).map("".join))
def test_any_mix_of_markup_never_raises(text: str) -> None:
    # As files.load_text hands text to the readers: a lone "\r" is a line break already
    # turned into "\n" (markdown-it counts it as one either way).
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    for reference in read_markdown(text, "fuzz"):
        assert reference.location.line is not None
        assert 1 <= reference.location.line <= text.count("\n") + 1
        assert reference.text == " ".join(reference.text.split())


def test_emphasis_inside_a_word_stays_part_of_the_journal_name() -> None:
    text = (
        "## References\n\n"
        "- Kong, F. (2010). Re-irradiation may be a *viable* option in lung cancer. "
        "International Journal of Radiation Oncology*Biology*Physics, 78(3), S533.\n"
    )
    [reference] = read_markdown(text, "post.md")
    assert reference.container == "International Journal of Radiation Oncology*Biology*Physics"
    # An italic word inside the title is no container and does not cut the title.
    assert reference.title == "Re-irradiation may be a viable option in lung cancer"
