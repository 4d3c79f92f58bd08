"""doi.org over loopback: the agencies of many DOIs in one ``/ra/`` request, and the records of
agencies other than Crossref and DataCite (mEDRA, JaLC, KISTI...) by content negotiation.

The doi.org stand-in answers ``/ra/`` by prefix as the real answers in
../shared/datacite/agency.jsonl do. No real content negotiation answer of mEDRA is recorded
there, so a real Crossref record is served as CSL-JSON (Crossref's own negotiation answers
nearly its works record) under its own DOI, which the stand-in says mEDRA registered (as
10.3233/ISU-150780 was mEDRA's in 2021 and Crossref's in 2022); the Crossref stand-in does not
hold it."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from refcheck.cli import main
from refcheck.resolve.agency import Agency
from refcheck.resolve.cache import MISS, WorkCache
from refcheck.resolve.doiorg import DoiOrgClient, NotServed, agencies_from
from refcheck.testing import CrossrefStandin, load_records
from refcheck.testing.doi_standin import DoiStandin

MEDRA_DOI = "10.1001/archotol.1997.01900010116019"  # said to be mEDRA's here, see above
JALC_PREFIX = "10.11367"  # JaLC's, as doi.org answered (agency.jsonl)

CITED = (
    "Beuerlein, M. E., Schuller, D. E., & DeYoung, B. R. ({year}). Maxillary malignant "
    "mesenchymoma and massive fibrous dysplasia. Archives of Otolaryngology - Head and Neck "
    "Surgery, 123(1), 106-109. https://doi.org/{doi}"
)
JALC = (
    "Tanaka, H. (2003). A study of something registered in Japan. Journal of Things, 12, "
    f"1-10. https://doi.org/{JALC_PREFIX}/jjt.12.1"
)
NOWHERE = (
    "Smith, J. (2001). A paper nobody registered. Journal of Nothing, 3, 4-5. "
    "https://doi.org/10.99999/nothing.3.4"
)


def _real_ra_answers(shared: Path) -> dict[str, str]:
    """doi.org's recorded answers: prefix -> RA name."""
    found: dict[str, str] = {}
    for line in (shared / "datacite" / "agency.jsonl").read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        answer = item["answer"]
        if item["request"].startswith("https://doi.org/ra/") and isinstance(answer, list):
            for entry in answer:
                if "RA" in entry:
                    found[entry["DOI"].lower()] = entry["RA"]
    return found


@pytest.fixture(scope="module")
def records(shared: Path) -> list[dict[str, Any]]:
    return load_records(shared / "crossref" / "works-dev.jsonl.gz")


@pytest.fixture(scope="module")
def services(
    shared: Path, records: list[dict[str, Any]]
) -> Iterator[tuple[CrossrefStandin, DoiStandin]]:
    [record] = [r for r in records if r["DOI"].lower() == MEDRA_DOI]
    agencies = {**_real_ra_answers(shared), MEDRA_DOI: "mEDRA"}
    assert agencies[JALC_PREFIX] == "JaLC"
    crossref = CrossrefStandin(
        [r for r in records if r["DOI"].lower() != MEDRA_DOI],
        agencies={MEDRA_DOI: "medra", JALC_PREFIX: "jalc"},
    )
    doiorg = DoiStandin(agencies, records=[record])
    with crossref, doiorg:
        yield crossref, doiorg


def _check(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    lines: list[str],
    crossref: str,
    doi_url: str,
    *extra: str,
) -> tuple[int, list[dict[str, Any]]]:
    post = tmp_path / "post.md"
    post.write_text(
        "# Reading list\n\nSome notes.\n\n## References\n\n" + "\n\n".join(lines) + "\n",
        encoding="utf-8",
    )
    code = main(
        [
            "check",
            str(post),
            "--isolated",
            "--format",
            "json",
            "--crossref-url",
            crossref,
            "--doi-url",
            doi_url,
            "--timeout",
            "2",
            *extra,
        ]
    )
    return code, json.loads(capsys.readouterr().out)["references"]


def test_ra_answers_are_read_as_doi_org_gives_them() -> None:
    answer = [
        {"DOI": "10.5061/dryad.1", "RA": "DataCite"},
        {"DOI": "10.1392/x", "RA": "mEDRA"},
        {"DOI": "10.99999/y", "status": "DOI does not exist"},
        {"DOI": "10.1234/z", "RA": "Unknown"},
    ]
    asked = ["10.5061/dryad.1", "10.1392/x", "10.99999/y", "10.1234/z"]
    assert agencies_from(answer, asked) == {
        "10.5061/dryad.1": Agency("datacite", "DataCite"),
        "10.1392/x": Agency("medra", "mEDRA"),
        "10.99999/y": None,
    }


async def test_the_client_asks_many_dois_in_one_request_and_negotiates_csl(
    services: tuple[CrossrefStandin, DoiStandin],
) -> None:
    _, doiorg = services
    before = len(doiorg.requests)
    async with DoiOrgClient(doiorg.url, timeout=2.0) as client:
        agencies = await client.agencies([MEDRA_DOI, f"{JALC_PREFIX}/a.1", "10.99999/b"])
        assert [p for p in doiorg.requests[before:] if p.startswith("/ra/")] == [
            doiorg.requests[before]
        ]  # one request for the three
        medra = agencies[MEDRA_DOI]
        assert medra == Agency("medra", "mEDRA")
        assert agencies[f"{JALC_PREFIX}/a.1"] == Agency("jalc", "JaLC")
        assert agencies["10.99999/b"] is None
        work = await client.work(MEDRA_DOI, medra)
        assert work is not None
        assert work.registry == "mEDRA"
        assert work.title == "Maxillary Malignant Mesenchymoma and Massive Fibrous Dysplasia"
        assert work.type == "journal-article"
        with pytest.raises(NotServed, match="JaLC"):
            await client.work(f"{JALC_PREFIX}/a.1", Agency("jalc", "JaLC"))
        assert await client.work("10.99999/b", Agency("medra", "mEDRA")) is None


def test_another_agencys_work_is_checked_from_its_csl_record(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    services: tuple[CrossrefStandin, DoiStandin],
) -> None:
    crossref, doiorg = services
    before = len(doiorg.requests)
    lines = [
        CITED.format(year=1997, doi=MEDRA_DOI),
        CITED.format(year=1999, doi=MEDRA_DOI).replace("Beuerlein", "Beuerlien"),
        JALC,
        NOWHERE,
    ]
    code, entries = _check(capsys, tmp_path, lines, crossref.url, doiorg.url, "--no-cache")
    assert [(e["status"], e["doi"]) for e in entries] == [
        ("verified", MEDRA_DOI),
        ("mismatch", MEDRA_DOI),
        ("unverified", None),
        ("not_found", None),
    ]
    assert entries[0]["findings"] == []
    errors = {(f["code"], f["field"]): f["message"] for f in entries[1]["findings"]}
    assert set(errors) == {("RC303", "authors"), ("RC401", "year")}
    assert "mEDRA has 1997" in errors["RC401", "year"]  # the registry holding the work
    assert "mEDRA spells it" in errors["RC303", "authors"]
    assert entries[0]["sources"] == [
        {"source": "crossref", "outcome": "not-found"},
        {"source": "agency", "outcome": "answered"},
        {"source": "doi.org", "outcome": "answered"},
    ]
    # JaLC serves no CSL-JSON here: unverified, naming the agency, never wrong.
    assert "JaLC" in entries[2]["message"]
    assert {"source": "jalc", "outcome": "unreachable"} in entries[2]["sources"]
    assert [f["code"] for f in entries[3]["findings"]] == ["RC101"]
    # The agencies of the three DOIs Crossref does not hold: one /ra/ request.
    asked = doiorg.requests[before:]
    assert len([p for p in asked if p.startswith("/ra/")]) == 1
    assert code == 1  # the two errors of the second reference


def test_with_doi_org_unreachable_the_agency_comes_from_crossref_and_the_work_is_unverified(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    services: tuple[CrossrefStandin, DoiStandin],
) -> None:
    crossref, _ = services
    with DoiStandin({}) as gone:
        url = gone.url  # nothing listens there once it has stopped
    lines = [CITED.format(year=1997, doi=MEDRA_DOI), NOWHERE]
    code, entries = _check(capsys, tmp_path, lines, crossref.url, url, "--no-cache")
    assert [e["status"] for e in entries] == ["unverified", "not_found"]
    assert "mEDRA" in entries[0]["message"]
    assert entries[0]["sources"][-1] == {"source": "doi.org", "outcome": "unreachable"}
    assert code == 1  # the DOI that exists nowhere; the unverified one passes


def test_agency_answers_are_cached_with_the_other_answers(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    services: tuple[CrossrefStandin, DoiStandin],
) -> None:
    crossref, doiorg = services
    cache = tmp_path / "cache"
    lines = [JALC, NOWHERE]
    first = _check(capsys, tmp_path, lines, crossref.url, doiorg.url, "--cache-dir", str(cache))
    before = len(doiorg.requests)
    second = _check(capsys, tmp_path, lines, crossref.url, doiorg.url, "--cache-dir", str(cache))
    assert [e["status"] for e in first[1]] == ["unverified", "not_found"]
    assert [e["status"] for e in second[1]] == ["unverified", "not_found"]
    # The JaLC DOI's agency and the absent DOI's came from the cache: no /ra/ asked again.
    assert not [p for p in doiorg.requests[before:] if p.startswith("/ra/")]


def test_a_cache_written_before_agencies_were_cached_gains_their_table(tmp_path: Path) -> None:
    path = tmp_path / "crossref.sqlite3"
    with WorkCache(path) as cache:
        cache.put_works({"10.1/a": None})
    with sqlite3.connect(path) as db:  # as schema version 1 was first released
        db.execute("DROP TABLE agencies")
    with WorkCache(path) as cache:
        assert cache.get_work("10.1/a") is None  # the old answers are kept
        assert cache.get_agency("10.1392/x") is MISS
        cache.put_agencies({"10.1392/x": Agency("medra", "mEDRA"), "10.99999/y": None})
    with WorkCache(path) as cache:
        assert cache.get_agency("10.1392/x") == Agency("medra", "mEDRA")
        assert cache.get_agency("https://doi.org/10.99999/Y") is None
