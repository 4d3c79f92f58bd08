"""Speed of refcheck against a loopback Crossref at polite-pool limits, counted two ways.
Prints figures; not a test.

The stand-in enforces 10 single/s, 3 list/s and 3 in flight (excess gets 429), waits
``--latency`` seconds before each answer, and delays each request a random 0-``--jitter``
seconds on its way in (the network). Every figure is measured against each counter
(:mod:`refcheck.testing.limiter`): ``bucket``, a token bucket that forgives a burst, and
``window``, a strict sliding window (at most 3 list requests arriving in any second, a request
in flight until its answer is written). The client sends a mailto, so it paces itself for the
polite pool. Each counter gets ``--runs`` runs of:

1. 1,000 BibTeX entries citing DOIs, cold (empty cache): wall time vs the floor
   (1000/50 = 20 list requests at 3/s, plus one latency), requests by kind, 429s.
2. 60 references without DOIs, one search each: wall time vs 60 searches at 3/s.
3. The same 1,000 again on the warm cache: wall time and requests (both should be ~0).

Each run starts once the stand-in's window has emptied (a fresh process knows nothing of the
requests of the one before). Then, once:

4. CPU per reference for reading the BibTeX and comparing (process time), with the top
   functions by cumulative time from cProfile.
5. Faults, once per counter: 10% of requests answered 503 and 5% hung (no answer within the
   timeout), on 60 references with DOIs (30 of them missed by the batch filter, so looked up
   one by one) and 12 without: requests sent, errors seen, 429s, how far the client slowed
   down, time, warnings, and verdicts that differ from a run without faults (other than
   unverified: should be none).

Entries are rendered from ../shared/crossref/works-dev.jsonl.gz by benchmarks/accuracy.py. The
load average is printed beside the figures: the machine may be shared.

The stand-in runs in this process, so its records and search index (and the benchmark's own
inputs) share the client's heap: a full garbage collection walked them all, 0.3-0.7 s with
the whole process stopped (late sends, and arrivals the stand-in stamped late). They are
frozen out of the collector (``gc.freeze``) before each run, as a real Crossref would not be
in the client's process (so are the verdicts of the runs before, kept for the table: frozen,
each run collects only its own garbage, as a fresh process would); the longest collection
during each run is printed with it.

    .venv/bin/python benchmarks/speed.py [--latency 0.15] [--jitter 0.05] [--runs 5]
        [--counting bucket,window] [--profile] [--skip-faults]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import gzip
import itertools
import json
import os
import pstats
import random
import statistics
import sys
import tempfile
import time
import warnings
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from accuracy import WORKS, Case, render, usable

from refcheck import verify
from refcheck.api import check_async, read_references
from refcheck.config import Settings
from refcheck.models import Reference, Status, Verdict
from refcheck.resolve.crossref import CrossrefStats
from refcheck.resolve.resolver import Resolver
from refcheck.testing.crossref_standin import CrossrefStandin, Fault
from refcheck.testing.limiter import COUNTINGS, Counting

SEED = 20261125
MAILTO = "bench@example.org"
WITH_DOI = 1000
WITHOUT_DOI = 60
LIST_RATE = 3.0
LIST_LIMIT = 3  # list requests in any second
BATCH = 50
FAULTY_WITH_DOI = 60
FAULTY_HIDDEN = 30  # of those, missed by the batch filter
FAULTY_WITHOUT_DOI = 12
FAULT_TIMEOUT = 1.0  # seconds per request in the fault run; a hung answer never comes
WINDOW_CLEARS = 1.1  # seconds between runs: the stand-in's 1-second window empties


@dataclass
class Run:
    label: str
    wall: float
    cpu: float
    verdicts: list[Verdict]
    client: CrossrefStats
    throttled: int
    max_in_flight: int
    by_kind: Counter[str]
    cache_hits: int
    first_request: float  # seconds from the start to the first request
    longest_gap: float  # the longest pause between two requests, seconds
    tightest: float  # the shortest span of 4 list requests' arrivals (3 a second allowed)
    span: float  # from the first request's arrival to the last's: the pacer's share of the wall
    longest_gc: float  # the longest garbage collection during the run, seconds


def write_bib(path: Path, records: list[dict[str, Any]], *, cites_doi: bool) -> None:
    rng = random.Random(SEED)
    with path.open("w", encoding="utf-8") as out:
        for n, record in enumerate(records):
            case = Case(f"r{n}", record, "correct", cites_doi)
            out.write(render(case, record, rng) + "\n")


class Collections:
    """How long each garbage collection took, while watching."""

    def __init__(self) -> None:
        self.pauses: list[float] = []
        self._started = 0.0

    def __enter__(self) -> Collections:
        gc.callbacks.append(self._note)
        return self

    def __exit__(self, *exc_info: object) -> None:
        gc.callbacks.remove(self._note)

    def _note(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.pauses.append(time.perf_counter() - self._started)


def freeze_fixtures() -> None:
    """Take what is alive now (the stand-in's records and index, the references, earlier
    runs' verdicts) out of the collector's walks; see the module docstring."""
    gc.collect()
    gc.freeze()


async def run_once(
    label: str, server: CrossrefStandin, references: list[Reference], settings: Settings
) -> Run:
    server.clear_requests()
    # What earlier runs left (their verdicts are kept for the table) is walked no more: each
    # run collects its own garbage only, as a fresh process would.
    freeze_fixtures()
    collections = Collections()
    with collections:
        return await _run_once(label, server, references, settings, collections)


async def _run_once(
    label: str,
    server: CrossrefStandin,
    references: list[Reference],
    settings: Settings,
    collections: Collections,
) -> Run:
    started, cpu = time.perf_counter(), time.process_time()
    started_clock = time.monotonic()  # the stand-in stamps requests with this clock
    async with Resolver.from_settings(settings) as resolver:
        verdicts = await check_async(references, settings, resolver=resolver)
        assert resolver.client is not None
        stats = resolver.client.stats
        hits = resolver.stats.cache_hits
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    log = server.requests
    times = [started_clock] + [r.time for r in log]
    gaps = [b - a for a, b in itertools.pairwise(times[1:])]
    lists = sorted(r.time for r in log if r.kind == "list")
    spans = [b - a for a, b in zip(lists, lists[LIST_LIMIT:], strict=False)]
    return Run(
        label,
        wall,
        cpu,
        verdicts,
        stats,
        server.throttled,
        server.max_in_flight,
        Counter(r.kind for r in log),
        hits,
        times[1] - started_clock if log else 0.0,
        max(gaps, default=0.0),
        min(spans, default=float("inf")),
        times[-1] - times[1] if log else 0.0,
        max(collections.pauses, default=0.0),
    )


def describe(run: Run) -> str:
    statuses = Counter(v.status.value for v in run.verdicts)
    kinds = ", ".join(f"{k} {n}" for k, n in sorted(run.by_kind.items())) or "none"
    return (
        f"  {run.label}: {run.wall:.2f} s wall, {run.cpu:.2f} s CPU; requests seen by the "
        f"stand-in: {kinds}; client retries {run.client.retries}, failures "
        f"{run.client.failures}; 429s {run.throttled}; max in flight {run.max_in_flight}; "
        f"cache hits {run.cache_hits}\n    first request after {run.first_request:.2f} s; "
        f"longest gap between requests {run.longest_gap:.2f} s; any {LIST_LIMIT + 1} list "
        f"requests arrived {run.tightest:.3f} s apart or more; longest garbage collection "
        f"{1000 * run.longest_gc:.0f} ms; statuses {dict(statuses)}"
    )


def cpu_per_reference(bib: Path, verdicts: list[Verdict], profile: bool) -> tuple[float, float]:
    """Process time (ms a reference) to read the file, and to compare against the works."""
    started = time.process_time()
    references = read_references([bib])
    reading = time.process_time() - started
    pairs = [(r, v.work) for r, v in zip(references, verdicts, strict=True) if v.work]
    profiler = cProfile.Profile() if profile else None
    started = time.process_time()
    if profiler is not None:
        profiler.enable()
    for reference, work in pairs:
        verify.by_doi(reference, work)
        verify.matched(reference, work)
    if profiler is not None:
        profiler.disable()
    comparing = time.process_time() - started
    if profiler is not None:
        print("\ncompare step, top 10 functions by own time:")
        pstats.Stats(profiler).sort_stats("tottime").print_stats(10)
        print("compare step, top 10 functions by cumulative time:")
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(10)
    return 1000 * reading / len(references), 1000 * comparing / max(len(pairs), 1)


def shuffled_records(seed: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every works-dev record (the stand-in serves them all), and the usable ones shuffled."""
    with gzip.open(WORKS, "rt", encoding="utf-8") as lines:
        all_records = [json.loads(line) for line in lines]
    records = [r for r in all_records if usable(r)]
    random.Random(seed).shuffle(records)
    return all_records, records


def polite_standin(
    records: list[dict[str, Any]],
    latency: float,
    counting: Counting,
    jitter: float,
    **faults: Any,
) -> CrossrefStandin:
    """The stand-in enforcing the polite pool's limits: 10 single/s, 3 list/s, 3 in flight."""
    return CrossrefStandin(
        records,
        rate_limit=10,
        list_rate_limit=3,
        concurrency=3,
        latency=latency,
        enforce_limits=True,
        counting=counting,
        jitter=jitter,
        jitter_seed=SEED,
        **faults,
    )


def load() -> str:
    """The load averages over 1, 5 and 15 minutes, as uptime prints them."""
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


def write_bibs(
    folder: Path, with_doi: list[dict[str, Any]], without_doi: list[dict[str, Any]]
) -> tuple[Path, Path]:
    """One BibTeX file citing DOIs, one without them (found by search)."""
    bib_doi, bib_search = folder / "doi.bib", folder / "search.bib"
    write_bib(bib_doi, with_doi, cites_doi=True)
    write_bib(bib_search, without_doi, cites_doi=False)
    return bib_doi, bib_search


@dataclass
class Figures:
    """One run of the three timed figures against one counter."""

    cold: Run
    search: Run
    warm: Run
    load: str


async def run_counter(
    counting: Counting,
    runs: int,
    latency: float,
    jitter: float,
    all_records: list[dict[str, Any]],
    refs_doi: list[Reference],
    refs_search: list[Reference],
    folder: Path,
) -> list[Figures]:
    """``runs`` runs of the cold, search and warm figures against one stand-in."""
    figures: list[Figures] = []
    with polite_standin(all_records, latency, counting, jitter) as server:
        uncached = Settings(crossref_url=server.url, mailto=MAILTO, no_cache=True, timeout=30)
        for number in range(1, runs + 1):
            cached = Settings(
                crossref_url=server.url,
                mailto=MAILTO,
                cache_dir=folder / f"cache-{counting}-{number}",
                timeout=30,
            )
            at = load()
            await asyncio.sleep(WINDOW_CLEARS)
            cold = await run_once(f"{len(refs_doi)} with DOIs, cold", server, refs_doi, cached)
            await asyncio.sleep(WINDOW_CLEARS)
            search = await run_once(
                f"{len(refs_search)} without DOIs", server, refs_search, uncached
            )
            warm = await run_once(f"{len(refs_doi)} with DOIs, warm", server, refs_doi, cached)
            figures.append(Figures(cold, search, warm, at))
            print(
                f"  {counting} run {number}: 1,000 DOIs {cold.wall:.2f} s "
                f"(requests over {cold.span:.2f} s, {cold.throttled} × 429), 60 searches "
                f"{search.wall:.2f} s (over {search.span:.2f} s, {search.throttled} × 429), "
                f"warm {warm.wall:.2f} s "
                f"({warm.client.requests} requests); longest garbage collection "
                f"{1000 * max(cold.longest_gc, search.longest_gc, warm.longest_gc):.0f} ms; "
                f"load {at}",
                flush=True,
            )
    gc.unfreeze()  # this stand-in is done with
    return figures


def spread(values: list[float]) -> str:
    """Median and range of a figure over the runs."""
    return (
        f"{statistics.median(values):.2f} s ({min(values):.2f}-{max(values):.2f})"
        if len(values) > 1
        else f"{values[0]:.2f} s"
    )


async def run(
    latency: float, jitter: float, runs: int, countings: list[Counting], profile: bool
) -> None:
    all_records, records = shuffled_records(SEED)
    with_doi, without_doi = records[:WITH_DOI], records[WITH_DOI : WITH_DOI + WITHOUT_DOI]
    print(
        f"refcheck speed — stand-in at polite limits (10 single/s, 3 list/s, 3 in flight, "
        f"429 over them), latency {latency} s, jitter 0-{1000 * jitter:.0f} ms, "
        f"{runs} run(s) per counter; load before: {load()}",
        flush=True,
    )
    results: dict[Counting, list[Figures]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        bib_doi, bib_search = write_bibs(folder, with_doi, without_doi)
        refs_doi, refs_search = read_references([bib_doi]), read_references([bib_search])
        for counting in countings:
            results[counting] = await run_counter(
                counting, runs, latency, jitter, all_records, refs_doi, refs_search, folder
            )
        last = results[countings[-1]][-1]
        read_ms, compare_ms = cpu_per_reference(bib_doi, last.warm.verdicts, profile)

    # n requests evenly spaced at 3/s: the last leaves (n - 1)/3 s after the first.
    batches = -(-len(refs_doi) // BATCH)
    floor_doi = (batches - 1) / LIST_RATE + latency
    floor_search = (len(refs_search) - 1) / LIST_RATE + latency
    print("\nlast run of each counter in detail:")
    for counting in countings:
        last = results[counting][-1]
        print(f" {counting}:")
        for r in (last.cold, last.search, last.warm):
            print(describe(r))

    print(f"\n{'figure':<24}{'counter':<8}{'measured, median (range) of runs':<46}{'target':<34}ok")
    for counting in countings:
        figures = results[counting]
        colds = [f.cold for f in figures]
        searches = [f.search for f in figures]
        warms = [f.warm for f in figures]
        requests = {(c.client.list_requests, c.client.single_requests) for c in colds}
        rows = [
            (
                "1,000 DOIs: wall",
                spread([c.wall for c in colds]),
                f"≤ {1.1 * floor_doi:.2f} s (floor {floor_doi:.2f} s +10%)",
                all(c.wall <= 1.1 * floor_doi for c in colds),
            ),
            (
                "1,000 DOIs: first-last",
                spread([c.span for c in colds]),
                f"(floor {floor_doi - latency:.2f} s)",
                True,
            ),
            (
                "1,000 DOIs: requests",
                "; ".join(f"{lists} list, {singles} single" for lists, singles in requests),
                f"{batches} list, 0 single",
                requests == {(batches, 0)},
            ),
            (
                "1,000 DOIs: 429s",
                " ".join(str(c.throttled) for c in colds),
                "0 in every run",
                all(c.throttled == 0 for c in colds),
            ),
            (
                "60 searches: wall",
                spread([c.wall for c in searches]),
                f"≤ {1.1 * floor_search:.2f} s (floor {floor_search:.2f} s +10%)",
                all(c.wall <= 1.1 * floor_search for c in searches),
            ),
            (
                "60 searches: first-last",
                spread([c.span for c in searches]),
                f"(floor {floor_search - latency:.2f} s)",
                True,
            ),
            (
                "60 searches: requests",
                " ".join(str(c.client.list_requests) for c in searches),
                f"{len(refs_search)} list",
                all(c.client.list_requests == len(refs_search) for c in searches),
            ),
            (
                "60 searches: 429s",
                " ".join(str(c.throttled) for c in searches),
                "0 in every run",
                all(c.throttled == 0 for c in searches),
            ),
            (
                "warm 1,000: wall",
                spread([c.wall for c in warms]),
                "< 1 s",
                all(c.wall < 1 for c in warms),
            ),
            (
                "warm 1,000: requests",
                " ".join(str(c.client.requests) for c in warms),
                "0",
                all(c.client.requests == 0 for c in warms),
            ),
        ]
        for name, measured, target, ok in rows:
            verdict = "" if target.startswith("(") else "yes" if ok else "NO"
            print(f"{name:<24}{counting:<8}{measured:<46}{target:<34}{verdict}")
        print(f"{'load (1, 5, 15 min)':<24}{counting:<8}" + " | ".join(f.load for f in figures))
    cpu_ms = read_ms + compare_ms
    print(
        f"{'CPU read+compare':<32}{cpu_ms:.2f} ms/ref (read {read_ms:.2f}, compare "
        f"{compare_ms:.2f}); target ≤ 2 ms/ref: {'yes' if cpu_ms <= 2 else 'NO'}"
    )
    for counting in countings:
        last = results[counting][-1]
        verified = sum(v.status is Status.VERIFIED for v in last.cold.verdicts)
        found = sum(v.status is Status.VERIFIED for v in last.search.verdicts)
        print(
            f"({counting}, last run: cold verified {verified}/{len(last.cold.verdicts)}; "
            f"searches verified {found}/{len(last.search.verdicts)})"
        )


async def run_faults(latency: float, jitter: float, counting: Counting) -> None:
    """Section 5: the same references with and without faults; what the faults cost."""
    all_records, records = shuffled_records(SEED + 5)
    with_doi = records[:FAULTY_WITH_DOI]
    without_doi = records[FAULTY_WITH_DOI : FAULTY_WITH_DOI + FAULTY_WITHOUT_DOI]
    hidden = [record["DOI"] for record in with_doi[:FAULTY_HIDDEN]]
    # Two 503s for each hang: of 15% faulty requests, 10% answer 503 and 5% hang.
    faults = [Fault.unavailable(), Fault.unavailable(), Fault.slow(delay=3 * FAULT_TIMEOUT)]

    with (
        tempfile.TemporaryDirectory() as tmp,
        polite_standin(
            all_records,
            latency,
            counting,
            jitter,
            random_faults=faults,
            hidden_from_filter=hidden,
        ) as server,
    ):
        references = read_references(list(write_bibs(Path(tmp), with_doi, without_doi)))
        settings = Settings(
            crossref_url=server.url, mailto=MAILTO, no_cache=True, timeout=FAULT_TIMEOUT
        )
        clean = await run_once("without faults", server, references, settings)
        await asyncio.sleep(WINDOW_CLEARS)
        server.faults.set_rate(0.15, seed=SEED)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            faulty = await run_once("10% 503 + 5% hangs", server, references, settings)
        injected = Counter(r.fault for r in server.requests if r.fault is not None)
        arrivals = sorted(r.time for r in server.requests)  # the log is in answer order
        slowest = max((b - a for a, b in itertools.pairwise(arrivals)), default=0.0)
    gc.unfreeze()

    wrong = [
        (c.reference.location.key, c.status.value, f.status.value)
        for c, f in zip(clean.verdicts, faulty.verdicts, strict=True)
        if f.status is not Status.UNVERIFIED and f.status is not c.status
    ]
    unverified = sum(v.status is Status.UNVERIFIED for v in faulty.verdicts)
    said = [str(w.message) for w in caught]
    print(
        f"\nfaults — {len(references)} references ({FAULTY_WITH_DOI} with DOIs, "
        f"{FAULTY_HIDDEN} of them missed by the batch filter; {FAULTY_WITHOUT_DOI} without), "
        f"timeout {FAULT_TIMEOUT} s, latency {latency} s, jitter 0-{1000 * jitter:.0f} ms, "
        f"{counting} counter; load {load()}"
    )
    for r in (clean, faulty):
        print(describe(r))
    rows = [
        ("requests sent", f"{clean.client.requests} clean, {faulty.client.requests} faulty"),
        (
            "errors seen",
            f"{faulty.client.errors} ({injected.get('status', 0)} 503s, "
            f"{injected.get('slow', 0)} hangs, {faulty.throttled} 429s over the limits)",
        ),
        ("429s", f"{clean.throttled} clean, {faulty.throttled} faulty"),
        ("share of errors", f"{faulty.client.errors / max(faulty.client.requests, 1):.0%}"),
        ("deepest slowdown", f"{faulty.client.deepest_slowdown} step(s) (each halves the pace)"),
        ("longest gap", f"{slowest:.2f} s between two requests"),
        ("time", f"{clean.wall:.2f} s clean, {faulty.wall:.2f} s faulty"),
        ("unverified", f"{unverified} of {len(references)}"),
        ("wrong verdicts", f"{len(wrong)} {wrong[:5] if wrong else ''}".strip()),
        ("warnings", f"{len(said)}: {said[0] if said else '-'}" if said else "0"),
    ]
    for name, measured in rows:
        print(f"  {name:<20}{measured}")


def parse_countings(text: str) -> list[Counting]:
    chosen = [name.strip() for name in text.split(",") if name.strip()]
    known = [c for c in COUNTINGS if c in chosen]
    if not known or len(known) != len(set(chosen)):
        raise argparse.ArgumentTypeError(f"expected some of {', '.join(COUNTINGS)}")
    return known


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.15)
    parser.add_argument(
        "--jitter", type=float, default=0.05, help="most seconds a request is delayed on its way"
    )
    parser.add_argument("--runs", type=int, default=5, help="runs of each figure per counter")
    parser.add_argument(
        "--counting",
        type=parse_countings,
        default=list(COUNTINGS),
        help="the stand-in's ways of counting, comma-separated (default: bucket,window)",
    )
    parser.add_argument("--profile", action="store_true", help="cProfile the compare step")
    parser.add_argument("--skip-faults", action="store_true", help="skip the fault section")
    args = parser.parse_args()
    if args.runs < 1 or args.latency < 0 or args.jitter < 0:
        parser.error("--runs must be at least 1, --latency and --jitter not negative")
    if not WORKS.exists():
        sys.exit(f"speed: {WORKS} not found (../shared is needed)")
    asyncio.run(run(args.latency, args.jitter, args.runs, args.counting, args.profile))
    if not args.skip_faults:
        for counting in args.counting:
            asyncio.run(run_faults(args.latency, args.jitter, counting))


if __name__ == "__main__":
    main()
