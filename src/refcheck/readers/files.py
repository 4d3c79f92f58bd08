"""Files to read: folders expanded, bytes checked and decoded to text.

Decoding, in order (the first that applies wins):

1. A byte-order mark decides: UTF-8 (``utf-8-sig``), UTF-32 or UTF-16. A file with a BOM
   that does not decode in that encoding is an error, not a guess.
2. NUL bytes in the first 8 KiB: binary, refused.
3. Valid UTF-8: UTF-8 (ASCII included).
4. Not UTF-8, but valid Windows-1252: Windows-1252. Old .bib files exported on Windows or
   saved as Latin-1 ("B\\xfclow") read correctly this way; Latin-1 and Windows-1252 agree
   on every printable character, and no UTF-8 text is ever read as Windows-1252.
5. Otherwise: refused, with the offending byte's offset.

Text whose first 8 KiB are more than 10% control characters is refused as binary as
well. Line endings are normalised to ``\\n`` (``\\r\\n`` and a lone ``\\r``), so line
numbers count the way editors do.

Two ways in, with the same checks and the same one-line errors: :func:`load_text` reads a
whole file (at most :data:`MAX_BYTES`), and :func:`open_text` checks a file in one pass
over its bytes, holding none of them, and hands back a :class:`TextFile` that is then read
piece by piece (at most :data:`MAX_STREAM_BYTES`). Streaming is for BibTeX, whose entries
are read one after another; a 100,000-entry file is 30-60 MB.
"""

from __future__ import annotations

import codecs
import io
import os
import stat
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from refcheck.errors import InputError

MAX_BYTES = 20 * 2**20
# Files read as a stream are held one piece at a time, so their size costs time, not
# memory; the limit only refuses what is surely no reference list (a disk image renamed).
MAX_STREAM_BYTES = 2**30
_SNIFF = 8192
_PIECE = 2**16  # bytes checked, or characters read, at a time
_CONTROL_SHARE = 0.10
_ALLOWED_CONTROLS = frozenset("\t\n\r\f\v\x1b")
# Each byte-order mark with the codec that reads what follows it, and its name in messages.
_BOMS: tuple[tuple[bytes, str, str], ...] = (
    # UTF-32 first: its little-endian BOM starts with UTF-16's.
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"),
)


def _too_large(path: Path, size: int | None, limit: int) -> InputError:
    # Both numbers in the limit's unit, so that they can be compared at a glance.
    def mib(count: int) -> str:
        return f"{count / 2**20:.1f} MiB"

    exact = limit < 2**20 or (size is not None and mib(size) == mib(limit))

    def show(count: int) -> str:
        return f"{count} bytes" if exact else mib(count)

    found = f"{show(size)}; " if size is not None else ""
    return InputError(f"{path}: file is too large ({found}the limit is {show(limit)})")


@contextmanager
def _os_errors(path: Path) -> Iterator[None]:
    """OSError -> InputError, one line naming the path."""
    try:
        yield
    except (FileNotFoundError, NotADirectoryError) as exc:
        raise InputError(f"{path}: no such file") from exc
    except PermissionError as exc:
        raise InputError(f"{path}: permission denied") from exc
    except IsADirectoryError as exc:
        raise InputError(f"{path}: is a directory, not a file") from exc
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from exc


def _regular_size(path: Path, max_bytes: int) -> int:
    """The size of a regular file within the limit; InputError otherwise (inside _os_errors)."""
    info = path.stat()
    if stat.S_ISDIR(info.st_mode):
        raise InputError(f"{path}: is a directory, not a file")
    if not stat.S_ISREG(info.st_mode):
        raise InputError(f"{path}: not a regular file")
    if info.st_size > max_bytes:
        raise _too_large(path, info.st_size, max_bytes)
    return info.st_size


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    with _os_errors(path):
        _regular_size(path, max_bytes)
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:  # it grew since stat(), or stat() does not know its size
        raise _too_large(path, None, max_bytes)
    return data


def _decode(path: Path, data: bytes) -> str:
    for bom, encoding, label in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding).removeprefix("\ufeff")
            except UnicodeDecodeError as exc:
                raise InputError(
                    f"{path}: starts with a {label} byte-order mark but is not valid {label} "
                    f"(byte offset {len(bom) + exc.start})"
                ) from exc
    if b"\x00" in data[:_SNIFF]:
        raise InputError(f"{path}: binary file (contains NUL bytes), not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        pass
    byte = data[utf8_error.start]
    raise InputError(
        f"{path}: not UTF-8 text (byte 0x{byte:02x} at offset {utf8_error.start}) and not "
        "Windows-1252 either; save it as UTF-8"
    )


def _is_control(char: str) -> bool:
    return (char < " " or "\x7f" <= char <= "\x9f") and char not in _ALLOWED_CONTROLS


def load_text(path: Path, *, max_bytes: int = MAX_BYTES) -> str:
    """The text of a file, decoded (see the module doc). Raises InputError, one line."""
    text = _decode(path, _read_bytes(path, max_bytes))
    sample = text[:_SNIFF]
    if sample and sum(map(_is_control, sample)) > _CONTROL_SHARE * len(sample):
        raise InputError(f"{path}: binary file (mostly control characters), not text")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


# --- streamed files ------------------------------------------------------------------------


class _Undecodable(Exception):
    def __init__(self, offset: int, byte: int) -> None:
        super().__init__(offset)
        self.offset, self.byte = offset, byte


def _check_decodes(handle: BinaryIO, start: int, encoding: str) -> str:
    """Decode the file from byte ``start`` to its end, piece by piece, keeping nothing but
    the first characters (returned); _Undecodable with the absolute offset if it fails."""
    handle.seek(start)
    decoder = codecs.getincrementaldecoder(encoding)()
    head: list[str] = []
    kept = 0
    fed = start
    while True:
        data = handle.read(_PIECE)
        pending = len(decoder.getstate()[0])
        try:
            text = decoder.decode(data, final=not data)
        except UnicodeDecodeError as exc:
            offset = fed - pending + exc.start
            raise _Undecodable(offset, exc.object[exc.start]) from None
        fed += len(data)
        if kept < _SNIFF + 1 and text:  # +1: a BOM character may still be taken off
            head.append(text[: _SNIFF + 1 - kept])
            kept += len(head[-1])
        if not data:
            return "".join(head)


@dataclass(frozen=True, slots=True)
class TextFile:
    """A file :func:`open_text` found readable: its codec, where its text starts, its size
    then. Read it with :meth:`pieces` or :meth:`lines`; each call reads it afresh."""

    path: Path
    encoding: str
    start: int  # bytes of byte-order mark skipped
    size: int
    max_bytes: int = MAX_STREAM_BYTES

    def pieces(self) -> Iterator[str]:
        """The text in pieces that each end with a line (the last may lack its ``\\n``),
        decoded and with line endings normalised as :func:`load_text` does. InputError
        if the file can no longer be read as it was checked."""
        with _os_errors(self.path):
            handle = self.path.open("rb")
        # newline=None turns \r\n and a lone \r into \n, across piece boundaries too.
        with io.TextIOWrapper(handle, encoding=self.encoding, newline=None) as text:
            carry = ""
            first = True
            while True:
                try:
                    if first:
                        handle.seek(self.start)  # past the byte-order mark, before any read
                    piece = text.read(_PIECE)
                except UnicodeDecodeError:
                    raise InputError(
                        f"{self.path}: changed while it was read; it is no longer "
                        f"{self.encoding} text"
                    ) from None
                except OSError as exc:
                    raise InputError(
                        f"{self.path}: cannot be read ({exc.strerror or exc})"
                    ) from exc
                if handle.tell() > self.max_bytes:  # it grew since it was checked
                    raise _too_large(self.path, None, self.max_bytes)
                if first:
                    piece = piece.removeprefix("\ufeff")
                    first = False
                if not piece:
                    break
                piece = carry + piece
                cut = piece.rfind("\n") + 1
                carry = piece[cut:]
                if cut:
                    yield piece[:cut]
            if carry:
                yield carry

    def lines(self) -> Iterator[str]:
        """The text line by line, each with its ``\\n`` (the last may lack it). Only
        ``\\n`` ends a line, as in :func:`load_text`'s line numbers."""
        for piece in self.pieces():
            yield from split_lines(piece)


def split_lines(text: str) -> Iterator[str]:
    """``text`` line by line, each keeping its ``\\n``; unlike ``str.splitlines``, no other
    character (form feed, U+2028, ...) ends a line."""
    start = 0
    while start < len(text):
        end = text.find("\n", start) + 1 or len(text)
        yield text[start:end]
        start = end


def open_text(path: Path, *, max_bytes: int = MAX_STREAM_BYTES) -> TextFile:
    """Check that a file reads as text, by :func:`load_text`'s rules and with its messages,
    in one pass over its bytes; the file is then read with :meth:`TextFile.pieces`.
    Raises InputError, one line."""
    with _os_errors(path):
        size = _regular_size(path, max_bytes)
        with path.open("rb") as handle:
            first = handle.read(_SNIFF)
            encoding, start, head = _stream_codec(path, handle, first)
    sample = head.removeprefix("\ufeff")[:_SNIFF]
    if sample and sum(map(_is_control, sample)) > _CONTROL_SHARE * len(sample):
        raise InputError(f"{path}: binary file (mostly control characters), not text")
    return TextFile(path, encoding, start, size, max_bytes)


def _stream_codec(path: Path, handle: BinaryIO, first: bytes) -> tuple[str, int, str]:
    """The codec of the file, the bytes of BOM to skip, its first characters: _decode's
    order of rules, with its messages."""
    for bom, encoding, label in _BOMS:
        if first.startswith(bom):
            try:
                return encoding, len(bom), _check_decodes(handle, len(bom), encoding)
            except _Undecodable as exc:
                raise InputError(
                    f"{path}: starts with a {label} byte-order mark but is not valid {label} "
                    f"(byte offset {exc.offset})"
                ) from None
    if b"\x00" in first:
        raise InputError(f"{path}: binary file (contains NUL bytes), not text")
    try:
        return "utf-8", 0, _check_decodes(handle, 0, "utf-8")
    except _Undecodable as exc:
        utf8_error = exc
    try:
        return "cp1252", 0, _check_decodes(handle, 0, "cp1252")
    except _Undecodable:
        pass
    raise InputError(
        f"{path}: not UTF-8 text (byte 0x{utf8_error.byte:02x} at offset {utf8_error.offset}) "
        "and not Windows-1252 either; save it as UTF-8"
    )


def _walk(folder: Path, wanted: set[str]) -> Iterator[Path]:
    try:
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except PermissionError as exc:
        raise InputError(f"{folder}: permission denied") from exc
    except OSError as exc:
        raise InputError(f"{folder}: cannot be listed ({exc.strerror or exc})") from exc
    for entry in entries:
        if entry.name.startswith("."):  # .git, .venv, editor swap files
            continue
        path = folder / entry.name
        # Symlinked folders are not followed: they can loop, or lead far outside.
        if entry.is_dir(follow_symlinks=False):
            yield from _walk(path, wanted)
        elif entry.is_file() and path.suffix.lower() in wanted:
            yield path


def iter_files(paths: Sequence[Path]) -> Iterator[Path]:
    """The files to read: folders expanded, explicit files kept as given, each file once.

    Folders are walked recursively in name order, skipping hidden entries (``.git``) and
    files with no reader. Every given path is checked at the call, before anything is
    read: one that does not exist raises InputError.
    """
    from refcheck.readers import SUFFIXES  # the suffix table lives with the dispatch

    for path in paths:
        if not path.exists():  # a broken symbolic link included
            raise InputError(f"{path}: no such file or folder")
    return _unique(paths, set(SUFFIXES))


def _unique(paths: Sequence[Path], wanted: set[str]) -> Iterator[Path]:
    seen: set[Path] = set()
    for path in paths:
        found = _walk(path, wanted) if path.is_dir() else iter([path])
        for file in found:
            identity = file.resolve()
            if identity not in seen:
                seen.add(identity)
                yield file
