from __future__ import annotations

import gzip
import json
import random
from pathlib import Path

import pytest
from rapidfuzz.distance import Levenshtein

from refcheck.compare.authors import (
    author_name,
    compare_authors,
    initials,
    same_author,
    show,
    spelled_alike,
)
from refcheck.models import Person, Reference, Severity, Work
from refcheck.parse import parse_reference
from refcheck.readers.names import split_bibtex_authors

from .conftest import people


def codes(reference: Reference, work: Work) -> list[str]:
    return [f.code for f in compare_authors(reference, work)]


def test_the_posts_citation_is_clean(sciatica: Work, sciatica_cited: Reference) -> None:
    # Capitalised particles, "À", and the study group Crossref lists last and the post omits.
    assert compare_authors(sciatica_cited, sciatica) == []


@pytest.mark.parametrize(
    ("cited", "crossref"),
    [
        ("Van Der Kallen", "Van der Kallen"),
        ("van der Kallen", "Van der Kallen"),
        ("Kallen", "Van der Kallen"),
        ("Lycklama À Nijeholt", "Lycklama à Nijeholt"),
        ("Lycklama Nijeholt", "Lycklama à Nijeholt"),
        ("El Barzouhi", "el Barzouhi"),
        ("El-Barzouhi", "el Barzouhi"),
        ("Barzouhi", "el Barzouhi"),
        ("Elbarzouhi", "el Barzouhi"),
        ("Vleggeert Lankamp", "Vleggeert-Lankamp"),
        ("OBrien", "O'Brien"),
        ("Bulow", "Bülow"),
        ("Buelow", "Bülow"),
        ("BRINJIKJI", "Brinjikji"),
        ("Ruiz", "Ruiz Ripoll"),
        ("Nadermahmoudi", "Elnaz Nadermahmoudi"),
    ],
)
def test_same_family_in_any_spelling(cited: str, crossref: str) -> None:
    assert same_author(author_name(Person(family=cited)), author_name(Person(family=crossref)))


@pytest.mark.parametrize(
    ("cited", "crossref"),
    [("Brinjiki", "Brinjikji"), ("Brun-Buissnon", "Brun-Buisson"), ("Smith", "Jones")],
)
def test_different_families(cited: str, crossref: str) -> None:
    assert not same_author(author_name(Person(family=cited)), author_name(Person(family=crossref)))


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("Carmen L.A.M.", "clam"),
        ("C.L.A.M.", "clam"),
        ("C. L. A. M.", "clam"),
        ("CLAM", "clam"),
        ("J.-F.", "jf"),
        ("Jean-François", "jf"),
        ("Wilco C.H.", "wch"),
    ],
)
def test_initials(given: str, expected: str) -> None:
    assert initials(given) == expected


def test_initials_agree_when_only_one_side_gives_more(spine: Work) -> None:
    cited = Reference(
        authors=people(("Kasch", "R"), ("Truthmann", "J."), ("Chenot", "J.-F.")),
    )
    assert compare_authors(cited, spine) == []


def test_family_only_compares_family(ajnr: Work) -> None:
    cited = Reference(authors=tuple(Person(family=a.family) for a in ajnr.authors))
    assert compare_authors(cited, ajnr) == []


def test_initials_left_in_the_family_are_read_as_initials(ajnr: Work) -> None:
    cited = Reference(
        authors=(Person(family="Brinjikji W"), Person(family="Luetmer PH")), authors_truncated=True
    )
    assert compare_authors(cited, ajnr) == []


def test_missing_author_rc301(ajnr: Work) -> None:
    cited = Reference(authors=people(*[(a.family or "", a.given or "") for a in ajnr.authors]))
    dropped = Reference(authors=(cited.authors[0], *cited.authors[2:]))
    [found] = compare_authors(dropped, ajnr)
    assert found.code == "RC301"
    assert found.severity is Severity.ERROR
    assert found.expected == "Luetmer, P.H."
    assert found.cited == "Brinjikji, W.; Comstock, B.; Bresnahan, B.W.; Jarvik, J.G."
    assert found.message == "Author 2 'Luetmer, P.H.' is missing from the cited list"


def test_last_author_dropped_from_a_short_list_is_missing(spine: Work) -> None:
    cited = Reference(authors=people(("Kasch", "R."), ("Truthmann", "J.")))
    [found] = compare_authors(cited, spine)
    assert (found.code, found.expected) == ("RC301", "Chenot, Jean-François")


def test_a_long_tail_missing_is_one_finding(ajnr: Work) -> None:
    cited = Reference(authors=people(("Brinjikji", "W."), ("Luetmer", "P.H.")))
    [found] = compare_authors(cited, ajnr)
    assert found.code == "RC301"
    assert found.message.startswith("Authors 3–5 'Comstock, B.', 'Bresnahan, B.W.'")
    assert "et al." in found.message


def test_et_al_accepts_a_matching_prefix(ajnr: Work) -> None:
    cited = Reference(
        authors=people(("Brinjikji", "W."), ("Luetmer", "P.H."), ("Comstock", "B.")),
        authors_truncated=True,
    )
    assert compare_authors(cited, ajnr) == []


def test_et_al_written_as_an_author_counts_as_truncation(ajnr: Work) -> None:
    cited = Reference(authors=(Person(family="Brinjikji", given="W."), Person(family="et al.")))
    assert compare_authors(cited, ajnr) == []


def test_et_al_does_not_excuse_a_gap_inside_the_prefix(ajnr: Work) -> None:
    cited = Reference(
        authors=people(("Brinjikji", "W."), ("Comstock", "B.")), authors_truncated=True
    )
    assert codes(cited, ajnr) == ["RC301"]


def test_extra_author_rc302(spine: Work) -> None:
    cited = Reference(
        authors=people(("Kasch", "R."), ("Smith", "J."), ("Truthmann", "J."), ("Chenot", "J.F."))
    )
    [found] = compare_authors(cited, spine)
    assert (found.code, found.cited) == ("RC302", "Smith, J.")
    assert found.expected == "Kasch, Richard; Truthmann, Julia; Chenot, Jean-François"
    assert found.message == "Cited author 2 'Smith, J.' is not an author of this work"


def test_replaced_author_names_both(spine: Work) -> None:
    cited = Reference(authors=people(("Kasch", "R."), ("Smith", "J."), ("Chenot", "J.F.")))
    [found] = compare_authors(cited, spine)
    assert (found.code, found.cited, found.expected) == ("RC302", "Smith, J.", "Truthmann, Julia")


def test_misspelled_family_rc303(ajnr: Work) -> None:
    cited = Reference(
        authors=people(("Brinjiki", "W."), ("Luetmer", "P.H.")), authors_truncated=True
    )
    [found] = compare_authors(cited, ajnr)
    assert (found.code, found.cited, found.expected) == ("RC303", "Brinjiki, W.", "Brinjikji, W.")
    assert (
        found.message == "Author 1 is cited as 'Brinjiki, W.'; Crossref spells it 'Brinjikji, W.'"
    )


def test_swapped_authors_rc304(ajnr: Work) -> None:
    cited = Reference(
        authors=people(("Luetmer", "P.H."), ("Brinjikji", "W.")), authors_truncated=True
    )
    [found] = compare_authors(cited, ajnr)
    assert found.code == "RC304"
    assert found.cited == "Luetmer, P.H.; Brinjikji, W."
    assert found.expected == "Brinjikji, W.; Luetmer, P.H."


def test_distant_swap_is_one_order_finding(ajnr: Work) -> None:
    names = [(a.family or "", a.given or "") for a in ajnr.authors]
    names[0], names[3] = names[3], names[0]
    [found] = compare_authors(Reference(authors=people(*names)), ajnr)
    assert found.code == "RC304"


def test_initials_differ_rc305_warning(ajnr: Work) -> None:
    names = [(a.family or "", a.given or "") for a in ajnr.authors]
    names[-1] = ("Jarvik", "J.A.")
    [found] = compare_authors(Reference(authors=people(*names)), ajnr)
    assert (found.code, found.severity) == ("RC305", Severity.WARNING)
    assert (found.cited, found.expected) == ("Jarvik, J.A.", "Jarvik, J.G.")


def test_a_different_first_initial_rc305(spine: Work) -> None:
    cited = Reference(authors=people(("Kasch", "T."), ("Truthmann", "J."), ("Chenot", "J.F.")))
    assert codes(cited, spine) == ["RC305"]


def test_a_dropped_middle_initial_is_fine(spine: Work) -> None:
    work = spine.model_copy(update={"authors": people(("Kasch", "A. L. M."))})
    assert compare_authors(Reference(authors=people(("Kasch", "A.M."))), work) == []


def test_group_author_matched_by_folded_name(sciatica: Work, sciatica_cited: Reference) -> None:
    group = Person(literal="The Leiden–The Hague Spine Intervention Prognostic Study Group")
    cited = sciatica_cited.model_copy(update={"authors": (*sciatica_cited.authors, group)})
    assert compare_authors(cited, sciatica) == []


def test_cited_group_crossref_lacks_is_not_an_error(spine: Work) -> None:
    cited = Reference(
        authors=(
            *people(("Kasch", "R."), ("Truthmann", "J."), ("Chenot", "J.F.")),
            Person(literal="SHIP Study Group"),
        )
    )
    assert compare_authors(cited, spine) == []


def test_family_and_given_swapped_in_crossref() -> None:
    work = Work(doi="10.1/x", authors=(Person(family="Wei", given="Zhang"),))
    assert compare_authors(Reference(authors=people(("Zhang", "W."))), work) == []


def test_nothing_to_compare() -> None:
    work = Work(doi="10.1/x")
    assert compare_authors(Reference(authors=people(("Kasch", "R."))), work) == []
    assert compare_authors(Reference(), Work(doi="10.1/x", authors=people(("A", "B")))) == []


def test_a_huge_collaboration_cited_by_prefix_is_fast_and_clean() -> None:
    work = Work(
        doi="10.1/atlas",
        authors=tuple(Person(family=f"Physicist{n:04d}", given="A.") for n in range(3000)),
    )
    cited = Reference(
        authors=tuple(Person(family=f"Physicist{n:04d}", given="A.") for n in range(3)),
        authors_truncated=True,
    )
    assert compare_authors(cited, work) == []


def test_generational_suffixes_are_not_part_of_the_name() -> None:
    work = Work(doi="10.1/x", authors=people(("Smith", "John A."), ("Jones", "B.")))
    cited = Reference(authors=people(("Smith Jr", "J.A."), ("Jones", "B. III")))
    assert compare_authors(cited, work) == []


def test_apa_ellipsis_before_the_last_author() -> None:
    work = Work(
        doi="10.1/x",
        authors=tuple(Person(family=f"Author{chr(65 + n)}", given="A.") for n in range(25)),
    )
    shown = [*work.authors[:19], work.authors[-1]]
    assert compare_authors(Reference(authors=tuple(shown), authors_truncated=True), work) == []
    # Without the ellipsis the gap is a real omission.
    assert codes(Reference(authors=tuple(shown)), work) == ["RC301"]


def test_a_name_braced_whole_matches_the_person() -> None:
    # BibTeX "{Hong Lin}" reads as a group; Crossref holds a person with only a family.
    work = Work(
        doi="10.1/x",
        authors=(
            Person(family="Hong Lin"),
            Person(family="the NOTES Development Group"),
            Person(family="Long", given="Gary L."),
        ),
    )
    cited = Reference(
        authors=(
            Person(literal="Hong Lin"),
            Person(literal="NOTES Development Group"),
            Person(family="Long", given="G. L."),
        )
    )
    assert compare_authors(cited, work) == []


def test_marks_lost_in_a_copy() -> None:
    work = Work(doi="10.1/x", authors=(Person(family="Андрей", given="Й."),))
    assert compare_authors(Reference(authors=(Person(family="Андреи"),)), work) == []


def test_whole_name_in_crossref_family_field_matches_a_split_citation() -> None:
    from refcheck.compare.authors import author_name, same_author

    whole = author_name(Person(family="Yu-Sheng Lu"))
    assert same_author(author_name(Person(family="Lu", given="Yu-Sheng")), whole)
    assert not same_author(author_name(Person(family="Li", given="Yu-Sheng")), whole)


def test_near_spellings_within_a_fifth_or_two_letters() -> None:
    """A near-miss family name: one letter off under 8 letters, two from 8, and at any length
    80% the same (normalized Levenshtein), exactly as the two measures define it."""
    from refcheck.compare.authors import _near

    rng = random.Random(7)
    for _ in range(5000):
        a = "".join(rng.choice("abcde") for _ in range(rng.randint(1, 40)))
        b = list(a)
        for _ in range(rng.randint(0, 12)):
            at = rng.randrange(len(b) + 1)
            edit = rng.choice(("insert", "delete", "replace"))
            if edit == "insert":
                b.insert(at, "x")
            elif edit == "delete":
                del b[at : at + 1]
            elif at < len(b):
                b[at] = "y"
        other = "".join(b)
        allowed = 1 if max(len(a), len(other)) < 8 else 2
        expected = bool(other) and (
            Levenshtein.distance(a, other) <= allowed
            or Levenshtein.normalized_similarity(a, other) >= 0.8
        )
        assert _near(a, other) == expected, (a, other)


def test_near_spelling_boundaries() -> None:
    crossref = author_name(Person(family="Vleggeert-Lankamp"))  # 16 letters: 3 may differ
    assert spelled_alike(author_name(Person(family="Vleggert-Lankamp")), crossref)
    assert spelled_alike(author_name(Person(family="Vlegert-Lankam")), crossref)
    assert not spelled_alike(author_name(Person(family="Vlegert-Lancam")), crossref)
    assert not spelled_alike(author_name(Person(family="Kasch")), crossref)


def test_folded_names_are_cached_by_value(monkeypatch: pytest.MonkeyPatch) -> None:
    import refcheck.compare.authors as authors

    assert author_name(Person(family="Peul", given="W.")) is author_name(
        Person(family="Peul", given="W.")
    )
    assert author_name(Person(literal="Peul")).group
    assert not author_name(Person(family="Peul")).group
    # A full cache starts over rather than growing: the names fold as before.
    monkeypatch.setattr(authors, "_FOLDED_LIMIT", 2)
    names = [Person(family=f, given="A.") for f in ("Koes", "Jacobs", "Peul", "Koes")]
    folded = [author_name(p) for p in names]
    assert [n.main for n in folded] == ["koes", "jacobs", "peul", "koes"]
    assert len(authors._FOLDED) <= 2


@pytest.mark.parametrize(
    ("cited", "crossref"),
    [
        ("Vxn Den Hout", "van den Hout"),  # the seed post's author 5, one letter off
        ("xon Sallmann", "von Sallmann"),
        ("Vxn der Kallen", "Van der Kallen"),
    ],
)
def test_a_misspelt_particle_is_a_misspelt_name(cited: str, crossref: str) -> None:
    # As many words on both sides: not a compound cited in part ("Ruiz" for "Ruiz Ripoll").
    c, w = author_name(Person(family=cited)), author_name(Person(family=crossref))
    assert not same_author(c, w)
    assert spelled_alike(c, w)


def test_a_misspelt_middle_author_of_a_shared_family() -> None:
    work = Work(
        doi="10.1/shared",
        title="A study",
        authors=people(("Li", "Xiang"), ("Wang", "Kai"), ("Wang", "Jun"), ("Zhang", "An")),
    )
    for wang in ("Wxng", "Wanq", "Wangg"):
        cited = Reference(
            authors=people(("Li", "X."), ("Wang", "K."), (wang, "J."), ("Zhang", "A."))
        )
        findings = compare_authors(cited, work)
        assert [(f.code, f.cited) for f in findings] == [("RC303", f"{wang}, J.")]
    # In any order of the two Wangs' initials, correctly spelt: quiet.
    fine = Reference(authors=people(("Li", "X"), ("Wang", "K"), ("Wang", "J"), ("Zhang", "A")))
    assert compare_authors(fine, work) == []


def test_a_misspelling_is_caught_in_every_position(sciatica: Work) -> None:
    # The seed post's eight people, each misspelt in turn by its second letter, particles
    # and all ("eq Barzouhi", "vqn den Hout").
    names = [p for p in sciatica.authors if not p.is_group]
    for index, person in enumerate(names):
        family = person.family or ""
        wrong = family[:1] + "q" + family[2:]
        cited = [*names[:index], person.model_copy(update={"family": wrong}), *names[index + 1 :]]
        findings = compare_authors(Reference(authors=tuple(cited)), sciatica)
        assert [(f.code, f.cited) for f in findings] == [("RC303", show(cited[index]))], wrong


def test_pieces_of_an_affiliation_the_record_holds_as_an_author_are_its_own() -> None:
    affiliation = "Assistant Professor, Department of Microbiology, Sai Medical College"
    work = Work(
        doi="10.1/junk",
        title="A case report",
        authors=(
            *people(("Prasanna", "S."), ("Jayakumar", "Karthika")),
            Person(literal=affiliation),
        ),
    )
    # BibTeX splits the unbraced affiliation at its commas into "people".
    pieces = people(
        ("Prasanna", "S."),
        ("Assistant Professor", "Department of Microbiology"),
        ("Jayakumar", "K."),
        ("Sai Medical College", ""),
    )
    assert compare_authors(Reference(authors=pieces), work) == []
    # A real stranger among them is still extra, numbered in the whole cited list.
    stranger = (*pieces[:3], Person(family="Kowalski", given="P."), pieces[3])
    findings = compare_authors(Reference(authors=stranger), work)
    assert [(f.code, f.cited) for f in findings] == [("RC302", "Kowalski, P.")]
    assert findings[0].message.startswith("Cited author 4 ")


def test_a_deposit_whose_family_is_a_dash_is_not_missing() -> None:
    work = Work(
        doi="10.1/dash",
        title="Application of image fusion",
        authors=people(("-", "Xuewen Ding"), ("-", "Guangquan Xu")),
    )
    garbled = Reference(authors=(Person(literal="X. D., -, G. X"),))
    assert compare_authors(garbled, work) == []
    # A person the citation names that the record does not list is still extra.
    other = Reference(authors=people(("Ding", "X."), ("Smith", "J.")))
    assert [f.code for f in compare_authors(other, work)] == ["RC302"]


def _works_dev_record(shared: Path, doi: str) -> dict[str, object]:
    with gzip.open(shared / "crossref" / "works-dev.jsonl.gz", "rt", encoding="utf-8") as lines:
        for line in lines:
            if doi in line:
                record = json.loads(line)
                if str(record.get("DOI", "")).lower() == doi:
                    return record  # type: ignore[no-any-return]
    raise AssertionError(f"{doi} is not in works-dev")


@pytest.mark.parametrize(
    "field",
    [
        # As the record holds it, copied (family "DAWSON", given "C. SOTELO-MONTES† and I. K."):
        # BibTeX splits the given name's "and" into a last "person" "I. K.".
        "RUSSELL, J. R. and WEBER, J. C. and BOOTH, A. and POWELL, W. and "
        "DAWSON, C. SOTELO-MONTES† and I. K.",
        # The people the garbled name stands for, written out.
        "J. R. RUSSELL and J. C. WEBER and A. BOOTH and W. POWELL and C. SOTELO-MONTES† "
        "and I. K. DAWSON",
    ],
)
def test_people_a_record_holds_in_one_given_name_are_its_own(shared: Path, field: str) -> None:
    work = Work.from_crossref(_works_dev_record(shared, "10.1046/j.1365-294x.1999.00551.x"))
    persons, _ = split_bibtex_authors(field)

    assert compare_authors(Reference(authors=persons), work) == []
    # A misspelled author among them is still named.
    typo = split_bibtex_authors(field.replace("BOOTH", "BOOTR"))[0]
    assert [(f.code, f.cited) for f in compare_authors(Reference(authors=typo), work)] == [
        ("RC303", "BOOTR, A.")
    ]


@pytest.mark.parametrize(
    ("doi", "names", "typo", "written"),
    [
        # Chicago writes every author but the first given name first: "Michael San Jose" is
        # read as given "Michael San", family "Jose" (the record: "San Jose, Michael").
        (
            "10.1371/journal.pone.0016361",
            "Rubinoff, Daniel, Brenden S. Holland, {} Jose, and Jerry A. Powell",
            "Michael Sxn",
            "Michael San",
        ),
        (
            "10.1371/journal.pone.0055211",
            "Benseddik, Khedidja, Nadine {} Nkwe, Pascale Daou, Pascal Verdier-Pinard, and "
            "Ali Badache",
            "Nadine Sxn",
            "Nadine Sen",
        ),
    ],
)
def test_a_misspelt_first_word_of_a_compound_family_written_given_first(
    shared: Path, doi: str, names: str, typo: str, written: str
) -> None:
    work = Work.from_crossref(_works_dev_record(shared, doi))
    template = f"{names}. 2011. “{work.title}.” PLoS ONE."

    right = parse_reference(template.format(written))
    assert compare_authors(right, work) == []
    wrong = parse_reference(template.format(typo))
    assert [f.code for f in compare_authors(wrong, work)] == ["RC303"]


def test_given_names_the_record_holds_are_no_misspelt_compound() -> None:
    # "Ana Silvia Santos" for "Silva Santos, Ana Silvia": a surname left out, none misspelt
    # ("silvia santos" is one letter from "silva santos").
    work = Work(doi="10.1/x", authors=people(("Silva Santos", "Ana Silvia")))
    cited = Reference(authors=people(("Santos", "Ana Silvia")))
    assert compare_authors(cited, work) == []


@pytest.mark.parametrize(
    ("doi", "names", "written", "typo"),
    [
        # The particle misspelt ("El" -> "Ez"), read into the given name.
        (
            "10.1016/j.enggeo.2016.11.015",
            "Ochoa-Cornejo, Felipe, Antonio Bobet, Alain {} Howayek, Cliff T Johnston, Marika "
            "Santagata, and Joseph V. Sinfield",
            "El",
            "Ez",
        ),
        # After an initial: "Allison C. Vander Wall".
        (
            "10.1021/acsearthspacechem.4c00298",
            "Allison C. {} Wall, Lisa M. Wingen, Véronique Perraud, Yue Zhao, and Barbara J. "
            "Finlayson-Pitts",
            "Vander",
            "Vandyr",
        ),
    ],
)
def test_a_misspelt_particle_written_given_first(
    shared: Path, doi: str, names: str, written: str, typo: str
) -> None:
    work = Work.from_crossref(_works_dev_record(shared, doi))
    template = f"{names}. 2017. “{work.title}.” Journal."

    assert compare_authors(parse_reference(template.format(written)), work) == []
    found = compare_authors(parse_reference(template.format(typo)), work)
    assert [f.code for f in found] == ["RC303"]


def test_a_compound_family_with_a_short_first_word_written_given_first() -> None:
    # "Wei Lo Russo" is read as given "Wei Lo", family "Russo": the same "Lo Russo".
    work = Work(doi="10.1/x", authors=people(("Kasch", "Robin"), ("Lo Russo", "Wei")))
    cited = parse_reference("Kasch, Robin, and Wei Lo Russo. 2011. “A title.” Spine.")
    assert compare_authors(cited, work) == []


def test_a_whole_name_held_as_the_family_misspelt_in_a_given_first_citation(
    shared: Path,
) -> None:
    # The record holds "Hong Lin" as the family, no given name; MLA writes "Hong Lin." and
    # the reader takes "Lin" for the given name: one letter off is a misspelling.
    work = Work.from_crossref(_works_dev_record(shared, "10.1109/iembs.2005.1615903"))
    assert [(p.family, p.given) for p in work.authors] == [("Hong Lin", None)]
    for family, given in (("Hong", "Lin"), ("Lin", "Hong"), ("Hong", "L.")):
        cited = Reference(authors=people((family, given)))
        assert compare_authors(cited, work) == []
    for family, given in (("Hong", "Lir"), ("Lir", "Hong")):
        cited = Reference(authors=people((family, given)))
        assert [f.code for f in compare_authors(cited, work)] == ["RC303"]
