"""Corpus scale: a large offline check in one process, with --jobs 2 and on a Dask cluster,
and how the store's search cost and size grow with its records. Prints figures; not a test.

1. Stores. ``--records`` (default 1,000,000) works simulated from the real records by
   benchmarks/snapshot_store.py's Simulator, imported by ``refcheck snapshot import``; the
   same for each of ``--search-sizes`` (default 1M, 2M, 4M). Files are kept in ``--workdir``
   and reused when there.
2. References. ``--references`` (default 100,000) works drawn at random from the main
   store's records (each among its simulated look-alikes), cited without their DOI: half
   as BibTeX entries (benchmarks/accuracy.py's rendering, with its harmless variations),
   half as APA-like free-text strings, shuffled. And ``--doi-references`` (default 10,000)
   others cited with their DOI (a lookup, no search).
3. The whole offline check of the references against the main store (``check_async``, no
   cache): in one process; with ``jobs=2``; on a LocalCluster of two worker processes (one
   thread each) through ``refcheck.distributed`` in partitions of ``--partition-size``.
   Dask's overhead per partition = (workers x wall time - the partitions' own seconds,
   timed inside each task) / partitions: scheduling, moving references and verdicts,
   waiting at the end.
4. Search cost. The real records' BibTeX references (in every store, each with look-alikes
   in proportion to the store's size) searched in each store of ``--search-sizes``:
   milliseconds a search and a choice (two passes; the second reported), bytes a record on
   disk. Then the projection to Crossref's Public Data File (``--full`` records, 180M) on N
   workers, from the measured growth per doubling of the store.

    .venv/bin/python benchmarks/scale.py [--records N] [--references N] [--workdir DIR]
        [--search-sizes 1000000,2000000,4000000] [--partition-size N] [--skip RUNS]
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import math
import os
import pickle
import random
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import Any

from isal import igzip

sys.path.insert(0, str(Path(__file__).resolve().parent))

from accuracy import usable
from snapshot_store import WORKS, Simulator, bibtex_items, free_text_items

from refcheck import distributed, verify
from refcheck.api import iter_check_async
from refcheck.config import Settings
from refcheck.models import Reference, Verdict
from refcheck.resolve.store import _MAX_CANDIDATES as MAX_CANDIDATES
from refcheck.resolve.store import SnapshotStore, import_records

SEED = 20261207
RUNS = ("process", "jobs2", "dask")


# --- inputs ----------------------------------------------------------------------------------


def real_records() -> list[dict[str, Any]]:
    with gzip.open(WORKS, "rt", encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def store_of(folder: Path, count: int, records: list[dict[str, Any]]) -> Path:
    """The store of ``count`` simulated works, made (and its import rate printed) if new."""
    source = simulated(folder, count, records)
    store = folder / f"works-{count}.sqlite3"
    if not store.exists():
        stats = import_records([source], store)
        print(f"  import: {stats.summary()}", flush=True)
    return store


def simulated(folder: Path, count: int, records: list[dict[str, Any]]) -> Path:
    source = folder / f"works-{count}.jsonl.gz"
    if not source.exists():
        partial_file = source.with_suffix(".partial")
        started = time.perf_counter()
        Simulator(records).write(partial_file, count)
        partial_file.replace(source)
        print(f"  simulated {count:,} works in {time.perf_counter() - started:.0f} s", flush=True)
    return source


SIMULATED_DOI = re.compile(rb'"DOI": "([^"/]+/sim\.\d+\.[a-z0-9]+)"')


def larger_store(folder: Path, base: int, count: int) -> Path:
    """A store of ``count`` works (a multiple of ``base``): the base's simulated file and
    copies of its simulated works under new DOIs (the real records once), imported
    together. Each real work then has ``count / base`` times the look-alikes, as a fresh
    simulation of ``count`` would give it, for a fraction of the time of simulating."""
    store = folder / f"works-{count}.sqlite3"
    if store.exists():
        return store
    source = folder / f"works-{base}.jsonl.gz"
    copies = []
    for copy in range(1, count // base):
        path = folder / f"works-{base}-copy{copy}.jsonl.gz"
        copies.append(path)
        if path.exists():
            continue
        started = time.perf_counter()
        replacement = b'"DOI": "\\1' + f".c{copy}".encode() + b'"'
        with (
            igzip.open(source, "rb") as lines,
            igzip.open(path.with_suffix(".partial"), "wb", compresslevel=0) as out,
        ):
            for line in lines:
                renamed, found = SIMULATED_DOI.subn(replacement, line, 1)
                if found:
                    out.write(renamed)
        path.with_suffix(".partial").replace(path)
        print(
            f"  copy {copy} of {base:,} works in {time.perf_counter() - started:.0f} s", flush=True
        )
    stats = import_records([source, *copies], store)
    print(f"  import: {stats.summary()}", flush=True)
    return store


def sampled_records(source: Path, count: int, wanted: int, rng: random.Random) -> list[Any]:
    """``wanted`` usable records read at random places of a simulated JSON-lines file."""
    places = set(rng.sample(range(count), min(count, wanted * 11 // 10)))
    found: list[dict[str, Any]] = []
    with gzip.open(source, "rb") as lines:
        for number, line in enumerate(lines):
            if number in places:
                record = json.loads(line)
                if usable(record):
                    found.append(record)
    rng.shuffle(found)
    return found[:wanted]


def references(
    folder: Path, store_count: int, wanted: int, with_doi: int
) -> tuple[list[Reference], list[Reference]]:
    """The references cited without and with their DOI (built once, kept in ``folder``)."""
    kept = folder / f"scale-references-{store_count}-{wanted}-{with_doi}.pickle"
    for path in [kept, *sorted(folder.glob(f"scale-references-{store_count}-*.pickle"))]:
        # A larger set made before serves: its first references are as random.
        _, _, more, more_doi = path.stem.rsplit("-", 3)
        if path.exists() and int(more) >= wanted and int(more_doi) >= with_doi:
            with path.open("rb") as handle:
                found: tuple[list[Reference], list[Reference]] = pickle.load(handle)
            return found[0][:wanted], found[1][:with_doi]
    rng = random.Random(SEED)
    started = time.perf_counter()
    source = folder / f"works-{store_count}.jsonl.gz"
    records = sampled_records(source, store_count, wanted + with_doi, rng)
    searched, looked_up = records[:wanted], records[wanted:]
    half = len(searched) // 2
    bibtex = [i.reference for i in bibtex_items(searched[:half], folder, rng)]
    free = [i.reference for i in free_text_items(searched[half:])]
    cited = bibtex + free
    rng.shuffle(cited)
    with_dois = [
        Reference(
            doi=r["DOI"],
            title=(r.get("title") or [None])[0],
            location=cited[0].location.model_copy(update={"line": n + 1, "key": f"d{n}"}),
        )
        for n, r in enumerate(looked_up)
    ]
    print(f"  references built in {time.perf_counter() - started:.0f} s", flush=True)
    with kept.open("wb") as handle:
        pickle.dump((cited, with_dois), handle, pickle.HIGHEST_PROTOCOL)
    return cited, with_dois


# --- runs ------------------------------------------------------------------------------------


def settings_for(store: Path, jobs: int = 1) -> Settings:
    return Settings(offline=True, no_cache=True, snapshots=(store,), jobs=jobs)


def light(verdict: Verdict) -> str:
    """What a run is compared by, held small: 100,000 verdicts as models (each with its
    work's record) take gigabytes, and the collector's passes over them slow the run."""
    # Without the free-text fields the parser is sure of: a set, whose JSON order is each
    # process's string hashing (reports do not hold it).
    return verdict.model_dump_json(exclude={"reference": {"confident"}})


async def _here(refs: Sequence[Reference], store: Path, jobs: int) -> list[str]:
    return [light(v) async for v in iter_check_async(refs, settings_for(store, jobs))]


def run_here(refs: Sequence[Reference], store: Path, jobs: int) -> tuple[float, list[str]]:
    started = time.perf_counter()
    verdicts = asyncio.run(_here(refs, store, jobs))
    return time.perf_counter() - started, verdicts


def timed_partition(log: str, settings: Settings, refs: Sequence[Reference]) -> list[Verdict]:
    """check_partition, its own seconds appended to ``log`` (one short write: atomic)."""
    started = time.perf_counter()
    verdicts = distributed.check_partition(settings, refs)
    with open(log, "a", encoding="utf-8") as out:
        out.write(f"{time.perf_counter() - started:.6f}\n")
    return verdicts


async def _spread(
    refs: Sequence[Reference], store: Path, address: str, size: int, log: Path
) -> list[str]:
    check = partial(timed_partition, str(log))
    return [
        light(verdict)
        async for verdict in distributed.iter_check(
            refs, settings_for(store), address, partition_size=size, check=check
        )
    ]


def run_dask(
    refs: Sequence[Reference], store: Path, size: int, folder: Path
) -> tuple[float, list[str], list[float], float]:
    """Wall seconds, verdicts, each partition's own seconds, and the cluster's start."""
    from distributed import LocalCluster

    log = folder / "partitions.log"
    log.unlink(missing_ok=True)
    started = time.perf_counter()
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, host="127.0.0.1"
    ) as cluster:
        startup = time.perf_counter() - started
        started = time.perf_counter()
        verdicts = asyncio.run(_spread(refs, store, cluster.scheduler_address, size, log))
        wall = time.perf_counter() - started
    seconds = [float(line) for line in log.read_text(encoding="utf-8").split()]
    return wall, verdicts, seconds, startup


def right_share(verdicts: Sequence[str], refs: Sequence[Reference]) -> str:
    found = sum(json.loads(v)["work"] is not None for v in verdicts)
    return f"{found / max(len(refs), 1):.1%} matched a work"


def search_cost(store_path: Path, refs: Sequence[Reference]) -> tuple[float, float, float]:
    """Milliseconds a search, and a search with its choice, over ``refs`` (second pass);
    and the rows the store's full-text queries gave a search (the candidates it scores,
    at most MAX_CANDIDATES), counted on a third pass."""
    queries = [verify.query_for(r) for r in refs]
    with SnapshotStore(store_path) as store:
        for query in queries:  # first pass: pages and names met for the first time
            store.search(query, 5)
        started = time.perf_counter()
        found = [store.search(query, 5) for query in queries]
        searching = time.perf_counter() - started
        started = time.perf_counter()
        for reference, candidates in zip(refs, found, strict=True):
            verify.choose(reference, candidates)
        choosing = time.perf_counter() - started
        rows = 0
        hits = store._hits  # counted from outside: the store does not report it

        def counted(query: str, limit: int = MAX_CANDIDATES + 1) -> list[tuple[Any, ...]]:
            nonlocal rows
            found = hits(query, limit)
            rows += len(found)
            return found

        store._hits = counted  # type: ignore[method-assign]
        for query in queries:
            store.search(query, 5)
    n = max(len(queries), 1)
    return 1000 * searching / n, 1000 * (searching + choosing) / n, rows / n


# --- main ------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000, help="works in the main store")
    parser.add_argument("--references", type=int, default=100_000, help="references to check")
    parser.add_argument("--doi-references", type=int, default=10_000, help="cited with a DOI")
    parser.add_argument(
        "--search-sizes", default="1000000,2000000,4000000", help="stores whose search is timed"
    )
    parser.add_argument("--partition-size", type=int, default=distributed.PARTITION_SIZE)
    parser.add_argument("--skip", default="", help=f"runs to skip, of {','.join(RUNS)}")
    parser.add_argument("--full", type=int, default=180_000_000, help="records to project to")
    parser.add_argument("--workdir", type=Path, default=None, help="keep (and reuse) files here")
    args = parser.parse_args()
    if not WORKS.exists():
        sys.exit(f"scale: {WORKS} not found (../shared is needed)")
    if args.workdir:
        args.workdir.mkdir(parents=True, exist_ok=True)
        run(args, args.workdir)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            run(args, Path(tmp))


def run(args: argparse.Namespace, folder: Path) -> None:
    skip = {s for s in args.skip.split(",") if s}
    sizes = sorted({int(s) for s in args.search_sizes.split(",") if s} | {args.records})
    if any(size % args.records for size in sizes):
        sys.exit("scale: every --search-sizes size is a multiple of --records")
    print(f"scale benchmark: {os.cpu_count()} CPUs, load average {os.getloadavg()} at start")
    real = real_records()
    store = store_of(folder, args.records, real)
    cited, with_dois = references(folder, args.records, args.references, args.doi_references)
    print(
        f"\n{len(cited):,} references without DOI (BibTeX and free text) and "
        f"{len(with_dois):,} with one, against {args.records:,} works"
    )

    rates: dict[str, float] = {}
    outcome: dict[str, list[str]] = {}
    seconds, verdicts = run_here(with_dois, store, 1)
    print(
        f"  with DOI, one process: {len(with_dois) / seconds:,.0f} references/s "
        f"({right_share(verdicts, with_dois)})"
    )
    for label, jobs in (("process", 1), ("jobs2", 2)):
        if label in skip:
            continue
        load = os.getloadavg()[0]
        seconds, outcome[label] = run_here(cited, store, jobs)
        rates[label] = len(cited) / seconds
        print(
            f"  without DOI, {'one process' if jobs == 1 else f'--jobs {jobs}'}: "
            f"{rates[label]:,.0f} references/s, {seconds:.0f} s "
            f"({right_share(outcome[label], cited)}; load {load:.1f} before)",
            flush=True,
        )
    if "dask" not in skip:
        load = os.getloadavg()[0]
        wall, outcome["dask"], own, startup = run_dask(cited, store, args.partition_size, folder)
        rates["dask"] = len(cited) / wall
        overhead = (2 * wall - sum(own)) / max(len(own), 1)
        print(
            f"  without DOI, LocalCluster of 2 workers: {rates['dask']:,.0f} references/s, "
            f"{wall:.0f} s ({right_share(outcome['dask'], cited)}; load {load:.1f} before); "
            f"cluster started in {startup:.1f} s"
        )
        print(
            f"    {len(own)} partitions of {args.partition_size}: "
            f"{statistics.median(own):.2f} s each (median), "
            f"overhead {overhead * 1000:.0f} ms a partition "
            f"({overhead / max(statistics.median(own), 1e-9):.1%} of one)"
        )
    dumped = outcome
    first = next(iter(dumped), None)
    for label in list(dumped)[1:]:
        differ = sum(a != b for a, b in zip(dumped[first], dumped[label], strict=True))
        print(f"  verdicts of {label} unlike those of {first}: {differ}")

    print("\nsearch cost by store size (the real records' BibTeX references, without DOI)")
    probes = [
        i.reference
        for i in bibtex_items([r for r in real if usable(r)], folder, random.Random(SEED))
    ]
    stores = {
        count: store if count == args.records else larger_store(folder, args.records, count)
        for count in sizes
    }
    costs: dict[int, tuple[float, float, float]] = {}
    for count in sizes:
        costs[count] = search_cost(stores[count], probes)
        size = stores[count].stat().st_size
        print(
            f"  {count:>11,} works: search {costs[count][0]:.2f} ms, with choice "
            f"{costs[count][1]:.2f} ms; {costs[count][2]:.0f} rows a search; "
            f"store {size / 1e9:.2f} GB, "
            f"{size / count:,.0f} bytes a work"
        )
    project(args, sizes, costs, stores, rates)


def project(
    args: argparse.Namespace,
    sizes: Sequence[int],
    costs: dict[int, tuple[float, float, float]],
    stores: dict[int, Path],
    rates: dict[str, float],
) -> None:
    """Time and disk for ``--full`` records, from the growth measured per doubling."""
    if len(sizes) < 2:
        return
    low, high = sizes[0], sizes[-1]
    doublings = math.log2(high / low)
    growth = (costs[high][1] / costs[low][1]) ** (1 / doublings)  # per doubling
    ahead = math.log2(args.full / args.records)
    # A measured shrinking is noise (the machine is shared): never projected as a gain.
    # The growth cannot go on past the store's cap on the candidates a search scores: its
    # cost follows the rows scored, so at most the cap's multiple of today's rows.
    capped = MAX_CANDIDATES / max(costs[args.records][2], 1.0)
    factor = min(max(growth, 1.0) ** ahead, capped)
    per_byte = stores[high].stat().st_size / high
    print(
        f"\nprojection to {args.full:,} works: search + choice grew x{growth:.3f} a doubling "
        f"({low:,} -> {high:,}); {ahead:.1f} doublings past {args.records:,}; the rows scored "
        f"capped at {MAX_CANDIDATES} ({costs[args.records][2]:.0f} now) -> x{factor:.2f}"
    )
    print(f"  store: {per_byte * args.full / 1e9:,.0f} GB ({per_byte:,.0f} bytes a work)")
    base = rates.get("dask") or rates.get("process")
    if base is None:
        return
    # A reference's time at the full size: as measured, plus what its search and choice
    # cost more there (the rest - reading, comparing - does not grow with the store). Two
    # bounds: the growth measured here, where every query's look-alikes grow with the store
    # (the simulation's vocabulary is fixed), and none (a title's rarest words as rare in a
    # larger real corpus, whose vocabulary grows with it).
    here = costs[args.records][1] / 1000
    measured = 1 / (base / 2 if "dask" in rates else base)
    for label, grown in (("measured growth, capped", factor), ("no growth", 1.0)):
        seconds = measured + here * (grown - 1)
        print(
            f"  {label}: {seconds * 1000:,.2f} ms a reference without DOI on a worker "
            f"({measured * 1000:.2f} measured + {here * (grown - 1) * 1000:,.2f} the search's "
            f"growth); 100M references take {1e8 * seconds / 3600:,.0f} worker-hours:"
        )
        print(
            "    "
            + "; ".join(
                f"{workers} workers {1e8 * seconds / workers / 3600:,.1f} h"
                for workers in (8, 32, 128, 512)
            )
        )


if __name__ == "__main__":
    main()
