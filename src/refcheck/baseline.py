"""Baselines: accept today's findings, report only new ones.

A finding's fingerprint is a hash of where it is and what it says, never of its line: the
file (relative to the baseline's folder, so a run from any folder agrees), the reference
(its BibTeX/CSL key, or its text with case and spacing folded), the rule code, the cited
and the expected value. Moving an entry, or editing another one, keeps it baselined; changing
the cited value makes it a new finding. An entry that could not be read is fingerprinted as
rule RC001 on its text.

In-text citation findings (RC801-RC806) are baselined the same way, the citation's text
("citation:(kasch et al., 2021)") standing for the reference.

The file is JSON, sorted, one finding per item, readable in a code review::

    {"refcheck-baseline": 1, "findings": [{"fingerprint": "...", "path": "refs.bib",
      "reference": "brinjikji2015", "code": "RC601", "cited": "35", "expected": "36"}]}
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from refcheck.errors import ConfigError, RefcheckError
from refcheck.models import CitationFinding, Finding, Reference, Status, Verdict
from refcheck.policy import INVALID_CODE, filter_findings

VERSION = 1
_TEXT_LIMIT = 2000


def portable_path(path: str, root: Path) -> str:
    """``path`` relative to ``root`` (``..`` when outside it), with forward slashes: the
    same on every machine that checks out the repository wherever it likes."""
    absolute = os.path.abspath(path)
    try:
        return Path(os.path.relpath(absolute, os.path.abspath(root))).as_posix()
    except ValueError:  # another drive, on Windows
        return Path(absolute).as_posix()


def identity(reference: Reference) -> str:
    """Which reference: its key, else its text with case and spacing folded."""
    if reference.location.key:
        return reference.location.key
    return " ".join(reference.text.split()).casefold()[:_TEXT_LIMIT]


@dataclass(frozen=True, slots=True)
class Entry:
    """One baselined finding, as stored."""

    path: str
    reference: str
    code: str
    cited: str | None
    expected: str | None
    fingerprint: str = field(init=False)

    def __post_init__(self) -> None:
        parts = [self.path, self.reference, self.code, self.cited, self.expected]
        digest = hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode("utf-8"))
        object.__setattr__(self, "fingerprint", digest.hexdigest()[:32])

    def to_json(self) -> dict[str, Any]:
        return {
            "fingerprint": self.fingerprint,
            "path": self.path,
            "reference": self.reference,
            "code": self.code,
            "cited": self.cited,
            "expected": self.expected,
        }


def entry_for(verdict: Verdict, found: Finding | None, root: Path) -> Entry:
    """The baseline entry of one finding (None: the verdict's invalid entry)."""
    reference = verdict.reference
    path = portable_path(reference.location.path, root) if reference.location.path else ""
    if found is None:
        return Entry(path, identity(reference), INVALID_CODE, None, None)
    return Entry(path, identity(reference), found.code, found.cited, found.expected)


def citation_entry(item: CitationFinding, root: Path) -> Entry:
    """The baseline entry of an in-text finding: the citation's text (``citation:`` and
    folded, as a reference's) where a reference's identity goes; an entry never cited, its
    own text."""
    path = portable_path(item.path, root) if item.path else ""
    folded = " ".join(item.text.split()).casefold()[:_TEXT_LIMIT]
    where = f"citation:{folded}" if item.citation is not None else folded
    return Entry(path, where, item.finding.code, item.finding.cited, item.finding.expected)


def entries(verdicts: Iterable[Verdict], root: Path) -> list[Entry]:
    """Every finding of the verdicts (and every invalid entry) as baseline entries."""
    out: list[Entry] = []
    for verdict in verdicts:
        if verdict.status is Status.INVALID:
            out.append(entry_for(verdict, None, root))
        out.extend(entry_for(verdict, f, root) for f in verdict.findings)
    return out


def write_baseline(
    path: Path, verdicts: Sequence[Verdict], citations: Iterable[CitationFinding] = ()
) -> int:
    """Write the verdicts' findings (and the in-text ``citations`` findings) to ``path``;
    the number written."""
    found = entries(verdicts, path.absolute().parent)
    found += [citation_entry(item, path.absolute().parent) for item in citations]
    found.sort(key=lambda e: (e.path, e.reference, e.code, e.cited or "", e.expected or ""))
    document = {"refcheck-baseline": VERSION, "findings": [e.to_json() for e in found]}
    try:
        path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", "utf-8")
    except OSError as exc:
        raise RefcheckError(f"cannot write baseline {path}: {exc.strerror or exc}") from None
    return len(found)


@dataclass(frozen=True, slots=True)
class Baseline:
    """The fingerprints of a baseline file (with how often each occurs) and its folder."""

    fingerprints: Counter[str]
    root: Path


def read_baseline(path: Path) -> Baseline:
    """A baseline file; ConfigError, one line, when it is missing or not a baseline."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: no such baseline (write one with --write-baseline {path})"
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read baseline: {exc}") from None
    if not isinstance(document, dict) or document.get("refcheck-baseline") != VERSION:
        raise ConfigError(f"{path}: not a refcheck baseline (version {VERSION})")
    items = document.get("findings")
    if not isinstance(items, list) or not all(
        isinstance(item, dict) and isinstance(item.get("fingerprint"), str) for item in items
    ):
        raise ConfigError(f"{path}: 'findings' must be a list of objects with a fingerprint")
    return Baseline(Counter(item["fingerprint"] for item in items), path.absolute().parent)


def excuses(baseline: Baseline) -> Callable[[Entry], bool]:
    """Whether the baseline still excuses a finding, counting down: each fingerprint excuses
    as many findings as the baseline holds of it, so a finding baselined once and found
    twice (two entries with the same key in one file) is new the second time. One count-down
    for each run of findings filtered."""
    remaining = Counter(baseline.fingerprints)

    def excused(entry: Entry) -> bool:
        if remaining[entry.fingerprint] > 0:
            remaining[entry.fingerprint] -= 1
            return True
        return False

    return excused


def is_new(baseline: Baseline) -> Callable[[Verdict, Finding | None], bool]:
    """:func:`~refcheck.policy.filter_findings`' test of a verdict's finding (None: its
    invalid entry): True when the baseline does not excuse it (see :func:`excuses`)."""
    excused = excuses(baseline)
    return lambda verdict, found: not excused(entry_for(verdict, found, baseline.root))


def new_findings(verdicts: Sequence[Verdict], baseline: Baseline) -> list[Verdict]:
    """The verdicts with baselined findings removed (statuses recomputed), counted as
    :func:`excuses` says."""
    return filter_findings(verdicts, is_new(baseline))


def new_citation_findings(
    findings: Iterable[CitationFinding], baseline: Baseline
) -> list[CitationFinding]:
    """The in-text findings not in the baseline (counted, as :func:`new_findings`)."""
    excused = excuses(baseline)
    return [item for item in findings if not excused(citation_entry(item, baseline.root))]
