"""Author findings as the two lists aligned: each missing, extra, misspelled, replaced or
moved name marked in its place, one line each, in the text report's every layout."""

from __future__ import annotations

import io
import re

from rich.cells import cell_len
from rich.console import Console

from refcheck.compare.authors import compare_authors
from refcheck.models import Location, Person, Reference, Status, Verdict, Work
from refcheck.report import registry, text
from refcheck.report.author_marks import agree, mark_authors
from refcheck.report.text import Layout, View
from refcheck.rules import finding

from .fixtures import KASCH, SEED_BIB

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
# The seed's kasch2022, its twelve authors as Crossref lists them.
TWELVE = tuple(
    Person(family=family, given=given)
    for family, given in [
        ("Kasch", "Richard"), ("Truthmann", "Julia"), ("Hancock", "Mark J."),
        ("Maher", "Chris G."), ("Otto", "Marcus"), ("Nell", "Christian"),
        ("Reichwein", "Nicole"), ("Bülow", "Robin"), ("Chenot", "Jean-François"),
        ("Hofer", "Andre"), ("Wassilew", "Georgi"), ("Schmidt", "Carsten Oliver"),
    ]
)  # fmt: skip
WORK = KASCH.model_copy(update={"authors": TWELVE})


def cited(*names: str) -> tuple[Person, ...]:
    """People as a BibTeX list gives them: 'Family, I.'."""
    return tuple(Person(family=n.split(", ")[0], given=n.split(", ")[1]) for n in names)


SEED = cited(
    "Kasch, R.", "Truthmann, J.", "Hancock, M. J.", "Maher, C. G.", "Otto, M.", "Nell, C.",
    "Reichwein, N.", "Bülow, R.", "Chenot, J.-F.", "Hofer, A.", "Wassilew, G.", "Schmidt, C. O.",
)  # fmt: skip


def verdict(authors: tuple[Person, ...], truncated: bool = False) -> Verdict:
    """The seed's kasch2022 citing ``authors``, with the findings the comparison makes."""
    reference = Reference(
        authors=authors,
        authors_truncated=truncated,
        title=WORK.title,
        year=2022,
        location=Location(path=SEED_BIB, line=29, key="kasch2022"),
    )
    findings = tuple(compare_authors(reference, WORK))
    status = Status.MISMATCH if findings else Status.VERIFIED
    return Verdict(reference=reference, status=status, work=WORK, findings=findings)


def plain(verdicts: list[Verdict], layout: Layout = Layout.PLAIN) -> list[str]:
    out = io.StringIO()
    text.emit(verdicts, registry.plain_console(out), View(layout))
    return out.getvalue().splitlines()


def terminal(verdicts: list[Verdict], width: int) -> list[str]:
    out = io.StringIO()
    console = Console(file=out, width=width, force_terminal=True, color_system="truecolor")
    text.emit(verdicts, console, View(Layout.TERMINAL))
    return ANSI.sub("", out.getvalue()).splitlines()


def test_each_changed_name_is_marked_in_its_place() -> None:
    # Hofer dropped, Truthmann misspelled, Smith added after Otto, Kasch moved to second.
    authors = [*SEED]
    authors[1] = Person(family="Truthman", given="J.")
    del authors[9]
    authors.insert(5, Person(family="Smith", given="J."))
    authors[0], authors[2] = authors[2], authors[0]
    marks = [m for m in mark_authors(authors, TWELVE) or [] if m.code != "RC305"]
    assert [str(m) for m in marks] == [
        "↕ Hancock, M. J. (cited as author 1, is author 3)",
        "~ Truthman, J. → Truthmann, Julia (author 2)",
        "↕ Kasch, R. (cited as author 3, is author 1)",
        "+ Smith, J. (cited author 6)",
        "- Hofer, Andre (author 10)",
    ]
    assert [m.code for m in marks] == ["RC304", "RC303", "RC304", "RC302", "RC301"]


def test_the_lists_as_cited_are_not_marked() -> None:
    # Initials for given names, "et al." after the first three: nothing to mark (a name
    # written otherwise is marked only where a finding says its initials differ).
    assert agree(mark_authors(SEED, TWELVE) or [], []) == []
    et_al = (*SEED[:3], Person(family="et al."))
    assert agree(mark_authors(et_al, TWELVE) or [], []) == []
    assert agree(mark_authors(SEED[:3], TWELVE, truncated=True) or [], []) == []
    # Without "et al.", the nine left out are marked.
    assert agree(mark_authors(SEED[:3], TWELVE) or [], []) is None  # no finding says so
    assert [m.code for m in mark_authors(SEED[:3], TWELVE) or []].count("RC301") == 9


def test_a_dropped_author_reads_as_one_marked_name_in_every_layout() -> None:
    dropped = verdict(SEED[:9] + SEED[10:])  # Hofer, A. left out
    assert [f.code for f in dropped.findings] == ["RC301"]
    expected = f"{SEED_BIB}:29: RC301 error authors: - Hofer, Andre (author 10)"
    assert expected in plain([dropped])
    assert plain([dropped], Layout.CONCISE)[0] == expected
    lines = terminal([dropped], 60)
    assert "    29  error    RC301  authors: - Hofer, Andre (author 10)" in lines
    # The whole cited list is printed nowhere.
    assert not any("Kasch" in line for line in [*plain([dropped]), *lines])


def test_several_findings_are_one_line_per_marked_name_each_with_its_rule() -> None:
    authors = [*SEED]
    authors[1] = Person(family="Truthman", given="J.")
    authors.insert(3, Person(family="Smith", given="J."))
    several = verdict(tuple(authors))
    assert sorted(f.code for f in several.findings) == ["RC302", "RC303"]
    rows = [line for line in plain([several]) if ": RC" in line]
    assert rows == [
        f"{SEED_BIB}:29: RC303 error authors: ~ Truthman, J. → Truthmann, Julia (author 2)",
        f"{SEED_BIB}:29: RC302 error authors: + Smith, J. (cited author 4)",
    ]
    for width in (40, 80):
        shown = terminal([several], width)
        assert all(cell_len(line) <= width for line in shown)
        assert sum(" authors: " in line for line in shown) == 2


def test_marks_that_tell_another_story_than_the_findings_give_way_to_the_messages() -> None:
    # A finding the alignment here does not reproduce: its message is printed as it is.
    said = finding(
        "RC301",
        "Author 4 'Maher, Chris G.' is missing from the cited list",
        cited="Kasch, R.",
        expected="Maher, Chris G.",
    )
    odd = verdict(SEED).model_copy(update={"status": Status.MISMATCH, "findings": (said,)})
    assert agree(mark_authors(SEED, TWELVE) or [], [said]) is None
    assert plain([odd])[1] == f"{SEED_BIB}:29: RC301 error authors: {said.message}"


def test_a_hostile_name_is_marked_as_inert_text() -> None:
    hostile = Person(family="Evil\x1b[31m::error file=x::pwned", given="X.")
    added = verdict((*SEED, hostile))
    lines = [*plain([added]), *terminal([added], 200)]
    assert not any("\x1b" in line for line in lines)
    assert not any("::error" in line for line in lines)
    assert any("+ Evil" in line and "(cited author 13)" in line for line in lines)


def test_a_group_work_has_its_people_marked_around_it() -> None:
    group = Work(
        doi="10.1/group",
        title="A trial",
        authors=(Person(literal="The SPORT Investigators"), Person(family="Weinstein", given="J.")),
    )
    marks = mark_authors(cited("Weinstien, J.", "Lurie, J."), group.authors)
    assert [str(m) for m in marks or []] == [
        "~ Weinstien, J. → Weinstein, J. (author 2)",
        "+ Lurie, J. (cited author 2)",
    ]


def test_two_names_spelled_alike_swapped_are_moved_not_misspelled() -> None:
    # "Wang" and "Yang" are one letter apart: swapped, they are moved, not misspelled.
    work = KASCH.model_copy(
        update={
            "authors": (Person(family="Yang", given="Yong"), Person(family="Wang", given="Kai"))
        }
    )
    marks = mark_authors(cited("Wang, K.", "Yang, Y."), work.authors)
    assert [str(m) for m in marks or []] == [
        "↕ Wang, K. (cited as author 1, is author 2)",
        "↕ Yang, Y. (cited as author 2, is author 1)",
    ]
