"""--diff-base: git's changed files and lines, and the references they touch."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from refcheck.cli import main
from refcheck.diff import parse_diff, spans, touched
from refcheck.readers import read_bibtex, read_markdown
from refcheck.testing.crossref_standin import CrossrefStandin, load_records

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "tests" / "fixtures" / "seed-abbreviated.bib"
POST = ROOT / "references" / "lumbar-mri-paradox.md"

DIFF = """\
diff --git a/refs.bib b/refs.bib
index 1111111..2222222 100644
--- a/refs.bib
+++ b/refs.bib
@@ -9 +9 @@
-  volume  = 35,
+  volume  = 36,
@@ -20,2 +19,0 @@
-  note = {x},
-  note2 = {y},
@@ -30,0 +29,3 @@
+a
+b
+c
diff --git a/gone.bib b/gone.bib
deleted file mode 100644
--- a/gone.bib
+++ /dev/null
@@ -1,3 +0,0 @@
-@article{x,
-}
-
diff --git "a/odd\\"name.md" "b/odd\\"name.md"
--- "a/odd\\"name.md"
+++ "b/odd\\"name.md"
@@ -1,0 +2 @@
+- new
diff --git a/pic.png b/pic.png
Binary files a/pic.png and b/pic.png differ
"""


def test_parse_diff_reads_new_side_lines() -> None:
    files = parse_diff(DIFF)
    # A deletion after line 19 marks both of its neighbours.
    assert files["refs.bib"] == {9, 19, 20, 29, 30, 31}
    assert "gone.bib" not in files
    assert files['odd"name.md'] == {2}
    assert files["pic.png"] is None


def test_spans_cover_bibtex_entries_and_wrapped_post_items() -> None:
    text = SEED.read_text(encoding="utf-8")
    references = read_bibtex(text, "refs.bib")
    assert spans(references, text) == [(2, 14), (16, 28), (30, 42)]

    post = (
        "# Post\n\n## References\n\n"
        "<!-- refcheck: ignore[RC202] -->\n"
        "1. Brinjikji W, Luetmer PH, Comstock B, et al. Systematic literature review of\n"
        "   imaging features of spinal degeneration. AJNR. 2015;36(4):811-816.\n"
        "2. el Barzouhi A, et al. Magnetic resonance imaging in follow-up assessment of\n"
        "   sciatica. N Engl J Med. 2013;368(11):999-1007.\n"
        "\n"
        "Written by someone.\n"
    )
    items = read_markdown(post, "post.md")
    assert [r.location.line for r in items] == [6, 8]
    # The first item owns the suppression comment above it; the second ends at the blank.
    assert spans(items, post) == [(5, 7), (8, 9)]
    assert touched(items, post, frozenset({9})) == [items[1]]
    assert touched(items, post, frozenset({5})) == [items[0]]
    assert touched(items, post, frozenset({11})) == []
    assert touched(items, post, None) == items


# --- a real repository --------------------------------------------------------------------


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


@pytest.fixture(scope="module")
def crossref() -> Iterator[CrossrefStandin]:
    with CrossrefStandin(load_records(ROOT / "references" / "seed-works.jsonl")) as server:
        yield server


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, crossref: CrossrefStandin) -> Path:
    """A git repository with the seed BibTeX and post committed, the stand-in configured."""
    git(tmp_path, "init", "-q")
    (tmp_path / "refs.bib").write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "post.md").write_text(POST.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "refcheck.toml").write_text(
        f'crossref-url = "{crossref.url}"\nno-cache = true\ntimeout = 2\nformat = "json"\n',
        encoding="utf-8",
    )
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "references")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    code = main(["check", *args])
    return code, json.loads(capsys.readouterr().out)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_only_the_changed_bibtex_entry_is_checked(
    capsys: pytest.CaptureFixture[str], repo: Path, crossref: CrossrefStandin
) -> None:
    edit(repo / "refs.bib", "volume  = 36,", "volume  = 35,")
    before = len(crossref.requests)
    code, report = run(capsys, ".", "--diff-base", "HEAD")
    assert code == 1
    [entry] = report["references"]
    assert entry["key"] == "brinjikji2015"
    assert [f["code"] for f in entry["findings"] if f["severity"] == "error"] == ["RC601"]
    asked = [r.doi for r in crossref.requests[before:] if r.doi]
    assert all(doi.lower() == "10.3174/ajnr.a4173" for doi in asked)

    # Without --diff-base every reference is checked.
    code, report = run(capsys, ".")
    assert report["summary"]["total"] == 6


def test_only_the_changed_post_line_is_checked(
    capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    edit(repo / "post.md", "368(11), pp.999–1007", "368(11), pp.990–1007")
    code, report = run(capsys, ".", "--diff-base", "HEAD")
    assert code == 1
    [entry] = report["references"]
    assert entry["path"] == "post.md"
    assert entry["line"] == 14
    assert [f["code"] for f in entry["findings"] if f["severity"] == "error"] == ["RC603"]


def test_committed_changes_since_a_base_and_untracked_files_count(
    capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    base = git(repo, "rev-parse", "HEAD").strip()
    edit(repo / "refs.bib", "number  = 3,", "number  = 4,")  # kasch2022
    git(repo, "commit", "-q", "-am", "issue")
    (repo / "new.bib").write_text(
        SEED.read_text(encoding="utf-8").split("@article{elbarzouhi2013")[0], encoding="utf-8"
    )
    code, report = run(capsys, ".", "--diff-base", base)
    assert code == 1
    keys = sorted((Path(e["path"]).name, e["key"]) for e in report["references"])
    assert keys == [("new.bib", "brinjikji2015"), ("refs.bib", "kasch2022")]

    # Against HEAD the commit is no change; the untracked file still is.
    code, report = run(capsys, ".", "--diff-base", "HEAD")
    assert code == 0
    assert [Path(e["path"]).name for e in report["references"]] == ["new.bib"]


def test_nothing_changed_checks_nothing(capsys: pytest.CaptureFixture[str], repo: Path) -> None:
    code, report = run(capsys, ".", "--diff-base", "HEAD")
    assert code == 0
    assert report["summary"]["total"] == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--diff-base", "no-such-branch"), "unknown git revision 'no-such-branch'"),
        (("--diff-base=-x",), "is not a git revision"),
        (("--diff-base", "HEAD", "--write-baseline", "b.json"), "cannot be combined"),
    ],
)
def test_bad_diff_base_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], repo: Path, args: tuple[str, ...], message: str
) -> None:
    code = main(["check", ".", *args])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err
    assert err.count("\n") == 1


def test_outside_a_repository_diff_base_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    code = main(["check", "--isolated", "--offline", str(SEED), "--diff-base", "HEAD"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("refcheck: error: git rev-parse:")
