"""DataCite: its records made into the one Work model, its client over loopback HTTP, and the
resolver asking a DOI's registration agency when Crossref does not hold it."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from refcheck.config import Settings
from refcheck.errors import RegistryError
from refcheck.models import Person, Work
from refcheck.resolve.arxiv import published_dois
from refcheck.resolve.datacite import DataciteClient
from refcheck.resolve.datacite_records import work_from_datacite
from refcheck.resolve.resolver import Resolver
from refcheck.testing import CrossrefStandin, DataciteStandin, Fault, load_records
from refcheck.testing.arxiv_standin import ArxivStandin

ARXIV = "10.48550/arxiv.1706.03762"
ZENODO = "10.5281/zenodo.11800"


@pytest.fixture(scope="module")
def records(shared: Path) -> list[dict[str, Any]]:
    return load_records(shared / "datacite" / "records.jsonl.gz")


@pytest.fixture(scope="module")
def by_doi(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["id"].lower(): r for r in records}


def _record(doi: str, **attributes: Any) -> dict[str, Any]:
    return {"id": doi, "type": "dois", "attributes": {"doi": doi, **attributes}}


# --- records -> Work -------------------------------------------------------------------------


def test_every_real_record_makes_a_work_with_its_doi_title_and_year(
    records: list[dict[str, Any]],
) -> None:
    for record in records:
        work = work_from_datacite(record)
        assert work.doi == record["attributes"]["doi"].lower()
        assert work.title, record["id"]
        assert work.year == record["attributes"]["publicationYear"], record["id"]


def test_the_arxiv_record_is_a_preprint_with_its_authors_and_versions_years(
    by_doi: dict[str, dict[str, Any]],
) -> None:
    work = work_from_datacite(by_doi[ARXIV])
    assert work.title == "Attention Is All You Need"
    assert work.type == "posted-content"
    assert work.publisher == "arXiv"
    assert work.authors[0] == Person(family="Vaswani", given="Ashish")
    assert len(work.authors) == 8
    # Issued 2017; later versions were submitted and updated in 2023.
    assert work.year == 2017
    assert 2023 in work.years


def test_creators_without_given_and_family_names() -> None:
    work = work_from_datacite(
        _record(
            "10.5281/x",
            titles=[{"title": "T"}],
            creators=[
                {"name": "Lab For Exosphere And Near Space Environment Studies"},
                {"name": "Sagiv Schiber"},
                {"name": "Fenner, Martin"},
                {"name": "GBIF.Org User", "nameType": "Organizational"},
                {"name": "ignored", "familyName": "Huck", "givenName": "Kevin"},
                {"name": "Occdownload Gbif.Org"},
                {"name": "[s.n.]"},
                {"name": ":unav"},
            ],
        )
    )
    assert work.authors == (
        Person(literal="Lab For Exosphere And Near Space Environment Studies"),
        Person(family="Sagiv Schiber"),  # unsplit: comparison tries each split
        Person(family="Fenner", given="Martin"),
        Person(literal="GBIF.Org User"),
        Person(family="Huck", given="Kevin"),
        Person(literal="Occdownload Gbif.Org"),  # a domain: an organisation's name
    )  # "[s.n.]" and ":unav" say no creator is known


def test_the_main_title_is_the_one_without_a_title_type() -> None:
    work = work_from_datacite(
        _record(
            "10.5281/y",
            titles=[
                {"title": "Translated", "titleType": "TranslatedTitle"},
                {"title": "Main"},
                {"title": "Sub", "titleType": "Subtitle"},
            ],
        )
    )
    assert (work.title, work.subtitle) == ("Main", "Sub")


def test_a_container_gives_its_title_volume_issue_and_pages() -> None:
    work = work_from_datacite(
        _record(
            "10.1/z",
            container={
                "title": "J",
                "volume": "4",
                "issue": "2",
                "firstPage": "7",
                "lastPage": "9",
            },
            types={"resourceTypeGeneral": "JournalArticle"},
        )
    )
    assert (work.container_title, work.volume, work.issue, work.page, work.type) == (
        ("J",),
        "4",
        "2",
        "7-9",
        "journal-article",
    )


def test_a_record_without_doi_is_refused() -> None:
    with pytest.raises(ValueError, match="no DOI"):
        work_from_datacite({"attributes": {"titles": [{"title": "x"}]}})


# --- the client over loopback HTTP -----------------------------------------------------------


async def _one(url: str, doi: str, **kwargs: Any) -> Work | None:
    options: dict[str, Any] = {"timeout": 2.0, "backoff": 0.0, **kwargs}
    async with DataciteClient(url, **options) as client:
        return await client.work(doi)


def test_client_reads_a_record_and_a_404(records: list[dict[str, Any]]) -> None:
    with DataciteStandin(records) as datacite:
        work = asyncio.run(_one(datacite.url, "https://doi.org/10.48550/arXiv.1706.03762"))
        assert work is not None
        assert work.title == "Attention Is All You Need"
        assert asyncio.run(_one(datacite.url, "10.5281/zenodo.1180")) is None
        assert datacite.requests[-1] == "/dois/10.5281%2Fzenodo.1180"


def test_the_stand_in_answers_404_as_datacite_does(shared: Path) -> None:
    real = json.loads((shared / "datacite" / "notfound.jsonl").read_text().splitlines()[0])
    import httpx

    with DataciteStandin([]) as datacite:
        answer = httpx.get(f"{datacite.url}/dois/10.14454/1x4x-9056")
    assert answer.status_code == real["status"] == 404
    assert answer.json() == real["answer"]


def test_client_retries_a_429_and_gets_the_record(records: list[dict[str, Any]]) -> None:
    with DataciteStandin(records) as datacite:
        # Without a Retry-After a 429 pauses for DataCite's window (minutes, cut to
        # max_retry_after); the stand-in asks for no wait, so the retries go at once.
        datacite.faults.push(Fault.too_many_requests(retry_after="0"), count=2)
        work = asyncio.run(_one(datacite.url, ZENODO, retries=3))
        assert work is not None
        assert work.doi == ZENODO
        assert len(datacite.requests) == 3


@pytest.mark.parametrize(
    ("fault", "words"),
    [
        (Fault.broken_json(), "not JSON"),
        (Fault.unavailable(), "answered 503 after 1 attempt"),
        (Fault.too_many_requests(), "kept refusing (429)"),
        (Fault.slow(3.0), "timed out"),
    ],
)
def test_bad_answers_are_one_line_registry_errors(
    records: list[dict[str, Any]], fault: Fault, words: str
) -> None:
    with DataciteStandin(records) as datacite:
        datacite.faults.push(fault, count=5)
        with pytest.raises(RegistryError) as caught:
            asyncio.run(_one(datacite.url, ZENODO, retries=0, timeout=0.5))
    assert words in str(caught.value)
    assert "\n" not in str(caught.value)


def test_unreachable_datacite_is_a_registry_error() -> None:
    with DataciteStandin([]) as datacite:
        url = datacite.url  # the port is free again once the stand-in stops
    with pytest.raises(RegistryError, match="could not be reached"):
        asyncio.run(_one(url, ZENODO, retries=0))


def test_the_stand_in_enforces_datacites_rate(records: list[dict[str, Any]]) -> None:
    with DataciteStandin(records, rate_limit=2, interval=300.0, enforce_limits=True) as datacite:
        with pytest.raises(RegistryError, match="429"):
            asyncio.run(_many(datacite.url, [ZENODO] * 3))
        assert datacite.throttled >= 1


async def _many(url: str, dois: list[str]) -> None:
    async with DataciteClient(url, timeout=2.0, backoff=0.0, retries=0) as client:
        for doi in dois:
            await client.work(doi)


# --- the resolver: Crossref, then the agency, then DataCite ----------------------------------


def _settings(
    crossref: CrossrefStandin, datacite_url: str, arxiv_url: str | None = None
) -> Settings:
    return Settings(
        crossref_url=crossref.url,
        datacite_url=datacite_url,
        arxiv_url=arxiv_url or _nowhere(),
        no_cache=True,
        timeout=2.0,
        retries=0,
    )


def _nowhere() -> str:
    """A loopback URL nothing listens at: arXiv not asked over the internet in these tests."""
    with DataciteStandin([]) as gone:
        return gone.url


async def _lookup(settings: Settings, dois: list[str]) -> dict[str, Any]:
    async with Resolver.from_settings(settings) as resolver:
        return await resolver.lookup_dois(dois)


def test_a_datacite_doi_is_looked_up_at_datacite(records: list[dict[str, Any]]) -> None:
    agencies = {"10.5281": "datacite", "10.48550": "datacite", "10.3233": "medra"}
    with (
        CrossrefStandin([], agencies=agencies) as crossref,
        DataciteStandin(records) as datacite,
    ):
        found = asyncio.run(
            _lookup(
                _settings(crossref, datacite.url),
                [ARXIV, ZENODO, "10.5281/zenodo.118000", "10.3233/isu-150780", "10.9999/none"],
            )
        )
    arxiv, zenodo = found[ARXIV], found[ZENODO]
    assert isinstance(arxiv, Work)
    assert arxiv.title == "Attention Is All You Need"
    assert isinstance(zenodo, Work)
    assert zenodo.doi == ZENODO
    # A DataCite prefix with a DOI DataCite does not hold: no such work.
    assert found["10.5281/zenodo.118000"] is None
    # Another agency: not asked, said so, never "not found".
    medra = found["10.3233/isu-150780"]
    assert isinstance(medra, RegistryError)
    assert "mEDRA" in str(medra)
    # No agency holds it: it exists nowhere.
    assert found["10.9999/none"] is None


def test_with_datacite_unreachable_a_datacite_doi_is_an_error_not_an_absence() -> None:
    with DataciteStandin([]) as datacite:
        url = datacite.url
    with CrossrefStandin([], agencies={"10.5281": "datacite"}) as crossref:
        found = asyncio.run(_lookup(_settings(crossref, url), [ZENODO]))
    assert isinstance(found[ZENODO], RegistryError)


def test_datacite_answers_are_cached_and_read_back_offline(
    records: list[dict[str, Any]], tmp_path: Path
) -> None:
    with (
        CrossrefStandin([], agencies={"10.5281": "datacite"}) as crossref,
        DataciteStandin(records) as datacite,
    ):
        settings = _settings(crossref, datacite.url).model_copy(
            update={"no_cache": False, "cache_dir": tmp_path}
        )
        online = asyncio.run(_lookup(settings, [ZENODO, "10.5281/zenodo.118000"]))
    offline = asyncio.run(_lookup(settings.model_copy(update={"offline": True}), [ZENODO]))
    assert isinstance(online[ZENODO], Work)
    assert offline[ZENODO] == online[ZENODO]


async def _consulted(settings: Settings, dois: list[str]) -> dict[str, list[tuple[str, str]]]:
    async with Resolver.from_settings(settings) as resolver:
        await resolver.lookup_dois(dois)
        return {
            doi: [(c.source, c.outcome) for c in resolver.consulted(doi, forget=True)]
            for doi in dois
        }


def test_each_lookup_records_the_sources_asked(
    records: list[dict[str, Any]], tmp_path: Path
) -> None:
    agencies = {"10.5281": "datacite", "10.3233": "medra"}
    medra = "10.3233/isu-150780"
    with (
        CrossrefStandin([], agencies=agencies) as crossref,
        DataciteStandin(records) as datacite,
    ):
        settings = _settings(crossref, datacite.url).model_copy(
            update={"no_cache": False, "cache_dir": tmp_path}
        )
        online = asyncio.run(_consulted(settings, [ZENODO, medra, "10.9999/none"]))
    assert online == {
        ZENODO: [("crossref", "not-found"), ("agency", "answered"), ("datacite", "answered")],
        medra: [("crossref", "not-found"), ("agency", "answered"), ("medra", "not-asked")],
        "10.9999/none": [("crossref", "not-found"), ("agency", "not-found")],
    }
    offline = asyncio.run(
        _consulted(settings.model_copy(update={"offline": True}), [ZENODO, medra])
    )
    assert offline == {ZENODO: [("cache", "answered")], medra: [("crossref", "not-asked")]}


def test_search_finds_a_record_by_a_citations_words(records: list[dict[str, Any]]) -> None:
    async def search(url: str, query: str) -> list[Work]:
        async with DataciteClient(url, timeout=2.0, backoff=0.0) as client:
            return await client.search(query, rows=3)

    with DataciteStandin(records) as datacite:
        found = asyncio.run(
            search(datacite.url, "Vanderplas, J. (2015). Supersmoother: Minor bug fix release.")
        )
        assert [w.doi for w in found][:1] == ["10.5281/zenodo.28518"]
        # Query syntax is not sent: the words alone.
        assert asyncio.run(search(datacite.url, "(): ~*")) == []
        datacite.faults.push(Fault.broken_json())
        with pytest.raises(RegistryError, match="not JSON"):
            asyncio.run(search(datacite.url, "Supersmoother"))


def test_an_arxiv_record_names_its_published_version(
    by_doi: dict[str, dict[str, Any]],
) -> None:
    # resourceTypeGeneral "Text", IsVersionOf the Physical Review A article.
    work = work_from_datacite(by_doi["10.48550/arxiv.2201.06719"])
    assert work.type == "posted-content"
    assert work.preprint_of == ("10.1103/physreva.106.012821",)
    # A Zenodo IsVersionOf names its concept DOI, not a publication.
    zenodo = _record(
        "10.5281/zenodo.2",
        relatedIdentifiers=[
            {
                "relationType": "IsVersionOf",
                "relatedIdentifier": "10.5281/zenodo.1",
                "relatedIdentifierType": "DOI",
            }
        ],
    )
    assert work_from_datacite(zenodo).preprint_of == ()


def test_arxivs_export_api_gives_a_preprints_published_version(
    records: list[dict[str, Any]], shared: Path
) -> None:
    entries = load_records(shared / "arxiv" / "entries.jsonl.gz")
    # A DataCite record for an arXiv paper whose published DOI only arXiv's API gives.
    entry = next(e for e in entries if e["doi"] and "/" not in e["id"])
    doi = f"10.48550/arxiv.{entry['id']}"
    record = _record(doi, titles=[{"title": entry["title"]}], publicationYear=2020)
    with (
        CrossrefStandin([]) as crossref,
        DataciteStandin([*records, record]) as datacite,
        ArxivStandin(entries) as arxiv,
    ):
        settings = _settings(crossref, datacite.url, arxiv.url)
        found = asyncio.run(_lookup(settings, [doi, ARXIV]))
        asked = arxiv.requests
    work = found[doi]
    assert isinstance(work, Work)
    assert work.preprint_of == (entry["doi"],)
    # One request for both preprints, as arXiv asks.
    assert len(asked) == 1
    assert "id_list=" in asked[0]


def test_arxiv_unreachable_leaves_the_preprint_as_datacite_has_it(
    records: list[dict[str, Any]],
) -> None:
    with CrossrefStandin([]) as crossref, DataciteStandin(records) as datacite:
        found = asyncio.run(_lookup(_settings(crossref, datacite.url), [ARXIV]))
    work = found[ARXIV]
    assert isinstance(work, Work)
    assert work.title == "Attention Is All You Need"


def test_published_dois_reads_arxivs_recorded_answers(shared: Path) -> None:
    raw = shared / "arxiv" / "raw"
    legacy = published_dois(
        (raw / "legacy_id-list_1111.2011v2_doi-journal-ref_2016.xml").read_bytes()
    )
    assert legacy == {"1111.2011": "10.1103/PhysRevB.85.115117"}
    assert published_dois((raw / "api2026_error_400_incorrect-id-format.xml").read_bytes()) == {}
    with pytest.raises(RegistryError, match="not XML"):
        published_dois(b"<feed")
