"""Robustness: a Crossref that fails in every way it can must never yield a wrong verdict.

Every reference ends either with the verdict it has when Crossref behaves (verified for the
correct ones, mismatch for the wrong ones) or unverified with a message; nothing escapes;
the run ends in bounded time. The stand-in on 127.0.0.1 injects the faults.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from refcheck.api import check_async, read_references
from refcheck.cli import main
from refcheck.config import Settings
from refcheck.models import Reference, Status, Verdict
from refcheck.resolve.crossref import CrossrefClient
from refcheck.resolve.pacing import Limits, Pacer
from refcheck.resolve.resolver import Resolver
from refcheck.testing.crossref_standin import RANDOM_FAULTS, CrossrefStandin, Fault

FAMILIES = [
    "Abernathy", "Bellweather", "Castellano", "Drummond", "Eriksdottir", "Fairbanks",
    "Gallagher", "Hollingsworth", "Ibarruri", "Jankowski", "Kowalczyk", "Lindqvist",
    "Montgomery", "Nakashima", "Oyelaran", "Pemberton", "Quartermaine", "Rasmussen",
    "Szymanski", "Thorvaldsen",
]  # fmt: skip
TOPICS = [
    "lumbar disc herniation", "cervical spondylosis", "rotator cuff tears", "knee osteoarthritis",
    "ankle sprain recurrence", "hip labral lesions", "carpal tunnel release", "scoliosis bracing",
    "whiplash recovery", "plantar fasciitis", "tennis elbow injections", "frozen shoulder",
    "sacroiliac joint pain", "meniscal repair", "spinal stenosis surgery", "osteoporotic fractures",
    "tendinopathy loading", "sciatica prognosis", "vertebral endplate changes", "neck pain imaging",
]  # fmt: skip
DESIGNS = ["a cohort study", "a randomised trial", "a systematic review", "a case series"]
WITH_DOI = 14  # the rest are found by search
WRONG_YEAR = {3, 16}  # cited with a wrong year: a mismatch when Crossref behaves


def _records() -> list[dict[str, Any]]:
    records = []
    for n, (family, topic) in enumerate(zip(FAMILIES, TOPICS, strict=True)):
        records.append(
            {
                "DOI": f"10.5555/fault.{n}",
                "type": "journal-article",
                "title": [f"Outcomes of {topic}: {DESIGNS[n % len(DESIGNS)]}"],
                "author": [
                    {"family": family, "given": "Anna"},
                    {"family": FAMILIES[(n + 7) % len(FAMILIES)], "given": "Jonas"},
                ],
                "container-title": ["Journal of Musculoskeletal Research"],
                "volume": str(10 + n),
                "issue": str(1 + n % 4),
                "page": f"{100 + 10 * n}-{108 + 10 * n}",
                "issued": {"date-parts": [[2000 + n, 3]]},
            }
        )
    return records


RECORDS = _records()


def _bibtex(records: Sequence[dict[str, Any]]) -> str:
    entries = []
    for n, record in enumerate(records):
        year = record["issued"]["date-parts"][0][0] + (3 if n in WRONG_YEAR else 0)
        authors = " and ".join(f"{a['family']}, {a['given']}" for a in record["author"])
        doi = f"  doi = {{{record['DOI']}}},\n" if n < WITH_DOI else ""
        entries.append(
            f"@article{{ref{n},\n  author = {{{authors}}},\n  title = {{{record['title'][0]}}},\n"
            f"  journal = {{{record['container-title'][0]}}},\n  year = {{{year}}},\n"
            f"  volume = {{{record['volume']}}},\n  number = {{{record['issue']}}},\n"
            f"  pages = {{{record['page']}}},\n{doi}}}\n"
        )
    return "\n".join(entries)


def _expected(reference: Reference) -> Status:
    n = int((reference.location.key or "").removeprefix("ref"))
    return Status.MISMATCH if n in WRONG_YEAR else Status.VERIFIED


@pytest.fixture(scope="module")
def references(tmp_path_factory: pytest.TempPathFactory) -> list[Reference]:
    bib = tmp_path_factory.mktemp("faults") / "refs.bib"
    bib.write_text(_bibtex(RECORDS), encoding="utf-8")
    found = read_references([bib])
    assert len(found) == len(RECORDS)
    return found


@pytest.fixture
def server() -> Iterator[CrossrefStandin]:
    # Announced limits this high let the client go fast: pacing is tested elsewhere. A 429
    # pauses for the announced window: a short one keeps the test quick.
    with CrossrefStandin(RECORDS, rate_limit=100, list_rate_limit=100, interval="100ms") as standin:
        yield standin


async def _check(
    server: CrossrefStandin,
    references: list[Reference],
    *,
    timeout: float = 2.0,
    retries: int = 3,
) -> tuple[list[Verdict], float]:
    settings = Settings(crossref_url=server.url, no_cache=True, timeout=timeout, retries=retries)
    pacer = Pacer(Limits(single_rate=500, list_rate=500, concurrency=3))
    client = CrossrefClient(
        server.url,
        "t@example.org",
        timeout=timeout,
        retries=retries,
        backoff=0.01,
        max_backoff=0.05,
        pacer=pacer,
    )
    started = time.perf_counter()
    async with Resolver(settings, client=client) as resolver:
        verdicts = await check_async(references, settings, resolver=resolver)
    return verdicts, time.perf_counter() - started


def _assert_no_wrong_verdict(verdicts: list[Verdict], references: list[Reference]) -> int:
    """Each verdict is the right one or unverified with a message; the number unverified."""
    assert [v.reference for v in verdicts] == references
    unverified = 0
    for verdict in verdicts:
        if verdict.status is Status.UNVERIFIED:
            assert verdict.message, verdict
            unverified += 1
        else:
            assert verdict.status is _expected(verdict.reference), verdict
    return unverified


async def test_without_faults_every_verdict_is_the_right_one(
    server: CrossrefStandin, references: list[Reference]
) -> None:
    verdicts, _ = await _check(server, references)
    assert _assert_no_wrong_verdict(verdicts, references) == 0
    assert sum(v.status is Status.MISMATCH for v in verdicts) == len(WRONG_YEAR)


async def test_occasional_503s_are_retried_away(
    server: CrossrefStandin, references: list[Reference]
) -> None:
    server.faults.set_rate(0.1, seed=3, choices=[Fault.unavailable()])
    verdicts, elapsed = await _check(server, references)
    assert _assert_no_wrong_verdict(verdicts, references) == 0
    assert server.faults.injected > 0
    assert elapsed < 5


@pytest.mark.parametrize("seed", [2, 3])
async def test_a_mix_of_every_fault_gives_no_wrong_verdict(
    server: CrossrefStandin, references: list[Reference], seed: int
) -> None:
    # 429s with and without Retry-After ("1" s: the client waits it out), 503s, broken
    # JSON, cut-off bodies and dropped connections, on a quarter of the requests.
    server.faults.set_rate(0.25, seed=seed, choices=RANDOM_FAULTS)
    verdicts, elapsed = await _check(server, references)
    unverified = _assert_no_wrong_verdict(verdicts, references)
    assert server.faults.injected > 0
    # Three retries absorb a quarter of failures for most references.
    assert unverified <= len(references) // 2
    assert elapsed < 8


@pytest.mark.parametrize("seed", [1, 3])
async def test_many_faults_and_few_retries_leave_references_unverified_never_wrong(
    server: CrossrefStandin, references: list[Reference], seed: int
) -> None:
    server.faults.set_rate(0.5, seed=seed, choices=RANDOM_FAULTS)
    verdicts, elapsed = await _check(server, references, timeout=0.5, retries=1)
    unverified = _assert_no_wrong_verdict(verdicts, references)
    assert 0 < unverified < len(references)
    assert elapsed < 8


async def test_a_slow_answer_beyond_the_timeout_is_retried(
    server: CrossrefStandin, references: list[Reference]
) -> None:
    server.faults.push(Fault.slow(delay=3.0), count=2)
    verdicts, elapsed = await _check(server, references, timeout=0.3)
    assert _assert_no_wrong_verdict(verdicts, references) == 0
    # The slow answers are still pending (so not yet in the log) when the check is done.
    assert server.faults.injected == 2
    assert elapsed < 3


@pytest.mark.parametrize(
    "fault",
    [
        Fault.unavailable(),
        Fault.too_many_requests(),
        Fault.too_many_requests(retry_after="0"),
        Fault.broken_json(),
        Fault.truncated(),
        Fault.disconnect(),
        Fault.slow(delay=3.0),
    ],
    ids=lambda fault: f"{fault.kind}-{fault.status}-{fault.retry_after}",
)
async def test_a_crossref_that_always_fails_leaves_everything_unverified(
    server: CrossrefStandin, references: list[Reference], fault: Fault
) -> None:
    server.faults.set_rate(1.0, choices=[fault])
    verdicts, elapsed = await _check(server, references, timeout=0.2, retries=1)
    assert _assert_no_wrong_verdict(verdicts, references) == len(references)
    assert all("Crossref" in (v.message or "") for v in verdicts)
    assert elapsed < 5


async def test_an_unknown_doi_is_not_called_unknown_when_its_confirmation_fails(
    server: CrossrefStandin, references: list[Reference]
) -> None:
    lost = references[0].model_copy(update={"doi": "10.5555/nobody-knows"})
    cited = [lost, references[1]]
    verdicts, _ = await _check(server, cited, retries=0)
    assert verdicts[0].status is Status.NOT_FOUND  # without faults: Crossref said 404
    # The batch answers (a slow fault of no delay is a normal answer) without the DOI; the
    # /works/{doi} that would confirm it is unknown fails: unverified, not "DOI not found".
    server.faults.push(Fault.slow(delay=0.0))
    server.faults.set_rate(1.0, choices=[Fault.unavailable()])
    verdicts, _ = await _check(server, cited, retries=0)
    assert [v.status for v in verdicts] == [Status.UNVERIFIED, Status.UNVERIFIED]
    assert [r.kind for r in server.requests][-2:] == ["list", "single"]


def test_the_cli_exits_0_with_everything_unverified_when_crossref_always_answers_503(
    server: CrossrefStandin,
    references: list[Reference],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    server.faults.set_rate(1.0, choices=[Fault.unavailable()])
    bib = tmp_path / "refs.bib"
    bib.write_text(_bibtex(RECORDS[:3]), encoding="utf-8")  # three DOIs: one batch request
    started = time.perf_counter()
    options = ["--isolated", "--crossref-url", server.url, "--no-cache", "--timeout", "1"]
    code = main(["check", str(bib), *options, "--format", "json"])
    elapsed = time.perf_counter() - started
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    assert [entry["status"] for entry in report["references"]] == ["unverified"] * 3
    assert all(entry["message"] for entry in report["references"])
    assert report["summary"]["unverified"] == 3
    assert elapsed < 10


def test_the_cli_says_once_that_it_slows_down_when_crossref_fails_often(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The batch filter misses these DOIs, so each is looked up on its own: enough requests
    # for the client to judge its error share. A third of the first twelve answer 503, which
    # takes the share past a tenth; then Crossref recovers, so the run stays short.
    cited = RECORDS[:WITH_DOI]
    hidden = [record["DOI"] for record in cited]
    bib = tmp_path / "refs.bib"
    bib.write_text(_bibtex(cited), encoding="utf-8")
    mailto = "cli-faults@example.org"
    with CrossrefStandin(
        RECORDS, rate_limit=1000, list_rate_limit=1000, hidden_from_filter=hidden
    ) as standin:
        for _ in range(4):
            standin.faults.push(Fault.slow(delay=0.0), count=2)  # a normal answer
            standin.faults.push(Fault.unavailable())
        options = ["--isolated", "--crossref-url", standin.url, "--no-cache", "--timeout", "2"]
        started = time.perf_counter()
        code = main(["check", str(bib), *options, "--mailto", mailto, "--format", "json"])
        elapsed = time.perf_counter() - started
        requests = standin.requests
    captured = capsys.readouterr()
    said = [line for line in captured.err.splitlines() if "slowing down" in line]
    assert len(said) == 1, captured.err
    assert said[0].startswith("refcheck: warning: Crossref failed ")
    assert said[0].endswith("slowing down as it asks")
    assert mailto not in captured.err
    assert sum(r.status == 503 for r in requests) == 4
    report = json.loads(captured.out)
    references = read_references([bib])
    statuses = [entry["status"] for entry in report["references"]]
    for reference, status in zip(references, statuses, strict=True):
        assert status in (_expected(reference).value, Status.UNVERIFIED.value), reference
    # Only a finding exits 1, never the faults.
    assert code == (1 if Status.MISMATCH.value in statuses else 0)
    assert elapsed < 8
