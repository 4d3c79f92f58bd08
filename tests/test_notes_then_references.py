"""A post whose "# Notes" heading is followed by a "## References" list: the list is read as
one (each entry parsed as a reference, not only its DOI picked out of prose), so a GBIF
download cited as "GBIF.org (2022) Occurrence Download <DOI>" is checked on its year and
title against DataCite's record, over loopback HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from refcheck.cli import main
from refcheck.readers import read_markdown
from refcheck.testing import CrossrefStandin, DataciteStandin, load_records

GBIF = "GBIF.org ({year}) Occurrence Download https://doi.org/10.15468/dl.27dz2u"


def post(year: int, notes: str = "# Notes") -> str:
    return f"{notes}\n\nSome notes on where birds were seen.\n\n## References\n\n" + (
        GBIF.format(year=year) + "\n"
    )


@pytest.mark.parametrize("notes", ["# Notes", "# Field notes\n\n## Notes"])
def test_a_references_list_under_notes_is_read_as_a_list(notes: str) -> None:
    [reference] = read_markdown(post(2022, notes), "post.md")
    assert reference.doi == "10.15468/dl.27dz2u"
    assert reference.year == 2022
    assert reference.title is not None
    assert "Occurrence Download" in reference.title


@pytest.fixture(scope="module")
def standins(shared: Path) -> Iterator[tuple[CrossrefStandin, DataciteStandin]]:
    crossref = CrossrefStandin(
        load_records(shared / "crossref" / "works-dev.jsonl.gz"),
        agencies={"10.15468": "datacite"},
    )
    datacite = DataciteStandin(load_records(shared / "datacite" / "records.jsonl.gz"))
    with crossref, datacite:
        yield crossref, datacite


@pytest.mark.parametrize(
    ("year", "status", "errors"), [(2022, "verified", []), (2019, "mismatch", ["RC401"])]
)
def test_the_gbif_download_is_checked_against_datacite(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    standins: tuple[CrossrefStandin, DataciteStandin],
    year: int,
    status: str,
    errors: list[str],
) -> None:
    crossref, datacite = standins
    path = tmp_path / "post.md"
    path.write_text(post(year), encoding="utf-8")
    code = main(
        [
            "check",
            str(path),
            "--isolated",
            "--no-cache",
            "--format",
            "json",
            "--source",
            "crossref,datacite",
            "--crossref-url",
            crossref.url,
            "--datacite-url",
            datacite.url,
            "--timeout",
            "2",
        ]
    )
    [entry] = json.loads(capsys.readouterr().out)["references"]
    assert (entry["status"], entry["doi"]) == (status, "10.15468/dl.27dz2u")
    assert [f["code"] for f in entry["findings"] if f["severity"] != "info"] == errors
    assert code == (1 if errors else 0)
