"""Property-based robustness: no input, however odd, makes a reader, parser or comparer raise.

The defined outcomes are: a list of References (a reader), a ParsedReference (the parser),
InputError (CSL-JSON that is not JSON), ValueError (a Crossref record without a DOI), and a
Verdict with a Status for every reference (a whole check).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from refcheck.api import check
from refcheck.compare import compare
from refcheck.config import Settings
from refcheck.errors import InputError
from refcheck.match import is_same_work, similarity
from refcheck.models import Finding, Person, Reference, Status, Work
from refcheck.parse.reference import ParsedReference, parse_reference
from refcheck.readers.bibtex import read_bibtex
from refcheck.readers.csljson import read_csljson
from refcheck.readers.html import read_html
from refcheck.readers.markdown import read_markdown
from refcheck.readers.text import find_dois, read_text
from refcheck.resolve import store
from refcheck.resolve.records import work_from_record
from refcheck.resolve.search_index import work_fields
from refcheck.resolve.store import record_fields

ROOT = Path(__file__).resolve().parents[1]
SEED_WORKS = ROOT / "references" / "seed-works.jsonl"
SEED_RECORDS: list[dict[str, Any]] = [
    json.loads(line) for line in SEED_WORKS.read_text(encoding="utf-8").splitlines() if line
]

QUICK = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Pieces that real references and real breakage are made of: markup, LaTeX, DOIs, numbers.
FRAGMENTS = [
    "@article{",
    "@book{key,",
    "@string{j = {J}}",
    "@comment{",
    "@preamble{",
    "}",
    "{",
    "{{",
    "}}",
    ",",
    "=",
    '"',
    "#",
    "%",
    "author = {",
    "title = ",
    "doi = {10.1000/xyz}",
    "year = 2013",
    " and ",
    "others",
    "\\'e",
    '{\\"u}',
    "\\textit{",
    "$\\alpha$",
    "\\",
    "~",
    "10.1056/NEJMoa1209250",
    "https://doi.org/10.3174/ajnr.A4173",
    "doi:10.1097/BRS.0000000000004198",
    "10.1002/(SICI)1097-4636(199606)31:2<>1.0.CO;2-#",
    "Kasch, R., Truthmann, J. (2022). ",
    "El Barzouhi A, et al. ",
    "Spine 47(4):",
    "999–1007.",
    "pp. 811-816",
    "vol. 36, no. 4",
    "## References",
    "# Bibliography\n",
    "[^1]: ",
    "1. ",
    "- ",
    "* ",
    "[link](http://x)",
    "<a href='https://doi.org/10.1/x'>",
    "<script>alert(1)</script>",
    "<!-- refcheck: ignore RC101 -->",
    "<li>",
    "<ol>",
    "</p>",
    "&amp;",
    "&#x0;",
    "---\ntitle: x\n---\n",
    "```",
    "\n",
    "\n\n",
    "\t",
    "\r",
    "\x00",
    "\x1b[31m",
    "\u200b",
    "\ufeff",
    "\u202e",
    "ﬁ",
    "𝔄",
    "日本語",
    "١٢٣",
    " ",
]

text_strategy = st.lists(
    st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=30)), max_size=40
).map("".join)

# A few long inputs, to catch anything quadratic or recursive; kept short enough to be quick.
long_text = st.builds(
    lambda piece, n: piece * n, st.sampled_from([*FRAGMENTS, "a", "ab "]), st.integers(1, 3000)
)
any_text = st.one_of(text_strategy, text_strategy, long_text)


def _assert_references(found: object) -> None:
    assert isinstance(found, list)
    assert all(isinstance(r, Reference) for r in found)


# --- readers and parser ------------------------------------------------------------------


@QUICK
@given(any_text)
def test_read_bibtex_returns_references(text: str) -> None:
    _assert_references(read_bibtex(text, "refs.bib"))


@QUICK
@given(any_text)
def test_read_markdown_returns_references(text: str) -> None:
    _assert_references(read_markdown(text, "post.md"))


@QUICK
@given(any_text)
def test_read_html_returns_references(text: str) -> None:
    _assert_references(read_html(text, "post.html"))


@QUICK
@given(any_text)
def test_read_text_returns_references(text: str) -> None:
    _assert_references(read_text(text, None))


@QUICK
@given(any_text)
def test_parse_reference_returns_a_parsed_reference(text: str) -> None:
    assert isinstance(parse_reference(text), ParsedReference)


@QUICK
@given(any_text)
def test_find_dois_finds_strings_starting_10(text: str) -> None:
    dois = find_dois(text)
    assert all(isinstance(d, str) and d.startswith("10.") for d in dois)


# Keys of Crossref records and CSL-JSON items, so nested nonsense lands where it is read.
RECORD_KEYS = (
    *("DOI", "title", "author", "family", "given", "literal", "issued", "date-parts"),
    *("container-title", "volume", "page", "type", "items", "id", "x"),
)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=20)
    | st.sampled_from(["10.1/x", "Kasch", "2013", "journal-article"]),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(RECORD_KEYS) | st.text(max_size=8),
            children,
            max_size=5,
        )
    ),
    max_leaves=25,
)


@QUICK
@given(st.one_of(any_text, json_values.map(json.dumps)))
def test_read_csljson_returns_references_or_input_error(text: str) -> None:
    try:
        found = read_csljson(text, "refs.json")
    except InputError as error:
        message = str(error)
    else:
        _assert_references(found)
        return
    assert message.startswith("refs.json: ")
    assert "\n" not in message


# --- Crossref records ----------------------------------------------------------------------


def _bad_author(record: dict[str, Any]) -> bool:
    return record.get("author") is not None and not isinstance(record.get("author"), list)


@QUICK
@given(st.dictionaries(st.text(max_size=10) | st.sampled_from(["DOI", "author"]), json_values))
def test_work_from_arbitrary_dict_is_a_work_or_value_error(record: dict[str, Any]) -> None:
    try:
        work = work_from_record(record)
    except ValueError:
        raw = record.get("DOI")
        assert not (isinstance(raw, str) and raw.strip()) or _bad_author(record)
        return
    assert isinstance(work, Work)
    assert work.doi == record["DOI"].strip()


@pytest.mark.parametrize("authors", [1, 1.5, True, "Kasch, R.", {"family": "Kasch"}])
def test_author_that_is_not_a_list_is_a_value_error(authors: object) -> None:
    # Once a TypeError ("'int' object is not iterable"), which the Crossref client let escape.
    with pytest.raises(ValueError, match="author"):
        work_from_record({"DOI": "10.1/x", "title": ["T"], "author": authors})


field_names = sorted({key for record in SEED_RECORDS for key in record})


@st.composite
def mutated_records(draw: st.DrawFn) -> dict[str, Any]:
    """A real-shaped record with fields dropped, retyped or replaced by nested nonsense."""
    record: dict[str, Any] = copy.deepcopy(draw(st.sampled_from(SEED_RECORDS)))
    for key in draw(st.lists(st.sampled_from(field_names), max_size=6)):
        action = draw(st.sampled_from(["drop", "replace", "wrap", "inner"]))
        if action == "drop":
            record.pop(key, None)
        elif action == "replace":
            record[key] = draw(json_values)
        elif action == "wrap":
            record[key] = [record.get(key), {"value": record.get(key)}]
        else:
            value = record.get(key)
            if isinstance(value, list) and value:
                value[draw(st.integers(0, len(value) - 1))] = draw(json_values)
            elif isinstance(value, dict) and value:
                value[draw(st.sampled_from(sorted(value)))] = draw(json_values)
    return record


@QUICK
@given(mutated_records())
def test_work_from_mutated_real_record(record: dict[str, Any]) -> None:
    try:
        work = work_from_record(record)
    except ValueError:
        raw = record.get("DOI")
        assert not (isinstance(raw, str) and raw.strip()) or _bad_author(record)
        return
    assert isinstance(work, Work)
    # A work built from a record must survive the cache's JSON round trip.
    assert Work.model_validate_json(work.model_dump_json()) == work


@QUICK
@given(st.one_of(mutated_records(), st.dictionaries(st.sampled_from(RECORD_KEYS), json_values)))
def test_a_store_row_reads_a_record_as_work_from_record_does(record: dict[str, Any]) -> None:
    # The snapshot store indexes a record's words without building its Work: the same
    # texts, field by field, and no row where no Work can be built.
    try:
        work = work_from_record(record)
    except ValueError:
        assert store._row(record) is None
        return
    assert store._row(record) is not None
    assert record_fields(record) == work_fields(work)


# --- compare and match on arbitrary values ---------------------------------------------------

short_text = st.one_of(st.none(), text_strategy.map(lambda s: s[:200]))
persons = st.builds(Person, family=short_text, given=short_text, literal=short_text)
date_parts = st.one_of(
    st.none(), st.lists(st.integers(-3000, 3000), min_size=1, max_size=3).map(tuple)
)
numbers_text = st.one_of(
    short_text, st.sampled_from(["36", "4", "811-816", "e123", "S1–S9", "xii", "0", "-1"])
)

references = st.builds(
    Reference,
    text=text_strategy.map(lambda s: s[:300]),
    entry_type=st.one_of(st.none(), st.sampled_from(["article", "book", "misc", "x"])),
    authors=st.lists(persons, max_size=4).map(tuple),
    authors_truncated=st.booleans(),
    title=short_text,
    container=short_text,
    year=st.one_of(st.none(), st.integers(-5000, 5000)),
    volume=numbers_text,
    issue=numbers_text,
    pages=numbers_text,
    doi=st.one_of(st.none(), st.sampled_from(["10.1/x", "10.1056/NEJMoa1209250", "", "x"])),
    confident=st.one_of(
        st.none(), st.frozensets(st.sampled_from(["title", "authors", "year", "pages"]))
    ),
)
works = st.builds(
    Work,
    doi=st.sampled_from(["10.1/x", "10.1056/nejmoa1209250", " ", "10.1/\x00"]),
    type=st.one_of(st.none(), st.sampled_from(["journal-article", "book", "posted-content"])),
    title=short_text,
    subtitle=short_text,
    container_title=st.lists(text_strategy.map(lambda s: s[:100]), max_size=2).map(tuple),
    volume=numbers_text,
    issue=numbers_text,
    page=numbers_text,
    article_number=numbers_text,
    authors=st.lists(persons, max_size=4).map(tuple),
    published_print=date_parts,
    issued=date_parts,
    score=st.one_of(st.none(), st.floats(allow_nan=False)),
)


@QUICK
@given(references, works)
def test_compare_and_match_never_raise(reference: Reference, work: Work) -> None:
    findings = compare(reference, work)
    assert all(isinstance(f, Finding) for f in findings)
    assert 0.0 <= similarity(reference, work) <= 1.0
    assert isinstance(is_same_work(reference, work), bool)


@QUICK
@given(references, st.sampled_from(SEED_RECORDS))
def test_compare_with_real_works_never_raises(reference: Reference, record: dict[str, Any]) -> None:
    work = work_from_record(record)
    assert all(isinstance(f, Finding) for f in compare(reference, work))
    assert 0.0 <= similarity(reference, work) <= 1.0


# --- end to end, offline ------------------------------------------------------------------

OFFLINE = Settings(offline=True, no_cache=True, snapshots=(SEED_WORKS,))

field_values = st.one_of(
    text_strategy.map(lambda s: s[:120]),
    st.sampled_from(["10.1056/NEJMoa1209250", "Spine", "2022", "{El Barzouhi}, A. and others"]),
)


@st.composite
def bibtex_files(draw: st.DrawFn) -> str:
    entries = []
    for n in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["article", "book", "misc", "inproceedings", "ARTICLE"]))
        fields = draw(
            st.dictionaries(
                st.sampled_from(["author", "title", "journal", "year", "volume", "pages", "doi"]),
                field_values,
                max_size=7,
            )
        )
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields.items())
        entries.append(f"@{kind}{{key{n},\n{body}\n}}")
    noise = draw(st.sampled_from(["", "}", "@article{", "% comment", "{"]))
    return "\n\n".join(entries) + noise


@SLOW
@given(bibtex_files())
def test_offline_check_of_generated_bibtex_gives_every_reference_a_status(text: str) -> None:
    found = read_bibtex(text, "refs.bib")
    verdicts = check(found, OFFLINE)
    assert len(verdicts) == len(found)
    assert all(isinstance(v.status, Status) for v in verdicts)


@SLOW
@given(st.lists(st.one_of(text_strategy, field_values), min_size=1, max_size=6))
def test_offline_check_of_generated_markdown_gives_every_reference_a_status(
    items: list[str],
) -> None:
    text = "# Post\n\nSome prose.\n\n## References\n\n" + "\n".join(
        f"{i}. {item}" for i, item in enumerate(items, 1)
    )
    found = read_markdown(text, "post.md")
    verdicts = check(found, OFFLINE)
    assert len(verdicts) == len(found)
    assert all(isinstance(v.status, Status) for v in verdicts)
