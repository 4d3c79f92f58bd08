"""The command line: arguments -> settings -> library -> policy -> reports -> exit code.

Exit codes of ``check``: 0 nothing at or above ``--fail-on`` (default ``error``); 1 at
least one finding at or above it, or an entry that could not be read; 2 usage error, bad
config or unreadable input. Unverified references (a registry unreachable) make the exit
code 1 only under ``--fail-on unverified``.

``fix``: 0 nothing to fix, or the fixes were written; 1 fixes were found and printed as a
diff but not written (no ``--write``); 2 as above.

``check`` streams: every file is checked before the first lookup (an unreadable one is an
error before any report line), then references flow from the files into the lookups a
chunk at a time, BibTeX read entry by entry, and the text report prints each verdict as
it comes; its summary line, and the other formats, come at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import pickle
import sys
import tempfile
import warnings
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from functools import partial
from itertools import chain
from pathlib import Path
from typing import Any, TextIO, overload

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

from refcheck import baseline as baselines
from refcheck import diff as git_diff
from refcheck import fix as fixes
from refcheck._version import __version__
from refcheck.api import check_async, iter_check_async
from refcheck.config import SOURCES, Layer, Loaded, load, option_value, source_names
from refcheck.errors import ConfigError, InputError, RefcheckError
from refcheck.intext_run import InTextRun
from refcheck.models import Reference, Report, Severity, Status, Verdict, Work
from refcheck.policy import (
    FailOn,
    Note,
    apply,
    apply_verdict,
    failing,
    filter_findings,
    keep_file,
    relative_to,
    unused_suppressions,
)
from refcheck.readers import (
    BibtexFile,
    iter_files,
    load_text,
    open_path,
    read_bibtex,
    read_csljson,
    reader_for,
)
from refcheck.readers.citations import checked_elsewhere
from refcheck.report import text as text_report
from refcheck.report.model import InText
from refcheck.report.registry import FORMATS, IN_TEXT_EMITTERS, emitter, plain_console
from refcheck.rules import RULES, lookup

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
# Below this many references a progress bar is more noise than help.
PROGRESS_FROM = 5
FAIL_ON_CHOICES = tuple(f.value for f in FailOn)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # one line and exit 2, as argparse does, but terser
        self.exit(EXIT_USAGE, f"refcheck: error: {message}\n")


def _lookup_options(parser: argparse.ArgumentParser) -> None:
    """Options of every command that checks references: where answers come from, config,
    and which rules count."""
    parser.add_argument("--crossref-url", help="Crossref API base URL")
    parser.add_argument("--datacite-url", help="DataCite REST API base URL")
    parser.add_argument("--doi-url", help="doi.org base URL (agency look-ups, other agencies)")
    parser.add_argument("--arxiv-url", help="arXiv export API base URL")
    parser.add_argument("--openlibrary-url", help="Open Library base URL (books)")
    parser.add_argument(
        "--source",
        action="append",
        dest="sources",
        metavar="NAMES",
        help=f"ask only these sources, comma-separated or repeated ({','.join(SOURCES)}; "
        "default all); a reference only a source left out could answer is unverified",
    )
    parser.add_argument(
        "--mailto", help="contact address sent to the registries (Crossref's polite pool)"
    )
    parser.add_argument("--cache-dir", type=Path, help="folder of the registries' answer cache")
    parser.add_argument("--no-cache", action="store_true", default=None, help="use no cache")
    parser.add_argument(
        "--offline", action="store_true", default=None, help="only cache and snapshots"
    )
    parser.add_argument(
        "--snapshot",
        action="append",
        type=Path,
        dest="snapshots",
        metavar="FILE",
        help="works records (Crossref's, DataCite's) as JSON lines (.gz too); repeatable",
    )
    parser.add_argument("--timeout", type=float, help="seconds per request (10)")
    parser.add_argument(
        "--jobs",
        type=int,
        metavar="N",
        help="offline, against a snapshot store: processes checking references found by "
        "search (1; 0: one a CPU)",
    )
    parser.add_argument("--config", type=Path, help="read this config file instead of searching")
    parser.add_argument("--isolated", action="store_true", help="ignore every config file")
    parser.add_argument(
        "--no-progress", action="store_true", help="never show a progress bar on stderr"
    )
    parser.add_argument(
        "--select",
        action="append",
        metavar="RULES",
        help="only these rules: codes, prefixes or names, comma-separated (RC6,author-missing)",
    )
    parser.add_argument(
        "--ignore", action="append", metavar="RULES", help="never report these rules"
    )
    parser.add_argument(
        "--severity",
        action="append",
        metavar="RULE=LEVEL",
        help="override a rule's severity (error, warning, info); repeatable",
    )
    parser.add_argument(
        "--per-file-ignores",
        action="append",
        metavar="GLOB=RULES",
        help="ignore rules in files matching GLOB; repeatable",
    )


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="refcheck",
        description="Check cited references against Crossref, DataCite and other registries.",
    )
    parser.add_argument("--version", action="version", version=f"refcheck {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    check = commands.add_parser("check", help="check the references in files or folders")
    check.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    check.add_argument("--format", choices=FORMATS, default=None, help="output format (text)")
    check.add_argument("--output", type=Path, help="write the report to FILE")
    check.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="text report: only references with a problem, and the summary",
    )
    check.add_argument(
        "--show-info",
        action="store_true",
        help="text report: show info findings (by default only counted in the summary)",
    )
    check.add_argument(
        "--output-format",
        action="append",
        metavar="FORMAT=FILE",
        help="also write a report in FORMAT to FILE (sarif=refcheck.sarif); repeatable",
    )
    check.add_argument(
        "--fail-on",
        choices=FAIL_ON_CHOICES,
        default=None,
        help="exit 1 on findings at or above: error (default), warning, unverified, never",
    )
    check.add_argument(
        "--include", action="append", metavar="GLOB", help="only read files matching GLOB"
    )
    check.add_argument(
        "--exclude", action="append", metavar="GLOB", help="never read files matching GLOB"
    )
    check.add_argument(
        "--baseline", type=Path, metavar="FILE", help="report only findings not in FILE"
    )
    check.add_argument(
        "--write-baseline", type=Path, metavar="FILE", help="write today's findings to FILE"
    )
    check.add_argument(
        "--diff-base",
        metavar="REF",
        help="only references in lines changed since git REF (and untracked files)",
    )
    check.add_argument(
        "--dask-scheduler",
        metavar="ADDRESS",
        help="check offline against --snapshot STORE on this Dask cluster (tcp://host:8786); "
        "needs pip install 'refcheck[dask]'",
    )
    check.add_argument(
        "--partition-size",
        type=int,
        metavar="N",
        help="with --dask-scheduler: references a Dask task checks (2000)",
    )
    _lookup_options(check)

    fix = commands.add_parser(
        "fix", help="print (or --write) the registry's values for wrong BibTeX fields"
    )
    fix.add_argument("path", type=Path, metavar="FILE.bib")
    fix.add_argument("--write", action="store_true", help="apply the fixes to the file")
    _lookup_options(fix)

    rule = commands.add_parser("rule", help="explain a rule: refcheck rule RC301")
    rule.add_argument("code", metavar="CODE")
    commands.add_parser("rules", help="list every rule")
    commands.add_parser("schema", help="print the JSON Schema of --format json")

    snapshot = commands.add_parser("snapshot", help="build an offline snapshot store")
    actions = snapshot.add_subparsers(dest="action", required=True, parser_class=_Parser)
    imported = actions.add_parser(
        "import",
        help="index Crossref works records into an SQLite store: the Public Data File's "
        "tar, a folder of its .json.gz files, items files, API answers, JSON lines (.gz)",
    )
    imported.add_argument("sources", nargs="+", type=Path, metavar="RECORDS")
    imported.add_argument(
        "-o", "--output", type=Path, required=True, metavar="STORE.sqlite3",
        help="the store to write (replaced whole when the import succeeds)",
    )  # fmt: skip
    imported.add_argument("--no-progress", action="store_true", help="no progress line")
    updated = actions.add_parser(
        "update",
        help="apply newer works records (a monthly snapshot, saved /works pages) to a store: "
        "replaced works replace, new ones are added, in one transaction",
    )
    updated.add_argument("store", type=Path, metavar="STORE.sqlite3")
    updated.add_argument("sources", nargs="+", type=Path, metavar="RECORDS")
    updated.add_argument("--no-progress", action="store_true", help="no progress line")
    return parser


# --- settings -----------------------------------------------------------------------------


def _split(values: Sequence[str] | None) -> list[str] | None:
    if values is None:
        return None
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _pairs(values: Sequence[str] | None, flag: str, shape: str) -> dict[str, str] | None:
    """``["A=B", ...]`` -> ``{"A": "B"}``; a value without ``=`` is a usage error."""
    if values is None:
        return None
    pairs: dict[str, str] = {}
    for value in values:
        left, sep, right = value.partition("=")
        if not sep or not left.strip() or not right.strip():
            raise ConfigError(f"{flag} takes {shape}, not {value!r}")
        pairs[left.strip()] = right.strip()
    return pairs


def _cli_layer(args: argparse.Namespace) -> Layer:
    settings = {
        "crossref_url": args.crossref_url,
        "datacite_url": args.datacite_url,
        "doi_url": args.doi_url,
        "arxiv_url": args.arxiv_url,
        "openlibrary_url": args.openlibrary_url,
        "sources": source_names(args.sources, "--source") if args.sources else None,
        "mailto": args.mailto,
        "cache_dir": args.cache_dir,
        "no_cache": args.no_cache,
        "offline": args.offline,
        "snapshots": tuple(args.snapshots) if args.snapshots else None,
        "timeout": args.timeout,
        "jobs": args.jobs,
    }
    options: dict[str, Any] = {}

    def put(field: str, value: Any, flag: str) -> None:
        if value is not None:
            options[field] = option_value(field, value, flag, None)

    put("select", _split(args.select), "--select")
    put("ignore", _split(args.ignore), "--ignore")
    put("severity", _pairs(args.severity, "--severity", "RULE=LEVEL"), "--severity")
    per_file = _pairs(args.per_file_ignores, "--per-file-ignores", "GLOB=RULES")
    if per_file is not None:
        put("per_file_ignores", {k: _split([v]) for k, v in per_file.items()}, "--per-file-ignores")
    if args.command == "check":
        put("format", args.format, "--format")
        put("fail_on", args.fail_on, "--fail-on")
        put("include", args.include, "--include")
        put("exclude", args.exclude, "--exclude")
        if args.output is not None:
            options["output"] = args.output
        if args.baseline is not None:
            options["baseline"] = args.baseline
        outputs = _pairs(args.output_format, "--output-format", "FORMAT=FILE")
        if outputs is not None:
            put("output_formats", outputs, "--output-format")
    return Layer(settings, options)


def _load(args: argparse.Namespace) -> Loaded:
    return load(_cli_layer(args), config=args.config, isolated=args.isolated)


# --- reading ------------------------------------------------------------------------------


def _json_head(path: Path) -> str:
    """The first characters of a JSON file, whitespace and byte-order mark removed."""
    try:
        with path.open("rb") as handle:
            head = handle.read(512).decode("utf-8", "replace")
    except OSError:
        return ""
    return "".join(head.removeprefix("\ufeff").split())


def _own_output(path: Path) -> bool:
    """Is this JSON file one refcheck wrote (a report or a baseline), not references?"""
    return _json_head(path).startswith(('{"refcheck-baseline":', '{"refcheck":'))


def _files(args: argparse.Namespace, loaded: Loaded) -> list[tuple[Path, bool]]:
    """The files to read, each with whether it was named: include/exclude applied (to
    named files too, so that a hook that names every changed file honours them), and
    refcheck's own outputs (reports, baselines) left out of folder walks."""
    options = loaded.options
    include, exclude = options.include_globs(), options.exclude_globs()
    named = {path.resolve() for path in args.paths if path.is_file()}
    outputs = {
        path.resolve()
        for path in (options.output, options.baseline, args.write_baseline)
        if path is not None
    } | {path.resolve() for path in options.output_formats.values()}
    files: list[tuple[Path, bool]] = []
    skipped = 0
    for path in iter_files(args.paths):
        is_named = path.resolve() in named
        if not is_named and (
            path.resolve() in outputs or (path.suffix.lower() == ".json" and _own_output(path))
        ):
            continue
        if keep_file(path, options.root, include, exclude):
            files.append((path, is_named))
        elif is_named:
            skipped += 1
    if skipped:
        print(f"refcheck: {skipped} named file(s) skipped by include/exclude", file=sys.stderr)
    return files


# One file's references: a BibTeX file read as it is iterated, or a list read whole.
Source = list[Reference] | BibtexFile


def _open_file(path: Path, changes: git_diff.Changes | None) -> Source:
    reader = reader_for(path)
    if changes is None or reader is None:
        return open_path(path)  # an unknown suffix raises the reader's own error
    text = load_text(path)
    return git_diff.touched(reader(text, str(path)), text, changes.lines(path))


def _open(files: Sequence[tuple[Path, bool]], changes: git_diff.Changes | None) -> list[Source]:
    """Every file checked (and all but BibTeX read) before the first lookup, so that an
    unreadable file is an error before any report line is written."""
    sources: list[Source] = []
    reading = [path for path, _ in files if changes is None or changes.touches_file(path)]
    for path, named in files:
        if changes is not None and not changes.touches_file(path):
            continue
        try:
            source = _open_file(path, changes)
            # A bibliography a post's front matter names and the run reads anyway: once.
            if isinstance(source, list):
                source = checked_elsewhere(source, path, reading)
            sources.append(source)
        except InputError as exc:
            # Projects hold JSON files of every kind (package.json, tsconfig.json with
            # comments), and a hook names every changed one; only CSL-JSON holds
            # references. A named file that starts like CSL-JSON (a list) stays an error.
            if reader_for(path) is not read_csljson or (named and _json_head(path)[:1] == "["):
                raise
            print(f"refcheck: skipped {text_report.clean(str(exc))}", file=sys.stderr)
    return sources


def _expected(sources: Iterable[Source]) -> int:
    """References to expect, for the progress bar (BibTeX: a quick count of entries)."""
    return sum(len(source) if isinstance(source, list) else source.count() for source in sources)


def _verdicts(
    args: argparse.Namespace, loaded: Loaded, references: list[Reference]
) -> list[Verdict]:
    err = Console(stderr=True)
    # stderr itself, not rich's guess: FORCE_COLOR must not draw a bar into a CI log.
    show_progress = (
        sys.stderr.isatty() and not args.no_progress and len(references) >= PROGRESS_FROM
    )
    if not show_progress:
        return asyncio.run(check_async(references, loaded.settings))
    bar = Progress(
        TextColumn("checking"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )
    with bar:
        task = bar.add_task("check", total=len(references))
        return asyncio.run(
            check_async(references, loaded.settings, progress=lambda _: bar.advance(task))
        )


# --- reports ------------------------------------------------------------------------------


def _note_line(note: Note) -> str:
    location = note.reference.location
    where = text_report.place(location)  # the path made safe: a file name cannot forge lines
    if location.key:
        where += f" [{text_report.clean(location.key, 80)}]"
    return f"note: {where}: {text_report.clean(note.message)}"


@contextmanager
def _opened(path: Path) -> Iterator[TextIO]:
    try:
        handle = path.open("w", encoding="utf-8")
    except OSError as exc:
        raise RefcheckError(f"cannot write {path}: {exc.strerror or exc}") from None
    with handle:
        yield handle


def _write_report(
    fmt: str, verdicts: Sequence[Verdict], path: Path | None, in_text: InText | None = None
) -> None:
    """One report in a format that needs every verdict: to ``path``, or stdout; with the
    in-text citation findings."""
    emit = emitter(fmt)
    if fmt in IN_TEXT_EMITTERS and in_text is not None:
        emit = partial(IN_TEXT_EMITTERS[fmt], in_text=in_text)
    if path is None:
        emit(verdicts, sys.stdout)
        return
    with _opened(path) as out:
        emit(verdicts, out)


def _targets(loaded: Loaded) -> list[tuple[str, Path | None]]:
    """Every report to write, as (format, file or None for stdout); two to one file is an
    error, found before any work."""
    options = loaded.options
    targets: list[tuple[str, Path | None]] = [(options.format, options.output)]
    targets.extend(options.output_formats.items())
    seen: set[Path] = set()
    for _, path in targets:
        if path is not None:
            if path.absolute() in seen:
                raise ConfigError(f"two reports would be written to {path}")
            seen.add(path.absolute())
    return targets


# The formats written verdict by verdict as the run reaches them.
STREAMED = ("text", "concise")


def _colour(on_terminal: bool) -> bool:
    """Colour on a terminal; NO_COLOR turns it off, FORCE_COLOR on (a CI log that shows
    colours); NO_COLOR wins, as escape codes are the riskier mistake."""
    if os.environ.get("NO_COLOR"):
        return False
    return on_terminal or bool(os.environ.get("FORCE_COLOR"))


class _TextReport:
    """A ``text`` or ``concise`` report written verdict by verdict as the run reaches them,
    its summary (and the text report's notes) at the end: on stdout (laid out for a
    terminal when it is one) or, plain, in a file."""

    def __init__(self, report: text_report.TextReport, out: TextIO | None) -> None:
        self.report = report
        self.console = report.console
        self._out = out  # the file of a plain report; None: stdout

    @classmethod
    def to_stdout(cls, fmt: str, args: argparse.Namespace) -> _TextReport:
        on_terminal = sys.stdout.isatty()
        layout = text_report.Layout.TERMINAL if on_terminal else text_report.Layout.PLAIN
        if fmt == "concise":
            layout = text_report.Layout.CONCISE
        view = text_report.View(layout, quiet=args.quiet, show_info=args.show_info)
        colour = _colour(on_terminal)
        if not on_terminal and not colour:
            console = plain_console(sys.stdout)
        else:
            # The layout, not rich, decides what fits: force_terminal keeps FORCE_COLOR's
            # colour on a pipe, and lines are never wrapped by rich (TextReport cuts them
            # to a terminal's width).
            console = Console(
                file=sys.stdout,
                force_terminal=True,
                color_system="auto" if colour else None,
                no_color=not colour,
                highlight=False,
                emoji=False,
                soft_wrap=True,
            )
        return cls(text_report.TextReport(console, view), None)

    @classmethod
    def to_file(cls, fmt: str, out: TextIO, args: argparse.Namespace) -> _TextReport:
        layout = text_report.Layout.CONCISE if fmt == "concise" else text_report.Layout.PLAIN
        view = text_report.View(layout, quiet=args.quiet, show_info=args.show_info)
        return cls(text_report.TextReport(plain_console(out), view), out)

    @property
    def on_stdout(self) -> bool:
        return self._out is None

    def add(self, verdict: Verdict) -> None:
        self.report.add(verdict)

    def close(self, notes: Sequence[Note]) -> None:
        self.report.close()
        if self.report.view.layout is text_report.Layout.CONCISE:
            return  # concise: the findings and the summary, nothing else
        for note in notes:
            if self._out is None:
                line = Text(_note_line(note), style="dim")
                if self.report.view.layout is text_report.Layout.TERMINAL:
                    line.truncate(self.console.width, overflow="ellipsis")
                self.console.print(line, soft_wrap=True)
            else:
                self._out.write(_note_line(note) + "\n")


def _light(verdict: Verdict) -> Verdict:
    """The verdict as reports and baselines read it (the reference's place, text, cited
    DOI, problem and suppressions; the matched work's DOI; the findings), without what
    only comparing needed (parsed fields, Crossref's record), so that a run can hold
    100,000 of them."""
    reference = verdict.reference
    light = Reference.model_construct(
        location=reference.location,
        text=reference.text,
        entry_type=reference.entry_type,
        doi=reference.doi,
        problem=reference.problem,
        suppress=reference.suppress,
    )
    work = verdict.work
    return verdict.model_copy(
        update={
            "reference": light,
            "work": None if work is None else Work.model_construct(doi=work.doi),
        }
    )


class _Held(Sequence[Verdict]):
    """Verdicts a report or the baseline needs all of, held as compressed pickles a chunk
    at a time (a few hundred bytes a verdict instead of ~3.5 KB as models) and rebuilt as
    they are read: 100,000 of them take tens of MB. Only this process reads the pickles."""

    CHUNK = 500

    def __init__(self) -> None:
        self._sealed: list[bytes] = []
        self._open: list[Verdict] = []
        self._cached: tuple[int, list[Verdict]] | None = None

    def append(self, verdict: Verdict) -> None:
        self._open.append(verdict)
        if len(self._open) == self.CHUNK:
            self._sealed.append(zlib.compress(pickle.dumps(self._open, pickle.HIGHEST_PROTOCOL), 1))
            self._open = []

    def _chunk(self, number: int) -> list[Verdict]:
        if number == len(self._sealed):
            return self._open
        if self._cached is None or self._cached[0] != number:
            verdicts: list[Verdict] = pickle.loads(zlib.decompress(self._sealed[number]))
            self._cached = (number, verdicts)
        return self._cached[1]

    def __len__(self) -> int:
        return len(self._sealed) * self.CHUNK + len(self._open)

    @overload
    def __getitem__(self, index: int) -> Verdict: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Verdict]: ...

    def __getitem__(self, index: int | slice) -> Verdict | Sequence[Verdict]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError("verdict index out of range")
        return self._chunk(index // self.CHUNK)[index % self.CHUNK]

    def __iter__(self) -> Iterator[Verdict]:
        for number in range(len(self._sealed)):
            # Not cached: a report reading every verdict holds one chunk at a time.
            yield from pickle.loads(zlib.decompress(self._sealed[number]))
        yield from self._open


def _weight(verdict: Verdict | None) -> int:
    """What a baseline can hold back of a verdict: its findings, or its invalid entry."""
    if verdict is None:
        return 0
    return len(verdict.findings) + (verdict.status is Status.INVALID)


class _Run:
    """One ``check`` run taken verdict by verdict, in input order: the policy, then the
    baseline; the counts and the exit status; each verdict handed to the text reports
    as it comes, and kept (light) only when a format or the baseline needs them all."""

    def __init__(
        self,
        loaded: Loaded,
        baseline: baselines.Baseline | None,
        texts: Sequence[_TextReport],
        *,
        keep: bool,
    ) -> None:
        self.policy = loaded.options.policy()
        self.fail_on = loaded.options.fail_on
        self.texts = texts
        self.keep = keep
        self.kept = _Held()
        self.notes: list[Note] = []
        self.unverified = 0
        self.baselined = 0
        self.failed = False
        # Fingerprints are counted down over the whole run, as baselines.new_findings does.
        self._is_new = baselines.is_new(baseline) if baseline is not None else None
        self.in_text = InTextRun()

    def take(self, raw: Verdict) -> None:
        kept = len(self.kept)
        self._take(raw)
        self.in_text.take(raw, kept if len(self.kept) > kept else None)

    def _take(self, raw: Verdict) -> None:
        self.notes.extend(unused_suppressions([raw]))
        verdict = apply_verdict(raw, self.policy)
        if verdict is None:
            return
        self.unverified += verdict.status is Status.UNVERIFIED
        if self._is_new is not None:
            shown = next(iter(filter_findings([verdict], self._is_new)), None)
            self.baselined += _weight(verdict) - _weight(shown)
            if shown is None:
                return
            verdict = shown
        self.failed = self.failed or failing(verdict, self.fail_on, self.policy)
        for text in self.texts:
            text.add(verdict)
        if self.keep:
            self.kept.append(_light(verdict))


def _progress_bar(
    args: argparse.Namespace, sources: Sequence[Source], report: Console | None
) -> Progress | None:
    """A progress bar for a terminal; none for a few references or with --no-progress."""
    err = Console(stderr=True)
    # stderr itself must be a terminal: FORCE_COLOR (which rich reads as "a terminal")
    # must not draw a bar into a CI log.
    if not sys.stderr.isatty() or args.no_progress:
        return None
    total = _expected(sources)
    if total < PROGRESS_FROM:
        return None
    # Report lines printed on the terminal while the bar shows must go through the bar's
    # console, which then keeps the bar below them.
    console = report if report is not None and sys.stdout.isatty() else err
    bar = Progress(
        TextColumn("checking"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        redirect_stdout=False,
        redirect_stderr=console is err,
    )
    bar.add_task("check", total=total)
    return bar


def _stream(args: argparse.Namespace, loaded: Loaded, sources: Sequence[Source], run: _Run) -> None:
    """References flow from the files into the lookups and verdicts out to ``run``, a
    chunk at a time: the first are reported while the files are still being read."""
    report = next((text.console for text in run.texts if text.on_stdout), None)
    bar = _progress_bar(args, sources, report)

    def done(verdict: Verdict) -> None:
        run.take(verdict)
        if bar is not None:
            task = bar.tasks[0]
            bar.update(task.id, advance=1, total=max(task.total or 0, task.completed + 1))

    async def check() -> None:
        references = chain.from_iterable(sources)
        checked = iter_check_async(
            references,
            loaded.settings,
            dask_scheduler=args.dask_scheduler,
            partition_size=args.partition_size,
        )
        async for verdict in checked:
            done(verdict)

    with bar if bar is not None else ExitStack():
        asyncio.run(check())


def _check_references(
    args: argparse.Namespace, loaded: Loaded, references: list[Reference]
) -> tuple[list[Verdict], list[Note]]:
    raw = _verdicts(args, loaded, references)
    return apply(raw, loaded.options.policy()), unused_suppressions(raw)


def _run_check(args: argparse.Namespace) -> int:
    loaded = _load(args)
    options = loaded.options
    emitter(options.format)  # an unknown format is a one-line error before any work
    if args.dask_scheduler is not None:
        from refcheck import distributed  # Dask is an extra: imported only when asked for

        distributed.refuse_unless_possible(loaded.settings)
    elif args.partition_size is not None:
        raise ConfigError("--partition-size is for a run with --dask-scheduler")
    writing_baseline = args.write_baseline is not None
    if writing_baseline and args.diff_base is not None:
        raise ConfigError(
            "--write-baseline and --diff-base cannot be combined: a baseline "
            "of the changed lines alone would forget every other finding"
        )
    # Read the baseline first: a missing one is an error before any lookup.
    baseline = (
        baselines.read_baseline(options.baseline)
        if options.baseline is not None and not writing_baseline
        else None
    )
    targets = [] if writing_baseline else _targets(loaded)
    changes = git_diff.changed_since(args.diff_base) if args.diff_base is not None else None
    to_read = _files(args, loaded)
    sources = _open(to_read, changes)

    with ExitStack() as files:
        texts: list[_TextReport] = []
        for fmt, path in targets:
            if fmt in STREAMED:
                out = None if path is None else files.enter_context(_opened(path))
                texts.append(
                    _TextReport.to_stdout(fmt, args)
                    if out is None
                    else _TextReport.to_file(fmt, out, args)
                )
        keep = writing_baseline or any(fmt not in STREAMED for fmt, _ in targets)
        run = _Run(loaded, baseline, texts, keep=keep)
        _stream(args, loaded, sources, run)
        # In-text citations are linked once every verdict of their post is in; not with
        # --diff-base, which checks only the changed entries: the others would be missing.
        run.in_text.finish([p for p, _ in to_read] if changes is None else [], run.policy)
        if baseline is not None:
            shown = baselines.new_citation_findings(run.in_text.findings, baseline)
            run.baselined += len(run.in_text.findings) - len(shown)
            run.in_text.findings = shown
        run.failed = run.failed or run.in_text.failing(run.fail_on)
        notes = run.notes if options.format == "text" else []
        for text in texts:
            run.in_text.write(text.console, show_info=args.show_info)
            text.report.add_in_text(run.in_text.findings)
            text.close(notes)

    if writing_baseline:
        count = baselines.write_baseline(args.write_baseline, run.kept, run.in_text.findings)
        print(f"refcheck: wrote {count} finding(s) to {args.write_baseline}", file=sys.stderr)
        if run.unverified:
            print(
                f"refcheck: {run.unverified} reference(s) could not be checked; their "
                "findings are not in the baseline",
                file=sys.stderr,
            )
        return EXIT_OK

    if run.baselined:
        print(f"refcheck: {run.baselined} baselined finding(s) not shown", file=sys.stderr)
    for fmt, path in targets:
        if fmt not in STREAMED:
            _write_report(fmt, run.kept, path, run.in_text.in_text())
    if run.unverified and options.format not in STREAMED:
        print(f"refcheck: {run.unverified} reference(s) could not be checked", file=sys.stderr)
    return EXIT_FINDINGS if run.failed else EXIT_OK


# --- fix ----------------------------------------------------------------------------------


def _read_source(path: Path) -> tuple[bytes, fixes.Source]:
    load_text(path)  # the reader's checks: exists, not binary, not too large, decodable
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    try:
        source = fixes.decode(data)
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 or Windows-1252 text") from None
    if "\r" in source.text.replace("\r\n", ""):
        raise InputError(f"{path}: has old Mac line endings (a lone CR); fix cannot edit it")
    return data, source


def _replace_file(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` at once (a temporary file renamed over it), mode kept; a
    symbolic link is written through, not replaced."""
    path = path.resolve()
    mode = path.stat().st_mode
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temporary, mode & 0o7777)
        os.replace(temporary, path)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise RefcheckError(f"cannot write {path}: {exc.strerror or exc}") from None


def _run_fix(args: argparse.Namespace) -> int:
    path: Path = args.path
    if reader_for(path) is not read_bibtex:
        raise InputError(f"{path}: refcheck fix edits BibTeX files (.bib, .bibtex) only")
    loaded = _load(args)
    data, source = _read_source(path)
    references = read_bibtex(load_text(path), str(path))
    verdicts, _ = _check_references(args, loaded, references)
    planned = fixes.plan(source.text, verdicts, ascii_only=source.ascii_only)
    new_text = fixes.apply_edits(source.text, planned.edits)
    shown = relative_to(path, Path.cwd()).lstrip("/")
    patch = fixes.unified_diff(source.text, new_text, shown)
    sys.stdout.write(patch)
    for note in planned.notes:
        print(f"refcheck: {text_report.clean(note)}", file=sys.stderr)
    fixed_codes = {(e.key, e.code) for e in planned.edits}
    left = sum(
        1
        for v in verdicts
        for f in v.findings
        if f.severity is Severity.ERROR and (v.reference.location.key, f.code) not in fixed_codes
    )
    left += sum(v.status is Status.INVALID for v in verdicts)
    unverified = sum(v.status is Status.UNVERIFIED for v in verdicts)
    if unverified:
        print(f"refcheck: {unverified} reference(s) could not be checked", file=sys.stderr)
    if left:
        print(
            f"refcheck: {left} error(s) left to fix by hand (see 'refcheck check')", file=sys.stderr
        )
    if not planned.edits:
        print("refcheck: nothing to fix", file=sys.stderr)
        return EXIT_OK
    count = len(planned.edits)
    if not args.write:
        print(f"refcheck: {count} fix(es); run with --write to apply them", file=sys.stderr)
        return EXIT_FINDINGS
    try:
        encoded = source.encode(new_text)
    except UnicodeEncodeError:
        raise RefcheckError(f"{path}: the fixes cannot be written in {source.encoding}") from None
    if path.read_bytes() != data:
        raise RefcheckError(f"{path}: changed while refcheck was checking it; nothing written")
    _replace_file(path, encoded)
    print(f"refcheck: wrote {count} fix(es) to {path}", file=sys.stderr)
    return EXIT_OK


# --- rules and main -----------------------------------------------------------------------


def _run_rule(args: argparse.Namespace) -> int:
    rule = lookup(args.code)
    if rule is None:
        print(f"refcheck: error: no rule '{args.code}' (see 'refcheck rules')", file=sys.stderr)
        return EXIT_USAGE
    print(rule.explain(), end="")
    return EXIT_OK


def _run_rules() -> int:
    for rule in RULES:
        print(f"{rule.code}  {rule.name:<22} {rule.severity.value:<8} {rule.summary}")
    return EXIT_OK


def _run_schema() -> int:
    print(json.dumps(Report.model_json_schema(), indent=2))
    return EXIT_OK


def _run_snapshot(args: argparse.Namespace) -> int:
    # Imported here: the store pulls in multiprocessing, which `check` never needs.
    from refcheck.resolve.store import import_records, update_records

    err = Console(stderr=True)
    show = sys.stderr.isatty() and not args.no_progress  # not FORCE_COLOR's "terminal"

    def progress(records: int) -> None:
        err.print(f"refcheck: {records:,} records read", end="\r", highlight=False)

    if args.action == "update":
        stats = update_records(args.store, args.sources, progress=progress if show else None)
    else:
        stats = import_records(args.sources, args.output, progress=progress if show else None)
    print(f"refcheck: {stats.summary()}", file=sys.stderr)
    return EXIT_OK


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "check": _run_check,
    "fix": _run_fix,
    "rule": _run_rule,
    "rules": lambda _: _run_rules(),
    "schema": lambda _: _run_schema(),
    "snapshot": _run_snapshot,
}


def _one_line_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    """Warnings (a cache set aside, say) as one line on stderr, without source lines."""
    print(f"refcheck: warning: {message}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _one_line_warning
            return COMMANDS[args.command](args)
    except RefcheckError as exc:
        print(f"refcheck: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("refcheck: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug of ours: still one line, never a traceback
        if os.environ.get("REFCHECK_DEBUG"):
            raise
        print(f"refcheck: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
