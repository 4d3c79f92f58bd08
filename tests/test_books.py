"""Books: ISBNs read from references, Open Library as a source, books verified by ISBN at
Crossref then Open Library, and books no registry holds skipped, over loopback HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from refcheck.api import check_async
from refcheck.books import with_isbn_findings
from refcheck.cli import main
from refcheck.config import Settings
from refcheck.errors import RegistryError
from refcheck.models import Reference, Status, Verdict, Work
from refcheck.parse.identifiers import CitedIsbn, cited_isbns, isbn13
from refcheck.readers import read_markdown
from refcheck.resolve.crossref import CrossrefClient
from refcheck.resolve.http import HttpOptions
from refcheck.resolve.openlibrary import OpenLibraryClient
from refcheck.resolve.resolver import Resolver
from refcheck.rules import lookup
from refcheck.testing import CrossrefStandin, Fault, load_records
from refcheck.testing.openlibrary_standin import OpenLibraryStandin
from refcheck.verify import matched


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("978-0-374-27563-1", "9780374275631"),
        ("0-374-27563-7", "9780374275631"),  # the same book's ISBN-10
        ("0 8044 2957 X", "9780804429573"),  # check digit X (ten)
        ("080442957x", "9780804429573"),
        ("979-10-90636-07-1", "9791090636071"),  # 979: no ISBN-10 exists
        ("978-0-374-27563-2", None),  # one digit off
        ("0-374-27536-7", None),  # two digits swapped
        ("0-374-2756X-7", None),  # X only as a check digit
        ("123-4-567-89012-8", None),  # 13 digits, but no 978/979 prefix
        ("12345", None),
    ],
)
def test_isbn13_normalises_and_validates_the_check_digit(
    written: str, expected: str | None
) -> None:
    assert isbn13(written) == expected


@pytest.mark.parametrize(
    ("text", "found"),
    [
        (
            "Kahneman, D. (2011). Thinking, fast and slow. Farrar, Straus and Giroux. "
            "ISBN 978-0-374-27563-1",
            [CitedIsbn("978-0-374-27563-1", "9780374275631")],
        ),
        (
            "Lynch S. WidgetKit. Apress; 2020. ISBN-10: 0-374-27563-7.",
            [CitedIsbn("0-374-27563-7", "9780374275631")],
        ),
        (
            "@book{k,\n  title = {T},\n  isbn = {978-0-374-27563-2, 9781484267004}\n}",
            [CitedIsbn("978-0-374-27563-2", None), CitedIsbn("9781484267004", "9781484267004")],
        ),
        (
            '{"id": "k", "type": "book", "ISBN": "9781484267004"}',
            [CitedIsbn("9781484267004", "9781484267004")],
        ),
        # The same book twice (ISBN-10 and -13) is one ISBN.
        (
            "ISBN 0-374-27563-7 (ISBN-13: 978-0-374-27563-1)",
            [CitedIsbn("0-374-27563-7", "9780374275631")],
        ),
        ("Smith J (2019) A study. J Imag Res 3:1-9", []),
        ("Smith J (2019) On the ISBN system. J Libr 12:101-109", []),  # no number after it
    ],
)
def test_cited_isbns_are_read_from_text_bibtex_and_csl_json(
    text: str, found: list[CitedIsbn]
) -> None:
    assert list(cited_isbns(Reference(text=text))) == found


def test_a_bad_check_digit_is_a_documented_error_rule() -> None:
    rule = lookup("isbn-invalid")
    assert rule is not None
    assert rule.code == "RC106"
    assert rule.severity.value == "error"
    assert "978-0-374-27563-2" in rule.example


# --- Open Library over loopback HTTP ---------------------------------------------------------


def _fast(**overrides: float) -> HttpOptions:
    """Retries without waiting: the tests are about what is asked and answered."""
    options: HttpOptions = {"timeout": 2.0, "retries": 1, "backoff": 0.0}
    options.update(overrides)  # type: ignore[typeddict-item]
    return options


async def test_books_by_isbn_come_in_one_request_with_the_contact_in_the_user_agent() -> None:
    with OpenLibraryStandin() as library:
        async with OpenLibraryClient(library.url, "me@example.org", **_fast()) as client:
            found = await client.books(["9780374275631", "9780465026852", "9781111111113"])
        assert library.requests[0].startswith("/api/books?bibkeys=ISBN%3A9780374275631%2C")
        assert len(library.requests) == 1
        assert "mailto:me@example.org" in library.user_agents[0]
    kahneman = found["9780374275631"]
    assert kahneman is not None
    assert (kahneman.title, kahneman.year, kahneman.publisher) == (
        "Thinking, Fast and Slow",
        2011,
        "Farrar, Straus and Giroux",
    )
    assert [(p.family, p.given) for p in kahneman.authors] == [("Kahneman", "Daniel")]
    assert (kahneman.registry, kahneman.doi, kahneman.type) == ("Open Library", "", "book")
    assert kahneman.isbn == ("9780374275631",)
    # A thin record (title only, found by the ISBN-13 of its ISBN-10) holds what it holds.
    thin = found["9780465026852"]
    assert thin is not None
    assert (thin.title, thin.subtitle, thin.authors, thin.year) == (
        "Gödel, Escher, Bach",
        "An Eternal Golden Braid",
        (),
        None,
    )
    assert found["9781111111113"] is None  # a key Open Library left out: it does not hold it


async def test_search_by_title_and_author_keeps_the_cited_editions_year() -> None:
    with OpenLibraryStandin() as library:
        async with OpenLibraryClient(library.url, **_fast()) as client:
            later = await client.search("Thinking, fast and slow", "Kahneman", year=2013)
            other = await client.search("Thinking, fast and slow", "Kahneman", year=2015)
            nobody = await client.search("Thinking, fast and slow", "Tversky")
        asked = parse_qs(urlsplit(library.requests[0]).query)
    assert asked["title"] == ["Thinking fast and slow"]
    assert asked["author"] == ["Kahneman"]
    assert "first_publish_year" in asked["fields"][0]
    assert [w.years for w in later] == [(2011, 2013)]  # the 2013 paperback is an edition
    assert [w.years for w in other] == [(2011,)]  # no edition in 2015
    assert nobody == []


async def test_open_library_asks_one_request_a_second() -> None:
    with OpenLibraryStandin(enforce_limits=True, interval=1.0) as library:
        async with OpenLibraryClient(library.url, **_fast()) as client:
            for title in ("Thinking fast and slow", "Introduction to algorithms", "Structure"):
                assert len(await client.search(title)) == 1
        assert library.throttled == 0
        assert len(library.requests) == 3


async def test_open_library_failures_are_one_line_registry_errors() -> None:
    with OpenLibraryStandin() as library:
        async with OpenLibraryClient(library.url, **_fast(retries=0)) as client:
            library.faults.push(Fault.unavailable(503))
            with pytest.raises(RegistryError, match=r"^Open Library answered 503"):
                await client.books(["9780374275631"])
            library.faults.push(Fault.broken_json(), count=3)
            with pytest.raises(RegistryError, match="not JSON"):
                await client.books(["9780374275631"])
    with OpenLibraryStandin() as gone:
        url = gone.url  # nothing listens there once it has stopped
    async with OpenLibraryClient(url, **_fast(retries=0)) as client:
        with pytest.raises(RegistryError, match="could not be reached"):
            await client.search("Thinking fast and slow")


def test_the_standin_answers_javascript_unless_asked_for_json() -> None:
    with OpenLibraryStandin() as library, httpx.Client(base_url=library.url) as http:
        script = http.get("/api/books", params={"bibkeys": "ISBN:0374275637"})
        data = http.get(
            "/api/books",
            params={"bibkeys": "ISBN:0374275637", "format": "json", "jscmd": "data"},
        )
    assert script.text.startswith("var _OLBookInfo = {")
    edition = data.json()["ISBN:0374275637"]  # keyed as asked, ISBN-10
    assert edition["identifiers"]["isbn_13"] == ["9780374275631"]
    assert edition["authors"][0]["name"] == "Daniel Kahneman"
    assert edition["publishers"] == [{"name": "Farrar, Straus and Giroux"}]


async def test_crossref_lists_a_book_under_its_isbn_not_its_chapters(shared: Path) -> None:
    records = load_records(shared / "crossref" / "works-dev.jsonl.gz")
    with CrossrefStandin(records) as crossref:
        async with CrossrefClient(crossref.url, **_fast()) as client:
            widgetkit = await client.books("9781484267004")
            unknown = await client.books("9780374275631")
        asked = crossref.requests[0].query
    assert [w.doi for w in widgetkit] == ["10.1007/978-1-4842-6700-4"]
    assert unknown == []
    assert asked["filter"][0].startswith("isbn:9781484267004,type:book,")


# --- books checked end to end: the CLI against the Crossref and Open Library stand-ins ------

POST = """\
# On judgement

## References

Lynch, S. (2020). Introducing WidgetKit for iOS: Adding a simple widget to your iOS app. \
Apress. ISBN 978-1-4842-6700-4

Kahneman, D. (2011). Thinking, fast and slow. Farrar, Straus and Giroux. ISBN 978-0-374-27563-1

Hofstadter, D. R. (1979). Gödel, Escher, Bach: An eternal golden braid. Basic Books. \
ISBN 0-465-02685-0

Smith, J. (2019). A handbook nobody wrote. Oxford University Press.
"""


@pytest.fixture(scope="module")
def crossref(shared: Path) -> Iterator[CrossrefStandin]:
    with CrossrefStandin(load_records(shared / "crossref" / "works-dev.jsonl.gz")) as standin:
        yield standin


@pytest.fixture(scope="module")
def library() -> Iterator[OpenLibraryStandin]:
    with OpenLibraryStandin() as standin:
        yield standin


def run(
    capsys: pytest.CaptureFixture[str], path: Path, crossref: str, library: str
) -> tuple[int, list[dict[str, Any]]]:
    code = main(
        [
            "check",
            str(path),
            "--isolated",
            "--no-cache",
            "--format",
            "json",
            "--crossref-url",
            crossref,
            "--openlibrary-url",
            library,
            # No DataCite or arXiv here: their stand-in is never reached, and asked of nothing.
            "--datacite-url",
            library,
            "--arxiv-url",
            library,
            "--timeout",
            "2",
        ]
    )
    report = json.loads(capsys.readouterr().out)
    return code, report["references"]


def test_books_are_verified_by_isbn_at_crossref_then_open_library_and_the_rest_skipped(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    crossref: CrossrefStandin,
    library: OpenLibraryStandin,
) -> None:
    post = tmp_path / "post.md"
    post.write_text(POST, encoding="utf-8")
    code, entries = run(capsys, post, crossref.url, library.url)
    assert [(e["status"], e["doi"]) for e in entries] == [
        ("verified", "10.1007/978-1-4842-6700-4"),  # Crossref lists it under its ISBN
        ("verified", None),  # Open Library's edition: a book has no DOI
        ("verified", None),  # a thin record (title only) confirms its title
        ("skipped", None),  # no ISBN, and neither registry holds it
    ]
    assert entries[0]["sources"] == [{"source": "crossref", "outcome": "answered"}]
    assert entries[1]["sources"] == [
        {"source": "crossref", "outcome": "not-found"},
        {"source": "openlibrary", "outcome": "answered"},
    ]
    assert entries[1]["findings"] == []  # no "no DOI cited" for a book without one
    assert [f["code"] for f in entries[3]["findings"]] == ["RC105"]
    assert "a book" in entries[3]["findings"][0]["message"]
    assert entries[3]["sources"][-1]["source"] == "openlibrary"
    assert all(f["severity"] == "info" for e in entries for f in e["findings"])
    assert code == 0


def test_each_error_in_a_book_is_named_on_its_field(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    crossref: CrossrefStandin,
    library: OpenLibraryStandin,
) -> None:
    post = tmp_path / "post.md"
    post.write_text(
        "# Books\n\n## References\n\n"
        # A year two off, at Crossref; a title word changed, at Open Library.
        "Lynch, S. (2022). Introducing WidgetKit for iOS. Apress. ISBN 9781484267004\n\n"
        "Kahneman, D. (2011). Thinking, fast and loud. Farrar, Straus and Giroux. "
        "ISBN 9780374275631\n\n"
        # A misspelt author, found by title without an ISBN; a wrong check digit.
        "Kuhnn, T. S. (1962). The structure of scientific revolutions. University of Chicago "
        "Press.\n\n"
        "Cormen, T. H., Leiserson, C. E., Rivest, R. L., & Stein, C. (2009). Introduction to "
        "algorithms (3rd ed.). MIT Press. ISBN 978-0-262-03384-7\n",
        encoding="utf-8",
    )
    code, entries = run(capsys, post, crossref.url, library.url)
    errors = [
        [(f["code"], f["field"]) for f in e["findings"] if f["severity"] == "error"]
        for e in entries
    ]
    assert errors == [
        [("RC401", "year")],
        [("RC201", "title")],
        [("RC303", "authors")],
        [("RC106", "doi")],
    ]
    assert "Open Library" in entries[1]["findings"][0]["message"]
    assert "978-0-262-03384-7" in entries[3]["findings"][0]["message"]
    assert entries[3]["status"] == "mismatch"  # the book itself was found by its title
    assert code == 1


def test_bibtex_and_csl_json_books_are_looked_up_by_their_isbn_field(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    crossref: CrossrefStandin,
    library: OpenLibraryStandin,
) -> None:
    bib = tmp_path / "refs.bib"
    bib.write_text(
        "@book{kuhn,\n  author = {Kuhn, Thomas S.},\n  title = {The Structure of Scientific"
        " Revolutions},\n  publisher = {University of Chicago Press},\n  year = {1996},\n"
        "  edition = {3},\n  isbn = {0-226-45808-3}\n}\n",
        encoding="utf-8",
    )
    items = tmp_path / "refs.json"
    items.write_text(
        json.dumps(
            [
                {
                    "id": "clrs",
                    "type": "book",
                    "title": "Introduction to Algorithms",
                    "author": [
                        {"family": "Cormen", "given": "Thomas H."},
                        {"family": "Leiserson", "given": "Charles E."},
                        {"family": "Rivest", "given": "Ronald L."},
                        {"family": "Stein", "given": "Clifford"},
                    ],
                    "publisher": "MIT Press",
                    "issued": {"date-parts": [[2009]]},
                    "ISBN": "978-0-262-03384-8",
                }
            ]
        ),
        encoding="utf-8",
    )
    for path in (bib, items):
        code, entries = run(capsys, path, crossref.url, library.url)
        assert [(e["status"], e["findings"]) for e in entries] == [("verified", [])]
        assert entries[0]["sources"][-1] == {"source": "openlibrary", "outcome": "answered"}
        assert code == 0


def test_with_open_library_unreachable_its_books_are_unverified_never_not_found(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    crossref: CrossrefStandin,
) -> None:
    with OpenLibraryStandin() as gone:
        url = gone.url  # nothing listens there once it has stopped
    post = tmp_path / "post.md"
    post.write_text(POST, encoding="utf-8")
    code, entries = run(capsys, post, crossref.url, url)
    assert [e["status"] for e in entries] == ["verified", "unverified", "unverified", "unverified"]
    assert all("Open Library" in e["message"] for e in entries[1:])
    assert all(
        e["sources"][-1] == {"source": "openlibrary", "outcome": "unreachable"} for e in entries[1:]
    )
    assert code == 0


def test_an_isbns_digits_are_never_read_as_a_year_volume_or_pages() -> None:
    [reference] = read_references_from(
        "# Books\n\n## References\n\n"
        "Kahneman, D. Thinking, fast and slow. Farrar, Straus and Giroux. "
        "ISBN 978-0-374-27563-1\n"
    )
    assert (reference.year, reference.volume, reference.pages) == (None, None, None)


def read_references_from(text: str) -> list[Reference]:
    return read_markdown(text, "post.md")


async def test_open_library_is_asked_beside_crossrefs_own_api_or_when_set() -> None:
    mirror = "http://127.0.0.1:9"
    cases = [
        (Settings(no_cache=True), True),
        (Settings(no_cache=True, crossref_url=mirror), False),  # never behind a mirror's back
        (Settings(no_cache=True, crossref_url=mirror, openlibrary_url=mirror), True),
        (Settings(no_cache=True, offline=True), False),
    ]
    for settings, asked in cases:
        async with Resolver.from_settings(settings) as resolver:
            assert resolver.asks_openlibrary is asked, settings


def test_a_book_title_read_as_its_container_is_no_wrong_series(shared: Path) -> None:
    # A real monograph in a series ("Classiques des sciences sociales."), cited in APA: the
    # post parser reads its title, cut at the comma, as the container too.
    [record] = [
        r
        for r in load_records(shared / "crossref" / "works-dev.jsonl.gz")
        if r["DOI"] == "10.1522/cla.der.con"
    ]
    [reference] = read_references_from(
        "# Books\n\n## References\n\n"
        "Denis, R., & Racine, L. (2005). conjoncture politique québécoise, 1960-1970. "
        "J.-M. Tremblay. ISBN 9781554418831\n"
    )
    assert reference.container == "conjoncture politique québécoise, 1960-1970"
    verdict = matched(reference, Work.from_crossref(record))
    assert [f.code for f in verdict.findings] == ["RC103"]  # no RC501 against the series
    wrong = reference.model_copy(update={"container": "Cahiers de recherche sociologique"})
    assert "RC501" in [f.code for f in matched(wrong, Work.from_crossref(record)).findings]


async def test_an_isbn_in_a_book_reviews_title_is_neither_looked_up_nor_checked(
    shared: Path,
) -> None:
    # A real review whose title, as Crossref holds it, ends with the reviewed book's ISBN,
    # one with a wrong check digit ("0 87969 210 X").
    doi = "10.1017/s0016672300028044"
    records = [
        r for r in load_records(shared / "crossref" / "works-dev.jsonl.gz") if r["DOI"] == doi
    ]
    title = records[0]["title"][0]
    [reference] = read_references_from(
        f"# Reviews\n\n## References\n\nRidley, R. G. (1989). {title} Genetical Research, "
        "53(2), 148-149.\n"
    )
    assert cited_isbns(reference) == (CitedIsbn("0 87969 210 X", None),)
    with CrossrefStandin(records) as crossref:
        settings = Settings(crossref_url=crossref.url, no_cache=True, timeout=2.0)
        [verdict] = await check_async([reference], settings)
        filters = [r.query.get("filter", [""])[0] for r in crossref.requests]
    assert (verdict.status.value, verdict.work.doi if verdict.work else None) == (
        "verified",
        doi,
    )
    assert [f.code for f in verdict.findings] == ["RC103"]
    assert not any("isbn" in f for f in filters)
    # The same number cited as a book's own ISBN is an error.
    book = Reference(
        text="Ginsberg, H. (1988). Vaccines '88. Cold Spring Harbor. ISBN 0 87969 210 X"
    )
    flagged = with_isbn_findings(Verdict(reference=book, status=Status.NOT_FOUND))
    assert [(f.code, f.severity.value) for f in flagged.findings] == [("RC106", "error")]


def test_an_isbn_of_another_book_is_named_when_the_cited_work_is_found(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    crossref: CrossrefStandin,
    library: OpenLibraryStandin,
) -> None:
    post = tmp_path / "post.md"
    post.write_text(
        "# Books\n\n## References\n\n"
        # WidgetKit (Crossref) cited with Kuhn's ISBN (Open Library).
        "Lynch, S. (2020). Introducing WidgetKit for iOS. Apress. ISBN 978-0-226-45808-3\n\n"
        # Kuhn's ISBN beside a book no registry holds: nothing says the ISBN is the fault.
        "Nobody, J. (2001). A book nobody wrote. Nowhere Press. ISBN 978-0-226-45808-3\n",
        encoding="utf-8",
    )
    code, entries = run(capsys, post, crossref.url, library.url)
    assert [(e["status"], e["doi"]) for e in entries] == [
        ("mismatch", "10.1007/978-1-4842-6700-4"),
        ("skipped", None),
    ]
    [wrong] = [f for f in entries[0]["findings"] if f["severity"] == "error"]
    assert (wrong["code"], wrong["field"], wrong["cited"]) == ("RC107", "doi", "978-0-226-45808-3")
    assert "Kuhn" in wrong["message"]
    assert [f["code"] for f in entries[1]["findings"]] == ["RC105"]
    assert code == 1


async def test_a_book_record_without_title_is_taken_only_where_nothing_contradicts_it(
    shared: Path,
) -> None:
    # A real Crossref book record with no title, author or editor: an ISBN, a year (1978).
    wanted = {"10.1016/c2013-0-11280-9", "10.1007/978-1-4842-6700-4"}
    records = [
        r for r in load_records(shared / "crossref" / "works-dev.jsonl.gz") if r["DOI"] in wanted
    ]
    references = read_references_from(
        "# Books\n\n## References\n\n"
        "Hersen, M. (1978). Progress in behavior modification. Academic Press. "
        "ISBN 978-0-12-535606-0\n\n"
        # WidgetKit (2020) cited with the untitled 1978 book's ISBN.
        "Lynch, S. (2020). Introducing WidgetKit for iOS. Apress. ISBN 978-0-12-535606-0\n"
    )
    with CrossrefStandin(records) as crossref:
        settings = Settings(crossref_url=crossref.url, no_cache=True, timeout=2.0)
        untitled, widgetkit = await check_async(references, settings)
    assert (untitled.status.value, untitled.work.doi if untitled.work else None) == (
        "verified",
        "10.1016/c2013-0-11280-9",
    )
    assert [f.code for f in untitled.findings] == ["RC103"]
    assert widgetkit.work is not None
    assert widgetkit.work.doi == "10.1007/978-1-4842-6700-4"
    assert [f.code for f in widgetkit.findings if f.severity.value == "error"] == ["RC107"]
