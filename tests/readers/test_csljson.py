from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from refcheck.errors import InputError
from refcheck.models import Person
from refcheck.readers.csljson import read_csljson

ITEMS = """[
  {
    "id": "elbarzouhi2013",
    "type": "article-journal",
    "title": "Magnetic Resonance Imaging in Follow-up Assessment of Sciatica",
    "container-title": "New England Journal of Medicine",
    "author": [
      {"family": "Barzouhi", "given": "Abdelilah", "non-dropping-particle": "el"},
      {"family": "Lycklama à Nijeholt", "given": "Geert J."},
      {"family": "Kallen", "given": "Bas F.", "non-dropping-particle": "van der"},
      {"family": "Beethoven", "given": "Ludwig", "dropping-particle": "van"},
      {"literal": "Leiden-The Hague Spine Intervention Prognostic Study Group"}
    ],
    "issued": {"date-parts": [[2013, 3, 14]]},
    "volume": "368", "issue": 11, "page": "999-1007",
    "DOI": "https://doi.org/10.1056/NEJMoa1209250",
    "URL": "https://www.nejm.org/doi/full/10.1056/NEJMoa1209250",
    "ISSN": ["0028-4793", "1533-4406"]
  },
  {"id": 7, "title": "<i>Homo sapiens</i> and the <span class=\\"nocase\\">MRI</span>",
   "issued": {"raw": "2015-04"}, "author": [{"family": "Brinjikji"}, {"literal": "others"}],
   "refcheck-ignore": "RC301, rc601"},
  {"id": "lit", "issued": {"literal": "Spring 2021"}, "ISSN": "0362-2436 1528-1159"},
  42,
  {"id": "odd", "title": 5, "author": "not a list", "issued": "2020", "volume": true}
]
"""


def test_items_with_particles_and_groups() -> None:
    barzouhi, second, literal, number, odd = read_csljson(ITEMS, "refs.json")

    assert barzouhi.location.model_dump() == {
        "path": "refs.json",
        "line": 2,
        "key": "elbarzouhi2013",
    }
    assert barzouhi.entry_type == "article-journal"
    assert barzouhi.authors == (
        Person(family="el Barzouhi", given="Abdelilah"),
        Person(family="Lycklama à Nijeholt", given="Geert J."),
        Person(family="van der Kallen", given="Bas F."),
        Person(family="van Beethoven", given="Ludwig"),
        Person(literal="Leiden-The Hague Spine Intervention Prognostic Study Group"),
    )
    assert not barzouhi.authors_truncated
    assert barzouhi.title == "Magnetic Resonance Imaging in Follow-up Assessment of Sciatica"
    assert barzouhi.container == "New England Journal of Medicine"
    assert (barzouhi.year, barzouhi.volume, barzouhi.issue) == (2013, "368", "11")
    assert barzouhi.pages == "999-1007"
    assert barzouhi.doi == "10.1056/NEJMoa1209250"
    assert barzouhi.url == "https://www.nejm.org/doi/full/10.1056/NEJMoa1209250"
    assert barzouhi.issn == ("0028-4793", "1533-4406")
    assert json.loads(barzouhi.text)["id"] == "elbarzouhi2013"

    assert second.location.line == 20
    assert second.location.key == "7"
    assert second.title == "Homo sapiens and the MRI"
    assert second.year == 2015
    assert second.authors == (Person(family="Brinjikji"),)
    assert second.authors_truncated
    assert second.suppress == ("RC301", "RC601")

    assert (literal.location.line, literal.year) == (23, 2021)
    assert literal.issn == ("0362-2436", "1528-1159")

    assert number.location.line == 24
    assert number.problem == "CSL-JSON item is not an object (found number)"
    assert number.text == "42"

    assert odd.location.line == 25
    assert odd.problem is None
    assert (odd.title, odd.authors, odd.year, odd.volume) == ("5", (), 2020, None)


def test_items_object_and_line_numbers() -> None:
    text = '{"meta": {"items": "not these"},\n "items": [\n\n  {"id": "a"},\n  {"id": "b"}]}'
    a, b = read_csljson(text, None)

    assert (a.location.key, a.location.line) == ("a", 4)
    assert (b.location.key, b.location.line) == ("b", 5)
    assert a.location.path is None


def test_empty_list_and_bom() -> None:
    assert read_csljson("[]", "x.json") == []
    (item,) = read_csljson('\ufeff[{"id": "x", "title": "T"}]', "x.json")
    assert item.title == "T"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[{"id": "a",}]', "x.json: not valid JSON: Expecting property name"),
        ("@article{a, title={B}}", "x.json: not valid JSON: Expecting value (line 1, column 1)"),
        ("", "x.json: not valid JSON"),
        (
            '{"id": "a"}',
            'x.json: not CSL-JSON: expected a list of items or an object with an "items" list',
        ),
        ('"text"', "found string"),
        ("[" * 100_000 + "]" * 100_000, "x.json: not valid JSON"),
    ],
)
def test_not_csl_json_is_an_input_error(text: str, message: str) -> None:
    with pytest.raises(InputError) as raised:
        read_csljson(text, "x.json")

    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


def test_invalid_json_names_the_line() -> None:
    with pytest.raises(InputError, match=r"Expecting ',' delimiter \(line 3, column 3\)"):
        read_csljson('[\n  {"id": "a"}\n  {"id": "b"}\n]', "x.json")


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(["id", "title", "author", "issued", "date-parts", "family", "literal"]),
            inner,
            max_size=4,
        )
    ),
    max_leaves=15,
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_JSON, max_size=5), st.sampled_from([None, 1, 2]))
def test_every_item_keeps_its_own_text_and_line(items: list[object], indent: int | None) -> None:
    text = json.dumps(items, indent=indent)

    references = read_csljson(text, "f.json")

    assert len(references) == len(items)
    for reference, item in zip(references, items, strict=True):
        assert json.loads(reference.text) == item
        line = reference.location.line
        assert line is not None
        assert reference.text.split("\n")[0] in text.split("\n")[line - 1]
