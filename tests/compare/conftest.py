"""Small works of our own for the comparer tests, shaped like the seed post's citations."""

from __future__ import annotations

import pytest

from refcheck.models import Person, Reference, Work


def people(*names: tuple[str, str]) -> tuple[Person, ...]:
    return tuple(Person(family=family, given=given) for family, given in names)


@pytest.fixture
def sciatica() -> Work:
    """el Barzouhi et al. 2013, NEJM: particles, a hyphenated name, a trailing group."""
    return Work(
        doi="10.1056/NEJMoa1209250",
        type="journal-article",
        title="Magnetic Resonance Imaging in Follow-up Assessment of Sciatica",
        container_title=("New England Journal of Medicine",),
        short_container_title=("N Engl J Med",),
        issn=("0028-4793", "1533-4406"),
        volume="368",
        issue="11",
        page="999-1007",
        authors=(
            *people(
                ("el Barzouhi", "Abdelilah"),
                ("Vleggeert-Lankamp", "Carmen L.A.M."),
                ("Lycklama à Nijeholt", "Geert J."),
                ("Van der Kallen", "Bas F."),
                ("van den Hout", "Wilbert B."),
                ("Jacobs", "Wilco C.H."),
                ("Koes", "Bart W."),
                ("Peul", "Wilco C."),
            ),
            Person(literal="Leiden-The Hague Spine Intervention Prognostic Study Group"),
        ),
        published_print=(2013, 3, 14),
        published_online=(2013, 3, 14),
        issued=(2013, 3, 14),
    )


@pytest.fixture
def sciatica_cited() -> Reference:
    """The post's citation of the sciatica paper, as a reader would hand it over."""
    return Reference(
        authors=people(
            ("El Barzouhi", "A."),
            ("Vleggeert-Lankamp", "C.L.A.M."),
            ("Lycklama À Nijeholt", "G.J."),
            ("Van Der Kallen", "B.F."),
            ("Van Den Hout", "W.B."),
            ("Jacobs", "W.C.H."),
            ("Koes", "B.W."),
            ("Peul", "W.C."),
        ),
        year=2013,
        title="Magnetic Resonance Imaging in Follow-up Assessment of Sciatica",
        container="New England Journal of Medicine",
        volume="368",
        issue="11",
        pages="pp.999–1007",
    )


@pytest.fixture
def spine() -> Work:
    """Kasch et al.: online 2021, print 2022."""
    return Work(
        doi="10.1097/BRS.0000000000004198",
        type="journal-article",
        title="Association of Lumbar MRI Findings with Current and Future Back Pain in a "
        "Population-based Cohort Study",
        container_title=("Spine",),
        short_container_title=("Spine",),
        volume="47",
        issue="3",
        page="201-211",
        authors=people(("Kasch", "Richard"), ("Truthmann", "Julia"), ("Chenot", "Jean-François")),
        published_print=(2022, 2, 1),
        published_online=(2021, 8, 18),
        issued=(2021, 8, 18),
    )


@pytest.fixture
def ajnr() -> Work:
    """Brinjikji et al.: print 2015, online 2014."""
    return Work(
        doi="10.3174/ajnr.A4173",
        type="journal-article",
        title="Systematic Literature Review of Imaging Features of Spinal Degeneration in "
        "Asymptomatic Populations",
        container_title=("American Journal of Neuroradiology",),
        short_container_title=("AJNR Am J Neuroradiol",),
        issn=("0195-6108", "1936-959X"),
        volume="36",
        issue="4",
        page="811-816",
        authors=people(
            ("Brinjikji", "W."),
            ("Luetmer", "P.H."),
            ("Comstock", "B."),
            ("Bresnahan", "B.W."),
            ("Jarvik", "J.G."),
        ),
        published_print=(2015, 4),
        published_online=(2014, 11, 27),
        issued=(2014, 11, 27),
    )
