"""``refcheck fix``: Crossref's values written into the raw BibTeX, everything else untouched."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from refcheck.cli import main
from refcheck.fix import (
    apply_edits,
    bibtex_pages,
    decode,
    latex_text,
    plan,
    scan_entry,
    unified_diff,
)
from refcheck.models import Location, Severity, Status, Verdict, Work
from refcheck.readers import read_bibtex
from refcheck.rules import finding
from refcheck.testing.crossref_standin import CrossrefStandin, load_records

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "tests" / "fixtures" / "seed-abbreviated.bib"


@pytest.fixture(scope="module")
def crossref() -> Iterator[CrossrefStandin]:
    with CrossrefStandin(load_records(ROOT / "references" / "seed-works.jsonl")) as server:
        yield server


def lookup_args(url: str) -> list[str]:
    return ["--isolated", "--crossref-url", url, "--no-cache", "--timeout", "2"]


def seed_with(tmp_path: Path, *changes: tuple[str, str], newline: str = "\n") -> Path:
    text = SEED.read_text(encoding="utf-8")
    for old, new in changes:
        assert old in text
        text = text.replace(old, new, 1)
    path = tmp_path / "refs.bib"
    path.write_bytes(text.replace("\n", newline).encode("utf-8"))
    return path


def changed_lines(patch: str) -> list[str]:
    return [
        line
        for line in patch.splitlines()
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


def test_a_wrong_volume_is_a_one_line_diff_and_write_makes_check_pass(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, crossref: CrossrefStandin
) -> None:
    path = seed_with(tmp_path, ("volume  = 36,", "volume  = 35,"))
    before = path.read_bytes()

    code = main(["fix", str(path), *lookup_args(crossref.url)])
    captured = capsys.readouterr()
    assert code == 1  # fixes found, not written
    assert changed_lines(captured.out) == ["-  volume  = 35,", "+  volume  = 36,"]
    assert captured.out.startswith(f"--- a/{path.as_posix().lstrip('/')}")
    assert "--write" in captured.err
    assert path.read_bytes() == before  # never written without --write

    code = main(["fix", str(path), "--write", *lookup_args(crossref.url)])
    captured = capsys.readouterr()
    assert code == 0
    assert changed_lines(captured.out) == ["-  volume  = 35,", "+  volume  = 36,"]
    assert path.read_bytes() == SEED.read_bytes()  # back to the seed, byte for byte

    assert main(["check", str(path), *lookup_args(crossref.url)]) == 0
    capsys.readouterr()
    # A second fix finds nothing.
    assert main(["fix", str(path), *lookup_args(crossref.url)]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "nothing to fix" in captured.err


def test_pages_issue_and_a_missing_doi_keep_the_file_layout(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, crossref: CrossrefStandin
) -> None:
    path = seed_with(
        tmp_path,
        ("{999--1007}", "{990--1007}"),
        ("number  = 3,", "number  = 4,"),
        ("  doi     = {10.1097/BRS.0000000000004198},\n", ""),
        newline="\r\n",
    )
    before = path.read_bytes()
    code = main(["fix", str(path), "--write", *lookup_args(crossref.url)])
    captured = capsys.readouterr()
    assert code == 0
    assert sorted(changed_lines(captured.out)) == sorted(
        [
            "-  pages   = {990--1007},",
            "+  pages   = {999--1007},",
            "-  number  = 4,",
            "+  number  = 3,",
            "+  doi     = {10.1097/BRS.0000000000004198},",
        ]
    )
    after = path.read_bytes()
    assert b"\r\n" in after
    assert b"\n" not in after.replace(b"\r\n", b"")  # every line ending still CRLF
    expected = (
        before.replace(b"{990--1007}", b"{999--1007}")
        .replace(b"number  = 4,\r\n  pages   = {201", b"number  = 3,\r\n  pages   = {201")
        .replace(
            b"  pages   = {201--211},\r\n",
            b"  pages   = {201--211},\r\n  doi     = {10.1097/BRS.0000000000004198},\r\n",
        )
    )
    assert after == expected
    assert main(["check", str(path), *lookup_args(crossref.url)]) == 0
    capsys.readouterr()


def test_a_suppressed_finding_is_not_fixed(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, crossref: CrossrefStandin
) -> None:
    path = seed_with(
        tmp_path,
        ("volume  = 36,", "volume  = 35,"),
        ("@article{brinjikji2015,\n", "% refcheck: ignore[RC601]\n@article{brinjikji2015,\n"),
    )
    code = main(["fix", str(path), *lookup_args(crossref.url)])
    captured = capsys.readouterr()
    assert code == 0
    assert captured.out == ""


def test_fix_edits_bibtex_only(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    post = tmp_path / "post.md"
    post.write_text("# Post\n", encoding="utf-8")
    code = main(["fix", str(post), "--isolated", "--offline", "--no-cache"])
    err = capsys.readouterr().err
    assert code == 2
    assert "BibTeX files" in err
    assert err.count("\n") == 1


# --- planning on hand-made verdicts -------------------------------------------------------

WORK = Work(
    doi="10.5555/example.1",
    title="Lumbar MRI & back pain: 50% of cases",
    container_title=("Journal of Examples",),
    volume="12",
    issue="3",
    page="100-110",
    published_print=(2015, 4),
    published_online=(2014, 11),
)


def verdict_for(text: str, *codes: str, severity_error: bool = True) -> Verdict:
    [reference] = read_bibtex(text, "refs.bib")
    findings = []
    for code in codes:
        expected = WORK.doi if code in ("RC102", "RC103") else "x"
        findings.append(finding(code, code, cited="y", expected=expected))
    status = Status.MISMATCH if severity_error else Status.VERIFIED
    return Verdict(reference=reference, status=status, work=WORK, findings=tuple(findings))


def fixed(text: str, *codes: str) -> str:
    return apply_edits(text, plan(text, [verdict_for(text, *codes)]).edits)


def test_year_is_the_print_year_and_pages_are_bibtex_style() -> None:
    text = '@article{a,\n  year = "2016",\n  pages = {100-119},\n}\n'
    assert fixed(text, "RC401", "RC603") == (
        '@article{a,\n  year = "2015",\n  pages = {100--110},\n}\n'
    )


@pytest.mark.parametrize(
    ("pages", "expected"),
    [("811-816", "811--816"), ("811–816", "811--816"), ("e0123", "e0123"), ("5 - 9", "5--9")],
)
def test_bibtex_pages(pages: str, expected: str) -> None:
    assert bibtex_pages(pages) == expected


def test_title_is_escaped_for_latex_and_kept_ascii_in_an_ascii_file() -> None:
    text = "@article{a,\n  title = {Wrong title},\n}\n"
    assert fixed(text, "RC201") == (
        "@article{a,\n  title = {Lumbar MRI \\& back pain: 50\\% of cases},\n}\n"
    )
    assert latex_text("Bülow &amp; co", ascii_only=True) == 'B\\"ulow \\& co'
    assert latex_text("Bülow &amp; co", ascii_only=False) == "Bülow \\& co"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "@article{a,\n  title   = {T},\n  volume  = {12}\n}\n",
            "@article{a,\n  title   = {T},\n  volume  = {12},\n"
            "  doi     = {10.5555/example.1}\n}\n",
        ),
        (
            "@article{a,\n\ttitle = {T},\n\tvolume = 12,\n}\n",
            "@article{a,\n\ttitle = {T},\n\tvolume = 12,\n\tdoi = {10.5555/example.1},\n}\n",
        ),
        (
            "@article{a, title = {T}, volume = 12}\n",
            "@article{a, title = {T}, volume = 12, doi = {10.5555/example.1}}\n",
        ),
    ],
    ids=["no-trailing-comma", "tabs", "one-line"],
)
def test_an_added_doi_follows_the_entry_layout(text: str, expected: str) -> None:
    assert fixed(text, "RC103") == expected


def test_a_doi_of_another_work_is_replaced_only_when_the_right_one_is_known() -> None:
    text = "@article{a,\n  title = {T},\n  doi = {10.1056/other},\n}\n"
    assert "{10.5555/example.1}" in fixed(text, "RC102")
    [reference] = read_bibtex(text, "refs.bib")
    unknown = Verdict(
        reference=reference,
        status=Status.MISMATCH,
        work=WORK,
        findings=(finding("RC102", "x", cited="10.1056/other", expected="Some other title"),),
    )
    assert plan(text, [unknown]).edits == ()


def test_macro_values_are_left_alone_with_a_note() -> None:
    text = "@string{vol = {35}}\n@article{a,\n  volume = vol,\n  number = {1} # {2},\n}\n"
    [reference] = read_bibtex(text, "refs.bib")
    verdict = Verdict(
        reference=reference,
        status=Status.MISMATCH,
        work=WORK,
        findings=(finding("RC601", "v", cited="35", expected="12"), finding("RC602", "i")),
    )
    result = plan(text, [verdict])
    assert result.edits == ()
    assert len(result.notes) == 2
    assert "volume not fixed" in result.notes[0]


def test_warnings_and_authors_are_not_fixed_but_the_last_page_is() -> None:
    text = "@article{a,\n  title = {T},\n  journal = {J Ex},\n  pages = {100--119},\n}\n"
    # RC501 is a warning by default; RC301 is on authors; RC604 is fixed all the same.
    assert fixed(text, "RC501", "RC301", "RC604") == text.replace("100--119", "100--110")


def test_a_last_page_left_a_warning_is_not_fixed() -> None:
    # RC604 is a warning only where Crossref's own range is doubtful (it runs backwards, or
    # counts an article's pages): writing that range into the file would spread the doubt.
    text = "@article{a,\n  pages = {100--119},\n}\n"
    [reference] = read_bibtex(text, "refs.bib")
    doubtful = finding("RC604", "m", cited="100--119", expected="x", severity=Severity.WARNING)
    verdict = Verdict(reference=reference, status=Status.VERIFIED, work=WORK, findings=(doubtful,))
    assert plan(text, [verdict]).edits == ()


def test_untouched_bytes_stay_the_same_in_windows_1252() -> None:
    raw = "% B\xfclow\n@article{a,\n  volume = 9,\n}\n".encode("cp1252")
    source = decode(raw)
    assert source.encoding == "cp1252"
    assert source.ascii_only
    text = apply_edits(source.text, plan(source.text, [verdict_for(source.text, "RC601")]).edits)
    assert source.encode(text) == raw.replace(b"volume = 9", b"volume = 12")


def test_utf8_bom_is_kept() -> None:
    raw = b"\xef\xbb\xbf@article{a,\n  volume = 9,\n}\n"
    source = decode(raw)
    assert source.text.startswith("@article")
    assert source.encode(source.text) == raw


def test_scan_entry_finds_value_spans() -> None:
    text = '@Article{k,\n  Title = "A {"}quoted{"} title",\n  year = 2020, pages={1--2}}'
    entry = scan_entry(text, 0)
    assert entry.key == "k"
    spans = {f.name: (text[f.value_start : f.value_end], f.kind) for f in entry.fields}
    assert spans == {
        "title": ('"A {"}quoted{"} title"', "quoted"),
        "year": ("2020", "bare"),
        "pages": ("{1--2}", "braced"),
    }
    assert text[entry.close] == "}"


def test_unified_diff_marks_a_missing_final_newline() -> None:
    patch = unified_diff("a\nb", "a\nc", "refs.bib")
    assert patch.splitlines()[-1] == "\\ No newline at end of file"
    assert unified_diff("same", "same", "refs.bib") == ""


def test_unchecked_or_unmatched_references_are_not_touched() -> None:
    text = "@article{a,\n  volume = 9,\n}\n"
    [reference] = read_bibtex(text, "refs.bib")
    for status in (Status.UNVERIFIED, Status.NOT_FOUND):
        verdict = Verdict(
            reference=reference,
            status=status,
            findings=(finding("RC601", "v", cited="9", expected="12"),),
        )
        assert plan(text, [verdict]).edits == ()
    moved = reference.model_copy(update={"location": Location(path="refs.bib", line=3, key="a")})
    wrong_line = Verdict(
        reference=moved,
        status=Status.MISMATCH,
        work=WORK,
        findings=(finding("RC601", "v", cited="9", expected="12"),),
    )
    result = plan(text, [wrong_line])
    assert result.edits == ()
    assert "not fixed" in result.notes[0]


def test_write_goes_through_a_symbolic_link_and_keeps_the_mode(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, crossref: CrossrefStandin
) -> None:
    real = seed_with(tmp_path, ("volume  = 36,", "volume  = 35,"))
    real.chmod(0o640)
    link = tmp_path / "link.bib"
    link.symlink_to(real)
    assert main(["fix", str(link), "--write", *lookup_args(crossref.url)]) == 0
    capsys.readouterr()
    assert link.is_symlink()
    assert real.read_bytes() == SEED.read_bytes()
    assert real.stat().st_mode & 0o777 == 0o640
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
