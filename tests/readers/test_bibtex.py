from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from refcheck.models import Person
from refcheck.readers.bibtex import read_bibtex
from refcheck.readers.names import decode_latex, split_bibtex_authors, split_bibtex_name

# The seed post's three references, as a careful author would write them: full journal
# names, LaTeX accents, braces around capitalised and multi-word family names.
SEED_FULL = r"""% The three works the seed post cites.

@article{brinjikji2015,
  author  = {Brinjikji, W. and Luetmer, P.H. and Comstock, B. and Bresnahan, B.W. and
             Chen, L.E. and Deyo, R.A. and Halabi, S. and Turner, J.A. and Avins, A.L. and
             James, K. and Wald, J.T. and Kallmes, D.F. and Jarvik, J.G.},
  title   = {Systematic Literature Review of Imaging Features of Spinal Degeneration in
             Asymptomatic Populations},
  journal = {American Journal of Neuroradiology},
  year    = {2015},
  volume  = {36},
  number  = {4},
  pages   = {811--816},
  doi     = {10.3174/ajnr.A4173},
  issn    = {0195-6108, 1936-959X},
}

@article{elbarzouhi2013,
  author  = {{El Barzouhi}, A. and Vleggeert-Lankamp, C.L.A.M. and
             Lycklama {\`A} Nijeholt, G.J. and {Van Der Kallen}, B.F. and
             {Van Den Hout}, W.B. and Jacobs, W.C.H. and Koes, B.W. and Peul, W.C. and
             {Leiden-The Hague Spine Intervention Prognostic Study Group}},
  title   = {Magnetic Resonance Imaging in Follow-up Assessment of Sciatica},
  journal = {New England Journal of Medicine},
  year    = 2013,
  volume  = 368,
  number  = 11,
  pages   = {999--1007},
  doi     = {10.1056/NEJMoa1209250},
}

@Article{kasch2022,
  author  = {Kasch, R. and Truthmann, J. and Hancock, M.J. and Maher, C.G. and Otto, M. and
             Nell, C. and Reichwein, N. and B{\"u}low, R. and Chenot, J.-F. and Hofer, A. and
             Wassilew, G. and Schmidt, C.O.},
  title   = {Association of Lumbar {MRI} Findings with Current and Future Back Pain in a
             Population-based Cohort Study},
  journal = {Spine},
  year    = {2022},
  volume  = {47},
  number  = {3},
  pages   = {201--211},
  doi     = {https://doi.org/10.1097/BRS.0000000000004198},
}
"""

# The same works written the sloppy way: abbreviated journals via @string, quotes,
# First-von-Last names, "and others", BibLaTeX fields, a DOI URL, accents outside braces.
SEED_TERSE = r"""@string{ajnr = "AJNR Am J Neuroradiol"}
@STRING{NEJM = {N Engl J Med}}

@article{Brinjikji2015,
  author = "W. Brinjikji and P. H. Luetmer and others",
  title = "{Systematic literature review of imaging features of spinal degeneration in
           asymptomatic populations}",
  journal = ajnr,
  date = {2015-04},
  volume = 36, issue = 4, pages = "811-816",
  doi = {http://dx.doi.org/10.3174/ajnr.A4173},
}
@article{ElBarzouhi2013,
  author = {Abdelilah el Barzouhi and Vleggeert-Lankamp, Carmen L. A. M. and
            Lycklama \`{A} Nijeholt, Geert J. and Bas F. van der Kallen and et al.},
  title = {Magnetic resonance imaging in follow-up assessment of sciatica},
  journaltitle = NEJM # { (Boston)},
  year = {2013}, volume = {368}, number = {11}, pages = {999-1007},
}
@inproceedings{Kasch2022,
  author = {Kasch R and Truthmann J and B\"{u}low R and Chenot J-F},
  title = {Association of lumbar {MRI} findings with current and future back pain},
  booktitle = {Spine},
  year = {2022},
}
"""


def test_seed_written_in_full() -> None:
    brinjikji, barzouhi, kasch = read_bibtex(SEED_FULL, "refs.bib")

    assert brinjikji.location.model_dump() == {
        "path": "refs.bib",
        "line": 3,
        "key": "brinjikji2015",
    }
    assert brinjikji.entry_type == "article"
    assert brinjikji.title == (
        "Systematic Literature Review of Imaging Features of Spinal Degeneration in "
        "Asymptomatic Populations"
    )
    assert brinjikji.container == "American Journal of Neuroradiology"
    assert (brinjikji.year, brinjikji.volume, brinjikji.issue) == (2015, "36", "4")
    assert brinjikji.pages in {"811–816", "811-816"}
    assert brinjikji.doi == "10.3174/ajnr.A4173"
    assert brinjikji.issn == ("0195-6108", "1936-959X")
    assert len(brinjikji.authors) == 13
    assert brinjikji.authors[0] == Person(family="Brinjikji", given="W.")
    assert brinjikji.authors[-1] == Person(family="Jarvik", given="J.G.")
    assert not brinjikji.authors_truncated
    assert brinjikji.problem is None
    assert brinjikji.text.startswith("@article{brinjikji2015,")
    assert brinjikji.text.endswith("}")

    assert barzouhi.location.line == 18
    assert (barzouhi.year, barzouhi.volume, barzouhi.issue) == (2013, "368", "11")
    assert barzouhi.doi == "10.1056/NEJMoa1209250"
    assert barzouhi.authors[:5] == (
        Person(family="El Barzouhi", given="A."),
        Person(family="Vleggeert-Lankamp", given="C.L.A.M."),
        Person(family="Lycklama À Nijeholt", given="G.J."),
        Person(family="Van Der Kallen", given="B.F."),
        Person(family="Van Den Hout", given="W.B."),
    )
    assert barzouhi.authors[-1] == Person(
        literal="Leiden-The Hague Spine Intervention Prognostic Study Group"
    )

    assert kasch.entry_type == "article"  # "@Article"
    assert kasch.location.line == 32
    assert kasch.title == (
        "Association of Lumbar MRI Findings with Current and Future Back Pain in a "
        "Population-based Cohort Study"
    )
    assert kasch.authors[7] == Person(family="Bülow", given="R.")
    assert kasch.authors[8] == Person(family="Chenot", given="J.-F.")
    assert kasch.doi == "10.1097/BRS.0000000000004198"


def test_seed_families_agree_with_crossref(shared: Path) -> None:
    lines = (shared / "seed" / "seed-works.jsonl").read_text(encoding="utf-8").splitlines()
    works = {record["DOI"]: record for record in map(json.loads, lines)}

    for reference in read_bibtex(SEED_FULL, None):
        assert reference.doi is not None
        record = works[reference.doi]
        expected = [a.get("family") or a.get("name") for a in record["author"]]
        cited = [p.family or p.literal for p in reference.authors]
        # Case aside ("El Barzouhi" / "el Barzouhi"), the names are Crossref's, particles
        # and accents included.
        assert [name.casefold() for name in cited if name] == [name.casefold() for name in expected]
        assert reference.title is not None
        assert reference.title.casefold() == record["title"][0].casefold()
        assert reference.volume == record["volume"]


def test_seed_written_tersely() -> None:
    brinjikji, barzouhi, kasch = read_bibtex(SEED_TERSE, None)

    assert brinjikji.location.path is None
    assert brinjikji.location.line == 4
    assert brinjikji.container == "AJNR Am J Neuroradiol"
    assert brinjikji.year == 2015  # from the BibLaTeX date field
    assert (brinjikji.volume, brinjikji.issue, brinjikji.pages) == ("36", "4", "811-816")
    assert brinjikji.doi == "10.3174/ajnr.A4173"
    assert brinjikji.title == (
        "Systematic literature review of imaging features of spinal degeneration in "
        "asymptomatic populations"
    )
    assert brinjikji.authors == (
        Person(family="Brinjikji", given="W."),
        Person(family="Luetmer", given="P. H."),
    )
    assert brinjikji.authors_truncated

    assert barzouhi.container == "N Engl J Med (Boston)"  # macro # literal
    assert barzouhi.authors == (
        Person(family="el Barzouhi", given="Abdelilah"),
        Person(family="Vleggeert-Lankamp", given="Carmen L. A. M."),
        Person(family="Lycklama À Nijeholt", given="Geert J."),
        Person(family="van der Kallen", given="Bas F."),
    )
    assert barzouhi.authors_truncated
    assert barzouhi.doi is None

    assert kasch.entry_type == "inproceedings"
    assert kasch.container == "Spine"  # booktitle
    assert kasch.authors == (
        Person(family="Kasch", given="R"),
        Person(family="Truthmann", given="J"),
        Person(family="Bülow", given="R"),
        Person(family="Chenot", given="J-F"),
    )


BROKEN_BETWEEN = """@article{first, title = {One}, year = 2001}

@article{broken,
  title = {Two, never closed,
  year = 2002,

@article{third, title = {Three}, year = 2003}
"""


def test_broken_entry_between_two_good_ones() -> None:
    first, broken, third = read_bibtex(BROKEN_BETWEEN, "b.bib")

    assert (first.title, first.location.line, first.problem) == ("One", 1, None)
    assert (third.title, third.location.line, third.problem) == ("Three", 7, None)
    assert broken.location.line == 3
    assert broken.location.key == "broken"
    assert broken.problem == "BibTeX entry could not be parsed: missing closing brace"
    assert "never closed" in broken.text
    assert "\n" not in broken.problem


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ("@article{k, title = {X}\n", "missing closing brace"),
        ('@article{k, title = "X\n', "missing closing"),
        ("@article(k, title = {X}\n\n@article{j, title={Y}}\n", "missing closing parenthesis"),
        ("@article{title = {X}, year = 2013}\n", "no entry key"),
        ("@article{k, title {X}}\n", "expected"),
    ],
)
def test_syntax_errors_become_problems(source: str, problem: str) -> None:
    broken = read_bibtex(source, "x.bib")[0]

    assert broken.problem is not None
    assert broken.problem.startswith("BibTeX entry could not be parsed: ")
    assert problem.lower() in broken.problem.lower()
    assert broken.location.line == 1


def test_entry_without_key_keeps_its_whole_text() -> None:
    (entry,) = read_bibtex("@article{\n  title = {X},\n  year = 2013\n}\n\n% after\n", None)

    assert entry.problem is not None
    assert "no entry key" in entry.problem
    assert "year = 2013" in entry.text
    assert "% after" not in entry.text


def test_duplicate_key_empty_key_and_duplicate_field() -> None:
    source = (
        "@article{a, title = {First}}\n"
        "@article{a, title = {Second}}\n"
        "@article{, title = {No key}}\n"
        "@article{d, title = {One}, title = {Two}}\n"
    )
    first, duplicate, keyless, twice = read_bibtex(source, None)

    assert first.problem is None
    assert duplicate.problem == "duplicate BibTeX key 'a' (first used on line 1)"
    assert (duplicate.title, duplicate.location.line) == ("Second", 2)
    assert keyless.problem == "BibTeX entry has no key"
    assert keyless.location.key is None
    assert twice.problem == "BibTeX entry has a field twice: title"
    assert twice.title == "One"  # as in BibTeX, the first value counts


def test_strings_comments_and_preambles_are_not_references() -> None:
    source = (
        '@preamble{"\\newcommand{\\noopsort}[1]{}"}\n'
        "@comment{ignore me, @article{fake, title={Fake}} }\n"
        "@string{sp = {Spine}}\n"
        "Free text between entries is a comment too.\n"
        "@article{real, journal = sp, title = {Real}}\n"
    )
    (real,) = read_bibtex(source, None)

    assert (real.location.key, real.container, real.location.line) == ("real", "Spine", 5)


def test_redefined_string_replaces_the_value_and_is_no_reference() -> None:
    source = "@string{j = {Old}}\n@string{j = {New}}\n@article{a, journal = j}\n"

    (entry,) = read_bibtex(source, None)

    assert (entry.container, entry.problem) == ("New", None)


def test_empty_and_comment_only_files_have_no_references() -> None:
    assert read_bibtex("", "x.bib") == []
    assert read_bibtex("% just a comment\n\nsome words\n", "x.bib") == []


def test_suppression_comment_and_field() -> None:
    source = (
        "% refcheck: ignore[RC301,RC601]\n"
        "@article{a, title = {A}}\n"
        "\n"
        "@article{b, title = {B}, refcheck-ignore = {rc201 RC202}}\n"
        "% refcheck: ignore[RC101]\n"
        "% an unrelated remark after the directive\n"
        "@article{c, title = {C}}\n"
        "%refcheck: ignore[RC104]\n"
        "@article{d,\n  title = {D}\n"
    )
    a, b, c, d = read_bibtex(source, None)

    assert a.suppress == ("RC301", "RC601")
    assert b.suppress == ("RC201", "RC202")
    assert c.suppress == ()
    assert d.suppress == ("RC104",)
    assert d.problem is not None


def test_string_macros_months_and_concatenation() -> None:
    source = (
        '@string{j = "Journal"}\n'
        '@string{jj = j # " of " # {Things}}\n'
        "@article{k, journal = jj, title = undefinedmacro, year = 1999 # {a}, month = jan,\n"
        "  volume = 12, pages = 5 # {--} # 9}\n"
    )
    (entry,) = read_bibtex(source, None)

    assert entry.container == "Journal of Things"
    assert entry.title == "undefinedmacro"  # kept as written, so the report shows it
    assert entry.year == 1999
    assert entry.volume == "12"
    assert entry.pages == "5–9"


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        (r"Caf{\'e}", "Café"),
        (r"M\"{u}ller", "Müller"),
        (r"{\`a} la carte", "à la carte"),
        (r"\`{A}", "À"),
        (r"S{\o}ren", "Søren"),
        (r"Fran\c{c}ois", "François"),
        (r"Stra{\ss}e", "Straße"),
        (r"Research \& Development", "Research & Development"),
        ("811--816", "811–816"),
        (r"{Magnetic}   {R}esonance\\ Imaging", "Magnetic Resonance Imaging"),
        ("50% of cases", "50% of cases"),
        (r"50\% of {cases}", "50% of cases"),
        (r"$\alpha$-helix", "α-helix"),
        ("Non~breaking", "Non breaking"),
        ("unbalanced {brace", "unbalanced brace"),
        ("plain text, stays", "plain text, stays"),
    ],
)
def test_latex_decoding(latex: str, text: str) -> None:
    assert decode_latex(latex) == text


def test_fields_are_decoded_and_cleaned() -> None:
    source = r"""@ARTICLE{Key:1,
  TITLE = {The {\"U}ber-{Study} of \textit{Homo sapiens}},
  Journal = {Journal of R\&D},
  doi = {doi:10.1000/ab\_cd},
  url = {\url{https://example.org/a_b}},
  issn = {1234-5678 8765-4321},
  year = {in press},
}"""
    (entry,) = read_bibtex(source, None)

    assert entry.entry_type == "article"
    assert entry.location.key == "Key:1"
    assert entry.title == "The Über-Study of Homo sapiens"
    assert entry.container == "Journal of R&D"
    assert entry.doi == "10.1000/ab_cd"
    assert entry.url == "https://example.org/a_b"
    assert entry.issn == ("1234-5678", "8765-4321")
    assert entry.year is None


@pytest.mark.parametrize(
    ("raw", "person"),
    [
        ("Lycklama À Nijeholt, G.J.", Person(family="Lycklama À Nijeholt", given="G.J.")),
        (r"Lycklama {\`A} Nijeholt, G.J.", Person(family="Lycklama À Nijeholt", given="G.J.")),
        ("van der Kallen, Bas", Person(family="van der Kallen", given="Bas")),
        ("{Van Der Kallen}, B.F.", Person(family="Van Der Kallen", given="B.F.")),
        ("Van Der Kallen, B.F.", Person(family="Van Der Kallen", given="B.F.")),
        ("Bas van der Kallen", Person(family="van der Kallen", given="Bas")),
        ("{El Barzouhi}, A.", Person(family="El Barzouhi", given="A.")),
        ("Abdelilah el Barzouhi", Person(family="el Barzouhi", given="Abdelilah")),
        ("de la Fontaine, Jean", Person(family="de la Fontaine", given="Jean")),
        ("Beeblebrox, IV, Zaphod", Person(family="Beeblebrox", given="Zaphod")),
        ("W. Brinjikji", Person(family="Brinjikji", given="W.")),
        ("Brinjikji W", Person(family="Brinjikji", given="W")),
        ("Jarvik J. G.", Person(family="Jarvik", given="J. G.")),
        ("Aristotle", Person(family="Aristotle")),
        (r"B{\"u}low, R.", Person(family="Bülow", given="R.")),
        (r"M{\o}ller, {\AA}se", Person(family="Møller", given="Åse")),
        (
            "{Leiden-The Hague Spine Intervention Prognostic Study Group}",
            Person(literal="Leiden-The Hague Spine Intervention Prognostic Study Group"),
        ),
        ("{Simon and Schuster}", Person(literal="Simon and Schuster")),
        ('{\\"U}nal, A.', Person(family="Ünal", given="A.")),
        ("", Person()),
    ],
)
def test_split_bibtex_name(raw: str, person: Person) -> None:
    assert split_bibtex_name(raw) == person


@pytest.mark.parametrize(
    ("field", "families", "truncated"),
    [
        ("Brinjikji, W. and Luetmer, P.H.", ["Brinjikji", "Luetmer"], False),
        ("Brinjikji, W. and Luetmer, P.H. and others", ["Brinjikji", "Luetmer"], True),
        ("Brinjikji, W. AND Luetmer, P.H. and Others", ["Brinjikji", "Luetmer"], True),
        ("Brinjikji, W. and Luetmer, P.H. et al.", ["Brinjikji", "Luetmer"], True),
        ("Brinjikji, W. and et al", ["Brinjikji"], True),
        ("Brinjikji, W. and", ["Brinjikji"], False),
        ("{Barnes and Noble} and Smith, J.", [None, "Smith"], False),
        ("   ", [], False),
    ],
)
def test_split_bibtex_authors(field: str, families: list[str | None], truncated: bool) -> None:
    persons, was_truncated = split_bibtex_authors(field)

    assert [p.family for p in persons] == families
    assert was_truncated is truncated


def test_crlf_line_endings_keep_line_numbers() -> None:
    source = "% c\r\n\r\n@article{a, title = {A}}\r\n@article{b,\r\n title = {B}}\r\n"
    a, b = read_bibtex(source, None)

    assert (a.location.line, b.location.line) == (3, 4)
    assert b.title == "B"


_PIECES = st.sampled_from(
    [
        *'@{}()",=#%\\\n \tabAB01-.;/~`',
        "@article{",
        "author = ",
        " and ",
        "@string{",
        "% refcheck: ignore[RC101]\n",
        "}\n",
        '\\"',
        "{\\`A}",
        "10.1234/x",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=60).map("".join))
def test_any_text_reads_without_an_exception(source: str) -> None:
    lines = source.count("\n") + 1
    for reference in read_bibtex(source, "f.bib"):
        assert reference.location.line is not None
        assert 1 <= reference.location.line <= lines
        assert reference.problem is None or "\n" not in reference.problem
        assert reference.text.lstrip().startswith("@")
