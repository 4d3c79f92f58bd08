"""`refcheck check` as people and tools read it: the seed post and its BibTeX with errors
injected, checked offline and printed to a pipe and to a terminal of 40 and of 300 columns
(width and colour forced here, never the machine's), as ``text`` and as ``concise``.

On each: no trailing spaces, no line longer than the longest path and finding (a terminal's
lines no longer than its width), and no line that starts in the middle of a phrase."""

from __future__ import annotations

import io
import json
import re
import shutil
import sys
from pathlib import Path

import pytest
from rich.cells import cell_len

from refcheck.cli import main

ROOT = Path(__file__).resolve().parents[2]
REFERENCES = ROOT / "references"
SNAPSHOT = REFERENCES / "seed-works.jsonl"
OFFLINE = ["--isolated", "--offline", "--no-cache", "--snapshot", str(SNAPSHOT), "--no-progress"]
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")

# (file, text as the seed has it, the edit): each makes one error.
EDITS = {
    "clean": [],
    "volume": [("seed.bib", "volume  = {368}", "volume  = {369}")],
    "last page": [("lumbar-mri-paradox.md", "pp.201–211", "pp.201–210")],
    "two errors": [
        ("seed.bib", "volume  = {368}", "volume  = {369}"),
        ("lumbar-mri-paradox.md", "pp.201–211", "pp.201–210"),
    ],
    "extra author": [("seed.bib", "Hofer, A. and", "Hofer, A. and Miller, B. and")],
}

# How every line may start: a path (a file's header, a reference's, a finding's), a
# reference or a finding under its file, or a phrase of the summary.
LINE_STARTS = re.compile(
    r"(?:"
    r"(?P<path>\S*(seed\.bib|lumbar-mri-paradox\.md)\b)"
    r"|  [✓✗?~!] \w"
    r"|    \d+  (error|warning|info) "
    r"|\d+ references?: "
    r"|\d+ (verified|mismatch|not found|unverified|invalid|skipped)\b"
    r"|\(\d+ (errors?|warnings?|info)\b|\(no findings\)"
    r"|\d+ (errors?|warnings?|unreadable entr(y|ies))( and|,| to fix)"
    r"|Nothing to fix\."
    r"|\d+ fixable with `refcheck fix "
    r"|\d+ references? could not be checked"
    r"|Read `refcheck rule RC\d{3}`"
    r"|\d+ info not shown \(--show-info\)"
    r")"
)


class Terminal(io.StringIO):
    """stdout as a terminal: refcheck lays its report out for one."""

    def isatty(self) -> bool:
        return True


def seed_case(tmp_path: Path, name: str) -> Path:
    folder = tmp_path / "references"
    folder.mkdir()
    for source in ("seed.bib", "lumbar-mri-paradox.md"):
        shutil.copy(REFERENCES / source, folder / source)
    for file, old, new in EDITS[name]:
        path = folder / file
        text = path.read_text(encoding="utf-8")
        assert old in text, (file, old)
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return folder


def run(monkeypatch: pytest.MonkeyPatch, stdout: io.StringIO, *args: str) -> tuple[int, str]:
    with monkeypatch.context() as patched:
        patched.setattr(sys, "stdout", stdout)
        code = main(["check", *args, *OFFLINE])
    return code, stdout.getvalue()


def longest_path_and_finding(plain: str) -> int:
    """The longest path plus the longest finding (or reference header) of a run, read from
    its plain report's lines that start with a path: what a line holds at most."""
    lines = [re.match(r"(\S+?:\d+)(:? .*)$", line) for line in plain.splitlines()]
    paths = [cell_len(m[1]) for m in lines if m]
    rest = [cell_len(m[2]) for m in lines if m]
    return max(paths) + max(rest)


def names_file(line: str, path: str) -> bool:
    """Is ``line`` a file's header for ``path`` (cut at its start if the terminal is narrow)?"""
    return path.endswith(line.removeprefix("…"))


def assert_readable(output: str, bound: int) -> None:
    for line in output.splitlines():
        assert line == line.rstrip(), repr(line)
        assert cell_len(line) <= bound, (bound, line)
        assert not line or LINE_STARTS.match(line), repr(line)


@pytest.mark.parametrize("case", list(EDITS))
def test_the_seed_cases_read_whole_in_a_pipe_and_on_40_and_300_columns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    folder = str(seed_case(tmp_path, case))
    errors = len(EDITS[case])
    code, concise = run(monkeypatch, io.StringIO(), folder, "--format", "concise")
    assert code == (1 if errors else 0)
    assert len(re.findall(r"^\S+:\d+: RC\d{3} error ", concise, re.MULTILINE)) == errors

    outputs = {"pipe": run(monkeypatch, io.StringIO(), folder)[1]}
    bound = longest_path_and_finding(outputs["pipe"])
    outputs["pipe, concise"] = concise
    for width in (40, 300):
        monkeypatch.setenv("COLUMNS", str(width))
        for fmt in ("text", "concise"):
            coloured = run(monkeypatch, Terminal(), folder, "--format", fmt)[1]
            assert "\x1b[" in coloured  # a terminal gets colour
            outputs[f"{width} columns, {fmt}"] = ANSI.sub("", coloured)
        monkeypatch.delenv("COLUMNS")

    for name, output in outputs.items():
        assert "\x1b" not in output, name
        limit = min(bound, 40) if name == "40 columns, text" else bound
        assert_readable(output, limit)
        assert re.search(r"^6 references: ", output, re.MULTILINE), name
    # On a terminal the text report is grouped by file, each reference one header line.
    wide = outputs["300 columns, text"].splitlines()
    heads = [line for line in wide if line.endswith(("seed.bib", ".md"))]
    assert len(heads) == 2
    assert names_file(heads[0], f"{folder}/lumbar-mri-paradox.md")
    assert names_file(heads[1], f"{folder}/seed.bib")
    assert len([line for line in wide if re.match(r"  [✓✗] ", line)]) == 6
    # In a pipe every finding is one line that starts path:line: RCnnn.
    pipe = outputs["pipe"].splitlines()
    assert [line for line in pipe if re.search(r": RC\d{3} ", line)] == concise.splitlines()[
        :errors
    ]


def test_colour_follows_the_terminal_and_no_color_and_force_color(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = str(seed_case(tmp_path, "volume"))
    monkeypatch.setenv("COLUMNS", "100")
    plain = run(monkeypatch, io.StringIO(), folder)[1]
    assert "\x1b" not in plain

    monkeypatch.setenv("FORCE_COLOR", "1")
    forced = run(monkeypatch, io.StringIO(), folder)[1]
    # A CI log that shows colours: coloured, and still laid out for a pipe.
    assert "\x1b[" in forced
    assert ANSI.sub("", forced) == plain

    monkeypatch.setenv("NO_COLOR", "1")
    terminal = run(monkeypatch, Terminal(), folder)[1]
    assert "\x1b" not in terminal  # NO_COLOR wins, even over FORCE_COLOR
    assert "seed.bib\n  ✓ verified" in terminal

    monkeypatch.delenv("NO_COLOR")
    monkeypatch.delenv("FORCE_COLOR")
    coloured = run(monkeypatch, Terminal(), folder)[1]
    assert "\x1b[" in coloured
    assert ANSI.sub("", coloured) == terminal


def test_report_files_are_plain_whatever_the_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = seed_case(tmp_path, "two errors")
    text_file, concise_file = tmp_path / "report.txt", tmp_path / "report.concise"
    monkeypatch.setenv("FORCE_COLOR", "1")
    code, out = run(
        monkeypatch,
        Terminal(),
        str(folder),
        "--output",
        str(text_file),
        "--output-format",
        f"concise={concise_file}",
    )
    assert code == 1
    assert out == ""
    text, concise = (p.read_text(encoding="utf-8") for p in (text_file, concise_file))
    assert "\x1b" not in text + concise
    findings = [line for line in concise.splitlines() if re.search(r":\d+: RC\d{3} ", line)]
    assert len(findings) == 2
    assert all(line in text.splitlines() for line in findings)


def test_quiet_and_show_info(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = str(seed_case(tmp_path, "volume"))
    default = run(monkeypatch, io.StringIO(), folder)[1]
    quiet = run(monkeypatch, io.StringIO(), folder, "--quiet")[1]
    infos = run(monkeypatch, io.StringIO(), folder, "--show-info")[1]
    as_json = json.loads(run(monkeypatch, io.StringIO(), folder, "--format", "json")[1])

    assert default.count("✓ verified") == 5
    assert "✓ verified" not in quiet
    assert "[elbarzouhi2013]  ✗ mismatch" in quiet
    info = sum(f["severity"] == "info" for e in as_json["references"] for f in e["findings"])
    assert info > 0
    assert f"{info} info not shown (--show-info)" in default
    assert not re.search(r": RC\d{3} info ", default)
    assert len(re.findall(r": RC\d{3} info ", infos)) == info
    # The summary counts the same with or without them shown.
    for output in (default, quiet, infos):
        assert f"6 references: 5 verified, 1 mismatch  (1 error, {info} info)" in output


def test_a_file_name_cannot_forge_report_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A suppression that suppresses nothing gets a note naming the file; so do findings.
    text = (REFERENCES / "seed.bib").read_text(encoding="utf-8")
    text = text.replace("volume  = {368}", "volume  = {369}")
    text = text.replace("@article{kasch2022,", "% refcheck: ignore[RC301]\n@article{kasch2022,")
    hostile = tmp_path / "refs\n::error file=x::forged\x1b[31m.bib"
    hostile.write_text(text, encoding="utf-8")
    for stdout in (io.StringIO(), Terminal()):
        code, out = run(monkeypatch, stdout, str(hostile))
        assert code == 1
        lines = ANSI.sub("", out).splitlines()
        # (On a terminal a line longer than its width is cut: the message may be cut off.)
        assert any(line.startswith("note: ") for line in lines)
        assert "suppresses nothing" in out or isinstance(stdout, Terminal)
        assert "\x1b[31m.bib" not in out  # the name's own escape, not refcheck's colours
        assert not any(line.lstrip().startswith("::") for line in lines), out
        assert not any(line.startswith(("error file=x", ":error")) for line in lines), out
