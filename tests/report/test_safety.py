from __future__ import annotations

import pytest

from refcheck.models import Location, Reference, Status, Verdict
from refcheck.report.safety import (
    clean,
    cut,
    posix_path,
    reference_name,
    strip_unsafe,
    uri_reference,
    where,
)


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("\x1b[31mred\x1b[0m", "red"),
        ("\x1b]8;;https://evil.example\x07link\x1b]8;;\x07", "link"),
        ("\x1b]unterminated title", "]unterminated title"),
        ("a\x00b\x07c\x7fd\x9be", "abcde"),
        ("tab\tand\nnewline", "tab\tand\nnewline"),
        ("lone \udcff surrogate", "lone  surrogate"),
        ("\u202egnp.exe", "gnp.exe"),
        ("keeps ünïcödé — and “quotes”", "keeps ünïcödé — and “quotes”"),
    ],
)
def test_strip_unsafe(raw: str, safe: str) -> None:
    assert strip_unsafe(raw) == safe


def test_clean_is_one_bounded_line() -> None:
    assert clean("  a\n\n b\r\n\tc  ") == "a b c"
    assert clean(None) == ""
    assert clean("") == ""
    assert clean("x" * 100_000, 10) == "x" * 9 + "…"
    assert clean("ok ##[error]pwned") == "ok ##\u200b[error]pwned"


def test_cut() -> None:
    assert cut("abc", 3) == "abc"
    assert cut("abcd", 3) == "ab…"
    assert cut("abcd", 0) == ""


@pytest.mark.parametrize(
    ("path", "posix", "uri"),
    [
        ("refs/a.bib", "refs/a.bib", "refs/a.bib"),
        ("./refs\\a b#1?.bib", "refs/a b#1?.bib", "refs/a%20b%231%3F.bib"),
        ("/home/x/é.bib", "/home/x/é.bib", "file:///home/x/%C3%A9.bib"),
        ("D:\\x.bib", "D:/x.bib", "file:///D:/x.bib"),
    ],
)
def test_paths(path: str, posix: str, uri: str) -> None:
    assert posix_path(path) == posix
    assert uri_reference(path) == uri


def test_where_and_names() -> None:
    assert where(Location(path="refs\\a.bib", line=3)) == "refs/a.bib:3"
    assert where(Location()) == "<input>"

    def named(location: Location, text: str = "") -> str:
        verdict = Verdict(reference=Reference(location=location, text=text), status=Status.VERIFIED)
        return reference_name(verdict)

    assert named(Location(key="k\n1", line=2)) == "k 1"
    assert named(Location(line=2)) == "line 2"
    assert named(Location(), "Smith J. (2020)\nTitle") == "Smith J. (2020) Title"
    assert named(Location()) == "(reference)"
