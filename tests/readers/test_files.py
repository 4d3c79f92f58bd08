from __future__ import annotations

import os
from pathlib import Path

import pytest

from refcheck.errors import InputError
from refcheck.readers import (
    SUFFIXES,
    iter_files,
    load_text,
    read_bibtex,
    read_csljson,
    read_html,
    read_markdown,
    read_path,
    read_text,
    reader_for,
)

ENTRY = '@article{bulow, author = {B{\\"u}low, R.}, title = {Spine}}\n'


def _write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


# --- load_text ---------------------------------------------------------------------------


def test_utf8_with_and_without_bom(tmp_path: Path) -> None:
    plain = _write(tmp_path / "a.bib", "Bülow\n".encode())
    bom = _write(tmp_path / "b.bib", b"\xef\xbb\xbf" + "Bülow\n".encode())

    assert load_text(plain) == "Bülow\n"
    assert load_text(bom) == "Bülow\n"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_with_bom(tmp_path: Path, encoding: str) -> None:
    data = "Bülow\n".encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    path = _write(tmp_path / "a.bib", data)

    assert load_text(path) == "Bülow\n"


def test_latin1_and_cp1252_fall_back(tmp_path: Path) -> None:
    latin1 = _write(tmp_path / "latin1.bib", "B\xfclow, Fran\xe7ois\n".encode("latin-1"))
    cp1252 = _write(tmp_path / "cp1252.txt", "“Spine” – 2022 €\n".encode("cp1252"))

    assert load_text(latin1) == "Bülow, François\n"
    assert load_text(cp1252) == "“Spine” – 2022 €\n"


def test_line_endings_are_normalised(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.txt", b"one\r\ntwo\rthree\n")

    assert load_text(path) == "one\ntwo\nthree\n"


def test_empty_file_is_empty_text(tmp_path: Path) -> None:
    assert load_text(_write(tmp_path / "a.bib", b"")) == ""


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file (contains NUL bytes)"),
        (bytes(range(1, 32)) * 40, "binary file (mostly control characters)"),
        # Invalid UTF-8 that is not Windows-1252 either (0x81 is undefined there).
        (b"abc \x81\x8d\x8f\x90 def", "not UTF-8 text (byte 0x81 at offset 4)"),
        (b"\xef\xbb\xbfBad \xff UTF-8 after a BOM", "UTF-8 byte-order mark"),
        (b"\xff\xfe\x00\xd8", "UTF-16 byte-order mark"),
    ],
)
def test_unreadable_contents(tmp_path: Path, data: bytes, message: str) -> None:
    path = _write(tmp_path / "x.bib", data)

    with pytest.raises(InputError) as raised:
        load_text(path)

    assert message in str(raised.value)
    assert str(raised.value).startswith(str(path))
    assert "\n" not in str(raised.value)


def test_oversized_file(tmp_path: Path) -> None:
    path = _write(tmp_path / "big.bib", "x" * 2000)

    assert len(load_text(path, max_bytes=2000)) == 2000
    with pytest.raises(InputError, match=r"too large \(2000 bytes; the limit is 1999 bytes\)"):
        load_text(path, max_bytes=1999)


def test_default_limit_is_20_mib(tmp_path: Path) -> None:
    path = tmp_path / "huge.bib"
    with path.open("wb") as handle:  # sparse: no 20 MiB actually written
        handle.truncate(20 * 2**20 + 1)

    with pytest.raises(InputError, match=r"too large \(20971521 bytes; the limit is 20971520"):
        load_text(path)
    with path.open("wb") as handle:
        handle.truncate(25 * 2**20)
    with pytest.raises(InputError, match=r"too large \(25.0 MiB; the limit is 20.0 MiB\)"):
        load_text(path)


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        load_text(tmp_path / "missing.bib")
    with pytest.raises(InputError, match="no such file"):
        load_text(tmp_path / "missing" / "deeper.bib")
    with pytest.raises(InputError, match="is a directory"):
        load_text(tmp_path)


def test_permission_denied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path / "secret.bib", ENTRY)
    path.chmod(0)
    if os.name != "posix" or os.geteuid() == 0:
        # Root reads any file whatever its mode; refuse the way the OS would.
        def refuse(*args: object, **kwargs: object) -> None:
            raise PermissionError(13, "Permission denied")

        monkeypatch.setattr(Path, "open", refuse)
    try:
        with pytest.raises(InputError, match=r"secret\.bib: permission denied$"):
            load_text(path)
    finally:
        path.chmod(0o600)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_special_file_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.bib"
    os.mkfifo(fifo)

    with pytest.raises(InputError, match="not a regular file"):
        load_text(fifo)


# --- dispatch ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "reader"),
    [
        ("refs.bib", read_bibtex),
        ("REFS.BIB", read_bibtex),
        ("refs.bibtex", read_bibtex),
        ("refs.json", read_csljson),
        ("refs.csljson", read_csljson),
        ("post.md", read_markdown),
        ("post.markdown", read_markdown),
        ("post.txt", read_text),
        ("post.text", read_text),
        ("post.html", read_html),
        ("POST.HTM", read_html),
        ("post.rst", read_text),
        ("paper.pdf", None),
        ("Makefile", None),
    ],
)
def test_reader_for(name: str, reader: object) -> None:
    assert reader_for(Path(name)) is reader
    assert reader_for(name) is reader


def test_read_path_records_the_path_as_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _write(tmp_path / "sub" / "refs.bib", ENTRY.encode("latin-1"))

    (reference,) = read_path(Path("sub/refs.bib"))

    assert reference.location.path == str(Path("sub/refs.bib"))
    assert reference.location.line == 1
    assert reference.authors[0].family == "Bülow"


def test_read_path_of_an_unknown_suffix(tmp_path: Path) -> None:
    path = _write(tmp_path / "paper.pdf", b"%PDF-1.7")

    with pytest.raises(InputError, match=r"cannot read '\.pdf' files"):
        read_path(path)


def test_read_path_of_broken_json_is_an_input_error(tmp_path: Path) -> None:
    path = _write(tmp_path / "refs.json", "[{]")

    with pytest.raises(InputError, match="not valid JSON"):
        read_path(path)


# --- iter_files --------------------------------------------------------------------------


def test_iter_files_expands_folders_sorted_and_skips_hidden(tmp_path: Path) -> None:
    for name in [
        "b.bib",
        "a/z.md",
        "a/y.JSON",
        "a/notes.docx",
        "a/.hidden.bib",
        ".git/config.bib",
        "c/d/e.txt",
        "Makefile",
    ]:
        _write(tmp_path / name, "x")

    found = [path.relative_to(tmp_path).as_posix() for path in iter_files([tmp_path])]

    assert found == ["a/y.JSON", "a/z.md", "b.bib", "c/d/e.txt"]


def test_iter_files_keeps_explicit_files_and_order_once(tmp_path: Path) -> None:
    notes = _write(tmp_path / "notes.docx", "x")
    refs = _write(tmp_path / "refs.bib", "x")
    hidden = _write(tmp_path / ".refs.bib", "x")

    found = list(iter_files([notes, hidden, tmp_path, refs]))

    assert found == [notes, hidden, refs]


def test_iter_files_checks_every_path_at_the_call(tmp_path: Path) -> None:
    _write(tmp_path / "refs.bib", "x")

    with pytest.raises(InputError, match=r"missing\.bib: no such file or folder"):
        iter_files([tmp_path / "refs.bib", tmp_path / "missing.bib"])


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_iter_files_does_not_follow_folder_links(tmp_path: Path) -> None:
    _write(tmp_path / "refs.bib", "x")
    (tmp_path / "loop").symlink_to(tmp_path, target_is_directory=True)

    assert list(iter_files([tmp_path])) == [tmp_path / "refs.bib"]


def test_every_suffix_is_lowercase_and_dotted() -> None:
    assert all(suffix.startswith(".") and suffix == suffix.lower() for suffix in SUFFIXES)
