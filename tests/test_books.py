"""Books: ISBNs read from references, Open Library as a source, books verified by ISBN at
Crossref then Open Library, and books no registry holds skipped, over loopback HTTP."""

from __future__ import annotations

import pytest

from refcheck.models import Reference
from refcheck.parse.identifiers import CitedIsbn, cited_isbns, isbn13
from refcheck.rules import lookup


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("978-0-374-27563-1", "9780374275631"),
        ("0-374-27563-7", "9780374275631"),  # the same book's ISBN-10
        ("0 8044 2957 X", "9780804429573"),  # check digit X (ten)
        ("080442957x", "9780804429573"),
        ("979-10-90636-07-1", "9791090636071"),  # 979: no ISBN-10 exists
        ("978-0-374-27563-2", None),  # one digit off
        ("0-374-27536-7", None),  # two digits swapped
        ("0-374-2756X-7", None),  # X only as a check digit
        ("123-4-567-89012-8", None),  # 13 digits, but no 978/979 prefix
        ("12345", None),
    ],
)
def test_isbn13_normalises_and_validates_the_check_digit(
    written: str, expected: str | None
) -> None:
    assert isbn13(written) == expected


@pytest.mark.parametrize(
    ("text", "found"),
    [
        (
            "Kahneman, D. (2011). Thinking, fast and slow. Farrar, Straus and Giroux. "
            "ISBN 978-0-374-27563-1",
            [CitedIsbn("978-0-374-27563-1", "9780374275631")],
        ),
        (
            "Lynch S. WidgetKit. Apress; 2020. ISBN-10: 0-374-27563-7.",
            [CitedIsbn("0-374-27563-7", "9780374275631")],
        ),
        (
            "@book{k,\n  title = {T},\n  isbn = {978-0-374-27563-2, 9781484267004}\n}",
            [CitedIsbn("978-0-374-27563-2", None), CitedIsbn("9781484267004", "9781484267004")],
        ),
        (
            '{"id": "k", "type": "book", "ISBN": "9781484267004"}',
            [CitedIsbn("9781484267004", "9781484267004")],
        ),
        # The same book twice (ISBN-10 and -13) is one ISBN.
        (
            "ISBN 0-374-27563-7 (ISBN-13: 978-0-374-27563-1)",
            [CitedIsbn("0-374-27563-7", "9780374275631")],
        ),
        ("Smith J (2019) A study. J Imag Res 3:1-9", []),
        ("Smith J (2019) On the ISBN system. J Libr 12:101-109", []),  # no number after it
    ],
)
def test_cited_isbns_are_read_from_text_bibtex_and_csl_json(
    text: str, found: list[CitedIsbn]
) -> None:
    assert list(cited_isbns(Reference(text=text))) == found


def test_a_bad_check_digit_is_a_documented_error_rule() -> None:
    rule = lookup("isbn-invalid")
    assert rule is not None
    assert rule.code == "RC106"
    assert rule.severity.value == "error"
    assert "978-0-374-27563-2" in rule.example
