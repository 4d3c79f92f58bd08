"""Plain-text posts (a page saved as text, .txt, .rst): reference lists with or without a
heading, located by line."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from refcheck.models import Reference
from refcheck.parse import parse_reference
from refcheck.readers import read_path
from refcheck.readers.post import (
    BlockKind,
    Segment,
    looks_like_reference,
    plain_text_blocks,
    read_plain_text,
    reference_heading,
    split_references,
    suppression,
)
from refcheck.readers.text import read_text

POSTS = Path(__file__).resolve().parents[1] / "fixtures" / "posts"

BRINJIKJI = (
    "Brinjikji W, Luetmer PH, Comstock B, et al. Systematic literature review of imaging "
    "features of spinal degeneration in asymptomatic populations. AJNR Am J Neuroradiol. "
    "2015;36(4):811-816."
)
KASCH = (
    "Kasch R, Truthmann J, Hancock MJ, et al. Association of lumbar MRI findings with current "
    "and future back pain in a population-based cohort study. Spine. 2022;47(3):201-211."
)


def first_authors(references: list[Reference]) -> list[str | None]:
    return [reference.authors[0].family if reference.authors else None for reference in references]


def lines(references: list[Reference]) -> list[int | None]:
    return [reference.location.line for reference in references]


# --- the seed post, as saved --------------------------------------------------------------


def test_seed_post_gives_its_three_references(shared: Path) -> None:
    path = shared / "seed" / "lumbar-mri-paradox.txt"
    source = path.read_text(encoding="utf-8").split("\n")

    references = read_path(path)

    assert lines(references) == [56, 58, 60]
    assert first_authors(references) == ["Brinjikji", "El Barzouhi", "Kasch"]
    assert [reference.year for reference in references] == [2015, 2013, 2022]
    for reference in references:
        line = source[reference.location.line - 1]  # type: ignore[operator]
        assert line.startswith("-")
        assert reference.text == line[1:]  # the "-" marker is not part of the reference
        parsed = parse_reference(line)
        assert reference.authors == parsed.authors
        assert reference.title == parsed.title
        assert reference.container == parsed.container
        assert (reference.volume, reference.issue, reference.pages) == (
            parsed.volume,
            parsed.issue,
            parsed.pages,
        )
        assert reference.doi is None
        assert reference.location.path == str(path)
    kasch = references[2]
    assert kasch.title == (
        "Association of Lumbar MRI Findings with Current and Future Back Pain in a "
        "Population-based Cohort Study"
    )
    assert (kasch.container, kasch.volume, kasch.issue, kasch.pages) == (
        "Spine",
        "47",
        "3",
        "201–211",
    )


def test_seed_post_body_without_its_list_gives_nothing(shared: Path) -> None:
    text = (shared / "seed" / "lumbar-mri-paradox.txt").read_text(encoding="utf-8")
    body = "\n".join(line for line in text.split("\n") if not line.startswith("-"))

    # Its "Article 1: ... (Kasch et al., 2022)" lines are narrative citations, not references.
    assert read_text(body, None) == []


def test_seed_post_blocks(shared: Path) -> None:
    text = (shared / "seed" / "lumbar-mri-paradox.txt").read_text(encoding="utf-8")
    blocks = plain_text_blocks(text)

    headings = [block.text for block in blocks if block.kind is BlockKind.HEADING]
    assert "The Key Takeaway" in headings
    assert "Visiting an Osteopath" in headings
    assert "Updated: Dec 23, 2023" not in headings  # a date line is no heading
    assert not any(looks_like_reference(block.text) for block in blocks[:25])


# --- styles -------------------------------------------------------------------------------


def test_ieee_list_with_indented_continuations() -> None:
    references = read_path(POSTS / "ieee.txt")

    assert lines(references) == [7, 10, 12]
    assert first_authors(references) == ["Brinjikji", "el Barzouhi", "Kasch"]
    brinjikji = references[0]
    assert brinjikji.text.startswith(
        'W. Brinjikji, P. H. Luetmer, B. Comstock, et al., "Systematic'
    )
    assert brinjikji.title == (
        "Systematic literature review of imaging features of spinal degeneration in "
        "asymptomatic populations"
    )
    assert (brinjikji.volume, brinjikji.issue, brinjikji.pages) == ("36", "4", "811-816")
    assert brinjikji.doi == "10.3174/ajnr.A4173"
    assert references[2].year == 2022
    # "About us" ends the list: the clinic's phone number is not a reference.
    assert all("clinic" not in reference.text for reference in references)


def test_mla_works_cited_in_restructuredtext() -> None:
    references = read_path(POSTS / "mla.rst")

    assert lines(references) == [9, 13, 17]
    assert first_authors(references) == ["Brinjikji", "El Barzouhi", "Kasch"]
    brinjikji, barzouhi, kasch = references
    assert brinjikji.container == "American Journal of Neuroradiology"  # *italic* read
    assert (brinjikji.year, brinjikji.volume, brinjikji.issue) == (2015, "36", "4")
    assert barzouhi.doi == "10.1056/NEJMoa1209250"
    assert barzouhi.text.endswith("pp. 999-1007, doi:10.1056/NEJMoa1209250.")
    assert kasch.title is not None
    assert kasch.title.startswith("Association of Lumbar MRI")
    for reference in references:
        assert "*" not in reference.text
        assert "`" not in reference.text


def test_one_reference_per_line_under_a_heading_line() -> None:
    text = f"Prose.\n\nReferences:\n{BRINJIKJI}\n{KASCH}\n"

    references = read_text(text, None)

    assert lines(references) == [4, 5]
    assert first_authors(references) == ["Brinjikji", "Kasch"]


def test_a_wrapped_reference_stays_one() -> None:
    text = (
        "References\n\n"
        "Brinjikji W, Luetmer PH, Comstock B, et al. Systematic literature review of\n"
        "Imaging Features of Spinal Degeneration in Asymptomatic Populations. AJNR\n"
        "Am J Neuroradiol. 2015;36(4):811-816.\n"
        f"{KASCH}\n"
    )
    references = read_text(text, None)

    assert lines(references) == [3, 6]
    assert references[0].pages == "811-816"
    assert references[0].text.endswith(
        "in Asymptomatic Populations. AJNR Am J Neuroradiol. 2015;36(4):811-816."
    )


def test_headingless_numbered_list() -> None:
    text = f"Some prose about backs in 2015.\n\n1. {BRINJIKJI}\n2. {KASCH}\n\nBye.\n"

    references = read_text(text, None)

    assert lines(references) == [3, 4]
    assert first_authors(references) == ["Brinjikji", "Kasch"]


def test_headingless_list_keeps_an_odd_item_between_two_references() -> None:
    who = "World Health Organization. Low back pain: fact sheet. Geneva: WHO; 2023."
    text = (
        "Some prose about backs.\n\n"
        f"- {BRINJIKJI}\n- {who}\n- {KASCH}\n- Updated: 3 March 2024; thanks to Sam.\n"
    )
    references = read_text(text, None)

    # The group author does not read as a reference alone, but sits inside the list; the
    # last line does not, and is at the edge: it is dropped.
    assert lines(references) == [3, 4, 5]
    assert references[1].text == who
    assert references[1].year == 2023


def test_a_single_headingless_reference_is_not_a_list() -> None:
    assert read_text(f"Some prose.\n\n{KASCH}\n\nBye.\n", None) == []


def test_restructuredtext_citations_are_footnotes() -> None:
    text = (
        "Scans mislead [Brinjikji2015]_.\n\n"
        f".. [Brinjikji2015] {BRINJIKJI}\n"
        ".. [note] I think so, since 2010.\n"
        ".. This is a comment with Smith J, 2019. J 1(2):3-4.\n"
    )
    (reference,) = read_text(text, None)

    assert reference.location.line == 3
    assert reference.text == BRINJIKJI


def test_suppression_comment_line() -> None:
    text = f"References\n\n<!-- refcheck: ignore[RC203] -->\n{BRINJIKJI}\n\n{KASCH}\n"

    references = read_text(text, None)

    assert [reference.suppress for reference in references] == [("RC203",), ()]
    assert lines(references) == [4, 6]


def test_doi_in_prose_and_prose_only_text() -> None:
    text = (
        "In 2013 I hurt my back (Kasch et al., 2022). Smith et al. (2019) showed that\n"
        "most people recover; the review is at https://doi.org/10.3174/ajnr.A4173.\n\n"
        "- 2015: first MRI.\n- 2016, June: physio (12 sessions).\n"
    )
    (reference,) = read_text(text, None)

    assert reference.doi == "10.3174/ajnr.A4173"
    assert reference.location.line == 2  # the DOI's own line, not its sentence's first
    assert reference.text.startswith("Smith et al. (2019) showed that most people recover")
    assert read_text(text.replace("https://doi.org/10.3174/ajnr.A4173", "the journal"), None) == []


# --- the shared helpers -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("heading", "kind"),
    [
        ("References", "list"),
        ("REFERENCES:", "list"),
        ("7. References", "list"),
        ("VII. Bibliography", "list"),
        ("📚 Further reading", "list"),
        ("Works cited", "list"),
        ("Literature Cited", "list"),
        ("References (12)", "list"),
        ("Références", "list"),
        ("Quellen", "list"),
        ("Notes", "notes"),
        ("Footnotes", "notes"),
        ("References to the film", None),
        ("Sources of protein", None),
        ("My notes on sources", None),
    ],
)
def test_reference_heading(heading: str, kind: str | None) -> None:
    assert reference_heading(heading) == kind


@pytest.mark.parametrize(
    ("comment", "codes"),
    [
        ("<!-- refcheck: ignore[RC301] -->", ("RC301",)),
        (" refcheck:ignore[rc301,RC202] ", ("RC301", "RC202")),
        ("refcheck: ignore", ("*",)),
        ("refcheck: ignore[]", ("*",)),
        ("an ordinary comment", None),
    ],
)
def test_suppression(comment: str, codes: tuple[str, ...] | None) -> None:
    assert suppression(comment) == codes


@pytest.mark.parametrize(
    "text",
    [
        BRINJIKJI,
        KASCH,
        "-Kasch, R., Truthmann, J. and Schmidt, C.O., 2022. Title. Spine, 47(3), pp.201–211.",
        "[3] R. Kasch et al., “Association,” Spine, vol. 47, no. 3, pp. 201–211, 2022.",
        'Kasch, Richard, et al. "Association." Spine, vol. 47, no. 3, 2022, pp. 201-211.',
        "Kasch R. Association. 2022. https://doi.org/10.1097/BRS.0000000000004198",
        "M.R. Suresh and C. Milstein, Analytical Biochemistry 151, 192 (1985).",
    ],
)
def test_looks_like_reference(text: str) -> None:
    assert looks_like_reference(text)


@pytest.mark.parametrize(
    "text",
    [
        "Article 1: Magnetic Resonance Imaging in Follow-up Assessment (El Barzouhi et al., 2013)",
        "Smith et al. (2019) showed that most people recover within 6 weeks (n = 36).",
        "In 2013 I hurt my back lifting a sofa; it weighed 45 kg and I was 36.",
        "Updated: Dec 23, 2023",
        "Kasch, R.",
    ],
)
def test_does_not_look_like_reference(text: str) -> None:
    assert not looks_like_reference(text)


def test_split_references() -> None:
    segments = [
        Segment(1, "Brinjikji W, Luetmer PH. Systematic literature review of"),
        Segment(2, "imaging features. AJNR. 2015;36(4):811-816."),
        Segment(3, "Kasch R, Truthmann J. Association. Spine. 2022;47(3):201-211."),
        Segment(4, "doi:10.1097/BRS.0000000000004198", hard=True),
        Segment(5, "Jensen MC. Magnetic resonance imaging. N Engl J Med. 1994.", hard=True),
        Segment(6, "- Deyo RA. Imaging. 2002"),
        Segment(7, "Jarvik JG. A wrapped line that is no new reference, 2001."),
    ]

    groups = split_references(segments)

    assert [[segment.line for segment in group] for group in groups] == [
        [1, 2],
        [3, 4],
        [5],
        [6, 7],
    ]


@pytest.mark.parametrize("suffix", [".txt", ".text", ".rst", ".TXT"])
def test_plain_text_suffixes(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"post{suffix}"
    path.write_text(f"Works cited\n\n{KASCH}\n", encoding="utf-8")

    (reference,) = read_path(path)

    assert reference.location.model_dump() == {"path": str(path), "line": 3, "key": None}
    assert reference.authors[0].family == "Kasch"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n",
        "References",
        "References\n\n-\n-\n",
        "-" * 10000,
        "=" * 5000 + "\nReferences\n" + "=" * 5000,
        ".. [",
        "` <>`_ " * 1000,
        "*" * 100_000,
        "a" * 1_000_000,
        "Smith, J. (2019). " * 50_000,
        "\x00\x01\x02 10.1000/x",
        "<!-- refcheck: ignore -->",
        "\n".join(
            f"[{i}] Smith J, Jones K. Title {i}. J Med. 2019;{i}(2):3-4." for i in range(300)
        ),
    ],
)
def test_odd_input_never_raises(text: str) -> None:
    references = read_text(text, "odd.txt")
    assert isinstance(references, list)


def test_a_megabyte_text_is_read_fast() -> None:
    paragraph = (
        "Back pain is common in 2015, and people write about it at length (Smith et al.,\n"
        "2019); 36 of 811 patients improved, and some say so in their own words.\n\n"
    )
    text = "Title\n\n" + paragraph * (1_000_000 // len(paragraph)) + f"References\n\n{KASCH}\n" * 1
    assert len(text) > 990_000
    read_text(text[:5000], None)  # warm up: the first call compiles the parser's patterns

    start = time.process_time()  # CPU time: other processes on the machine do not count
    references = read_text(text, None)
    elapsed = time.process_time() - start

    assert len(references) == 1
    # Typically 0.2-0.7 s of CPU; the bound leaves room for a loaded machine and catches
    # any quadratic walk, which would take tens of seconds.
    assert elapsed < 2.0, elapsed


_PIECES = st.sampled_from(
    [
        "References\n",
        "-",
        "[1] ",
        "1. ",
        ".. [1] ",
        "=====\n",
        "`x <https://doi.org/10.1/a>`_",
        "*",
        "\n",
        "\n\n",
        "    ",
        "<!-- refcheck: ignore -->\n",
        "Smith, J. (2019). ",
        "Title. ",
        "J Med, 1(2), 3-4. ",
        "10.1000/x ",
        "et al. ",
        "Jones K, ",
    ]
) | st.text(max_size=8)


@settings(max_examples=150, deadline=None)
@given(st.lists(_PIECES, max_size=60).map("".join))
def test_any_mix_of_markup_never_raises(text: str) -> None:
    for reference in read_text(text, "fuzz"):
        assert reference.location.line is not None
        assert 1 <= reference.location.line <= text.count("\n") + 1
        assert reference.text == " ".join(reference.text.split())


@pytest.mark.parametrize(
    "undated",
    [
        "-Müller, A., & Rovira, J. (n.d.). AI-Based accessibility widgets for blind web users. "
        "Louisiana State University Libraries.",
        # Vancouver and IEEE print no date at all for a book without one.
        "-Renear AH. Text Encoding. In: A Companion to Digital Humanities. Malden, MA, USA: "
        "Blackwell Publishing Ltd. p. 218–39.",
    ],
)
def test_an_undated_entry_does_not_cut_the_trailing_list(undated: str) -> None:
    text = (
        "Notes from the clinic\n\nWhere the authors disagree, I say why.\n\n\n"
        "-Mutschler, T., & Feistner, A. T. C. (1999). Social organization of the lemur. "
        "American Journal of Primatology, 50(1), 9–24.\n\n"
        "-Burget, G. E. (1931). The closed intestinal loop. Archives of Internal Medicine, "
        "47(4), 593.\n\n"
        f"{undated}\n\n"
        "-Miller, R. S. (1957). Observations on the Status of Ecology. Ecology, 38(2), 353.\n\n"
        "-Ahmed, B. M., & Mezei, G. (2015). Green protection of pyrazole. RSC Advances, "
        "5(31), 24081–24093.\n"
    )
    lines = [reference.location.line for reference in read_plain_text(text, "post.txt")]
    assert lines == [6, 8, 10, 12, 14]
