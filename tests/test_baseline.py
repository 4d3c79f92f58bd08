"""Baselines: write today's findings, then report (and fail on) only new ones."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from refcheck.baseline import Baseline, entries, new_findings, read_baseline, write_baseline
from refcheck.cli import main
from refcheck.errors import ConfigError
from refcheck.models import Location, Reference, Status, Verdict
from refcheck.rules import finding
from refcheck.testing.crossref_standin import CrossrefStandin, load_records

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "tests" / "fixtures" / "seed-abbreviated.bib"


def verdict(path: str, key: str | None, line: int, *codes: tuple[str, str]) -> Verdict:
    reference = Reference(
        location=Location(path=path, line=line, key=key),
        text=f"Smith J. A  Title.   {key or 'post'} 2020;36:1-9.",
    )
    findings = tuple(finding(code, code, cited=cited, expected="36") for code, cited in codes)
    return Verdict(reference=reference, status=Status.MISMATCH, findings=findings)


def fingerprints(verdicts: list[Verdict], root: Path) -> list[str]:
    return [entry.fingerprint for entry in entries(verdicts, root)]


def test_fingerprint_ignores_the_line_and_the_working_folder(tmp_path: Path) -> None:
    here = verdict(str(tmp_path / "refs.bib"), "smith2020", 2, ("RC601", "35"))
    moved = verdict(str(tmp_path / "refs.bib"), "smith2020", 40, ("RC601", "35"))
    assert fingerprints([here], tmp_path) == fingerprints([moved], tmp_path)


@pytest.mark.parametrize(
    ("path", "key", "code", "cited"),
    [
        ("other.bib", "smith2020", "RC601", "35"),
        ("refs.bib", "smith2021", "RC601", "35"),
        ("refs.bib", "smith2020", "RC602", "35"),
        ("refs.bib", "smith2020", "RC601", "34"),
    ],
)
def test_fingerprint_changes_with_file_reference_code_or_cited_value(
    tmp_path: Path, path: str, key: str, code: str, cited: str
) -> None:
    base = verdict(str(tmp_path / "refs.bib"), "smith2020", 2, ("RC601", "35"))
    other = verdict(str(tmp_path / path), key, 2, (code, cited))
    assert fingerprints([base], tmp_path) != fingerprints([other], tmp_path)


def test_references_without_a_key_are_known_by_their_folded_text(tmp_path: Path) -> None:
    one = verdict(str(tmp_path / "post.md"), None, 13, ("RC601", "35"))
    spaced = one.model_copy(
        update={
            "reference": one.reference.model_copy(
                update={"text": "SMITH J. A Title. post 2020;36:1-9."}
            )
        }
    )
    assert fingerprints([one], tmp_path) == fingerprints([spaced], tmp_path)


def test_new_findings_counts_each_fingerprint(tmp_path: Path) -> None:
    path = str(tmp_path / "refs.bib")
    old = [verdict(path, "smith2020", 2, ("RC601", "35"))]
    baseline_file = tmp_path / "baseline.json"
    assert write_baseline(baseline_file, old) == 1
    baseline = read_baseline(baseline_file)
    # The same finding twice (a duplicated entry): the second one is new.
    now = [
        verdict(path, "smith2020", 2, ("RC601", "35")),
        verdict(path, "smith2020", 30, ("RC601", "35")),
    ]
    first, second = new_findings(now, baseline)
    assert first.findings == ()
    assert first.status is Status.VERIFIED
    assert [f.code for f in second.findings] == ["RC601"]
    assert second.status is Status.MISMATCH


def test_baseline_file_is_sorted_readable_json(tmp_path: Path) -> None:
    path = str(tmp_path / "refs.bib")
    verdicts = [
        verdict(path, "zed2020", 9, ("RC601", "35")),
        verdict(path, "abe2020", 2, ("RC602", "1"), ("RC601", "35")),
    ]
    target = tmp_path / "sub" / "baseline.json"
    target.parent.mkdir()
    write_baseline(target, verdicts)
    document = json.loads(target.read_text(encoding="utf-8"))
    assert document["refcheck-baseline"] == 1
    rows = [(f["path"], f["reference"], f["code"]) for f in document["findings"]]
    assert rows == [
        ("../refs.bib", "abe2020", "RC601"),
        ("../refs.bib", "abe2020", "RC602"),
        ("../refs.bib", "zed2020", "RC601"),
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such baseline"),
        ("{not json", "cannot read baseline"),
        ('{"findings": []}', "not a refcheck baseline"),
        ('{"refcheck-baseline": 1, "findings": [{"code": "RC601"}]}', "fingerprint"),
    ],
)
def test_a_bad_baseline_is_a_config_error(
    tmp_path: Path, content: str | None, message: str
) -> None:
    path = tmp_path / "baseline.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        read_baseline(path)


def test_an_invalid_entry_can_be_baselined(tmp_path: Path) -> None:
    reference = Reference(
        location=Location(path=str(tmp_path / "refs.bib"), line=3, key="broken"),
        text="@article{broken,",
        problem="missing closing brace",
    )
    broken = Verdict(reference=reference, status=Status.INVALID, message="missing closing brace")
    [entry] = entries([broken], tmp_path)
    assert entry.code == "RC001"
    baseline = Baseline(Counter([entry.fingerprint]), tmp_path)
    assert new_findings([broken], baseline) == []


# --- through the command line -------------------------------------------------------------


@pytest.fixture(scope="module")
def crossref() -> Iterator[CrossrefStandin]:
    with CrossrefStandin(load_records(ROOT / "references" / "seed-works.jsonl")) as server:
        yield server


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, crossref: CrossrefStandin) -> Path:
    """A project with a config pointing at the stand-in and a bib with one wrong volume."""
    (tmp_path / "refcheck.toml").write_text(
        f'crossref-url = "{crossref.url}"\nno-cache = true\ntimeout = 2\nformat = "json"\n',
        encoding="utf-8",
    )
    text = SEED.read_text(encoding="utf-8").replace("volume  = 36,", "volume  = 35,")
    (tmp_path / "refs").mkdir()
    (tmp_path / "refs" / "refs.bib").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    code = main(["check", *args])
    out = capsys.readouterr().out
    return code, json.loads(out) if out.strip() else {}


def test_a_repo_with_a_baseline_and_no_new_findings_exits_0(
    capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    code, _ = run(capsys, "refs")
    assert code == 1  # the wrong volume fails the run without a baseline

    code, report = run(capsys, "refs", "--write-baseline", "refcheck-baseline.json")
    assert code == 0
    assert report == {}  # writing a baseline prints no report
    document = json.loads((repo / "refcheck-baseline.json").read_text(encoding="utf-8"))
    assert "RC601" in [f["code"] for f in document["findings"]]

    code, report = run(capsys, "refs", "--baseline", "refcheck-baseline.json")
    assert code == 0
    assert report["summary"]["errors"] == 0
    assert report["summary"]["verified"] == 3


def test_only_new_findings_are_reported_and_fail_the_run(
    capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    run(capsys, "refs", "--write-baseline", "baseline.json")
    bib = repo / "refs" / "refs.bib"
    # Move the baselined entry down (its line changes) and break another entry.
    text = bib.read_text(encoding="utf-8").replace("{999--1007}", "{990--1007}")
    first_end = text.index("@article{elbarzouhi2013")
    bib.write_text(text[first_end:] + "\n\n\n" + text[:first_end], encoding="utf-8")
    code, report = run(capsys, "refs", "--baseline", "baseline.json")
    assert code == 1
    codes = {e["key"]: [f["code"] for f in e["findings"]] for e in report["references"]}
    assert codes["brinjikji2015"] == []  # every finding of the moved entry is baselined
    assert codes["elbarzouhi2013"] == ["RC603"]  # its RC502 is baselined; the page is new


BRINJIKJI = (
    "Brinjikji W, Luetmer PH, Comstock B, et al. Systematic literature review of imaging "
    "features of spinal degeneration in asymptomatic populations. AJNR Am J Neuroradiol. "
    "2015;35(4):811-816. doi:10.3174/ajnr.A4173"
)


def test_a_finding_baselined_once_and_found_twice_in_a_run_is_new_the_second_time(
    capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    post = repo / "refs" / "post.md"
    head = "# A post\n\nImaging findings are common [1].\n\n## References\n\n"
    post.write_text(f"{head}1. {BRINJIKJI}\n", encoding="utf-8")
    run(capsys, "refs/post.md", "--write-baseline", "baseline.json")
    # The same reference listed again: the same fingerprint, one more time than baselined.
    post.write_text(f"{head}1. {BRINJIKJI}\n2. {BRINJIKJI}\n", encoding="utf-8")
    code, report = run(capsys, "refs/post.md", "--baseline", "baseline.json")
    assert code == 1
    findings = {e["line"]: [f["code"] for f in e["findings"]] for e in report["references"]}
    # The first copy's wrong volume and abbreviated journal are excused; the second copy's
    # are new, as is its never being cited (RC804).
    assert findings == {7: [], 8: ["RC502", "RC601", "RC804"]}


def test_baseline_from_config_and_the_baseline_file_is_not_read_as_references(
    capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    # The baseline lives inside the checked folder: a JSON file refcheck must pass over.
    run(capsys, "refs", "--write-baseline", "refs/baseline.json")
    with (repo / "refcheck.toml").open("a", encoding="utf-8") as config:
        config.write('baseline = "refs/baseline.json"\n')
    code, report = run(capsys, "refs")
    assert code == 0
    assert {e["path"] for e in report["references"]} == {"refs/refs.bib"}


def test_a_missing_baseline_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    code = main(["check", "refs", "--baseline", "nowhere.json"])
    err = capsys.readouterr().err
    assert code == 2
    assert "no such baseline" in err
    assert "--write-baseline" in err
