"""BibTeX author fields in Medline's form ("Brinjikji W"), as pasted from PubMed."""

from __future__ import annotations

import pytest

from refcheck.readers.names import split_bibtex_authors


# Medline names pasted into BibTeX, from works-dev records: initials "JR" and "SR" in
# capitals (10.1016/j.jaridenv.2015.08.021 "Gutiérrez JR"; 10.4043/8639-ms "Østmo SR"), a
# non-ASCII initial (10.1016/j.cbpa.2017.04.004 "Tøien Ø") and a family in capitals as short
# as initials (10.3892/mmr.2014.2576 "LI J"). Each was read family-for-initials, so a
# misspelling of it went unseen.
@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("Acosta-Jamett G and Gutiérrez JR", [("Acosta-Jamett", "G"), ("Gutiérrez", "JR")]),
        ("Salisbury RSK and Østmo SR and Lien R",
         [("Salisbury", "RSK"), ("Østmo", "SR"), ("Lien", "R")]),
        ("Williams CT and Tøien Ø", [("Williams", "CT"), ("Tøien", "Ø")]),
        ("LI J and LI Y and ZHANG P", [("LI", "J"), ("LI", "Y"), ("ZHANG", "P")]),
        # Generations stay apart from initials; initials first stay as BibTeX reads them.
        ("Smith, Jr., John and J LI", [("Smith", "John"), ("LI", "J")]),
    ],
)  # fmt: skip
def test_medline_names_read_family_then_initials(
    field: str, expected: list[tuple[str, str]]
) -> None:
    persons, _ = split_bibtex_authors(field)
    assert [(p.family, p.given) for p in persons] == expected
