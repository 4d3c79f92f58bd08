"""Years, and the volume/issue/pages block that follows a container title.

Every style writes the same three numbers its own way; each shape below is one of them:

=================  ==========================================  =================
shape              example                                     styles
=================  ==========================================  =================
vancouver          ``2015;36(4):811-6``, ``2015 Apr;36:811``   Vancouver, AMA
labelled           ``vol. 36, no. 4, pp. 811-816``             IEEE, MLA 8, house
mla                ``91.4-6 (1926): 254–295``                  MLA 7
chicago            ``91 (4-6) (May): 254–295``                 Chicago
year-paren         ``91 (1926) 254``                           Elsevier, physics
nature             ``36, 811–816 (2015)``                      Nature, AIP
acs                ``2015, 36, 811–816``                       ACS
volume-issue       ``36(4), pp.811–816``, ``36(4):811``        APA, Harvard
volume-colon       ``36:811–6``                                house styles
volume-comma       ``36, 811–816``                             APA without issue
=================  ==========================================  =================

Labels ("vol.", "no.", "pp.") win over positions; positions fill what labels leave out.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, replace

_THIS_YEAR = datetime.date.today().year
_YEAR = r"(?P<year>(?:1[5-9]|20)\d\d)[a-z]?"
_VOL = r"(?P<vol>\d{1,5}[A-Z]?)"
_PAGE = r"(?:[A-Za-z]{0,3}\d+[A-Za-z]?(?:\.\d+)?)"
_DASH = r"(?:\s*(?:[-‐‑‒–—―−]+|\bto\b)\s*)"
_RANGE = rf"(?P<pages>{_PAGE}(?:{_DASH}{_PAGE})?)(?![\d/])"
_PP = r"(?:(?:pp?|pages?|pgs?)\.?\s*)?"
_MONTH = (
    r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|Spring|Summer|Autumn|Fall"
    r"|Winter)[a-z]*\.?"
)
_ISSUE = r"(?P<iss>[^()]{1,24}?)"

_SHAPES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "vancouver",
        re.compile(
            rf"(?<!\d){_YEAR}(?:\s+{_MONTH}(?:\s*[-–/]\s*{_MONTH})?(?:\s+\d{{1,2}})?)?\s*;\s*"
            rf"(?:{_VOL}?\s*(?:\((?P<iss>[^()]{{1,24}})\))?\s*(?::\s*{_RANGE})?)"
        ),
    ),
    (
        "mla",
        re.compile(rf"(?<![\d.]){_VOL}\.(?P<iss>\d+(?:[-–]\d+)?)\s*\({_YEAR}\)\s*:\s*{_RANGE}"),
    ),
    ("mla", re.compile(rf"(?<![\d.]){_VOL}\s*\({_YEAR}\)\s*:\s*{_RANGE}")),
    (
        "chicago",
        re.compile(
            rf"(?<![\d.]){_VOL}\s*\({_ISSUE}\)\s*\((?:{_MONTH}\s*\d{{0,2}},?\s*)?(?:{_YEAR})?\)"
            rf"\s*:\s*{_RANGE}"
        ),
    ),
    # Chicago without an issue: "Engineering Structures 239 (July): 112408".
    (
        "chicago",
        re.compile(
            rf"(?<![\d.]){_VOL}\s*\(\s*{_MONTH}(?:\s*\d{{1,2}})?(?:\s*[-–/]\s*{_MONTH})?\s*\)"
            rf"\s*:\s*{_RANGE}"
        ),
    ),
    ("year-paren", re.compile(rf"(?<![\d.]){_VOL}\s*\({_YEAR}\)\s*,?\s*{_PP}{_RANGE}")),
    # "Physical Review B 87 (2013)." "87, (2013)": a volume and no pages (an e-journal).
    (
        "year-paren",
        re.compile(rf"(?<=[^\W\d]\s){_VOL}\s*,?\s*\({_YEAR}\)(?=\s*[.,;]?\s*$)"),
    ),
    ("nature", re.compile(rf"(?<![\d.]){_VOL}\s*,\s*{_PP}{_RANGE}\s*\({_YEAR}\)")),
    (
        "acs",
        re.compile(
            rf"(?<![\d.]){_YEAR}\s*,\s*{_VOL}(?:\s*\((?P<iss>[^()]{{1,24}})\))?\s*,\s*{_PP}{_RANGE}"
        ),
    ),
    (
        "acs",
        re.compile(
            rf"(?<=[^\W\d]\s){_YEAR}\s*,\s*(?P<vol>\d{{1,5}}[A-Z]?(?:[-–]\d{{1,5}})?)"
            rf"(?:\s*\((?P<iss>[^()]{{1,24}})\))?(?:\s*,\s*{_PP}{_RANGE}|(?=\s*[.,;]?\s*$))"
        ),
    ),
    (
        "volume-issue",
        re.compile(rf"(?<![\d.]){_VOL}\s*\({_ISSUE}\)\s*(?:[:,.]\s*{_PP}{_RANGE})?"),
    ),
    ("chapter", re.compile(rf"(?<=[;,])\s*{_YEAR}\s*:\s*{_RANGE}")),
    ("volume-colon", re.compile(rf"(?<![\d.]){_VOL}\s*:\s*{_RANGE}")),
    ("volume-comma", re.compile(rf"(?<![\d.\w]){_VOL}\s*,\s*{_PP}{_RANGE}(?=\s*[.,;(]|\s*$)")),
    # A chapter or a book: only a page range, last ("The Long Conversation, 102–113.").
    (
        "pages-end",
        re.compile(rf"(?<=,)\s*(?P<pages>{_PAGE}{_DASH}{_PAGE})(?=\s*\.?\s*$)"),
    ),
)
_WEAK = frozenset({"volume-comma"})

_LABEL_VOLUME = re.compile(
    r"(?:\b(?:vol(?:ume)?|bd|jg)\.?|(?<![\w.])v\.)\s*(?P<value>\d[\w.]*?|[IVXLC]+)(?=[\s,;:(]|$)",
    re.IGNORECASE,
)
_LABEL_ISSUE = re.compile(
    r"(?:\b(?:no|nr|issue|iss|num|number|heft)(?:\.|(?![^\W\d_]))|\bn[°º.]|\bno?[°º])\s*"
    r"(?P<value>\w{1,8}(?:\s*[-–/]\s*\w{1,8})?)"
    r"(?=[\s,;:.)]|$)",
    re.IGNORECASE,
)
_LABEL_PAGES = re.compile(rf"(?<![\w])(?:pp?\.|pp|pages?|pgs?\.?|s\.)\s*{_RANGE}", re.IGNORECASE)
_LABEL_ARTICLE = re.compile(
    r"\b(?:art(?:icle)?\.?\s*(?:no\.?|number|id)?|e-?locator)\s*:?\s*(?P<value>[A-Za-z]?\d[\w.-]*)",
    re.IGNORECASE,
)
# MLA writes old volumes in roman numerals: "JAMA, XXV, no. 9, Aug. 1895".
_VOLUME_BEFORE_ISSUE = re.compile(r"(?<![\d.\w])(?P<value>\d{1,5}|[IVXLC]{2,8})\s*,?\s*$")
# What stands before a date's year: a month, or a day ("Aug. 1895", "Jan 15-18 1984").
_DATE_BEFORE = re.compile(rf"(?:{_MONTH}|\b\d{{1,2}}(?:\s*[-–]\s*\d{{1,2}})?)\s*,?\s*$")
_ANY_YEAR = re.compile(r"(?<![\d\w])(?:1[5-9]|20)\d\d(?=[a-z]?(?![\d\w]))")


@dataclass(frozen=True, slots=True)
class Numbers:
    """What the numbers block says; ``start`` is where it begins (the container ends)."""

    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    year: int | None = None
    start: int = -1
    end: int = -1
    shape: str | None = None
    # Where the volume, issue and pages values stand, (field, start, end): a year-like
    # number there ("vol. 2005", "pp. 2001-2010") is that field, not the reference's year.
    places: tuple[tuple[str, int, int], ...] = ()
    year_span: tuple[int, int] | None = None

    @property
    def spans(self) -> list[tuple[int, int]]:
        return [(start, end) for _, start, end in self.places]

    @property
    def found(self) -> bool:
        return self.start >= 0

    @property
    def strong(self) -> bool:
        return self.found and self.shape not in _WEAK


def plausible_year(value: str | int, *, ahead: int = 2) -> int | None:
    """The year ``value`` starts with, if it is one: 1500 to ``ahead`` years from now."""
    try:
        year = int(str(value)[:4])
    except ValueError:
        return None
    return year if 1500 <= year <= _THIS_YEAR + ahead else None


def years_in(text: str) -> list[tuple[int, int, int]]:
    """Each plausible year in ``text``: (year, start, end)."""
    found: list[tuple[int, int, int]] = []
    for match in _ANY_YEAR.finditer(text):
        year = plausible_year(match.group(0))
        if year is not None:
            found.append((year, match.start(), match.end()))
    return found


def _clean_pages(value: str | None) -> str | None:
    if not value:
        return None
    pages = " ".join(value.split())
    pages = re.sub(r"\s*([-‐‑‒–—―−]+)\s*", r"\1", pages)
    return pages.strip(" .,;:") or None


def _clean_issue(value: str | None) -> str | None:
    if not value:
        return None
    issue = " ".join(value.split()).strip(" .,;:")
    if re.fullmatch(r"(?:no\.?|issue)\s*", issue, re.IGNORECASE):
        return None
    issue = re.sub(r"^(?:no|nr|issue)\.?\s*", "", issue, flags=re.IGNORECASE)
    return issue or None


def find_numbers(text: str) -> Numbers:
    """The volume/issue/pages block of ``text`` (the part after a title), if any."""
    labelled = _labelled(text)
    positional = _positional(text, labelled)
    if not labelled.found:
        return positional
    if not positional.found:
        return labelled
    # Labels win; positions fill the rest, and the block starts at the earlier of the two.
    if _year_as_volume(positional, text):
        # "no. 9, Aug. 1895, p. 362", "Jan 15-18 1984, pages 46-53": the number before the
        # pages is the year.
        places = tuple(place for place in positional.places if place[0] != "volume")
        positional = replace(positional, volume=None, places=places)
    # A positional field read inside a labelled one ("pp. 149–152, 2010" as volume 152,
    # pages 2010) is not there to fill.
    inside = {
        name
        for name, start, end in positional.places
        if any(low < end and start < high for low, high in labelled.spans)
    }
    filled = {
        name
        for name, label, position in (
            ("volume", labelled.volume, positional.volume),
            ("issue", labelled.issue, positional.issue),
            ("pages", labelled.pages, positional.pages),
        )
        if label is None and position is not None and name not in inside
    }
    used_position = bool(filled)
    start = min(labelled.start, positional.start) if used_position else labelled.start
    return Numbers(
        volume=labelled.volume or (positional.volume if "volume" in filled else None),
        issue=labelled.issue or (positional.issue if "issue" in filled else None),
        pages=labelled.pages or (positional.pages if "pages" in filled else None),
        year=labelled.year or _year_beside(positional, labelled),
        start=start,
        end=max(labelled.end, positional.end if used_position else -1),
        shape="labelled",
        # A weak reading fills a field, but is too unsure to claim its place from the year.
        places=labelled.places
        + tuple(p for p in positional.places if p[0] in filled and positional.strong),
    )


def _year_beside(positional: Numbers, labelled: Numbers) -> int | None:
    """The positional reading's year, unless it stands where a label put a field
    ("vol. 2015, 2012, pp. 1-11" read as ACS's "2015, 2012, 1-11": 2015 is the volume)."""
    place = positional.year_span
    if place is None or any(low <= place[0] and place[1] <= high for low, high in labelled.spans):
        return None
    return positional.year


def _year_as_volume(numbers: Numbers, text: str) -> bool:
    """A weak reading's volume that is a date's year: a year after a month or a day
    (not "Mathematical Problems in Engineering, 2017, pp.1–15", a volume named by its year)."""
    volume = numbers.volume
    if not (numbers.shape in _WEAK and volume and len(volume) == 4 and plausible_year(volume)):
        return False
    start = next(start for name, start, _ in numbers.places if name == "volume")
    return _DATE_BEFORE.search(text, 0, start) is not None


def _labelled(text: str) -> Numbers:
    volume = _LABEL_VOLUME.search(text)
    issue = _LABEL_ISSUE.search(text, volume.end() if volume else 0)
    last = issue or volume
    pages = _LABEL_PAGES.search(text, last.end() if last is not None else 0)
    if pages is None:
        pages = _LABEL_ARTICLE.search(text)
    starts = [m.start() for m in (volume, issue, pages) if m is not None]
    if not starts:
        return Numbers()
    volume_value = volume.group("value") if volume else None
    places = [(name, *m.span("value")) for name, m in (("volume", volume), ("issue", issue)) if m]
    start = min(starts)
    if volume is None and issue is not None:
        # Chicago and MLA 8 write "36, no. 4": the volume stands bare before the label.
        before = _VOLUME_BEFORE_ISSUE.search(text[: issue.start()])
        if before is not None and not (
            len(before.group("value")) == 4 and plausible_year(before.group("value"))
        ):
            volume_value = before.group("value")
            places.append(("volume", *before.span("value")))
            start = min(start, before.start())
    pages_value = None
    if pages is not None:
        pages_value = pages.groupdict().get("pages") or pages.groupdict().get("value")
        places.append(
            ("pages", *pages.span("pages" if pages.groupdict().get("pages") else "value"))
        )
    ends = [m.end() for m in (volume, issue, pages) if m is not None]
    return Numbers(
        volume=volume_value,
        issue=_clean_issue(issue.group("value")) if issue else None,
        pages=_clean_pages(pages_value),
        start=start,
        end=max(ends),
        shape="labelled",
        places=tuple(places),
    )


def _positional(text: str, labelled: Numbers) -> Numbers:
    for shape, pattern in _SHAPES:
        for match in pattern.finditer(text):
            groups = match.groupdict()
            volume, issue, pages = groups.get("vol"), groups.get("iss"), groups.get("pages")
            # In a numbers block the year's place is sure: a year a few years ahead there
            # is a mistyped year (worth reporting), as where the style puts it after names.
            year = plausible_year(groups["year"], ahead=10) if groups.get("year") else None
            if not (volume or issue or pages):
                continue
            if (
                issue is not None
                and plausible_year(issue.strip())
                and re.fullmatch(r"\d{4}", issue.strip())
            ):
                continue  # "91 (1926)": that is a year, read by another shape
            if (
                shape == "volume-issue"
                and issue is not None
                and not re.search(r"\d", issue)
                and not re.fullmatch(r"(?:suppl?\.?|s)\s*\w*", issue.strip(), re.IGNORECASE)
            ):
                continue  # "36 (May)" or "(Abstract)": not an issue
            vol_field = "volume"  # what the "vol" group turns out to hold
            if shape == "volume-colon" and volume and len(volume) == 4 and plausible_year(volume):
                year = plausible_year(volume)  # "Publisher; 1962:320-321": a year, not a volume
                volume, vol_field = None, ""
            if shape == "acs" and pages is None and volume and re.search(r"\d[-–]", volume):
                # "Survey of Asia 1958, 48–65" (ACS, a book) and "Advances in Meteorology
                # 2015, 1–12" (Elsevier, a volume named by its year): a year, then pages.
                volume, pages, vol_field = None, volume, "pages"
            if labelled.found and match.end() <= labelled.start and shape in _WEAK:
                continue  # a bare "36, 811" before the labels: in the title, say
            return Numbers(
                volume=volume,
                issue=_clean_issue(issue),
                pages=_clean_pages(pages),
                year=year,
                start=match.start(),
                end=match.end(),
                shape=shape,
                places=tuple(
                    (field, *match.span(group))
                    for group, field in (("vol", vol_field), ("iss", "issue"), ("pages", "pages"))
                    if groups.get(group) is not None and field
                ),
                year_span=match.span("year") if groups.get("year") else None,
            )
    return Numbers()
