"""In-text citations linked to the seed post's reference list: found where they stand,
and every slip named at its citation (issue 16)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from refcheck.api import check, link_citations, read_citations, read_references
from refcheck.config import Settings
from refcheck.intext import apply_policy, link
from refcheck.models import Location, Person, Reference, Severity, Status, Verdict
from refcheck.policy import Policy
from refcheck.readers.citations import find_citations
from refcheck.report import json as json_report
from refcheck.report.model import InText, build_report

ROOT = Path(__file__).resolve().parents[1]
SNAPSHOT = ROOT / "references" / "seed-works.jsonl"
MARKDOWN = ROOT / "references" / "lumbar-mri-paradox.md"
OFFLINE = Settings(offline=True, no_cache=True, snapshots=(SNAPSHOT,))
JARVIK = (
    "-Jarvik, J.G., Hollingworth, W., Heagerty, P., Haynor, D.R. and Deyo, R.A., 2001. "
    "The Longitudinal Assessment of Imaging and Disability of the Back (LAIDBack) Study. "
    "Spine, 26(10), pp.1158–1166."
)


def _run(path: Path) -> tuple[list[tuple[int, int, str, int | None]], list[tuple[str, ...]]]:
    verdicts = check(read_references([path]), OFFLINE)
    linked = link_citations(read_citations([path]), verdicts)
    links = [(c.line, c.column, c.text, index) for c, index in linked.citations]
    findings = [
        (f.finding.code, f.finding.severity.value, str(f.line), str(f.column), f.finding.message)
        for f in linked.findings
    ]
    return links, findings


def _edited(shared: Path, tmp_path: Path, old: str, new: str) -> Path:
    text = (shared / "seed" / "lumbar-mri-paradox.txt").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "post.txt"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_seed_post_cites_its_three_references(shared: Path) -> None:
    links, findings = _run(shared / "seed" / "lumbar-mri-paradox.txt")
    # Each "Article n: <title> (Author et al., year)" points at its list entry.
    assert [(line, text, index) for line, _, text, index in links] == [
        (15, "(Kasch et al., 2022)", 2),
        (21, "(El Barzouhi et al., 2013)", 1),
        (27, "(Brinjikji et al., 2015)", 0),
    ]
    assert findings == []


def test_markdown_seed_post_without_citations_has_no_finding() -> None:
    # A reading list: no in-text citation, so no entry is "never cited".
    assert _run(MARKDOWN) == ([], [])


def test_online_year_in_the_text_is_named_at_the_citation(shared: Path, tmp_path: Path) -> None:
    path = _edited(shared, tmp_path, "(Kasch et al., 2022)", "(Kasch et al., 2021)")
    line = path.read_text(encoding="utf-8").split("\n")[14]
    _, findings = _run(path)
    assert len(findings) == 1
    code, severity, at_line, column, message = findings[0]
    assert (code, severity, at_line) == ("RC802", "error", "15")
    assert line[int(column) - 1 :].startswith("(Kasch et al., 2021)")
    assert "2022" in message
    assert "2021 is the work's online year" in message


def test_entry_missing_from_the_list_is_named_at_the_citation(shared: Path, tmp_path: Path) -> None:
    text = (shared / "seed" / "lumbar-mri-paradox.txt").read_text(encoding="utf-8")
    entry = next(line for line in text.split("\n") if line.startswith("-Brinjikji"))
    path = _edited(shared, tmp_path, entry, "")
    _, findings = _run(path)
    assert [(code, severity, line) for code, severity, line, _, _ in findings] == [
        ("RC801", "error", "27")
    ]
    assert "(Brinjikji et al., 2015)" in findings[0][4]


def test_entry_never_cited_is_a_warning(shared: Path, tmp_path: Path) -> None:
    text = (shared / "seed" / "lumbar-mri-paradox.txt").read_text(encoding="utf-8")
    entry = next(line for line in text.split("\n") if line.startswith("-Kasch"))
    path = _edited(shared, tmp_path, entry, f"{entry}\n\n{JARVIK}")
    _, findings = _run(path)
    assert [(code, severity, line) for code, severity, line, _, _ in findings] == [
        ("RC804", "warning", "62")
    ]


def test_numbers_beyond_the_list_and_undefined_keys(shared: Path, tmp_path: Path) -> None:
    path = _edited(
        shared,
        tmp_path,
        "representing a diverse population.",
        "representing a diverse population [2, 7]. See [@kasch2022] and [@nobody2020].",
    )
    links, findings = _run(path)
    assert [code for code, *_ in findings] == ["RC803", "RC805"]
    assert ("[@kasch2022]", 2) in [(text, index) for _, _, text, index in links]


def test_policy_selects_ignores_and_suppresses(shared: Path, tmp_path: Path) -> None:
    path = _edited(shared, tmp_path, "(Kasch et al., 2022)", "(Kasch et al., 2021)")
    verdicts = check(read_references([path]), OFFLINE)
    found = link_citations(read_citations([path]), verdicts).findings
    assert [f.finding.code for f in apply_policy(found, Policy())] == ["RC802"]
    assert apply_policy(found, Policy(ignore=frozenset({"RC802"}))) == []
    assert apply_policy(found, Policy(select=frozenset({"RC801"}))) == []
    (warned,) = apply_policy(found, Policy(severity={"RC802": Severity.WARNING}))
    assert warned.finding.severity is Severity.WARNING
    quiet = _edited(
        shared,
        tmp_path,
        "(Kasch et al., 2022)",
        "(Kasch et al., 2021) <!-- refcheck: ignore[RC802] -->",
    )
    verdicts = check(read_references([quiet]), OFFLINE)
    found = link_citations(read_citations([quiet]), verdicts).findings
    assert [f.finding.code for f in found] == ["RC802"]
    assert apply_policy(found, Policy()) == []


@pytest.mark.parametrize("form", ["markdown", "html"])
def test_citations_in_markdown_and_html(form: str, tmp_path: Path) -> None:
    body = MARKDOWN.read_text(encoding="utf-8")
    body = body.replace(
        "and they predict little",
        "and they predict little (Kasch et al., 2021; Brinjikji"
        " et al. 2015), as El Barzouhi et al. (2013) found,",
    )
    path = tmp_path / "post.md"
    path.write_text(body, encoding="utf-8")
    if form == "html":
        from markdown_it import MarkdownIt

        path = tmp_path / "post.html"
        path.write_text(MarkdownIt().render(body.split("---\n", 2)[2]), encoding="utf-8")
    links, findings = _run(path)
    assert sorted(index for *_, index in links if index is not None) == [0, 1, 2]
    assert [code for code, *_ in findings] == ["RC802"]


def _json(path: Path) -> dict[str, Any]:
    verdicts = check(read_references([path]), OFFLINE)
    in_text = InText(link_citations(read_citations([path]), verdicts))
    out = io.StringIO()
    json_report.emit(verdicts, out, in_text)
    document: dict[str, Any] = json.loads(out.getvalue())
    # The document streamed entry by entry is the model's own.
    assert document == json.loads(build_report(verdicts, in_text).model_dump_json())
    return document


def test_json_names_each_entrys_citations(shared: Path, tmp_path: Path) -> None:
    path = _edited(shared, tmp_path, "(Kasch et al., 2022)", "(Kasch et al., 2021)")
    document = _json(path)
    assert document["unlinked_citations"] == []
    kasch = document["references"][2]["citations"]
    assert [(c["path"], c["line"], c["text"]) for c in kasch] == [
        (str(path), 15, "(Kasch et al., 2021)")
    ]
    assert [f["code"] for f in kasch[0]["findings"]] == ["RC802"]
    assert [len(r["citations"]) for r in document["references"]] == [1, 1, 1]
    assert document["summary"]["errors"] == 1


def test_json_lists_citations_that_point_at_nothing(shared: Path, tmp_path: Path) -> None:
    text = (shared / "seed" / "lumbar-mri-paradox.txt").read_text(encoding="utf-8")
    entry = next(line for line in text.split("\n") if line.startswith("-Brinjikji"))
    document = _json(_edited(shared, tmp_path, entry, ""))
    (unlinked,) = document["unlinked_citations"]
    assert (unlinked["line"], unlinked["text"]) == (27, "(Brinjikji et al., 2015)")
    assert [f["code"] for f in unlinked["findings"]] == ["RC801"]


def test_json_puts_never_cited_on_the_entry(shared: Path, tmp_path: Path) -> None:
    text = (shared / "seed" / "lumbar-mri-paradox.txt").read_text(encoding="utf-8")
    entry = next(line for line in text.split("\n") if line.startswith("-Kasch"))
    document = _json(_edited(shared, tmp_path, entry, f"{entry}\n\n{JARVIK}"))
    jarvik = document["references"][-1]
    assert jarvik["citations"] == []
    assert "RC804" in [f["code"] for f in jarvik["findings"]]
    assert document["summary"]["warnings"] >= 1


def test_check_reports_in_text_findings_and_exits_1(shared: Path, tmp_path: Path) -> None:
    from refcheck.cli import main

    path = _edited(shared, tmp_path, "(Kasch et al., 2022)", "(Kasch et al., 2021)")
    out = tmp_path / "report.json"
    argv = ["check", "--isolated", "--offline", "--no-cache", "--snapshot", str(SNAPSHOT)]
    assert main([*argv, "--format", "json", "--output", str(out), str(path)]) == 1
    document = json.loads(out.read_text(encoding="utf-8"))
    (kasch,) = document["references"][2]["citations"]
    assert [(f["code"], kasch["line"], kasch["column"]) for f in kasch["findings"]] == [
        ("RC802", 15, 116)
    ]
    assert main([*argv, "--ignore", "RC802", "--format", "json", str(path)]) == 0
    seed = shared / "seed" / "lumbar-mri-paradox.txt"
    assert main([*argv, "--format", "json", "--output", str(out), str(seed)]) == 0


def _entries(*names: tuple[str, str | None, int]) -> list[Verdict]:
    return [
        Verdict(
            reference=Reference(
                location=Location(path="p.md", line=20 + n),
                authors=(Person(family=family, given=given),),
                year=year,
                title=f"Work {n}",
            ),
            status=Status.UNVERIFIED,
        )
        for n, (family, given, year) in enumerate(names)
    ]


def test_a_name_the_list_split_still_links() -> None:
    verdicts = _entries(("Lin", "Hong", 2005), ("van der Kallen", "B.F.", 2010))
    citations = find_citations("As (Hong Lin, 2005) and (Kallen et al., 2010) say.", "p.md")
    linked = link(citations, verdicts)
    assert [index for _, index in linked.citations] == [0, 1]
    assert linked.findings == ()


def test_a_mention_or_two_of_a_long_list_is_a_reading_list() -> None:
    verdicts = _entries(*((f"Author{chr(65 + n)}", None, 2000 + n) for n in range(6)))
    two = find_citations("(AuthorA, 2000) and (AuthorB, 2001).", "p.md")
    assert link(two, verdicts).findings == ()
    five = find_citations(
        "(AuthorA, 2000; AuthorB, 2001; AuthorC, 2002; AuthorD, 2003; AuthorE, 2004)", "p.md"
    )
    assert [(f.finding.code, f.line) for f in link(five, verdicts).findings] == [("RC804", 25)]


def test_a_group_author_links_and_an_acronym_of_prose_is_no_finding() -> None:
    verdicts = [
        Verdict(
            reference=Reference(
                location=Location(path="p.md", line=9),
                authors=(Person(literal="WHO"),),
                year=2020,
                title="Report",
            ),
            status=Status.UNVERIFIED,
        )
    ]
    linked = link(find_citations("As (WHO, 2020) says, the (UK, 2019) data", "p.md"), verdicts)
    assert [(c.text, index) for c, index in linked.citations] == [("(WHO, 2020)", 0)]
    assert linked.findings == ()


def test_a_wrong_year_in_the_list_is_named_as_the_slip(shared: Path, tmp_path: Path) -> None:
    path = _edited(shared, tmp_path, "Jarvik, J.G., 2015", "Jarvik, J.G., 2016")
    _, findings = _run(path)
    assert [(code, line) for code, _, line, _, _ in findings] == [("RC802", "27")]
    assert "2015 is the work's print year: the list's is the slip" in findings[0][4]


BIB = """@article{kasch2022, author = {Kasch, R. and Truthmann, J.}, year = {2022},
  title = {Association of Lumbar MRI Findings with Current and Future Back Pain}}
@article{brinjikji2015, author = {Brinjikji, W.}, year = {2015},
  title = {Systematic Literature Review of Imaging Features of Spinal Degeneration}}
"""
QUARTO = """---
title: "The lumbar MRI paradox"
bibliography: [refs.bib]
references:
  - id: elbarzouhi2013
    type: article-journal
---

MRI findings are common without pain [@kasch2022; see @brinjikji2015, p. 3],
as @elbarzouhi2013 found. {note}
"""


@pytest.mark.parametrize(
    ("note", "status", "undefined"),
    [("", 0, []), ("Also [@kasch2021].", 1, ["kasch2021"])],
)
def test_quarto_post_keys_against_its_front_matter_bibliography(
    tmp_path: Path, note: str, status: int, undefined: list[str]
) -> None:
    from refcheck.cli import main

    (tmp_path / "refs.bib").write_text(BIB, encoding="utf-8")
    post = tmp_path / "post.md"
    post.write_text(QUARTO.format(note=note), encoding="utf-8")
    out = tmp_path / "report.json"
    argv = ["check", "--isolated", "--offline", "--no-cache", "--snapshot", str(SNAPSHOT)]
    assert main([*argv, "--format", "json", "--output", str(out), str(post)]) == status
    document = json.loads(out.read_text(encoding="utf-8"))
    unlinked = document["unlinked_citations"]
    assert [c["text"] for c in unlinked] == [f"[@{key}]" for key in undefined]
    assert [f["code"] for c in unlinked for f in c["findings"]] == ["RC805"] * len(undefined)
    if undefined:
        line = post.read_text(encoding="utf-8").split("\n")[unlinked[0]["line"] - 1]
        assert line[unlinked[0]["column"] - 1 :].startswith("[@kasch2021]")


def test_front_matter_keys_and_a_missing_bibliography(tmp_path: Path) -> None:
    from refcheck.readers import read_path
    from refcheck.readers.citations import front_matter_keys

    (tmp_path / "refs.bib").write_text(BIB, encoding="utf-8")
    text = QUARTO.format(note="")
    keys = front_matter_keys(text, str(tmp_path / "post.md"), read_path)
    assert keys == {"kasch2022", "brinjikji2015", "elbarzouhi2013"}
    missing = text.replace("[refs.bib]", "gone.bib")
    assert front_matter_keys(missing, str(tmp_path / "post.md"), read_path) is None
    assert front_matter_keys("# No front matter", "post.md", read_path) is None
