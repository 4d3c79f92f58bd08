"""BibTeX / BibLaTeX files -> references, one per entry, in file order.

bibtexparser 2 splits the file into blocks (entries, ``@string``, comments, failed blocks)
and keeps going after a broken entry; values are resolved here rather than by its
middlewares, so that ``@string`` macros, ``#`` concatenation and month macros work and
braces protect names until they are split.

:func:`iter_bibtex` reads as it goes: the text is cut into groups of entries at lines that
start an entry, and each group is parsed on its own (see "streaming" below), so a file of
any size is read in the memory of one group. :func:`read_bibtex` is the same as a list;
:func:`open_bibtex` checks a file now and streams it when iterated.

* ``location``: the path as given, the 1-based line of the entry's ``@``, the entry key.
* ``text``: the entry as written in the file.
* A broken entry (unclosed brace, no key, duplicate key, duplicate field, ...) becomes a
  Reference with ``problem`` set; the rest of the file still reads. A broken ``@string``
  or ``@comment`` is reported the same way, since it can swallow what follows it.
* ``% refcheck: ignore[RC301,RC601]`` on the comment line(s) right before an entry, or a
  field ``refcheck-ignore = {RC301}``, fills ``suppress``.
* Where a field appears twice, the first value counts (as in BibTeX) and the entry is
  flagged with a problem.
* ``@string`` macros expand in the entries after them, with their latest value (as in
  BibTeX: a macro used before its definition is kept as its name).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from bibtexparser.exceptions import BlockAbortedException
from bibtexparser.model import (
    Block,
    DuplicateBlockKeyBlock,
    DuplicateFieldKeyBlock,
    Entry,
    ImplicitComment,
    ParsingFailedBlock,
    String,
)
from bibtexparser.splitter import Splitter

from refcheck.errors import InputError
from refcheck.models import Location, Reference
from refcheck.readers.files import MAX_STREAM_BYTES, TextFile, open_text, split_lines
from refcheck.readers.names import decode_latex, split_bibtex_authors
from refcheck.readers.text import clean_doi

# bibtexparser logs every failed block as a warning; refcheck reports them itself, as
# references with a problem, so its log would only say the same thing twice.
logging.getLogger("bibtexparser").setLevel(logging.ERROR)

_MONTHS: Mapping[str, str] = {
    "jan": "January",
    "feb": "February",
    "mar": "March",
    "apr": "April",
    "may": "May",
    "jun": "June",
    "jul": "July",
    "aug": "August",
    "sep": "September",
    "oct": "October",
    "nov": "November",
    "dec": "December",
}
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_DIRECTIVE = re.compile(r"^\s*%+\s*refcheck\s*:\s*ignore\s*\[([^\]]*)\]", re.IGNORECASE)
_CODE_SEPARATORS = re.compile(r"[\s,;]+")
_BLOCK_HEAD = re.compile(r"@\s*(\w*)\s*[{(]\s*([^,\s{}()=\"]*)")
_PAREN_BLOCK = re.compile(r"@\s*\w*\s*\(")
_URL_MACRO = re.compile(r"^\\url\s*\{(.*)\}$", re.DOTALL)
_TEX_ESCAPE = re.compile(r"\\([_%&#$~])")
_ISSN_SEPARATORS = re.compile(r"[\s,;]+")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")


def _suppress_codes(value: str) -> tuple[str, ...]:
    return tuple(code.upper() for code in _CODE_SEPARATORS.split(value) if code)


def _directive_codes(comment: str) -> tuple[str, ...]:
    """Codes of the ``% refcheck: ignore[...]`` lines that end a comment block."""
    codes: list[str] = []
    for line in reversed(comment.strip().split("\n")):
        match = _DIRECTIVE.match(line)
        if match is None:
            break
        codes[:0] = _suppress_codes(match.group(1))
    return tuple(codes)


def _split_concatenation(value: str) -> list[str]:
    """``a # " and " # {B}`` -> ``['a', '" and "', '{B}']``: ``#`` outside braces/quotes."""
    if "#" not in value:  # nearly every value: no need to walk it character by character
        return [value.strip()]
    pieces: list[str] = []
    depth, in_quotes, start = 0, False, 0
    for index, char in enumerate(value):
        escaped = index > 0 and value[index - 1] == "\\"
        if char == "{" and not escaped:
            depth += 1
        elif char == "}" and not escaped and depth > 0:
            depth -= 1
        elif char == '"' and depth == 0 and not escaped:
            in_quotes = not in_quotes
        elif char == "#" and depth == 0 and not in_quotes:
            pieces.append(value[start:index].strip())
            start = index + 1
    pieces.append(value[start:].strip())
    return pieces


def _resolve(value: str, macros: Mapping[str, str]) -> str:
    """A raw field value -> its LaTeX text: enclosing removed, macros expanded, ``#`` joined.

    An undefined macro is kept as its name: it is usually an abbreviation a reader can
    still recognise (``journal = ajnr``), and dropping it would hide the mistake.
    """
    out: list[str] = []
    for piece in _split_concatenation(value):
        if len(piece) >= 2 and (piece[0], piece[-1]) in {("{", "}"), ('"', '"')}:
            out.append(piece[1:-1])
        elif piece.isdigit():
            out.append(piece)
        else:
            name = piece.lower()
            out.append(macros.get(name, _MONTHS.get(name, piece)))
    return "".join(out)


def _text(value: str | None) -> str | None:
    if value is None:
        return None
    return decode_latex(value) or None


def _verbatim(value: str | None) -> str | None:
    """DOIs and URLs: only TeX escapes and braces undone (``\\_`` is ``_``), no decoding."""
    if value is None:
        return None
    value = value.strip()
    macro = _URL_MACRO.match(value)
    if macro:
        value = macro.group(1)
    value = _TEX_ESCAPE.sub(r"\1", value).replace("{", "").replace("}", "")
    return " ".join(value.split()) or None


def _year(*values: str | None) -> int | None:
    for value in values:
        if value:
            match = _YEAR.search(value)
            if match:
                return int(match.group(1))
    return None


def _entry_reference(
    entry: Entry,
    macros: Mapping[str, str],
    path: str | None,
    line: int | None,
    suppress: tuple[str, ...],
    problem: str | None,
) -> Reference:
    fields: dict[str, str] = {}
    for field in entry.fields:
        name = field.key.strip().lower()
        if name not in fields and isinstance(field.value, str):  # first value wins
            fields[name] = _resolve(field.value, macros)

    key = entry.key.strip()
    if problem is None and not key:
        problem = "BibTeX entry has no key"
    elif problem is None and any(char.isspace() for char in key):
        problem = f"BibTeX entry key {key!r} contains a space (is a comma missing?)"

    authors, truncated = split_bibtex_authors(fields.get("author", ""))
    if "refcheck-ignore" in fields:
        suppress = (*suppress, *_suppress_codes(fields["refcheck-ignore"]))
    container = next(
        (fields[name] for name in ("journal", "journaltitle", "booktitle") if fields.get(name)),
        None,
    )
    issn = fields.get("issn", "")
    return Reference(
        location=Location(path=path, line=line, key=key or None),
        text=(entry.raw or "").strip(),
        entry_type=entry.entry_type.strip().lower() or None,
        authors=authors,
        authors_truncated=truncated,
        title=_text(fields.get("title")),
        container=_text(container),
        year=_year(fields.get("year"), fields.get("date")),
        volume=_text(fields.get("volume")),
        issue=_text(fields.get("number") or fields.get("issue")),
        pages=_text(fields.get("pages")),
        doi=clean_doi(_verbatim(fields.get("doi"))),
        url=_verbatim(fields.get("url")),
        issn=tuple(part for part in _ISSN_SEPARATORS.split(_verbatim(issn) or "") if part),
        problem=problem,
        suppress=tuple(dict.fromkeys(suppress)),
    )


def _failure_message(block: ParsingFailedBlock, kind: str) -> str:
    what = "entry" if kind not in {"string", "comment", "preamble"} else f"@{kind}"
    error = block.error
    reason = error.abort_reason if isinstance(error, BlockAbortedException) else str(error)
    reason = " ".join(reason.replace("`", "'").split())
    if "Unexpected block start" in reason or "end of file" in reason:
        paren = _PAREN_BLOCK.match(block.raw or "") is not None
        if "looking for field-value closing '\"'" in reason:
            reason = "missing closing quote"
        else:
            reason = "missing closing parenthesis" if paren else "missing closing brace"
    elif "Expected comma after entry key" in reason:
        reason = "no entry key, or no comma after it"
    return f"BibTeX {what} could not be parsed: {reason}"


def _failed_reference(
    block: ParsingFailedBlock,
    text: str,
    path: str | None,
    line: int | None,
    suppress: tuple[str, ...],
) -> Reference:
    head = _BLOCK_HEAD.match(text)
    kind = head.group(1).lower() if head else ""
    key = head.group(2) if head else ""
    return Reference(
        location=Location(path=path, line=line, key=key or None),
        text=text.strip(),
        entry_type=kind or None,
        problem=_failure_message(block, kind),
        suppress=suppress,
    )


# --- streaming ----------------------------------------------------------------------------
#
# bibtexparser's splitter ends whatever block it is in at an "@type{" (or "@type(") that
# starts a line, whitespace aside, and starts a new block there. So the text can be cut
# at such lines into groups, and each group parsed on its own, with the same blocks as one
# parse of the whole file, provided the parser of a group also sees the line that starts
# the next one: that is how it knows how the group's last block ends (a block left open
# reports the same error, and its text stops at the same place). Blocks starting on that
# borrowed line are dropped; the next group parses them. What one parse of the whole file
# does across groups is redone here: duplicate keys, and ``@string`` macros.

_ENTRY_START = re.compile(r"[^\S\n]*@\w*[ \t]*[{(]")  # the splitter's block start, at line start
_ENTRY_STARTS = re.compile(r"^[^\S\n]*@(\w*)[ \t]*[{(]", re.MULTILINE)
_NOT_ENTRIES = ("comment", "preamble", "string")  # prefixes, as the splitter reads them
GROUP_SIZE = 128  # blocks parsed at a time: few enough to stream, many enough to be cheap


@dataclass(frozen=True, slots=True)
class _Placed:
    """A block and the number of lines before its group: its 1-based line is known."""

    block: Block
    offset: int

    @property
    def line(self) -> int | None:
        # bibtexparser counts lines from 0; refcheck, like editors, from 1.
        start = self.block.start_line
        return None if start is None else self.offset + start + 1

    @property
    def last_line(self) -> int:
        raw = (self.block.raw or "").rstrip()
        return self.offset + (self.block.start_line or 0) + raw.count("\n")


def _groups(lines: Iterable[str], size: int) -> Iterator[tuple[int, int, str]]:
    """(lines before the group, lines in it, its text with the next group's first line)."""
    buffer: list[str] = []
    starts = 0
    first = number = 0
    for line in lines:
        if "@" in line and _ENTRY_START.match(line):
            if starts >= size:
                yield first, number - first, "".join(buffer) + line
                buffer.clear()
                starts, first = 0, number
            starts += 1
        buffer.append(line)
        number += 1
    if buffer:
        yield first, number - first, "".join(buffer)


class _LineSplitter(Splitter):
    """bibtexparser's splitter, counting every line. Its own does not count a line break
    right after a backslash (an abstract's ``\\\\`` at the end of a line), and every line
    number after it is then one short."""

    def __init__(self, bibstr: str) -> None:
        super().__init__(bibstr)
        self._counted_to = 0  # the index in self.bibstr that self._newlines counts up to
        self._newlines = 0

    def _next_mark(self, accept_eof: bool) -> re.Match[str] | None:
        try:
            return super()._next_mark(accept_eof)
        finally:
            index: int = vars(self)["_current_char_index"]  # set by the splitter, untyped
            if index >= self._counted_to:
                self._newlines += self.bibstr.count("\n", self._counted_to, index)
            else:
                self._newlines -= self.bibstr.count("\n", index, self._counted_to)
            self._counted_to = index
            # The splitter reads a "\n" it put before the text: lines count from 0.
            self._current_line = self._newlines - 1


def _placed_blocks(lines: Iterable[str], path: str | None, size: int) -> Iterator[_Placed]:
    for offset, count, text in _groups(lines, size):
        try:
            splitter = _LineSplitter(text) if "\\\n" in text else Splitter(text)
            blocks = splitter.split().blocks
        except Exception as exc:  # a parser bug must not become a traceback
            where = path or "<bibtex>"
            raise InputError(f"{where}: the BibTeX parser failed: {exc}") from exc
        for block in blocks:
            if (block.start_line or 0) >= count:
                break  # the next group's first line: parsed with that group
            if isinstance(block, DuplicateBlockKeyBlock) and block.ignore_error_block is not None:
                # Duplicates are told across groups below; within one they are the same.
                block = block.ignore_error_block
            yield _Placed(block, offset)


def iter_bibtex(
    source: str | Iterable[str], path: str | None, *, group_size: int = GROUP_SIZE
) -> Iterator[Reference]:
    """Every entry of a BibTeX file, in order, as it is read; broken entries carry a
    ``problem``. ``source`` is the whole text, or its lines (each with its ``\\n``, as
    :meth:`TextFile.lines` gives them). Memory holds one group of entries at a time.

    A ``@string`` macro expands in the entries after its definition, with its latest
    value, as in BibTeX. Raises InputError only if the parser itself fails.
    """
    lines = split_lines(source) if isinstance(source, str) else source
    blocks = _placed_blocks(lines, path, max(group_size, 1))
    macros: dict[str, str] = {}
    first_use: dict[str, int | None] = {}  # entry key -> the line it was first used on
    suppress: tuple[str, ...] = ()
    ahead: _Placed | None = None
    while True:
        placed = ahead if ahead is not None else next(blocks, None)
        ahead = None
        if placed is None:
            return
        block = placed.block
        if isinstance(block, ImplicitComment):
            suppress = _directive_codes(block.comment)
            continue
        if isinstance(block, String):
            # A redefinition replaces the value (as in BibTeX, with a warning there).
            if isinstance(block.value, str):
                macros[block.key.strip().lower()] = _resolve(block.value, macros)
            suppress = ()
            continue
        if isinstance(block, DuplicateFieldKeyBlock) and isinstance(
            block.ignore_error_block, Entry
        ):
            names = ", ".join(sorted(block.duplicate_keys))
            problem = f"BibTeX entry has a field twice: {names}"
            yield _entry_reference(
                block.ignore_error_block, macros, path, placed.line, suppress, problem
            )
        elif isinstance(block, ParsingFailedBlock):
            entry_text = (block.raw or "").strip()
            after: tuple[str, ...] = ()
            following = next(blocks, None)
            if (
                following is not None
                and isinstance(following.block, ImplicitComment)
                and (following.line or 1) - 1 <= placed.last_line
            ):
                # The rest of an aborted entry, from where the parser gave up to the next
                # blank line, is filed as a comment; it belongs to the entry's text.
                rest, *comment = _BLANK_LINE.split(following.block.comment, maxsplit=1)
                entry_text = f"{entry_text} {rest.strip()}"
                after = _directive_codes(comment[0]) if comment else ()
            else:
                ahead = following
            yield _failed_reference(block, entry_text, path, placed.line, suppress)
            suppress = after
            continue
        elif isinstance(block, Entry):
            problem = None
            if block.key in first_use:
                first = first_use[block.key]
                problem = f"duplicate BibTeX key {block.key!r} (first used on line {first})"
            else:
                first_use[block.key] = placed.line
            yield _entry_reference(block, macros, path, placed.line, suppress, problem)
        suppress = ()


def read_bibtex(text: str, path: str | None) -> list[Reference]:
    """Every entry of a BibTeX file, in order; broken entries carry a ``problem``."""
    return list(iter_bibtex(text, path))


@dataclass(frozen=True, slots=True)
class BibtexFile:
    """A BibTeX file checked for reading (:func:`open_bibtex`); iterating reads its entries
    one after another, in bounded memory, each time afresh."""

    file: TextFile
    path: str  # as recorded in each reference's location

    def __iter__(self) -> Iterator[Reference]:
        return iter_bibtex(self.file.lines(), self.path)

    def count(self) -> int:
        """How many entries the file starts (a quick scan of line heads, for progress):
        every reference read but those a broken ``@string`` or an ``@`` inside a line
        makes."""
        return sum(
            1
            for piece in self.file.pieces()
            for kind in _ENTRY_STARTS.findall(piece)
            if not kind.lower().startswith(_NOT_ENTRIES)
        )


def open_bibtex(path: Path, *, max_bytes: int = MAX_STREAM_BYTES) -> BibtexFile:
    """A BibTeX file to stream: checked now (exists, is text, within ``max_bytes``), read
    as it is iterated. Raises InputError, one line."""
    return BibtexFile(open_text(path, max_bytes=max_bytes), str(path))
