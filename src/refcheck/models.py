"""The domain, in one place: what a citation says, what Crossref holds, what was found.

Every model is frozen: references, works and findings are values that flow through the
pipeline (readers -> resolve -> compare -> report) and are never edited in place.
"""

from __future__ import annotations

import enum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Status(enum.StrEnum):
    """The verdict on one reference."""

    VERIFIED = "verified"  # matched a registered work; no finding of severity error
    MISMATCH = "mismatch"  # matched a work, and at least one field is wrong
    NOT_FOUND = "not_found"  # the cited DOI is unknown, or no candidate validated
    UNVERIFIED = "unverified"  # could not be checked (network, rate limit, bad answer)
    INVALID = "invalid"  # the entry itself could not be read
    # A work no registry holds (a web page, a news article, a blog post, code without a DOI):
    # nothing to check it against, and nothing wrong with citing it.
    SKIPPED = "skipped"


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"info": 0, "warning": 1, "error": 2}[self.value]


FieldName = Literal[
    "doi",
    "title",
    "authors",
    "year",
    "container",
    "volume",
    "issue",
    "pages",
    "type",
    "retraction",
    "citation",  # an in-text citation against the post's reference list
]


class Location(_Model):
    """Where a reference was read: file, 1-based line, BibTeX key."""

    path: str | None = None
    line: int | None = None
    key: str | None = None


class Person(_Model):
    """An author as a person (family/given) or a group (``literal``).

    ``family`` keeps its particle as written ("van der Kallen", "el Barzouhi"); comparison
    folds particles, so readers need not agree on where a particle belongs.
    """

    family: str | None = None
    given: str | None = None
    literal: str | None = None

    @property
    def is_group(self) -> bool:
        return self.literal is not None and not self.family

    def display(self) -> str:
        if self.is_group:
            return self.literal or ""
        if self.given:
            return f"{self.given} {self.family or ''}".strip()
        return self.family or self.literal or ""


class Reference(_Model):
    """What a citation says, as read from its source. Any field may be missing."""

    location: Location = Field(default_factory=Location)
    text: str = ""
    entry_type: str | None = None
    authors: tuple[Person, ...] = ()
    # The author list ends with "et al." or "and others": only a prefix was cited.
    authors_truncated: bool = False
    title: str | None = None
    container: str | None = None
    year: int | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    doi: str | None = None
    url: str | None = None
    issn: tuple[str, ...] = ()
    # Set when the entry could not be read; the reference is reported as invalid.
    problem: str | None = None
    # Rule codes suppressed for this reference by the source (inline comments, fields).
    suppress: tuple[str, ...] = ()
    # Fields read from free text that the parser is sure of; None for structured sources
    # (BibTeX, CSL-JSON), whose fields are all as the writer gave them. Findings on a field
    # the parser only guessed are checked against the raw text before they are reported.
    confident: frozenset[str] | None = None

    @property
    def free_text(self) -> bool:
        return self.confident is not None


class Update(_Model):
    """A notice Crossref links to a work through ``updated-by``."""

    type: str
    doi: str | None = None
    source: str | None = None
    label: str | None = None
    year: int | None = None


DateParts = tuple[int, ...]


class Work(_Model):
    """A registered work (a Crossref works record, or a DataCite record made into the same
    shape by :mod:`refcheck.resolve.datacite_records`), reduced to what a citation can be
    compared with.

    Built by :meth:`from_crossref` from the JSON of ``/works/{doi}`` or one item of a
    ``/works`` list; tolerant of any missing field, since records differ across API eras.
    """

    doi: str
    type: str | None = None
    title: str | None = None
    subtitle: str | None = None
    short_title: str | None = None
    container_title: tuple[str, ...] = ()
    short_container_title: tuple[str, ...] = ()
    issn: tuple[str, ...] = ()
    isbn: tuple[str, ...] = ()
    publisher: str | None = None
    volume: str | None = None
    issue: str | None = None
    page: str | None = None
    article_number: str | None = None
    authors: tuple[Person, ...] = ()
    published_print: DateParts | None = None
    published_online: DateParts | None = None
    issued: DateParts | None = None
    published: DateParts | None = None
    updated_by: tuple[Update, ...] = ()
    preprint_of: tuple[str, ...] = ()
    score: float | None = None
    # The registry the record came from, for messages: "Crossref" or "DataCite".
    registry: str = "Crossref"

    @property
    def years(self) -> tuple[int, ...]:
        """Every year a reader could rightly cite: print, online, issued, published."""
        found: list[int] = []
        for parts in (self.published_print, self.issued, self.published_online, self.published):
            if parts and parts[0] not in found:
                found.append(parts[0])
        return tuple(found)

    @property
    def year(self) -> int | None:
        """The year to show: print first (what most styles cite), then issued."""
        years = self.years
        return years[0] if years else None

    @classmethod
    def from_crossref(cls, record: dict[str, Any]) -> Work:
        from refcheck.resolve.records import work_from_record

        return work_from_record(record)


class Finding(_Model):
    """One thing that does not match (or is worth knowing), on one field."""

    code: str
    field: FieldName
    severity: Severity
    cited: str | None = None
    expected: str | None = None
    message: str


SourceOutcome = Literal["answered", "not-found", "unreachable", "not-asked"]


class Consulted(_Model):
    """One source asked about a reference, and what came of it.

    ``source``: ``snapshot``, ``cache``, ``crossref``, ``agency`` (the DOI's registration
    agency looked up), ``datacite``, ``arxiv``, ``doi.org`` (content negotiation for another
    agency's DOI), or that agency (``medra``...: unreachable where it serves no record).
    ``outcome``: ``answered`` (it holds the work, or gave candidates), ``not-found`` (it
    answered that it does not hold it), ``unreachable`` (no usable answer), ``not-asked``.
    """

    source: str
    outcome: SourceOutcome


class Verdict(_Model):
    """The outcome for one reference: its status, the work it matched, the findings."""

    reference: Reference
    status: Status
    work: Work | None = None
    score: float | None = None
    findings: tuple[Finding, ...] = ()
    # Why the reference is unverified, not found or invalid; empty when verified.
    message: str | None = None
    # The sources asked, in the order they were asked, and each one's outcome.
    sources: tuple[Consulted, ...] = ()


class InTextCitation(_Model):
    """One work cited in a post's prose, where it stands (1-based line and column).

    ``kind``: ``author-year`` ("(Kasch et al., 2022)", "Kasch et al. (2022)"), ``numeric``
    ("[3]", "[1-4]": ``numbers``), ``key`` ("[@kasch2022]": ``key``). ``authors`` are the
    cited family names in order; ``et_al`` says the list goes on. ``tentative``: a narrative
    "Smith (2019)", which may be no citation at all; it is only taken when it is linked.
    """

    path: str | None = None
    line: int
    column: int
    text: str
    kind: Literal["author-year", "numeric", "key"]
    authors: tuple[str, ...] = ()
    et_al: bool = False
    year: int | None = None
    year_suffix: str | None = None
    numbers: tuple[int, ...] = ()
    key: str | None = None
    # The DOI a link that is the citation points at ("[Kasch et al., 2021](https://doi.org/...)").
    doi: str | None = None
    narrative: bool = False
    tentative: bool = False
    # Rule codes a ``refcheck: ignore[...]`` comment on the citation's line suppresses.
    suppress: tuple[str, ...] = ()


class CitationFinding(_Model):
    """A finding on an in-text citation, or on a list entry no citation points at, where
    it stands; ``citation`` is None for an entry never cited."""

    path: str | None
    line: int | None
    column: int | None
    text: str
    finding: Finding
    citation: InTextCitation | None = None


# --- the JSON contract -------------------------------------------------------------------
# Tools and benchmarks read these names; they change only with a major version.


class ReportFinding(_Model):
    code: str
    field: FieldName
    severity: Severity
    cited: str | None
    expected: str | None
    message: str


class ReportCitation(_Model):
    """An in-text citation where it stands, and the findings on it (RC801-RC805)."""

    path: str | None
    line: int
    column: int
    text: str
    findings: list[ReportFinding] = Field(default_factory=list)


class ReportEntry(_Model):
    path: str | None
    line: int | None
    key: str | None
    text: str
    status: Status
    doi: str | None = Field(description="DOI of the matched work (Crossref or DataCite)")
    cited_doi: str | None = Field(description="DOI as the reference cites it")
    score: float | None
    message: str | None = None
    findings: list[ReportFinding]
    sources: list[Consulted] = Field(
        default_factory=list, description="the sources asked, in order, and each one's outcome"
    )
    citations: list[ReportCitation] = Field(
        default_factory=list, description="the in-text citations that point at this entry"
    )


class Summary(_Model):
    total: int
    verified: int = 0
    mismatch: int = 0
    not_found: int = 0
    unverified: int = 0
    invalid: int = 0
    skipped: int = 0
    errors: int = 0
    warnings: int = 0
    infos: int = 0


class Report(_Model):
    refcheck: str
    summary: Summary
    # Before "references": the JSON emitter writes that list last, entry by entry.
    unlinked_citations: list[ReportCitation] = Field(
        default_factory=list,
        description="in-text citations that point at no entry of their post's reference list",
    )
    references: list[ReportEntry]
