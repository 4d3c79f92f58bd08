"""DataCite REST records (the ``data`` of ``/dois/{doi}``) -> :class:`~refcheck.models.Work`.

The one Work model is what matching and comparison read, so a DataCite work is made to look
like a Crossref one where the two mean the same thing:

- creators: ``familyName``/``givenName`` when given; an ``Organizational`` creator is a group;
  a bare ``name`` is "Family, Given" when it holds a comma (", PhD" and ", et al." are no
  given name), several people when it joins such names with "&" or ";" (titles such as
  "Prof." dropped), a person's whole name when it is two to five name-like words with no
  word of an organisation's name (kept whole as the family: whether the family comes first,
  last or in two words is not known, and comparison tries each split), and a group otherwise
  (one word: "Harshad", "RoyaltyStat", "Actions-User"; a handle with digits or "@");
  placeholders (":unav", "[s.n.]", an ORCID or UUID) name no one;
- title: the main title is the one without ``titleType`` (``Subtitle`` is the subtitle; a
  record with typed titles only gives its first that is no subtitle or translation);
- years: ``publicationYear`` is the issued year; the earliest submitted/available/created
  date and the latest updated one are the other years a writer may rightly cite (an arXiv
  preprint cited by the year of the version read);
- type: ``resourceTypeGeneral`` in Crossref's words where there is one (Preprint ->
  posted-content, JournalArticle -> journal-article, ...), else lower-cased;
- container: ``container.title`` with its volume, issue and pages, where the record has them;
- published versions (``preprint_of``, so RC703 fires as for Crossref's posted content): the
  DOIs the record relates by ``IsPreprintOf``, and for arXiv's records by ``IsVersionOf``.

Tolerant of every field missing or of the wrong kind, as records differ across schema
versions; only a record without a DOI is refused (ValueError).
"""

from __future__ import annotations

import re
from typing import Any

from refcheck.models import DateParts, Person, Work

__all__ = ["work_from_datacite"]

# resourceTypeGeneral -> the Crossref type of the same kind of work.
_TYPES = {
    "preprint": "posted-content",
    "journalarticle": "journal-article",
    "book": "book",
    "bookchapter": "book-chapter",
    "conferencepaper": "proceedings-article",
    "conferenceproceeding": "proceedings",
    "dataset": "dataset",
    "report": "report",
    "dissertation": "dissertation",
    "standard": "standard",
}

# Words that make a bare creator name an organisation's, not a person's.
_GROUP_WORDS = frozenset(
    {
        "agency",
        "and",
        "archive",
        "archives",
        "association",
        "board",
        "center",
        "centre",
        "collaboration",
        "college",
        "committee",
        "community",
        "consortium",
        "council",
        "data",
        "department",
        "division",
        "facility",
        "for",
        "foundation",
        "gbif",
        "group",
        "inc",
        "initiative",
        "institut",
        "institute",
        "lab",
        "laboratory",
        "library",
        "ltd",
        "ministry",
        "museum",
        "network",
        "of",
        "office",
        "organisation",
        "organization",
        "program",
        "programme",
        "project",
        "school",
        "service",
        "society",
        "survey",
        "team",
        "the",
        "univ",
        "university",
    }
)
# A word of a person's name, in any case ("Sagiv", "O'Neil", "fujiwara", "J.").
_NAME_WORD = re.compile(r"^[^\W\d_][\w'’.-]*$")
# A domain in a name ("Occdownload Gbif.Org") is an organisation's.
_DOMAIN = re.compile(r"\w\.(?:org|com|net|edu|gov|int)$", re.IGNORECASE)
# Placeholders for "no creator known": DataCite's :unav/:unkn codes, "[s.n.]", "Unknown";
# an ORCID, a UUID or other number where the name belongs.
_NO_NAME = re.compile(
    r"^\W*(?:s\.\s*n\.?|unav|unkn|unknown|anonymous|n/a|none)\W*$|^[\d\W_]*$"
    r"|^[\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12}$",
    re.I,
)
# Titles and marks before a name ("* Prof. Abilasha N.", "Dr. Girisha M.C.").
_HONORIFIC = re.compile(r"^(?:[*†‡]+\s*|(?:prof|dr|mr|mrs|ms|drs?)\.\s+)+", re.I)
# Several people in one creator: "Abilasha N. & Girisha M.C.", "Smith J; Jones K" (not
# "y" or "e", which join one person's names: "Ortega y Gasset").
_PEOPLE_JOINED = re.compile(r"\s+(?:&|and)\s+|\s*;\s*")
_ET_AL = re.compile(r"^et\.?\s*al\.?$", re.I)
# Degrees written where a given name belongs ("Alex H. Wagner, PhD").
_DEGREE = re.compile(r"^(?:ph\.?\s?d|m\.?d|m\.?sc?|b\.?sc?|m\.?a|mph|mba|dphil)\.?$", re.I)
_YEAR = re.compile(r"^\s*(\d{4})")


def _clean(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    return " ".join(value.split()) or None


def _people(creator: Any) -> list[Person]:
    """A creator as the people (or the group) it names; none for a placeholder."""
    if not isinstance(creator, dict):
        return []
    family = _clean(creator.get("familyName"))
    given = _clean(creator.get("givenName"))
    name = _clean(creator.get("name"))
    kind = creator.get("nameType")
    if name and _NO_NAME.match(name) and not family:
        return []
    if kind == "Organizational":
        return [Person(literal=name or family)] if (name or family) else []
    if family and given and not _DEGREE.match(given):
        return [Person(family=family, given=given)]
    # One string holds the whole name: the family alone ("Alex H. Wagner" of "Alex H.
    # Wagner, PhD"), or the name without its split.
    text = family if family and not (name and "," in name and not given) else name or given
    if text is None or _NO_NAME.match(text):
        return []
    personal = kind == "Personal" or not _organisation(text)
    pieces = [_HONORIFIC.sub("", p).strip(" ,") for p in _PEOPLE_JOINED.split(text)]
    if personal and len(pieces) > 1 and all(_one_person(p) for p in pieces):
        return [person for piece in pieces for person in _named(piece, kind)]
    return _named(text, kind)


def _named(text: str, kind: Any) -> list[Person]:
    """One creator's name: "Family, Given", a person's bare name, or a group's."""
    if "," in text:
        last, _, first = text.partition(",")
        first = first.strip(" ,")
        if _DEGREE.match(first) or _ET_AL.match(first):
            return _named(last, kind)  # "Alex H. Wagner, PhD", "Pierce JP, et al."
        if _personal(last) and (not first or _personal(first.split(",")[0])):
            return [Person(family=last.strip(), given=first or None)]
        return [Person(literal=text)]  # "CN=arctic-data-admins, DC=dataone,DC=org"
    bare = _HONORIFIC.sub("", text).strip() or text
    words = bare.split()
    # A bare name of one word ("Harshad", "RoyaltyStat", "Actions-User") may be a person,
    # an organisation or a bot: a group, which a citation may leave out.
    if re.search(r"[\d@=]", bare):  # "9351345@N04", even typed Personal: a handle
        return [Person(literal=text)]
    if kind == "Personal" or (len(words) >= 2 and _personal(bare) and not _organisation(bare)):
        return [_bare_person(bare)]
    return [Person(literal=text)]


def _one_person(text: str) -> bool:
    """A piece of a creator holding several people: "Cardenas, Valerie", "Girisha M.C."."""
    last, comma, first = text.partition(",")
    if comma:
        return _personal(last) and (not first.strip() or _personal(first))
    return len(text.split()) >= 2 and _personal(text)


def _organisation(text: str) -> bool:
    words = text.split()
    return any(w.strip(".()").casefold() in _GROUP_WORDS or _DOMAIN.search(w) for w in words)


def _personal(text: str) -> bool:
    """Name-like words, one to five besides lower-case particles ("María de la Luz Vázquez
    Sauceda")."""
    words = _HONORIFIC.sub("", text).split()
    names = [w for w in words if not (w.islower() and len(w) <= 3)]
    return 1 <= len(names) <= 5 and len(words) <= 7 and all(_NAME_WORD.match(w) for w in words)


def _bare_person(text: str) -> Person:
    """A person's name with no split ("Sagiv Schiber", "Молчанов Владимир Петрович",
    "Nur Hashima Abdul Rashid"): which words are the family is not known (Western names put
    it last, Russian and East Asian ones first, Iberian ones hold two), so the whole name is
    kept as the family and comparison tries each split (compare/authors.py)."""
    return Person(family=text)


def _titles(value: Any) -> tuple[str | None, str | None]:
    """The main title (no titleType; failing that, the first title that is no subtitle or
    translation) and the subtitle."""
    if not isinstance(value, list):
        return None, None
    main = subtitle = other = None
    for item in value:
        if not isinstance(item, dict):
            continue
        text = _clean(item.get("title"))
        if text is None:
            continue
        kind = item.get("titleType")
        if kind is None and main is None:
            main = text
        elif kind == "Subtitle" and subtitle is None:
            subtitle = text
        elif kind not in ("Subtitle", "TranslatedTitle") and other is None:
            other = text
    return main or other, subtitle


def _year(value: Any) -> int | None:
    if isinstance(value, int) and 1000 <= value <= 2999:
        return value
    if isinstance(value, str) and (match := _YEAR.match(value)):
        return int(match.group(1))
    return None


def _dates(value: Any) -> tuple[DateParts | None, DateParts | None]:
    """The earliest submitted/available/created year and the latest updated one."""
    if not isinstance(value, list):
        return None, None
    early: list[int] = []
    late: list[int] = []
    for item in value:
        if not isinstance(item, dict):
            continue
        year = _year(item.get("date"))
        if year is None:
            continue
        kind = item.get("dateType")
        if kind in ("Submitted", "Available", "Created", "Accepted"):
            early.append(year)
        elif kind == "Updated":
            late.append(year)
    return ((min(early),) if early else None), ((max(late),) if late else None)


def _publisher(value: Any) -> str | None:
    if isinstance(value, dict):
        return _clean(value.get("name"))
    return _clean(value)


def _type(types: Any) -> str | None:
    if not isinstance(types, dict):
        return None
    general = _clean(types.get("resourceTypeGeneral"))
    if general is None:
        return None
    return _TYPES.get(general.casefold(), general.casefold())


def _published_as(value: Any, from_arxiv: bool) -> tuple[str, ...]:
    """DOIs of the published versions: ``IsPreprintOf``, and for arXiv ``IsVersionOf`` (its
    records name the journal version so; elsewhere it names a concept DOI)."""
    if not isinstance(value, list):
        return ()
    relations = {"IsPreprintOf", "IsVersionOf"} if from_arxiv else {"IsPreprintOf"}
    found: list[str] = []
    for item in value:
        if not isinstance(item, dict) or item.get("relationType") not in relations:
            continue
        if item.get("relatedIdentifierType") != "DOI":
            continue
        doi = _clean(item.get("relatedIdentifier"))
        if doi and doi not in found:
            found.append(doi)
    return tuple(found)


def _pages(container: dict[str, Any]) -> str | None:
    first = _clean(container.get("firstPage"))
    last = _clean(container.get("lastPage"))
    # Some records put a whole "Vol 46 No 3 (2012)" in firstPage: not a page.
    if first is None or not re.fullmatch(r"[A-Za-z]?\d+", first):
        return None
    return f"{first}-{last}" if last and re.fullmatch(r"[A-Za-z]?\d+", last) else first


def _container(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def work_from_datacite(record: dict[str, Any]) -> Work:
    """A Work from a DataCite ``data`` object (``{"id", "attributes": {...}}``) or from its
    attributes alone. Raises ValueError when it has no DOI or creators not a list."""
    attributes = record.get("attributes") if "attributes" in record else record
    if not isinstance(attributes, dict):
        raise ValueError("DataCite record has no attributes")
    doi = _clean(attributes.get("doi")) or _clean(record.get("id"))
    if not doi:
        raise ValueError("DataCite record has no DOI")
    creators = attributes.get("creators")
    if creators is not None and not isinstance(creators, list):
        raise ValueError("DataCite record has creators that are not a list")
    title, subtitle = _titles(attributes.get("titles"))
    year = _year(attributes.get("publicationYear"))
    early, late = _dates(attributes.get("dates"))
    container = _container(attributes.get("container"))
    container_title = _clean(container.get("title"))
    publisher = _publisher(attributes.get("publisher"))
    from_arxiv = doi.lower().startswith("10.48550/") or (publisher or "").casefold() == "arxiv"
    return Work(
        doi=doi.lower(),
        # arXiv's records are preprints whatever resourceTypeGeneral says ("Text" too).
        type="posted-content" if from_arxiv else _type(attributes.get("types")),
        title=title,
        subtitle=subtitle,
        container_title=(container_title,) if container_title else (),
        publisher=publisher,
        volume=_clean(container.get("volume")),
        issue=_clean(container.get("issue")),
        page=_pages(container),
        authors=tuple(p for creator in creators or [] for p in _people(creator)),
        issued=(year,) if year is not None else None,
        published_online=early if early != ((year,) if year else None) else None,
        published=late if late != ((year,) if year else None) else None,
        preprint_of=_published_as(attributes.get("relatedIdentifiers"), from_arxiv),
        registry="DataCite",
    )
