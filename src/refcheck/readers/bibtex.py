"""BibTeX / BibLaTeX files -> references, one per entry, in file order.

bibtexparser 2 splits the file into blocks (entries, ``@string``, comments, failed blocks)
and keeps going after a broken entry; values are resolved here rather than by its
middlewares, so that ``@string`` macros, ``#`` concatenation and month macros work and
braces protect names until they are split.

* ``location``: the path as given, the 1-based line of the entry's ``@``, the entry key.
* ``text``: the entry as written in the file.
* A broken entry (unclosed brace, no key, duplicate key, duplicate field, ...) becomes a
  Reference with ``problem`` set; the rest of the file still reads. A broken ``@string``
  or ``@comment`` is reported the same way, since it can swallow what follows it.
* ``% refcheck: ignore[RC301,RC601]`` on the comment line(s) right before an entry, or a
  field ``refcheck-ignore = {RC301}``, fills ``suppress``.
* Where a field appears twice, the first value counts (as in BibTeX) and the entry is
  flagged with a problem.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping

from bibtexparser.entrypoint import parse_string
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

from refcheck.errors import InputError
from refcheck.models import Location, Reference
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


def _string_block(block: Block) -> String | None:
    """An ``@string``, also one bibtexparser set aside for redefining a name."""
    if isinstance(block, DuplicateBlockKeyBlock):
        block = block.ignore_error_block or block
    return block if isinstance(block, String) else None


def _macros(blocks: list[Block]) -> dict[str, str]:
    """``@string`` definitions in file order; each may use the ones before it, and a
    redefinition replaces the earlier value (as in BibTeX, with a warning there)."""
    macros: dict[str, str] = {}
    for candidate in blocks:
        block = _string_block(candidate)
        if block is not None and isinstance(block.value, str):
            macros[block.key.strip().lower()] = _resolve(block.value, macros)
    return macros


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
        location=Location(path=path, line=_line(entry), key=key or None),
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


def _line(block: Block) -> int | None:
    # bibtexparser counts lines from 0; refcheck, like editors, from 1.
    return None if block.start_line is None else block.start_line + 1


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
    block: ParsingFailedBlock, text: str, path: str | None, suppress: tuple[str, ...]
) -> Reference:
    head = _BLOCK_HEAD.match(text)
    kind = head.group(1).lower() if head else ""
    key = head.group(2) if head else ""
    return Reference(
        location=Location(path=path, line=_line(block), key=key or None),
        text=text.strip(),
        entry_type=kind or None,
        problem=_failure_message(block, kind),
        suppress=suppress,
    )


def _last_line(block: Block) -> int:
    return (block.start_line or 0) + (block.raw or "").rstrip().count("\n")


def read_bibtex(text: str, path: str | None) -> list[Reference]:
    """Every entry of a BibTeX file, in order; broken entries carry a ``problem``."""
    try:
        library = parse_string(text, parse_stack=[])
    except Exception as exc:  # a parser bug must not become a traceback
        where = path or "<bibtex>"
        raise InputError(f"{where}: the BibTeX parser failed: {exc}") from exc

    blocks = list(library.blocks)
    macros = _macros(blocks)
    references: list[Reference] = []
    suppress: tuple[str, ...] = ()
    index = 0
    while index < len(blocks):
        block = blocks[index]
        index += 1
        if isinstance(block, ImplicitComment):
            suppress = _directive_codes(block.comment)
            continue
        if _string_block(block) is not None:
            suppress = ()
            continue
        if isinstance(block, DuplicateBlockKeyBlock) and isinstance(
            block.ignore_error_block, Entry
        ):
            first = _line(block.previous_block)
            problem = f"duplicate BibTeX key {block.key!r} (first used on line {first})"
            references.append(
                _entry_reference(block.ignore_error_block, macros, path, suppress, problem)
            )
        elif isinstance(block, DuplicateFieldKeyBlock) and isinstance(
            block.ignore_error_block, Entry
        ):
            names = ", ".join(sorted(block.duplicate_keys))
            problem = f"BibTeX entry has a field twice: {names}"
            references.append(
                _entry_reference(block.ignore_error_block, macros, path, suppress, problem)
            )
        elif isinstance(block, ParsingFailedBlock):
            entry_text = (block.raw or "").strip()
            after: tuple[str, ...] = ()
            following = blocks[index] if index < len(blocks) else None
            ends = _last_line(block)
            if isinstance(following, ImplicitComment) and (following.start_line or 0) <= ends:
                # The rest of an aborted entry, from where the parser gave up to the next
                # blank line, is filed as a comment; it belongs to the entry's text.
                index += 1
                rest, *comment = _BLANK_LINE.split(following.comment, maxsplit=1)
                entry_text = f"{entry_text} {rest.strip()}"
                after = _directive_codes(comment[0]) if comment else ()
            references.append(_failed_reference(block, entry_text, path, suppress))
            suppress = after
            continue
        elif isinstance(block, Entry):
            references.append(_entry_reference(block, macros, path, suppress, None))
        suppress = ()
    return references
