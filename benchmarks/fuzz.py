"""Fuzz the readers and the reference parser: generated inputs in, no exception out. Not a test.

Every input goes through every target: ``read_bibtex``, ``read_csljson``, ``read_markdown``,
``read_html``, ``read_text``, ``parse_reference`` and ``find_dois``. The defined outcomes are
a list of References (readers; InputError too, for a file unreadable as a whole), a
ParsedReference and a list of DOIs; anything else raised, or an input taking longer than
``--timeout`` seconds in one target, is a failure.

Inputs are built from real material: lines of ../shared/refdata (labelled reference strings
in several formats), ../shared/seed (the seed post and its works records), the repo's own
BibTeX and post fixtures; mixed with structural fragments (BibTeX, Markdown, HTML, LaTeX),
random bytes decoded as UTF-8 (with replacement) or Latin-1, and mutated by truncation,
brace and bracket insertion, duplication of a slice and character deletion. The generator is
seeded, so a run is repeatable; failing inputs are written to ``--save`` for replay.

    .venv/bin/python benchmarks/fuzz.py [--inputs 100000] [--seed 1] [--jobs N] [--save DIR]

Prints the number of inputs, the time, the failures and the failure rate; exits 1 if any
input failed.
"""

from __future__ import annotations

import argparse
import gzip
import multiprocessing
import os
import random
import signal
import sys
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

from refcheck.errors import InputError
from refcheck.models import Reference
from refcheck.parse.reference import ParsedReference, parse_reference
from refcheck.readers.bibtex import read_bibtex
from refcheck.readers.csljson import read_csljson
from refcheck.readers.html import read_html
from refcheck.readers.markdown import read_markdown
from refcheck.readers.text import find_dois, read_text

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
# The repo's own sources of structure: BibTeX, posts in Markdown/HTML/text.
LOCAL_SOURCES = [ROOT / "references", ROOT / "tests" / "fixtures"]
MAX_LINES_PER_FILE = 4_000
MAX_FILE_BYTES = 4 * 2**20

STRUCTURE = [
    "@article{", "@book{k,", "@string{j = {J}}", "@comment{", "@preamble{", "@misc(k, ",
    "}", "{", "{{", "}}", ",", "=", '"', "#", "%", "\\", "~", "$", "^", "_",
    "author = {", "title = ", "doi = {10.1000/xyz}", "year = 2013", " and ", " and others",
    "\\'e", "{\\\"u}", "\\textit{", "\\emph{", "$\\alpha$", "\\url{", "\\&",
    "[", "]", "(", ")", "[^1]", "[^1]: ", "1. ", "- ", "* ", "> ", "| a | b |\n|---|---|\n",
    "## References\n", "# Bibliography\n", "References\n==========\n", "---\ntitle: x\n---\n",
    "```\n", "    ", "[link](http://x)", "<http://doi.org/10.1/x>", "![img](x)",
    "<a href='https://doi.org/10.1/x'>", "</a>", "<ol>", "<li>", "</li>", "<p>", "</p>",
    "<script>", "</script>", "<!--", "-->", "<![CDATA[", "&amp;", "&#x0;", "&#99999999;",
    "<sup>", "<cite>", "<div class='references'>", "<h2>References</h2>",
    '{"items": [', "[{", '"author": [{"family": ', '"issued": {"date-parts": [[', "]]}", "null",
    "10.1056/NEJMoa1209250", "https://doi.org/10.3174/ajnr.A4173",
    "doi:10.1097/BRS.0000000000004198",
    "10.1002/(SICI)1097-4636(199606)31:2<>1.0.CO;2-#", "10.", "10.1/", "https://doi.org/",
    "et al.", "pp. ", "vol. ", "no. ", "(2013)", "2022;47(4):", "999–1007", "e1234",
    "\n", "\n\n", "\t", "\r", "\r\n", "\x00", "\x1b[31m", "\u200b", "\ufeff", "\u202e",
    "\u00a0", "ﬁ", "𝔄", "日本語", "١٢٣", "‐", "—", "“", "”", "«", "»",
]  # fmt: skip


Target = Callable[[str], object]


def _reader(read: Callable[[str, str | None], list[Reference]], path: str) -> Target:
    def run(text: str) -> object:
        try:
            found = read(text, path)
        except InputError:
            return None  # the defined outcome for a file unreadable as a whole
        if not isinstance(found, list) or not all(isinstance(r, Reference) for r in found):
            raise TypeError(f"reader returned {type(found).__name__}, not a list of References")
        return found

    return run


def _parse(text: str) -> object:
    parsed = parse_reference(text)
    if not isinstance(parsed, ParsedReference):
        raise TypeError(f"parse_reference returned {type(parsed).__name__}")
    return parsed


def _dois(text: str) -> object:
    dois = find_dois(text)
    if not all(isinstance(d, str) and d.startswith("10.") for d in dois):
        raise ValueError(f"find_dois returned {dois!r}")
    return dois


TARGETS: dict[str, Target] = {
    "read_bibtex": _reader(read_bibtex, "fuzz.bib"),
    "read_csljson": _reader(read_csljson, "fuzz.json"),
    "read_markdown": _reader(read_markdown, "fuzz.md"),
    "read_html": _reader(read_html, "fuzz.html"),
    "read_text": _reader(read_text, "fuzz.txt"),
    "parse_reference": _parse,
    "find_dois": _dois,
}


# --- material -------------------------------------------------------------------------------


def _files() -> Iterator[Path]:
    for folder in (SHARED / "refdata", SHARED / "seed", *LOCAL_SOURCES):
        if folder.is_dir():
            yield from sorted(p for p in folder.rglob("*") if p.is_file())


def _lines(path: Path) -> list[str]:
    if path.name == "LICENSE" or path.suffix in {".py", ".pyc"}:
        return []
    try:
        with gzip.open(path, "rb") if path.suffix == ".gz" else path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES)
    except (OSError, EOFError):
        return []
    text = data.decode("utf-8", errors="replace")
    lines = [line for line in text.splitlines() if 3 <= len(line) <= 2_000]
    return lines[:MAX_LINES_PER_FILE]


def load_material() -> tuple[list[str], list[str]]:
    """Lines of real text, and whole small documents (BibTeX, posts) to mutate."""
    lines: list[str] = []
    documents: list[str] = []
    for path in _files():
        lines.extend(_lines(path))
        if (
            path.suffix in {".bib", ".md", ".html", ".txt", ".json"}
            and path.stat().st_size < 200_000
        ):
            documents.append(path.read_text(encoding="utf-8", errors="replace"))
    return lines, documents


# --- generation -----------------------------------------------------------------------------


def _random_bytes(rng: random.Random) -> str:
    data = rng.randbytes(rng.randint(1, 300))
    return data.decode("latin-1") if rng.random() < 0.3 else data.decode("utf-8", "replace")


def _mutate(rng: random.Random, text: str) -> str:
    if not text:
        return text
    kind = rng.randrange(6)
    at = rng.randrange(len(text) + 1)
    if kind == 0:  # truncation
        return text[:at]
    if kind == 1:  # brace or bracket insertion
        return text[:at] + rng.choice("{}{}[]()<>\"'$\\") + text[at:]
    if kind == 2:  # duplication of a slice
        end = min(len(text), at + rng.randint(1, 400))
        return text[:end] + text[at:end] * rng.randint(1, 5) + text[end:]
    if kind == 3:  # deletion
        return text[:at] + text[at + rng.randint(1, 20) :]
    if kind == 4:  # a structural fragment dropped in
        return text[:at] + rng.choice(STRUCTURE) + text[at:]
    return text[:at] + _random_bytes(rng)[:20] + text[at:]  # noise


def generate(rng: random.Random, lines: list[str], documents: list[str]) -> str:
    """One input: a mix of real lines, documents, structure and noise, then mutated."""
    shape = rng.random()
    if shape < 0.25 and documents:
        text = rng.choice(documents)
        if len(text) > 6_000:
            start = rng.randrange(len(text) - 6_000)
            text = text[start : start + 6_000]
    elif shape < 0.35:
        text = _random_bytes(rng)
    else:
        parts: list[str] = []
        for _ in range(rng.randint(1, 8)):
            pick = rng.random()
            if pick < 0.5 and lines:
                parts.append(rng.choice(lines))
            elif pick < 0.9:
                parts.append(rng.choice(STRUCTURE))
            else:
                parts.append(_random_bytes(rng))
        text = rng.choice(["", "\n", " ", "\n\n"]).join(parts)
    for _ in range(rng.choice((0, 1, 1, 2, 3, 8))):
        text = _mutate(rng, text)
    return text


# --- running --------------------------------------------------------------------------------


class _Timeout(Exception):
    pass


def _alarm(signum: int, frame: FrameType | None) -> None:
    raise _Timeout


@dataclass
class Outcome:
    inputs: int = 0
    calls: int = 0
    failures: Counter[str] = field(default_factory=Counter)
    samples: dict[str, tuple[str, str]] = field(default_factory=dict)  # kind -> (input, trace)
    slowest: dict[str, float] = field(default_factory=dict)


def run_share(job: tuple[int, int, int, float]) -> Outcome:
    """One worker's share of the inputs; seeded by (seed, worker) so runs repeat."""
    seed, worker, count, timeout = job
    rng = random.Random(f"{seed}-{worker}")
    lines, documents = load_material()
    outcome = Outcome()
    signal.signal(signal.SIGALRM, _alarm)
    for _ in range(count):
        text = generate(rng, lines, documents)
        outcome.inputs += 1
        for name, target in TARGETS.items():
            outcome.calls += 1
            started = time.perf_counter()
            signal.setitimer(signal.ITIMER_REAL, timeout)
            try:
                target(text)
            except _Timeout:
                kind = f"{name}: slower than {timeout:g} s"
                outcome.failures[kind] += 1
                outcome.samples.setdefault(kind, (text, "timeout"))
            except Exception as error:  # counted, never raised: the point of the run
                kind = f"{name}: {type(error).__name__}"
                outcome.failures[kind] += 1
                outcome.samples.setdefault(kind, (text, traceback.format_exc()))
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            spent = time.perf_counter() - started
            outcome.slowest[name] = max(outcome.slowest.get(name, 0.0), spent)
    return outcome


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--inputs", type=int, default=100_000, help="inputs to generate")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds per target call")
    parser.add_argument("--save", type=Path, default=Path("fuzz-failures"))
    args = parser.parse_args(argv)

    jobs = max(1, min(args.jobs, args.inputs))
    shares = [args.inputs // jobs + (i < args.inputs % jobs) for i in range(jobs)]
    started = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        outcomes = pool.map(
            run_share, [(args.seed, i, n, args.timeout) for i, n in enumerate(shares)]
        )
    elapsed = time.perf_counter() - started

    total = Outcome()
    for outcome in outcomes:
        total.inputs += outcome.inputs
        total.calls += outcome.calls
        total.failures.update(outcome.failures)
        for kind, sample in outcome.samples.items():
            total.samples.setdefault(kind, sample)
        for name, spent in outcome.slowest.items():
            total.slowest[name] = max(total.slowest.get(name, 0.0), spent)

    failed = sum(total.failures.values())
    print(f"inputs:   {total.inputs:,} ({total.calls:,} target calls, {len(TARGETS)} targets)")
    print(f"time:     {elapsed:.1f} s ({total.inputs / elapsed:,.0f} inputs/s, {jobs} jobs)")
    print(f"failures: {failed:,} (rate {failed / max(total.calls, 1):.6%} of calls)")
    print("slowest call per target: " + ", ".join(
        f"{name} {spent * 1000:.0f} ms" for name, spent in sorted(total.slowest.items())
    ))  # fmt: skip
    if failed:
        args.save.mkdir(parents=True, exist_ok=True)
        for n, (kind, count) in enumerate(total.failures.most_common(), 1):
            text, trace = total.samples[kind]
            (args.save / f"{n:03d}.input").write_text(text, encoding="utf-8", errors="replace")
            (args.save / f"{n:03d}.trace").write_text(f"{kind}\n\n{trace}", encoding="utf-8")
            last = trace.strip().splitlines()[-1] if trace.strip() else ""
            print(f"  {count:>7,}  {kind}  ({last[:120]})  -> {args.save}/{n:03d}.input")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
