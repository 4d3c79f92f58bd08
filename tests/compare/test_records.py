"""References built from real Crossref records (works-dev): harmless variations must pass
clean, one injected error must be caught on its own field, and compare must stay fast.

A sample of the records keeps this quick; /tmp-style benchmarks run it on all of them.
"""

from __future__ import annotations

import gzip
import json
import random
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from refcheck.compare import compare
from refcheck.match import is_same_work
from refcheck.models import Finding, Person, Reference, Severity, Work
from refcheck.rules import BY_CODE

STRIDE = 6  # every sixth usable record: ~450 works, a few thousand references


@pytest.fixture(scope="module")
def works(shared: Path) -> list[Work]:
    out: list[Work] = []
    with gzip.open(shared / "crossref" / "works-dev.jsonl.gz", "rt", encoding="utf-8") as lines:
        for line in lines:
            work = Work.from_crossref(json.loads(line))
            if work.title and any(not a.is_group for a in work.authors):
                out.append(work)
    return out[::STRIDE]


def cited_as(work: Work) -> Reference:
    return Reference(
        authors=tuple(
            Person(family=a.family, given=a.given) for a in work.authors if not a.is_group
        ),
        title=f"{work.title}: {work.subtitle}" if work.subtitle else work.title,
        container=work.container_title[0] if work.container_title else None,
        year=work.year,
        volume=work.volume,
        issue=work.issue,
        pages=work.page or work.article_number,
    )


def initials_only(given: str | None) -> str | None:
    if not given:
        return None
    letters = [p[0].upper() for p in re.split(r"[\s.\-]+", given) if p]
    return ".".join(letters) + "." if letters else None


def harmless(work: Work, ref: Reference) -> Iterator[tuple[str, Reference]]:
    yield "as-is", ref
    if ref.title:
        yield (
            "sentence-case",
            ref.model_copy(update={"title": ref.title[0] + ref.title[1:].lower()}),
        )
        yield "quoted", ref.model_copy(update={"title": f"“{ref.title}.”"})
    if work.subtitle:
        yield "no-subtitle", ref.model_copy(update={"title": work.title})
    yield (
        "initials",
        ref.model_copy(
            update={
                "authors": tuple(
                    Person(family=a.family, given=initials_only(a.given)) for a in ref.authors
                )
            }
        ),
    )
    yield (
        "particles-capitalised",
        ref.model_copy(
            update={
                "authors": tuple(
                    Person(
                        family=" ".join(w[:1].upper() + w[1:] for w in (a.family or "").split()),
                        given=a.given,
                    )
                    for a in ref.authors
                )
            }
        ),
    )
    if len(ref.authors) > 3:
        yield (
            "et-al",
            ref.model_copy(update={"authors": ref.authors[:3], "authors_truncated": True}),
        )
    short = work.short_container_title[0] if work.short_container_title else None
    if short:
        yield "journal-abbreviated", ref.model_copy(update={"container": short})
    if work.published_online and work.published_online[0] in work.years:
        yield "online-year", ref.model_copy(update={"year": work.published_online[0]})
    match = re.fullmatch(r"(\d+)-(\d+)", work.page or "")
    if match and len(match[1]) == len(match[2]) and match[1] != match[2]:
        first, last = match[1], match[2]
        keep = next(i for i in range(len(first)) if first[i] != last[i])
        yield "pages-abbreviated", ref.model_copy(update={"pages": f"pp. {first}–{last[keep:]}"})
    if ref.volume and ref.volume.isdigit():
        yield "volume-label", ref.model_copy(update={"volume": f"Vol. {ref.volume}"})


def misspell(name: str, rng: random.Random) -> str:
    spots = [i for i, c in enumerate(name) if c.isalpha()]
    i = rng.choice(spots)
    letter = rng.choice([c for c in "bcdfgkmpstvz" if c != name[i].lower()])
    return name[:i] + letter + name[i + 1 :]


Inject = Callable[[Work, Reference, random.Random, list[Work]], Reference | None]


def _volume(work: Work, ref: Reference, rng: random.Random, others: list[Work]) -> Reference | None:
    if not (ref.volume and ref.volume.isdigit()):
        return None
    return ref.model_copy(update={"volume": str(int(ref.volume) + 1)})


def _issue(work: Work, ref: Reference, rng: random.Random, others: list[Work]) -> Reference | None:
    if not (ref.issue and ref.issue.isdigit()):
        return None
    return ref.model_copy(update={"issue": str(int(ref.issue) + rng.choice([1, 2]))})


def _first_page(
    work: Work, ref: Reference, rng: random.Random, others: list[Work]
) -> Reference | None:
    match = re.fullmatch(r"([A-Za-z]*)(\d+)(?:-[A-Za-z]*(\d+))?", ref.pages or "")
    if not match:
        return None
    prefix, first, last = match[1], int(match[2]), match[3]
    shifted = first + rng.choice([1, 2, 10])
    end = f"-{max(int(last), shifted + 3)}" if last else ""
    return ref.model_copy(update={"pages": f"{prefix}{shifted}{end}"})


def _year(work: Work, ref: Reference, rng: random.Random, others: list[Work]) -> Reference | None:
    if ref.year is None:
        return None
    choices = [ref.year + d for d in (-3, -2, -1, 1, 2, 3) if ref.year + d not in work.years]
    return ref.model_copy(update={"year": rng.choice(choices)})


def _misspelled(
    work: Work, ref: Reference, rng: random.Random, others: list[Work]
) -> Reference | None:
    people = [i for i, a in enumerate(ref.authors) if len(a.family or "") >= 3]
    if not people:
        return None
    i = rng.choice(people)
    authors = list(ref.authors)
    authors[i] = Person(family=misspell(authors[i].family or "", rng), given=authors[i].given)
    return ref.model_copy(update={"authors": tuple(authors)})


def _removed(
    work: Work, ref: Reference, rng: random.Random, others: list[Work]
) -> Reference | None:
    if len(ref.authors) < 3:
        return None
    i = rng.randrange(1, len(ref.authors) - 1)
    return ref.model_copy(update={"authors": ref.authors[:i] + ref.authors[i + 1 :]})


def _extra(work: Work, ref: Reference, rng: random.Random, others: list[Work]) -> Reference | None:
    donor = rng.choice(others).authors[0]
    i = rng.randrange(len(ref.authors) + 1)
    person = Person(family=donor.family, given=donor.given)
    return ref.model_copy(update={"authors": (*ref.authors[:i], person, *ref.authors[i:])})


def _swapped(
    work: Work, ref: Reference, rng: random.Random, others: list[Work]
) -> Reference | None:
    if len(ref.authors) < 2 or ref.authors[0].family == ref.authors[1].family:
        return None
    return ref.model_copy(update={"authors": (ref.authors[1], ref.authors[0], *ref.authors[2:])})


def _title(work: Work, ref: Reference, rng: random.Random, others: list[Work]) -> Reference | None:
    donor = rng.choice([o for o in others if o.title and o.title != work.title])
    return ref.model_copy(update={"title": donor.title})


ERRORS: dict[str, tuple[str, Inject]] = {
    "volume": ("RC601", _volume),
    "issue": ("RC602", _issue),
    "first-page": ("RC603", _first_page),
    "year": ("RC401", _year),
    "misspelled-author": ("RC303", _misspelled),
    "removed-author": ("RC301", _removed),
    "extra-author": ("RC302", _extra),
    "swapped-authors": ("RC304", _swapped),
    "other-title": ("RC201", _title),
}


def serious(findings: list[Finding]) -> list[Finding]:
    """Warnings and errors on what the citation says (not on the work's own updates)."""
    return [
        f for f in findings
        if f.severity is not Severity.INFO and not f.code.startswith("RC7")
    ]  # fmt: skip


def test_harmless_variants_raise_no_alarm(works: list[Work]) -> None:
    total, alarms = 0, []
    for work in works:
        for kind, ref in harmless(work, cited_as(work)):
            total += 1
            found = serious(compare(ref, work))
            if found:
                alarms.append((kind, work.doi, [(f.code, f.cited, f.expected) for f in found]))
    assert total > 2000
    assert len(alarms) / total <= 0.005, alarms[:10]


def test_harmless_variants_are_the_same_work(works: list[Work]) -> None:
    rejected = [
        (kind, work.doi)
        for work in works
        for kind, ref in harmless(work, cited_as(work))
        if not is_same_work(ref, work)
    ]
    assert rejected == []


@pytest.mark.parametrize("kind", sorted(ERRORS))
def test_one_injected_error_is_caught_on_its_field(works: list[Work], kind: str) -> None:
    code, inject = ERRORS[kind]
    field = BY_CODE[code].field
    rng = random.Random(kind)
    total, caught, named, same = 0, 0, 0, 0
    for work in works:
        ref = inject(work, cited_as(work), rng, works)
        if ref is None:
            continue
        total += 1
        found = [f for f in serious(compare(ref, work)) if f.field == field]
        caught += bool(found)
        named += any(f.code == code for f in found)
        same += is_same_work(ref, work)
    assert total > 100
    assert caught / total >= 0.99, (kind, caught, total)
    assert named / total >= 0.98, (kind, named, total)
    if kind != "other-title":
        assert same == total  # one wrong field still identifies the work


def test_compare_is_fast(works: list[Work]) -> None:
    pairs = [(ref, work) for work in works for _, ref in harmless(work, cited_as(work))]
    start = time.perf_counter()
    for ref, work in pairs:
        compare(ref, work)
    per_reference = (time.perf_counter() - start) / len(pairs)
    assert per_reference < 0.002


def test_counts_are_deterministic(works: list[Work]) -> None:
    first = Counter(f.code for w in works for f in compare(cited_as(w), w))
    second = Counter(f.code for w in works for f in compare(cited_as(w), w))
    assert first == second
