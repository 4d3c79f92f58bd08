"""`refcheck check` streams: references flow from the file into the lookups, and the text
report prints each verdict as it comes, before the last entry is read.

Crossref's answers come from a snapshot of the seed's three works (``--offline``), so that
a few thousand references check in seconds; the lookups themselves are tested elsewhere.
"""

from __future__ import annotations

import io
import itertools
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from refcheck import api, cli
from refcheck.api import check
from refcheck.cli import main
from refcheck.config import Settings
from refcheck.models import Reference, Status, Verdict
from refcheck.policy import Policy, apply
from refcheck.readers import MAX_BYTES, read_bibtex
from refcheck.readers.files import TextFile
from refcheck.report import json as json_report
from refcheck.report.registry import emit_plain_text

ROOT = Path(__file__).resolve().parents[1]
SNAPSHOT = ROOT / "references" / "seed-works.jsonl"
SEED_BIB = ROOT / "tests" / "fixtures" / "seed-abbreviated.bib"
OFFLINE = ["--isolated", "--offline", "--no-cache", "--snapshot", str(SNAPSHOT)]
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


# One of the seed's works as a short entry, quick to compare; {volume} 36 is right.
ENTRY = """@article{{r{n},
  title   = {{Systematic literature review of imaging features of spinal degeneration in
             asymptomatic populations}},
  journal = {{American Journal of Neuroradiology}},
  year    = 2015,
  volume  = {volume},
  number  = 4,
  pages   = {{811--816}},
  doi     = {{10.3174/ajnr.A4173}},
}}

"""


def write_bib(path: Path, count: int, *, wrong: set[int]) -> Path:
    """``count`` entries, keys r0, r1, ...; those in ``wrong`` cite volume 35."""
    with path.open("w", encoding="utf-8") as out:
        for n in range(count):
            out.write(ENTRY.format(n=n, volume=35 if n in wrong else 36))
    return path


def summary(report: str) -> str:
    """The report's text with its lines joined, as a narrow console wraps them."""
    return " ".join(ANSI.sub("", report).split())


def finding_lines(report: str, code: str) -> list[str]:
    """The report's lines of findings of rule ``code`` (not the summary's mention of it)."""
    return [
        line
        for line in report.splitlines()
        if re.search(rf"(:\d+: |^\s+\d+\s+\w+\s+){code} ", line)
    ]


def test_the_first_finding_is_printed_before_the_file_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(api, "CHUNK", 50)  # chunks of 50: a few hundred entries will do
    bib = write_bib(tmp_path / "refs.bib", 400, wrong={0, 397})
    total_lines = bib.read_text(encoding="utf-8").count("\n")
    read = 0
    lines = TextFile.lines

    def counted(self: TextFile) -> Iterator[str]:
        nonlocal read
        for line in lines(self):
            read += 1
            yield line

    class Recorder(io.StringIO):
        """stdout, noting how many lines of the file were read when each write came."""

        def __init__(self) -> None:
            super().__init__()
            self.writes: list[tuple[int, str]] = []

        def write(self, text: str) -> int:
            self.writes.append((read, text))
            return super().write(text)

    monkeypatch.setattr(TextFile, "lines", counted)
    out = Recorder()
    monkeypatch.setattr(sys, "stdout", out)

    code = main(["check", str(bib), *OFFLINE, "--no-progress"])

    assert code == 1
    assert read == total_lines
    finding = next(n for n, text in out.writes if "RC601" in text)
    # Printed with the first chunk of 500 references, while most of the file was unread.
    assert finding < total_lines / 2
    report = out.getvalue()
    assert report.count("✗ mismatch") == 2
    assert report.count("✓ verified") == 398
    assert "400 references: 398 verified, 2 mismatch (2 errors)" in summary(report)
    assert len(finding_lines(report, "RC601")) == 2


@pytest.mark.skipif(not Path("/proc/self/fdinfo").is_dir(), reason="needs Linux's /proc")
def test_a_subprocess_prints_findings_while_it_is_still_reading(tmp_path: Path) -> None:
    bib = write_bib(tmp_path / "refs.bib", 1500, wrong={3, 1497})
    size = bib.stat().st_size
    child = subprocess.Popen(
        [sys.executable, "-m", "refcheck.cli", "check", str(bib), *OFFLINE, "--no-progress"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    try:
        assert child.stdout is not None
        lines: list[str] = []
        for line in child.stdout:
            lines.append(line)
            if "RC601" in line:
                break
        offset = _read_offset(child.pid, bib)
        rest, err = child.communicate(timeout=120)
    finally:
        child.kill()
        child.wait()

    # When the first finding came out of the pipe, the child was still reading the file.
    assert offset is not None, "the file was no longer open: it had been read whole"
    assert offset < 0.75 * size
    assert child.returncode == 1
    assert err == ""
    report = "".join(lines) + rest
    assert len(finding_lines(report, "RC601")) == 2
    assert "1500 references: 1498 verified, 2 mismatch" in summary(report)


def _read_offset(pid: int, target: Path) -> int | None:
    """How far process ``pid`` has read ``target``; None when it does not have it open."""
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}") != str(target.resolve()):
                continue
            info = Path(f"/proc/{pid}/fdinfo/{fd}").read_text(encoding="ascii")
        except OSError:
            continue
        return int(re.search(r"^pos:\s*(\d+)", info, re.MULTILINE)[1])  # type: ignore[index]
    return None


def test_streamed_reports_are_the_reports_of_all_verdicts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The JSON report's verdicts are held compressed in chunks: small ones, so that the
    # report reads several chunks and the open one.
    monkeypatch.setattr(cli._Held, "CHUNK", 7)
    bib = write_bib(tmp_path / "refs.bib", 40, wrong={6, 30})
    with bib.open("a", encoding="utf-8") as out:
        out.write("@article{broken,\n  title = {Never closed,\n\n@article{after, title={T}}\n")
    text_out, json_out = tmp_path / "report.txt", tmp_path / "report.json"

    outputs = ["--output", str(text_out), "--output-format", f"json={json_out}"]

    code = main(["check", str(bib), *OFFLINE, *outputs])

    settings = Settings(offline=True, no_cache=True, snapshots=(SNAPSHOT,))
    references = read_bibtex(bib.read_text(encoding="utf-8"), str(bib))
    verdicts = apply(check(references, settings), Policy())
    expected_text, expected_json = io.StringIO(), io.StringIO()
    emit_plain_text(verdicts, expected_text)
    json_report.emit(verdicts, expected_json)
    assert code == 1
    assert text_out.read_text(encoding="utf-8") == expected_text.getvalue()
    assert json.loads(json_out.read_text(encoding="utf-8")) == json.loads(expected_json.getvalue())
    assert "RC601" in expected_text.getvalue()
    assert "! invalid" in expected_text.getvalue()


def test_a_bibtex_file_over_the_whole_file_limit_is_streamed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bib = tmp_path / "refs.bib"
    with bib.open("w", encoding="utf-8") as out:
        line = "% " + "a long comment that pads the file " * 2 + "\n"
        for _ in range(MAX_BYTES // len(line) + 1):
            out.write(line)
        out.write(SEED_BIB.read_text(encoding="utf-8"))  # the seed's works, as written
    assert bib.stat().st_size > MAX_BYTES

    code = main(["check", str(bib), *OFFLINE, "--format", "json"])

    report = json.loads(capsys.readouterr().out)
    assert code == 0
    assert report["summary"]["verified"] == 3


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_on_a_terminal_the_progress_bar_stays_below_the_report_lines(tmp_path: Path) -> None:
    import pty

    bib = write_bib(tmp_path / "refs.bib", 30, wrong={9})
    leader, follower = pty.openpty()
    env = {**os.environ, "COLUMNS": "120", "LINES": "40", "TERM": "xterm"}
    env.pop("NO_COLOR", None)
    child = subprocess.Popen(
        [sys.executable, "-m", "refcheck.cli", "check", str(bib), *OFFLINE],
        stdout=follower,
        stderr=follower,
        env=env,
    )
    os.close(follower)
    chunks: list[bytes] = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed with the child
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert child.wait(timeout=60) == 1

    raw = b"".join(chunks).decode("utf-8", "replace")
    shown = ANSI.sub("", raw)
    assert "checking" in shown  # the bar was drawn
    # The bar is redrawn after a carriage return: what it printed is between line breaks.
    lines = re.split(r"[\r\n]+", shown)
    # Grouped by file: its name once, then each reference by its key, one line each.
    # (A path too long for the 120 columns is cut at its start, keeping the file name.)
    heads = [line for line in lines if line and str(bib).endswith(line.removeprefix("…"))]
    assert len(heads) == 1
    for n in range(30):
        assert any(re.match(rf"  [✓✗] (verified|mismatch) +r{n}  doi:", line) for line in lines), n
    assert len(finding_lines("\n".join(lines), "RC601")) == 1
    assert "30 references: 29 verified, 1 mismatch" in summary(shown)
    assert "Traceback" not in shown


def test_held_verdicts_read_back_as_they_were(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli._Held, "CHUNK", 5)
    verdicts = [
        Verdict(reference=Reference(text=f"ref {n} \udcff", suppress=("RC601",)), status=status)
        for n, status in zip(range(23), itertools.cycle(Status), strict=False)
    ]
    held = cli._Held()
    for verdict in verdicts:
        held.append(verdict)

    assert len(held) == 23
    assert list(held) == verdicts
    assert list(held) == verdicts  # read again
    assert (held[7], held[-1], held[22], held[0]) == (
        verdicts[7],
        verdicts[-1],
        verdicts[22],
        verdicts[0],
    )
    assert held[3:12:2] == verdicts[3:12:2]
    with pytest.raises(IndexError):
        held[23]
