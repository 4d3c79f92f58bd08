"""`refcheck snapshot import`: records in, an SQLite store out that `check` can use."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from refcheck.cli import main

SEED_WORKS = Path(__file__).resolve().parents[1] / "references" / "seed-works.jsonl"
SEED_BIB = Path(__file__).resolve().parents[1] / "references" / "seed.bib"


def test_import_then_check_offline(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = tmp_path / "works.sqlite3"
    assert main(["snapshot", "import", str(SEED_WORKS), "-o", str(store)]) == 0
    err = capsys.readouterr().err
    assert err.startswith("refcheck: imported 3 works from 3 records")
    assert err.count("\n") == 1

    args = ["check", "--isolated", "--offline", "--no-cache", "--snapshot", str(store)]
    assert main([*args, "--format", "json", str(SEED_BIB)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [entry["status"] for entry in report["references"]] == ["verified"] * 3
    assert {entry["doi"] for entry in report["references"]} == {
        "10.3174/ajnr.A4173",
        "10.1056/NEJMoa1209250",
        "10.1097/BRS.0000000000004198",
    }


def test_unreadable_source_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "works.sqlite3"
    code = main(["snapshot", "import", str(tmp_path / "missing.jsonl"), "-o", str(store)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("refcheck: error: cannot read snapshot")
    assert err.count("\n") == 1
    assert not store.exists()


def test_an_items_file_imports_and_says_its_form(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The case: Crossref's own file, 0.json.gz, once "imported 0 works", exit 0.
    records = [json.loads(line) for line in SEED_WORKS.read_text().splitlines() if line]
    source = tmp_path / "0.json.gz"
    source.write_bytes(gzip.compress(json.dumps({"items": records}, indent=2).encode()))
    store = tmp_path / "works.sqlite3"

    assert main(["snapshot", "import", str(source), "-o", str(store)]) == 0
    err = capsys.readouterr().err
    assert err.startswith("refcheck: imported 3 works from 3 records (3 from items files; 0 ")


def test_an_input_giving_no_record_is_exit_2_and_the_store_is_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "works.sqlite3"
    assert main(["snapshot", "import", str(SEED_WORKS), "-o", str(store)]) == 0
    before = store.read_bytes()
    capsys.readouterr()
    source = tmp_path / "0.json.gz"
    source.write_bytes(gzip.compress(b'{"items": [{"title": ["no DOI"]}]}'))

    code = main(["snapshot", "import", str(source), "-o", str(store)])

    err = capsys.readouterr().err
    assert code == 2
    found = "found 1 lines or items, 1 not works records"
    assert err == f"refcheck: error: no works record in {source}: {found}\n"
    assert store.read_bytes() == before


def test_update_then_a_check_sees_the_newest_record(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    records = [json.loads(line) for line in SEED_WORKS.read_text().splitlines() if line]
    outdated = [
        dict(r, volume="999") if r["DOI"] == "10.1056/NEJMoa1209250" else r for r in records
    ]
    old = tmp_path / "old.jsonl"
    old.write_text("\n".join(map(json.dumps, outdated)) + "\n")
    store = tmp_path / "works.sqlite3"
    assert main(["snapshot", "import", str(old), "-o", str(store)]) == 0
    check = ["check", "--isolated", "--offline", "--no-cache", "--snapshot", str(store)]
    check += ["--format", "json", str(SEED_BIB)]
    capsys.readouterr()

    main(check)
    before = json.loads(capsys.readouterr().out)["references"]
    # A saved /works/{doi} answer, pretty printed, the DOI in another case.
    newest = next(r for r in records if r["DOI"] == "10.1056/NEJMoa1209250")
    answer = tmp_path / "answer.json"
    answer.write_text(
        json.dumps({"status": "ok", "message": dict(newest, DOI="10.1056/NEJMOA1209250")}, indent=2)
    )
    assert main(["snapshot", "update", str(store), str(answer)]) == 0
    err = capsys.readouterr().err
    assert err.startswith(
        f"refcheck: updated {store} from 1 records (1 from API answers; 0 skipped)"
    )
    assert "1 works replaced, 0 records added, 3 works now" in err
    assert main(check) == 0
    after = json.loads(capsys.readouterr().out)["references"]

    assert [e["status"] for e in before] == ["verified", "mismatch", "verified"]
    assert [e["status"] for e in after] == ["verified"] * 3


def test_an_update_from_nothing_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "works.sqlite3"
    assert main(["snapshot", "import", str(SEED_WORKS), "-o", str(store)]) == 0
    before = store.read_bytes()
    empty = tmp_path / "empty.json.gz"
    empty.write_bytes(gzip.compress(b""))
    capsys.readouterr()

    assert main(["snapshot", "update", str(store), str(empty)]) == 2
    err = capsys.readouterr().err
    assert err == f"refcheck: error: no works record in {empty}: found nothing to read (empty)\n"
    assert store.read_bytes() == before
