"""Readers: files in, :class:`~refcheck.models.Reference` values out.

Which reader reads a file is decided by its suffix alone (:data:`SUFFIXES`), so that a
folder can be expanded without opening its files. Every reader has the same shape,
``reader(text, path) -> list[Reference]``: it gets the decoded text and the path to
record in each reference's location, and turns what it cannot read into references with
a ``problem`` (or raises InputError when the whole file is unreadable).

BibTeX files can also be streamed (:func:`open_path`, :func:`iter_path`): checked when
opened, then read entry by entry as they are iterated, so a file of 100,000 entries never
sits in memory whole. Other formats are small and read whole.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

from refcheck.errors import InputError
from refcheck.models import Reference
from refcheck.readers.bibtex import BibtexFile, iter_bibtex, open_bibtex, read_bibtex
from refcheck.readers.csljson import read_csljson
from refcheck.readers.files import (
    MAX_BYTES,
    MAX_STREAM_BYTES,
    TextFile,
    iter_files,
    load_text,
    open_text,
)
from refcheck.readers.html import read_html
from refcheck.readers.markdown import read_markdown
from refcheck.readers.text import find_dois, read_text

Reader = Callable[[str, str | None], list[Reference]]

# Posts: Markdown and HTML by their own readers; plain text and reStructuredText as text.
SUFFIXES: Mapping[str, Reader] = {
    ".bib": read_bibtex,
    ".bibtex": read_bibtex,
    ".json": read_csljson,
    ".csljson": read_csljson,
    ".md": read_markdown,
    ".markdown": read_markdown,
    # Quarto and R Markdown posts are Markdown with front matter and code chunks.
    ".qmd": read_markdown,
    ".rmd": read_markdown,
    ".txt": read_text,
    ".text": read_text,
    ".html": read_html,
    ".htm": read_html,
    ".rst": read_text,
}


def reader_for(path: Path | str) -> Reader | None:
    """The reader for a file, by its suffix (case-insensitive); None if there is none."""
    return SUFFIXES.get(Path(path).suffix.lower())


def _reader(path: Path) -> Reader:
    reader = reader_for(path)
    if reader is None:
        known = ", ".join(SUFFIXES)
        kind = f"'{path.suffix}' files" if path.suffix else "files without a suffix"
        raise InputError(f"{path}: refcheck cannot read {kind} (it reads {known})")
    return reader


def read_path(path: Path) -> list[Reference]:
    """Every reference in one file, its path recorded as given. Raises InputError."""
    return _reader(path)(load_text(path), str(path))


def open_path(path: Path) -> list[Reference] | BibtexFile:
    """One file's references, ready to be iterated: a BibTeX file is checked now and read
    as it is iterated (up to :data:`MAX_STREAM_BYTES`); any other file is read now. Raises
    InputError for what :func:`read_path` refuses, at the call."""
    reader = _reader(path)
    if reader is read_bibtex:
        return open_bibtex(path)
    return reader(load_text(path), str(path))


def iter_path(path: Path) -> Iterator[Reference]:
    """:func:`open_path`'s references one by one (the file is checked at the call)."""
    return iter(open_path(path))


__all__ = [
    "MAX_BYTES",
    "MAX_STREAM_BYTES",
    "SUFFIXES",
    "BibtexFile",
    "Reader",
    "TextFile",
    "find_dois",
    "iter_bibtex",
    "iter_files",
    "iter_path",
    "load_text",
    "open_bibtex",
    "open_path",
    "open_text",
    "read_bibtex",
    "read_csljson",
    "read_html",
    "read_markdown",
    "read_path",
    "read_text",
    "reader_for",
]
