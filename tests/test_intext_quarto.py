"""A Quarto/Pandoc post checked end to end through the CLI (issue 16): its keys resolve to
the front matter's bibliography, the entries it cites (and ``nocite:``) are checked against
the snapshot like any BibTeX, and a key with no entry is an error at its line and column."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from refcheck.cli import main
from refcheck.readers import read_markdown, reader_for

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "quarto"
SNAPSHOT = ROOT / "references" / "seed-works.jsonl"
OFFLINE = ["check", "--isolated", "--offline", "--no-cache", "--snapshot", str(SNAPSHOT)]


def _check(post: Path, tmp_path: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    out = tmp_path / "report.json"
    status = main([*OFFLINE, *extra, "--format", "json", "--output", str(out), str(post)])
    return status, json.loads(out.read_text(encoding="utf-8"))


def _copy(tmp_path: Path, suffix: str = ".qmd") -> Path:
    shutil.copy(FIXTURE / "refs.bib", tmp_path / "refs.bib")
    post = tmp_path / f"lumbar-mri{suffix}"
    shutil.copy(FIXTURE / "lumbar-mri.qmd", post)
    return post


@pytest.mark.parametrize("suffix", [".qmd", ".rmd", ".Rmd"])
def test_quarto_and_r_markdown_posts_are_read_as_markdown(suffix: str) -> None:
    assert reader_for(f"post{suffix}") is read_markdown


@pytest.mark.parametrize("suffix", [".qmd", ".rmd"])
def test_quarto_post_checks_the_bibliography_it_cites(tmp_path: Path, suffix: str) -> None:
    post = _copy(tmp_path, suffix)
    status, report = _check(post, tmp_path)
    assert status == 1  # the undefined key is an error
    bib = str(tmp_path / "refs.bib")
    # Cited (brinjikji2015, kasch2022) and nocite'd (elbarzouhi2013) entries, in the .bib's
    # order and at its lines, each checked against the snapshot; jarvik2001 is printed
    # nowhere, so it is not checked.
    assert [(r["path"], r["key"], r["status"]) for r in report["references"]] == [
        (bib, "brinjikji2015", "verified"),
        (bib, "elbarzouhi2013", "verified"),
        (bib, "kasch2022", "verified"),
    ]
    lines = (tmp_path / "refs.bib").read_text(encoding="utf-8").split("\n")
    for reference in report["references"]:
        assert lines[reference["line"] - 1].startswith(f"@article{{{reference['key']},")
    text = post.read_text(encoding="utf-8").split("\n")
    cited = {r["key"]: r["citations"] for r in report["references"]}
    # [@key], "@key says", [see @a, p. 812; @b], [-@key], each where it stands; the keys in
    # the R chunk are code.
    assert [c["text"] for c in cited["kasch2022"]] == ["@kasch2022", "@kasch2022", "[-@kasch2022]"]
    assert [c["text"] for c in cited["brinjikji2015"]] == ["[@brinjikji2015]", "@brinjikji2015"]
    assert cited["elbarzouhi2013"] == []
    for citation in [*cited["kasch2022"], *cited["brinjikji2015"]]:
        assert text[citation["line"] - 1][citation["column"] - 1 :].startswith(citation["text"])
        assert citation["findings"] == []
    [undefined] = report["unlinked_citations"]
    assert (undefined["line"], undefined["text"]) == (22, "[@kasch2021]")
    assert text[21][undefined["column"] - 1 :].startswith("[@kasch2021]")
    assert [f["code"] for f in undefined["findings"]] == ["RC805"]
    assert report["summary"]["errors"] == 1


def test_quarto_post_with_every_key_defined_passes(tmp_path: Path) -> None:
    post = _copy(tmp_path)
    post.write_text(
        post.read_text(encoding="utf-8").replace("[@kasch2021]", "[@kasch2022]"), encoding="utf-8"
    )
    status, report = _check(post, tmp_path)
    assert status == 0
    assert report["unlinked_citations"] == []
    assert report["summary"]["errors"] == 0


def test_a_slip_in_the_bibliography_is_found_at_its_bib_line(tmp_path: Path) -> None:
    post = _copy(tmp_path)
    bib = tmp_path / "refs.bib"
    bib.write_text(
        bib.read_text(encoding="utf-8").replace("volume  = {47}", "volume  = {48}"),
        encoding="utf-8",
    )
    status, report = _check(post, tmp_path)
    assert status == 1
    kasch = next(r for r in report["references"] if r["key"] == "kasch2022")
    assert kasch["status"] == "mismatch"
    assert any(f["field"] == "volume" for f in kasch["findings"])


def test_nocite_star_checks_every_entry(tmp_path: Path) -> None:
    post = _copy(tmp_path)
    post.write_text(
        post.read_text(encoding="utf-8").replace("  @elbarzouhi2013", "  @*"), encoding="utf-8"
    )
    _, report = _check(post, tmp_path)
    assert [r["key"] for r in report["references"]] == [
        "brinjikji2015",
        "elbarzouhi2013",
        "kasch2022",
        "jarvik2001",
    ]


def test_an_unreadable_bibliography_is_one_invalid_reference(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    post = _copy(tmp_path)
    post.write_text(
        post.read_text(encoding="utf-8").replace(
            "bibliography: refs.bib", "bibliography: gone.bib"
        ),
        encoding="utf-8",
    )
    status, report = _check(post, tmp_path)
    assert status == 1
    [reference] = report["references"]
    assert (reference["status"], reference["line"]) == ("invalid", 5)
    assert "gone.bib" in reference["message"]
    # No key can be called undefined when the bibliography is unread: the citations point
    # at nothing read, and carry no finding.
    assert len(report["unlinked_citations"]) == 6
    assert all(c["findings"] == [] for c in report["unlinked_citations"])
    assert "Traceback" not in capsys.readouterr().err


def test_library_reads_the_same_citations_as_the_cli() -> None:
    from refcheck.api import read_citations

    # The bibliography's entries stand in refs.bib: their lines there are no lines of the
    # post's own list, whose citations would otherwise be skipped.
    found = read_citations([FIXTURE / "lumbar-mri.qmd"])
    assert [(c.line, c.text) for c in found] == [
        (12, "[@brinjikji2015]"),
        (13, "@kasch2022"),
        (14, "@brinjikji2015"),
        (14, "@kasch2022"),
        (21, "[-@kasch2022]"),
        (22, "[@kasch2021]"),
    ]


@pytest.mark.parametrize("spelled", ["refs.bib", "./refs.bib", "sub/../refs.bib"])
def test_a_bibliography_named_beside_its_post_is_checked_once(tmp_path: Path, spelled: str) -> None:
    post = _copy(tmp_path)
    (tmp_path / "sub").mkdir()
    out = tmp_path / "report.json"
    bib = tmp_path / spelled
    status = main([*OFFLINE, "--format", "json", "--output", str(out), str(post), str(bib)])
    report = json.loads(out.read_text(encoding="utf-8"))

    assert status == 1  # the undefined key is still an error
    # Every entry of the named file once, read from it (jarvik2001 too: the file is named),
    # none a second time as the post's.
    assert [(r["key"], r["path"]) for r in report["references"]] == [
        ("brinjikji2015", str(bib)),
        ("elbarzouhi2013", str(bib)),
        ("kasch2022", str(bib)),
        ("jarvik2001", str(bib)),
    ]
    cited = {r["key"]: [c["text"] for c in r["citations"]] for r in report["references"]}
    assert cited["kasch2022"] == ["@kasch2022", "@kasch2022", "[-@kasch2022]"]
    assert cited["brinjikji2015"] == ["[@brinjikji2015]", "@brinjikji2015"]
    assert [c["text"] for c in report["unlinked_citations"]] == ["[@kasch2021]"]
    assert report["summary"]["errors"] == 1
