"""Crossref works records (JSON) -> :class:`~refcheck.models.Work`, tolerant of every era."""

from __future__ import annotations

import re
from typing import Any

from refcheck.models import DateParts, Person, Update, Work

_TAG = re.compile(r"<[^>]+>")


def _text(value: Any) -> str | None:
    """First string of a Crossref list field (or the field itself), markup stripped."""
    if isinstance(value, list):
        for item in value:
            if isinstance(item, str) and item.strip():
                value = item
                break
        else:
            return None
    if not isinstance(value, str):
        return None
    if "<" in value:  # most text has no markup: no regex pass for it
        value = _TAG.sub("", value)
    return " ".join(value.split()) or None


def _texts(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return ()
    out = [
        " ".join((_TAG.sub("", v) if "<" in v else v).split()) for v in value if isinstance(v, str)
    ]
    return tuple(v for v in out if v)


def _date(value: Any) -> DateParts | None:
    if not isinstance(value, dict):
        return None
    parts = value.get("date-parts")
    if not isinstance(parts, list) or not parts or not isinstance(parts[0], list):
        return None
    out: list[int] = []
    for part in parts[0]:
        try:
            out.append(int(part))
        except (TypeError, ValueError):
            break
    return tuple(out) if out else None


def _year(date: Any) -> int | None:
    """``_date(date)[0]``, without reading the month and day."""
    if not isinstance(date, dict):
        return None
    parts = date.get("date-parts")
    if not isinstance(parts, list) or not parts or not isinstance(parts[0], list) or not parts[0]:
        return None
    try:
        return int(parts[0][0])
    except (TypeError, ValueError):
        return None


def _person(value: Any) -> Person | None:
    if not isinstance(value, dict):
        return None
    family = _text(value.get("family"))
    given = _text(value.get("given"))
    literal = _text(value.get("name")) or _text(value.get("literal"))
    if not (family or given or literal):
        return None
    if family is None and given is None:
        return Person(literal=literal)
    return Person(family=family or given, given=given if family else None)


def _updates(value: Any) -> tuple[Update, ...]:
    if not isinstance(value, list):
        return ()
    out: list[Update] = []
    for item in value:
        if not isinstance(item, dict) or not isinstance(item.get("type"), str):
            continue
        updated = _date(item.get("updated"))
        out.append(
            Update(
                type=item["type"].strip().lower(),
                doi=_text(item.get("DOI")),
                source=_text(item.get("source")),
                label=_text(item.get("label")),
                year=updated[0] if updated else None,
            )
        )
    return tuple(out)


def _preprint_of(value: Any) -> tuple[str, ...]:
    if not isinstance(value, dict):
        return ()
    targets = value.get("is-preprint-of")
    if not isinstance(targets, list):
        return ()
    return tuple(
        t["id"]
        for t in targets
        if isinstance(t, dict) and t.get("id-type", "doi") == "doi" and isinstance(t.get("id"), str)
    )


def work_from_record(record: dict[str, Any]) -> Work:
    """Build a Work from a works record. Raises ValueError when it has no DOI, or an author
    field that is not a list."""
    # Not _text(): SICI DOIs hold "<...>", which is part of the DOI, not markup.
    raw_doi = record.get("DOI")
    doi = raw_doi.strip() if isinstance(raw_doi, str) else None
    if not doi:
        raise ValueError("Crossref record has no DOI")
    score = record.get("score")
    raw_authors = record.get("author")
    if raw_authors is not None and not isinstance(raw_authors, list):
        # Not TypeError from iterating it: callers treat ValueError as "cannot be read".
        raise ValueError("Crossref record has an author field that is not a list")
    authors = tuple(p for p in map(_person, raw_authors or []) if p is not None)
    return Work(
        doi=doi,
        type=_text(record.get("type")),
        title=_text(record.get("title")),
        subtitle=_text(record.get("subtitle")),
        short_title=_text(record.get("short-title")),
        container_title=_texts(record.get("container-title")),
        short_container_title=_texts(record.get("short-container-title"))
        or _texts(record.get("container-title-short")),
        issn=_texts(record.get("ISSN")),
        isbn=_texts(record.get("ISBN")),
        publisher=_text(record.get("publisher")),
        volume=_text(record.get("volume")),
        issue=_text(record.get("issue")),
        page=_text(record.get("page")),
        article_number=_text(record.get("article-number")),
        authors=authors,
        published_print=_date(record.get("published-print")),
        published_online=_date(record.get("published-online")),
        issued=_date(record.get("issued")),
        published=_date(record.get("published")),
        updated_by=_updates(record.get("updated-by")),
        preprint_of=_preprint_of(record.get("relation")),
        score=float(score) if isinstance(score, int | float) else None,
    )
