from __future__ import annotations

from pathlib import Path

import pytest

from refcheck.readers.text import clean_doi, find_dois, read_text, strip_list_marker


@pytest.mark.parametrize(
    ("text", "dois"),
    [
        ("see 10.1056/NEJMoa1209250.", ["10.1056/NEJMoa1209250"]),
        ("doi:10.3174/ajnr.A4173, and more", ["10.3174/ajnr.A4173"]),
        ("DOI: 10.3174/ajnr.A4173;", ["10.3174/ajnr.A4173"]),
        ("https://doi.org/10.1097/BRS.0000000000004198", ["10.1097/BRS.0000000000004198"]),
        ("http://dx.doi.org/10.1097/BRS.0000000000004198.", ["10.1097/BRS.0000000000004198"]),
        # Parentheses inside a DOI are kept when balanced; the enclosing ones are not.
        ("(doi:10.1016/S0140-6736(09)60000-0).", ["10.1016/S0140-6736(09)60000-0"]),
        ("[10.1016/S0140-6736(09)60000-0]", ["10.1016/S0140-6736(09)60000-0"]),
        # Markdown link and autolink, HTML anchor.
        (
            "[10.1056/NEJMoa1209250](https://doi.org/10.1056/NEJMoa1209250)",
            ["10.1056/NEJMoa1209250"],
        ),
        ("<https://doi.org/10.3174/ajnr.A4173>", ["10.3174/ajnr.A4173"]),
        (
            '<a href="https://doi.org/10.3174/ajnr.A4173">10.3174/ajnr.A4173</a>',
            ["10.3174/ajnr.A4173"],
        ),
        # A SICI DOI keeps its angle brackets and semicolon.
        (
            "10.1002/(SICI)1097-4636(199706)35:4<525::AID-JBM14>3.0.CO;2-B, next",
            ["10.1002/(SICI)1097-4636(199706)35:4<525::AID-JBM14>3.0.CO;2-B"],
        ),
        ("https://doi.org/10.1002/%28SICI%291097-4636 x", ["10.1002/(SICI)1097-4636"]),
        ("*10.3174/ajnr.A4173*", ["10.3174/ajnr.A4173"]),
        ("“10.3174/ajnr.A4173”", ["10.3174/ajnr.A4173"]),
        (
            "two: 10.3174/ajnr.A4173 10.1056/NEJMoa1209250",
            ["10.3174/ajnr.A4173", "10.1056/NEJMoa1209250"],
        ),
        ("same twice: 10.3174/ajnr.A4173 10.3174/AJNR.A4173", ["10.3174/ajnr.A4173"]),
        ("10.1000.10/123456", ["10.1000.10/123456"]),
        ("not DOIs: 10.12/abc, 110.1234/abc, 10.1234/ and 10.1234/.", []),
        ("version 10.12345 of the software", []),
    ],
)
def test_find_dois(text: str, dois: list[str]) -> None:
    assert find_dois(text) == dois


@pytest.mark.parametrize(
    ("value", "doi"),
    [
        ("https://doi.org/10.1056/NEJMoa1209250", "10.1056/NEJMoa1209250"),
        ("http://dx.doi.org/10.1056/NEJMoa1209250", "10.1056/NEJMoa1209250"),
        ("doi.org/10.1056/NEJMoa1209250", "10.1056/NEJMoa1209250"),
        ("doi:10.1056/NEJMoa1209250.", "10.1056/NEJMoa1209250"),
        (" DOI 10.1056/NEJMoa1209250 ", "10.1056/NEJMoa1209250"),
        ("NEJMoa1209250", "NEJMoa1209250"),  # not a DOI, kept so the check can say so
        ("", None),
        (None, None),
    ],
)
def test_clean_doi(value: str | None, doi: str | None) -> None:
    assert clean_doi(value) == doi


@pytest.mark.parametrize(
    ("line", "text"),
    [
        ("- Brinjikji, W. (2015)", "Brinjikji, W. (2015)"),
        ("-Brinjikji, W., 2015.", "Brinjikji, W., 2015."),
        ("  * Item", "Item"),
        ("• Item", "Item"),
        ("12. Item", "Item"),
        ("3) Item", "Item"),
        ("[4] Item", "Item"),
        ("(5) Item", "Item"),
        ("2015. Not a marker", "2015. Not a marker"),
    ],
)
def test_strip_list_marker(line: str, text: str) -> None:
    assert strip_list_marker(line) == text


def test_read_text_reads_the_reference_list_under_its_heading() -> None:
    text = (
        "# References\n"
        "\n"
        "- Brinjikji W, et al. AJNR 2015;36:811-6. doi:10.3174/ajnr.A4173.\n"
        "\n"
        "Some prose without any identifier.\n"
        "\n"
        "2. el Barzouhi A, et al. NEJM 2013. https://doi.org/10.1056/NEJMoa1209250\n"
    )
    first, second = read_text(text, "post.txt")

    assert first.doi == "10.3174/ajnr.A4173"
    assert first.location.model_dump() == {"path": "post.txt", "line": 3, "key": None}
    assert first.text == "Brinjikji W, et al. AJNR 2015;36:811-6. doi:10.3174/ajnr.A4173."
    assert first.authors[0].family == "Brinjikji"
    assert (first.year, first.volume, first.pages) == (2015, "36", "811-6")
    assert second.doi == "10.1056/NEJMoa1209250"
    assert second.location.line == 7
    assert second.text.startswith("el Barzouhi A")
    assert second.problem is None


def test_seed_post_cites_no_doi(shared: Path) -> None:
    post = (shared / "seed" / "lumbar-mri-paradox.txt").read_text(encoding="utf-8")

    # The real post names its three works without DOIs: they must be found by search.
    references = read_text(post, "post.txt")
    assert [reference.doi for reference in references] == [None, None, None]
