"""Streaming: `refcheck check` on a 100,000-entry BibTeX file. Prints figures; not a test.

The file is rendered from the real records in ../shared/crossref/works-dev.jsonl.gz (by
benchmarks/accuracy.py's renderer, cycling through the records, keys unique): 90% of the
entries cite their DOI, 10% do not and are found by search; every 97th entry has a wrong
volume, so that findings turn up all through the file. `refcheck check` runs as a
subprocess, text to a pipe, and the figures are taken from outside it:

- peak RSS of the child, by GNU time (``/usr/bin/time -f %M``) when it is installed, else
  its VmHWM from /proc; and its RSS sampled every 50 ms. (Not ``getrusage`` of children:
  a child started by vfork, as subprocess does, is charged the parent's RSS too.)
- wall time and entries per second;
- when the first report line and the first finding came out on stdout, and how far the
  child had read the BibTeX file by then (its read offset, from /proc/PID/fdinfo, on
  Linux), against when it finished reading it (the file closed).

Modes:

``--mode offline`` (default) ``--offline --snapshot works-dev.jsonl.gz --no-cache``: every
DOI and every search is answered from the snapshot in the child's memory, no network. The
run is then bound by reading and comparing, which is what streaming has to keep up with.
``--mode standin``: the loopback Crossref stand-in over HTTP, no latency, fresh cache. The
client paces itself at Crossref's polite limits (3 list requests/s, 50 DOIs each), so
100,000 entries take over an hour there; use it with ``--entries 5000``.

``--runs text,json``: ``text`` writes the text report alone (nothing held); ``json`` adds
``--output-format json=FILE``, which keeps every verdict (light) for the JSON report
written at the end.

    .venv/bin/python benchmarks/stream.py [--entries 100000] [--mode offline|standin]
        [--runs text,json] [--keep FILE.bib]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from accuracy import WORKS, Case, render, usable

from refcheck.testing.crossref_standin import CrossrefStandin

ROOT = Path(__file__).resolve().parents[1]
REFCHECK = ROOT / ".venv" / "bin" / "refcheck"
TIME = Path("/usr/bin/time")
SEED = 20261125
WRONG_EVERY = 97
NO_DOI_EVERY = 10
SAMPLE = 0.05  # seconds between samples of the child's RSS and read offset


def write_bib(path: Path, records: list[dict[str, Any]], entries: int) -> int:
    """``entries`` BibTeX entries; returns how many have an injected wrong volume."""
    rng = random.Random(SEED)
    wrong = 0
    with path.open("w", encoding="utf-8") as out:
        for n in range(entries):
            record = records[n % len(records)]
            kind = "correct"
            if n % WRONG_EVERY == WRONG_EVERY - 1 and (record.get("volume") or "").isdigit():
                kind = "volume"
                wrong += 1
            case = Case(f"r{n}", record, kind, n % NO_DOI_EVERY != 0)
            out.write(render(case, record, rng) + "\n")
    return wrong


def _fd_of(pid: int, target: Path) -> int | None:
    try:
        for name in os.listdir(f"/proc/{pid}/fd"):
            try:
                if os.readlink(f"/proc/{pid}/fd/{name}") == str(target):
                    return int(name)
            except OSError:
                continue
    except OSError:
        return None
    return None


def read_offset(pid: int, target: Path) -> int | None:
    """How far the child has read ``target`` (None: it has not got it open)."""
    fd = _fd_of(pid, target)
    if fd is None:
        return None
    try:
        with open(f"/proc/{pid}/fdinfo/{fd}", encoding="ascii") as info:
            for line in info:
                if line.startswith("pos:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def memory_mib(pid: int) -> tuple[float, float] | None:
    """The process's RSS and its high-water mark, in MiB."""
    found: dict[str, float] = {}
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(("VmRSS:", "VmHWM:")):
                    found[line.split(":")[0]] = int(line.split()[1]) / 1024
    except OSError:
        return None
    if "VmRSS" not in found:
        return None
    return found["VmRSS"], found.get("VmHWM", found["VmRSS"])


@dataclass
class Watch:
    """What a sampling thread saw of the child: RSS, and its reading of the BibTeX file."""

    pid: int
    bib: Path
    started: float
    rss: list[tuple[float, float]] = field(default_factory=list)
    high_water: float = 0.0  # MiB
    last_open: float | None = None  # last time the file was seen open
    reads: list[tuple[float, int]] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        while not self.stop.is_set():
            now = time.perf_counter() - self.started
            memory = memory_mib(self.pid)
            if memory is not None:
                self.rss.append((now, memory[0]))
                self.high_water = max(self.high_water, memory[1])
            offset = read_offset(self.pid, self.bib)
            if offset is not None:
                self.last_open = now
                self.reads.append((now, offset))
            self.stop.wait(SAMPLE)


@dataclass
class Result:
    label: str
    code: int
    wall: float
    peak_rss_mib: float
    lines: int
    first_line: float | None
    first_finding: float | None
    offset_at_first_finding: int | None
    reading_done: float | None
    summary: str
    stderr: str
    rss: list[tuple[float, float]]


def is_finding(line: str) -> bool:
    """A line of the text report that is a finding: a status other than verified, or a
    finding line (indented severity and rule code)."""
    stripped = line.strip()
    return any(mark in line for mark in ("✗ mismatch", "? not found", "! invalid")) or (
        stripped.startswith(("error ", "warning ")) and " RC" in stripped
    )


def _child_of(pid: int) -> int:
    """The process ``pid`` started (GNU time's command); ``pid`` itself if none shows."""
    for _ in range(200):
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text(encoding="ascii")
        except OSError:
            return pid
        if children.split():
            return int(children.split()[0])
        time.sleep(0.005)
    return pid


def run_check(label: str, bib: Path, args: list[str], tmp: Path) -> Result:
    command = [str(REFCHECK), "check", str(bib), "--isolated", "--no-progress", *args]
    err_path, peak_path = tmp / f"{label}.stderr", tmp / f"{label}.maxrss"
    timed = TIME.exists()
    if timed:
        command = [str(TIME), "-f", "%M", "-o", str(peak_path), *command]
    with err_path.open("w") as err:
        started = time.perf_counter()
        child = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=err, text=True, encoding="utf-8"
        )
        pid = _child_of(child.pid) if timed else child.pid
        watch = Watch(pid, bib.resolve(), started)
        sampler = threading.Thread(target=watch.run, daemon=True)
        sampler.start()
        assert child.stdout is not None
        lines = 0
        first_line = first_finding = None
        offset_at_first: int | None = None
        summary: list[str] = []  # the closing summary line, wrapped on 80 columns
        for line in child.stdout:
            now = time.perf_counter() - started
            lines += 1
            if first_line is None:
                first_line = now
            if first_finding is None and is_finding(line):
                first_finding = now
                offset_at_first = read_offset(pid, bib.resolve())
            if re.match(r"\d+ references?: ", line):
                summary = []
            if line.strip() and len(summary) < 3:
                summary.append(line.strip())
        code = child.wait()
        wall = time.perf_counter() - started
        watch.stop.set()
        sampler.join()
    if timed:
        peak = float(peak_path.read_text(encoding="ascii").split()[-1]) / 1024
    else:
        peak = watch.high_water
    return Result(
        label,
        code,
        wall,
        peak,
        lines,
        first_line,
        first_finding,
        offset_at_first,
        watch.last_open,
        " ".join(summary),
        err_path.read_text(encoding="utf-8").strip(),
        watch.rss,
    )


def describe(result: Result, entries: int, size: int) -> str:
    def seconds(value: float | None) -> str:
        return "never" if value is None else f"{value:.2f} s"

    read_share = (
        "not open (read already, or not Linux)"
        if result.offset_at_first_finding is None
        else f"{result.offset_at_first_finding / 2**20:.1f} of {size / 2**20:.1f} MiB read "
        f"({100 * result.offset_at_first_finding / size:.1f}%)"
    )
    curve = ", ".join(f"{t:.0f} s {r:.0f}" for t, r in result.rss[:: max(1, len(result.rss) // 8)])
    return "\n".join(
        [
            f"{result.label}: exit {result.code}",
            f"  peak RSS            {result.peak_rss_mib:.0f} MiB (target < 500 MiB)",
            f"  RSS over time (MiB) {curve}",
            f"  wall                {result.wall:.1f} s, {entries / result.wall:.0f} entries/s",
            f"  first report line   {seconds(result.first_line)}",
            f"  first finding       {seconds(result.first_finding)}; the BibTeX file then: "
            f"{read_share}",
            f"  file last seen open {seconds(result.reading_done)} (reading finished by then)",
            f"  report lines        {result.lines}",
            f"  summary             {result.summary}",
            f"  stderr              {result.stderr or '(nothing)'}",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--mode", choices=("offline", "standin"), default="offline")
    parser.add_argument("--runs", default="text,json", help="text, json or both (text,json)")
    parser.add_argument("--keep", type=Path, help="write the BibTeX file here and keep it")
    args = parser.parse_args()
    if not WORKS.exists():
        sys.exit(f"stream: {WORKS} not found (../shared is needed)")
    if not REFCHECK.exists():
        sys.exit(f"stream: {REFCHECK} not found (install the package in .venv)")

    with gzip.open(WORKS, "rt", encoding="utf-8") as lines:
        all_records = [json.loads(line) for line in lines]
    records = [r for r in all_records if usable(r)]
    random.Random(SEED).shuffle(records)

    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        bib = args.keep or tmp / "refs.bib"
        started = time.perf_counter()
        wrong = write_bib(bib, records, args.entries)
        size = bib.stat().st_size
        print(
            f"{args.entries} entries ({size / 2**20:.1f} MiB, {wrong} with a wrong volume, "
            f"{-(-args.entries // NO_DOI_EVERY)} without a DOI) written in "
            f"{time.perf_counter() - started:.1f} s; mode {args.mode}"
        )
        wanted = {name.strip() for name in args.runs.split(",")}
        runs: list[tuple[str, list[str]]] = []
        if "text" in wanted:
            runs.append(("text", []))
        if "json" in wanted:
            runs.append(("text+json", ["--output-format", f"json={tmp / 'report.json'}"]))
        if args.mode == "offline":
            where = ["--offline", "--no-cache", "--snapshot", str(WORKS)]
            for label, extra in runs:
                print(describe(run_check(label, bib, [*where, *extra], tmp), args.entries, size))
            return
        with CrossrefStandin(all_records) as crossref:
            for label, extra in runs:
                where = ["--crossref-url", crossref.url, "--mailto", "bench@example.org"]
                where += ["--cache-dir", str(tmp / f"cache-{label}")]
                result = run_check(label, bib, [*where, *extra], tmp)
                print(describe(result, args.entries, size))


if __name__ == "__main__":
    main()
