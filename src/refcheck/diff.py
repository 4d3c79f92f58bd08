"""``--diff-base REF``: only the references a change touched, read from git.

Files: those ``git diff REF`` names (the working tree against REF, staged or not) plus
untracked files that are not ignored. Lines: the new-side lines of ``git diff -U0 REF``
hunks; a deletion marks the lines on both sides of where it was. A reference is checked
when one of its lines changed. Its lines run from its first line to the last line of its
text (BibTeX and CSL-JSON keep their line breaks) or, for a post whose reader joined the
reference onto one line, up to the next blank line or the next reference; comment lines
just above it that say ``refcheck: ignore`` belong to it too. A file git knows only as a
whole (untracked, binary) counts as changed on every line.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from refcheck.errors import ConfigError
from refcheck.models import Reference

_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")
_DIRECTIVE = re.compile(r"refcheck\s*:\s*ignore", re.IGNORECASE)
_GIT_TIMEOUT = 60


@dataclass(frozen=True, slots=True)
class Changes:
    """Changed files (absolute paths) -> their changed 1-based lines; None: every line."""

    root: Path
    files: Mapping[Path, frozenset[int] | None]

    def touches_file(self, path: Path | str) -> bool:
        return Path(path).absolute().resolve() in self.files

    def lines(self, path: Path | str) -> frozenset[int] | None:
        return self.files.get(Path(path).absolute().resolve(), frozenset())


def _git(args: Sequence[str], cwd: Path) -> str:
    try:
        done = subprocess.run(
            ["git", "-c", "core.quotePath=false", *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="surrogateescape",
            timeout=_GIT_TIMEOUT,
            check=False,
        )
    except FileNotFoundError:
        raise ConfigError("--diff-base needs git, which is not installed") from None
    except subprocess.TimeoutExpired:
        raise ConfigError(f"git {args[0]} took longer than {_GIT_TIMEOUT} s") from None
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or ["failed"])[-1]
        raise ConfigError(f"git {args[0]}: {reason}")
    return done.stdout


def _unquote(name: str) -> str:
    """A path as git prints it: C-quoted when it holds a quote, backslash or control char."""
    if not (len(name) >= 2 and name[0] == name[-1] == '"'):
        return name
    raw = name[1:-1].encode("latin-1", "backslashreplace")
    return raw.decode("unicode_escape").encode("latin-1").decode("utf-8", "replace")


def parse_diff(text: str) -> dict[str, set[int] | None]:
    """``git diff -U0`` output -> new-side path -> changed new-side lines (None: whole file).

    A deleted file has no new side and is left out; a binary file counts as changed
    everywhere, as does a file with a ``+++`` side but no hunk.
    """
    files: dict[str, set[int] | None] = {}
    current: str | None = None
    for line in text.splitlines():
        if line.startswith("diff --git "):
            current = None
        elif line.startswith("+++ "):
            target = line[4:]
            current = None if target == "/dev/null" else _unquote(target).removeprefix("b/")
            if current is not None:
                files.setdefault(current, set())
        elif line.startswith("Binary files ") and " and " in line:
            target = line.rsplit(" and ", 1)[1].removesuffix(" differ")
            if target != "/dev/null":
                files[_unquote(target).removeprefix("b/")] = None
        elif current is not None and (hunk := _HUNK.match(line)):
            start, count = int(hunk.group(1)), int(hunk.group(2) or "1")
            lines = files.get(current)
            if lines is None:
                continue
            if count == 0:  # lines deleted after line ``start``: both neighbours changed
                lines.update({start, start + 1} - {0})
            else:
                lines.update(range(start, start + count))
    return files


def changed_since(ref: str, cwd: Path | None = None) -> Changes:
    """What changed in the working tree since ``ref``; ConfigError, one line, if git cannot say."""
    here = cwd or Path.cwd()
    if ref.startswith("-"):
        raise ConfigError(f"--diff-base: {ref!r} is not a git revision")
    root = Path(_git(["rev-parse", "--show-toplevel"], here).strip())
    try:
        _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], here)
    except ConfigError:
        raise ConfigError(f"--diff-base: unknown git revision {ref!r}") from None
    diff = _git(["diff", "--no-color", "--no-ext-diff", "--no-renames", "-U0", ref, "--"], here)
    found: dict[Path, frozenset[int] | None] = {}
    for name, lines in parse_diff(diff).items():
        found[(root / name).resolve()] = frozenset(lines) if lines else None
    untracked = _git(["ls-files", "--others", "--exclude-standard", "-z"], root)
    for name in filter(None, untracked.split("\0")):
        found[(root / name).resolve()] = None
    return Changes(root=root, files=found)


def _first_line(reference: Reference, source: Sequence[str]) -> int:
    """The reference's first line, taking in ``refcheck: ignore`` comments just above it."""
    start = reference.location.line or 1
    while start > 1 and _DIRECTIVE.search(source[start - 2]):
        start -= 1
    return start


def spans(references: Sequence[Reference], source: str) -> list[tuple[int, int] | None]:
    """The 1-based line span of each reference of one file (None: it has no line)."""
    lines = source.split("\n")
    starts = sorted({r.location.line for r in references if r.location.line is not None})
    out: list[tuple[int, int] | None] = []
    for reference in references:
        line = reference.location.line
        if line is None:
            out.append(None)
            continue
        following = [s for s in starts if s > line]
        limit = following[0] - 1 if following else len(lines)
        end = line + reference.text.count("\n")
        probe = line
        while probe < limit and probe < len(lines) and lines[probe].strip():
            probe += 1  # lines[probe] is line probe + 1
        end = max(end, probe)
        out.append((_first_line(reference, lines), max(end, line)))
    return out


def touched(
    references: Sequence[Reference], source: str, lines: frozenset[int] | None
) -> list[Reference]:
    """The references of one file that the changed ``lines`` touch (None: all of them)."""
    if lines is None:
        return list(references)
    kept: list[Reference] = []
    for reference, span in zip(references, spans(references, source), strict=True):
        if span is None or any(span[0] <= line <= span[1] for line in lines):
            kept.append(reference)
    return kept


def changed_files(paths: Iterable[Path], changes: Changes) -> list[Path]:
    return [path for path in paths if changes.touches_file(path)]
