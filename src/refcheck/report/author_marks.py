"""The cited author list against the work's, as a reader diffs them: each missing, extra,
misspelled, replaced or moved name marked in its place, one mark per name.

Pure, over the two name lists; it judges names with the comparison's own tests
(:func:`refcheck.compare.authors.same_author`, :func:`spelled_alike`) and aligns them as
the comparison does. A report shows the marks only when they tell the same story as the
verdict's author findings (:func:`agree`); otherwise it shows the findings' messages.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from refcheck.compare.authors import AuthorName, author_name, same_author, show, spelled_alike
from refcheck.models import Finding, Person

__all__ = ["AUTHOR_CODES", "Mark", "agree", "mark_authors"]

# The author findings a mark stands for, by kind of mark.
MISSING, EXTRA, REPLACED, MISSPELT, MOVED, INITIALS = (
    "RC301", "RC302", "RC302", "RC303", "RC304", "RC305",
)  # fmt: skip
AUTHOR_CODES = frozenset({MISSING, EXTRA, MISSPELT, MOVED, INITIALS})

# Alignment costs, as the comparison's: a near spelling is cheaper than a gap, an unrelated
# name cheaper than two gaps (so a replaced author pairs up with the one it replaced).
_SAME, _NEAR, _OTHER, _GAP = 0.0, 0.5, 1.6, 1.0
_MAX_CELLS = 40_000  # longer lists are not marked: their findings' messages say it
_ET_AL = frozenset({"et al", "et al.", "others", "and others"})


@dataclass(frozen=True, slots=True)
class Mark:
    """One marked name: ``sign`` (- + ~ ≠ ↕), the rule it stands for, and what it says."""

    sign: str
    code: str
    text: str
    cited: str | None = None  # the cited name, when the mark pairs it with the work's

    def __str__(self) -> str:
        return f"{self.sign} {self.text}"


def _kind(c: AuthorName, w: AuthorName) -> str:
    if same_author(c, w):
        return "same"
    if c.group != w.group:
        return "none"
    return "near" if spelled_alike(c, w) else "other"


def _align(
    cited: Sequence[AuthorName], work: Sequence[AuthorName], truncated: bool
) -> list[tuple[int | None, int | None, str]]:
    """(cited index, work index, kind) steps in list order; an edit-distance alignment."""
    n, m = len(cited), len(work)
    kinds = [[_kind(c, w) for w in work] for c in cited]
    pair = {"same": _SAME, "near": _NEAR, "other": _OTHER, "none": float("inf")}
    inf = float("inf")
    cost = [[inf] * (m + 1) for _ in range(n + 1)]
    move = [[""] * (m + 1) for _ in range(n + 1)]
    cost[0][0] = 0.0
    for i in range(n + 1):
        for j in range(m + 1):
            here = cost[i][j]
            if here == inf:
                continue
            if i < n and j < m and here + pair[kinds[i][j]] < cost[i + 1][j + 1]:
                cost[i + 1][j + 1], move[i + 1][j + 1] = here + pair[kinds[i][j]], "pair"
            if j < m:
                # A group, or the tail of a list cited with "et al.", is no one left out.
                gap = 0.0 if work[j].group or (truncated and i == n) else _GAP
                if here + gap < cost[i][j + 1]:
                    cost[i][j + 1], move[i][j + 1] = here + gap, "missing"
            if i < n:
                gap = 0.0 if cited[i].group else _GAP
                if here + gap < cost[i + 1][j]:
                    cost[i + 1][j], move[i + 1][j] = here + gap, "extra"
    steps: list[tuple[int | None, int | None, str]] = []
    i, j = n, m
    while i or j:
        if move[i][j] == "pair":
            i, j = i - 1, j - 1
            steps.append((i, j, kinds[i][j]))
        elif move[i][j] == "missing":
            j -= 1
            steps.append((None, j, "missing"))
        else:
            i -= 1
            steps.append((i, None, "extra"))
    steps.reverse()
    return steps


def mark_authors(
    cited: Sequence[Person], work: Sequence[Person], truncated: bool = False
) -> list[Mark] | None:
    """The marked names, in list order; None when the lists are too long to align here."""
    people = [p for p in cited if p.given or show(p).strip().casefold() not in _ET_AL]
    truncated = truncated or len(people) < len(cited)
    names = [author_name(p) for p in people]
    listed = [author_name(p) for p in work]
    if not names or not listed or len(names) * len(listed) > _MAX_CELLS:
        return None
    steps = _align(names, listed, truncated)
    last = max((j for i, j, _ in steps if i is not None and j is not None), default=-1)
    pairs = {i: (j, kind) for i, j, kind in steps if i is not None and j is not None}
    other = {i: j for i, (j, kind) in pairs.items() if kind == "other"}
    near = {i: j for i, (j, kind) in pairs.items() if kind == "near"}
    # The same person unpaired (or paired with someone else) here and there was moved.
    loose_cited = sorted([i for i, j, _ in steps if j is None and i is not None] + [*other])
    loose_work = [j for i, j, _ in steps if i is None and j is not None] + [*other.values()]
    moved: dict[int, int] = {}  # cited -> work
    for at in [*loose_cited, *sorted(near)]:
        taken = set(moved.values())
        place = next(
            (
                j
                for j in [*loose_work, *near.values()]
                if j not in taken and j != near.get(at) and same_author(names[at], listed[j])
            ),
            None,
        )
        if place is not None:
            moved[at] = place

    def missing(j: int) -> list[Mark]:
        if listed[j].group or (truncated and j > last):
            return []  # no one left out: a group, or the tail of a list cited "et al."
        return [Mark("-", MISSING, f"{show(listed[j].person)} (author {j + 1})")]

    def extra(i: int) -> list[Mark]:
        if names[i].group:
            return []
        return [Mark("+", EXTRA, f"{show(names[i].person)} (cited author {i + 1})")]

    marks: list[Mark] = []
    for i, j, kind in steps:
        if i is not None and i in moved:
            where = f"cited as author {i + 1}, is author {moved[i] + 1}"
            marks.append(Mark("↕", MOVED, f"{show(names[i].person)} ({where})"))
            if j is not None and j not in moved.values():
                marks += missing(j)  # the name it was paired with is left unpaired
        elif j is not None and j in moved.values():
            marks += extra(i) if i is not None else []  # marked where it was cited
        elif i is None and j is not None:
            marks += missing(j)
        elif j is None and i is not None:
            marks += extra(i)
        elif i is not None and j is not None and kind != "same":
            sign, code = ("~", MISSPELT) if kind == "near" else ("≠", REPLACED)
            change = f"{show(names[i].person)} → {show(listed[j].person)}"
            marks.append(Mark(sign, code, f"{change} (author {j + 1})"))
        elif i is not None and j is not None:
            c, w = show(names[i].person), show(listed[j].person)
            if c != w:  # kept by agree() only where a finding says the initials differ
                marks.append(Mark("~", INITIALS, f"{c} → {w} (author {j + 1})", c))
    return marks


def agree(marks: Sequence[Mark], findings: Sequence[Finding]) -> list[Mark] | None:
    """The marks that stand for ``findings`` (the verdict's author findings), one or more
    per finding and none without one; None when the two do not tell the same story."""
    wanted = Counter(f.code for f in findings if f.code != MISSING)
    wanted[MISSING] = sum(
        len((f.expected or "").split("; ")) for f in findings if f.code == MISSING
    )
    # An initials mark is only a difference in how a name is written: shown when a finding
    # says the initials differ, dropped otherwise (the comparison saw no problem there).
    initials = {f.cited for f in findings if f.code == INITIALS}
    kept = [m for m in marks if m.code != INITIALS or m.cited in initials]
    have = Counter(m.code for m in kept)
    if wanted[MOVED]:
        wanted[MOVED] = have[MOVED] or 1  # one finding names every moved author
    return kept if +have == +wanted else None
