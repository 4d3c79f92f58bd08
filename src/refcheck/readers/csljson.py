"""CSL-JSON files (Zotero, Pandoc, citeproc) -> references, one per item, in order.

Accepted shapes: a list of items, or an object with an ``"items"`` list. Anything else,
or text that is not JSON at all, raises :class:`~refcheck.errors.InputError` (the file
cannot be read; exit 2). Within the list, an element that is not an object becomes a
Reference with ``problem`` set, and the other items still read.

* ``location.line``: the 1-based line where the item's opening brace is; found by walking
  the item list with the standard JSON decoder, so it is exact. ``location.key``: ``id``.
* ``text``: the item's JSON as written in the file.
* Authors: ``literal`` (or Crossref's ``name``) makes a group; otherwise the particles
  join the family name as written: ``dropping-particle``, ``non-dropping-particle``,
  ``family`` ("van der" + "Kallen" -> "van der Kallen"). An author ``others`` or
  ``et al.`` marks the list as truncated.
* Rich-text markup that CSL allows in titles (``<i>``, ``<b>``, ``<sup>``, ``<sub>``,
  ``<span ...>``) is removed. Fields of the wrong JSON type are ignored, never fatal.
* ``"refcheck-ignore": "RC301,RC601"`` (or a list) fills ``suppress``.
"""

from __future__ import annotations

import json
import re
from typing import Any

from refcheck.errors import InputError
from refcheck.models import Location, Person, Reference
from refcheck.readers.text import clean_doi

_WHITESPACE = " \t\n\r"
_MARKUP = re.compile(r"</?(?:i|b|sup|sub|sc|span)\b[^<>]*>", re.IGNORECASE)
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_SEPARATORS = re.compile(r"[\s,;]+")
_TRUNCATION_MARKERS = frozenset({"others", "et al", "et al.", "etal"})
_DECODER = json.JSONDecoder()


def _skip_whitespace(text: str, index: int) -> int:
    while index < len(text) and text[index] in _WHITESPACE:
        index += 1
    return index


def _array_spans(text: str, index: int) -> list[tuple[int, int]]:
    """(start, end) of each element of the JSON array whose ``[`` is at ``index``."""
    spans: list[tuple[int, int]] = []
    index = _skip_whitespace(text, index + 1)
    if text[index] == "]":
        return spans
    while True:
        _, end = _DECODER.raw_decode(text, index)
        spans.append((index, end))
        index = _skip_whitespace(text, end)
        if text[index] == "]":
            return spans
        index = _skip_whitespace(text, index + 1)  # past the comma


def _item_spans(text: str) -> list[tuple[int, int]] | None:
    """Where each item is in the text, or None if the item list cannot be located."""
    index = _skip_whitespace(text, 0)
    if text[index] == "[":
        return _array_spans(text, index)
    # {"items": [...], ...}: walk the members; as in json.loads, the last "items" counts.
    spans: list[tuple[int, int]] | None = None
    index = _skip_whitespace(text, index + 1)
    while text[index] != "}":
        key, end = _DECODER.raw_decode(text, index)
        index = _skip_whitespace(text, _skip_whitespace(text, end) + 1)  # past the colon
        if key == "items" and text[index] == "[":
            spans = _array_spans(text, index)
        _, end = _DECODER.raw_decode(text, index)
        index = _skip_whitespace(text, end)
        if text[index] == ",":
            index = _skip_whitespace(text, index + 1)
    return spans


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object" if isinstance(value, dict) else "null"


def _string(value: Any) -> str | None:
    """A scalar as text; a list gives its first scalar (Crossref style); else None."""
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str | int | float)), None)
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    text = " ".join(str(value).split())
    return text or None


def _rich_text(value: Any) -> str | None:
    text = _string(value)
    if text is None:
        return None
    return " ".join(_MARKUP.sub("", text).split()) or None


def _person(author: dict[str, Any]) -> Person:
    literal = _string(author.get("literal")) or _string(author.get("name"))
    if literal and not author.get("family"):
        return Person(literal=literal)
    family = " ".join(
        part
        for part in (
            _string(author.get("dropping-particle")),
            _string(author.get("non-dropping-particle")),
            _string(author.get("family")),
        )
        if part
    )
    return Person(family=family or None, given=_string(author.get("given")))


def _authors(value: Any) -> tuple[tuple[Person, ...], bool]:
    if not isinstance(value, list):
        return (), False
    persons: list[Person] = []
    truncated = False
    for author in value:
        if not isinstance(author, dict):
            continue
        person = _person(author)
        if (person.literal or person.family or "").lower() in _TRUNCATION_MARKERS:
            truncated = True
        elif person.family or person.given or person.literal:
            persons.append(person)
    return tuple(persons), truncated


def _year(issued: Any) -> int | None:
    """``{"date-parts": [[2013, 3, 14]]}``, ``{"raw": "2013-03-14"}``, ``{"literal": ...}``."""
    if isinstance(issued, dict):
        parts = issued.get("date-parts")
        if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
            first = parts[0][0]
            if isinstance(first, int) and not isinstance(first, bool):
                return first
            if isinstance(first, str) and first.strip().isdigit():
                return int(first)
        for key in ("raw", "literal"):
            text = _string(issued.get(key))
            if text and (match := _YEAR.search(text)):
                return int(match.group(1))
        return None
    text = _string(issued)
    match = _YEAR.search(text) if text else None
    return int(match.group(1)) if match else None


def _codes(value: Any) -> tuple[str, ...]:
    values = value if isinstance(value, list) else [value]
    codes: list[str] = []
    for item in values:
        text = _string(item)
        if text:
            codes.extend(code.upper() for code in _SEPARATORS.split(text) if code)
    return tuple(dict.fromkeys(codes))


def _reference(item: Any, location: Location, text: str) -> Reference:
    if not isinstance(item, dict):
        return Reference(
            location=location,
            text=text,
            problem=f"CSL-JSON item is not an object (found {_json_type(item)})",
        )
    authors, truncated = _authors(item.get("author"))
    issn = item.get("ISSN", item.get("issn"))
    issn_parts = issn if isinstance(issn, list) else [issn]
    entry_type = _string(item.get("type"))
    return Reference(
        location=location.model_copy(update={"key": _string(item.get("id"))}),
        text=text,
        entry_type=entry_type.lower() if entry_type else None,
        authors=authors,
        authors_truncated=truncated,
        title=_rich_text(item.get("title")),
        container=_rich_text(item.get("container-title")),
        year=_year(item.get("issued")),
        volume=_string(item.get("volume")),
        issue=_string(item.get("issue")),
        pages=_string(item.get("page")),
        doi=clean_doi(_string(item.get("DOI", item.get("doi")))),
        url=_string(item.get("URL", item.get("url"))),
        issn=tuple(
            part for value in issn_parts for part in _SEPARATORS.split(_string(value) or "") if part
        ),
        suppress=_codes(item.get("refcheck-ignore")),
    )


def read_csljson(text: str, path: str | None) -> list[Reference]:
    """Every item of a CSL-JSON file, in order. Raises InputError if it is not CSL-JSON."""
    where = path or "<csl-json>"
    text = text.removeprefix("\ufeff")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{where}: not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from exc
    except (ValueError, RecursionError) as exc:  # absurdly long numbers, deep nesting
        raise InputError(f"{where}: not valid JSON: {exc}") from exc

    if isinstance(data, dict) and isinstance(data.get("items"), list):
        items: list[Any] = data["items"]
    elif isinstance(data, list):
        items = data
    else:
        raise InputError(
            f"{where}: not CSL-JSON: expected a list of items or an object with an "
            f'"items" list, found {_json_type(data)}'
        )

    try:
        spans = _item_spans(text)
    except (ValueError, IndexError, RecursionError):  # cannot happen for valid JSON
        spans = None
    if spans is not None and len(spans) != len(items):
        spans = None

    references: list[Reference] = []
    line, counted = 1, 0
    for position, item in enumerate(items):
        if spans is None:
            location = Location(path=path)
            raw = json.dumps(item, ensure_ascii=False)
        else:
            start, end = spans[position]
            line += text.count("\n", counted, start)
            counted = start
            location = Location(path=path, line=line)
            raw = text[start:end]
        references.append(_reference(item, location, raw))
    return references
