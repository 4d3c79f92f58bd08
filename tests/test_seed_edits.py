"""The seed post with one edit, in every form a writer keeps it: plain text, Markdown, HTML
and BibTeX. Each edit must make its reference ``mismatch`` with one error on the edited
field (exit 1 under the default policy) and leave the other two verified.

The edits are the ones issue 12 names, applied to every reference they fit.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from refcheck.api import check, read_references
from refcheck.config import Settings
from refcheck.models import Severity, Status

ROOT = Path(__file__).resolve().parents[1]
SNAPSHOT = ROOT / "references" / "seed-works.jsonl"
MARKDOWN = ROOT / "references" / "lumbar-mri-paradox.md"
OFFLINE = Settings(offline=True, no_cache=True, snapshots=(SNAPSHOT,))


@dataclass(frozen=True)
class Cited:
    """One seed reference as the post prints it, and as its BibTeX entry holds it."""

    post: str
    authors: list[str]  # BibTeX names, in order
    title: str
    journal: str
    year: str
    volume: str
    issue: str
    first: str
    last: str

    def harvard(self, authors: list[str] | None = None) -> str:
        names = self.post_names(authors or self.authors)
        return (
            f"{names}, {self.year}. {self.title}. {self.journal}, "
            f"{self.volume}({self.issue}), pp.{self.first}–{self.last}."
        )

    @staticmethod
    def post_names(names: list[str]) -> str:
        def short(name: str) -> str:
            family, given = name.split(", ")
            return f"{family.strip('{}')}, {given.replace('. ', '.')}"

        shown = [short(n) for n in names]
        return ", ".join(shown[:-1]) + " and " + shown[-1]

    def bibtex(self, key: str, authors: list[str] | None = None) -> str:
        return (
            f"@article{{{key},\n"
            f"  author  = {{{' and '.join(authors or self.authors)}}},\n"
            f"  title   = {{{self.title}}},\n"
            f"  journal = {{{self.journal}}},\n"
            f"  year    = {{{self.year}}},\n"
            f"  volume  = {{{self.volume}}},\n"
            f"  number  = {{{self.issue}}},\n"
            f"  pages   = {{{self.first}--{self.last}}},\n"
            "}\n"
        )


SEED = [
    Cited(
        "brinjikji",
        [
            "Brinjikji, W.", "Luetmer, P. H.", "Comstock, B.", "Bresnahan, B. W.",
            "Chen, L. E.", "Deyo, R. A.", "Halabi, S.", "Turner, J. A.", "Avins, A. L.",
            "James, K.", "Wald, J. T.", "Kallmes, D. F.", "Jarvik, J. G.",
        ],
        "Systematic Literature Review of Imaging Features of Spinal Degeneration in "
        "Asymptomatic Populations",
        "American Journal of Neuroradiology", "2015", "36", "4", "811", "816",
    ),
    Cited(
        "elbarzouhi",
        [
            "{El Barzouhi}, A.", "Vleggeert-Lankamp, C. L. A. M.",
            "Lycklama À Nijeholt, G. J.", "{Van Der Kallen}, B. F.",
            "{Van Den Hout}, W. B.", "Jacobs, W. C. H.", "Koes, B. W.", "Peul, W. C.",
        ],
        "Magnetic Resonance Imaging in Follow-up Assessment of Sciatica",
        "New England Journal of Medicine", "2013", "368", "11", "999", "1007",
    ),
    Cited(
        "kasch",
        [
            "Kasch, R.", "Truthmann, J.", "Hancock, M. J.", "Maher, C. G.", "Otto, M.",
            "Nell, C.", "Reichwein, N.", "Bülow, R.", "Chenot, J.-F.", "Hofer, A.",
            "Wassilew, G.", "Schmidt, C. O.",
        ],
        "Association of Lumbar MRI Findings with Current and Future Back Pain in a "
        "Population-based Cohort Study",
        "Spine", "2022", "47", "3", "201", "211",
    ),
]  # fmt: skip


@dataclass(frozen=True)
class Edit:
    name: str
    index: int
    field: str
    change: dict[str, str]
    authors: list[str] | None = None


def _edits() -> list[Edit]:
    edits = [
        Edit("last page 1070", 1, "pages", {"last": "1070"}),
        Edit("last page 817", 0, "pages", {"last": "817"}),
        Edit("last page 210", 2, "pages", {"last": "210"}),
        Edit("first page 998", 1, "pages", {"first": "998"}),
        Edit("first page 810", 0, "pages", {"first": "810"}),
        Edit("volume 37", 0, "volume", {"volume": "37"}),
        Edit("volume 37", 2, "volume", {"volume": "37"}),
        Edit("issue 5", 0, "issue", {"issue": "5"}),
        Edit("issue 5", 1, "issue", {"issue": "5"}),
        Edit("issue 5", 2, "issue", {"issue": "5"}),
        Edit("year 2019", 2, "year", {"year": "2019"}),
        Edit("year 2019", 0, "year", {"year": "2019"}),
        Edit(
            "Spinal Stenosis",
            0,
            "title",
            {"title": SEED[0].title.replace("Spinal Degeneration", "Spinal Stenosis")},
        ),
        Edit(
            "Follow-up → Long-term",
            1,
            "title",
            {"title": SEED[1].title.replace("Follow-up", "Long-term")},
        ),
        Edit(
            "Current → Recurrent",
            2,
            "title",
            {"title": SEED[2].title.replace("Current", "Recurrent")},
        ),
    ]
    for i, cited in enumerate(SEED):
        names = cited.authors
        truthman = [n.replace("Truthmann", "Truthman") for n in names]
        if truthman != names:
            edits.append(Edit("Truthman", i, "authors", {}, truthman))
        dropped = [n for n in names if not n.startswith("Hofer")]
        if dropped != names:
            edits.append(Edit("Hofer dropped", i, "authors", {}, dropped))
        middle = len(names) // 2
        misspelt = list(names)
        family, given = names[middle].split(", ")
        misspelt[middle] = f"{family[:2]}x{family[3:]}, {given}"
        edits.append(Edit(f"author {middle + 1} misspelt", i, "authors", {}, misspelt))
        swapped = list(names)
        swapped[1], swapped[2] = swapped[2], swapped[1]
        edits.append(Edit("authors 2 and 3 swapped", i, "authors", {}, swapped))
    return edits


EDITS = _edits()
FORMS = ["text", "markdown", "html", "bibtex"]


def _write(form: str, edit: Edit | None, folder: Path) -> Path:
    cited = [
        Cited(**{**c.__dict__, **edit.change}) if edit and i == edit.index else c
        for i, c in enumerate(SEED)
    ]
    authors = [edit.authors if edit and i == edit.index else None for i in range(len(SEED))]
    if form == "bibtex":
        path = folder / "seed.bib"
        entries = [c.bibtex(f"{c.post}{c.year}", a) for c, a in zip(cited, authors, strict=True)]
        path.write_text("\n".join(entries), encoding="utf-8")
        return path
    lines = [c.harvard(a) for c, a in zip(cited, authors, strict=True)]
    if form == "markdown":
        path = folder / "post.md"
        body = MARKDOWN.read_text(encoding="utf-8")
        head = body[: body.index("- Brinjikji")]
        path.write_text(head + "".join(f"- {line}\n" for line in lines), encoding="utf-8")
    elif form == "text":
        path = folder / "post.txt"
        prose = "Acupuncture is another alternative therapy with a long history of use.\n\n\n"
        path.write_text(prose + "".join(f"-{line}\n\n" for line in lines), encoding="utf-8")
    else:
        path = folder / "post.html"
        items = "".join(f"<li>{html.escape(line)}</li>\n" for line in lines)
        path.write_text(
            "<!doctype html><html><head><title>The Lumbar MRI Paradox</title></head><body>"
            "<nav><a href='/'>Home</a></nav><article><h1>The Lumbar MRI Paradox</h1>"
            "<p>Imaging findings are common in people without pain.</p>"
            f"<h2>References</h2>\n<ul>\n{items}</ul></article>"
            "<footer>bottom of page</footer></body></html>",
            encoding="utf-8",
        )
    return path


@pytest.mark.parametrize("form", FORMS)
def test_unedited_seed_is_verified_in_every_form(tmp_path: Path, form: str) -> None:
    verdicts = check(read_references([_write(form, None, tmp_path)]), OFFLINE)
    assert [v.status for v in verdicts] == [Status.VERIFIED] * 3
    serious = [f.code for v in verdicts for f in v.findings if f.severity is not Severity.INFO]
    assert serious == []


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize(
    "edit", EDITS, ids=[SEED[e.index].post + "-" + re.sub(r"\W+", "-", e.name) for e in EDITS]
)
def test_one_edit_is_a_mismatch_on_its_field(tmp_path: Path, form: str, edit: Edit) -> None:
    verdicts = check(read_references([_write(form, edit, tmp_path)]), OFFLINE)
    assert len(verdicts) == 3
    wrong = verdicts[edit.index]
    errors = [(f.code, f.field) for f in wrong.findings if f.severity is Severity.ERROR]
    assert wrong.status is Status.MISMATCH, (wrong.status, wrong.message, wrong.findings)
    assert [field for _, field in errors] == [edit.field], errors
    others = [v.status for i, v in enumerate(verdicts) if i != edit.index]
    assert others == [Status.VERIFIED, Status.VERIFIED]
