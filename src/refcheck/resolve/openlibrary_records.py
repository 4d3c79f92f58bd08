"""Open Library's answers -> :class:`~refcheck.models.Work`.

Two shapes, as Open Library documents them (https://openlibrary.org/dev/docs/api/books and
/dev/docs/api/search):

- an edition of the Books API (``/api/books?bibkeys=ISBN:…&format=json&jscmd=data``, one
  object a matched key): ``title``, ``subtitle``, ``authors`` (``[{"name", "url"}]``),
  ``publishers`` (``[{"name"}]``), ``publish_date`` (free text: "2011", "October 25, 2011",
  "Oct 2011"), ``identifiers`` (``{"isbn_10": [...], "isbn_13": [...], ...}``), ``key``;
- a search document (``/search.json``, one a work, its editions grouped): ``title``,
  ``subtitle``, ``author_name`` (``[str]``), ``first_publish_year``, ``publish_year``
  (every edition's), ``publisher``, ``isbn``, ``key``.

A book has no DOI: its Work's ``doi`` is empty, its ``registry`` "Open Library" and its
``type`` "book". Authors come as one display name each ("Daniel Kahneman"): the last word is
the family name, unless the name holds a comma ("Kahneman, Daniel"). A record holding only
a title confirms only its title: fields it lacks are never compared.
"""

from __future__ import annotations

import re
from typing import Any

from refcheck.models import Person, Work
from refcheck.parse.identifiers import isbn13

__all__ = ["OPEN_LIBRARY", "work_from_edition", "work_from_search"]

OPEN_LIBRARY = "Open Library"

_YEAR = re.compile(r"\b(1[5-9]\d\d|2[01]\d\d)\b")


def _clean(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    return " ".join(value.split()) or None


def _person(name: Any) -> Person | None:
    text = _clean(name)
    if text is None:
        return None
    if "," in text:
        family, _, given = text.partition(",")
        if family.strip():
            return Person(family=family.strip(), given=given.strip() or None)
    words = text.split()
    if len(words) == 1:
        return Person(family=words[0])
    return Person(family=words[-1], given=" ".join(words[:-1]))


def _names(value: Any) -> list[Any]:
    """The names of ``authors``/``publishers``: a list of ``{"name": ...}`` (or one such
    object, as an early draft of the API had it) or of strings."""
    items = value if isinstance(value, list) else [value] if value is not None else []
    return [item.get("name") if isinstance(item, dict) else item for item in items]


def _isbns(values: Any) -> tuple[str, ...]:
    found: dict[str, None] = {}
    for value in values if isinstance(values, list) else []:
        if isinstance(value, str) and (normalised := isbn13(value)) is not None:
            found[normalised] = None
    return tuple(found)


def _year(value: Any) -> int | None:
    if isinstance(value, int) and 1500 <= value <= 2199:
        return value
    text = _clean(value)
    match = _YEAR.search(text) if text else None
    return int(match.group(1)) if match else None


def work_from_edition(edition: dict[str, Any]) -> Work:
    """A Work from one edition of a Books API answer. Raises ValueError when it has no
    title (nothing to compare a citation with)."""
    title = _clean(edition.get("title"))
    if title is None:
        raise ValueError("Open Library edition has no title")
    identifiers = edition.get("identifiers")
    identifiers = identifiers if isinstance(identifiers, dict) else {}
    isbns = _isbns([*(identifiers.get("isbn_13") or []), *(identifiers.get("isbn_10") or [])])
    year = _year(edition.get("publish_date"))
    publishers = [p for p in map(_clean, _names(edition.get("publishers"))) if p]
    return Work(
        doi="",
        type="book",
        title=title,
        subtitle=_clean(edition.get("subtitle")),
        isbn=isbns,
        publisher=publishers[0] if publishers else None,
        authors=tuple(p for p in map(_person, _names(edition.get("authors"))) if p is not None),
        issued=(year,) if year is not None else None,
        registry=OPEN_LIBRARY,
    )


def work_from_search(doc: dict[str, Any], *, cited_year: int | None = None) -> Work:
    """A Work from one search document. Its years: the first publication's, and the cited
    year when one of the work's editions came out that year (a later edition is rightly
    cited by its own year). Raises ValueError when it has no title."""
    title = _clean(doc.get("title"))
    if title is None:
        raise ValueError("Open Library search document has no title")
    first = _year(doc.get("first_publish_year"))
    editions = {y for y in map(_year, doc.get("publish_year") or []) if y is not None}
    edition = cited_year if cited_year is not None and cited_year in editions else None
    publishers = [p for p in map(_clean, _names(doc.get("publisher"))) if p]
    return Work(
        doi="",
        type="book",
        title=title,
        subtitle=_clean(doc.get("subtitle")),
        isbn=_isbns(doc.get("isbn")),
        publisher=publishers[0] if publishers else None,
        authors=tuple(p for p in map(_person, _names(doc.get("author_name"))) if p is not None),
        issued=(first,) if first is not None else None,
        published=(edition,) if edition is not None and edition != first else None,
        registry=OPEN_LIBRARY,
    )
