"""The author list at the head of a reference, where a first family name is typed in
lower case: read as a name (so its misspelling is compared), never a title word."""

from __future__ import annotations

import pytest

from refcheck.models import Person
from refcheck.parse.names import Shape, scan_authors


@pytest.mark.parametrize(
    ("text", "shape", "first"),
    [
        ("xarrell, H. L. (1984). The Old Oak.", Shape.FAMILY_INITIALS, ("xarrell", "H. L.")),
        ("H. L. xarrell, “The Old Oak,” JAMA", Shape.INITIALS_FAMILY, ("xarrell", "H. L.")),
        ("xarrell HL. The Old Oak. JAMA. 1984", Shape.FAMILY_BARE, ("xarrell", "HL")),
        ("xarrell, Henry L. 1984. “The Old Oak.”", Shape.FAMILY_GIVEN, ("xarrell", "Henry L.")),
        ("xi, J., Wang, K., & Li, X. (2020). T", Shape.FAMILY_INITIALS, ("xi", "J.")),
        ("U. xchmidt-Ott, and C. W. Kwan, “Morph", Shape.INITIALS_FAMILY, ("xchmidt-Ott", "U.")),
    ],
)
def test_a_first_family_in_lower_case_is_read_as_written(
    text: str, shape: Shape, first: tuple[str, str]
) -> None:
    found = scan_authors(text)
    assert found.shape is shape
    assert found.persons[0] == Person(family=first[0], given=first[1])


@pytest.mark.parametrize(
    ("text", "persons"),
    [
        ("van der Berg, J. (2000). Title.", [("van der Berg", "J.")]),
        ("de Groot JW, Smith K. Title.", [("de Groot", "JW"), ("Smith", "K.")]),
        ("the effect of, J. Smith", []),
        ("in: Smith, J. Title", []),
        ("and others, 2001", []),
    ],
)
def test_particles_and_words_in_lower_case_stay_what_they_were(
    text: str, persons: list[tuple[str, str]]
) -> None:
    found = scan_authors(text)
    assert [(p.family, p.given) for p in found.persons] == persons
