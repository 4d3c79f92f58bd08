"""Crossref records whole journals too (10.1155/jps, "Journal of Probability and Statistics",
type "journal", no date, no authors). A reference to one of its articles names the journal
in its string, which once made the journal record look like the cited work: with the
article's year wrong, the dateless journal record was taken and the reference verified.
End to end on real works-dev records through the loopback stand-in."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from refcheck.api import check_file
from refcheck.config import Settings
from refcheck.models import Severity, Status, Verdict
from refcheck.testing.crossref_standin import CrossrefStandin, load_records

ZUO = (
    "Zuo Y. Data Depth Trimming Counterpart of the Classicalt(orT2) Procedure. Journal of "
    "Probability and Statistics. {year};2009:1-9."
)


@pytest.fixture(scope="module")
def crossref(shared: Path) -> Iterator[CrossrefStandin]:
    records: list[dict[str, Any]] = load_records(shared / "crossref" / "works-dev.jsonl.gz")
    assert any(r["DOI"] == "10.1155/jps" and r["type"] == "journal" for r in records)
    with CrossrefStandin(records) as server:
        yield server


def _check(tmp_path: Path, url: str, reference: str) -> Verdict:
    post = tmp_path / "post.md"
    post.write_text(f"# A post\n\n## References\n\n- {reference}\n", encoding="utf-8")
    (verdict,) = check_file(post, settings=Settings(crossref_url=url, no_cache=True, timeout=5))
    return verdict


@pytest.mark.parametrize("year", [2009, 2011, 2007])
def test_an_article_is_not_taken_for_the_journal_it_names(
    tmp_path: Path, crossref: CrossrefStandin, year: int
) -> None:
    verdict = _check(tmp_path, crossref.url, ZUO.format(year=year))

    assert verdict.work is not None
    assert verdict.work.doi.lower() == "10.1155/2009/373572"
    errors = [(f.code, f.cited) for f in verdict.findings if f.severity is Severity.ERROR]
    expected = [] if year == 2009 else [("RC401", str(year))]
    assert errors == expected
    assert verdict.status is (Status.VERIFIED if year == 2009 else Status.MISMATCH)
