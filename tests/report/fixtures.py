"""The verdicts every report format is tested on: the seed post's three references, one of
each kind of problem, and one reference made of hostile text.

Built by hand (not by running the pipeline) so that report tests change only when a
report changes, never when a comparison's wording does.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from typing import TextIO

from refcheck.models import Location, Person, Reference, Status, Verdict, Work
from refcheck.rules import finding

SEED_BIB = "refs/seed.bib"
POST = "posts/lumbar-mri-paradox.md"
NASTY_BIB = "refs/nasty, odd:name.bib"

SCRIPT = "<script>alert(1)</script>"
IMG = '<img src=x onerror="document.body.dataset.pwned=1">'
INJECTION = "::error file=x::pwned"
ANSI_RED = "\x1b[31m"
LEGACY = "##[set-output name=pwned;]yes"
HUGE = 100_000
# Every hostile ingredient at once; the 100 kB tail proves every format bounds its values.
NASTY_TITLE = (
    f"Lumbar MRI {SCRIPT}{IMG} findings\n{INJECTION}\r\n{ANSI_RED}red{ANSI_RED[:1]}[0m {LEGACY} "
    "| pipe `tick` [link](https://evil.example) @octocat & more "
) + "x" * HUGE
# A real-world SICI DOI: "<", ">", ";" and "::" in a DOI, which links must encode.
SICI_DOI = "10.1002/(SICI)1097-0258(19980815/30)17:15/16<1661::AID-SIM968>3.0.CO;2-2"

BRINJIKJI = Work(
    doi="10.3174/ajnr.A4173",
    type="journal-article",
    title="Systematic Literature Review of Imaging Features of Spinal Degeneration in "
    "Asymptomatic Populations",
    container_title=("American Journal of Neuroradiology",),
    volume="36",
    issue="4",
    page="811-816",
    authors=(Person(family="Brinjikji", given="W."), Person(family="Luetmer", given="P.H.")),
    published_print=(2015, 4),
)
EL_BARZOUHI = Work(
    doi="10.1056/NEJMoa1209250",
    type="journal-article",
    title="Magnetic Resonance Imaging in Follow-up Assessment of Sciatica",
    container_title=("New England Journal of Medicine",),
    volume="368",
    issue="11",
    page="999-1007",
    authors=(Person(family="el Barzouhi", given="Abdelilah"),),
    published_print=(2013, 3, 14),
)
KASCH = Work(
    doi="10.1097/BRS.0000000000004198",
    type="journal-article",
    title="Association of Lumbar MRI Findings with Current and Future Back Pain in a "
    "Population-based Cohort Study",
    container_title=("Spine",),
    volume="47",
    issue="3",
    page="201-211",
    authors=(
        Person(family="Kasch", given="Richard"),
        Person(family="Truthmann", given="Julia"),
        Person(family="Hancock", given="Mark J."),
    ),
    published_print=(2022, 2, 1),
    published_online=(2021, 8, 18),
)
SICI_WORK = Work(doi=SICI_DOI, type="journal-article", title="Lumbar MRI findings")


def _cited(work: Work, **changes: object) -> Reference:
    """``work`` as a BibTeX entry would cite it, with ``changes`` applied."""
    fields: dict[str, object] = {
        "entry_type": "article",
        "title": work.title,
        "authors": work.authors,
        "container": work.container_title[0] if work.container_title else None,
        "year": work.year,
        "volume": work.volume,
        "issue": work.issue,
        "pages": work.page,
        "doi": work.doi,
    }
    fields.update(changes)
    return Reference.model_validate(fields)


def _at(reference: Reference, path: str | None, line: int | None, key: str | None) -> Reference:
    text = f"@article{{{key}, ...}}" if key else reference.text
    return reference.model_copy(
        update={"location": Location(path=path, line=line, key=key), "text": text}
    )


def seed_verdicts() -> list[Verdict]:
    brinjikji = _at(
        _cited(BRINJIKJI, container="AJNR Am J Neuroradiol"), SEED_BIB, 2, "brinjikji2015"
    )
    el_barzouhi = _at(_cited(EL_BARZOUHI), SEED_BIB, 16, "elbarzouhi2013")
    kasch = _at(_cited(KASCH, year=2021), SEED_BIB, 30, "kasch2022")
    wrong_volume = _at(_cited(BRINJIKJI, volume="35"), SEED_BIB, 44, "brinjikji2015vol")
    short_authors = _at(
        _cited(KASCH, authors=(KASCH.authors[0], KASCH.authors[2])), SEED_BIB, 58, "kasch2022au"
    )
    unverified_text = (
        "Brinjikji W, et al. (2015) Systematic literature review of imaging features of spinal "
        "degeneration in asymptomatic populations. AJNR 36(4):811-816"
    )
    unverified = Reference(
        location=Location(path=POST, line=12), text=unverified_text, title=BRINJIKJI.title
    )
    invalid = Reference(
        location=Location(path=SEED_BIB, line=72, key="broken2020"),
        text="@article{broken2020, title = {Unclosed braces, year = 2020",
        problem="unbalanced braces: the entry never closes",
    )
    ghost = _at(_cited(EL_BARZOUHI, doi="10.1056/NEJMoa1209259"), SEED_BIB, 80, "elbarzouhi2013doi")
    nasty = Reference(
        location=Location(path=NASTY_BIB, line=3, key=f"evil{SCRIPT}"),
        text=f"@article{{evil, title = {{{NASTY_TITLE}}}}}",
        entry_type="article",
        title=NASTY_TITLE,
        doi=SICI_DOI,
    )
    return [
        Verdict(
            reference=brinjikji,
            status=Status.VERIFIED,
            work=BRINJIKJI,
            score=0.981,
            findings=(
                finding(
                    "RC502",
                    "'AJNR Am J Neuroradiol' abbreviates 'American Journal of Neuroradiology'",
                    cited="AJNR Am J Neuroradiol",
                    expected="American Journal of Neuroradiology",
                ),
            ),
        ),
        Verdict(reference=el_barzouhi, status=Status.VERIFIED, work=EL_BARZOUHI, score=1.0),
        Verdict(
            reference=kasch,
            status=Status.VERIFIED,
            work=KASCH,
            score=0.97,
            findings=(
                finding(
                    "RC402",
                    "2021 is the online year; the print year is 2022",
                    cited="2021",
                    expected="2022",
                ),
            ),
        ),
        Verdict(
            reference=wrong_volume,
            status=Status.MISMATCH,
            work=BRINJIKJI,
            score=0.95,
            findings=(
                finding("RC601", "Volume 35 cited; Crossref has 36", cited="35", expected="36"),
            ),
        ),
        Verdict(
            reference=short_authors,
            status=Status.MISMATCH,
            work=KASCH,
            score=0.93,
            findings=(
                finding(
                    "RC301",
                    "The 2nd author Truthmann is missing from the cited list",
                    cited="Kasch, Hancock",
                    expected="Kasch, Truthmann, Hancock",
                ),
            ),
        ),
        Verdict(
            reference=unverified,
            status=Status.UNVERIFIED,
            message="Crossref unavailable: connection refused (after 3 tries)",
        ),
        Verdict(reference=invalid, status=Status.INVALID, message=invalid.problem),
        Verdict(
            reference=ghost,
            status=Status.NOT_FOUND,
            findings=(
                finding(
                    "RC101",
                    "Crossref does not know the DOI 10.1056/NEJMoa1209259",
                    cited="10.1056/NEJMoa1209259",
                ),
            ),
            message="DOI 10.1056/NEJMoa1209259 is not registered with Crossref",
        ),
        Verdict(
            reference=nasty,
            status=Status.MISMATCH,
            work=SICI_WORK,
            score=0.5,
            findings=(
                finding(
                    "RC201",
                    f"The cited title is not this work's title, which is '{SICI_WORK.title}'",
                    cited=NASTY_TITLE,
                    expected=SICI_WORK.title,
                ),
                finding(
                    "RC202",
                    f"The cited title differs from Crossref's '{NASTY_TITLE}' (3% similar)",
                    cited=NASTY_TITLE,
                    expected=f"{SCRIPT}\n{INJECTION}",
                ),
            ),
            message=f"matched despite {SCRIPT}\n{INJECTION}",
        ),
    ]


VERDICTS: tuple[Verdict, ...] = tuple(seed_verdicts())
KEYS = [v.reference.location.key for v in VERDICTS]


def render(emit: Callable[[Sequence[Verdict], TextIO], None], verdicts: Sequence[Verdict]) -> str:
    """What ``emit`` writes for ``verdicts``."""
    out = io.StringIO()
    emit(verdicts, out)
    return out.getvalue()
