"""A reference string made plain: markup, links, identifiers and access notes taken out.

What is taken out is kept: DOIs, URLs and PubMed ids become fields, italic spans are
remembered (by offset in the plain text) because styles italicise the journal or the book
title, and that is the best clue to where a container starts.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from refcheck.readers.text import clean_doi, find_dois

# A pasted reference list can hold anything; past this a string is not one reference.
MAX_LENGTH = 4000

_OPEN, _CLOSE = "\ue000", "\ue001"  # private-use sentinels standing for italic markup

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd\u200b-\u200d\ufeff]")
_MD_LINK = re.compile(r"\[([^\[\]]{0,500})\]\((\S{1,800}?)\)")
_ANGLE_URL = re.compile(r"<((?:https?|ftp)://[^\s<>]+)>")
_URL = re.compile(r"(?:\b(?:https?|ftp)://|\bwww\.)[^\s<>\"“”]+", re.IGNORECASE)
_ITALIC_TAG = re.compile(r"<(/?)(?:i|em|cite)(?:\s[^<>]*)?>", re.IGNORECASE)
_OTHER_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?>")
# Markdown emphasis: **x**, *x*, __x__, _x_ (not inside words, so "snake_case" survives).
_MD_EMPHASIS = re.compile(r"(?<![\w*])(\*\*|__|\*|_)(?=\S)([^*_\n]{1,400}?)(?<=\S)\1(?![\w*])")
_PMID = re.compile(r"\bPMID\s*:?\s*(\d{1,9})\b\.?", re.IGNORECASE)
_PMCID = re.compile(r"\bPMCID\s*:?\s*PMC\d+\b\.?|\bPMC\d{4,}\b\.?", re.IGNORECASE)
_PUBMED_URL = re.compile(r"(?:pubmed\.ncbi\.nlm\.nih\.gov|ncbi\.nlm\.nih\.gov/pubmed)/(\d{1,9})")
_DOI_LABEL = re.compile(
    r"(?:\bdoi\s*[:.]?\s*|\bhttps?://(?:dx\.)?doi\.org/\s*|\bdoi\.org/)(?=10\.)", re.IGNORECASE
)
_ACCESS_NOTES = re.compile(
    r"\[\s*(?:accessed|cited|viewed|retrieved|consulted)[^\]]{0,80}\]"
    r"|\(\s*(?:accessed|cited|viewed|retrieved|consulted)[^)]{0,80}\)"
    r"|\b(?:last\s+)?(?:accessed|viewed|consulted)(?:\s+on)?\s*:?\s*"
    r"(?:\d{1,2}(?:st|nd|rd|th)?\s+)?(?:[A-Z][a-z]+\.?\s+)?(?:\d{1,2}(?:st|nd|rd|th)?,?\s+)?\d{4}"
    r"|\b(?:available\s+(?:at|from|online)|retrieved\s+from|online|from)\s*:?\s*(?=\ue002)"
    r"|\[(?:internet|online|serial\s+online|electronic\s+resource)\]"
    r"|\bepub\s+(?:ahead\s+of\s+print\b)?\s*(?:\d{4}(?:\s+[A-Z][a-z]{2}\s*\d{0,2})?)?\.?",
    re.IGNORECASE,
)
_ISBN = re.compile(r"\bISBN(?:-1[03])?\s*:?\s*(?:97[89][\s–-]?)?(?:\d[\s–-]?){9}[\dX]\b", re.I)
_URL_MARK = "\ue002"  # where a URL stood, so "Available at: <url>" can be cut as a whole
# A leading list marker: "[1]", "1.", "1)", "(1)", "-", "*", "•", "1 " before a capital.
_LIST_MARKER = re.compile(
    r"^\s*(?:\[\s*\d{1,4}[a-z]?\s*\]\.?|\(\s*\d{1,4}\s*\)|\d{1,4}[.)](?!\d)|[-*+•‣◦–—>]+"
    r"|\d{1,3}\s+(?=[A-Z\u00c0-\u024f\ue000]))\s*"
)
_SPACES = re.compile(r"\s+")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([,.;:])")
_EMPTY_BRACKETS = re.compile(r"\(\s*[.,;:]?\s*\)|\[\s*[.,;:]?\s*\]")
_REPEAT_PUNCT = re.compile(r"([,;:])(?:\s*[,;:.])+")
# APA 7's elision in a long author list, ", . . . Last, A." or ", ... Last": one "…", or the
# punctuation rules below would fold it into the comma and the names left out would read as
# missing (RC301 on a correct reference).
_AUTHOR_ELLIPSIS = re.compile(r",\s*\.\s?\.\s?\.\s*(?=(?:&\s*)?[^\W\d_])")


@dataclass(frozen=True, slots=True)
class CleanText:
    """The plain text of a reference and what was lifted out of it."""

    text: str
    italics: tuple[tuple[int, int], ...]
    dois: tuple[str, ...]
    urls: tuple[str, ...]
    pmid: str | None


def _strip_url(url: str) -> str:
    url = url.rstrip(".,;:)]}'\"’”*_")
    # A closing parenthesis belongs to the URL only when it opened one inside it.
    while url.count(")") > url.count("("):
        url = url[: url.rindex(")")]
    return url


def clean(raw: str) -> CleanText:
    """The plain text of ``raw``; see the module doc."""
    text = _CONTROL.sub(" ", raw[:MAX_LENGTH])
    text = html.unescape(text) if "&" in text else text
    # Each pass runs only when its trigger character is there: most strings need none.
    if "](" in text:
        text = _MD_LINK.sub(lambda m: f"{m.group(1)} {m.group(2)}", text)
    if "<" in text:
        text = _ANGLE_URL.sub(r" \1 ", text)

    pmid: str | None = None
    if match := _PUBMED_URL.search(text):
        pmid = match.group(1)
    if match := _PMID.search(text):
        pmid = match.group(1)
        text = text[: match.start()] + " " + text[match.end() :]
    if "PMC" in text.upper():
        text = _PMCID.sub(" ", text)

    dois: list[str] = []
    for doi in find_dois(text):
        cleaned = clean_doi(doi)
        if cleaned:
            dois.append(cleaned)
        if "<" in doi:
            # A SICI DOI ("...(199907)180:1<114::aid-jcp13>3.0.co;2-0") goes before URLs
            # are cut at its "<": left behind, its numbers would read as the citation's.
            text = re.sub(f"(?:{_DOI_LABEL.pattern})?{re.escape(doi)}", " ", text, flags=re.I)

    urls: list[str] = []

    def take_url(match: re.Match[str]) -> str:
        url = _strip_url(match.group(0))
        tail = match.group(0)[len(url) :]
        urls.append(url)
        return f" {_URL_MARK}{tail}"

    if "://" in text or "www." in text.lower():
        text = _URL.sub(take_url, text)
    # "doi: 10.1/x" and bare DOIs go: they are fields now, and would confuse the numbers.
    if dois:
        text = _DOI_LABEL.sub(" ", text)
        for doi in find_dois(text):
            text = text.replace(doi, " ")
    text = _ACCESS_NOTES.sub(" ", text)
    if "isbn" in text.lower():
        text = _ISBN.sub(" ", text)  # its digits would read as pages or a year
    text = text.replace(_URL_MARK, " ")

    # TeX quotes, as BibTeX-rendered lists print them: ``Title,''
    text = text.replace("``", "“").replace("''", "”")
    if "<" in text:
        text = _ITALIC_TAG.sub(lambda m: _CLOSE if m.group(1) else _OPEN, text)
        text = _OTHER_TAG.sub(" ", text)
    if "*" in text or "_" in text:
        text = _MD_EMPHASIS.sub(lambda m: f"{_OPEN}{m.group(2)}{_CLOSE}", text)

    text = _SPACES.sub(" ", text).strip()
    text = _LIST_MARKER.sub("", text, count=1)
    text = _EMPTY_BRACKETS.sub(" ", text)
    if ". ." in text or "..." in text:
        text = _AUTHOR_ELLIPSIS.sub(", … ", text)
    text = _SPACE_BEFORE_PUNCT.sub(r"\1", text)
    text = _REPEAT_PUNCT.sub(r"\1", text)
    text = _SPACES.sub(" ", text).strip(" ,;:")

    has_markup = _OPEN in text or _CLOSE in text
    plain, italics = _take_italics(text) if has_markup else (text, ())
    return CleanText(text=plain, italics=italics, dois=tuple(dois), urls=tuple(urls), pmid=pmid)


def _take_italics(text: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """Text without sentinels, and the (start, end) of each non-empty italic span."""
    out: list[str] = []
    spans: list[tuple[int, int]] = []
    start: int | None = None
    length = 0
    for char in text:
        if char == _OPEN:
            start = length
        elif char == _CLOSE:
            if start is not None and length > start:
                spans.append((start, length))
            start = None
        else:
            out.append(char)
            length += 1
    plain = "".join(out)
    # Trim the blanks and punctuation that markup often encloses ("*Journal,*").
    trimmed: list[tuple[int, int]] = []
    for begin, end in spans:
        while begin < end and plain[begin] in " ,.;:":
            begin += 1
        while end > begin and plain[end - 1] in " ,.;:":
            end -= 1
        # "Oncology*Biology*Physics": Markdown emphasis inside a word marks no title.
        inside_word = (begin > 0 and plain[begin - 1].isalnum()) or (
            end < len(plain) and plain[end].isalnum()
        )
        if end > begin and not inside_word:
            trimmed.append((begin, end))
    return plain, tuple(trimmed)
