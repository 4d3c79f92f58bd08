"""`refcheck snapshot import`: records in, an SQLite store out that `check` can use."""

from __future__ import annotations

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
