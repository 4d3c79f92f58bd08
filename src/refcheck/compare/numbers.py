"""Volume and issue: equal when they name the same number, however written.

"36" == "036" == "Vol. 36" == "XXXVI"; an issue "4" agrees with a combined issue "4-5",
"4/5" or "4–5"; supplements ("Suppl 1", "S1", "1_suppl", "Supplement 1") agree with each
other and with the plain number. Where two forms might be the same, they are: a finding
here is only ever raised for numbers that cannot be the same.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from refcheck.compare.text import roman_value
from refcheck.models import Finding, Reference, Work
from refcheck.rules import finding

__all__ = ["Numbering", "compare_issue", "compare_volume", "parse_numbering", "same_number"]

# Labels are dropped; the one-letter ones only before a number, since "V" may be roman.
_LABEL = re.compile(
    r"\b(?:vol(?:ume)?|iss(?:ue)?|nr|num(?:ber)?|heft|bd|band|tome|fasc|part)\b\.?"
    r"|\b(?:v|no|n|t|pt)\b\.?(?=\s*\d)",
    re.IGNORECASE,
)
_SUPPLEMENT = re.compile(r"suppl?(?:ement)?|(?<![a-z])s(?=\d)|(?<=\d)s\b", re.IGNORECASE)
_RANGE = re.compile(r"(\d+)\s*(?:-|–|—|‐|/|&|\+|,|and)\s*(\d+)")
_NUMBER = re.compile(r"\d+")
_EMPTY = {"", "null", "na", "n/a", "none", "&na;"}


@dataclass(frozen=True, slots=True)
class Numbering:
    """What a volume or issue says: its numbers, letters, and whether it is a supplement."""

    text: str
    numbers: frozenset[int]
    letters: str  # letters left once labels and "suppl" are gone ("a" in "36A")
    supplement: bool


@lru_cache(maxsize=16384)
def parse_numbering(text: str) -> Numbering | None:
    """Parse a volume or issue; None when it says nothing ("", "n/a")."""
    raw = text.strip()
    if raw.casefold() in _EMPTY:
        return None
    body = _LABEL.sub(" ", raw).replace("_", " ")
    supplement = bool(_SUPPLEMENT.search(body))
    body = _SUPPLEMENT.sub(" ", body).strip(" .,:;()[]")
    numbers: set[int] = set()
    for low, high in _RANGE.findall(body):
        start, end = int(low), int(high)
        if start < end <= start + 12:  # a combined issue "4-5", "1-3": every number in it
            numbers.update(range(start, end + 1))
    numbers.update(int(n) for n in _NUMBER.findall(body))
    words = re.sub(r"[^a-z]+", " ", body.casefold()).split()
    letters = ""
    if not numbers:
        for word in words:
            value = roman_value(word)
            if value is not None:
                numbers.add(value)
            else:
                letters += word
    else:
        letters = "".join(w for w in words if len(w) == 1)
    if not numbers and not letters and not supplement:
        return None
    return Numbering(raw, frozenset(numbers), letters, supplement)


def same_number(cited: str, crossref: str) -> bool | None:
    """Could the two be the same volume/issue? None when either says nothing."""
    a, b = parse_numbering(cited), parse_numbering(crossref)
    if a is None or b is None:
        return None
    if not a.numbers or not b.numbers:
        # "Suppl", "Spring", "A": nothing to contradict unless both are plain words that differ.
        if a.numbers or b.numbers or a.supplement or b.supplement:
            return True
        return a.letters == b.letters or not a.letters or not b.letters
    if not a.numbers & b.numbers:
        return False
    # "36A" vs "36B" are different parts; "36" vs "36A" may be the same.
    return not (a.letters and b.letters and a.letters != b.letters)


def compare_volume(reference: Reference, work: Work) -> list[Finding]:
    """RC601 when the cited volume cannot be the work's."""
    if not reference.volume or not work.volume:
        return []
    if same_number(reference.volume, work.volume) is not False:
        return []
    if _in_title(reference.volume, work):
        return []
    return [
        finding(
            "RC601",
            f"Volume {reference.volume} cited; {work.registry} has {work.volume}",
            cited=reference.volume,
            expected=work.volume,
        )
    ]


def compare_issue(reference: Reference, work: Work) -> list[Finding]:
    """RC602 when the cited issue cannot be the work's."""
    if not reference.issue or not work.issue:
        return []
    if same_number(reference.issue, work.issue) is not False:
        return []
    if _in_title(reference.issue, work):
        return []
    return [
        finding(
            "RC602",
            f"Issue {reference.issue} cited; {work.registry} has {work.issue}",
            cited=reference.issue,
            expected=work.issue,
        )
    ]


def _in_title(cited: str, work: Work) -> bool:
    """The cited "number" is words of the work's own title, read as a field: a book
    review's title holds its book's details ("... British Gas plc 1988 (x + 230 pp,
    £27.50)"), and a parser may take "x + 230 pp, £27.50" for the issue."""
    value = " ".join(cited.split()).casefold()
    if len(value) < 4 or value.isdigit():
        return False
    titles = (work.title or "", work.subtitle or "")
    return any(value in " ".join(t.split()).casefold() for t in titles)
