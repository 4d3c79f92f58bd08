"""Year: any of the work's print, online, issued or published years is a right year.

A record without any date says nothing, except a proceedings title that names its year
("... Workshops, 2003. Proceedings."): a cited year two or more away from it is worth a
warning.
"""

from __future__ import annotations

import re

from refcheck.models import Finding, Reference, Severity, Work
from refcheck.rules import finding

__all__ = ["compare_year", "labelled_years"]


def labelled_years(work: Work) -> list[tuple[int, list[str]]]:
    """The work's years with what each is: [(2015, ['print']), (2014, ['online', 'issued'])]."""
    found: dict[int, list[str]] = {}
    for label, parts in (
        ("print", work.published_print),
        ("online", work.published_online),
        ("issued", work.issued),
        ("published", work.published),
    ):
        if parts:
            found.setdefault(parts[0], []).append(label)
    return list(found.items())


def _describe(years: list[tuple[int, list[str]]]) -> str:
    return ", ".join(f"{year} ({', '.join(labels)})" for year, labels in years)


def compare_year(reference: Reference, work: Work) -> list[Finding]:
    """Nothing for the work's main year, RC402 (info) for another of its years, else RC401."""
    cited = reference.year
    years = labelled_years(work)
    if cited is None:
        return []
    if not years:
        return _against_title_year(cited, work)
    main = work.year
    if cited == main:
        return []
    expected = _describe(years)
    if any(cited == year for year, _ in years):
        labels = next(labels for year, labels in years if year == cited)
        return [
            finding(
                "RC402",
                f"Year {cited} is the work's {' and '.join(labels)} year; its main year is {main}",
                cited=str(cited),
                expected=expected,
            )
        ]
    # Without a print date, a year after the online one may be the print year Crossref
    # has not been told: still worth a look, but not certainly wrong.
    latest = max(year for year, _ in years)
    if work.published_print is None and cited == latest + 1:
        return [
            finding(
                "RC401",
                f"Year {cited} cited; {work.registry} has {expected} and no print date yet",
                cited=str(cited),
                expected=expected,
                severity=Severity.WARNING,
            )
        ]
    return [
        finding(
            "RC401",
            f"Year {cited} cited; {work.registry} has {expected}",
            cited=str(cited),
            expected=expected,
        )
    ]


_TITLE_YEAR = re.compile(r"(?<![\d-])(1[89]\d\d|20\d\d)(?![\d-])")


def _against_title_year(cited: int, work: Work) -> list[Finding]:
    """Without dates, the one year a container title names (proceedings are a year's)."""
    named = {int(y) for title in work.container_title for y in _TITLE_YEAR.findall(title)}
    if len(named) != 1:
        return []
    year = named.pop()
    if abs(cited - year) <= 1:  # proceedings often appear the year after the meeting
        return []
    return [
        finding(
            "RC401",
            f"Year {cited} cited; {work.registry} has no date, and its container title names"
            f" {year}",
            cited=str(cited),
            expected=f"{year} (container title)",
            severity=Severity.WARNING,
        )
    ]
