"""The streaming BibTeX reader: the same references as one parse of the whole file, read
group by group in bounded memory, with exact lines; and the streamed file reader under it."""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from refcheck.errors import InputError
from refcheck.readers import (
    MAX_BYTES,
    MAX_STREAM_BYTES,
    iter_bibtex,
    load_text,
    open_bibtex,
    open_path,
    open_text,
    read_bibtex,
)
from refcheck.readers.bibtex import GROUP_SIZE
from refcheck.readers.files import split_lines

from .test_bibtex import BROKEN_BETWEEN, SEED_FULL, SEED_TERSE

ROOT = Path(__file__).resolve().parents[2]
WHOLE = 10**9  # a group size no file reaches: one parse of the whole text


def entry(key: str, title: str = "T", **fields: str) -> str:
    body = "".join(f",\n  {name} = {value}" for name, value in fields.items())
    return f"@article{{{key},\n  title = {{{title}}}{body}\n}}\n\n"


def entry_lines(text: str) -> dict[str, int]:
    """key -> the 1-based line its ``@article{key,`` starts on."""
    found: dict[str, int] = {}
    for number, line in enumerate(text.split("\n"), start=1):
        if line.lstrip().startswith("@article{"):
            found.setdefault(line.lstrip()[len("@article{") :].split(",")[0], number)
    return found


# --- the same references as before ---------------------------------------------------------


@pytest.mark.parametrize("group_size", [1, 2, 3, GROUP_SIZE])
@pytest.mark.parametrize("source", [SEED_FULL, SEED_TERSE, BROKEN_BETWEEN])
def test_groups_give_the_references_of_the_whole_file(source: str, group_size: int) -> None:
    whole = read_bibtex(source, "refs.bib")

    assert whole
    assert list(iter_bibtex(source, "refs.bib", group_size=group_size)) == whole
    assert list(iter_bibtex(split_lines(source), "refs.bib", group_size=group_size)) == whole


@pytest.mark.parametrize(
    "path", [ROOT / "references" / "seed.bib", ROOT / "tests" / "fixtures" / "seed-abbreviated.bib"]
)
def test_a_streamed_file_reads_as_the_whole_file(path: Path) -> None:
    whole = read_bibtex(load_text(path), str(path))
    streamed = open_bibtex(path)

    assert list(streamed) == whole
    assert list(streamed) == whole  # each iteration reads the file afresh
    assert streamed.count() == len(whole) == 3
    assert list(open_path(path)) == whole


_PIECES = st.sampled_from(
    [
        *'@{}()",=#%\\\n \tabAB01-.;/~`',
        "@article{",
        "\n@article{",
        "\n  @misc(",
        "\n@comment{",
        "\n@preamble{",
        "\n@string{x=",
        "@STRING{j = {J}}\n",
        "journal = j,",
        "\n@article{dup, title={D}}\n",
        " @book{",
        "author = ",
        "title = {",
        " and ",
        "% refcheck: ignore[RC101]\n",
        "}\n",
        "\n\n",
        "\\\\\n",
        '\\"',
        "{\\`A}",
        "10.1234/x",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=80).map("".join), st.integers(1, 4))
def test_any_text_reads_the_same_in_groups(source: str, group_size: int) -> None:
    whole = list(iter_bibtex(source, "f.bib", group_size=WHOLE))

    assert list(iter_bibtex(source, "f.bib", group_size=group_size)) == whole
    lines = source.split("\n")
    for reference in whole:
        assert reference.location.line is not None
        # The entry's text starts on its line (its first characters, as written).
        assert reference.text.split()[0][:3] in lines[reference.location.line - 1]


# --- a large file, in groups ---------------------------------------------------------------


def big_file(entries: int, *, broken_at: int | None = None, broken: str = "") -> str:
    """Entries with @string macros: two defined up front, one redefined half-way."""
    parts = ['@string{jn = "Journal of Tests"}\n', "@STRING{pub = jn # { Letters}}\n\n"]
    for n in range(entries):
        if n == entries // 2:
            parts.append("% the journal was renamed\n@string{jn = {Tests Quarterly}}\n\n")
        if n == broken_at:
            parts.append(broken)
            continue
        container = "jn" if n % 2 else "pub"
        parts.append(entry(f"k{n}", f"Title {n}", journal=container, volume=str(n)))
    return "".join(parts)


def test_macros_expand_across_groups_with_their_value_at_the_entry() -> None:
    text = big_file(600)

    references = list(iter_bibtex(text, "big.bib", group_size=7))

    assert references == list(iter_bibtex(text, "big.bib", group_size=WHOLE))
    assert len(references) == 600
    by_key = {r.location.key: r for r in references}
    assert by_key["k0"].container == "Journal of Tests Letters"
    assert by_key["k1"].container == "Journal of Tests"
    assert by_key["k299"].container == "Journal of Tests"  # before the redefinition
    assert by_key["k301"].container == "Tests Quarterly"  # after it
    assert by_key["k300"].container == "Journal of Tests Letters"  # pub kept its value
    lines = entry_lines(text)
    assert all(r.location.line == lines[r.location.key or ""] for r in references)
    assert all(r.problem is None for r in references)


def test_a_macro_used_before_its_definition_stays_its_name() -> None:
    text = "@article{a, journal = later}\n@string{later = {Later Journal}}\n"
    text += "@article{b, journal = later}\n"

    first, second = read_bibtex(text, None)

    assert (first.container, second.container) == ("later", "Later Journal")


@pytest.mark.parametrize(
    ("broken", "problem"),
    [
        ("@article{open,\n  title = {Never closed,\n  year = 2001,\n\n", "missing closing brace"),
        ('@article{quote,\n  title = "Never closed,\n  year = 2001,\n\n', "missing closing quote"),
        ("@article{nocomma\n", "no entry key, or no comma after it"),
        ("@article(paren,\n  title = {X}\n\n", "missing closing parenthesis"),
        ("@article{eq,\n  title {X}\n}\n\n", "Expected a '=' after entry key"),
    ],
)
@pytest.mark.parametrize("where", [GROUP_SIZE - 3, GROUP_SIZE - 2, GROUP_SIZE - 1, GROUP_SIZE])
def test_a_broken_entry_anywhere_is_invalid_with_its_line_and_the_rest_read(
    broken: str, problem: str, where: int
) -> None:
    # With two @string blocks first, the group ends after GROUP_SIZE - 2 entries: the
    # broken entry lands on either side of a group boundary, and on it.
    text = big_file(300, broken_at=where, broken=broken)

    references = list(iter_bibtex(text, "big.bib"))

    assert references == list(iter_bibtex(text, "big.bib", group_size=WHOLE))
    assert len(references) == 300
    bad = references[where]
    assert bad.problem is not None
    assert problem in bad.problem
    assert bad.location.line == text[: text.index(broken)].count("\n") + 1
    assert "\n" not in bad.problem
    assert [r for r in references if r.problem is not None] == [bad]
    lines = entry_lines(text)
    assert all(r.location.line == lines[r.location.key or ""] for r in references if r is not bad)


def test_duplicate_keys_are_found_across_groups() -> None:
    text = "".join(entry(f"k{n}") for n in range(10)) + entry("k2", "Again") + entry("k9")

    *_, again, last = iter_bibtex(text, None, group_size=2)

    assert again.problem == "duplicate BibTeX key 'k2' (first used on line 9)"
    assert (again.title, again.location.line) == ("Again", 41)
    assert last.problem == "duplicate BibTeX key 'k9' (first used on line 37)"


def test_a_suppression_comment_holds_for_the_entry_after_a_group_boundary() -> None:
    text = "".join(entry(f"k{n}") for n in range(4))
    text += "% refcheck: ignore[RC601]\n" + entry("quiet") + entry("loud")

    *_, quiet, loud = iter_bibtex(text, None, group_size=2)

    assert quiet.suppress == ("RC601",)
    assert loud.suppress == ()


def test_a_line_ending_in_a_backslash_keeps_later_lines_right() -> None:
    # LaTeX line breaks (\\) at the end of an abstract's lines: bibtexparser alone does not
    # count those line ends, and every later entry would be reported a line too early.
    abstract = "{First line\\\\\nsecond line\\\\\nthird}"
    text = entry("a", abstract=abstract) + entry("b") + entry("c")

    a, b, c = read_bibtex(text, None)

    assert [r.location.line for r in (a, b, c)] == [1, 8, 12]
    assert entry_lines(text) == {"a": 1, "b": 8, "c": 12}
    assert a.problem is None


def test_entries_come_out_while_the_text_is_still_being_read() -> None:
    text = "".join(entry(f"k{n}", volume=str(n)) for n in range(1000))
    consumed = 0

    def lines() -> Iterator[str]:
        nonlocal consumed
        for line in split_lines(text):
            consumed += 1
            yield line

    references = iter_bibtex(lines(), "big.bib")
    first = next(references)

    assert first.location.key == "k0"
    # One group and the line that starts the next: a bounded read ahead, not the file.
    per_entry = text.count("\n") // 1000
    assert consumed == GROUP_SIZE * per_entry + 1
    assert len(list(references)) == 999


# --- counting, for the progress bar --------------------------------------------------------


def test_count_is_the_number_of_entries(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    path.write_text(
        '@preamble{"x"}\n@comment{note}\n  @STRING{a = {A}}\n'
        + "".join(entry(f"k{n}") for n in range(5))
        + "  @misc(m, title = {M})\n@Book{b, title = {B}}\n",
        encoding="utf-8",
    )

    opened = open_bibtex(path)

    assert opened.count() == 7 == len(list(opened))


# --- the streamed file reader --------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"",
        "Bülow\n".encode(),
        codecs.BOM_UTF8 + "Bülow\n".encode(),
        codecs.BOM_UTF8 * 2 + b"twice",
        "Bülow\r\n".encode("utf-16"),
        "Bülow\n".encode("utf-32"),
        "B\xfclow, Fran\xe7ois\n".encode("latin-1"),
        "“Spine” – 2022 €\n".encode("cp1252"),
        b"one\r\ntwo\rthree\n\rfour",
        # Line ends and multi-byte characters across the pieces the file is read in.
        ("é" * 40_000 + "\r" + "x\r\n" * 5).encode(),
        ("x" * 65_535 + "\r\ny" + "\f\u2028z").encode(),
    ],
)
def test_streamed_text_is_the_loaded_text(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "refs.bib"
    path.write_bytes(data)

    opened = open_text(path)

    assert "".join(opened.pieces()) == load_text(path)
    lines = list(opened.lines())
    assert "".join(lines) == load_text(path)
    assert all(line.endswith("\n") for line in lines[:-1])
    assert all("\n" not in line[:-1] for line in lines)


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        bytes(range(1, 32)) * 40,
        b"abc \x81\x8d\x8f\x90 def",
        b"x" * 100_000 + b"\x81\x8d",
        codecs.BOM_UTF8 + b"Bad \xff UTF-8 after a BOM",
        b"\xff\xfe\x00\xd8",
        b"ok " * 30_000 + b"\xe2\x81",  # cut at the end, past the first piece
    ],
)
def test_streamed_text_refuses_what_load_text_refuses(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "x.bib"
    path.write_bytes(data)

    with pytest.raises(InputError) as loaded:
        load_text(path)
    with pytest.raises(InputError) as streamed:
        open_text(path)

    assert str(streamed.value) == str(loaded.value)


def test_utf8_errors_after_a_bom_give_the_byte_offset_in_the_file(tmp_path: Path) -> None:
    path = tmp_path / "x.bib"
    path.write_bytes(codecs.BOM_UTF8 + b"Bad \xff")

    with pytest.raises(InputError, match=r"byte offset 7\)$"):
        load_text(path)


def test_streamed_files_have_their_own_larger_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.bib"
    path.write_text("x" * 2000, encoding="utf-8")
    with pytest.raises(InputError, match=r"too large \(2000 bytes; the limit is 1999 bytes\)"):
        open_text(path, max_bytes=1999)

    huge = tmp_path / "huge.bib"
    with huge.open("wb") as handle:  # sparse: nothing is written
        handle.truncate(MAX_BYTES + 1)
    with pytest.raises(InputError, match="binary file"):  # read, not refused for its size
        open_bibtex(huge)
    with huge.open("wb") as handle:
        handle.truncate(MAX_STREAM_BYTES + 1)
    with pytest.raises(InputError, match=r"too large \(1073741825 bytes; the limit is 1073741824"):
        open_bibtex(huge)


def test_a_file_that_changes_after_it_was_checked_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    path.write_text(entry("a"), encoding="utf-8")
    opened = open_bibtex(path)
    path.write_bytes(b"@article{b, title = {\xff\xfe}}\n" * 3)

    with pytest.raises(InputError, match="changed while it was read"):
        list(opened)


def test_missing_and_special_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        open_bibtex(tmp_path / "missing.bib")
    with pytest.raises(InputError, match="is a directory"):
        open_text(tmp_path)
