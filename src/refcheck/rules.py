"""The catalogue of rule codes: each kind of finding, its name, severity and documentation.

Codes are stable: once published, a code keeps its meaning and its name (they are used in
config, suppressions and baselines). ``refcheck rule CODE`` prints a rule's documentation.
"""

from __future__ import annotations

from dataclasses import dataclass

from refcheck.models import FieldName, Finding, Severity


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    name: str
    field: FieldName
    severity: Severity
    summary: str
    why: str
    example: str

    def explain(self) -> str:
        return (
            f"{self.code} ({self.name}) - {self.summary}\n\n"
            f"Field: {self.field}. Default severity: {self.severity.value}.\n\n"
            f"Why it matters: {self.why}\n\nExample:\n{self.example}\n"
        )


E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO

RULES: tuple[Rule, ...] = (
    Rule(
        "RC001",
        "invalid-entry",
        # No field fits an entry that could not be read; "type" is the entry's kind, the
        # nearest there is until FieldName gains a value for the entry as a whole.
        "type",
        E,
        "The entry could not be read, so the reference could not be checked.",
        "An entry the reader cannot parse (unbalanced braces, no fields, a broken JSON item) "
        "is as broken for every other tool that reads the file; reports name it as an error "
        "so it is fixed rather than silently skipped.",
        "  cited:    @article{kasch2022, title = {Association of Lumbar MRI\n"
        "  problem:  unbalanced braces: the entry never closes",
    ),
    Rule(
        "RC101",
        "doi-not-found",
        "doi",
        E,
        "The cited DOI (or arXiv ID) is registered nowhere: not with Crossref, nor with any other "
        "agency; or its registration agency (DataCite) does not hold it.",
        "A DOI that resolves nowhere sends every reader to an error page; it is usually a typo "
        "or a DOI invented by a tool.",
        "  cited:    doi = {10.1056/NEJMoa1209259}\n  Crossref: 404 Resource not found.",
    ),
    Rule(
        "RC102",
        "doi-other-work",
        "doi",
        E,
        "The cited DOI belongs to a different work than the rest of the citation describes.",
        "The DOI link takes readers to another paper; the title, authors and journal say one "
        "work and the DOI another. A DOI whose work agrees with the citation on its title and "
        "on its year, journal, volume and pages is the cited work, whatever the author line "
        "says: a wrong author there is an author finding (RC301-RC304), not this one.",
        "  cited:    Brinjikji 2015, Systematic Literature Review..., doi 10.1056/NEJMoa1209250\n"
        "  Crossref: 10.1056/NEJMoa1209250 is el Barzouhi 2013, Magnetic Resonance Imaging...",
    ),
    Rule(
        "RC103",
        "doi-missing",
        "doi",
        INFO,
        "The reference cites no DOI, and Crossref has one for the work.",
        "A DOI gives readers a permanent link and lets tools check the citation exactly.",
        "  cited:    (no DOI)\n  Crossref: 10.3174/ajnr.A4173",
    ),
    Rule(
        "RC104",
        "no-match",
        "doi",
        W,
        "No Crossref work matches the reference well enough to be taken as the cited work.",
        "A reference that no index knows may be misspelled beyond recognition, not yet "
        "registered, or invented. The best candidate, if any, is named in the message. A warning, "
        "not an error: Crossref does not index every book, report or web page.",
        "  cited:    Smith J (2019) A study that does not exist. J Imag Res 3:1-9\n"
        "  Crossref: no candidate validates",
    ),
    Rule(
        "RC105",
        "not-a-registered-work",
        "type",
        INFO,
        "The reference cites a work no registry holds (a web page, a news article, a blog "
        "post, code without a DOI): it is skipped, not checked.",
        "Crossref and DataCite register scholarly works; a blog post or a newspaper article "
        "has no record to compare with, and no registry's silence makes it wrong. It is "
        "named so a reader knows it was not checked, and no unrelated paper is offered.",
        "  cited:    Karpathy A (2015) The unreasonable effectiveness of recurrent neural\n"
        "            networks. Retrieved from http://karpathy.github.io/2015/05/21/rnn-effectiveness/\n"
        "  skipped:  a blog post; no registry holds it",
    ),
    Rule(
        "RC106",
        "isbn-invalid",
        # An ISBN is the book's identifier, as a DOI or an arXiv ID is a paper's (RC101).
        "doi",
        E,
        "The cited ISBN's check digit is wrong: it is no ISBN at all.",
        "An ISBN's last digit is a checksum of the others, so a mistyped or transposed digit "
        "makes a number no book has; readers and library systems that look it up find "
        "nothing, or another book. The book is still looked up by its title and authors.",
        "  cited:    ISBN 978-0-374-27563-2\n"
        "  check:    the check digit of 978-0-374-27563 is 1, not 2",
    ),
    Rule(
        "RC107",
        "isbn-other-work",
        "doi",
        E,
        "The cited ISBN belongs to another book than the rest of the citation describes.",
        "A reader or a library system looking the ISBN up finds another book; the title, "
        "authors and year say one work and the ISBN another. Said only when the described "
        "work was found too, so a citation read badly never makes its own ISBN look wrong.",
        "  cited:    Kahneman D (2011) Thinking, fast and slow. ISBN 978-0-226-45808-3\n"
        "  ISBN:     978-0-226-45808-3 is Kuhn (1996) The Structure of Scientific Revolutions",
    ),
    Rule(
        "RC201",
        "title-mismatch",
        "title",
        E,
        "The cited title is not the work's title: a content word of it is changed, left out "
        "or added, or it is another title altogether.",
        "A reader searching for the cited title will not find the paper, or find another; a "
        "title with one word changed says something the paper does not. Titles are compared "
        "word by word, and these never count: case, punctuation, markup (HTML, LaTeX, "
        "MathML), accents, Greek letters spelled out (alpha for α), British and American "
        "spellings (colour, tumour, haem-, oesophagus, -ise, -yse, centre, modelling, "
        "catalogue, defence), numbers written as words (two, second; Type II for Type 2), "
        "hyphens and spaces (follow-up, followup, follow up), 'a', 'an', 'the', 'of' and "
        "'and' (or '&'), a subtitle left out or added, a translated title in brackets, a "
        "title marked as cut ('...'). The message names the words and shows both titles "
        "with them marked «like this».",
        "  cited:    Systematic Literature Review of Imaging Features of Spinal Stenosis in "
        "Asymptomatic Populations\n"
        "  Crossref: Systematic Literature Review of Imaging Features of Spinal Degeneration in "
        "Asymptomatic Populations\n"
        "  message:  The cited title has 'Stenosis' for 'Degeneration'",
    ),
    Rule(
        "RC202",
        "title-variant",
        "title",
        W,
        "The cited title words the work's title differently, with every content word of it "
        "in place: the rest of the title makes the work certain.",
        "Near wording is often a slip of copying, not another claim, but it is not the "
        "title; worth a look. It covers: a function word changed, left out or added ('in' "
        "for 'among'), a word's number ('Feature' for 'Features'), a one-letter slip in a "
        "long word, two words swapped, and a title cut short after three words or more "
        "without marking the cut. A changed, missing or added content word is RC201.",
        "  cited:    Systematic Literature Review of Imaging Feature of Spinal Degeneration...\n"
        "  Crossref: Systematic Literature Review of Imaging Features of Spinal Degeneration...",
    ),
    Rule(
        "RC203",
        "title-of-closest",
        "title",
        W,
        "No work has the cited title, and one candidate agrees on everything else the "
        "citation gives (every author, the year, the journal, any volume and pages).",
        "A title copied from another paper hides the cited one. refcheck will not take the "
        "candidate as the match on that evidence alone, so it names it for the writer to judge.",
        "  cited:    Kuehn BM (2009) Monoclonal antibody concerns. JAMA 302\n"
        "  Crossref: Kuehn BM (2009) Emergency Influenza Drug. JAMA 302\n"
        "            [doi:10.1001/jama.2009.1701]",
    ),
    Rule(
        "RC301",
        "author-missing",
        "authors",
        E,
        "An author of the work is left out of the cited author list.",
        "Leaving out a co-author misattributes the work. Lists truncated with 'et al.' are "
        "accepted as long as the listed authors are right and in order.",
        "  cited:    Brinjikji W, Comstock B, ...\n"
        "  Crossref: Brinjikji W, Luetmer PH, Comstock B, ...",
    ),
    Rule(
        "RC302",
        "author-extra",
        "authors",
        E,
        "The cited author list names a person who is not an author of the work.",
        "Crediting a paper to someone who did not write it is a factual error. Names the "
        "record itself holds as authors (an affiliation deposited as one, 'Assistant "
        "Professor, Department of ...') are its own: a citation that copies them is not "
        "told they are extra.",
        "  cited:    Kasch R, Smith J, Truthmann J, ...\n  Crossref: Kasch R, Truthmann J, ...",
    ),
    Rule(
        "RC303",
        "author-misspelled",
        "authors",
        E,
        "An author's family name is spelled differently from the work's record.",
        "A misspelled name breaks author search and credit. Case, diacritics, particles "
        "('van der', 'el', 'à') and hyphens are folded before comparing, so only real "
        "spelling differences are reported, in any position of the list: a letter off in "
        "a particle ('Vxn Den Hout'), or in one of two authors sharing a family name ('Li X, "
        "Wang K, Wxng J' for '... Wang J') is reported too.",
        "  cited:    Brinjiki W\n  Crossref: Brinjikji W",
    ),
    Rule(
        "RC304",
        "author-order",
        "authors",
        E,
        "The cited authors are the work's authors, but in another order.",
        "Author order carries credit (first and last author); a reordered list misstates it.",
        "  cited:    Luetmer PH, Brinjikji W, ...\n  Crossref: Brinjikji W, Luetmer PH, ...",
    ),
    Rule(
        "RC305",
        "author-initials",
        "authors",
        W,
        "An author's given-name initials differ from the work's record.",
        "Initials often vary between sources (a middle name dropped), so this is a warning.",
        "  cited:    Jarvik JA\n  Crossref: Jarvik JG",
    ),
    Rule(
        "RC401",
        "year-mismatch",
        "year",
        E,
        "The cited year is none of the work's print, online or issue years.",
        "A wrong year sends readers to the wrong volume and breaks author-year citations.",
        "  cited:    2016\n  Crossref: 2015 (print), 2014 (online)",
    ),
    Rule(
        "RC402",
        "year-online",
        "year",
        INFO,
        "The cited year is the work's online-first year, not its print year (or the reverse).",
        "Both are correct; styles differ on which to cite. Shown so a writer can be consistent.",
        "  cited:    2021\n  Crossref: 2022 (print), 2021 (online)",
    ),
    Rule(
        "RC501",
        "container-mismatch",
        "container",
        W,
        "The cited journal or book matches neither the work's full title, its short title, "
        "a known abbreviation nor its ISSN.",
        "Readers look for the paper in the named journal; a wrong name hides it. Kept a "
        "warning because abbreviations in the wild are many.",
        "  cited:    American Journal of Radiology\n  Crossref: American Journal of Neuroradiology",
    ),
    Rule(
        "RC502",
        "container-abbreviated",
        "container",
        INFO,
        "The cited journal is an abbreviation of the work's journal title.",
        "Fine in most styles; shown so a writer can be consistent.",
        "  cited:    AJNR Am J Neuroradiol\n  Crossref: American Journal of Neuroradiology",
    ),
    Rule(
        "RC601",
        "volume-mismatch",
        "volume",
        E,
        "The cited volume is not the work's volume.",
        "The volume is how readers and link resolvers locate the paper.",
        "  cited:    35\n  Crossref: 36",
    ),
    Rule(
        "RC602",
        "issue-mismatch",
        "issue",
        E,
        "The cited issue is not the work's issue.",
        "A wrong issue misleads readers browsing a printed or archived volume.",
        "  cited:    (3)\n  Crossref: (4)",
    ),
    Rule(
        "RC603",
        "pages-mismatch",
        "pages",
        E,
        "The cited first page (or article number) is not the work's.",
        "The first page locates the paper; abbreviated ranges (811-16), en dashes and "
        "'pp.' are understood, so only a real difference is reported.",
        "  cited:    pp. 812-816\n  Crossref: 811-816",
    ),
    Rule(
        "RC604",
        "pages-end",
        "pages",
        E,
        "The cited last page differs from the work's, while the first page agrees.",
        "A wrong last page is a wrong citation: the range misstates the paper's length, and "
        "a reader who turns to the end lands in another article. Abbreviated ranges (999-07, "
        "1201-9), letter prefixes written once (S12-15 for S12-S15), e-page suffixes "
        "(816.e3) and roman numerals are understood, so only a real difference is reported.\n"
        "An error when Crossref's range is complete (a first and a higher last page). A "
        "warning where Crossref's range cannot be trusted to end where the work does: it "
        "runs backwards (last < first), or it is only the page count of an article-numbered "
        "work. Not reported at all where Crossref has no last page (a first page alone, or "
        "the first page repeated, 373-373, which records use for an unknown end) or where "
        "the citation gives a single page.",
        "  error:    cited 999-1070; Crossref: 999-1007\n"
        "  error:    cited 811-19;   Crossref: 811-816\n"
        "  warning:  cited 1-10;     Crossref: 1-12, article e0123456 (a page count)\n"
        "  warning:  cited 999-1007; Crossref: 999-998 (runs backwards)\n"
        "  nothing:  cited 999-1007; Crossref: 999\n"
        "  nothing:  cited 999-07;   Crossref: 999-1007",
    ),
    Rule(
        "RC701",
        "retracted",
        "retraction",
        E,
        "Crossref records a retraction of the cited work.",
        "Citing a retracted paper without saying so spreads withdrawn findings.",
        "  Crossref: updated-by retraction 10.1016/S0140-6736(10)60175-4 (2010)",
    ),
    Rule(
        "RC702",
        "corrected",
        "retraction",
        W,
        "Crossref records a correction, erratum or expression of concern for the cited work.",
        "The cited version may contain errors its publisher has since corrected or flagged.",
        "  Crossref: updated-by correction 10.1056/NEJMx130008",
    ),
    Rule(
        "RC703",
        "preprint-published",
        "type",
        INFO,
        "The cited work is a preprint whose published version exists.",
        "Readers are better served by the peer-reviewed version of record.",
        "  cited:    10.1101/2020.01.01.123456 (posted content)\n"
        "  Crossref: is-preprint-of 10.1038/s41586-020-1234-5",
    ),
)

RULES += (
    Rule(
        "RC801",
        "cited-not-listed",
        "citation",
        E,
        "A work cited in the text has no entry in the post's reference list.",
        "A reader who looks the citation up in the list finds nothing: the entry was left "
        "out, or the citation names another author than the entry it means. Reported at the "
        "citation's line and column; only in a post that has a reference list.",
        "  text:     (Brinjikji et al., 2015)\n  list:     no entry by Brinjikji",
    ),
    Rule(
        "RC802",
        "citation-disagrees",
        "citation",
        E,
        "An in-text citation's author or year disagrees with the list entry it points at.",
        "Author-year citations are how readers find the entry; a year or first author that "
        "differs sends them to another work or none. The citation must agree with the list; "
        "when the cited year is the work's other year (online-first or print), the message "
        "says so, since then either the text or the list is to be made consistent.",
        "  text:     (Kasch et al., 2021)\n"
        "  list:     Kasch, R., ... 2022 (2021 is the work's online year)",
    ),
    Rule(
        "RC803",
        "citation-number-beyond-list",
        "citation",
        E,
        "A numbered citation ([7]) is beyond the end of the reference list.",
        "The number points at an entry that does not exist: one was dropped from the list, "
        "or the number is a slip.",
        "  text:     [7]\n  list:     6 entries",
    ),
    Rule(
        "RC804",
        "never-cited",
        "citation",
        W,
        "A reference list entry is never cited in the text.",
        "An entry no citation points at was left over from a draft, or its citation names "
        "it wrongly. Only raised in a post whose in-text citations point at half of its "
        "entries or more: a post with no in-text citation, or one mentioning two studies "
        "of a list of twelve, is a reading list, not a broken one.",
        "  list:     Jarvik, J.G., 2001. ...\n  text:     no citation of Jarvik 2001",
    ),
    Rule(
        "RC805",
        "citation-key-undefined",
        "citation",
        E,
        "A citation key ([@kasch2022], {% cite kasch2022 %}) has no entry.",
        "Pandoc, Quarto and Jekyll-Scholar print an undefined key as '???' or the bare key: "
        "the post is broken where the key stands.",
        "  text:     [@kasch2021]\n  list:     no entry with key kasch2021",
    ),
    Rule(
        "RC806",
        "citation-ambiguous",
        "citation",
        W,
        "An author-year citation fits two list entries that have no a/b year suffixes.",
        "The list holds two works by the same first author in the same year and tells them "
        "apart with no '2019a'/'2019b': a reader cannot say which one the text means. "
        "Reported at the citation, which is linked to each of them (none is 'never cited').",
        "  text:     (Smith et al., 2019)\n  list:     Smith, J. ... 2019. A ...\n"
        "            Smith, K. ... 2019. B ...",
    ),
)

BY_CODE: dict[str, Rule] = {rule.code: rule for rule in RULES}
BY_NAME: dict[str, Rule] = {rule.name: rule for rule in RULES}


def lookup(code_or_name: str) -> Rule | None:
    """A rule by its code (``RC301``) or its name (``author-missing``)."""
    key = code_or_name.strip()
    return BY_CODE.get(key.upper()) or BY_NAME.get(key.lower())


def finding(
    code: str,
    message: str,
    *,
    cited: str | None = None,
    expected: str | None = None,
    severity: Severity | None = None,
) -> Finding:
    """A finding of rule ``code``, at the rule's field and default severity."""
    rule = BY_CODE[code]
    return Finding(
        code=code,
        field=rule.field,
        severity=severity or rule.severity,
        cited=cited,
        expected=expected,
        message=message,
    )
