"""In-text findings in every report format and in baselines (issue 16): each at the
citation's line and column (an entry never cited at its line), counted in the summaries."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from refcheck.cli import main

ROOT = Path(__file__).resolve().parents[1]
SNAPSHOT = ROOT / "references" / "seed-works.jsonl"
OFFLINE = ["check", "--isolated", "--offline", "--no-cache", "--snapshot", str(SNAPSHOT)]

POST = """# Scans and back pain

Disc bulges are common without pain (Brinjikji et al., 2015), and the
findings barely predict future pain <b>(Kasch et al., 2021)</b>.

## References

- Brinjikji, W., Luetmer, P.H., Comstock, B. et al. (2015). Systematic literature review of
  imaging features of spinal degeneration in asymptomatic populations. AJNR Am J
  Neuroradiol, 36(4), 811-816.
- Kasch, R., Truthmann, J., Hancock, M.J. et al. (2022). Association of lumbar MRI findings
  with current and future back pain in a population-based cohort study. Spine, 47(3),
  201-211.
- Jarvik, J.G., Hollingworth, W., Heagerty, P. et al. (2001). The Longitudinal Assessment of
  Imaging and Disability of the Back (LAIDBack) Study. Spine, 26(10), 1158-1166.
"""
# The slip: "2021" where the list says 2022 (RC802, an error, at line 4 column 40), and
# Jarvik listed but never cited (RC804, a warning, at line 14).
SLIP = (4, 40, "RC802")
UNCITED = (14, "RC804")


@pytest.fixture
def post(tmp_path: Path) -> Path:
    path = tmp_path / "post.md"
    path.write_text(POST, encoding="utf-8")
    line = POST.split("\n")[SLIP[0] - 1]
    assert line[SLIP[1] - 1 :].startswith("(Kasch et al., 2021)")
    assert POST.split("\n")[UNCITED[0] - 1].startswith("- Jarvik")
    return path


def _report(post: Path, fmt: str, *extra: str) -> tuple[int, str]:
    out = post.parent / f"report.{fmt}"
    status = main([*OFFLINE, *extra, "--format", fmt, "--output", str(out), str(post)])
    return status, out.read_text(encoding="utf-8")


def test_github_annotations_at_the_citation(post: Path) -> None:
    status, text = _report(post, "github")
    assert status == 1
    lines = [line for line in text.splitlines() if "RC80" in line]
    assert len(lines) == 2
    assert lines[0].startswith(
        f"::error file={post.as_posix().replace(':', '%3A')},line=4,col=40,"
        "title=RC802 citation-disagrees::"
    )
    assert re.match(r"::warning file=[^,]+,line=14,title=RC804 never-cited::", lines[1])


def test_sarif_results_with_line_column_and_stable_fingerprints(post: Path) -> None:
    status, text = _report(post, "sarif")
    assert status == 1
    run = json.loads(text)["runs"][0]
    found = {r["ruleId"]: r for r in run["results"] if r["ruleId"].startswith("RC80")}
    assert set(found) == {"RC802", "RC804"}
    region = found["RC802"]["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 4, "startColumn": 40}
    assert found["RC802"]["level"] == "error"
    assert found["RC804"]["level"] == "warning"
    assert found["RC804"]["locations"][0]["physicalLocation"]["region"] == {"startLine": 14}
    rules = run["tool"]["driver"]["rules"]
    assert rules[found["RC802"]["ruleIndex"]]["id"] == "RC802"
    summary = run["properties"]["summary"]
    assert summary["warnings"] >= 1
    # A line added above moves the citation, not its fingerprint.
    before = found["RC802"]["partialFingerprints"]
    post.write_text("\n" + POST, encoding="utf-8")
    _, moved = _report(post, "sarif")
    again = [r for r in json.loads(moved)["runs"][0]["results"] if r["ruleId"] == "RC802"]
    assert again[0]["locations"][0]["physicalLocation"]["region"]["startLine"] == 5
    assert again[0]["partialFingerprints"] == before


def test_junit_fails_a_test_per_citation_error(post: Path) -> None:
    status, text = _report(post, "junit")
    assert status == 1
    assert re.search(
        r'<testcase classname="[^"]*post\.md" name="\(Kasch et al\., 2021\) '
        r'\(line 4, column 40\)" time="0">\s*<failure message="RC802: ',
        text,
    )
    # The warning is a passing test with its output.
    assert re.search(r"<system-out>warning RC804 never-cited \(line 14\)", text)


def test_markdown_rows_and_counts(post: Path) -> None:
    _, text = _report(post, "markdown")
    rows = [line for line in text.splitlines() if line.startswith("| in-text |")]
    assert len(rows) == 2
    assert "post.md:4:40 | citation | 2021 | 2022 | **RC802**" in rows[0]
    assert "post.md:14 | citation |" in rows[1]
    assert "(warning)" in rows[1]


def test_html_section_escapes_the_citation(post: Path) -> None:
    _, text = _report(post, "html")
    section = text[text.index('<section class="in-text">') :]
    section = section[: section.index("</section>")]
    assert "<h2>In-text citations (2)</h2>" in section
    assert "post.md:4:40" in section
    assert "RC802" in section
    assert "RC804" in section
    assert "<b>" not in section  # the post's own markup stays out; values are text


def test_text_summary_counts_in_text_findings(post: Path) -> None:
    _, text = _report(post, "text")
    assert re.search(r"post\.md:4:40: error RC802 ", text)
    assert re.search(r"post\.md:14: warning RC804 ", text)
    summary = text.strip().splitlines()
    assert any(re.search(r"\b1 error\b.*\b1 warning\b", line) for line in summary[-3:])
    assert "Nothing to fix" not in text


def _codes(report: dict[str, Any]) -> list[str]:
    codes = [f["code"] for r in report["references"] for f in r["findings"]]
    codes += [
        f["code"] for r in report["references"] for c in r["citations"] for f in c["findings"]
    ]
    return sorted(c for c in codes if c.startswith("RC80"))


def test_a_baseline_holds_in_text_findings_back_until_they_change(post: Path) -> None:
    baseline = post.parent / "baseline.json"
    assert main([*OFFLINE, "--write-baseline", str(baseline), str(post)]) == 0
    stored = json.loads(baseline.read_text(encoding="utf-8"))["findings"]
    assert {"citation:(kasch et al., 2021)"} <= {f["reference"] for f in stored}
    status, text = _report(post, "json", "--baseline", str(baseline))
    assert _codes(json.loads(text)) == []
    assert status == 0
    # Moved down a line, still baselined; a new year at the citation is a new finding.
    post.write_text("\n" + POST.replace("2021)", "2020)"), encoding="utf-8")
    status, text = _report(post, "json", "--baseline", str(baseline))
    assert _codes(json.loads(text)) == ["RC802"]
    assert status == 1
