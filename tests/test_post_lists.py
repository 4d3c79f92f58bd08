"""Reference lists as writers type them in posts: long numbered lists, entries wrapped by an
editor (with or without a hanging indent), wrapped lines that start with a number or a
capital, and entries whose authors the strict test does not read. Each entry must be read
once, at the line it starts on, and the post's in-text citations must all link to it."""

from __future__ import annotations

from pathlib import Path

import pytest

from refcheck.api import link_citations, read_citations, read_references
from refcheck.models import Reference, Status, Verdict
from refcheck.readers.markdown import read_markdown
from refcheck.readers.post import Segment, read_plain_text, split_references

# Entries as citeproc renders them (APA), each wrapped at about 75 columns as typed.
APA_WRAPPED = [
    [
        "Boettiger, C. (2022). The forecast trap. Ecology Letters, 25(7), 1655–1664.",
        "https://doi.org/10.1111/ele.14024",
    ],
    [
        "Buainain, A. M., Neder, H. D., & Garcia, J. R. (2014). Social Inclusion in",
        "Rural Brazil under Lula. In Brazil Under the Workers’ Party (pp. 199–228).",
        "Palgrave Macmillan UK. https://doi.org/10.1057/9781137273819_10",
    ],
    [
        "Motloch, P., Hu, W., Joyce, A., & Motohashi, H. (2015). Self-accelerating",
        "massive gravity: Superluminality, Cauchy surfaces, and strong coupling.",
        "Physical Review D, 92(4), 044024. https://doi.org/10.1103/physrevd.92.044024",
    ],
    [
        "Konkani, A., Oakley, B., & Penprase, B. (2014). Reducing Hospital ICU",
        "Noise: A Behavior-Based Approach. Journal of Healthcare Engineering, 5",
        "(2), 229–246.",
    ],
    [
        "Neiderud, C.-J. (2015). How urbanization affects the epidemiology of",
        "emerging infectious diseases. Infection Ecology & Epidemiology, 5(1), 27060.",
    ],
]

# IEEE entries; the tenth and later ones have two-digit numbers, some lines wrap at a DOI.
IEEE = [
    "L. Hermann, A. Wenzel, and L. Schropp, “Marginal bone loss of second molars,” "
    "Dentomaxillofacial Radiology, vol. 48, no. 4, p. 20180313, May 2019.",
    "S. C. Lam and A. K. F. Lui, “Evaluation of the user seal check on gross leakage "
    "detection,” American Journal of Infection Control, vol. 44, no. 5, pp. 579–586, 2016.",
    "A. M. Hassan et al., “Polymer dots enable deep in vivo multiphoton fluorescence "
    "imaging,” Biomedical Optics Express, vol. 10, no. 2, p. 584, Feb. 2019.",
    "C. Flynt, “The text Widget and htmllib,” in Tcl/Tk, Elsevier, 2003, pp. 379–422.",
    "H.-J. Li, C.-J. Li, and X.-N. Wei, “Dexmedetomidine in combination with morphine,” "
    "Pain Physician, vol. 21, no. 2, pp. 197–205, 2018.",
    "F. Leonhardt and E. Mönnig, Vorlesungen über Massivbau. Springer Nature, 1973.",
    "S. Márquez, K. Mowbray, and G. J. Sawyer, “New fossil hominid calvaria from Indonesia,” "
    "The Anatomical Record, vol. 262, no. 4, pp. 344–368, 2001.",
    "P. Motloch, W. Hu, and A. Joyce, “Self-accelerating massive gravity,” Physical Review D, "
    "vol. 92, no. 4, p. 044024, Aug. 2015, doi: 10.1103/physrevd.92.044024.",
    "I. Pruvost, F. Dubos, and E. Chazard, “The value of body weight measurement to assess "
    "dehydration in children,” PLoS ONE, vol. 8, no. 1, p. e55063, Jan. 2013.",
    "C.-J. Neiderud, “How urbanization affects the epidemiology of emerging infectious "
    "diseases,” Infection Ecology & Epidemiology, vol. 5, no. 1, p. 27060, 2015.",
    "M. Bullock, “Attempts to break old barriers at NSF,” PsycEXTRA Dataset, 1996, doi: "
    "10.1037/e511192010-001.",
    "X. Wu, F. Mueller, and S. Pakin, “A methodology for automatic generation of executable "
    "communication specifications,” ACM Transactions on Parallel Computing, vol. 1, no. 1, "
    "pp. 1–25, 2014.",
]


def wrap(text: str, width: int, indent: str = "") -> list[str]:
    import textwrap

    return textwrap.wrap(text, width, subsequent_indent=indent, break_on_hyphens=False)


def starts(references: list[Reference]) -> list[int | None]:
    return [r.location.line for r in references if r.authors or r.title]


@pytest.mark.parametrize("indent", ["", "  "])
def test_plain_text_dash_list_with_wrapped_lines_that_start_like_authors(indent: str) -> None:
    # Lines that go on an entry: "Palgrave Macmillan UK. https://...", "Physical Review D,
    # 92(4)", "(2), 229-246." read as the entry's own, not as entries.
    lines = ["A post", "", "Some prose (Boettiger, 2022).", "", ""]
    want = []
    for entry in APA_WRAPPED:
        want.append(len(lines) + 1)
        lines += ["- " + entry[0], *(indent + line for line in entry[1:])]

    references = read_plain_text("\n".join(lines) + "\n", "post.txt")

    assert starts(references) == want
    assert [r.authors[0].family for r in references] == [
        "Boettiger",
        "Buainain",
        "Motloch",
        "Konkani",
        "Neiderud",
    ]


@pytest.mark.parametrize("form", ["{n}. ", "[{n}] "])
def test_plain_text_numbered_list_past_ten_with_wrapped_lines(form: str) -> None:
    lines = ["References", ""]
    want = []
    for number, entry in enumerate(IEEE, 1):
        want.append(len(lines) + 1)
        marker = form.format(n=number)
        # Wrapped at 60 columns with no indent: some lines start "10.1037/...", "2019."
        rows = wrap(marker + entry, 60)
        lines += rows

    references = read_plain_text("\n".join(lines) + "\n", "post.txt")

    assert starts(references) == want
    assert len(references) == len(IEEE)


def test_a_wrapped_line_starting_with_a_number_is_no_entry() -> None:
    segments = [
        Segment(1, "1. Smith J. A study of things. J Things. 2015;36"),
        Segment(2, "12 Suppl:811-816."),
        Segment(3, "2. Jones K. Another study. J Stuff. 2019;4:1-9. Vol."),
        Segment(4, "2. Nested words that only look numbered, 2019."),
        Segment(5, "3. Brown A. A third. J Other. 2001;5"),
        Segment(6, "(2): 229-246."),
    ]

    groups = split_references(segments)

    assert [[segment.line for segment in group] for group in groups] == [[1, 2], [3, 4], [5, 6]]


def test_markdown_numbered_list_whose_wrapped_lines_start_with_numbers() -> None:
    # CommonMark reads an unindented "2019. Things" or "940. ISBN" line inside a numbered
    # list as the list's next item; the writer wrapped an entry there.
    text = (
        "# Post\n\nProse [1], [2], [3].\n\n## References\n\n"
        "1. Smith, J. (2019). A title that is long enough to wrap over the line. Journal of\n"
        "2019. Things, 4(2), 33-45.\n"
        "2. Jones, K. (2018). Another title. Journal of Stuff, 5(1), 1-9.\n"
        "3. Brown, A., & Green, B. (2017). A third title that wraps. Journal of Things, 12,\n"
        "940. Some more text. ISBN 92-0-010087-2.\n"
    )

    references = read_markdown(text, "post.md")

    assert starts(references) == [7, 9, 10]
    assert "2019. Things" in references[0].text
    assert "940. Some more text" in references[2].text


def test_markdown_list_numbered_one_one_one_is_read_whole() -> None:
    text = "## References\n\n" + "".join(f"1. {entry}\n" for entry in IEEE)

    references = read_markdown(text, "post.md")

    assert starts(references) == list(range(3, 3 + len(IEEE)))


def test_markdown_paragraph_with_a_wrapped_number_line() -> None:
    text = (
        "## References\n\n"
        "Abdel, K. (1988). Book review: Radiation protection, IAEA Vienna, pp. xiv + 456,\n"
        "940. ISBN 92-0-010087-2. The British Journal of Radiology, 61(721), 101-101.\n\n"
        "Borràs, J., & Casanova, J. (1996). Carbonic anhydrase inhibitors. European\n"
        "Journal of Medicinal Chemistry, 31(11), 843-851.\n"
    )

    references = read_markdown(text, "post.md")

    assert [r.location.line for r in references] == [3, 6]


def test_trailing_list_with_a_conference_acronym_and_year() -> None:
    # "(ISCE 2010)" is a conference's name, not a narrative citation "(Smith 2010)".
    text = (
        "Some prose (Hirata et al., 2010).\n\n\n"
        "- Fenner, M. (2016). Eating your own dog food. Journal of Stuff, 3(2), 1-4.\n"
        "- Hirata, H. et al. (2010) ‘IPTV video content recommendation system using widget "
        "application’, IEEE International Symposium on Consumer Electronics (ISCE 2010). "
        "IEEE. Available at: https://doi.org/10.1109/isce.2010.5523698.\n"
        "- Hsin, K.-T. et al. (2019) ‘Gene duplication and relaxation’, PLOS ONE, 14(1), "
        "p. e0210054.\n"
    )

    references = read_plain_text(text, "post.txt")

    assert [r.location.line for r in references] == [4, 5, 6]


@pytest.mark.parametrize(
    "entry",
    [
        "Паршин, Д. А., & Стельмах, Л. С. (2015). Математическое моделирование. "
        "Теоретические основы химической технологии, 49(3), 261–270.",
        "Dave. (2011). Remediation technologies for marine oil spills. American Journal of "
        "Environmental Sciences, 7(5), 423–440.",
        "조혜린. (2008). Study of widget advertisements on the web. Journal of Korea Design "
        "Forum, 18, 199–207.",
    ],
)
def test_trailing_list_ends_on_an_entry_the_latin_reading_missed(entry: str) -> None:
    text = (
        "Prose here.\n\n\n"
        "- Boettiger, C. (2022). The forecast trap. Ecology Letters, 25(7), 1655–1664.\n"
        "- Neiderud, C.-J. (2015). How urbanization affects the epidemiology of emerging "
        "infectious diseases. Infection Ecology & Epidemiology, 5(1), 27060.\n"
        f"- {entry}\n"
    )

    references = read_plain_text(text, "post.txt")

    assert [r.location.line for r in references] == [4, 5, 6]


def test_numbered_trailing_list_keeps_an_entry_with_odd_authors_at_its_edge() -> None:
    text = (
        "Prose [1], [2], [3].\n\n\n"
        "1. -, X. D., -, G. X., & -, J. (2012). Application of image fusion in intelligent "
        "transport system. International Journal of Digital Content Technology, 6(1), 1-9.\n"
        "2. Boettiger, C. (2022). The forecast trap. Ecology Letters, 25(7), 1655–1664.\n"
        "3. Neiderud, C.-J. (2015). How urbanization affects the epidemiology of emerging "
        "infectious diseases. Infection Ecology & Epidemiology, 5(1), 27060.\n"
    )

    references = read_plain_text(text, "post.txt")

    assert [r.location.line for r in references] == [4, 5, 6]


@pytest.mark.parametrize("suffix", [".txt", ".md", ".html"])
def test_long_numbered_list_links_every_citation(tmp_path: Path, suffix: str) -> None:
    # Twelve entries, each cited as "[n]", wrapped as typed: no in-text finding at all.
    prose = " ".join(f"Finding {n} [{n}]." for n in range(1, len(IEEE) + 1))
    if suffix == ".html":
        items = "".join("<li>" + "\n    ".join(wrap(entry, 70)) + "</li>\n" for entry in IEEE)
        text = (
            f"<html><body><p>{prose}</p>\n<h2>References</h2>\n<ol>\n{items}</ol></body></html>\n"
        )
    else:
        head = "## References\n\n" if suffix == ".md" else "References\n\n"
        rows = [
            row
            for number, entry in enumerate(IEEE, 1)
            for row in wrap(f"{number}. {entry}", 64, "   " if suffix == ".md" else "")
        ]
        text = f"{prose}\n\n{head}" + "\n".join(rows) + "\n"
    path = tmp_path / f"post{suffix}"
    path.write_text(text, encoding="utf-8")

    references = read_references([path])
    verdicts = [Verdict(reference=r, status=Status.UNVERIFIED) for r in references]
    linked = link_citations(read_citations([path]), verdicts)

    assert len(references) == len(IEEE)
    assert linked.findings == ()
    assert [index for _, index in linked.citations] == list(range(len(IEEE)))
