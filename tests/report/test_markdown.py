from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from refcheck.report import markdown

from .fixtures import NASTY_TITLE, VERDICTS, render

UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


@pytest.fixture(scope="module")
def document() -> str:
    return render(markdown.emit, VERDICTS)


def table_rows(document: str) -> list[str]:
    return [line for line in document.splitlines() if line.startswith("| ")][1:]


def test_counts_line(document: str) -> None:
    assert (
        "**9 references**: 3 verified, 3 mismatch, 1 not found, 1 unverified, 1 invalid "
        "(4 errors, 1 warnings, 2 info)"
    ) in document


def test_one_row_per_problem_with_six_cells(document: str) -> None:
    rows = table_rows(document)
    assert len(rows) == 7  # 4 errors + 1 warning + the invalid and the unverified entries
    for row in rows:
        assert len(UNESCAPED_PIPE.findall(row)) == 7, row
    volume = rows[0]
    cells = [c.strip() for c in UNESCAPED_PIPE.split(volume)[1:-1]]
    assert cells == [
        "✗ mismatch",
        "refs/seed.bib:44 (brinjikji2015vol)",
        "volume",
        "35",
        "36",
        "**RC601** Volume 35 cited; Crossref has 36",
    ]
    assert "RC502" not in document
    assert "RC402" not in document
    assert any("**RC001**" in row and "unbalanced braces" in row for row in rows)
    assert any(row.startswith("| ~ unverified |") for row in rows)


def test_hostile_text_is_inert(document: str) -> None:
    assert "<script" not in document
    assert "<img" not in document
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in document
    assert "\x1b" not in document
    for row in table_rows(document):
        assert len(row) < 6 * 5 * markdown.MAX_CELL  # every cell cut before escaping
    assert "…" in table_rows(document)[-1]
    # The whole hostile title, uncut, as one cell.
    whole = markdown.cell(NASTY_TITLE[:400], 1_000)
    assert "\n" not in whole
    assert "\x1b" not in whole
    assert "##[" not in whole  # the runner's legacy command form, defused
    assert "@octocat" not in whole  # a cited name must not notify anyone
    assert "@\u200boctocat" in whole
    assert "\\`tick\\`" in whole
    assert "\\[link\\](https://evil.example)" in whole
    assert "\\| pipe" in whole
    assert len(UNESCAPED_PIPE.findall(whole)) == 0


def test_cell_escaping() -> None:
    assert markdown.cell("a|b\nc `d` <e> & *f* _g_ [h](i) ~j~ $k$ \\") == (
        "a\\|b c \\`d\\` &lt;e&gt; &amp; \\*f\\* \\_g\\_ \\[h\\](i) \\~j\\~ \\$k\\$ \\\\"
    )
    assert markdown.cell("x" * 500) == "x" * 199 + "…"
    assert markdown.cell(None) == ""


def test_document_fits_a_github_comment() -> None:
    many = [VERDICTS[-1]] * 2_000
    document = render(markdown.emit, many)
    assert len(document) < 65_536
    assert re.search(r"… and \d+ more not shown\.", document)
    shown = len(table_rows(document))
    assert f"and {2 * 2_000 - shown} more" in document


def test_clean_run_says_so() -> None:
    document = render(markdown.emit, VERDICTS[:3])
    assert "No problems found." in document
    assert "|" not in document


def test_snapshot(snapshot: Callable[[str, str], None], document: str) -> None:
    snapshot("report.md", document)
