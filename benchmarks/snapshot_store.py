"""Snapshot stores at scale: import rate and offline matching rate. Prints figures; not a test.

1. Simulation. ``--records`` works (default 1,000,000) are drawn from the 3,114 real records
   of ../shared/crossref/works-dev.jsonl.gz and written as gzipped JSON lines, the real
   records among them at random places. Half the simulated works are near-duplicates of a
   real one (its title with one to three words replaced, inserted, dropped or swapped,
   a year two to five years off, often another volume and pages, sometimes an author
   changed); the other half
   are other works of its journal (a title of corpus words, authors drawn from the corpus,
   another year, volume and pages). Every other field - reference lists, licences, funders -
   is the real record's, so lines are as heavy as Crossref's (about 7 KB). Each real work is
   thus to be found among some 160 look-alikes, and every one of its words is common.
2. Import. ``import_records`` into a new store: wall time, records/s, CPU seconds of all
   processes (the machine may be shared: CPU time says what the import itself cost), size.
3. Matching. Each usable real record becomes two references without their DOI: a BibTeX
   entry (benchmarks/accuracy.py's rendering, with its harmless variations) read by
   refcheck, and an APA-like free-text string parsed by refcheck. Each is matched as the
   offline check does: ``search(verify.query_for(reference), rows=5)`` then
   ``verify.choose``. Right DOI = the record's DOI chosen. Sources compared: the store
   of ``--records`` works; a store of the real records alone and the in-memory Snapshot
   of them (same answers by construction); the online path, Crossref's search as served
   by the loopback stand-in holding the real records (``--no-online`` skips it). Last, the
   references of each kind go through the whole offline check (``check_async`` with the
   store as the resolver's snapshot) for the end-to-end rate: searching in this process
   (``jobs=1``, the default), then in two worker processes (``--jobs 2``).

    .venv/bin/python benchmarks/snapshot_store.py [--records N] [--workdir DIR] [--limit N]
        [--workers N] [--no-online] [--free-text-first]

``--workdir`` keeps the simulated file and the store there (a simulated file of the same
size is reused); by default they go to a temporary folder, removed at the end. The kind
matched first against the large store pays the cold costs (its pages, each look-alike's
names met for the first time); ``--free-text-first`` swaps the order.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import io
import json
import os
import random
import re
import resource
import statistics
import string
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from accuracy import VARIATIONS, Case, first, render, usable, year_parts

from refcheck import verify
from refcheck.api import check_async, read_references
from refcheck.config import Settings
from refcheck.models import Location, Reference, Work
from refcheck.parse.reference import parse_reference, to_reference
from refcheck.resolve.crossref import CrossrefClient
from refcheck.resolve.pacing import Limits, Pacer
from refcheck.resolve.resolver import Resolver
from refcheck.resolve.search_index import STOP_WORDS
from refcheck.resolve.snapshot import Snapshot
from refcheck.resolve.store import SnapshotStore, import_records
from refcheck.testing.crossref_standin import CrossrefStandin

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
WORKS = SHARED / "crossref" / "works-dev.jsonl.gz"
SEED = 20261125
ROWS = 5
# The order the kinds are matched in: the first pays the cold costs (pages, names).
KINDS = ("bibtex", "free text")

# What a simulated work changes of the real record it is drawn from.
VARIED = (
    "DOI",
    "title",
    "author",
    "volume",
    "page",
    "issued",
    "published-print",
    "published-online",
    "published",
)
DATES = ("issued", "published-print", "published-online", "published")
TAG = re.compile(r"<[^>]+>")
WORD = re.compile(r"[^\W\d_]{3,}")


# --- simulation ----------------------------------------------------------------------------


class Simulator:
    """Works drawn from real records: near-duplicates of one, or other works of its journal."""

    def __init__(self, records: Sequence[dict[str, Any]], seed: int = SEED) -> None:
        self.records = list(records)
        self.rng = random.Random(seed)
        titles = [first(r.get("title")) or "" for r in self.records]
        # No stop words: a title with "of" replaced by "the" would be the same title.
        self.vocabulary = [
            w for t in titles for w in WORD.findall(t) if w.casefold() not in STOP_WORDS
        ]
        self.people = [
            a for r in self.records for a in r.get("author") or [] if isinstance(a, dict)
        ]
        self._encode = json.JSONEncoder(ensure_ascii=False).encode
        # Each record's fields that are never varied, serialised once.
        self._rest = [
            self._encode({k: v for k, v in r.items() if k not in VARIED})[1:-1]
            for r in self.records
        ]

    def line(self, number: int) -> str:
        """The JSON line of simulated work ``number``; its DOI is unique to the number."""
        rng = self.rng
        index = rng.randrange(len(self.records))
        base = self.records[index]
        varied = {k: base[k] for k in VARIED if k in base}
        prefix = str(base.get("DOI", "10.5555/x")).split("/", 1)[0]
        suffix = "".join(rng.choices(string.ascii_lowercase + string.digits, k=6))
        varied["DOI"] = f"{prefix}/sim.{number}.{suffix}"
        title = first(base.get("title")) or "Untitled"
        if rng.random() < 0.5:
            varied["title"] = [self._perturbed(title)]
            self._perturb_numbers(varied, base, always=False)
        else:
            length = max(3, len(title.split()) + rng.randint(-3, 3))
            varied["title"] = [" ".join(rng.choices(self.vocabulary, k=length)).capitalize()]
            varied["author"] = [self._person() for _ in range(rng.randint(1, 6))]
            self._perturb_numbers(varied, base, always=True)
        head = self._encode(varied)[1:-1]
        rest = self._rest[index]
        return "{" + head + (", " + rest if rest else "") + "}"

    def _perturbed(self, title: str) -> str:
        """The title with one to three words changed: never a stop word alone, which would
        leave the same title to a reader (and to refcheck)."""
        rng = self.rng
        words = title.split()
        for _ in range(rng.randint(1, 3)):
            op = rng.random()
            if op < 0.45 or len(words) < 3:
                words[self._content_word(words)] = rng.choice(self.vocabulary)
            elif op < 0.7:
                words.insert(rng.randrange(len(words) + 1), rng.choice(self.vocabulary))
            elif op < 0.9:
                del words[self._content_word(words)]
            else:  # a swap alone keeps the words: replace one too
                i = rng.randrange(len(words) - 1)
                words[i], words[i + 1] = words[i + 1], words[i]
                words[self._content_word(words)] = rng.choice(self.vocabulary)
        return " ".join(words)

    def _content_word(self, words: list[str]) -> int:
        content = [i for i, w in enumerate(words) if w.casefold().strip(".,:;") not in STOP_WORDS]
        return self.rng.choice(content) if content else self.rng.randrange(len(words))

    def _perturb_numbers(
        self, varied: dict[str, Any], base: dict[str, Any], *, always: bool
    ) -> None:
        """Another year, and often another volume and pages: a look-alike, not a copy.

        A near-duplicate keeping the year (or moving it by one, as online and print years
        do) would be as right as the real work for a citation - refcheck rightly calls that
        a tie - which no store can help.
        """
        rng = self.rng
        shift = rng.choice([-5, -4, -3, -2, 2, 3, 4, 5])  # a year off by one is no error
        for key in DATES:
            parts = _parts(base.get(key))
            if parts:
                varied[key] = {"date-parts": [[parts[0] + shift, *parts[1:]]]}
        if always or rng.random() < 0.6:
            volume = re.sub(r"\D", "", str(base.get("volume", ""))) or "0"
            varied["volume"] = str(max(1, int(volume) + rng.choice([-2, -1, 1, 2, 7])))
        if always or rng.random() < 0.5:
            start = rng.randint(1, 2000)
            varied["page"] = f"{start}-{start + rng.randint(0, 20)}"
        if not always and rng.random() < 0.3 and base.get("author"):
            authors = list(base["author"])
            authors[rng.randrange(len(authors))] = self._person()
            varied["author"] = authors

    def _person(self) -> dict[str, Any]:
        person = self.rng.choice(self.people) if self.people else {"family": "Smith"}
        return {k: person[k] for k in ("given", "family", "name", "sequence") if k in person}

    def write(self, path: Path, count: int) -> None:
        """``count`` works, gzipped, the real records among them at random places."""
        rng = random.Random(self.rng.random())
        places = rng.sample(range(count), min(count, len(self.records)))
        real_at = dict(zip(places, self.records, strict=False))
        batch: list[str] = []
        with gzip.open(path, "wt", encoding="utf-8", compresslevel=1) as out:
            for number in range(count):
                real = real_at.get(number)
                batch.append(self._encode(real) if real is not None else self.line(number))
                if len(batch) >= 2000:
                    out.write("\n".join(batch) + "\n")
                    batch.clear()
            if batch:
                out.write("\n".join(batch) + "\n")


def _parts(value: Any) -> list[int] | None:
    try:
        parts = [int(p) for p in value["date-parts"][0]]
    except (KeyError, IndexError, TypeError, ValueError):
        return None
    return parts or None


# --- references ------------------------------------------------------------------------------


@dataclass
class Item:
    kind: str  # "bibtex" or "free text"
    doi: str
    reference: Reference


def bibtex_items(records: Sequence[dict[str, Any]], folder: Path, rng: random.Random) -> list[Item]:
    path = folder / "references.bib"
    with path.open("w", encoding="utf-8") as out:
        for n, record in enumerate(records):
            chosen = tuple(v for v in VARIATIONS if rng.random() < 0.3)
            if "diacritics-dropped" in chosen:
                chosen = tuple(v for v in chosen if v != "diacritics-latex")
            out.write(render(Case(f"r{n}", record, "correct", False, chosen), record, rng) + "\n")
    by_key = {f"r{n}": record["DOI"] for n, record in enumerate(records)}
    return [Item("bibtex", by_key[ref.location.key or ""], ref) for ref in read_references([path])]


def free_text(record: dict[str, Any]) -> str:
    """The record as an APA-like reference string, without its DOI."""
    names = []
    for author in record.get("author") or []:
        family = first(author.get("family"))
        if not family:
            continue
        given = first(author.get("given")) or ""
        initials = " ".join(part[0] + "." for part in re.split(r"[\s.]+", given) if part)
        names.append(f"{family}, {initials}".strip().rstrip(","))
    if len(names) > 7:
        names = [*names[:6], "... " + names[-1]]
    authors = ", ".join(names[:-1]) + (", & " if len(names) > 1 else "") + names[-1]
    year = year_parts(record, "published-print") or year_parts(record, "issued")
    text = f"{authors} ({year or 'n.d.'}). {first(record.get('title'))}."
    container = first(record.get("container-title"))
    if container:
        text += f" {container}"
        volume, issue = first(record.get("volume")), first(record.get("issue"))
        if volume:
            text += f", {volume}" + (f"({issue})" if issue else "")
        pages = first(record.get("page")) or first(record.get("article-number"))
        if pages:
            text += f", {pages}"
        text += "."
    return text


def free_text_items(records: Sequence[dict[str, Any]]) -> list[Item]:
    items = []
    for n, record in enumerate(records):
        text = free_text(record)
        reference = to_reference(parse_reference(text), text, Location(line=n + 1))
        items.append(Item("free text", record["DOI"], reference))
    return items


# --- measuring -------------------------------------------------------------------------------


@dataclass
class Outcome:
    source: str
    kind: str
    right: int
    total: int
    seconds: float
    found: int = -1  # the record's DOI among the candidates (-1: not counted)
    ties: int = 0  # refcheck declined: "two works match equally well"
    searching: float = 0.0  # seconds of the search alone


def match(
    items: Sequence[Item],
    search: Callable[[str], list[Work]],
    source: str,
    kinds: Sequence[str] = KINDS,
) -> list[Outcome]:
    outcomes = []
    for kind in kinds:
        group = [i for i in items if i.kind == kind]
        right = found = ties = 0
        searching = 0.0
        started = time.perf_counter()
        for item in group:
            query = verify.query_for(item.reference)
            before = time.perf_counter()
            candidates = search(query)
            searching += time.perf_counter() - before
            work, why = verify.choose(item.reference, candidates)
            right += work is not None and work.doi.lower() == item.doi.lower()
            found += any(c.doi.lower() == item.doi.lower() for c in candidates)
            ties += bool(why and why.startswith("two works match equally well"))
        elapsed = time.perf_counter() - started
        outcomes.append(Outcome(source, kind, right, len(group), elapsed, found, ties, searching))
    return outcomes


async def match_online(items: Sequence[Item], records: list[dict[str, Any]]) -> list[Outcome]:
    """The same, with Crossref's search served by the loopback stand-in (real records)."""
    with CrossrefStandin(records, rate_limit=10_000, list_rate_limit=10_000) as server:
        pacer = Pacer(Limits(single_rate=10_000, list_rate=10_000, concurrency=8))
        async with CrossrefClient(
            server.url, "bench@example.org", timeout=30, pacer=pacer
        ) as client:
            gate = asyncio.Semaphore(8)

            async def one(item: Item) -> bool:
                async with gate:
                    candidates = await client.search(verify.query_for(item.reference), ROWS)
                work, _ = verify.choose(item.reference, candidates)
                return work is not None and work.doi.lower() == item.doi.lower()

            outcomes = []
            for kind in ("bibtex", "free text"):
                group = [i for i in items if i.kind == kind]
                started = time.perf_counter()
                right = sum(await asyncio.gather(*(one(i) for i in group)))
                elapsed = time.perf_counter() - started
                outcomes.append(
                    Outcome("online (stand-in, real)", kind, right, len(group), elapsed)
                )
            return outcomes


async def end_to_end(items: Sequence[Item], path: Path, kind: str, jobs: int) -> Outcome:
    group = [i for i in items if i.kind == kind]
    references = [i.reference for i in group]
    settings = Settings(offline=True, no_cache=True, jobs=jobs)
    started = time.perf_counter()
    async with Resolver(settings, snapshot=SnapshotStore(path)) as resolver:
        verdicts = await check_async(references, settings, resolver=resolver)
    elapsed = time.perf_counter() - started
    right = sum(
        v.work is not None and v.work.doi.lower() == i.doi.lower()
        for v, i in zip(verdicts, group, strict=True)
    )
    processes = "1 process" if jobs == 1 else f"{jobs} processes"
    return Outcome(f"whole offline check, {processes}", kind, right, len(references), elapsed)


def cpu_seconds() -> tuple[float, float]:
    """CPU seconds of this process, and of its children (the import's workers) reaped."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def timed(label: str, action: Callable[[], Any]) -> Any:
    started = time.perf_counter()
    result = action()
    print(f"  {label}: {time.perf_counter() - started:.1f} s", flush=True)
    return result


def public_data_tar(lines: Path, tar_path: Path, per_file: int) -> None:
    """The records of a JSON-lines file as Crossref's Public Data File holds them: a tar of
    gzipped files of ``per_file`` records each, every file one ``{"items": [...]}``."""
    with gzip.open(lines, "rb") as source, tarfile.open(tar_path, "w") as tar:
        batch: list[bytes] = []
        number = 0

        def flush() -> None:
            nonlocal number
            data = gzip.compress(b'{"items":[' + b",".join(batch) + b"]}", compresslevel=1)
            info = tarfile.TarInfo(f"April 2025 Public Data File from Crossref/{number}.json.gz")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
            number += 1
            batch.clear()

        for line in source:
            if line.strip():
                batch.append(line.rstrip(b"\n"))
                if len(batch) >= per_file:
                    flush()
        if batch:
            flush()


def import_forms(args: argparse.Namespace, folder: Path) -> None:
    """Import rate of the same records as JSON lines and as a Public-Data-File tar, runs
    alternating."""
    source = folder / f"works-{args.records}.jsonl.gz"
    if not source.exists():
        with gzip.open(WORKS, "rt", encoding="utf-8") as lines:
            records = [json.loads(line) for line in lines if line.strip()]
        partial = source.with_suffix(".partial")
        timed("simulated", lambda: Simulator(records).write(partial, args.records))
        partial.replace(source)
    tar = folder / f"works-{args.records}.tar"
    if not tar.exists():
        timed("tar made", lambda: public_data_tar(source, tar, 5000))
    print(
        f"  inputs: {source.stat().st_size / 1e6:,.0f} MB gzipped JSON lines, "
        f"{tar.stat().st_size / 1e6:,.0f} MB tar of {args.records // 5000 + 1:,} files at most"
    )
    rates: dict[str, list[float]] = {"JSON lines": [], "tar": []}
    cpu: dict[str, list[float]] = {"JSON lines": [], "tar": []}
    for _ in range(args.runs):
        for label, path in (("JSON lines", source), ("tar", tar)):
            load = os.getloadavg()[0]
            main, workers = cpu_seconds()
            stats = import_records([path], folder / "forms.sqlite3", workers=args.workers)
            main, workers = (a - b for a, b in zip(cpu_seconds(), (main, workers), strict=True))
            rates[label].append(stats.rate)
            cpu[label].append(1e6 * (main + workers) / stats.records)
            print(f"  {label}: {stats.summary()} (load {load:.1f})")
            print(
                f"    CPU {1e6 * main / stats.records:.0f} µs a record in this process, "
                f"{1e6 * workers / stats.records:.0f} in the workers"
            )
    for label, values in cpu.items():
        print(
            f"  {label}: CPU µs a record, median of {len(values)}: {statistics.median(values):.0f}"
        )
    best = {label: max(values) for label, values in rates.items()}
    print(
        f"tar / JSON lines, best runs: {best['tar'] / best['JSON lines']:.1%}; "
        f"medians: {statistics.median(rates['tar']) / statistics.median(rates['JSON lines']):.1%}"
    )


def run(args: argparse.Namespace, folder: Path) -> None:
    with gzip.open(WORKS, "rt", encoding="utf-8") as lines:
        records = [json.loads(line) for line in lines if line.strip()]
    count = args.records
    print(f"snapshot store benchmark: {count:,} works simulated from {len(records):,} records")
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start")

    source = folder / f"works-{count}.jsonl.gz"
    if not source.exists():
        partial = source.with_suffix(".partial")
        timed("simulated", lambda: Simulator(records).write(partial, count))
        partial.replace(source)
    print(f"  input: {source.stat().st_size / 1e6:,.0f} MB gzipped")

    store_path = folder / f"works-{count}.sqlite3"
    main, workers = cpu_seconds()
    load = os.getloadavg()[0]
    stats = import_records([source], store_path, workers=args.workers)
    main, workers = (a - b for a, b in zip(cpu_seconds(), (main, workers), strict=True))
    print(f"\nimport: {stats.summary()}")
    per_record = 1e6 * (main + workers) / max(stats.records, 1)
    print(
        f"  CPU: {main + workers:.1f} s = {per_record:.0f} µs a record "
        f"(this process {main:.1f} s, workers {workers:.1f} s); "
        f"load average {load:.1f} before, {os.getloadavg()[0]:.1f} after"
    )

    usable_records = [r for r in records if usable(r)]
    rng = random.Random(SEED)
    if args.limit:
        usable_records = rng.sample(usable_records, min(args.limit, len(usable_records)))
    items = bibtex_items(usable_records, folder, rng) + free_text_items(usable_records)
    what = f"{len(usable_records):,} records, BibTeX and free text"
    print(f"\nmatching {len(items):,} references ({what})")

    real_store_path = folder / "real.sqlite3"
    import_records([WORKS], real_store_path, workers=0)
    outcomes: list[Outcome] = []
    with SnapshotStore(store_path) as store, SnapshotStore(real_store_path) as real_store:
        snapshot = Snapshot.load([WORKS])
        kinds = KINDS[::-1] if args.free_text_first else KINDS
        outcomes += match(
            items, lambda q: store.search(q, ROWS), f"store ({len(store):,} works)", kinds
        )
        outcomes += match(items, lambda q: real_store.search(q, ROWS), "store (real records only)")
        outcomes += match(items, lambda q: snapshot.search(q, ROWS), "Snapshot in memory (real)")
        if not args.no_online:
            outcomes += asyncio.run(match_online(items, records))
    for jobs in (1, 2):
        for kind in KINDS:
            outcomes.append(asyncio.run(end_to_end(items, store_path, kind, jobs)))
    report(outcomes)
    if not args.workdir:
        store_path.unlink(missing_ok=True)


def report(outcomes: Sequence[Outcome]) -> None:
    header = (
        f"{'source':<34}{'references':<11}{'n':>5}{'right DOI':>10}{'in top 5':>9}{'ties':>5}"
        f"{'refs/s':>8}{'ms/ref':>7}{'search':>7}"
    )
    print(f"\n  {header}")
    for o in outcomes:
        n = max(o.total, 1)
        rate = o.total / o.seconds if o.seconds else 0.0
        found = f"{100 * o.found / n:.2f}%" if o.found >= 0 else "-"
        searching = f"{1000 * o.searching / n:.2f}" if o.found >= 0 else "-"
        print(
            f"  {o.source:<34}{o.kind:<11}{o.total:>5}{100 * o.right / n:>9.2f}%{found:>9}"
            f"{o.ties:>5}{rate:>8,.0f}{1000 * o.seconds / n:>7.2f}{searching:>7}"
        )
    print(
        "  right DOI: verify.choose took the record's DOI; in top 5: the DOI was among the\n"
        "  search's candidates; ties: refcheck declined two works matching equally well;\n"
        "  ms/ref: search and choose; search: ms of the search alone\n"
        "  (targets: import ≥ 20,000 records/s, matching ≥ 500 references/s, right DOI as online)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--workdir", type=Path, default=None, help="keep files here")
    parser.add_argument("--limit", type=int, default=None, help="records to reference")
    parser.add_argument("--workers", type=int, default=None, help="import worker processes")
    parser.add_argument("--no-online", action="store_true", help="skip the stand-in")
    parser.add_argument(
        "--import-forms",
        action="store_true",
        help="only the import rate of the records as JSON lines and as a Public Data File tar",
    )
    parser.add_argument("--runs", type=int, default=3, help="runs of each with --import-forms")
    parser.add_argument(
        "--free-text-first",
        action="store_true",
        help="match the free-text references against the large store before the BibTeX ones",
    )
    args = parser.parse_args()
    if not WORKS.exists():
        sys.exit(f"snapshot_store: {WORKS} not found (../shared is needed)")
    if args.workdir:
        args.workdir.mkdir(parents=True, exist_ok=True)
        (import_forms if args.import_forms else run)(args, args.workdir)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            (import_forms if args.import_forms else run)(args, Path(tmp))


if __name__ == "__main__":
    main()
