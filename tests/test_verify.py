"""verify: the validated candidate among look-alikes, ties and weak matches refused; a
printed DOI weighed field by field against the rest of the citation."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path
from typing import Any

import pytest

from refcheck.api import check, read_references
from refcheck.config import Settings
from refcheck.models import Person, Reference, Severity, Status, Verdict, Work
from refcheck.verify import choose, confirmed_but_authors, validates

AUTHORS = (Person(family="Brinjikji", given="W."), Person(family="Luetmer", given="P.H."))
PART_ONE = Work(
    doi="10.1/part.1",
    title="Imaging features of spinal degeneration, part 1",
    authors=AUTHORS,
    container_title=("Spine",),
    volume="36",
    page="811-816",
    issued=(2015, 4),
)
# Look-alikes by the same people: the next part, and its correction notice.
PART_TWO = PART_ONE.model_copy(
    update={
        "doi": "10.1/part.2",
        "title": "Imaging features of spinal degeneration, part 2",
        "volume": "37",
        "page": "1120-1126",
        "issued": (2016, 2),
    }
)
NOTICE = PART_ONE.model_copy(
    update={"doi": "10.1/notice", "title": f"Correction: {PART_ONE.title}", "page": "E12"}
)
CITED = Reference(
    authors=AUTHORS,
    title="Imaging features of spinal degeneration, part 1",
    container="Spine",
    year=2015,
    volume="36",
    pages="811-16",
)


@pytest.mark.parametrize("order", [(0, 1, 2), (2, 1, 0), (1, 2, 0)])
def test_the_cited_work_among_look_alikes(order: tuple[int, ...]) -> None:
    works = [(PART_ONE, PART_TWO, NOTICE)[i] for i in order]
    assert choose(CITED, works) == (PART_ONE, None)
    part_two = CITED.model_copy(update={"title": PART_TWO.title, "year": 2016, "volume": "37"})
    assert choose(part_two.model_copy(update={"pages": "1120-6"}), works) == (PART_TWO, None)


def test_no_candidate() -> None:
    assert choose(CITED, []) == (None, "Crossref has no candidate for this reference")


def test_nothing_validates_names_the_closest() -> None:
    work, reason = choose(CITED, [PART_TWO, NOTICE])
    assert work is None
    assert str(reason).startswith("no candidate matches; the closest is")


def test_two_dois_for_one_work_are_a_tie() -> None:
    twin = PART_ONE.model_copy(update={"doi": "10.1/twin"})
    work, reason = choose(CITED, [PART_ONE, twin, PART_TWO])
    assert work is None
    assert str(reason).startswith("two works match equally well")


def test_one_doi_found_twice_is_no_tie() -> None:
    again = PART_ONE.model_copy(update={"doi": "10.1/PART.1"})
    assert choose(CITED, [PART_ONE, again, PART_ONE]) == (PART_ONE, None)


def test_each_reference_gets_its_own_answer_from_the_same_candidates() -> None:
    works = [PART_ONE, PART_TWO, NOTICE]
    part_two = CITED.model_copy(
        update={"title": PART_TWO.title, "year": 2016, "volume": "37", "pages": "1120-6"}
    )
    answers = [choose(ref, works)[0] for ref in (CITED, part_two, CITED, part_two)]
    assert answers == [PART_ONE, PART_TWO, PART_ONE, PART_TWO]


def test_free_text_validates_by_the_string_when_the_parse_slipped() -> None:
    text = (
        "Brinjikji W, Luetmer PH. Imaging features of spinal degeneration, part 1. "
        "Spine. 2015;36:811-16."
    )
    slipped = Reference(
        text=text,
        authors=AUTHORS,
        title="Imaging features of spinal degeneration",  # cut at the comma
        container="part 1. Spine",
        confident=frozenset(),
    )
    assert validates(slipped, PART_ONE)
    assert not validates(slipped.model_copy(update={"confident": None}), PART_ONE)
    assert choose(slipped, [PART_TWO, PART_ONE])[0] == PART_ONE


# --- the printed DOI against the author line, on real Crossref records ---------------------

# Records of works-dev: sole and first authors (whose lower-case misspelling once made the
# DOI "another work"), and lists of 4-6 names where two or more authors share a family.
SOLE_AND_FIRST = ("10.1001/jama.1984.03340410004001", "10.1370/afm.367",
                  "10.1001/jamanetworkopen.2018.7823")  # fmt: skip
# Records whose author list holds affiliations, or "-" for every family.
JUNK_AUTHORS = (
    "10.21474/ijar01/1812",  # "Assistant Professor, Department of Microbiology, ..."
    "10.29252/ijrm.14.10.665",  # seven people, then seven departments and centres
    "10.31684/2541-8475.2017.3(7).47-52",  # "Altai State Medical University", twice
    "10.17072/2219-3111-2019-2-5-13",  # "South Ural State University"
    "10.4156/jdcta.vol6.issue1.50",  # every family "-", the whole name in the given
)
SHARED_FAMILY = {  # DOI -> the middle author (0-based) to misspell, one of a shared family
    "10.1088/1674-1056/26/8/083102": 2,  # Zhou, Wang Y.-K., *Wang X.-F.*, Zhang, Wang C.-K.
    "10.1371/journal.pone.0166667": 3,  # Sagong, Son, Kim S., *Kim Y.-H.*, Kim I.-K., ...
    "10.1016/j.ecoleng.2016.04.007": 2,  # Qin, Li K., *Li Y.*, Liang, Chen, Hodges
    "10.1016/j.jcs.2012.07.008": 2,  # Borczak, Sikora E., *Sikora M.*, Rosell, Collar
    "10.1371/journal.pone.0149350": 2,  # Kolekar, Waman, *Kale*, Kulkarni-Kale
}
FORMS = ("apa", "chicago", "vancouver", "ieee", "bibtex")


@pytest.fixture(scope="module")
def records(shared: Path) -> dict[str, dict[str, Any]]:
    wanted = {*SOLE_AND_FIRST, *SHARED_FAMILY, *JUNK_AUTHORS}
    found: dict[str, dict[str, Any]] = {}
    with gzip.open(shared / "crossref" / "works-dev.jsonl.gz", "rt", encoding="utf-8") as lines:
        for line in lines:
            if any(doi in line for doi in wanted):
                record = json.loads(line)
                found[record["DOI"]] = record
    assert set(found) == wanted
    return found


def _text(value: Any) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    return " ".join(str(value or "").split())


def _initials(given: str, dots: bool = True) -> str:
    parts = [p for p in re.split(r"[\s.\-]+", given) if p]
    return " ".join(p[0] + "." for p in parts) if dots else "".join(p[0] for p in parts)


def _names(form: str, people: list[tuple[str, str]]) -> str:
    """The author list as each style writes it (CSL's apa, chicago, vancouver and ieee); a
    name without a given part ("Pukyong National University") is written as it stands."""
    if form == "vancouver":
        shown = [f"{family} {_initials(given, dots=False)}".strip() for family, given in people]
        return ", ".join(shown)
    if form == "apa":
        shown = [f"{family}, {_initials(given)}" if given else family for family, given in people]
    elif form == "chicago":
        head = f"{people[0][0]}, {people[0][1]}" if people[0][1] else people[0][0]
        shown = [head, *(f"{given} {family}".strip() for family, given in people[1:])]
    else:
        shown = [f"{_initials(given)} {family}".strip() for family, given in people]
    if len(shown) == 1:
        return shown[0]
    return ", ".join(shown[:-1]) + (", & " if form == "apa" else ", and ") + shown[-1]


def _cite(record: dict[str, Any], form: str, people: list[tuple[str, str]], doi: str) -> str:
    title, journal = _text(record["title"]).rstrip(" *"), _text(record["container-title"])
    year = record["issued"]["date-parts"][0][0]
    volume, issue, page = (
        _text(record.get("volume")) or "1",
        _text(record.get("issue")),
        _text(record.get("page")),
    )
    names = _names(form, people)
    if form == "bibtex":
        author = " and ".join(
            f"{family}, {given}" if given else f"{{{family}}}" for family, given in people
        )
        return (
            f"@article{{cited,\n  author = {{{author}}},\n  title = {{{title}}},\n"
            f"  journal = {{{journal}}},\n  year = {{{year}}},\n  volume = {{{volume}}},\n"
            f"  number = {{{issue}}},\n  pages = {{{page}}},\n  doi = {{{doi}}}\n}}\n"
        )
    if form == "apa":
        return f"{names} ({year}). {title}. {journal}, {volume}({issue}), {page}. https://doi.org/{doi}"
    if form == "chicago":
        return (
            f"{names.rstrip('.')}. {year}. “{title}.” {journal} {volume} ({issue}): {page}. "
            f"https://doi.org/{doi}"
        )
    if form == "vancouver":
        return f"{names}. {title}. {journal}. {year};{volume}({issue}):{page}. doi:{doi}"
    return (
        f"{names}, “{title},” {journal}, vol. {volume}, no. {issue}, pp. {page}, {year}, "
        f"doi: {doi}."
    )


def _check(tmp_path: Path, records: dict[str, dict[str, Any]], form: str, cited: str) -> Verdict:
    snapshot = tmp_path / "works.jsonl"
    snapshot.write_text("".join(json.dumps(r) + "\n" for r in records.values()), "utf-8")
    if form == "bibtex":
        path = tmp_path / "cited.bib"
        path.write_text(cited, encoding="utf-8")
    else:
        path = tmp_path / "post.md"
        path.write_text(f"# References\n\n1. {cited}\n", encoding="utf-8")
    settings = Settings(offline=True, no_cache=True, snapshots=(snapshot,))
    [verdict] = check(read_references([path]), settings)
    return verdict


def _people(record: dict[str, Any]) -> list[tuple[str, str]]:
    """(family, given) of each author; a name Crossref holds whole as (name, ""). Authors
    with no name at all are left out, as a style leaves them out."""
    people = []
    for author in record["author"]:
        if author.get("family"):
            people.append((_text(author["family"]), _text(author.get("given"))))
        elif author.get("name"):
            people.append((_text(author["name"]), ""))
    return people


def _serious(verdict: Verdict) -> list[tuple[str, str]]:
    return [(f.code, f.field) for f in verdict.findings if f.severity is not Severity.INFO]


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("doi", SOLE_AND_FIRST)
def test_a_misspelt_first_author_is_an_author_error_not_another_works_doi(
    tmp_path: Path, records: dict[str, dict[str, Any]], doi: str, form: str
) -> None:
    record = records[doi]
    people = _people(record)
    assert _serious(_check(tmp_path, records, form, _cite(record, form, people, doi))) == []
    # "Harrell" typed "xarrell": the title, year, journal, volume and pages are the DOI's.
    people[0] = ("x" + people[0][0][1:], people[0][1])
    verdict = _check(tmp_path, records, form, _cite(record, form, people, doi))
    assert verdict.status is Status.MISMATCH
    assert verdict.work is not None
    assert verdict.work.doi == doi
    assert _serious(verdict) == [("RC303", "authors")]


@pytest.mark.parametrize("form", FORMS)
def test_the_doi_of_another_work_is_still_named(
    tmp_path: Path, records: dict[str, dict[str, Any]], form: str
) -> None:
    cited, other = SOLE_AND_FIRST[0], SOLE_AND_FIRST[1]
    people = _people(records[cited])
    people[0] = ("x" + people[0][0][1:], people[0][1])
    verdict = _check(tmp_path, records, form, _cite(records[cited], form, people, other))
    assert ("RC102", "doi") in _serious(verdict)


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("doi", SHARED_FAMILY)
def test_a_misspelt_middle_author_of_a_shared_family_is_caught(
    tmp_path: Path, records: dict[str, dict[str, Any]], doi: str, form: str
) -> None:
    record = records[doi]
    people = _people(record)
    assert _serious(_check(tmp_path, records, form, _cite(record, form, people, doi))) == []
    index = SHARED_FAMILY[doi]
    family, given = people[index]
    people[index] = (family[0] + "x" + family[2:], given)  # "Wang" -> "Wxng"
    verdict = _check(tmp_path, records, form, _cite(record, form, people, doi))
    assert verdict.status is Status.MISMATCH
    assert _serious(verdict) == [("RC303", "authors")]
    [finding] = verdict.findings
    assert finding.cited is not None
    assert finding.cited.startswith(people[index][0])


def test_a_doi_confirmed_by_title_and_locators_holds_whatever_the_authors() -> None:
    strangers = CITED.model_copy(update={"authors": (Person(family="Xyzzy", given="Q."),)})
    assert confirmed_but_authors(strangers, PART_ONE)
    # One locator against it (another volume and year): not confirmed, whoever the authors.
    assert not confirmed_but_authors(strangers.model_copy(update={"volume": "37"}), PART_ONE)
    assert not confirmed_but_authors(strangers.model_copy(update={"year": 2013}), PART_ONE)
    # A year one off (online and print) is no contradiction.
    assert confirmed_but_authors(strangers.model_copy(update={"year": 2014}), PART_ONE)
    # Another title: the question is the DOI's, not the authors'.
    other_title = strangers.model_copy(update={"title": "Back pain in the population"})
    assert not confirmed_but_authors(other_title, PART_ONE)


def test_a_short_title_needs_more_locators_to_confirm_the_doi() -> None:
    editorial = PART_ONE.model_copy(update={"title": "Editorial"})
    cited = Reference(title="Editorial", container="Spine", year=2015, volume="36")
    assert confirmed_but_authors(cited, editorial)
    assert not confirmed_but_authors(cited.model_copy(update={"volume": None}), editorial)


def test_a_title_the_parser_missed_is_read_in_the_string() -> None:
    text = (
        "brinjikji, W. 2015. “Imaging features of spinal degeneration, part 1.” Spine 36: "
        "811–16. https://doi.org/10.1/part.1"
    )
    slipped = Reference(
        text=text,
        doi="10.1/part.1",
        authors=(Person(literal="brinjikji, W"),),
        title="W",
        container="2015. “Imaging features of spinal degeneration, part 1.” Spine",
        year=2015,
        volume="36",
        pages="811-16",
        confident=frozenset(),
    )
    assert confirmed_but_authors(slipped, PART_ONE)
    assert not confirmed_but_authors(slipped.model_copy(update={"confident": None}), PART_ONE)


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("doi", JUNK_AUTHORS)
def test_a_reference_copying_the_records_junk_authors_is_verified(
    tmp_path: Path, records: dict[str, dict[str, Any]], doi: str, form: str
) -> None:
    record = records[doi]
    verdict = _check(tmp_path, records, form, _cite(record, form, _people(record), doi))
    assert verdict.status is Status.VERIFIED, verdict.findings
    assert _serious(verdict) == []


@pytest.mark.parametrize("doi", JUNK_AUTHORS[:4])
def test_junk_authors_copied_unbraced_into_bibtex_are_no_extra_authors(
    tmp_path: Path, records: dict[str, dict[str, Any]], doi: str
) -> None:
    # Unbraced, an affiliation is split at its commas and "and"s into "people".
    record = records[doi]
    entry = _cite(record, "bibtex", _people(record), doi)
    for family, given in _people(record):
        if not given:
            entry = entry.replace(f"{{{family}}}", family)
    verdict = _check(tmp_path, records, "bibtex", entry)
    assert verdict.status is Status.VERIFIED, verdict.findings
    assert _serious(verdict) == []
    # A real extra person among them is still named.
    entry = entry.replace("author = {", "author = {Kowalski, Piotr and ", 1)
    assert _serious(_check(tmp_path, records, "bibtex", entry)) == [("RC302", "authors")]


def _fish_search(shared: Path) -> list[Work]:
    """A real Crossref search answer: twenty PeerJ papers with 'fish' in their titles."""
    answer = json.loads((shared / "crossref/search/query.title=fish.json").read_text())
    return [Work.from_crossref(item) for item in answer["response"]["message"]["items"]]


def test_an_unrelated_closest_is_not_named(shared: Path) -> None:
    leds = Reference(
        authors=(Person(family="Nakamura", given="S."),),
        title="Blue light-emitting diodes of high brightness for displays",
        container="Applied Physics Letters",
        year=1994,
    )
    work, reason = choose(leds, _fish_search(shared))
    assert work is None
    assert reason == "no candidate matches, and nothing like it was found"
    # One shared word, and a common one among the candidates, is not a likeness either.
    fishing = leds.model_copy(update={"title": "Fish oil in the diet of children"})
    assert choose(fishing, _fish_search(shared))[1] == reason


def test_a_closest_sharing_the_titles_words_is_named(shared: Path) -> None:
    mislabelled = Reference(
        authors=(Person(family="Rossi", given="M."),),
        title="Fish mislabelling in Italian markets: substitution rates",
        container="Food Control",
        year=2009,
    )
    work, reason = choose(mislabelled, _fish_search(shared))
    assert work is None
    assert str(reason).startswith("no candidate matches; the closest is Bénard-Capelle et al.")


def test_a_closest_by_the_first_author_and_year_is_named(shared: Path) -> None:
    market = Reference(
        authors=(Person(family="Tsikliras", given="A.C."),),
        title="Auction records of the Aegean Sea",
        container="Marine Policy",
        year=2015,
    )
    work, reason = choose(market, _fish_search(shared))
    assert work is None
    assert "the closest is Tsikliras et al. (2014)" in str(reason)
    # The same name ten years off is someone else's paper, as far as a reader can tell.
    later = market.model_copy(update={"year": 2024})
    assert choose(later, _fish_search(shared))[1] == (
        "no candidate matches, and nothing like it was found"
    )
