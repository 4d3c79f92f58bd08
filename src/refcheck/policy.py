"""What a run reports and when it fails: rule selection, severity overrides, suppressions.

Pure functions over verdicts; the CLI decides where the policy comes from (config, flags).

Order of application, per reference:

1. severity overrides (``[severity] RC502 = "warning"``) change each finding's severity;
2. a finding is dropped when its code is not selected, is ignored, is ignored for the
   reference's file (``per-file-ignores``) or is suppressed by the reference itself
   (``% refcheck: ignore[RC601]`` and the like; ``*`` suppresses every code);
3. the verdict's status is recomputed from what remains: a mismatch whose errors are all
   gone is ``verified``. ``not_found``, ``unverified`` and ``invalid`` keep their status.

An entry that could not be read has no findings: it stands for rule RC001 (invalid-entry),
which can be overridden and suppressed like any rule. A suppressed invalid entry is left
out of the verdicts altogether, since every report shows an invalid entry as an error.
"""

from __future__ import annotations

import enum
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from refcheck.errors import ConfigError
from refcheck.models import Finding, Reference, Severity, Status, Verdict
from refcheck.rules import BY_CODE, BY_NAME

INVALID_CODE = "RC001"
ALL = "ALL"
_PREFIX = re.compile(r"^RC\d{0,3}$")


class FailOn(enum.StrEnum):
    """The least a reference must have for the run to exit 1, strictest last."""

    ERROR = "error"  # an error finding, or an entry that could not be read
    WARNING = "warning"  # ... or a warning
    UNVERIFIED = "unverified"  # ... or a reference that could not be checked
    NEVER = "never"  # exit 0 whatever was found


def selector_codes(selector: str) -> frozenset[str] | None:
    """The codes a selector names: a code (RC301), a prefix (RC3), a name, or ALL; else None."""
    text = selector.strip()
    if not text:
        return None
    if text.upper() == ALL:
        return frozenset(BY_CODE)
    rule = BY_CODE.get(text.upper()) or BY_NAME.get(text.lower())
    if rule is not None:
        return frozenset({rule.code})
    if _PREFIX.match(text.upper()):
        codes = frozenset(code for code in BY_CODE if code.startswith(text.upper()))
        return codes or None
    return None


def resolve_selectors(selectors: Iterable[str], origin: str) -> frozenset[str]:
    """Every code the selectors name; ConfigError naming the first that names none."""
    codes: set[str] = set()
    for selector in selectors:
        found = selector_codes(selector)
        if found is None:
            raise ConfigError(
                f"{origin}: unknown rule '{selector}' (use a code like RC301, a prefix like "
                "RC3, a name like author-missing, or ALL; see 'refcheck rules')"
            )
        codes |= found
    return frozenset(codes)


def _specificity(selector: str) -> int:
    """How narrowly a selector names codes: exact codes and names beat prefixes, and longer
    prefixes beat shorter ones, so ``RC6 = "warning"`` and ``RC601 = "error"`` combine."""
    text = selector.strip()
    if text.upper() == ALL:
        return 0
    if text.upper() in BY_CODE or text.lower() in BY_NAME:
        return 10
    return len(text)


def resolve_severities(table: Mapping[str, str], origin: str) -> dict[str, Severity]:
    """``{selector: level}`` -> ``{code: Severity}``; the most specific selector wins."""
    resolved: dict[str, Severity] = {}
    for selector in sorted(table, key=_specificity):
        level = table[selector]
        try:
            severity = Severity(str(level).strip().lower())
        except ValueError:
            levels = ", ".join(s.value for s in Severity)
            raise ConfigError(
                f"{origin}: severity of '{selector}' must be one of {levels}, not {level!r}"
            ) from None
        for code in resolve_selectors([selector], origin):
            resolved[code] = severity
    return resolved


# --- paths and globs ----------------------------------------------------------------------


def _glob_regex(pattern: str) -> re.Pattern[str]:
    """A gitignore-like glob as a regex on a POSIX path: ``*`` and ``?`` stay within one
    folder, ``**`` crosses folders, ``[...]`` is a set."""
    out: list[str] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if pattern.startswith("**/", index):
            out.append("(?:.*/)?")
            index += 3
            continue
        if pattern.startswith("**", index):
            out.append(".*")
            index += 2
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            end = pattern.find("]", index + 1)
            if end == -1:
                out.append(re.escape(char))
            else:
                body = pattern[index + 1 : end]
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append(f"[{body.replace(chr(92), chr(92) * 2)}]")
                index = end + 1
                continue
        else:
            out.append(re.escape(char))
        index += 1
    return re.compile("".join(out) + r"\Z")


@dataclass(frozen=True, slots=True)
class Glob:
    """A path pattern. Without a ``/`` it matches a file or folder name at any depth; with
    one, the path from the root. A folder that matches takes everything inside it."""

    pattern: str
    _regex: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        text = self.pattern.strip().replace("\\", "/")
        text = text.removeprefix("./").rstrip("/")
        if "/" not in text:
            text = f"**/{text}"
        object.__setattr__(self, "_regex", _glob_regex(text.lstrip("/")))

    def matches(self, relative: str) -> bool:
        """Does the pattern match this root-relative POSIX path, or a folder above it?"""
        path = PurePosixPath(relative)
        candidates = [path, *list(path.parents)[:-1]]  # the path, then each folder above
        return any(self._regex.match(str(candidate)) for candidate in candidates)


def relative_to(path: str | Path, root: Path) -> str:
    """``path`` as a POSIX path relative to ``root``; outside it, the absolute path."""
    absolute = os.path.abspath(path)
    try:
        relative = os.path.relpath(absolute, os.path.abspath(root))
    except ValueError:  # another drive, on Windows
        return Path(absolute).as_posix()
    if relative == ".." or relative.startswith(".." + os.sep):
        return Path(absolute).as_posix()
    return Path(relative).as_posix()


def keep_file(path: Path, root: Path, include: Sequence[Glob], exclude: Sequence[Glob]) -> bool:
    """Is a file to be read under ``include`` (none: every file) and ``exclude``?"""
    relative = relative_to(path, root)
    if include and not any(glob.matches(relative) for glob in include):
        return False
    return not any(glob.matches(relative) for glob in exclude)


# --- the policy ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Policy:
    """Which findings count and how much. The default reports every rule at its severity."""

    select: frozenset[str] | None = None  # None: every rule
    ignore: frozenset[str] = frozenset()
    per_file_ignores: tuple[tuple[Glob, frozenset[str]], ...] = ()
    severity: Mapping[str, Severity] = field(default_factory=dict)
    # The folder per-file-ignores globs are relative to (the config file's).
    root: Path = field(default_factory=Path)

    def enabled(self, code: str) -> bool:
        if self.select is not None and code not in self.select:
            return False
        return code not in self.ignore

    def file_ignores(self, path: str | None) -> frozenset[str]:
        if path is None or not self.per_file_ignores:
            return frozenset()
        relative = relative_to(path, self.root)
        codes: set[str] = set()
        for glob, ignored in self.per_file_ignores:
            if glob.matches(relative):
                codes |= ignored
        return frozenset(codes)

    def severity_of(self, code: str, default: Severity) -> Severity:
        return self.severity.get(code, default)


def inline_codes(reference: Reference) -> tuple[frozenset[str], bool]:
    """The codes a reference suppresses itself, and whether it suppresses all of them.

    Readers record what the source says; names and prefixes work as in the config, and an
    unknown code suppresses nothing (it is reported as a note, never as an error)."""
    codes: set[str] = set()
    everything = False
    for item in reference.suppress:
        if item.strip() == "*":
            everything = True
            continue
        codes |= selector_codes(item) or frozenset()
    return frozenset(codes), everything


def suppressed_by(reference: Reference, code: str) -> bool:
    codes, everything = inline_codes(reference)
    return everything or code in codes


def with_findings(verdict: Verdict, findings: Sequence[Finding]) -> Verdict:
    """The verdict with only ``findings``; a matched status follows what remains."""
    status = verdict.status
    if status in (Status.VERIFIED, Status.MISMATCH):
        has_error = any(f.severity is Severity.ERROR for f in findings)
        status = Status.MISMATCH if has_error else Status.VERIFIED
    return verdict.model_copy(update={"findings": tuple(findings), "status": status})


def apply_verdict(verdict: Verdict, policy: Policy) -> Verdict | None:
    """One verdict under the policy; None when it is an invalid entry whose RC001 is off."""
    reference = verdict.reference
    file_ignored = policy.file_ignores(reference.location.path)

    def kept(code: str) -> bool:
        return (
            policy.enabled(code) and code not in file_ignored and not suppressed_by(reference, code)
        )

    if verdict.status is Status.INVALID:
        return verdict if kept(INVALID_CODE) else None
    findings: list[Finding] = []
    for found in verdict.findings:
        if not kept(found.code):
            continue
        severity = policy.severity_of(found.code, found.severity)
        findings.append(
            found if severity is found.severity else found.model_copy(update={"severity": severity})
        )
    if len(findings) == len(verdict.findings) and all(
        a is b for a, b in zip(findings, verdict.findings, strict=True)
    ):
        return verdict
    return with_findings(verdict, findings)


def apply(verdicts: Iterable[Verdict], policy: Policy) -> list[Verdict]:
    """Every verdict under the policy, in order; suppressed invalid entries left out."""
    out: list[Verdict] = []
    for verdict in verdicts:
        applied = apply_verdict(verdict, policy)
        if applied is not None:
            out.append(applied)
    return out


def filter_findings(
    verdicts: Iterable[Verdict], keep: Callable[[Verdict, Finding | None], bool]
) -> list[Verdict]:
    """Verdicts with only the findings ``keep`` accepts (statuses recomputed). An invalid
    entry is asked about as ``keep(verdict, None)`` and left out when refused."""
    out: list[Verdict] = []
    for verdict in verdicts:
        if verdict.status is Status.INVALID:
            if keep(verdict, None):
                out.append(verdict)
            continue
        findings = [f for f in verdict.findings if keep(verdict, f)]
        out.append(
            verdict if len(findings) == len(verdict.findings) else with_findings(verdict, findings)
        )
    return out


# --- unused inline suppressions -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Note:
    """Something worth a line under the text report that is not a finding."""

    reference: Reference
    message: str


def unused_suppressions(verdicts: Iterable[Verdict]) -> list[Note]:
    """Inline suppressions that suppressed nothing in this run, and unknown codes in them.

    Judged on the raw verdicts (before the policy). Only references that were checked
    count: one that could not be looked up or read might have needed its suppression.
    """
    notes: list[Note] = []
    for verdict in verdicts:
        reference = verdict.reference
        if not reference.suppress or verdict.status in (Status.UNVERIFIED, Status.INVALID):
            continue
        fired = {f.code for f in verdict.findings}
        for item in reference.suppress:
            if item.strip() == "*":
                if not fired:
                    notes.append(Note(reference, "'refcheck: ignore' suppresses nothing here"))
                continue
            codes = selector_codes(item)
            if codes is None:
                notes.append(Note(reference, f"'refcheck: ignore[{item}]' names no rule"))
            elif not codes & fired:
                notes.append(Note(reference, f"'refcheck: ignore[{item}]' suppresses nothing here"))
    return notes


# --- exit policy --------------------------------------------------------------------------


def fail_rank(fail_on: FailOn) -> int | None:
    """The least severity rank that fails the run under ``fail_on``; None: nothing does."""
    return {
        FailOn.ERROR: Severity.ERROR.rank,
        FailOn.WARNING: Severity.WARNING.rank,
        FailOn.UNVERIFIED: Severity.WARNING.rank,
        FailOn.NEVER: None,
    }[fail_on]


def failing(verdict: Verdict, fail_on: FailOn, policy: Policy | None = None) -> bool:
    """Does this (already policy-applied) verdict fail the run under ``fail_on``?"""
    threshold = fail_rank(fail_on)
    if threshold is None:
        return False
    if verdict.status is Status.INVALID:
        severity = (policy or Policy()).severity_of(INVALID_CODE, BY_CODE[INVALID_CODE].severity)
        return severity.rank >= threshold
    if fail_on is FailOn.UNVERIFIED and verdict.status is Status.UNVERIFIED:
        return True
    return any(f.severity.rank >= threshold for f in verdict.findings)


def fails(verdicts: Iterable[Verdict], fail_on: FailOn, policy: Policy | None = None) -> bool:
    """Does the run fail? Unverified references fail it only under ``unverified``."""
    return any(failing(verdict, fail_on, policy) for verdict in verdicts)


__all__ = [
    "ALL",
    "INVALID_CODE",
    "FailOn",
    "Glob",
    "Note",
    "Policy",
    "apply",
    "apply_verdict",
    "fail_rank",
    "failing",
    "fails",
    "filter_findings",
    "inline_codes",
    "keep_file",
    "relative_to",
    "resolve_selectors",
    "resolve_severities",
    "selector_codes",
    "suppressed_by",
    "unused_suppressions",
    "with_findings",
]
