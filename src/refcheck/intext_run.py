"""In-text citations in a ``check`` run: what the CLI keeps of each verdict to link the
citations of its posts once every verdict is in, and what it reports of them.

A run streams verdicts and keeps only light copies (see cli._light), which have lost the
authors and years linking needs; this keeps, for references read from posts alone (BibTeX
and CSL-JSON have no prose), the little that :func:`refcheck.intext.link` reads. Every
verdict of a post is kept here, whatever the policy or the baseline hides, so that a
citation of a hidden entry is still linked (not reported as pointing at nothing).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from rich.console import Console
from rich.text import Text

from refcheck import intext
from refcheck.models import CitationFinding, Reference, Severity, Verdict, Work
from refcheck.policy import FailOn, Policy, fail_rank
from refcheck.readers import load_text, read_bibtex, read_csljson, read_path, reader_for
from refcheck.readers.citations import front_matter_keys, read_citations
from refcheck.report import text as text_report
from refcheck.report.model import InText

__all__ = ["InTextRun", "is_post"]


def is_post(path: str | Path | None) -> bool:
    """A file whose prose may cite: not a bibliography (BibTeX, CSL-JSON)."""
    if path is None:
        return False
    reader = reader_for(path)
    return reader is not None and reader not in (read_bibtex, read_csljson)


def _linkable(verdict: Verdict) -> Verdict:
    """What linking reads of a verdict: the reference's place, authors, year, title and
    suppressions, and the work's years."""
    reference = verdict.reference
    slim = Reference.model_construct(
        location=reference.location,
        text=reference.text,
        authors=reference.authors,
        year=reference.year,
        doi=reference.doi,
        title=reference.title,
        problem=reference.problem,
        suppress=reference.suppress,
    )
    work = verdict.work
    return verdict.model_copy(
        update={
            "reference": slim,
            "findings": (),
            "work": None
            if work is None
            else Work.model_construct(
                doi=work.doi,
                # A link that is the citation names the work's first author.
                authors=work.authors[:1],
                published_print=work.published_print,
                published_online=work.published_online,
                issued=work.issued,
                published=work.published,
            ),
        }
    )


class InTextRun:
    """Verdicts of posts as they come (:meth:`take`), then the citations linked (:meth:`finish`)."""

    def __init__(self) -> None:
        self._entries: list[Verdict] = []
        # Index among the verdicts taken -> index in the report's kept verdicts.
        self._kept_at: dict[int, int] = {}
        self.findings: list[CitationFinding] = []
        self.linked = intext.Linked()

    def take(self, raw: Verdict, kept_index: int | None) -> None:
        location = raw.reference.location
        if is_post(location.path):
            entry = _linkable(raw)
        elif location.key:
            # A bibliography entry a post's front matter may cite by key: its place is all
            # that linking reads (kept small, as a bibliography may be long).
            entry = raw.model_copy(
                update={
                    "reference": Reference.model_construct(location=location, authors=()),
                    "findings": (),
                    "work": None,
                }
            )
        else:
            return
        if kept_index is not None:
            self._kept_at[len(self._entries)] = kept_index
        self._entries.append(entry)

    def finish(self, files: Iterable[Path], policy: Policy) -> None:
        """Read the posts' citations, link them, keep the findings the policy keeps."""
        citations = []
        defined: dict[str | None, frozenset[str]] = {}
        # The post's list entries as the run read them: every verdict of a post was taken,
        # so the file need not be parsed again to know which lines hold the list.
        listed: dict[str | None, list[Reference]] = {}
        for entry in self._entries:
            listed.setdefault(entry.reference.location.path, []).append(entry.reference)
        for path in files:
            if is_post(path):
                text = load_text(path)
                citations.extend(read_citations(text, str(path), listed.get(str(path), [])))
                keys = front_matter_keys(text, str(path), read_path)
                if keys is not None:
                    defined[str(path)] = keys
        linked = intext.link(citations, self._entries, defined)
        self.findings = intext.apply_policy(linked.findings, policy, self._entries)
        # Re-indexed to the report's verdicts: an entry the report leaves out has none.
        self.linked = intext.Linked(
            linked.citations,
            linked.findings,
            {
                self._kept_at[n]: linked.cited_by(n)
                for n in range(len(self._entries))
                if n in self._kept_at and linked.cited_by(n)
            },
        )

    def in_text(self) -> InText:
        return InText(self.linked, self.findings)

    def failing(self, fail_on: FailOn) -> bool:
        least = fail_rank(fail_on)
        return least is not None and any(f.finding.severity.rank >= least for f in self.findings)

    def write(self, console: Console, *, show_info: bool = False) -> None:
        """One line a finding, as ``path:line:column: severity CODE message``."""
        for item in self.findings:
            finding = item.finding
            if finding.severity is Severity.INFO and not show_info:
                continue
            where = text_report.clean(item.path or "-", 200)
            place = f"{where}:{item.line or 0}" + (f":{item.column}" if item.column else "")
            line = f"{place}: {finding.severity.value} {finding.code} "
            console.print(Text(line + text_report.clean(finding.message)), soft_wrap=True)
