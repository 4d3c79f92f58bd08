"""Hostile text in a checked file must not reach a report as markup, a command or an escape.

A BibTeX file cites titles and values holding HTML, GitHub workflow commands, newlines,
terminal escapes and 100 kB of text. It is checked offline twice (no answers: unverified; a
snapshot whose work disagrees: findings that quote the hostile cited values) and every report
format renders the verdicts. Secrets (the mailto, the Plus token) never reach any output.
"""

from __future__ import annotations

import io
import logging
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console

from refcheck.api import check_file
from refcheck.cli import main
from refcheck.config import Settings
from refcheck.models import Status, Verdict
from refcheck.readers import MAX_BYTES, MAX_STREAM_BYTES
from refcheck.report import text as text_report
from refcheck.report.registry import EMITTERS
from refcheck.testing.crossref_standin import CrossrefStandin, Fault, load_records

ROOT = Path(__file__).resolve().parents[1]
SEED_WORKS = ROOT / "references" / "seed-works.jsonl"

SCRIPT = "<script>alert(1)</script>"
COMMAND = "::error file=x::y"
CSI = "\x1b[31mINPUTRED"
OSC = "\x1b]8;;http://x\x07INPUTLINK\x1b]8;;\x07"
HOSTILE = f"{SCRIPT}\n{COMMAND}\r\n{CSI} {OSC}\n::warning::forged"
HUGE = "A" * 100_000
# Most emitters read the cited title from the finding; the per-reference bound has room for
# a cut title, the hostile text and the report's own furniture, but never for the 100 kB.
MAX_PER_REFERENCE = 50_000

# El Barzouhi 2013 as cited: the DOI holds it to the snapshot's work; every hostile value
# sits in a field that is compared, so findings quote it.
BIB = f"""
@article{{hostile-title,
  author  = {{{{El Barzouhi}}, A. and Peul, W. C.}},
  title   = {{Magnetic Resonance Imaging in Follow-up Assessment of Sciatica {HOSTILE}{HUGE}}},
  journal = {{New England Journal of Medicine}},
  year    = {{2013}},
  volume  = {{368}},
  pages   = {{999--1007}},
  doi     = {{10.1056/NEJMoa1209250}},
}}

@article{{hostile-volume,
  author  = {{{{El Barzouhi}}, A. and Peul, {HOSTILE}}},
  title   = {{Magnetic Resonance Imaging in Follow-up Assessment of Sciatica}},
  journal = {{New England Journal of Medicine {SCRIPT}}},
  year    = {{2013}},
  volume  = {{369 {HOSTILE}}},
  pages   = {{999--1007 {COMMAND}}},
  doi     = {{10.1056/NEJMoa1209250}},
}}
"""


@pytest.fixture(scope="module")
def bib(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hostile") / "refs.bib"
    path.write_text(BIB, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def unverified(bib: Path) -> list[Verdict]:
    verdicts = check_file(bib, settings=Settings(offline=True, no_cache=True))
    assert [v.status for v in verdicts] == [Status.UNVERIFIED, Status.UNVERIFIED]
    return verdicts


@pytest.fixture(scope="module")
def mismatched(bib: Path) -> list[Verdict]:
    settings = Settings(offline=True, no_cache=True, snapshots=(SEED_WORKS,))
    verdicts = check_file(bib, settings=settings)
    assert all(v.status is Status.MISMATCH for v in verdicts), [v.status for v in verdicts]
    cited = " ".join(f.cited or "" for v in verdicts for f in v.findings)
    # The test has teeth only if the hostile values reached the findings unfiltered.
    for hostile in (SCRIPT, COMMAND, "\x1b[31m", "\x1b]8;;", HUGE):
        assert hostile in cited, repr(hostile)
    # BibTeX folds a field's line breaks; the entry's own text keeps them.
    assert all(f"{SCRIPT}\n{COMMAND}" in v.reference.text for v in verdicts)
    assert {"title", "volume"} <= {f.field for v in verdicts for f in v.findings}
    return verdicts


def _both(unverified: list[Verdict], mismatched: list[Verdict]) -> Iterator[list[Verdict]]:
    yield unverified
    yield mismatched


GITHUB_COMMAND = re.compile(
    r"^::(error|warning|notice) (file=[^:,\n]+,(line=\d+,)?)?title=[^:,\n]*::[^\r\n]*$"
)


def _assert_safe(name: str, out: str, references: int) -> None:
    assert "\x1b" not in out, name
    assert "\x07" not in out, name
    assert "\r" not in out, name
    assert "INPUTRED" not in out or "\x1b[31mINPUTRED" not in out
    limit = MAX_PER_REFERENCE * references
    if name == "json":
        # The JSON contract is lossless by design (text and cited values uncut): bounded by
        # the input, not by a cap. Each hostile value appears at most as text and as cited.
        limit += 2 * len(BIB)
    assert len(out.encode("utf-8")) < limit, name
    lowered = out.lower()
    if name == "markdown":
        assert "<script" not in lowered, name
    if name == "html":  # only refcheck's own filter script, allowed by the page's nonce
        assert lowered.count("<script") == 1, name
        assert lowered.count("<script nonce=") == 1, name
    for line in out.splitlines():
        stripped = line.lstrip()
        if name == "github":
            if stripped.startswith("::"):
                assert GITHUB_COMMAND.match(stripped), line[:200]
                # The forged command's properties stayed data: escaped inside the message.
                assert "::error file=x::" not in stripped.split("::", 2)[1]
        else:
            assert not stripped.startswith("::"), (name, line[:200])
        # The runner's legacy "##[command]" form is defused wherever it appears.
        assert "##[" not in line, (name, line[:200])


@pytest.mark.parametrize("name", sorted(EMITTERS))
def test_every_format_keeps_hostile_values_inert(
    name: str, unverified: list[Verdict], mismatched: list[Verdict]
) -> None:
    for verdicts in _both(unverified, mismatched):
        out = io.StringIO()
        EMITTERS[name](verdicts, out)
        _assert_safe(name, out.getvalue(), len(verdicts))
    if name == "github":
        out = io.StringIO()
        EMITTERS[name](mismatched, out)
        assert out.getvalue().count("\n::error ") >= 2 or out.getvalue().startswith("::error ")


def test_html_and_markdown_still_show_the_hostile_text_escaped(mismatched: list[Verdict]) -> None:
    html_out, markdown_out = io.StringIO(), io.StringIO()
    EMITTERS["html"](mismatched, html_out)
    EMITTERS["markdown"](mismatched, markdown_out)
    # Escaped, not dropped: a reader sees what the file cites.
    assert "&lt;script&gt;" in html_out.getvalue()
    assert "alert(1)" in markdown_out.getvalue()


def test_coloured_terminal_text_has_only_refchecks_own_escapes(
    unverified: list[Verdict], mismatched: list[Verdict]
) -> None:
    for verdicts in _both(unverified, mismatched):
        buffer = io.StringIO()
        console = Console(file=buffer, force_terminal=True, color_system="truecolor", width=100)
        text_report.emit(verdicts, console)
        out = buffer.getvalue()
        assert "\x1b[" in out  # refcheck's own colours are there
        assert "\x1b[31mINPUTRED" not in out
        assert "\x1b]8;;http://x" not in out
        assert "\x07" not in out
        assert len(out.encode("utf-8")) < MAX_PER_REFERENCE * len(verdicts)
        plain = re.sub(r"\x1b\[[0-9;]*m", "", out)
        assert "\x1b" not in plain  # every escape left is an SGR colour code
        for line in plain.splitlines():
            assert not line.lstrip().startswith("::"), line[:200]


# --- secrets -------------------------------------------------------------------------------

MAILTO = "secret-addr@example.org"
TOKEN = "tok-SECRET"


def test_mailto_and_plus_token_never_appear_in_output_or_logs(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    # One reference by DOI, one by search, so both kinds of request fail and succeed.
    bib = tmp_path / "refs.bib"
    bib.write_text((ROOT / "references" / "seed.bib").read_text(encoding="utf-8"), "utf-8")
    config = tmp_path / "refcheck.toml"
    config.write_text("retries = 0\ntimeout = 2\n", encoding="utf-8")
    monkeypatch.setenv("REFCHECK_PLUS_TOKEN", TOKEN)
    caplog.set_level(logging.DEBUG)

    outputs: list[str] = []
    with CrossrefStandin(load_records(SEED_WORKS)) as crossref:
        for fmt, fault in [
            ("text", Fault.unavailable()),
            ("json", Fault.broken_json()),
            ("github", Fault.disconnect()),
            ("sarif", Fault.too_many_requests(retry_after="0")),
        ]:
            crossref.faults.clear()
            crossref.faults.push(fault, count=2)
            code = main(
                [
                    "check",
                    "--config",
                    str(config),
                    "--no-progress",
                    "--format",
                    fmt,
                    "--mailto",
                    MAILTO,
                    "--crossref-url",
                    crossref.url,
                    "--no-cache",
                    str(bib),
                ]
            )
            captured = capsys.readouterr()
            assert code in (0, 1), captured.err
            outputs += [captured.out, captured.err]
        requests = crossref.requests

    # The secrets were really sent, so their absence from the output means something.
    assert any(r.param("mailto") == MAILTO for r in requests)
    assert any(TOKEN in str(r.headers) for r in requests)
    assert any(r.fault is not None for r in requests)
    assert any("unverified" in out for out in outputs)
    logged = caplog.text + "".join(str(record.args) + str(record.msg) for record in caplog.records)
    for secret in (MAILTO, TOKEN, "secret-addr"):
        for out in outputs:
            assert secret not in out
        assert secret not in logged


# --- unreadable input ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "limit"),
    # BibTeX streams, so it may be larger; a post is read whole.
    [("refs.bib", MAX_STREAM_BYTES), ("post.md", MAX_BYTES)],
)
def test_file_over_the_size_limit_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, limit: int
) -> None:
    path = tmp_path / name
    with path.open("wb") as handle:  # sparse: the size is refused before anything is read
        handle.truncate(limit + 1)
    assert os.path.getsize(path) == limit + 1

    code = main(["check", "--isolated", "--offline", "--no-cache", str(path)])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    assert captured.err.startswith("refcheck: error:")
    assert "too large" in captured.err
    assert captured.err.count("\n") == 1
    assert "Traceback" not in captured.err
