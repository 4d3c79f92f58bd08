"""The text report's three layouts on the hand-built verdicts: what each line holds, what is
left out, and how the summary says what to do next. Widths and colour are forced here, never
taken from the machine."""

from __future__ import annotations

import io
import re

import pytest
from rich.cells import cell_len
from rich.console import Console

from refcheck.models import Location, Severity, Status, Verdict
from refcheck.report import registry, text
from refcheck.report.text import Layout, View

from .fixtures import NASTY_BIB, POST, SEED_BIB, VERDICTS, render

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
FINDING = re.compile(
    r"^(?P<path>.+?):(?P<line>\d+): (?P<code>RC\d{3}) (?P<severity>error|warning|info) "
)


def terminal(verdicts: tuple[Verdict, ...] | list[Verdict], width: int, **view: bool) -> str:
    """The report on a terminal of ``width`` columns, with colour."""
    out = io.StringIO()
    console = Console(file=out, width=width, force_terminal=True, color_system="truecolor")
    text.emit(verdicts, console, View(Layout.TERMINAL, **view))
    return out.getvalue()


def plain(verdicts: tuple[Verdict, ...] | list[Verdict], layout: Layout, **view: bool) -> str:
    out = io.StringIO()
    text.emit(verdicts, registry.plain_console(out), View(layout, **view))
    return out.getvalue()


def shown(verdicts: tuple[Verdict, ...], *, show_info: bool = False) -> list[tuple[str, str]]:
    """(code, severity) of every finding a report shows, an invalid entry as RC001."""
    rows = []
    for verdict in verdicts:
        if verdict.status is Status.INVALID:
            rows.append(("RC001", "error"))
        rows.extend(
            (f.code, f.severity.value)
            for f in verdict.findings
            if show_info or f.severity is not Severity.INFO
        )
    return rows


@pytest.mark.parametrize("show_info", [False, True])
def test_plain_every_finding_is_one_line_that_starts_path_line_code(show_info: bool) -> None:
    output = plain(VERDICTS, Layout.PLAIN, show_info=show_info)
    findings = [FINDING.match(line) for line in output.splitlines()]
    found = [(m["code"], m["severity"]) for m in findings if m]
    assert found == shown(VERDICTS, show_info=show_info)
    volume = next(line for line in output.splitlines() if " RC601 " in line)
    assert volume == f"{SEED_BIB}:44: RC601 error volume: cited 35, Crossref 36"
    # One header per reference, and nothing else but findings, a blank and the summary.
    heads = [line for line in output.splitlines() if line and not FINDING.match(line)][:-3]
    assert len(heads) == len(VERDICTS)
    assert all(h.startswith((SEED_BIB, POST, NASTY_BIB)) for h in heads)
    assert "\x1b" not in output
    assert all(line == line.rstrip() for line in output.splitlines())


def test_info_findings_are_counted_but_shown_only_when_asked() -> None:
    hidden, visible = plain(VERDICTS, Layout.PLAIN), plain(VERDICTS, Layout.PLAIN, show_info=True)
    infos = sum(f.severity is Severity.INFO for v in VERDICTS for f in v.findings)
    assert infos == 2
    assert " info " not in hidden.replace(f"{infos} info not shown", "")
    assert f"{infos} info not shown (--show-info)" in hidden
    assert len(re.findall(r": RC\d{3} info ", visible)) == infos
    assert "not shown" not in visible
    assert f", {infos} info)" in hidden
    assert f", {infos} info)" in visible


def test_quiet_leaves_out_references_with_nothing_to_show() -> None:
    quiet = plain(VERDICTS, Layout.PLAIN, quiet=True)
    assert "[elbarzouhi2013]" not in quiet  # verified, no finding
    assert "[brinjikji2015]" not in quiet  # verified, an info finding only
    assert "[brinjikji2015vol]" in quiet
    assert f"{POST}:12  ~ unverified  Crossref unavailable" in quiet
    assert "9 references: 3 verified" in quiet  # the summary counts them all
    with_info = plain(VERDICTS, Layout.PLAIN, quiet=True, show_info=True)
    assert "[brinjikji2015]" in with_info
    # A work no registry holds is not a problem either.
    skipped = VERDICTS[1].model_copy(update={"status": Status.SKIPPED, "work": None})
    assert plain([skipped], Layout.PLAIN, quiet=True).splitlines()[0] == ""  # no header
    assert "- skipped" in plain([skipped], Layout.PLAIN).splitlines()[0]


def test_concise_is_the_finding_lines_and_the_summary() -> None:
    output = render(registry.EMITTERS["concise"], VERDICTS)
    lines = output.splitlines()
    blank = lines.index("")
    assert [(m["code"], m["severity"]) for m in map(FINDING.match, lines[:blank]) if m] == shown(
        VERDICTS
    )
    assert all(FINDING.match(line) for line in lines[:blank])
    assert lines[blank + 1].startswith("9 references: ")
    assert " to fix; 2 fixable with `refcheck fix FILE.bib` (2 files); " in lines[blank + 2]
    assert len(lines) == blank + 4
    # The same finding lines as the text report's.
    full = render(registry.EMITTERS["text"], VERDICTS).splitlines()
    assert lines[:blank] == [line for line in full if FINDING.match(line)]


def test_the_summary_says_what_to_do_next() -> None:
    seed = [v for v in VERDICTS if v.reference.location.path == SEED_BIB]
    counts, fix, then = plain(seed, Layout.PLAIN).splitlines()[-3:]
    assert counts == (
        "7 references: 3 verified, 2 mismatch, 1 not found, 1 invalid  (3 errors, 2 info)"
    )
    # RC601 and RC301 on matched works, RC101 (an unknown DOI) and the unreadable entry;
    # refcheck fix writes volumes, not author lists, and nothing for an unknown DOI.
    assert (
        fix
        == "3 errors and 1 unreadable entry to fix; 1 fixable with `refcheck fix refs/seed.bib`."
    )
    assert re.fullmatch(r"Read `refcheck rule RC\d{3}`; 2 info not shown \(--show-info\)\.", then)

    unverified = [v for v in VERDICTS if v.status is Status.UNVERIFIED]
    assert plain(unverified, Layout.PLAIN).splitlines()[-1] == (
        "Nothing to fix; 1 reference could not be checked."
    )
    verified = [v for v in VERDICTS if v.status is Status.VERIFIED]
    assert plain(verified, Layout.PLAIN, show_info=True).splitlines()[-2:] == [
        "3 references: 3 verified  (2 info)",
        "Nothing to fix.",
    ]


def test_the_rule_to_read_is_the_commonest_error() -> None:
    volume = next(v for v in VERDICTS if v.reference.location.key == "brinjikji2015vol")
    authors = next(v for v in VERDICTS if v.reference.location.key == "kasch2022au")
    fix, then = plain([authors, volume, volume], Layout.PLAIN).splitlines()[-2:]
    assert then == "Read `refcheck rule RC601`."
    assert fix == "3 errors to fix; 2 fixable with `refcheck fix refs/seed.bib`."


def test_fixes_in_several_files_name_no_one_file() -> None:
    fix = plain(VERDICTS, Layout.PLAIN).splitlines()[-2]
    assert "; 2 fixable with `refcheck fix FILE.bib` (2 files); " in fix
    assert fix.endswith("; 1 reference could not be checked.")


@pytest.mark.parametrize("width", [40, 60, 100, 300])
def test_terminal_lines_fit_the_width_and_are_never_wrapped(width: int) -> None:
    output = terminal(VERDICTS, width, show_info=True)
    assert "\x1b[" in output  # coloured, as forced
    lines = ANSI.sub("", output).splitlines()
    assert all(cell_len(line) <= width for line in lines), max(lines, key=cell_len)
    assert all(line == line.rstrip() for line in lines)
    # Grouped by file: each run of a file's references under one header with its name.
    body = lines[: len(lines) - lines[::-1].index("") - 1]  # up to the summary's blank
    files = [line for line in body if line and not line.startswith(" ")]
    assert files == [SEED_BIB, POST, SEED_BIB, NASTY_BIB]
    # One header per reference (status first), never split over two lines.
    heads = [line for line in lines if re.match(r"  [✓✗?~!] \w", line)]
    assert len(heads) == len(VERDICTS)
    # One line per finding, under its reference: line, severity, code.
    findings = [re.match(r"    \d+  (\w+) +(RC\d{3})  ", line) for line in lines]
    assert [(m[2], m[1]) for m in findings if m] == shown(VERDICTS, show_info=True)


def test_terminal_cuts_long_values_with_an_ellipsis_keeping_both_sides() -> None:
    output = ANSI.sub("", terminal(VERDICTS, 100))
    title = next(line for line in output.splitlines() if " RC201 " in line)
    assert cell_len(title) <= 100
    assert "…" in title
    # The cited title is cut; Crossref's short one is kept whole beside it.
    assert title.endswith("Lumbar MRI findings")
    volume = next(line for line in output.splitlines() if " RC601 " in line)
    assert volume == "    44  error    RC601  volume: cited 35, Crossref 36"


def test_terminal_without_colour_has_no_escapes() -> None:
    out = io.StringIO()
    console = Console(file=out, width=80, force_terminal=True, color_system=None)
    text.emit(VERDICTS, console, View(Layout.TERMINAL))
    assert "\x1b" not in out.getvalue()
    assert "✗ mismatch" in out.getvalue()


def test_a_streamed_report_is_the_whole_report() -> None:
    out = io.StringIO()
    report = text.TextReport(registry.plain_console(out), View(Layout.PLAIN))
    for verdict in VERDICTS:
        report.add(verdict)
    report.close()
    assert out.getvalue() == render(registry.EMITTERS["text"], VERDICTS)
    assert report.tally.summary().total == len(VERDICTS)


def test_a_long_path_is_cut_at_its_start_on_a_terminal() -> None:
    long_path = "refs/" + "deeper/" * 30 + "名前.bib"
    volume = next(v for v in VERDICTS if v.reference.location.key == "brinjikji2015vol")
    moved = volume.model_copy(
        update={
            "reference": volume.reference.model_copy(
                update={"location": Location(path=long_path, line=44, key="k")}
            )
        }
    )
    lines = ANSI.sub("", terminal([moved], 40)).splitlines()
    assert lines[0].startswith("…")
    assert long_path.endswith(lines[0][1:])
    assert cell_len(lines[0]) <= 40
    assert lines[0].endswith("/deeper/名前.bib")
    # In a file or a pipe the path is whole: an editor must find the file.
    assert plain([moved], Layout.PLAIN).startswith(f"{long_path}:44 [k]  ✗ mismatch")
