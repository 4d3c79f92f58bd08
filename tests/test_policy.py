"""The rule policy: selectors, severity overrides, suppressions, statuses, the exit policy."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from refcheck.cli import main
from refcheck.errors import ConfigError
from refcheck.models import Location, Reference, Severity, Status, Verdict, Work
from refcheck.policy import (
    FailOn,
    Glob,
    Policy,
    apply,
    fails,
    keep_file,
    resolve_selectors,
    resolve_severities,
    selector_codes,
    unused_suppressions,
)
from refcheck.rules import finding
from refcheck.testing.crossref_standin import CrossrefStandin, load_records

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "tests" / "fixtures" / "seed-abbreviated.bib"
WORK = Work(doi="10.3174/ajnr.A4173", title="Systematic Literature Review", volume="36")


def verdict(
    *codes: str,
    status: Status = Status.MISMATCH,
    suppress: tuple[str, ...] = (),
    path: str = "refs.bib",
) -> Verdict:
    reference = Reference(
        location=Location(path=path, line=2, key="brinjikji2015"),
        text="@article{brinjikji2015, ...}",
        suppress=suppress,
    )
    findings = tuple(finding(code, f"{code} message", cited="35", expected="36") for code in codes)
    return Verdict(
        reference=reference,
        status=status,
        work=WORK if status in (Status.MISMATCH, Status.VERIFIED) else None,
        findings=findings,
    )


# --- selectors ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        ("RC301", {"RC301"}),
        ("rc301", {"RC301"}),
        ("author-missing", {"RC301"}),
        ("RC3", {"RC301", "RC302", "RC303", "RC304", "RC305"}),
        ("RC60", {"RC601", "RC602", "RC603", "RC604"}),
    ],
)
def test_selectors_take_codes_prefixes_and_names(selector: str, expected: set[str]) -> None:
    assert selector_codes(selector) == frozenset(expected)


def test_all_selects_every_rule() -> None:
    codes = selector_codes("ALL")
    assert codes is not None
    assert {"RC001", "RC103", "RC703"} <= codes


@pytest.mark.parametrize("selector", ["RC9", "RC3011", "author-missed", "", "301"])
def test_a_selector_naming_no_rule_is_an_error_naming_it(selector: str) -> None:
    with pytest.raises(ConfigError, match=f"'{selector}'"):
        resolve_selectors([selector], "refcheck.toml: 'select'")


def test_exact_severity_beats_a_prefix_whatever_the_order() -> None:
    levels = resolve_severities({"RC601": "error", "RC6": "warning"}, "x")
    assert levels["RC601"] is Severity.ERROR
    assert levels["RC602"] is Severity.WARNING
    assert levels["RC603"] is Severity.WARNING


def test_a_bad_severity_level_names_the_rule() -> None:
    with pytest.raises(ConfigError, match=r"RC502.*'fatal'"):
        resolve_severities({"RC502": "fatal"}, "x")


# --- applying the policy ------------------------------------------------------------------


def test_default_policy_changes_nothing() -> None:
    original = verdict("RC601", "RC502")
    assert apply([original], Policy()) == [original]


def test_ignoring_the_only_error_makes_a_mismatch_verified() -> None:
    [result] = apply([verdict("RC601", "RC502")], Policy(ignore=frozenset({"RC601"})))
    assert result.status is Status.VERIFIED
    assert [f.code for f in result.findings] == ["RC502"]


def test_select_keeps_only_selected_rules() -> None:
    policy = Policy(select=resolve_selectors(["RC5"], "x"))
    [result] = apply([verdict("RC601", "RC502")], policy)
    assert [f.code for f in result.findings] == ["RC502"]
    assert result.status is Status.VERIFIED


def test_a_severity_override_changes_the_finding_and_the_status() -> None:
    policy = Policy(severity=resolve_severities({"volume-mismatch": "warning"}, "x"))
    [result] = apply([verdict("RC601")], policy)
    assert result.findings[0].severity is Severity.WARNING
    assert result.status is Status.VERIFIED
    assert not fails([result], FailOn.ERROR, policy)
    assert fails([result], FailOn.WARNING, policy)


def test_overriding_an_info_up_to_error_makes_a_mismatch() -> None:
    policy = Policy(severity=resolve_severities({"RC502": "error"}, "x"))
    [result] = apply([verdict("RC502", status=Status.VERIFIED)], policy)
    assert result.status is Status.MISMATCH
    assert fails([result], FailOn.ERROR, policy)


@pytest.mark.parametrize("suppress", [("RC601",), ("volume-mismatch",), ("RC6",), ("*",)])
def test_inline_suppressions_drop_the_finding(suppress: tuple[str, ...]) -> None:
    [result] = apply([verdict("RC601", suppress=suppress)], Policy())
    assert result.findings == ()
    assert result.status is Status.VERIFIED


def test_an_inline_suppression_of_another_code_keeps_the_finding() -> None:
    [result] = apply([verdict("RC601", suppress=("RC602",))], Policy())
    assert [f.code for f in result.findings] == ["RC601"]
    assert result.status is Status.MISMATCH


def test_per_file_ignores_match_the_file_by_glob(tmp_path: Path) -> None:
    policy = Policy(
        per_file_ignores=((Glob("drafts/**"), frozenset({"RC601"})),),
        root=tmp_path,
    )
    draft = verdict("RC601", path=str(tmp_path / "drafts" / "a" / "refs.bib"))
    final = verdict("RC601", path=str(tmp_path / "paper" / "refs.bib"))
    [in_draft, in_paper] = apply([draft, final], policy)
    assert in_draft.findings == ()
    assert [f.code for f in in_paper.findings] == ["RC601"]


def test_not_found_keeps_its_status_when_its_finding_is_suppressed() -> None:
    [result] = apply(
        [verdict("RC104", status=Status.NOT_FOUND)], Policy(ignore=frozenset({"RC104"}))
    )
    assert result.status is Status.NOT_FOUND
    assert result.findings == ()


def invalid(suppress: tuple[str, ...] = ()) -> Verdict:
    reference = Reference(
        location=Location(path="refs.bib", line=9, key="broken"),
        text="@article{broken,",
        problem="BibTeX entry could not be parsed: missing closing brace",
        suppress=suppress,
    )
    return Verdict(reference=reference, status=Status.INVALID, message=reference.problem)


def test_an_invalid_entry_stands_for_rc001() -> None:
    assert apply([invalid()], Policy()) == [invalid()]
    assert apply([invalid(("RC001",))], Policy()) == []
    assert apply([invalid()], Policy(ignore=frozenset({"RC001"}))) == []
    assert fails([invalid()], FailOn.ERROR)
    lowered = Policy(severity={"RC001": Severity.WARNING})
    assert not fails([invalid()], FailOn.ERROR, lowered)
    assert fails([invalid()], FailOn.WARNING, lowered)


# --- the exit policy ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("verdicts", "error", "warning", "unverified", "never"),
    [
        ([verdict("RC601")], True, True, True, False),
        ([verdict("RC305", status=Status.VERIFIED)], False, True, True, False),
        ([verdict("RC502", status=Status.VERIFIED)], False, False, False, False),
        ([verdict(status=Status.UNVERIFIED)], False, False, True, False),
        ([invalid()], True, True, True, False),
        ([verdict(status=Status.VERIFIED)], False, False, False, False),
    ],
    ids=["error", "warning", "info", "unverified", "invalid", "clean"],
)
def test_fail_on_levels(
    verdicts: list[Verdict], error: bool, warning: bool, unverified: bool, never: bool
) -> None:
    assert fails(verdicts, FailOn.ERROR) is error
    assert fails(verdicts, FailOn.WARNING) is warning
    assert fails(verdicts, FailOn.UNVERIFIED) is unverified
    assert fails(verdicts, FailOn.NEVER) is never


# --- unused suppressions ------------------------------------------------------------------


def test_unused_and_unknown_inline_suppressions_are_noted() -> None:
    notes = unused_suppressions(
        [
            verdict("RC601", suppress=("RC601",)),  # used
            verdict("RC601", suppress=("RC602",)),  # unused
            verdict("RC601", suppress=("RC9X",)),  # names no rule
            verdict(status=Status.VERIFIED, suppress=("*",)),  # nothing to suppress
            verdict(status=Status.UNVERIFIED, suppress=("RC602",)),  # not judged
        ]
    )
    messages = [note.message for note in notes]
    assert messages == [
        "'refcheck: ignore[RC602]' suppresses nothing here",
        "'refcheck: ignore[RC9X]' names no rule",
        "'refcheck: ignore' suppresses nothing here",
    ]


# --- globs --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("*.md", "posts/2024/a.md", True),
        ("*.md", "posts/a.bib", False),
        ("posts/*.md", "posts/a.md", True),
        ("posts/*.md", "posts/2024/a.md", False),
        ("posts/**/*.md", "posts/2024/a.md", True),
        ("posts/**/*.md", "posts/a.md", True),
        ("drafts", "drafts/x/refs.bib", True),
        ("drafts/", "drafts/refs.bib", True),
        ("drafts", "final/drafts.bib", False),
        ("refs-[0-9].bib", "refs-1.bib", True),
        ("refs-[!0-9].bib", "refs-1.bib", False),
        ("./paper/refs.bib", "paper/refs.bib", True),
    ],
)
def test_globs(pattern: str, path: str, expected: bool) -> None:
    assert Glob(pattern).matches(path) is expected


def test_keep_file_applies_include_then_exclude(tmp_path: Path) -> None:
    include = (Glob("*.bib"),)
    exclude = (Glob("vendor"),)
    assert keep_file(tmp_path / "paper" / "refs.bib", tmp_path, include, exclude)
    assert not keep_file(tmp_path / "paper" / "post.md", tmp_path, include, exclude)
    assert not keep_file(tmp_path / "vendor" / "refs.bib", tmp_path, include, exclude)


# --- through the command line -------------------------------------------------------------


@pytest.fixture(scope="module")
def crossref() -> Iterator[CrossrefStandin]:
    with CrossrefStandin(load_records(ROOT / "references" / "seed-works.jsonl")) as server:
        yield server


def seed_with(tmp_path: Path, old: str, new: str) -> Path:
    text = SEED.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "refs.bib"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def check(url: str, tmp_path: Path, *args: str) -> list[str]:
    return [
        "check",
        "--isolated",
        "--crossref-url",
        url,
        "--cache-dir",
        str(tmp_path / "cache"),
        "--timeout",
        "2",
        *args,
    ]


def test_inline_bibtex_suppression_passes_the_run(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, crossref: CrossrefStandin
) -> None:
    path = seed_with(
        tmp_path,
        "@article{brinjikji2015,\n",
        "% refcheck: ignore[RC601]\n@article{brinjikji2015,\n",
    )
    path.write_text(
        path.read_text(encoding="utf-8").replace("volume  = 36,", "volume  = 35,"), "utf-8"
    )
    code = main(check(crossref.url, tmp_path, str(path), "--format", "json"))
    report = json.loads(capsys.readouterr().out)
    assert code == 0
    entry = next(e for e in report["references"] if e["key"] == "brinjikji2015")
    assert entry["status"] == "verified"
    assert "RC601" not in [f["code"] for f in entry["findings"]]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((), 0),
        (("--fail-on", "warning"), 1),
        (("--fail-on", "warning", "--ignore", "author-initials"), 0),
        (("--severity", "RC305=error"), 1),
        (("--select", "RC3", "--fail-on", "warning"), 1),
        (("--select", "RC1,RC2", "--fail-on", "warning"), 0),
        (("--fail-on", "never", "--severity", "RC305=error"), 0),
    ],
)
def test_exit_code_follows_the_policy(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    crossref: CrossrefStandin,
    args: tuple[str, ...],
    expected: int,
) -> None:
    path = seed_with(tmp_path, "Peul, Wilco C.", "Peul, Wilco X.")  # RC305, a warning
    code = main(check(crossref.url, tmp_path, str(path), "--format", "json", *args))
    capsys.readouterr()
    assert code == expected


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_crossref_outage_fails_only_under_fail_on_unverified(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    url = f"http://127.0.0.1:{_closed_port()}"
    # No retries, so that the outage is quick to see.
    (tmp_path / "refcheck.toml").write_text(
        f'crossref-url = "{url}"\nretries = 0\ntimeout = 1\nno-cache = true\nformat = "json"\n',
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    base = ["check", str(SEED)]
    assert main(base) == 0
    statuses = {e["status"] for e in json.loads(capsys.readouterr().out)["references"]}
    assert statuses == {"unverified"}
    assert main([*base, "--fail-on", "warning"]) == 0
    assert main([*base, "--fail-on", "unverified"]) == 1
    capsys.readouterr()


def test_unused_suppression_is_a_note_in_text_output_only(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, crossref: CrossrefStandin
) -> None:
    path = seed_with(
        tmp_path,
        "@article{kasch2022,\n",
        "% refcheck: ignore[RC301]\n@article{kasch2022,\n",
    )
    assert main(check(crossref.url, tmp_path, str(path))) == 0
    out = capsys.readouterr().out
    [note] = [line for line in out.splitlines() if line.startswith("note:")]
    assert "[kasch2022]" in note
    assert "ignore[RC301]" in note
    assert "suppresses nothing" in note

    assert main(check(crossref.url, tmp_path, str(path), "--format", "json")) == 0
    assert "suppresses nothing" not in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--select", "RC9"), "unknown rule 'RC9'"),
        (("--severity", "RC601"), "--severity takes RULE=LEVEL"),
        (("--severity", "RC601=loud"), "must be one of error, warning, info"),
        (("--per-file-ignores", "drafts/*=nope"), "unknown rule 'nope'"),
    ],
)
def test_bad_policy_options_are_one_line_usage_errors(
    capsys: pytest.CaptureFixture[str], args: tuple[str, ...], message: str
) -> None:
    code = main(["check", "--isolated", "--offline", "--no-cache", str(SEED), *args])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err
    assert err.count("\n") == 1
