"""``refcheck fix``: Crossref's values written into a BibTeX file, as a reviewable diff.

Edits are made on the file's raw text, one field value at a time: the span of the value is
replaced and everything else (other entries, comments, spacing, alignment, line endings,
the encoding) stays byte for byte the same. The file is never re-serialised.

What is fixed, on a reference matched to a Crossref work:

* every field with an error finding: volume (RC601), issue (RC602), first page (RC603),
  last page (RC604; a warning there means Crossref's own range is doubtful, so it is left),
  year (RC401), title (RC201), a container made an error by a severity override (RC501),
  a DOI of another work when the right one was found (RC102);
* a missing DOI (RC103): a ``doi = {...}`` field is added after the last field, laid out
  like it.

Authors are not fixed: a name list is rewritten by hand more safely than by a tool. A
value built from ``@string`` macros or ``#`` concatenation is left alone, with a note.
Pages are written BibTeX-style (``811--816``); the year is the print year, as most styles
cite it.
"""

from __future__ import annotations

import codecs
import difflib
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

from pylatexenc.latexencode import unicode_to_latex

from refcheck.models import Finding, Reference, Severity, Status, Verdict, Work
from refcheck.resolve.protocol import normalise_doi

# Rule code -> the BibTeX fields it may be written to (the first present one is edited).
FIELDS_OF: dict[str, tuple[str, ...]] = {
    "RC601": ("volume",),
    "RC602": ("number", "issue"),
    "RC603": ("pages",),
    "RC604": ("pages",),
    "RC401": ("year",),
    "RC201": ("title",),
    "RC501": ("journal", "journaltitle", "booktitle"),
    "RC102": ("doi",),
}
# Fixed whatever their severity: a fact Crossref states, not a matter of style.
ALWAYS_FIXED = frozenset({"RC103"})

_RANGE_DASH = re.compile(r"\s*(?:-{1,2}|–|—)\s*")
_FIELD_NAME = re.compile(r"[^\s=,{}()\"#%]+")
_BARE = re.compile(r"[^\s,#{}()\"]+")


@dataclass(frozen=True, slots=True)
class FieldSpan:
    """One ``name = value`` of an entry: where the name and the value are in the text."""

    name: str
    name_start: int
    name_end: int
    equals: int
    value_start: int
    value_end: int
    kind: str  # "braced", "quoted", "bare" or "concatenated"


@dataclass(frozen=True, slots=True)
class EntrySpan:
    key: str
    start: int
    end: int  # just past the closing brace
    close: int  # the closing brace's offset
    fields: tuple[FieldSpan, ...]

    def field(self, *names: str) -> FieldSpan | None:
        for name in names:
            for span in self.fields:
                if span.name == name:
                    return span  # the first occurrence counts, as in BibTeX
        return None


@dataclass(frozen=True, slots=True)
class Edit:
    """One change: ``text[start:end]`` becomes ``replacement``."""

    start: int
    end: int
    replacement: str
    key: str
    field: str
    code: str


@dataclass(frozen=True, slots=True)
class Plan:
    edits: tuple[Edit, ...]
    notes: tuple[str, ...]  # what was not fixed, and why


class _Scanner:
    def __init__(self, text: str, index: int) -> None:
        self.text = text
        self.index = index

    def skip_space(self) -> None:
        while self.index < len(self.text) and self.text[self.index].isspace():
            self.index += 1

    def peek(self) -> str:
        return self.text[self.index] if self.index < len(self.text) else ""

    def braced(self) -> None:
        """Past a ``{...}`` group (at its ``{``), nested braces counted."""
        depth = 0
        while self.index < len(self.text):
            char = self.text[self.index]
            escaped = self.index > 0 and self.text[self.index - 1] == "\\"
            self.index += 1
            if char == "{" and not escaped:
                depth += 1
            elif char == "}" and not escaped:
                depth -= 1
                if depth == 0:
                    return
        raise ValueError("unbalanced braces")

    def quoted(self) -> None:
        """Past a ``"..."`` value (at its first quote); quotes inside braces do not end it."""
        self.index += 1
        depth = 0
        while self.index < len(self.text):
            char = self.text[self.index]
            escaped = self.text[self.index - 1] == "\\"
            self.index += 1
            if char == "{" and not escaped:
                depth += 1
            elif char == "}" and not escaped:
                depth -= 1
            elif char == '"' and depth == 0 and not escaped:
                return
        raise ValueError("unclosed quote")


def scan_entry(text: str, start: int) -> EntrySpan:
    """The entry whose ``@`` is at ``start``: its key and field spans. ValueError if broken."""
    head = re.compile(r"@\s*\w+\s*([{(])").match(text, start)
    if head is None:
        raise ValueError("no entry starts here")
    closing = "}" if head.group(1) == "{" else ")"
    scan = _Scanner(text, head.end())
    scan.skip_space()
    key_start = scan.index
    while scan.peek() not in ("", ",", closing) and not scan.peek().isspace():
        scan.index += 1
    key = text[key_start : scan.index]
    fields: list[FieldSpan] = []
    while True:
        scan.skip_space()
        char = scan.peek()
        if char == ",":
            scan.index += 1
            continue
        if char == closing:
            return EntrySpan(key, start, scan.index + 1, scan.index, tuple(fields))
        name = _FIELD_NAME.match(text, scan.index)
        if name is None:
            raise ValueError(f"unexpected {char!r} in entry {key}")
        scan.index = name.end()
        scan.skip_space()
        if scan.peek() != "=":
            raise ValueError(f"field {name.group()} has no '='")
        equals = scan.index
        scan.index += 1
        scan.skip_space()
        value_start = scan.index
        pieces: list[str] = []
        while True:
            char = scan.peek()
            if char == "{":
                scan.braced()
                pieces.append("braced")
            elif char == '"':
                scan.quoted()
                pieces.append("quoted")
            else:
                bare = _BARE.match(text, scan.index)
                if bare is None:
                    raise ValueError(f"field {name.group()} has no value")
                scan.index = bare.end()
                pieces.append("bare")
            value_end = scan.index
            scan.skip_space()
            if scan.peek() != "#":
                break
            scan.index += 1
            scan.skip_space()
        kind = pieces[0] if len(pieces) == 1 else "concatenated"
        fields.append(
            FieldSpan(
                name.group().lower(),
                name.start(),
                name.end(),
                equals,
                value_start,
                value_end,
                kind,
            )
        )


def line_offset(text: str, line: int) -> int:
    """The offset where 1-based ``line`` starts."""
    offset = 0
    for _ in range(line - 1):
        found = text.find("\n", offset)
        if found == -1:
            return len(text)
        offset = found + 1
    return offset


def find_entry(text: str, reference: Reference) -> EntrySpan:
    """The entry a BibTeX reference was read from, by its line and key."""
    line = reference.location.line
    if line is None:
        raise ValueError("the reference has no line")
    offset = line_offset(text, line)
    at = text.find("@", offset)
    line_end = text.find("\n", offset)
    if at == -1 or (line_end != -1 and at > line_end):
        raise ValueError(f"no entry starts on line {line}")
    entry = scan_entry(text, at)
    if reference.location.key and entry.key != reference.location.key:
        raise ValueError(f"line {line} holds entry {entry.key!r}, not {reference.location.key!r}")
    return entry


# --- values --------------------------------------------------------------------------------


def bibtex_pages(pages: str) -> str:
    """``811-816`` (or an en dash) -> ``811--816``; a single page or article number as is."""
    parts = [part for part in _RANGE_DASH.split(pages.strip()) if part]
    return "--".join(parts) if len(parts) == 2 else pages.strip()


_LATEX_ESCAPES: dict[str, str] = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def latex_text(value: str, *, ascii_only: bool) -> str:
    """Crossref text as BibTeX text: entities undone, LaTeX specials escaped, and non-ASCII
    as LaTeX macros when the file must stay ASCII (or Windows-1252)."""
    value = "".join(_LATEX_ESCAPES.get(char, char) for char in html.unescape(value))
    if ascii_only and not value.isascii():
        value = str(unicode_to_latex(value, non_ascii_only=True))
    return value


def _delimited(value: str, old: FieldSpan) -> str:
    """The new value in the old one's delimiters; a bare value stays bare if it can."""
    if old.kind == "bare" and value.isdigit():
        return value
    if old.kind == "quoted" and '"' not in value:
        return f'"{value}"'
    return f"{{{value}}}"


def _balanced(value: str) -> bool:
    depth = 0
    for index, char in enumerate(value):
        if index > 0 and value[index - 1] == "\\":
            continue
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def crossref_value(code: str, found: Finding, work: Work, *, ascii_only: bool) -> str | None:
    """Crossref's value for the field a finding is about, written for BibTeX; None: no fix."""
    if code == "RC601":
        return work.volume
    if code == "RC602":
        return work.issue
    if code in ("RC603", "RC604"):
        pages = work.page or work.article_number
        return bibtex_pages(pages) if pages else None
    if code == "RC401":
        return str(work.year) if work.year else None
    if code == "RC201":
        title = f"{work.title}: {work.subtitle}" if work.title and work.subtitle else work.title
        return latex_text(title, ascii_only=ascii_only) if title else None
    if code == "RC501":
        container = work.container_title[0] if work.container_title else None
        return latex_text(container, ascii_only=ascii_only) if container else None
    if code in ("RC102", "RC103"):
        # RC102 names the right DOI only when the search found the cited work.
        expected = normalise_doi(found.expected) if found.expected else None
        if expected is None or expected != normalise_doi(work.doi):
            return None
        return work.doi if _balanced(work.doi) else None
    return None


def fixable(found: Finding) -> bool:
    if found.code in ALWAYS_FIXED:
        return True
    return found.code in FIELDS_OF and found.severity is Severity.ERROR


# --- planning -----------------------------------------------------------------------------


def _newline(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def _equals_columns(text: str, entry: EntrySpan) -> list[int]:
    """The column of "=" of every field that starts its own line."""
    columns: list[int] = []
    for span in entry.fields:
        line_start = text.rfind("\n", 0, span.name_start) + 1
        if (
            text[line_start : span.name_start].strip() == ""
            and "\n" not in text[span.name_start : span.equals]
        ):
            columns.append(span.equals - line_start)
    return columns


def _added_field(text: str, entry: EntrySpan, name: str, value: str) -> Edit | None:
    """A new ``name = {value}`` after the entry's last field, laid out like that field."""
    last = entry.fields[-1] if entry.fields else None
    if last is None:
        return None
    nl = _newline(text)
    line_start = text.rfind("\n", 0, last.name_start) + 1
    indent = text[line_start : last.name_start]
    between = text[last.value_end : entry.close]
    comma = between.lstrip().startswith(",")
    after_comma = last.value_end + between.index(",") + 1 if comma else last.value_end
    before_eq = text[last.name_end : last.equals]
    after_eq = text[last.equals + 1 : last.value_start]
    if indent.strip() == "" and "\n" not in before_eq + after_eq:
        # Its own line; "=" in the fields' column when they line theirs up, else spaced
        # like the last field.
        gap = before_eq if before_eq.strip() == "" and before_eq else " "
        columns = _equals_columns(text, entry)
        if len(columns) > 1 and len(set(columns)) == 1 and "\t" not in indent:
            gap = " " * max(1, columns[0] - len(indent) - len(name))
        body = f"{indent}{name}{gap}={after_eq}{{{value}}}"
        if comma:
            return Edit(after_comma, after_comma, f"{nl}{body},", entry.key, name, "RC103")
        return Edit(last.value_end, last.value_end, f",{nl}{body}", entry.key, name, "RC103")
    # An entry on one line: the new field goes on it too.
    if comma:
        return Edit(after_comma, after_comma, f" {name} = {{{value}}},", entry.key, name, "RC103")
    return Edit(last.value_end, last.value_end, f", {name} = {{{value}}}", entry.key, name, "RC103")


def plan_entry(text: str, verdict: Verdict, *, ascii_only: bool) -> Plan:
    """The edits that give one entry Crossref's values."""
    reference, work = verdict.reference, verdict.work
    if work is None or verdict.status not in (Status.VERIFIED, Status.MISMATCH):
        return Plan((), ())
    wanted = [f for f in verdict.findings if fixable(f)]
    if not wanted:
        return Plan((), ())
    label = reference.location.key or f"line {reference.location.line}"
    try:
        entry = find_entry(text, reference)
    except ValueError as exc:
        return Plan((), (f"{label}: not fixed: {exc}",))
    edits: list[Edit] = []
    notes: list[str] = []
    done: set[str] = set()
    for found in wanted:
        value = crossref_value(found.code, found, work, ascii_only=ascii_only)
        if value is None:
            continue
        if found.code == "RC103":
            if entry.field("doi") is None:
                added = _added_field(text, entry, "doi", value)
                if added is not None:
                    edits.append(added)
                continue
            names: tuple[str, ...] = ("doi",)
        else:
            names = FIELDS_OF[found.code]
        span = entry.field(*names)
        if span is None or span.name in done:
            continue
        if span.kind == "concatenated" or (span.kind == "bare" and not span_is_number(text, span)):
            notes.append(
                f"{label}: {span.name} not fixed: its value uses a @string macro or '#'; "
                f"Crossref has {value}"
            )
            continue
        done.add(span.name)
        replacement = _delimited(value, span)
        if text[span.value_start : span.value_end] != replacement:
            edits.append(
                Edit(
                    span.value_start, span.value_end, replacement, entry.key, span.name, found.code
                )
            )
    return Plan(tuple(edits), tuple(notes))


def span_is_number(text: str, span: FieldSpan) -> bool:
    return text[span.value_start : span.value_end].isdigit()


def plan(text: str, verdicts: Sequence[Verdict], *, ascii_only: bool | None = None) -> Plan:
    """Every edit for the verdicts of one file, and what could not be fixed. New text is
    written in LaTeX macros when ``ascii_only`` (by default: when the file is all ASCII)."""
    ascii_only = text.isascii() if ascii_only is None else ascii_only
    edits: list[Edit] = []
    notes: list[str] = []
    for verdict in verdicts:
        entry_plan = plan_entry(text, verdict, ascii_only=ascii_only)
        edits.extend(entry_plan.edits)
        notes.extend(entry_plan.notes)
    return Plan(tuple(edits), tuple(notes))


def apply_edits(text: str, edits: Sequence[Edit]) -> str:
    """The text with every edit made; overlapping edits keep the first and drop the rest."""
    chosen: list[Edit] = []
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        if chosen and edit.start < chosen[-1].end:
            continue
        chosen.append(edit)
    for edit in reversed(chosen):
        text = text[: edit.start] + edit.replacement + text[edit.end :]
    return text


def unified_diff(old: str, new: str, path: str) -> str:
    """A ``git apply``-able unified diff of the change, empty when there is none."""
    if old == new:
        return ""

    def lines(text: str) -> list[str]:
        out = text.splitlines(keepends=True)
        if out and not out[-1].endswith("\n"):
            out[-1] += "\n\\ No newline at end of file\n"
        return out

    name = path.replace("\\", "/").removeprefix("./")
    return "".join(difflib.unified_diff(lines(old), lines(new), f"a/{name}", f"b/{name}"))


# --- the file's bytes ---------------------------------------------------------------------

_BOMS: tuple[tuple[bytes, str], ...] = (
    # UTF-32 first: its little-endian BOM starts with UTF-16's.
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


@dataclass(frozen=True, slots=True)
class Source:
    """A file's text as it is (its own line endings) and how to write it back."""

    text: str
    encoding: str
    bom: bytes = b""

    @property
    def ascii_only(self) -> bool:
        """New values must be ASCII: the file is, or its encoding holds little else."""
        return self.text.isascii() or self.encoding == "cp1252"

    def encode(self, text: str) -> bytes:
        """Raises UnicodeEncodeError when the encoding cannot hold the text."""
        return self.bom + text.encode(self.encoding)


def decode(data: bytes) -> Source:
    """Raw bytes as text, keeping everything needed to write the same bytes back."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return Source(data[len(bom) :].decode(encoding), encoding, bom)
    try:
        return Source(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        return Source(data.decode("cp1252"), "cp1252")
