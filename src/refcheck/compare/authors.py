"""Authors: the cited list against the work's, compared as people.

Family names are folded (case, diacritics, hyphens, spaces, apostrophes) and compared with
and without their particles ("van der", "el", "à"), so "Van Der Kallen", "van der Kallen"
and "Kallen" are one name. Given names are compared by initials, and only the first
initial must agree unless both lists give more. The cited list is then aligned with the
work's list (a small edit-distance alignment) to name exactly which author is missing,
extra, misspelled or out of order.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import chain

from anyascii import anyascii
from rapidfuzz.distance import Levenshtein

from refcheck.compare.text import clean, fold, fold_name
from refcheck.models import Finding, Person, Reference, Work
from refcheck.rules import finding

__all__ = [
    "PARTICLES",
    "AuthorName",
    "author_name",
    "compare_authors",
    "initials",
    "same_author",
    "show",
    "spelled_alike",
]

# Name particles, folded. Compared in any case, attached or detached ("El-Barzouhi").
PARTICLES = frozenset(
    {
        "a", "al", "d", "da", "das", "de", "dei", "degli", "del", "dela", "della", "delle",
        "den", "der", "des", "di", "do", "dos", "du", "el", "het", "l", "la", "le", "les",
        "te", "ten", "ter", "van", "vande", "vanden", "vander", "vom", "von", "vonder", "y",
        "zu", "zum", "zur",
    }
)  # fmt: skip
# Group names often start with these words, which citations drop or keep at will.
_GROUP_LEAD = frozenset({"the", "for", "on", "behalf", "of", "and"})
# Generational suffixes, written with the family ("Smith Jr") or the given name.
_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})
_ET_AL = frozenset({"et al", "et al.", "others", "and others", "et al ."})

_GIVEN_SPLIT = re.compile(r"[\s.\-‐‑]+")


@dataclass(frozen=True, slots=True)
class AuthorName:
    """A person or group, folded for comparison."""

    person: Person
    group: bool
    keys: frozenset[str]  # whole family spellings, with and without particles
    parts: frozenset[str]  # each word of a compound family ("ruiz", "ripoll")
    single: frozenset[str]  # the one word of a simple family name ("ruiz")
    main: str  # the particle-free spelling compared for near-misses
    initials: str  # folded initials of the given names, "" when unknown
    given_key: str  # the folded given name, to spot family/given swapped
    whole: frozenset[str] = frozenset()  # the whole name either way round, for group forms
    words: int = 0  # words of the family as written, particles included ("van den hout": 3)
    # The family read on into the given name's last words, with how many words each holds:
    # "Michael San Jose" (given first) reads as given "Michael San", family "Jose".
    run_on: tuple[tuple[str, int], ...] = ()
    # A whole name held as the family, no given name: the family of each way it splits.
    splits: frozenset[str] = frozenset()


def initials(given: str) -> str:
    """The initials of given names: "Carmen L.A.M." == "C.L.A.M." == "CLAM" -> "clam"."""
    out: list[str] = []
    for part in _GIVEN_SPLIT.split(anyascii(clean(given))):
        letters = part if part.isalpha() else "".join(c for c in part if c.isalpha())
        if not letters or letters.casefold() in _SUFFIXES:
            continue
        if letters.isupper() and len(letters) <= 4:
            out.append(letters)  # "CLAM", "JG": a run of capital initials
        else:
            out.append(letters[0])
    return "".join(out).casefold()


def _family_keys(family: str) -> tuple[set[str], set[str], set[str], str, int]:
    keys: set[str] = set()
    parts: set[str] = set()
    single: set[str] = set()
    main = ""
    size = 0
    for spelling in fold_name(family):
        words = [w for w in spelling.split() if w not in _SUFFIXES] or spelling.split()
        if not words or all(len(w) == 1 for w in words):
            continue  # nothing but initials: no family name to compare
        size = size or len(words)
        keys.add("".join(words))
        # Single letters inside a family are stray initials ("J. Garegg"), or "à".
        core = [w for w in words if w not in PARTICLES and len(w) > 1]
        if core:
            keys.add("".join(core))
            # Words of a compound stand alone only when each is a real name: a two-letter
            # word is more likely a mistyped particle ("pE Graaff" for "de Graaff").
            if all(len(w) > 2 for w in core):
                parts.update(core)
            if len(core) == 1:
                single.add(core[0])
            main = main or "".join(core)
        main = main or "".join(words)
    return keys, parts, single, main, size


def _split_keys(name: str) -> set[str]:
    """A whole name held as the family ("Молчанов Владимир Петрович", "Nur Hashima Abdul
    Rashid", as DataCite creators often are): the family spellings of every split into
    given and family names, its first words or its last, so that "Молчанов, В. П.",
    "Abdul Rashid, N. H." and "Rashid, N." all name it and a misspelling is near one.
    Asked of the work's name only: a cited "Vxn Den Hout" is no "Hout"."""
    words = name.split()
    found: set[str] = set()
    for cut in range(1, min(len(words), 6)):
        for piece in (words[:cut], words[-cut:]):
            if any(len(w.strip(".")) > 1 and w.casefold() not in PARTICLES for w in piece):
                found |= _family_keys(" ".join(piece))[0]
    return found


def _is_initials(token: str) -> bool:
    """'W', 'PH', 'J.-F.', 'ÁE', 'ЛС': one to three capitals, with dots or hyphens."""
    letters = token.replace(".", "").replace("-", "")
    return 0 < len(letters) <= 3 and letters.isalpha() and letters.isupper()


def _split_trailing_initials(family: str) -> tuple[str, str | None]:
    """'Brinjikji W' -> ('Brinjikji', 'W'): a reader left the initials in the family."""
    parts = family.split()
    if len(parts) < 2:
        return family, None
    tail: list[str] = []
    # A particle comes before a name, never last: a trailing "A" or "Y" is an initial.
    while len(parts) > 1 and _is_initials(parts[-1]):
        tail.insert(0, parts.pop())
    if not tail:
        return family, None
    return " ".join(parts), " ".join(tail)


def _group_key(literal: str) -> str:
    words = fold(literal).split()
    while words and words[0] in _GROUP_LEAD:
        words.pop(0)
    return "".join(words)


# Folded names by (family, given, literal): a Person is those three strings, and a tuple of
# them hashes and compares far faster than the pydantic model itself.
_FOLDED: dict[tuple[str | None, str | None, str | None], AuthorName] = {}
_FOLDED_LIMIT = 32768


def author_name(person: Person) -> AuthorName:
    """Fold one author for comparison (cached: works recur across references)."""
    key = (person.family, person.given, person.literal)
    name = _FOLDED.get(key)
    if name is None:
        if len(_FOLDED) >= _FOLDED_LIMIT:
            _FOLDED.clear()  # a run's worth of authors; refolding the next ones is cheap
        name = _FOLDED[key] = _fold_author(person)
    return name


def _fold_author(person: Person) -> AuthorName:
    if person.is_group or not (person.family or person.given):
        key = _group_key(person.literal or "")
        group_keys = frozenset({key}) if key else frozenset()
        return AuthorName(person, True, group_keys, frozenset(), frozenset(), key, "", "")
    family = person.family or ""
    given = person.given
    if not fold(family):  # "-" or "": the whole name sits in the given name
        family, given = person.given or "", None
    unsplit = not given
    if not given:
        family, given = _split_trailing_initials(family)
    keys, parts, single, main, size = _family_keys(family)
    given_key = fold(given).replace(" ", "") if given else ""
    family_key = _group_key(family)
    whole = {family_key, given_key + family_key, family_key + given_key} - {""}
    return AuthorName(
        person,
        False,
        frozenset(keys),
        frozenset(parts),
        frozenset(single),
        main,
        initials(given) if given else "",
        given_key,
        frozenset(whole),
        size,
        _run_on(given, family, size),
        frozenset(_split_keys(family)) if unsplit else frozenset(),
    )


def _run_on(given: str | None, family: str, size: int) -> tuple[tuple[str, int], ...]:
    """The family with the given name's last whole words before it, each with its count of
    words: where a name is written given name first, a reader cannot tell where the given
    name ends ("Michael San Jose"), so part of a compound family may sit in the given."""
    words = given.split() if given else []
    family_key = fold(family).replace(" ", "")
    out: list[tuple[str, int]] = []
    # One given word at least stays the given name; initials ("A.", "JA") end the run.
    for k in range(1, min(len(words), 3)):
        if len(fold(words[-k]).replace(" ", "")) < 2 or words[-k].rstrip(".").isupper():
            break
        run = "".join(fold(w).replace(" ", "") for w in words[-k:])
        out.append((run + family_key, k + size))
    return tuple(out)


def _is_et_al(person: Person) -> bool:
    text = (person.family or person.literal or "").strip().casefold()
    return not person.given and text in _ET_AL


def _near(a: str, b: str) -> bool:
    """Spelled alike: one or two letters apart (by length), or 80% the same."""
    if not a or not b:
        return False
    longest = max(len(a), len(b))
    # 80% the same is at most a fifth of the longer spelling edited (normalized Levenshtein
    # similarity 1 - distance/longest >= 0.8), so one bounded distance decides both tests.
    limit = 1 if longest < 8 else max(2, longest // 5)
    if abs(len(a) - len(b)) > limit:
        return False
    return Levenshtein.distance(a, b, score_cutoff=limit) <= limit


def _swapped(cited: AuthorName, work: AuthorName) -> bool:
    """Family and given exchanged in one source (common for East Asian names)."""
    if not cited.given_key or not work.given_key:
        return bool(work.given_key) and work.given_key in cited.keys
    return cited.given_key[:1] == work.main[:1] and work.given_key in cited.keys


def same_author(cited: AuthorName, work: AuthorName) -> bool:
    """Do two names denote the same author (ignoring initials)?"""
    if cited.group != work.group:
        # A name braced whole in BibTeX ("{Hong Lin}") is read as a group: same letters.
        group, person = (cited, work) if cited.group else (work, cited)
        return bool(group.keys & person.whole)
    if not cited.keys or not work.keys:
        return True  # nothing to compare ("-", an empty name): not evidence of a mistake
    if cited.group:
        return bool(cited.keys & work.keys) or _near(cited.main, work.main)
    # One side keeps the whole name in its family field ("Yu-Sheng Lu" with no given name,
    # as some Crossref deposits do): the same letters either way round agree.
    if (not cited.given_key or not work.given_key) and cited.whole & work.whole:
        return True
    return _same_family(cited, work) or _swapped(cited, work)


def _same_family(cited: AuthorName, work: AuthorName) -> bool:
    if cited.keys & work.keys or cited.keys & work.splits:
        # "Wall" is "Vander Wall" without its particle, unless the particle is there,
        # misspelt, read into the given name ("Jean Vandyr Wall").
        return not _misspelt_run_on(cited, work)
    if any(key in work.keys for key, _ in cited.run_on):
        return True  # "Wei Lo Russo", read as given "Wei Lo", family "Russo"
    # One word of a compound family cited alone ("Ruiz" for "Ruiz Ripoll"), either way
    # round; a compound cited in full must match in full, so a typo in it is caught. As
    # many words on both sides is the whole name with one misspelt, even where the other
    # side's only core word is among them ("Vxn Den Hout" for "van den Hout").
    if cited.words and cited.words == work.words:
        return False
    if not (cited.single & work.parts or work.single & cited.parts):
        return False
    # The rest of the compound read into the cited given name: it must be spelled right.
    return not _misspelt_run_on(cited, work)


def _misspelt_run_on(cited: AuthorName, work: AuthorName) -> bool:
    """Does the cited family, read on into its given name to as many words as the work's
    family, spell the work's family nearly but not exactly ("Michael Sxn Jose")?"""
    whole = [key for key, size in cited.run_on if size == work.words]
    if not work.given_key and cited.given_key and cited.given_key != cited.initials:
        # The record holds the whole name as the family ("Hong Lin", no given name): the
        # cited given name and family are that name, either way round ("Hong Lir."). Not
        # where the citation gives initials only ("Masera, O. R." for "Omar R Masera").
        whole += [key for key in cited.whole if key not in cited.keys]
    if not whole or any(key in work.keys for key in whole):
        return False
    # Given names the work's own initials account for are given names ("Ana Silvia Santos"
    # for "Silva Santos, Ana Silvia" leaves out a surname, it misspells none).
    if cited.initials and _subsequence(cited.initials, work.initials):
        return False
    return any(_near(key, other) for key in whole for other in work.keys)


def _initials_agree(cited: AuthorName, work: AuthorName) -> bool:
    if not _same_family(cited, work):
        return True  # matched with family and given swapped: initials say nothing
    a, b = cited.initials, work.initials
    if not a or not b or a[0] == b[0]:
        if len(a) < 2 or len(b) < 2:
            return True
        return _subsequence(a, b) or _subsequence(b, a)
    # Known by a middle name ("J. Craig Venter" cited "C. Venter"): not clearly different.
    return a[0] in b or b[0] in a


def _subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(c in it for c in short)


def show(person: Person) -> str:
    """'Luetmer, P.H.' — how a finding names an author."""
    if person.is_group or not person.family:
        return person.literal or person.given or ""
    return f"{person.family}, {person.given}" if person.given else person.family


# Alignment costs. A near-miss spelling is cheaper than a gap so "Brinjiki" pairs with
# "Brinjikji"; an unrelated name is cheaper than two gaps, so a replaced author pairs up.
_MATCH, _NEAR, _OTHER, _GAP = 0.0, 0.5, 1.6, 1.0
_MAX_CELLS = 40_000  # beyond this (collaborations of thousands), align position by position


@dataclass(frozen=True, slots=True)
class _Step:
    cited: int | None
    work: int | None
    kind: str  # "same", "near", "other", "missing", "extra"


def spelled_alike(cited: AuthorName, work: AuthorName) -> bool:
    """The same author, or a family name one or two letters off (a likely misspelling)."""
    return _pair_kind(cited, work) in ("same", "near")


def _pair_kind(c: AuthorName, w: AuthorName) -> str:
    if same_author(c, w):
        return "same"
    if c.group != w.group:
        return "none"
    if c.group:
        return "other"  # two groups, not the same: one replaced the other
    if _near(c.main, w.main) or any(_near(k, m) for k in c.keys for m in chain(w.keys, w.splits)):
        return "near"  # with particles too: "Vxn Den Hout", "xon Sallmann"
    if _misspelt_run_on(c, w) or _misspelt_run_on(w, c):
        return "near"  # a compound family read partly as the given name: "Michael Sxn Jose"
    # Scripts anyascii spells out at length (Hangul, Han): compare as written.
    a, b = (c.person.family or "").casefold(), (w.person.family or "").casefold()
    if len(a) > 1 and len(b) > 1 and Levenshtein.distance(a, b) <= 1:
        return "near"
    return "other"


def _align(cited: Sequence[AuthorName], work: Sequence[AuthorName], truncated: bool) -> list[_Step]:
    n, m = len(cited), len(work)
    if n * m > _MAX_CELLS:
        return _align_linear(cited, work)
    kinds = [[_pair_kind(c, w) for w in work] for c in cited]
    inf = float("inf")
    cost = [[inf] * (m + 1) for _ in range(n + 1)]
    move: list[list[str]] = [[""] * (m + 1) for _ in range(n + 1)]
    cost[0][0] = 0.0

    def gap_work(i: int, j: int) -> float:  # work[j] left out of the cited list
        if work[j].group or (truncated and i == n):
            return 0.0
        return _GAP

    def gap_cited(i: int) -> float:  # cited[i] not in the work's list
        return 0.0 if cited[i].group else _GAP

    pair_cost = {"same": _MATCH, "near": _NEAR, "other": _OTHER, "none": inf}
    for i in range(n + 1):
        for j in range(m + 1):
            here = cost[i][j]
            if here == inf:
                continue
            if i < n and j < m:
                c = here + pair_cost[kinds[i][j]]
                if c < cost[i + 1][j + 1]:
                    cost[i + 1][j + 1], move[i + 1][j + 1] = c, "pair"
            if j < m:
                c = here + gap_work(i, j)
                if c < cost[i][j + 1]:
                    cost[i][j + 1], move[i][j + 1] = c, "missing"
            if i < n:
                c = here + gap_cited(i)
                if c < cost[i + 1][j]:
                    cost[i + 1][j], move[i + 1][j] = c, "extra"
    steps: list[_Step] = []
    i, j = n, m
    while i or j:
        step = move[i][j]
        if step == "pair":
            i, j = i - 1, j - 1
            steps.append(_Step(i, j, kinds[i][j]))
        elif step == "missing":
            j -= 1
            steps.append(_Step(None, j, "missing"))
        else:
            i -= 1
            steps.append(_Step(i, None, "extra"))
    steps.reverse()
    return steps


def _align_linear(cited: Sequence[AuthorName], work: Sequence[AuthorName]) -> list[_Step]:
    steps = [_Step(k, k, _pair_kind(cited[k], work[k])) for k in range(min(len(cited), len(work)))]
    steps = [s if s.kind != "none" else _Step(s.cited, s.work, "other") for s in steps]
    steps += [_Step(k, None, "extra") for k in range(len(work), len(cited))]
    steps += [_Step(None, k, "missing") for k in range(len(cited), len(work))]
    return steps


def _ordinal_range(indices: Sequence[int]) -> str:
    if len(indices) == 1:
        return f"Author {indices[0] + 1}"
    return f"Authors {indices[0] + 1}–{indices[-1] + 1}"


def _families(names: Sequence[AuthorName], limit: int = 0) -> str:
    """'Kasch, R.; Truthmann, J.; ...': the list, cut after ``limit`` names if given."""
    shown = [show(n.person) for n in (names[:limit] if limit else names)]
    return "; ".join(shown) + ("; ..." if limit and len(names) > limit else "")


def _missing_runs(indices: Sequence[int]) -> list[list[int]]:
    runs: list[list[int]] = []
    for index in sorted(indices):
        if runs and runs[-1][-1] == index - 1:
            runs[-1].append(index)
        else:
            runs.append([index])
    return runs


@dataclass
class _Outcome:
    """What the alignment says, once moved and replaced authors are told apart."""

    same: dict[int, int] = field(default_factory=dict)  # cited -> work, same person
    near: dict[int, int] = field(default_factory=dict)  # cited -> work, spelled differently
    replaced: dict[int, int] = field(default_factory=dict)  # cited -> work, someone else
    moved: dict[int, int] = field(default_factory=dict)  # cited -> work, in another place
    extra: list[int] = field(default_factory=list)  # cited, not an author
    missing: list[int] = field(default_factory=list)  # work, not cited


def _reconcile(
    cited: Sequence[AuthorName], listed: Sequence[AuthorName], truncated: bool
) -> _Outcome:
    out = _Outcome()
    other: dict[int, int] = {}
    for step in _align(cited, listed, truncated):
        i, j = step.cited, step.work
        if i is not None and j is not None:
            {"same": out.same, "near": out.near, "other": other}[step.kind][i] = j
        elif i is not None and not cited[i].group:
            out.extra.append(i)
        elif j is not None and not listed[j].group:
            out.missing.append(j)
    loose_cited = [*out.extra, *other]
    loose_work = [*out.missing, *other.values()]

    # The same person "extra" (or near-paired) here and "missing" there was moved.
    for i in [*loose_cited, *sorted(out.near)]:
        candidates = [*loose_work, *out.near.values()]
        j = next(
            (j for j in candidates if j != out.near.get(i) and same_author(cited[i], listed[j])),
            None,
        )
        if j is None:
            continue
        out.moved[i] = j
        if i in loose_cited:
            loose_cited.remove(i)
        if i in out.near:
            loose_work.append(out.near.pop(i))  # its near partner is unaccounted for now
        if j in loose_work:
            loose_work.remove(j)
        partner = next((c for c, w in out.near.items() if w == j), None)
        if partner is not None:
            del out.near[partner]
            loose_cited.append(partner)

    # Paired with an unrelated name that is still unaccounted for: one replaced the other.
    for i in list(loose_cited):
        j = other.get(i)
        if j is not None and j in loose_work:
            out.replaced[i] = j
            loose_cited.remove(i)
            loose_work.remove(j)
    out.extra = sorted(loose_cited)
    out.missing = sorted(loose_work)
    if truncated:
        # With "et al.", the authors after the last one cited are simply not listed.
        reached = [*out.same.values(), *out.near.values(), *out.replaced.values()]
        last = max([-1, *reached, *out.moved.values()])
        out.missing = [j for j in out.missing if j < last]
    return out


def compare_authors(reference: Reference, work: Work) -> list[Finding]:
    """Findings on the author list: reordered, missing, then per cited author."""
    truncated = reference.authors_truncated
    cited_people: list[Person] = []
    for person in reference.authors:
        if _is_et_al(person):
            truncated = True
        else:
            cited_people.append(person)
    if not cited_people or not work.authors:
        return []
    cited = [author_name(p) for p in cited_people]
    if truncated and 3 <= len(cited) < len(work.authors) - 1:
        last = author_name(work.authors[-1])
        at_cut = author_name(work.authors[len(cited) - 1])
        if same_author(cited[-1], last) and not same_author(cited[-1], at_cut):
            cited = cited[:-1]  # APA 7: the first authors, an ellipsis, the last author
    # A huge collaboration cited by a prefix: only the head of its list can pair up.
    limit = len(work.authors)
    if truncated:
        limit = min(limit, 2 * len(cited) + 10)
    listed = [author_name(p) for p in work.authors[:limit]]
    # Pieces of a name the record holds whole are aligned with nothing: they are its own.
    copied = _copied_pieces(cited, listed)
    kept = [i for i in range(len(cited)) if i not in copied]
    out = _reindexed(_reconcile([cited[i] for i in kept], listed, truncated), kept)
    out.missing = [j for j in out.missing if not _unnamed(listed[j].person)]

    findings: list[Finding] = []
    if out.moved:
        span = max(len(cited), max(out.moved.values()) + 1)
        findings.append(
            finding(
                "RC304",
                "The cited authors are in another order than the work's: "
                + ", ".join(
                    f"'{show(cited[i].person)}' is author {j + 1}, cited as author {i + 1}"
                    for i, j in sorted(out.moved.items())
                ),
                cited=_families(cited),
                expected=_families(listed[:span]),
            )
        )
    for run in _missing_runs(out.missing):
        names = [show(listed[k].person) for k in run]
        shown = ", ".join(f"'{n}'" for n in names[:4]) + (", ..." if len(names) > 4 else "")
        verb = "is" if len(run) == 1 else "are"
        hint = ""
        if len(run) > 1 and run[-1] == len(listed) - 1:
            hint = " (end the list with 'et al.' if it is shortened on purpose)"
        findings.append(
            finding(
                "RC301",
                f"{_ordinal_range(run)} {shown} {verb} missing from the cited list{hint}",
                cited=_families(cited, _LIST_LIMIT),
                expected="; ".join(names),
            )
        )
    for i, c in enumerate(cited):
        findings.extend(_finding_for(i, c, listed, out, work.registry))
    return findings


def _copied_pieces(cited: Sequence[AuthorName], listed: Sequence[AuthorName]) -> set[int]:
    """The cited "people" made only of the words of a name the record holds whole.

    Crossref deposits hold affiliations as authors ("Assistant Professor, Department of
    Microbiology, ..."), or several people in one author's given name ("DAWSON", "C.
    SOTELO-MONTES† and I. K."); a reader splits such a name at its commas and "and"s into
    people. A citation that copies them copies the record: no extra author. The piece
    that is the holding person itself (same family) still pairs with them.
    """
    held: list[tuple[set[str], AuthorName | None]] = []
    for n in listed:
        if n.group:
            held.append((set(fold(n.person.literal or "").split()), None))
        elif _HOLDS_OTHERS.search(n.person.given or ""):
            held.append((_words_of(n), n))
    held = [(words, n) for words, n in held if len(words) >= 2]
    if not held:
        return set()
    return {
        i
        for i, c in enumerate(cited)
        if not c.group
        and (words := _words_of(c))
        and any(words <= h and (n is None or not _same_family(c, n)) for h, n in held)
    }


# A given name that holds more people than one: "C. SOTELO-MONTES† and I. K.".
_HOLDS_OTHERS = re.compile(r"\s(?:and|&)\s|[;†‡*]|,\s*\w")


def _reindexed(out: _Outcome, kept: Sequence[int]) -> _Outcome:
    """The outcome of aligning ``kept`` cited names, in the whole cited list's numbering."""
    if len(kept) == max(kept, default=-1) + 1:
        return out  # nothing left out
    return _Outcome(
        same={kept[i]: j for i, j in out.same.items()},
        near={kept[i]: j for i, j in out.near.items()},
        replaced={kept[i]: j for i, j in out.replaced.items()},
        moved={kept[i]: j for i, j in out.moved.items()},
        extra=[kept[i] for i in out.extra],
        missing=out.missing,
    )


def _words_of(name: AuthorName) -> set[str]:
    person = name.person
    return set(fold(f"{person.family or ''} {person.given or ''}").split())


def _unnamed(person: Person) -> bool:
    """A deposit's person whose family is only a mark ("-"), the name in the given part:
    a citation that could not pair it copied the mark, it did not leave anyone out."""
    return bool(person.family) and not fold(person.family or "") and bool(person.given)


# How many names a finding shows of a whole author list.
_LIST_LIMIT = 12


def _finding_for(
    i: int, c: AuthorName, listed: Sequence[AuthorName], out: _Outcome, registry: str
) -> list[Finding]:
    """The finding on cited author ``i``, if any."""
    name = show(c.person)
    if i in out.replaced:
        w = listed[out.replaced[i]]
        return [
            finding(
                "RC302",
                f"Cited author {i + 1} '{name}' is not an author of this work; "
                f"{registry}'s author {out.replaced[i] + 1} is '{show(w.person)}'",
                cited=name,
                expected=show(w.person),
            )
        ]
    if i in out.extra:
        return [
            finding(
                "RC302",
                f"Cited author {i + 1} '{name}' is not an author of this work",
                cited=name,
                expected=_families(listed, _LIST_LIMIT),  # the authors it does have
            )
        ]
    if i in out.near:
        w = listed[out.near[i]]
        return [
            finding(
                "RC303",
                f"Author {i + 1} is cited as '{name}'; {registry} spells it '{show(w.person)}'",
                cited=name,
                expected=show(w.person),
            )
        ]
    if i in out.same and not c.group and not _initials_agree(c, listed[out.same[i]]):
        w = listed[out.same[i]]
        return [
            finding(
                "RC305",
                f"Author {i + 1} '{name}': {registry} has '{show(w.person)}' (initials differ)",
                cited=name,
                expected=show(w.person),
            )
        ]
    return []
