"""The command line: arguments -> settings -> library -> policy -> reports -> exit code.

Exit codes of ``check``: 0 nothing at or above ``--fail-on`` (default ``error``); 1 at
least one finding at or above it, or an entry that could not be read; 2 usage error, bad
config or unreadable input. Unverified references (Crossref unreachable) make the exit
code 1 only under ``--fail-on unverified``.

``fix``: 0 nothing to fix, or the fixes were written; 1 fixes were found and printed as a
diff but not written (no ``--write``); 2 as above.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

from refcheck import baseline as baselines
from refcheck import diff as git_diff
from refcheck import fix as fixes
from refcheck._version import __version__
from refcheck.api import check_async
from refcheck.config import Layer, Loaded, load, option_value
from refcheck.errors import ConfigError, InputError, RefcheckError
from refcheck.models import Reference, Report, Severity, Status, Verdict
from refcheck.policy import (
    FailOn,
    Note,
    apply,
    fails,
    keep_file,
    relative_to,
    unused_suppressions,
)
from refcheck.readers import (
    iter_files,
    load_text,
    read_bibtex,
    read_csljson,
    read_path,
    reader_for,
)
from refcheck.report import text as text_report
from refcheck.report.registry import FORMATS, emit_plain_text, emitter
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
    parser.add_argument("--mailto", help="contact address for Crossref's polite pool")
    parser.add_argument("--cache-dir", type=Path, help="folder of the Crossref answer cache")
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
        help="Crossref works records as JSON lines (.gz too); repeatable",
    )
    parser.add_argument("--timeout", type=float, help="seconds per Crossref request (10)")
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
    parser = _Parser(prog="refcheck", description="Check cited references against Crossref.")
    parser.add_argument("--version", action="version", version=f"refcheck {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    check = commands.add_parser("check", help="check the references in files or folders")
    check.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    check.add_argument("--format", choices=FORMATS, default=None, help="output format (text)")
    check.add_argument("--output", type=Path, help="write the report to FILE")
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
    _lookup_options(check)

    fix = commands.add_parser(
        "fix", help="print (or --write) Crossref's values for wrong BibTeX fields"
    )
    fix.add_argument("path", type=Path, metavar="FILE.bib")
    fix.add_argument("--write", action="store_true", help="apply the fixes to the file")
    _lookup_options(fix)

    rule = commands.add_parser("rule", help="explain a rule: refcheck rule RC301")
    rule.add_argument("code", metavar="CODE")
    commands.add_parser("rules", help="list every rule")
    commands.add_parser("schema", help="print the JSON Schema of --format json")
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
        "mailto": args.mailto,
        "cache_dir": args.cache_dir,
        "no_cache": args.no_cache,
        "offline": args.offline,
        "snapshots": tuple(args.snapshots) if args.snapshots else None,
        "timeout": args.timeout,
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


def _read_file(path: Path, changes: git_diff.Changes | None) -> list[Reference]:
    reader = reader_for(path)
    if changes is None or reader is None:
        return read_path(path)  # an unknown suffix raises the reader's own error
    text = load_text(path)
    return git_diff.touched(reader(text, str(path)), text, changes.lines(path))


def _read(files: Sequence[tuple[Path, bool]], changes: git_diff.Changes | None) -> list[Reference]:
    references: list[Reference] = []
    for path, named in files:
        if changes is not None and not changes.touches_file(path):
            continue
        try:
            references.extend(_read_file(path, changes))
        except InputError as exc:
            # Projects hold JSON files of every kind (package.json, tsconfig.json with
            # comments), and a hook names every changed one; only CSL-JSON holds
            # references. A named file that starts like CSL-JSON (a list) stays an error.
            if reader_for(path) is not read_csljson or (named and _json_head(path)[:1] == "["):
                raise
            print(f"refcheck: skipped {text_report.clean(str(exc))}", file=sys.stderr)
    return references


def _verdicts(
    args: argparse.Namespace, loaded: Loaded, references: list[Reference]
) -> list[Verdict]:
    err = Console(stderr=True)
    show_progress = err.is_terminal and not args.no_progress and len(references) >= PROGRESS_FROM
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
    where = location.path or "<input>"
    if location.line is not None:
        where += f":{location.line}"
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
    fmt: str, verdicts: Sequence[Verdict], notes: Sequence[Note], path: Path | None
) -> None:
    """One report: to ``path``, or stdout (a terminal gets colour in the text format)."""
    emit = emitter(fmt)
    if path is None and fmt == "text":
        console = Console(file=sys.stdout, highlight=False)
        text_report.emit(verdicts, console)
        for note in notes:
            console.print(Text(_note_line(note), style="dim"), soft_wrap=True)
        return
    if path is None:
        emit(verdicts, sys.stdout)
        return
    with _opened(path) as out:
        if fmt == "text":
            emit_plain_text(verdicts, out)
            for note in notes:
                out.write(_note_line(note) + "\n")
        else:
            emit(verdicts, out)


def _reports(loaded: Loaded, verdicts: Sequence[Verdict], notes: Sequence[Note]) -> None:
    options = loaded.options
    targets: list[tuple[str, Path | None]] = [(options.format, options.output)]
    targets.extend(options.output_formats.items())
    seen: set[Path] = set()
    for _, path in targets:
        if path is not None:
            if path.absolute() in seen:
                raise ConfigError(f"two reports would be written to {path}")
            seen.add(path.absolute())
    for fmt, path in targets:
        _write_report(fmt, verdicts, notes, path)


def _check_references(
    args: argparse.Namespace, loaded: Loaded, references: list[Reference]
) -> tuple[list[Verdict], list[Note]]:
    raw = _verdicts(args, loaded, references)
    return apply(raw, loaded.options.policy()), unused_suppressions(raw)


def _run_check(args: argparse.Namespace) -> int:
    loaded = _load(args)
    options = loaded.options
    emitter(options.format)  # an unknown format is a one-line error before any work
    if args.write_baseline is not None and args.diff_base is not None:
        raise ConfigError(
            "--write-baseline and --diff-base cannot be combined: a baseline "
            "of the changed lines alone would forget every other finding"
        )
    # Read the baseline first: a missing one is an error before any lookup.
    baseline = (
        baselines.read_baseline(options.baseline)
        if options.baseline is not None and args.write_baseline is None
        else None
    )
    changes = git_diff.changed_since(args.diff_base) if args.diff_base is not None else None
    references = _read(_files(args, loaded), changes)
    verdicts, notes = _check_references(args, loaded, references)
    unverified = sum(v.status is Status.UNVERIFIED for v in verdicts)

    if args.write_baseline is not None:
        count = baselines.write_baseline(args.write_baseline, verdicts)
        print(f"refcheck: wrote {count} finding(s) to {args.write_baseline}", file=sys.stderr)
        if unverified:
            print(
                f"refcheck: {unverified} reference(s) could not be checked; their findings "
                "are not in the baseline",
                file=sys.stderr,
            )
        return EXIT_OK

    if baseline is not None:
        before = sum(len(v.findings) + (v.status is Status.INVALID) for v in verdicts)
        verdicts = baselines.new_findings(verdicts, baseline)
        after = sum(len(v.findings) + (v.status is Status.INVALID) for v in verdicts)
        if before > after:
            print(f"refcheck: {before - after} baselined finding(s) not shown", file=sys.stderr)

    _reports(loaded, verdicts, notes if options.format == "text" else [])
    if unverified and options.format != "text":
        print(f"refcheck: {unverified} reference(s) could not be checked", file=sys.stderr)
    return EXIT_FINDINGS if fails(verdicts, options.fail_on, options.policy()) else EXIT_OK


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


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "check": _run_check,
    "fix": _run_fix,
    "rule": _run_rule,
    "rules": lambda _: _run_rules(),
    "schema": lambda _: _run_schema(),
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
