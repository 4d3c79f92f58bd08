"""Plain text (a page saved as text, ``.txt``, ``.rst``), and the DOI helpers every reader uses.

:func:`read_text` reads a plain-text post's reference list the way :mod:`.post` finds one
(a "References" line, or a trailing run of reference-like lines such as the seed post's
"-Brinjikji, W., ..."); :func:`find_dois` and :func:`clean_doi` find and tidy DOIs.

How a DOI's end is found (DOIs may contain almost anything, text around them too):

* a DOI starts at ``10.<4-9 digits>/`` and runs to whitespace or a quote;
* it stops at a closing bracket that has no opening one inside the DOI: ``)``, ``]``,
  ``}`` or ``>`` - so ``(doi:10.1016/S0140-6736(09)60000-0).`` keeps its balanced
  parentheses and ``[10.1/x](https://doi.org/10.1/x)`` and ``<https://doi.org/10.1/x>``
  lose the markup, while SICI DOIs keep their ``<...>`` part;
* it stops at an HTML closing tag (``</a>``);
* trailing ``. , ; : ! ?`` and quote or emphasis marks are dropped;
* percent-escapes are decoded (``doi.org/10.1002/%28SICI%29...``).

DOIs are returned as written (case kept); Crossref and the comparer fold case.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from refcheck.models import Reference

_DOI_START = re.compile(r"(?<![\w.])10\.\d{4,9}(?:\.\d+)*/(?=\S)")
_STOP = frozenset(' \t\r\n\f\v"')
_CLOSING = {")": "(", "]": "[", "}": "{", ">": "<"}
_TRAILING = ".,;:!?'*_\u2019\u201d"
_PERCENT_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
_DOI_PREFIX = re.compile(
    r"^(?:(?:https?://)?(?:www\.|dx\.)?doi\.org/|doi\s*:\s*|doi\s+)", re.IGNORECASE
)
# A list marker at the start of a line: "-", "*", "•", "1.", "2)", "[3]", "(4)".
_LIST_MARKER = re.compile(r"^\s*(?:[-*+•‣◦–—]+\s*|\d{1,3}[.)]\s+|\[\d{1,3}\]\s*|\(\d{1,3}\)\s*)")


def _doi_end(text: str, start: int) -> int:
    """Index just past the DOI that starts at ``start`` (before trimming punctuation)."""
    depth = dict.fromkeys(_CLOSING.values(), 0)
    index = start
    while index < len(text):
        char = text[index]
        if char in _STOP or text.startswith("</", index):
            break
        if char in depth:
            depth[char] += 1
        elif char in _CLOSING:
            opener = _CLOSING[char]
            if depth[opener] == 0:
                break
            depth[opener] -= 1
        index += 1
    return index


def find_dois(text: str) -> list[str]:
    """Every DOI in ``text``, in order, each once (compared case-insensitively)."""
    found: list[str] = []
    seen: set[str] = set()
    position = 0
    while match := _DOI_START.search(text, position):
        end = _doi_end(text, match.start())
        doi = text[match.start() : end].rstrip(_TRAILING)
        position = max(end, match.end())
        if "%" in doi:
            doi = _PERCENT_ESCAPE.sub(lambda m: unquote(m.group(0)), doi)
        if doi.endswith("/"):  # "10.1234/" followed only by punctuation: no suffix.
            continue
        if doi.lower() not in seen:
            seen.add(doi.lower())
            found.append(doi)
    return found


def clean_doi(value: str | None) -> str | None:
    """A DOI field as cited -> the DOI: resolver prefixes and ``doi:`` stripped, trimmed.

    A value that is not shaped like a DOI is kept (stripped) so the check can report it.
    """
    if value is None:
        return None
    doi = " ".join(value.split())
    doi = _DOI_PREFIX.sub("", doi).strip()
    dois = find_dois(doi)
    if dois and doi.lower().startswith(dois[0].lower()):
        return dois[0]
    return doi or None


def strip_list_marker(line: str) -> str:
    """A line without its bullet or number (``- ``, ``1.``, ``[2]``) and outer blanks."""
    return _LIST_MARKER.sub("", line, count=1).strip()


def read_text(text: str, path: str | None) -> list[Reference]:
    """The references of a plain-text post (see :mod:`refcheck.readers.post`)."""
    # Imported here: post imports this module's DOI helpers, and so does refcheck.parse.
    from refcheck.readers.post import read_plain_text

    return read_plain_text(text, path)
