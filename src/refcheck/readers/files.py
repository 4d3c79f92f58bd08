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
"""

from __future__ import annotations

import codecs
import os
import stat
from collections.abc import Iterator, Sequence
from pathlib import Path

from refcheck.errors import InputError

MAX_BYTES = 20 * 2**20
_SNIFF = 8192
_CONTROL_SHARE = 0.10
_ALLOWED_CONTROLS = frozenset("\t\n\r\f\v\x1b")
_BOMS: tuple[tuple[bytes, str], ...] = (
    # UTF-32 first: its little-endian BOM starts with UTF-16's.
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
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


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise InputError(f"{path}: is a directory, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise InputError(f"{path}: not a regular file")
        if info.st_size > max_bytes:
            raise _too_large(path, info.st_size, max_bytes)
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except (FileNotFoundError, NotADirectoryError) as exc:
        raise InputError(f"{path}: no such file") from exc
    except PermissionError as exc:
        raise InputError(f"{path}: permission denied") from exc
    except IsADirectoryError as exc:
        raise InputError(f"{path}: is a directory, not a file") from exc
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    if len(data) > max_bytes:  # it grew since stat(), or stat() does not know its size
        raise _too_large(path, None, max_bytes)
    return data


def _decode(path: Path, data: bytes) -> str:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding).removeprefix("\ufeff")
            except UnicodeDecodeError as exc:
                raise InputError(
                    f"{path}: starts with a {encoding.upper().removesuffix('-SIG')} "
                    f"byte-order mark but is not valid {encoding.upper().removesuffix('-SIG')} "
                    f"(byte offset {exc.start})"
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
