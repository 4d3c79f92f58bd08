from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from refcheck.compare import compare
from refcheck.match import is_same_work, similarity
from refcheck.models import Person, Reference, Update, Work


def test_a_right_citation_gives_nothing(sciatica: Work, sciatica_cited: Reference) -> None:
    assert compare(sciatica_cited, sciatica) == []


def test_fields_the_citation_omits_are_never_errors(sciatica: Work) -> None:
    assert compare(Reference(), sciatica) == []
    assert compare(Reference(title=sciatica.title), sciatica) == []


def test_findings_come_in_field_order(sciatica: Work, sciatica_cited: Reference) -> None:
    wrong = sciatica_cited.model_copy(
        update={
            "pages": "998-1007",
            "volume": "369",
            "year": 2012,
            "title": "Imaging of the lumbar spine in people without back pain",
            "authors": sciatica_cited.authors[1:],
            "issue": "12",
            "container": "The Lancet",
        }
    )
    work = sciatica.model_copy(update={"updated_by": (Update(type="retraction", doi="10.1/r"),)})
    found = compare(wrong, work)
    assert [f.code for f in found] == [
        "RC201", "RC301", "RC401", "RC501", "RC601", "RC602", "RC603", "RC701",
    ]  # fmt: skip
    assert [f.field for f in found] == [
        "title", "authors", "year", "container", "volume", "issue", "pages", "retraction",
    ]  # fmt: skip


def test_deterministic(sciatica: Work, sciatica_cited: Reference) -> None:
    wrong = sciatica_cited.model_copy(update={"authors": sciatica_cited.authors[::-1]})
    assert compare(wrong, sciatica) == compare(wrong, sciatica)


def test_odd_values_never_raise() -> None:
    work = Work(
        doi="10.1/x", title="", page="—", volume="&NA;", issue="null",
        container_title=("",), authors=(),
    )  # fmt: skip
    odd = Reference(title="   ", pages="pp.", volume="vol.", issue="no.", container=" ", year=0)
    assert compare(odd, work) == []


text = st.one_of(st.none(), st.text(max_size=40))
person = st.builds(Person, family=text, given=text, literal=text)
reference = st.builds(
    Reference,
    authors=st.lists(person, max_size=5).map(tuple),
    authors_truncated=st.booleans(),
    title=text,
    container=text,
    year=st.one_of(st.none(), st.integers(min_value=-5, max_value=3000)),
    volume=text,
    issue=text,
    pages=text,
)
work = st.builds(
    Work,
    doi=st.just("10.1/x"),
    type=text,
    title=text,
    subtitle=text,
    container_title=st.lists(st.text(max_size=30), max_size=2).map(tuple),
    short_container_title=st.lists(st.text(max_size=30), max_size=2).map(tuple),
    volume=text,
    issue=text,
    page=text,
    article_number=text,
    authors=st.lists(person, max_size=5).map(tuple),
    published_print=st.one_of(st.none(), st.tuples(st.integers(0, 3000))),
    issued=st.one_of(st.none(), st.tuples(st.integers(0, 3000), st.integers(1, 12))),
    updated_by=st.lists(
        st.builds(Update, type=st.sampled_from(["retraction", "correction", "x"]), doi=text),
        max_size=2,
    ).map(tuple),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(reference, work)
def test_any_input_gives_findings_not_tracebacks(cited: Reference, crossref: Work) -> None:
    found = compare(cited, crossref)
    assert all(f.message for f in found)
    assert 0.0 <= similarity(cited, crossref) <= 1.0
    assert is_same_work(cited, crossref) in (True, False)
