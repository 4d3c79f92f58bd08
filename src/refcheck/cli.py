"""The command line: arguments -> settings -> library -> report -> exit code. Nothing else.

Exit codes: 0 no finding of severity error; 1 at least one (or an entry that could not be
read); 2 usage error, bad config or unreadable input. Unverified references (Crossref
unreachable) never make the exit code 1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from refcheck._version import __version__
from refcheck.api import check_async, read_references
from refcheck.config import (
    Settings,
    build_settings,
    find_config,
    read_config_file,
    settings_from_env,
    settings_from_table,
)
from refcheck.errors import RefcheckError
from refcheck.models import Report, Severity, Status, Verdict
from refcheck.report import text as text_report
from refcheck.report.registry import FORMATS, emitter
from refcheck.rules import RULES, lookup

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
# Below this many references a progress bar is more noise than help.
PROGRESS_FROM = 5


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # one line and exit 2, as argparse does, but terser
        self.exit(EXIT_USAGE, f"refcheck: error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="refcheck", description="Check cited references against Crossref.")
    parser.add_argument("--version", action="version", version=f"refcheck {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    check = commands.add_parser("check", help="check the references in files or folders")
    check.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    check.add_argument("--format", choices=FORMATS, default=None, help="output format (text)")
    check.add_argument("--output", type=Path, help="write the report to FILE")
    check.add_argument("--crossref-url", help="Crossref API base URL")
    check.add_argument("--mailto", help="contact address for Crossref's polite pool")
    check.add_argument("--cache-dir", type=Path, help="folder of the Crossref answer cache")
    check.add_argument("--no-cache", action="store_true", default=None, help="use no cache")
    check.add_argument(
        "--offline", action="store_true", default=None, help="only cache and snapshots"
    )
    check.add_argument(
        "--snapshot",
        action="append",
        type=Path,
        dest="snapshots",
        metavar="FILE",
        help="Crossref works records as JSON lines (.gz too); repeatable",
    )
    check.add_argument("--timeout", type=float, help="seconds per Crossref request (10)")
    check.add_argument("--config", type=Path, help="read this config file instead of searching")
    check.add_argument("--isolated", action="store_true", help="ignore every config file")
    check.add_argument(
        "--no-progress", action="store_true", help="never show a progress bar on stderr"
    )

    rule = commands.add_parser("rule", help="explain a rule: refcheck rule RC301")
    rule.add_argument("code", metavar="CODE")
    commands.add_parser("rules", help="list every rule")
    commands.add_parser("schema", help="print the JSON Schema of --format json")
    return parser


def _settings(args: argparse.Namespace) -> tuple[Settings, dict[str, Any]]:
    table: dict[str, Any] = {}
    file_layer: dict[str, Any] = {}
    if not args.isolated:
        found = read_config_file(args.config) if args.config else find_config(Path.cwd())
        if found is not None:
            path, table = found
            file_layer = settings_from_table(table, path.parent, str(path))
    cli_layer = {
        "crossref_url": args.crossref_url,
        "mailto": args.mailto,
        "cache_dir": args.cache_dir,
        "no_cache": args.no_cache,
        "offline": args.offline,
        "snapshots": tuple(args.snapshots) if args.snapshots else None,
        "timeout": args.timeout,
    }
    return build_settings(file_layer, settings_from_env(), cli_layer), table


def _exit_code(verdicts: Sequence[Verdict]) -> int:
    for verdict in verdicts:
        if verdict.status is Status.INVALID:
            return EXIT_FINDINGS
        if any(f.severity is Severity.ERROR for f in verdict.findings):
            return EXIT_FINDINGS
    return EXIT_OK


def _run_check(args: argparse.Namespace) -> int:
    settings, table = _settings(args)
    fmt = args.format or table.get("format") or "text"
    emit = emitter(fmt)  # an unknown format from the config file is a one-line error
    references = read_references(args.paths)

    err = Console(stderr=True)
    show_progress = err.is_terminal and not args.no_progress and len(references) >= PROGRESS_FROM
    if show_progress:
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
            verdicts = asyncio.run(
                check_async(references, settings, progress=lambda _: bar.advance(task))
            )
    else:
        verdicts = asyncio.run(check_async(references, settings))

    out: TextIO
    if args.output is not None:
        try:
            out = args.output.open("w", encoding="utf-8")
        except OSError as exc:
            raise RefcheckError(f"cannot write {args.output}: {exc.strerror}") from None
    else:
        out = sys.stdout
    try:
        if fmt == "text" and out is sys.stdout:
            # A terminal gets colour; a file or pipe gets the plain emitter.
            text_report.emit(verdicts, Console(file=out, highlight=False))
        else:
            emit(verdicts, out)
    finally:
        if out is not sys.stdout:
            out.close()

    unverified = sum(v.status is Status.UNVERIFIED for v in verdicts)
    if unverified and fmt != "text":
        print(f"refcheck: {unverified} reference(s) could not be checked", file=sys.stderr)
    return _exit_code(verdicts)


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


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "check":
            return _run_check(args)
        if args.command == "rule":
            return _run_rule(args)
        if args.command == "schema":
            print(json.dumps(Report.model_json_schema(), indent=2))
            return EXIT_OK
        return _run_rules()
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
