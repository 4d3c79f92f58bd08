"""`refcheck check` end to end: files in, the loopback Crossref stand-in over HTTP, report out."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from refcheck.cli import main
from refcheck.testing.crossref_standin import CrossrefStandin, load_records

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = Path(__file__).resolve().parents[1]
SEED_WORKS = ROOT / "references" / "seed-works.jsonl"
SEED_DOIS = {
    "brinjikji2015": "10.3174/ajnr.A4173",
    "elbarzouhi2013": "10.1056/NEJMoa1209250",
    "kasch2022": "10.1097/BRS.0000000000004198",
}


@pytest.fixture(scope="module")
def crossref() -> Iterator[CrossrefStandin]:
    with CrossrefStandin(load_records(SEED_WORKS)) as server:
        yield server


def run(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, url: str, *args: str
) -> tuple[int, dict[str, Any]]:
    code = main(
        [
            "check",
            *args,
            "--isolated",
            "--format",
            "json",
            "--crossref-url",
            url,
            "--cache-dir",
            str(tmp_path / "cache"),
            "--timeout",
            "2",
        ]
    )
    out = capsys.readouterr().out
    return code, json.loads(out)


def by_key(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {entry["key"]: entry for entry in report["references"]}


def write_bib(tmp_path: Path, source: Path, old: str, new: str) -> Path:
    text = source.read_text(encoding="utf-8")
    assert old in text, old
    target = tmp_path / "refs.bib"
    target.write_text(text.replace(old, new, 1), encoding="utf-8")
    return target


@pytest.mark.parametrize(
    "path",
    [FIXTURES / "seed-abbreviated.bib", ROOT / "references" / "seed.bib"],
    ids=["with-dois-abbreviated", "without-dois-by-search"],
)
def test_seed_bibtex_is_verified(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, crossref: CrossrefStandin, path: Path
) -> None:
    code, report = run(capsys, tmp_path, crossref.url, str(path))
    assert code == 0
    entries = by_key(report)
    assert set(entries) == set(SEED_DOIS)
    for key, doi in SEED_DOIS.items():
        entry = entries[key]
        assert entry["status"] == "verified", entry
        assert entry["doi"].lower() == doi.lower()
        assert not [f for f in entry["findings"] if f["severity"] != "info"], entry["findings"]
    assert report["summary"]["verified"] == 3


@pytest.mark.parametrize(
    ("old", "new", "key", "field", "cited", "expected"),
    [
        ("volume  = 36,", "volume  = 35,", "brinjikji2015", "volume", "35", "36"),
        ("{999--1007}", "{990--1007}", "elbarzouhi2013", "pages", None, None),
        ("Truthmann, Julia and ", "", "kasch2022", "authors", None, None),
    ],
)
def test_real_errors_are_caught_on_their_field(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    crossref: CrossrefStandin,
    old: str,
    new: str,
    key: str,
    field: str,
    cited: str | None,
    expected: str | None,
) -> None:
    path = write_bib(tmp_path, FIXTURES / "seed-abbreviated.bib", old, new)
    code, report = run(capsys, tmp_path, crossref.url, str(path))
    assert code == 1
    entries = by_key(report)
    entry = entries[key]
    assert entry["status"] == "mismatch"
    errors = [f for f in entry["findings"] if f["severity"] == "error"]
    assert [f["field"] for f in errors] == [field], errors
    if cited is not None:
        assert errors[0]["cited"] == cited
        assert errors[0]["expected"] == expected
    others = [e for k, e in entries.items() if k != key]
    assert all(e["status"] == "verified" for e in others)


def test_unknown_doi_is_not_found(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, crossref: CrossrefStandin
) -> None:
    path = write_bib(
        tmp_path, FIXTURES / "seed-abbreviated.bib", "10.3174/ajnr.A4173", "10.3174/ajnr.A9999"
    )
    code, report = run(capsys, tmp_path, crossref.url, str(path))
    assert code == 1
    entry = by_key(report)["brinjikji2015"]
    assert entry["status"] == "not_found"
    assert entry["cited_doi"] == "10.3174/ajnr.A9999"
    assert [(f["code"], f["field"]) for f in entry["findings"]] == [("RC101", "doi")]


def test_doi_of_another_work_is_an_error_on_doi(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, crossref: CrossrefStandin
) -> None:
    path = write_bib(
        tmp_path, FIXTURES / "seed-abbreviated.bib", "10.3174/ajnr.A4173", "10.1056/NEJMoa1209250"
    )
    code, report = run(capsys, tmp_path, crossref.url, str(path))
    assert code == 1
    entry = by_key(report)["brinjikji2015"]
    assert entry["status"] == "mismatch"
    doi_findings = [f for f in entry["findings"] if f["field"] == "doi"]
    assert doi_findings[0]["code"] == "RC102"
    assert doi_findings[0]["cited"] == "10.1056/NEJMoa1209250"
    # The search found the work the rest of the citation describes, and names its DOI.
    assert doi_findings[0]["expected"].lower() == "10.3174/ajnr.a4173"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_unreachable_crossref_leaves_everything_unverified(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    url = f"http://127.0.0.1:{_closed_port()}"
    code, report = run(capsys, tmp_path, url, str(FIXTURES / "seed-abbreviated.bib"))
    assert code == 0
    assert [e["status"] for e in report["references"]] == ["unverified"] * 3
    assert all(e["message"] for e in report["references"])
    assert all(not e["findings"] for e in report["references"])


def test_broken_entry_is_invalid_and_the_rest_is_checked(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, crossref: CrossrefStandin
) -> None:
    text = (FIXTURES / "seed-abbreviated.bib").read_text(encoding="utf-8")
    first_end = text.index("@article{elbarzouhi2013")
    broken = "@article{broken,\n  title = {Unclosed,\n  year = 2020\n\n"
    path = tmp_path / "refs.bib"
    path.write_text(text[:first_end] + broken + text[first_end:], encoding="utf-8")
    code, report = run(capsys, tmp_path, crossref.url, str(path))
    assert code == 1
    statuses = [e["status"] for e in report["references"]]
    assert statuses.count("invalid") == 1
    assert statuses.count("verified") == 3
    invalid = next(e for e in report["references"] if e["status"] == "invalid")
    assert invalid["line"] == text[:first_end].count("\n") + 1
    assert invalid["message"]


@pytest.mark.parametrize("content", [b"\x00\x01\x02binary\xff" * 100, None])
def test_unreadable_input_exits_2_with_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: bytes | None
) -> None:
    path = tmp_path / "refs.bib"
    if content is not None:
        path.write_bytes(content)
    code = main(["check", "--isolated", "--offline", "--no-cache", str(path)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("refcheck: error:")
    assert err.count("\n") == 1
    assert "Traceback" not in err


def test_text_report_shows_cited_and_crossref_side_by_side(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, crossref: CrossrefStandin
) -> None:
    path = write_bib(tmp_path, FIXTURES / "seed-abbreviated.bib", "volume  = 36,", "volume  = 35,")
    code = main(["check", "--isolated", str(path), "--crossref-url", crossref.url, "--no-cache"])
    out = capsys.readouterr().out
    assert code == 1
    line = next(line for line in out.splitlines() if "RC601" in line)
    assert "35" in line
    assert "36" in line
    assert "3 references: 2 verified, 1 mismatch" in out


def test_main_job_runs_offline_on_the_repo_snapshot(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The README's main command: the repo config points at the snapshot; no network."""
    monkeypatch.chdir(ROOT)
    url = f"http://127.0.0.1:{_closed_port()}"
    code = main(["check", "references/", "--format", "json", "--crossref-url", url, "--no-cache"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0
    entries = by_key(report)
    for key, doi in SEED_DOIS.items():
        assert entries[key]["status"] == "verified"
        assert entries[key]["doi"] == doi


RETRACTED = {
    "DOI": "10.5555/retracted.2019.1",
    "type": "journal-article",
    "title": ["A trial that was later withdrawn"],
    "container-title": ["Journal of Examples"],
    "volume": "12",
    "issue": "3",
    "page": "100-110",
    "issued": {"date-parts": [[2019, 5, 2]]},
    "author": [{"given": "Ann", "family": "Author", "sequence": "first"}],
    # The documented shape of Crossref's updated-by (publisher and Retraction Watch).
    "updated-by": [
        {
            "updated": {"date-parts": [[2021, 1, 4]]},
            "DOI": "10.5555/notice.2021.7",
            "type": "retraction",
            "source": "publisher",
            "label": "Retraction",
        },
        {
            "updated": {"date-parts": [[2021, 1, 4]]},
            "DOI": "10.5555/notice.2021.7",
            "type": "retraction",
            "source": "retraction-watch",
            "record-id": 12345,
            "label": "Retraction",
        },
    ],
}


def test_retracted_work_is_an_error_naming_the_notice(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bib = tmp_path / "refs.bib"
    bib.write_text(
        "@article{author2019,\n  author = {Author, Ann},\n"
        "  title = {A trial that was later withdrawn},\n  journal = {Journal of Examples},\n"
        "  year = 2019, volume = 12, number = 3, pages = {100--110},\n"
        "  doi = {10.5555/retracted.2019.1}\n}\n",
        encoding="utf-8",
    )
    with CrossrefStandin([RETRACTED]) as server:
        code, report = run(capsys, tmp_path, server.url, str(bib))
    assert code == 1
    [entry] = report["references"]
    assert entry["status"] == "mismatch"
    [retraction] = [f for f in entry["findings"] if f["field"] == "retraction"]
    assert retraction["code"] == "RC701"
    assert retraction["severity"] == "error"
    assert retraction["expected"] == "10.5555/notice.2021.7"


def test_reference_without_a_match_is_not_found_with_the_closest_named(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, crossref: CrossrefStandin
) -> None:
    bib = tmp_path / "refs.bib"
    bib.write_text(
        "@article{invented,\n  author = {Nobody, Nemo and Else, Someone},\n"
        "  title = {Imaging features of spinal degeneration in deep-sea octopuses},\n"
        "  journal = {Journal of Cephalopod Radiology},\n  year = 2020, volume = 4,\n"
        "  pages = {1--9}\n}\n",
        encoding="utf-8",
    )
    code, report = run(capsys, tmp_path, crossref.url, str(bib))
    [entry] = report["references"]
    assert entry["status"] == "not_found"
    assert entry["doi"] is None
    assert [f["code"] for f in entry["findings"]] == ["RC104"]
    # not_found by search is a warning: Crossref does not index everything.
    assert code == 0


def test_found_by_search_names_the_missing_doi(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, crossref: CrossrefStandin
) -> None:
    code, report = run(capsys, tmp_path, crossref.url, str(ROOT / "references" / "seed.bib"))
    assert code == 0
    for entry in report["references"]:
        [doi_info] = [f for f in entry["findings"] if f["code"] == "RC103"]
        assert doi_info["severity"] == "info"
        assert doi_info["expected"] == entry["doi"]
        assert entry["cited_doi"] is None


def test_lone_surrogates_in_csl_json_do_not_break_json_output(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "refs.json"
    path.write_text('[{"id": "x", "title": "Broken \\udcff text", "DOI": "10.1/x"}]')
    code = main(["check", "--isolated", "--offline", "--no-cache", "--format", "json", str(path)])
    report = json.loads(capsys.readouterr().out)
    assert code == 0
    assert report["references"][0]["status"] == "unverified"


@pytest.mark.parametrize("fmt", ["sarif", "github", "junit", "markdown", "html"])
def test_every_format_is_reachable_from_the_cli(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, crossref: CrossrefStandin, fmt: str
) -> None:
    path = write_bib(tmp_path, FIXTURES / "seed-abbreviated.bib", "volume  = 36,", "volume  = 35,")
    out = tmp_path / f"report.{fmt}"
    args = ["--crossref-url", crossref.url, "--no-cache", "--format", fmt, "--output", str(out)]
    code = main(["check", "--isolated", str(path), *args])
    assert code == 1
    assert "RC601" in out.read_text(encoding="utf-8")


def test_wrong_title_without_doi_is_a_title_error_not_a_lost_reference(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, crossref: CrossrefStandin
) -> None:
    """The titled search finds nothing; the search without the title finds the work."""
    path = write_bib(
        tmp_path,
        ROOT / "references" / "seed.bib",
        "title   = {Magnetic Resonance Imaging in Follow-up Assessment of Sciatica}",
        "title   = {Surgery versus Prolonged Conservative Treatment for Sciatica}",
    )
    code, report = run(capsys, tmp_path, crossref.url, str(path))
    assert code == 1
    entry = by_key(report)["elbarzouhi2013"]
    assert entry["status"] == "mismatch"
    assert entry["doi"] == "10.1056/NEJMoa1209250"
    errors = [f for f in entry["findings"] if f["severity"] == "error"]
    assert [f["field"] for f in errors] == ["title"]


def test_closest_candidate_is_named_when_only_the_title_disagrees(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, crossref: CrossrefStandin
) -> None:
    """Authors, year and journal agree, nothing locates the item: named, never taken."""
    bib = tmp_path / "refs.bib"
    bib.write_text(
        "@article{kasch,\n  author = {Kasch, R. and Truthmann, J. and Hancock, M. J. and"
        ' Maher, C. G. and Otto, M. and Nell, C. and Reichwein, N. and B{\\"u}low, R. and'
        " Chenot, J.-F. and Hofer, A. and Wassilew, G. and Schmidt, C. O.},\n"
        "  title = {Back pain trajectories in a rural population},\n"
        "  journal = {Spine},\n  year = 2022\n}\n",
        encoding="utf-8",
    )
    code, report = run(capsys, tmp_path, crossref.url, str(bib))
    [entry] = report["references"]
    assert entry["status"] == "not_found"
    assert entry["doi"] is None
    assert [f["code"] for f in entry["findings"]] == ["RC104", "RC203"]
    closest = entry["findings"][1]
    assert closest["field"] == "title"
    assert closest["expected"].startswith("Association of Lumbar MRI Findings")
    assert code == 0


BIB = FIXTURES / "seed-abbreviated.bib"


def test_a_corrupt_cache_is_one_warning_line_and_the_check_goes_on(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "crossref.sqlite3").write_bytes(b"not a database at all" * 50)
    args = ["--offline", "--cache-dir", str(cache), "--format", "json"]
    code = main(["check", "--isolated", *args, "--snapshot", str(SEED_WORKS), str(BIB)])
    captured = capsys.readouterr()
    assert code == 0
    assert json.loads(captured.out)["summary"]["verified"] == 3
    warning_lines = [line for line in captured.err.splitlines() if "warning" in line]
    assert len(warning_lines) == 1
    assert warning_lines[0].startswith("refcheck: warning:")
    assert "Traceback" not in captured.err
