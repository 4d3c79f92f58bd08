"""Checks spread over a Dask cluster (refcheck.distributed): the verdicts, and so the
reports, are the in-process run's, in input order, each reference once, even when a worker
dies mid-run; runs that cannot be spread are refused in one line (exit 2)."""

from __future__ import annotations

import asyncio
import gzip
import json
import os
import re
import signal
import sys
from collections.abc import Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from refcheck import api, distributed
from refcheck.api import check_async, read_references
from refcheck.cli import main
from refcheck.config import Settings
from refcheck.errors import InputError
from refcheck.models import Reference, Status, Verdict
from refcheck.resolve.store import import_records

STORED = 400  # records in the store; references are drawn from either side of it
PARTITION = 7  # small partitions: many tasks, several on each worker


def _first(value: Any) -> str:
    if isinstance(value, list):
        return str(value[0]) if value else ""
    return "" if value is None else str(value)


def _bibtex(n: int, record: dict[str, Any], *, doi: bool, volume_off: bool) -> str:
    authors = " and ".join(
        f"{a['family']}, {a.get('given', '')}".strip(", ")
        for a in record.get("author") or []
        if isinstance(a, dict) and a.get("family")
    )
    year = record["issued"]["date-parts"][0][0]
    volume = _first(record.get("volume"))
    if volume_off and volume.isdigit():
        volume = str(int(volume) + 1)
    fields = {
        "title": _first(record.get("title")),
        "author": authors,
        "journal": _first(record.get("container-title")),
        "year": str(year),
        "volume": volume,
        "pages": _first(record.get("page")),
        "doi": record["DOI"] if doi else "",
    }
    body = ",\n".join(f"  {k} = {{{v}}}" for k, v in fields.items() if v)
    return f"@article{{r{n},\n{body}\n}}\n"


@pytest.fixture(scope="module")
def corpus(shared: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A store of real Crossref records and a BibTeX file citing 60 works: most in the
    store (with and without their DOI, some with a wrong volume), some not."""
    folder = tmp_path_factory.mktemp("distributed")
    with gzip.open(shared / "crossref" / "works-dev.jsonl.gz", "rt", encoding="utf-8") as lines:
        records = [json.loads(line) for line in lines if line.strip()]
    usable = [
        r
        for r in records
        if r.get("title")
        and r.get("author")
        and r.get("issued", {}).get("date-parts", [[None]])[0][0]
    ]
    store = folder / "works.sqlite3"
    source = folder / "works.jsonl"
    source.write_text("\n".join(json.dumps(r) for r in usable[:STORED]) + "\n", encoding="utf-8")
    import_records([source], store, workers=0)
    cited = [*usable[:STORED:8], *usable[STORED : STORED + 10]]
    bib = folder / "refs.bib"
    bib.write_text(
        "".join(
            _bibtex(n, record, doi=n % 3 == 0, volume_off=n % 5 == 1)
            for n, record in enumerate(cited)
        ),
        encoding="utf-8",
    )
    return store, bib


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    """A LocalCluster of two worker processes, one thread each; its scheduler's address."""
    dask_distributed = pytest.importorskip("distributed", reason="the dask extra is not installed")
    cloudpickle = pytest.importorskip("cloudpickle")
    # The workers cannot import this test module by name: its functions travel by value.
    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    with dask_distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        host="127.0.0.1",
    ) as local:
        yield local.scheduler_address


def _check(args: Sequence[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["check", "--isolated", "--no-progress", *args])
    return code, capsys.readouterr().err


def test_a_local_cluster_writes_the_report_of_an_in_process_run(
    corpus: tuple[Path, Path], cluster: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store, bib = corpus
    common = ["--no-cache", "--snapshot", str(store), "--format", "json", str(bib)]
    here, spread = tmp_path / "here.json", tmp_path / "spread.json"
    code_here, err_here = _check(["--offline", *common, "--output", str(here)], capsys)
    spread_args = ["--dask-scheduler", cluster, "--partition-size", str(PARTITION)]
    code_spread, err_spread = _check([*common, *spread_args, "--output", str(spread)], capsys)
    assert (code_spread, err_spread) == (code_here, err_here)
    assert spread.read_bytes() == here.read_bytes()
    report = json.loads(here.read_text(encoding="utf-8"))
    statuses = {entry["status"] for entry in report["references"]}
    assert len(report["references"]) == 60
    # Verified, a wrong volume, works the store lacks: not one verdict for all.
    assert {"verified", "mismatch"} <= statuses
    assert len(statuses) >= 3


def _dies_once(marker: Path, settings: Settings, references: Sequence[Reference]) -> list[Verdict]:
    """check_partition, but the first run of a partition holding reference r20 kills its
    own worker process (SIGKILL: no goodbye to the scheduler) before answering."""
    if any(r.location.key == "r20" for r in references):
        try:
            os.close(os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            pass
        else:
            os.kill(os.getpid(), signal.SIGKILL)
    return distributed.check_partition(settings, references)


async def _spread(
    references: Sequence[Reference], settings: Settings, cluster: str, marker: Path
) -> list[Verdict]:
    return [
        verdict
        async for verdict in distributed.iter_check(
            references,
            settings,
            cluster,
            partition_size=PARTITION,
            check=partial(_dies_once, marker),
        )
    ]


def test_a_killed_worker_has_its_partitions_run_again_each_reference_reported_once(
    corpus: tuple[Path, Path], cluster: str, tmp_path: Path
) -> None:
    store, bib = corpus
    references = read_references([bib])
    settings = Settings(offline=True, no_cache=True, snapshots=(store,))
    marker = tmp_path / "killed"

    spread = asyncio.run(_spread(references, settings, cluster, marker))
    here = asyncio.run(check_async(references, settings))

    assert marker.exists()  # a worker did die mid-run
    assert [v.reference.location for v in spread] == [r.location for r in references]
    assert [v.model_dump(mode="json") for v in spread] == [v.model_dump(mode="json") for v in here]


def test_check_partition_is_pure(corpus: tuple[Path, Path]) -> None:
    store, bib = corpus
    references = read_references([bib])[:20]
    settings = distributed.partition_settings(Settings(snapshots=(store,)))
    first = distributed.check_partition(settings, references)
    again = distributed.check_partition(settings, references)
    assert [v.model_dump(mode="json") for v in again] == [v.model_dump(mode="json") for v in first]
    assert any(v.status is Status.VERIFIED for v in first)


@pytest.mark.parametrize("chunk", [api.CHUNK, 16])
def test_a_verdict_does_not_depend_on_the_other_references_of_its_run(
    corpus: tuple[Path, Path], chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a partition needs to be pure: the references checked together (in one chunk,
    or in chunks of 16 whose searches overlap) or each alone give the same verdicts,
    sources included (r53's query with its title is r54-r57's without theirs)."""
    store, bib = corpus
    references = read_references([bib])
    settings = Settings(offline=True, no_cache=True, snapshots=(store,))
    monkeypatch.setattr(api, "CHUNK", chunk)
    together = asyncio.run(check_async(references, settings))
    alone = [v for r in references for v in asyncio.run(check_async([r], settings))]
    assert [v.model_dump(mode="json") for v in alone] == [
        v.model_dump(mode="json") for v in together
    ]


def test_partition_settings_read_the_store_alone_at_its_absolute_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    given = Settings(snapshots=(Path("works.sqlite3"),), jobs=4, cache_dir=Path("cache"))
    settings = distributed.partition_settings(given)
    assert settings.snapshots == (tmp_path.resolve() / "works.sqlite3",)
    assert (settings.offline, settings.no_cache, settings.cache_dir, settings.jobs) == (
        True,
        True,
        None,
        1,
    )


def _one_line_refusal(code: int, err: str) -> str:
    assert code == 2
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("refcheck: error: ")
    return lines[0]


def test_a_run_without_a_snapshot_store_is_refused(
    corpus: tuple[Path, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _, bib = corpus
    line = _one_line_refusal(*_check(["--dask-scheduler", "tcp://127.0.0.1:9", str(bib)], capsys))
    assert "snapshot store" in line
    assert "Crossref pool" in line
    lines = tmp_path / "works.jsonl"
    lines.write_text("{}\n", encoding="utf-8")
    refused = _check(
        ["--dask-scheduler", "tcp://127.0.0.1:9", "--snapshot", str(lines), str(bib)], capsys
    )
    assert "is JSON lines" in _one_line_refusal(*refused)


def test_without_dask_the_option_says_what_to_install(
    corpus: tuple[Path, Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    store, bib = corpus
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed: ImportError
    args = ["--dask-scheduler", "tcp://127.0.0.1:9", "--snapshot", str(store), str(bib)]
    line = _one_line_refusal(*_check(args, capsys))
    assert "pip install 'refcheck[dask]'" in line


def test_an_unreachable_scheduler_is_one_line(
    corpus: tuple[Path, Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    store, bib = corpus
    monkeypatch.setattr(distributed, "CONNECT_TIMEOUT", 1)
    args = ["--dask-scheduler", "tcp://127.0.0.1:9", "--snapshot", str(store), str(bib)]
    line = _one_line_refusal(*_check(args, capsys))
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in line


def test_a_missing_store_is_the_in_process_runs_one_line_before_any_scheduler(
    corpus: tuple[Path, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _, bib = corpus
    missing = ["--snapshot", str(tmp_path / "gone.sqlite3"), str(bib)]
    here = _one_line_refusal(*_check(["--offline", *missing], capsys))
    # Nothing listens at port 9: the store is found missing before the scheduler is asked.
    spread = _one_line_refusal(*_check(["--dask-scheduler", "tcp://127.0.0.1:9", *missing], capsys))
    assert spread == here
    assert "cannot open snapshot store" in spread


def _notes_its_run(
    marker: Path, settings: Settings, references: Sequence[Reference]
) -> list[Verdict]:
    """check_partition, leaving a mark that a partition ran."""
    marker.touch()
    return distributed.check_partition(settings, references)


def test_a_store_that_cannot_be_opened_is_never_sent_to_the_workers(
    corpus: tuple[Path, Path], cluster: str, tmp_path: Path
) -> None:
    _, bib = corpus
    references = read_references([bib])
    marker = tmp_path / "ran"
    not_a_store = tmp_path / "works.sqlite3"
    not_a_store.write_text('{"DOI": "10.5555/lines"}\n', encoding="utf-8")

    async def spread(settings: Settings) -> list[Verdict]:
        verdicts = distributed.iter_check(
            references, settings, cluster, check=partial(_notes_its_run, marker)
        )
        return [verdict async for verdict in verdicts]

    # Missing, a folder, JSON lines under a store's name.
    for store in (tmp_path / "gone.sqlite3", tmp_path, not_a_store):
        with pytest.raises(InputError, match=re.escape(str(store))):
            asyncio.run(spread(Settings(snapshots=(store,))))
    assert not marker.exists()  # not one partition ran, nor was retried


def test_partition_size_alone_is_a_usage_error(
    corpus: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    _, bib = corpus
    line = _one_line_refusal(*_check(["--partition-size", "10", str(bib)], capsys))
    assert "--dask-scheduler" in line


# --- the README's Spark recipe --------------------------------------------------------------

README = Path(__file__).resolve().parents[1] / "README.md"
RECIPE_STORE = '"/shared/works.sqlite3"'


class _Row(NamedTuple):
    article: str
    line: int
    text: str


def _recipe(store: Path) -> str:
    """The README's Spark recipe, as written, reading ``store``."""
    text = README.read_text(encoding="utf-8")
    start = text.index("```python\n", text.index("**The same check on Spark.**"))
    block = text[start + len("```python\n") : text.index("\n```\n", start)]
    assert RECIPE_STORE in block
    return block.replace(RECIPE_STORE, repr(str(store)))


def _free_text(record: dict[str, Any]) -> str:
    names = ", ".join(
        f"{a['family']}, {a.get('given', ' ')[0]}."
        for a in record.get("author") or []
        if isinstance(a, dict) and a.get("family")
    )
    year = record["issued"]["date-parts"][0][0]
    return (
        f"{names} ({year}). {_first(record.get('title'))}. "
        f"{_first(record.get('container-title'))}, {_first(record.get('volume'))}, "
        f"{_first(record.get('page'))}."
    )


@pytest.fixture(scope="module")
def recipe_rows(corpus: tuple[Path, Path], shared: Path) -> list[_Row]:
    """Free-text references to works in the store (one with a wrong year), and to some
    the store lacks."""
    with gzip.open(shared / "crossref" / "works-dev.jsonl.gz", "rt", encoding="utf-8") as lines:
        records = [json.loads(line) for line in lines if line.strip()]
    usable = [r for r in records if r.get("author") and r.get("title") and r.get("page")]
    texts = [_free_text(r) for r in usable[:200:10]]
    texts[3] = re.sub(r"\((\d{4})\)", lambda m: f"({int(m[1]) - 5})", texts[3], count=1)
    return [_Row(f"article{n % 3}.html", n + 1, text) for n, text in enumerate(texts)]


class _Partitioned:
    """What the recipe asks of a Spark DataFrame (``.rdd.mapPartitions(f).toDF(columns)``),
    over rows in two partitions, for a run without Spark."""

    def __init__(self, rows: Sequence[_Row]) -> None:
        self.rdd = self
        self._parts = [rows[: len(rows) // 2], rows[len(rows) // 2 :]]
        self.rows: list[tuple[Any, ...]] = []

    def mapPartitions(self, check: Any) -> _Partitioned:  # Spark's name
        self.rows = [row for part in self._parts for row in check(iter(part))]
        return self

    def toDF(self, columns: Sequence[str]) -> list[dict[str, Any]]:
        return [dict(zip(columns, row, strict=True)) for row in self.rows]


def _expected(rows: Sequence[_Row], store: Path) -> list[dict[str, Any]]:
    from refcheck.models import Location
    from refcheck.parse.reference import parse_reference, to_reference

    references = [
        to_reference(parse_reference(r.text), r.text, Location(path=r.article, line=r.line))
        for r in rows
    ]
    verdicts = asyncio.run(
        check_async(references, Settings(offline=True, no_cache=True, snapshots=(store,)))
    )
    return [
        {
            "article": row.article,
            "line": row.line,
            "status": v.status.value,
            "doi": v.work.doi if v.work is not None else None,
            "rules": ",".join(f.code for f in v.findings),
        }
        for row, v in zip(rows, verdicts, strict=True)
    ]


def test_the_spark_recipe_over_plain_partitions(
    corpus: tuple[Path, Path], recipe_rows: list[_Row]
) -> None:
    store, _ = corpus
    namespace: dict[str, Any] = {
        "__name__": "spark_recipe",
        "references": _Partitioned(recipe_rows),
    }
    exec(compile(_recipe(store), "README.md", "exec"), namespace)
    got = namespace["verdicts"]
    assert got == _expected(recipe_rows, store)
    statuses = [row["status"] for row in got]
    assert statuses.count("verified") >= 10
    assert "mismatch" in statuses  # the wrong year
    assert got[3]["status"] == "mismatch"


def test_the_spark_recipe_on_spark(corpus: tuple[Path, Path], recipe_rows: list[_Row]) -> None:
    pytest.importorskip("pyspark", reason="pyspark is not installed")
    from pyspark.sql import SparkSession

    store, _ = corpus
    spark = SparkSession.builder.master("local[2]").appName("refcheck").getOrCreate()
    try:
        frame = spark.createDataFrame([tuple(r) for r in recipe_rows], ["article", "line", "text"])
        namespace: dict[str, Any] = {"__name__": "spark_recipe", "references": frame}
        exec(compile(_recipe(store), "README.md", "exec"), namespace)
        got = [row.asDict() for row in namespace["verdicts"].orderBy("line").collect()]
    finally:
        spark.stop()
    assert got == _expected(recipe_rows, store)
