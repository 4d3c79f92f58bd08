"""In-text citations found in posts, with line and column; prose that only looks like one
is not one."""

from __future__ import annotations

import pytest

from refcheck.readers.citations import find_citations


def _one(text: str, path: str = "post.md") -> list[tuple[str, tuple[str, ...], int | None]]:
    return [(c.kind, c.authors, c.year) for c in find_citations(text, path)]


@pytest.mark.parametrize(
    ("text", "authors", "year", "suffix"),
    [
        ("as shown (Kasch et al., 2022).", ("Kasch",), 2022, None),
        ("Kasch et al. (2022) showed", ("Kasch",), 2022, None),
        ("Kasch and colleagues (2022) showed", ("Kasch",), 2022, None),
        ("(Smith & Jones, 2019, p. 4)", ("Smith", "Jones"), 2019, None),
        ("(Smith 2019a)", ("Smith",), 2019, "a"),
        ("(El Barzouhi et al., 2013)", ("El Barzouhi",), 2013, None),
    ],
)
def test_author_year(text: str, authors: tuple[str, ...], year: int, suffix: str | None) -> None:
    (citation,) = find_citations(text, "post.md")
    assert (citation.kind, citation.authors, citation.year) == ("author-year", authors, year)
    assert citation.year_suffix == suffix


def test_two_in_one_parenthesis_each_at_its_column() -> None:
    text = "Intro.\nSee (Kasch et al. 2022; Brinjikji et al. 2015) here."
    found = find_citations(text, "post.txt")
    assert [(c.authors[0], c.year, c.line, c.column) for c in found] == [
        ("Kasch", 2022, 2, 6),
        ("Brinjikji", 2015, 2, 25),
    ]


@pytest.mark.parametrize(
    ("text", "numbers"),
    [("as shown [3].", (3,)), ("as shown [1-4].", (1, 2, 3, 4)), ("as [2, 5] show", (2, 5))],
)
def test_numeric(text: str, numbers: tuple[int, ...]) -> None:
    (citation,) = find_citations(text, "post.md")
    assert (citation.kind, citation.numbers) == ("numeric", numbers)


@pytest.mark.parametrize(
    "text",
    [
        "[@kasch2022]",
        "[-@kasch2022]",
        "[see @kasch2022, p. 3]",
        "{% cite kasch2022 %}",
        "[[@kasch2022]]",
    ],
)
def test_keys(text: str) -> None:
    (citation,) = find_citations(f"As found {text}.", "post.md")
    assert (citation.kind, citation.key) == ("key", "kasch2022")


def test_bare_key_counts_beside_bracketed_ones_only() -> None:
    assert [c.key for c in find_citations("[@a2020] and @kasch2022 says", "p.md")] == [
        "a2020",
        "kasch2022",
    ]
    assert find_citations("write to me @someone or me@example.org", "p.md") == []


@pytest.mark.parametrize(
    "text",
    [
        "in 2022 we saw",
        "patients (n = 283) were",
        "most (84%) did",
        "updated (March 2022) today",
        "an Obsidian [[Some Note]] link",
        "a [3](https://example.org) link and a[3] index",
        "[3]: https://example.org",
        "code `(Smith, 2019)` here",
        "a link [x](https://doi.org/(Smith, 2019)) here",
        "cases (COVID-19, 2020) rose",
        "see (Figure 3, 2019) and (Chapter 3, 2019)",
        "he said (in 2019) that [citation needed] [sic]",
    ],
)
def test_prose_is_no_citation(text: str) -> None:
    assert find_citations(text, "post.md") == []


@pytest.mark.parametrize(
    "text",
    [
        "the (UK, 2019) data",
        "(FY 2019)",
        "Apple (2019) launched",
        # A group "The Lancet (2011) found" cites when the list has it; news otherwise.
        "The Guardian (2019) reported",
    ],
)
def test_acronyms_and_lone_names_only_count_when_linked(text: str) -> None:
    assert [c.tentative for c in find_citations(text, "post.md")] == [True]


def test_html_tags_do_not_move_columns() -> None:
    text = "<p>As <b>shown</b> (Kasch et al., 2022).</p>"
    (citation,) = find_citations(text, "post.html")
    assert text[citation.column - 1 :].startswith("(Kasch")


def test_front_matter_and_code_are_not_read() -> None:
    text = "---\ntitle: (Smith, 2019)\n---\n\n```\n[@x2020]\n```\nText (Kasch et al., 2022).\n"
    assert [(c.line, c.authors) for c in find_citations(text, "post.md")] == [(8, ("Kasch",))]
