"""Beyond Crossref, end to end over loopback HTTP: a post citing arXiv papers (by DOI and by
ID), a Zenodo software DOI, a blog post and a news article, checked by the CLI against the
Crossref and DataCite stand-ins serving the real records in ../shared."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from refcheck.cli import main
from refcheck.testing import CrossrefStandin, DataciteStandin, Fault, load_records
from refcheck.testing.arxiv_standin import ArxivStandin
from refcheck.testing.openlibrary_standin import OpenLibraryStandin

POST = """\
# What I read this year

Some notes on language models.

## References

Vaswani, A., Shazeer, N., Parmar, N., Uszkoreit, J., Jones, L., Gomez, A. N., Kaiser, L., & \
Polosukhin, I. (2017). Attention is all you need. arXiv. https://doi.org/10.48550/arXiv.1706.03762

Heibi, I., Peroni, S., & Shotton, D. (2019). Crowdsourcing open citations with CROCI: An \
analysis of the current status of open citations, and a proposal. arXiv preprint \
arXiv:1902.02534.

Vanderplas, J., & Willmer, A. (2015). Supersmoother: Minor bug fix release (Version v0.3.2) \
[Computer software]. Zenodo. https://doi.org/10.5281/zenodo.28518

Karpathy, A. (2015, May 21). The unreasonable effectiveness of recurrent neural networks. \
Andrej Karpathy blog. Retrieved from http://karpathy.github.io/2015/05/21/rnn-effectiveness/

Metz, C. (2023, May 1). 'The Godfather of A.I.' leaves Google and warns of danger ahead. The \
New York Times. \
https://www.nytimes.com/2023/05/01/technology/ai-google-chatbot-engineer-quits-hinton.html
"""

BIB = """\
@misc{vaswani2017,
  author = {Vaswani, Ashish and Shazeer, Noam and Parmar, Niki and Uszkoreit, Jakob and
            Jones, Llion and Gomez, Aidan N. and Kaiser, Lukasz and Polosukhin, Illia},
  title = {Attention Is All You Need},
  year = {2017},
  eprint = {1706.03762v7},
  archivePrefix = {arXiv},
  primaryClass = {cs.CL}
}

@online{karpathy2015,
  author = {Karpathy, Andrej},
  title = {The Unreasonable Effectiveness of Recurrent Neural Networks},
  year = {2015},
  url = {http://karpathy.github.io/2015/05/21/rnn-effectiveness/},
  urldate = {2024-01-02}
}
"""


ARXIV_URL = ""  # set by the fixture: every run asks the arXiv stand-in, never the internet


@pytest.fixture(scope="module")
def standins(shared: Path) -> Iterator[tuple[CrossrefStandin, DataciteStandin]]:
    global ARXIV_URL
    crossref = CrossrefStandin(
        load_records(shared / "crossref" / "works-dev.jsonl.gz"),
        # As Crossref's /works/{doi}/agency answers for these prefixes.
        agencies={"10.5281": "datacite", "10.48550": "datacite"},
    )
    datacite = DataciteStandin(load_records(shared / "datacite" / "records.jsonl.gz"))
    arxiv = ArxivStandin(load_records(shared / "arxiv" / "entries.jsonl.gz"))
    with crossref, datacite, arxiv:
        ARXIV_URL = arxiv.url
        yield crossref, datacite


def check(
    capsys: pytest.CaptureFixture[str], path: Path, crossref: str, datacite: str, *extra: str
) -> tuple[int, list[dict[str, Any]]]:
    code = main(
        [
            "check",
            str(path),
            "--isolated",
            "--no-cache",
            "--format",
            "json",
            "--crossref-url",
            crossref,
            "--datacite-url",
            datacite,
            "--arxiv-url",
            ARXIV_URL,
            "--timeout",
            "2",
            *extra,
        ]
    )
    report = json.loads(capsys.readouterr().out)
    return code, report["references"]


def test_the_post_verifies_datacite_works_and_skips_the_blog_and_the_news(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    standins: tuple[CrossrefStandin, DataciteStandin],
) -> None:
    crossref, datacite = standins
    post = tmp_path / "post.md"
    post.write_text(POST, encoding="utf-8")
    code, entries = check(capsys, post, crossref.url, datacite.url)
    assert [(e["status"], e["doi"]) for e in entries] == [
        ("verified", "10.48550/arxiv.1706.03762"),
        ("verified", "10.48550/arxiv.1902.02534"),
        ("verified", "10.5281/zenodo.28518"),
        ("skipped", None),
        ("skipped", None),
    ]
    assert [f["code"] for f in entries[3]["findings"]] == ["RC105"]
    assert "blog post" in entries[3]["findings"][0]["message"]
    assert "news article" in entries[4]["findings"][0]["message"]
    assert all(f["severity"] == "info" for e in entries for f in e["findings"])
    # Each verdict says which sources were asked and what each answered.
    datacite_answered = {"source": "datacite", "outcome": "answered"}
    # arXiv's DOIs are DataCite's; arXiv's API is then asked for a published version.
    assert entries[0]["sources"][0] == datacite_answered
    assert entries[1]["sources"][0] == datacite_answered
    assert entries[1]["sources"][1]["source"] == "arxiv"
    assert entries[2]["sources"] == [
        {"source": "crossref", "outcome": "not-found"},
        {"source": "agency", "outcome": "answered"},
        datacite_answered,
    ]
    assert entries[3]["sources"] == [{"source": "crossref", "outcome": "answered"}]
    assert code == 0


def test_each_error_in_the_post_is_named_on_its_field(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    standins: tuple[CrossrefStandin, DataciteStandin],
) -> None:
    crossref, datacite = standins
    wrong = (
        POST.replace("Vaswani, A.,", "Vaswanni, A.,")  # a misspelled author
        .replace("1902.02534", "1902.02599")  # an arXiv ID that does not exist
        .replace("zenodo.28518", "zenodo.28519")  # one wrong digit
    )
    post = tmp_path / "post.md"
    post.write_text(wrong, encoding="utf-8")
    code, entries = check(capsys, post, crossref.url, datacite.url)
    errors = [
        [(f["code"], f["field"]) for f in e["findings"] if f["severity"] == "error"]
        for e in entries
    ]
    assert errors == [[("RC303", "authors")], [("RC101", "doi")], [("RC101", "doi")], [], []]
    assert "1902.02599" in entries[1]["findings"][0]["message"]
    assert code == 1


def test_bibtex_eprint_and_online_entries(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    standins: tuple[CrossrefStandin, DataciteStandin],
) -> None:
    crossref, datacite = standins
    bib = tmp_path / "refs.bib"
    bib.write_text(BIB, encoding="utf-8")
    code, entries = check(capsys, bib, crossref.url, datacite.url)
    assert [(e["key"], e["status"]) for e in entries] == [
        ("vaswani2017", "verified"),
        ("karpathy2015", "skipped"),
    ]
    assert entries[0]["doi"] == "10.48550/arxiv.1706.03762"
    assert code == 0


def test_with_datacite_unreachable_datacite_works_are_unverified_not_wrong(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    standins: tuple[CrossrefStandin, DataciteStandin],
) -> None:
    crossref, _ = standins
    with DataciteStandin([]) as gone:
        url = gone.url  # nothing listens there once it has stopped
    post = tmp_path / "post.md"
    post.write_text(POST, encoding="utf-8")
    code, entries = check(capsys, post, crossref.url, url)
    assert [e["status"] for e in entries[:3]] == ["unverified"] * 3
    assert all("DataCite" in e["message"] for e in entries[:3])
    assert all(
        e["sources"][-1] == {"source": "datacite", "outcome": "unreachable"} for e in entries[:3]
    )
    assert code == 0


def test_datacite_works_cited_without_doi_are_found_by_datacites_search(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    standins: tuple[CrossrefStandin, DataciteStandin],
) -> None:
    crossref, datacite = standins
    post = tmp_path / "post.md"
    post.write_text(
        "# Data and code\n\n## References\n\n"
        "Vanderplas, J., & Willmer, A. (2015). Supersmoother: Minor bug fix release (Version "
        "v0.3.2) [Computer software]. Zenodo.\n\n"
        "Smith, J. (2021). A dataset that does not exist about nothing at all [Data set]. "
        "Zenodo.\n",
        encoding="utf-8",
    )
    code, entries = check(capsys, post, crossref.url, datacite.url)
    assert [(e["status"], e["doi"]) for e in entries] == [
        ("verified", "10.5281/zenodo.28518"),
        ("not_found", None),  # a dataset no registry holds is not "unregistered": a warning
    ]
    assert entries[0]["findings"][0]["message"].startswith("No DOI cited; DataCite's DOI")
    assert entries[1]["sources"][-1] == {"source": "datacite", "outcome": "answered"}
    assert code == 0


UNREACHABLE_POST = (
    POST.split("Karpathy")[0]
    + "Vanderplas, J., & Willmer, A. (2015). Supersmoother: Minor bug fix release (Version "
    "v0.3.2) [Computer software]. Zenodo.\n"
)


@pytest.mark.parametrize("fault", ["refused", "503", "timeout"])
def test_datacite_failing_leaves_its_works_unverified_never_not_found(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    standins: tuple[CrossrefStandin, DataciteStandin],
    shared: Path,
    fault: str,
) -> None:
    """DataCite refusing connections, answering 503 to every try, or answering too late:
    the works only DataCite could confirm (by DOI, by arXiv ID, by search) are unverified,
    each naming DataCite, and the run passes; no reference is not_found or an error."""
    crossref, _ = standins
    config = tmp_path / "refcheck.toml"
    config.write_text("retries = 1\n", encoding="utf-8")  # one retry: the test stays quick
    post = tmp_path / "post.md"
    post.write_text(UNREACHABLE_POST, encoding="utf-8")
    failing = DataciteStandin(load_records(shared / "datacite" / "records.jsonl.gz"))
    if fault == "refused":
        with failing:
            url = failing.url  # nothing listens there once it has stopped
    else:
        failing.start()
        url = failing.url
        bad = Fault.unavailable(503) if fault == "503" else Fault.slow(delay=3.0)
        failing.faults.push(bad, count=1000)
    try:
        code = main(
            [
                "check",
                str(post),
                "--config",
                str(config),
                "--no-cache",
                "--format",
                "json",
                "--crossref-url",
                crossref.url,
                "--datacite-url",
                url,
                "--arxiv-url",
                ARXIV_URL,
                "--timeout",
                "1",
            ]
        )
    finally:
        if fault != "refused":
            failing.stop()
    entries = json.loads(capsys.readouterr().out)["references"]
    assert [e["status"] for e in entries] == ["unverified"] * 4
    assert all("DataCite" in e["message"] for e in entries)
    assert all(f["severity"] == "info" for e in entries for f in e["findings"])
    assert all({"source": "datacite", "outcome": "unreachable"} in e["sources"] for e in entries)
    if fault != "refused":
        assert failing.requests  # it was asked, and failed
    assert code == 0


BOOKS = """
Lynch, S. (2020). Introducing WidgetKit for iOS: Adding a simple widget to your iOS app. \
Apress. ISBN 978-1-4842-6700-4

Smith, J. (2019). A handbook nobody wrote. Oxford University Press.
"""


def test_the_issues_example_post_in_full_passes(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    standins: tuple[CrossrefStandin, DataciteStandin],
) -> None:
    """Issue 13's example: arXiv papers by DOI and by ID, a Zenodo software DOI, a Crossref
    book by its ISBN, a book without one, a blog post and a news article, all correct."""
    crossref, datacite = standins
    post = tmp_path / "post.md"
    post.write_text(POST + BOOKS, encoding="utf-8")
    with OpenLibraryStandin() as library:
        code, entries = check(
            capsys, post, crossref.url, datacite.url, "--openlibrary-url", library.url
        )
    assert [(e["status"], e["doi"]) for e in entries] == [
        ("verified", "10.48550/arxiv.1706.03762"),
        ("verified", "10.48550/arxiv.1902.02534"),
        ("verified", "10.5281/zenodo.28518"),
        ("skipped", None),  # the blog post
        ("skipped", None),  # the news article
        ("verified", "10.1007/978-1-4842-6700-4"),  # Crossref lists the book under its ISBN
        ("skipped", None),  # a book no registry holds, without ISBN
    ]
    assert all(f["severity"] == "info" for e in entries for f in e["findings"])
    assert [f["code"] for f in entries[6]["findings"]] == ["RC105"]
    assert code == 0
