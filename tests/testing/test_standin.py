"""The loopback Crossref stand-in, seen from a plain HTTP client."""

from __future__ import annotations

import gzip
import json
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from refcheck.testing import CrossrefStandin, Fault, FaultPlan, load_records

SICI = "10.1002/(SICI)1097-4636(199706)35:4<523::AID-JBM12>3.0.CO;2-D"
RECORDS: list[dict[str, Any]] = [
    {
        "DOI": "10.5555/Lumbar.1",
        "title": ["Imaging features of spinal degeneration in asymptomatic populations"],
        "author": [{"family": "Brinjikji", "given": "W."}, {"family": "Jarvik", "given": "J.G."}],
        "container-title": ["American Journal of Neuroradiology"],
        "volume": "36",
        "issued": {"date-parts": [[2015, 4]]},
    },
    {
        "DOI": "10.5555/sciatica.2",
        "title": ["Magnetic resonance imaging in follow-up assessment of sciatica"],
        "author": [{"family": "el Barzouhi", "given": "A."}],
        "container-title": ["New England Journal of Medicine"],
        "issued": {"date-parts": [[2013, 3, 14]]},
    },
    {"DOI": SICI, "title": ["Bone cement in the rat"], "issued": {"date-parts": [[1997]]}},
]


@pytest.fixture
def standin() -> Iterator[CrossrefStandin]:
    with CrossrefStandin(RECORDS) as server:
        yield server


@pytest.fixture
def http(standin: CrossrefStandin) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=standin.url, timeout=5.0) as client:
        yield client


def encoded(doi: str) -> str:
    return "/works/" + quote(doi, safe="")


# --- routes and envelopes ------------------------------------------------------------------


def test_a_work_comes_in_crossrefs_envelope(http: httpx.Client) -> None:
    answer = http.get(encoded("10.5555/lumbar.1"))
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/json")
    body = answer.json()
    assert body["status"] == "ok"
    assert body["message-type"] == "work"
    assert body["message-version"] == "1.0.0"
    assert body["message"] == RECORDS[0]


def test_a_doi_may_come_with_a_raw_slash_and_any_case(http: httpx.Client) -> None:
    assert http.get("/works/10.5555/LUMBAR.1").json()["message"]["DOI"] == "10.5555/Lumbar.1"
    odd = http.get(encoded(SICI.upper()))
    assert odd.status_code == 200
    assert odd.json()["message"]["DOI"] == SICI


def test_an_unknown_doi_is_crossrefs_plain_404(http: httpx.Client) -> None:
    answer = http.get(encoded("10.5555/nobody"))
    assert answer.status_code == 404
    assert answer.headers["content-type"] == "text/plain"
    assert answer.content == b"Resource not found."
    assert http.get("/members/1").status_code == 404


def test_a_doi_filter_lists_the_works(http: httpx.Client) -> None:
    answer = http.get(
        "/works",
        params={
            "filter": f"doi:10.5555/SCIATICA.2,doi:10.5555/nobody,doi:{SICI}",
            "rows": "3",
            "mailto": "me@example.org",
            "select": "DOI,title",
        },
    )
    assert answer.status_code == 200
    body = answer.json()
    assert body["status"] == "ok"
    assert body["message-type"] == "work-list"
    message = body["message"]
    assert [item["DOI"] for item in message["items"]] == ["10.5555/sciatica.2", SICI]
    assert all(item["score"] == 0.0 for item in message["items"])
    assert message["total-results"] == 2
    assert message["items-per-page"] == 3
    assert message["query"] == {"start-index": 0, "search-terms": None}


def test_rows_and_offset_page_through_a_list(http: httpx.Client) -> None:
    dois = ",".join(f"doi:{r['DOI']}" for r in RECORDS)
    first = http.get("/works", params={"filter": dois, "rows": "2"}).json()["message"]
    rest = http.get("/works", params={"filter": dois, "rows": "2", "offset": "2"}).json()
    assert len(first["items"]) == 2
    assert first["total-results"] == 3
    assert [i["DOI"] for i in rest["message"]["items"]] == [SICI]


def test_hidden_dois_escape_the_filter_only() -> None:
    with (
        CrossrefStandin(RECORDS, hidden_from_filter=[SICI.lower()]) as server,
        httpx.Client(base_url=server.url) as http,
    ):
        listed = http.get("/works", params={"filter": f"doi:{SICI}"}).json()["message"]
        assert listed["items"] == []
        assert listed["total-results"] == 0
        assert http.get(encoded(SICI)).status_code == 200


def test_an_unknown_filter_or_bad_rows_is_crossrefs_400(http: httpx.Client) -> None:
    answer = http.get("/works", params={"filter": "from-pub-date:2020"})
    assert answer.status_code == 400
    body = answer.json()
    assert body["status"] == "failed"
    assert body["message-type"] == "validation-failure"
    assert body["message"][0]["type"] == "filter-not-available"
    for rows in ("many", "-1", "1001"):
        bad = http.get("/works", params={"query.bibliographic": "x", "rows": rows})
        assert bad.status_code == 400
        assert bad.json()["message"][0]["value"] == rows


# --- search --------------------------------------------------------------------------------


def test_search_ranks_by_relevance_with_crossref_like_scores(http: httpx.Client) -> None:
    query = "Brinjikji W, Jarvik JG. Imaging features of spinal degeneration. AJNR 2015;36"
    message = http.get("/works", params={"query.bibliographic": query, "rows": "5"}).json()[
        "message"
    ]
    items = message["items"]
    assert items[0]["DOI"] == "10.5555/Lumbar.1"
    assert 50 < items[0]["score"] < 200
    assert [i["score"] for i in items] == sorted((i["score"] for i in items), reverse=True)
    assert message["query"]["search-terms"] == query


def test_search_folds_case_and_accents(http: httpx.Client) -> None:
    items = http.get("/works", params={"query": "EL BARZOUHI sciatíca"}).json()["message"]["items"]
    assert items[0]["DOI"] == "10.5555/sciatica.2"


def test_search_without_a_match_is_empty(http: httpx.Client) -> None:
    message = http.get("/works", params={"query.bibliographic": "quokka zeppelin"}).json()[
        "message"
    ]
    assert message["items"] == []
    assert message["total-results"] == 0


def test_search_over_the_seed_finds_each_cited_work(shared: Path) -> None:
    records = load_records(shared / "seed" / "seed-works.jsonl")
    cited = {
        "10.3174/ajnr.A4173": "Brinjikji W et al. Systematic literature review of imaging "
        "features of spinal degeneration in asymptomatic populations. AJNR 2015",
        "10.1056/NEJMoa1209250": "el Barzouhi A et al. Magnetic resonance imaging in "
        "follow-up assessment of sciatica. N Engl J Med 2013",
        "10.1097/BRS.0000000000004198": "Kasch R et al. Spine 2022 lumbar MRI",
    }
    with CrossrefStandin(records) as server, httpx.Client(base_url=server.url) as http:
        for doi, reference in cited.items():
            params = {"query.bibliographic": reference, "rows": "3"}
            items = http.get("/works", params=params).json()["message"]["items"]
            assert items[0]["DOI"] == doi


# --- headers and limits --------------------------------------------------------------------


def test_every_answer_carries_the_rate_limit_headers() -> None:
    with (
        CrossrefStandin(RECORDS, rate_limit=7, list_rate_limit=2, concurrency=4) as server,
        httpx.Client(base_url=server.url) as http,
    ):
        single = http.get(encoded("10.5555/lumbar.1"))
        missing = http.get(encoded("10.5555/nobody"))
        listed = http.get("/works", params={"query": "sciatica"})
    for answer, limit in ((single, "7"), (missing, "7"), (listed, "2")):
        assert answer.headers["x-rate-limit-limit"] == limit
        assert answer.headers["x-rate-limit-interval"] == "1s"
        assert answer.headers["x-concurrency-limit"] == "4"


def test_limits_are_not_enforced_unless_asked(http: httpx.Client, standin: CrossrefStandin) -> None:
    statuses = {http.get(encoded("10.5555/lumbar.1")).status_code for _ in range(25)}
    assert statuses == {200}
    assert standin.throttled == 0


def test_enforced_rate_answers_429_and_counts() -> None:
    with (
        CrossrefStandin(
            RECORDS, rate_limit=5, list_rate_limit=2, interval="2s", enforce_limits=True
        ) as server,
        httpx.Client(base_url=server.url) as http,
    ):
        singles = [http.get(encoded("10.5555/lumbar.1")).status_code for _ in range(8)]
        lists = [http.get("/works", params={"query": "x"}).status_code for _ in range(3)]
        assert singles == [200] * 5 + [429] * 3
        assert lists == [200, 200, 429]
        assert server.throttled == 4
        time.sleep(0.45)  # a token drips back every 0.4 s
        assert http.get(encoded("10.5555/lumbar.1")).status_code == 200
        rejected = [r for r in server.requests if r.status == 429]
        assert len(rejected) == 4


def test_enforced_concurrency_answers_429() -> None:
    with CrossrefStandin(
        RECORDS, concurrency=2, latency=0.4, rate_limit=100, enforce_limits=True
    ) as server:
        clients = [httpx.Client(base_url=server.url) for _ in range(4)]
        together = threading.Barrier(4)

        def fetch(http: httpx.Client) -> int:
            together.wait()
            with http:
                return http.get(encoded("10.5555/lumbar.1")).status_code

        with ThreadPoolExecutor(max_workers=4) as pool:
            statuses = sorted(pool.map(fetch, clients))
        assert statuses == [200, 200, 429, 429]
        assert server.throttled == 2
        assert server.max_in_flight >= 3
        assert server.in_flight == 0


def test_latency_delays_each_answer() -> None:
    with (
        CrossrefStandin(RECORDS, latency=0.15) as server,
        httpx.Client(base_url=server.url) as http,
    ):
        started = time.monotonic()
        http.get(encoded("10.5555/lumbar.1"))
        assert time.monotonic() - started >= 0.15


# --- faults --------------------------------------------------------------------------------


def test_queued_status_faults_come_in_order(http: httpx.Client, standin: CrossrefStandin) -> None:
    standin.faults.push(Fault.too_many_requests(retry_after="2"))
    standin.faults.push(Fault.too_many_requests())
    standin.faults.push(Fault.unavailable(), count=2)
    assert standin.faults.pending == 4
    answers = [http.get(encoded("10.5555/lumbar.1")) for _ in range(5)]
    assert [a.status_code for a in answers] == [429, 429, 503, 503, 200]
    assert answers[0].headers["retry-after"] == "2"
    assert "retry-after" not in answers[1].headers
    assert answers[0].headers["x-rate-limit-limit"] == "10"
    assert standin.faults.injected == 4
    assert [r.fault for r in standin.requests] == ["status"] * 4 + [None]


def test_a_slow_answer_outlasts_a_short_timeout(standin: CrossrefStandin) -> None:
    standin.faults.push(Fault.slow(delay=1.0))
    with httpx.Client(base_url=standin.url, timeout=0.1) as http, pytest.raises(httpx.ReadTimeout):
        http.get(encoded("10.5555/lumbar.1"))


def test_broken_json_is_cut_but_whole_length(http: httpx.Client, standin: CrossrefStandin) -> None:
    standin.faults.push(Fault.broken_json())
    answer = http.get(encoded("10.5555/lumbar.1"))
    assert answer.status_code == 200
    assert int(answer.headers["content-length"]) == len(answer.content)
    with pytest.raises(json.JSONDecodeError):
        answer.json()


def test_a_truncated_body_breaks_the_connection(
    http: httpx.Client, standin: CrossrefStandin
) -> None:
    standin.faults.push(Fault.truncated())
    with pytest.raises(httpx.RemoteProtocolError):
        http.get(encoded("10.5555/lumbar.1"))
    assert http.get(encoded("10.5555/lumbar.1")).status_code == 200


def test_a_disconnect_answers_nothing(http: httpx.Client, standin: CrossrefStandin) -> None:
    standin.faults.push(Fault.disconnect())
    with pytest.raises(httpx.RemoteProtocolError):
        http.get(encoded("10.5555/lumbar.1"))
    assert http.get(encoded("10.5555/lumbar.1")).status_code == 200
    assert [r.status for r in standin.requests] == [0, 200]


def test_random_faults_are_seeded() -> None:
    def draw(seed: int) -> list[str | None]:
        plan = FaultPlan(0.5, seed=seed)
        return [f.kind if (f := plan.next()) else None for _ in range(40)]

    assert draw(3) == draw(3)
    assert draw(3) != draw(4)
    assert 5 < sum(kind is not None for kind in draw(3)) < 35


def test_a_fault_rate_applies_over_http() -> None:
    faults = [Fault.unavailable(status=502)]
    with (
        CrossrefStandin(RECORDS, fault_rate=0.5, fault_seed=1, random_faults=faults) as server,
        httpx.Client(base_url=server.url) as http,
    ):
        statuses = [http.get(encoded("10.5555/lumbar.1")).status_code for _ in range(30)]
        assert set(statuses) == {200, 502}
        assert statuses.count(502) == server.faults.injected
        server.faults.clear()
        assert {http.get(encoded("10.5555/lumbar.1")).status_code for _ in range(5)} == {200}


def test_fault_plans_refuse_nonsense() -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        FaultPlan(1.5)
    with pytest.raises(ValueError, match="faults to choose from"):
        FaultPlan(0.5, choices=[])


# --- the request log -----------------------------------------------------------------------


def test_the_log_records_what_was_asked(http: httpx.Client, standin: CrossrefStandin) -> None:
    before = time.monotonic()
    http.get(
        encoded(SICI),
        params={"mailto": "me@example.org"},
        headers={"User-Agent": "refcheck-test/1"},
    )
    http.get("/works", params={"filter": "doi:10.5555/lumbar.1", "rows": "1"})
    single, listed = standin.requests
    assert single.method == "GET"
    assert single.kind == "single"
    assert single.doi == SICI
    assert single.path == encoded(SICI)
    assert single.param("mailto") == "me@example.org"
    assert single.headers["user-agent"] == "refcheck-test/1"
    assert single.status == 200
    assert before <= single.time <= listed.time <= time.monotonic()
    assert listed.kind == "list"
    assert listed.doi is None
    assert listed.param("rows") == "1"
    assert listed.param("offset") is None
    standin.clear_requests()
    assert standin.requests == []


def test_the_log_is_safe_under_concurrent_requests(standin: CrossrefStandin) -> None:
    clients = [httpx.Client(base_url=standin.url) for _ in range(8)]

    def fetch(worker: int) -> set[int]:
        with clients[worker] as http:
            path = encoded("10.5555/lumbar.1")
            return {http.get(path, params={"n": str(worker * 5 + i)}).status_code for i in range(5)}

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert set().union(*pool.map(fetch, range(8))) == {200}
    assert sorted(int(r.param("n") or -1) for r in standin.requests) == list(range(40))


# --- lifecycle -----------------------------------------------------------------------------


def test_stop_leaves_no_thread_behind(capfd: pytest.CaptureFixture[str]) -> None:
    baseline = set(threading.enumerate())
    server = CrossrefStandin(RECORDS).start()
    assert server.start() is server  # starting twice is harmless
    server.faults.push(Fault.slow(delay=30.0))
    slow = httpx.Client(base_url=server.url, timeout=0.2)
    idle = httpx.Client(base_url=server.url)
    with pytest.raises(httpx.ReadTimeout):
        slow.get(encoded("10.5555/lumbar.1"))
    assert idle.get(encoded("10.5555/lumbar.1")).status_code == 200  # kept alive, idle
    started = time.monotonic()
    server.stop()
    server.stop()  # and stopping twice too
    assert time.monotonic() - started < 2.0
    slow.close()
    idle.close()
    deadline = time.monotonic() + 2.0
    while set(threading.enumerate()) - baseline and time.monotonic() < deadline:
        time.sleep(0.01)
    assert set(threading.enumerate()) - baseline == set()
    out, err = capfd.readouterr()
    assert out == ""
    assert err == ""
    with pytest.raises(RuntimeError, match="not running"):
        _ = server.url


def test_a_stopped_server_refuses_connections() -> None:
    with CrossrefStandin(RECORDS) as server:
        url = server.url
    with pytest.raises(httpx.ConnectError):
        httpx.get(url + "/works", timeout=1.0)


def test_records_need_a_doi() -> None:
    with pytest.raises(ValueError, match="DOI"):
        CrossrefStandin([{"title": ["No DOI"]}])
    with pytest.raises(ValueError, match="interval"):
        CrossrefStandin(RECORDS, interval="soon")


def test_a_duplicate_doi_keeps_its_first_record() -> None:
    with (
        CrossrefStandin([*RECORDS, {"DOI": "10.5555/LUMBAR.1", "title": ["Copy"]}]) as server,
        httpx.Client(base_url=server.url) as client,
    ):
        title = client.get(encoded("10.5555/lumbar.1")).json()["message"]["title"]
    assert title == RECORDS[0]["title"]


# --- loading records -----------------------------------------------------------------------


def test_load_records_reads_jsonl_and_gzip(tmp_path: Path) -> None:
    lines = "\n".join(json.dumps(r) for r in RECORDS) + "\n\n"
    plain = tmp_path / "works.jsonl"
    plain.write_text(lines, encoding="utf-8")
    packed = tmp_path / "works.jsonl.gz"
    with gzip.open(packed, "wt", encoding="utf-8") as out:
        out.write(lines)
    assert load_records(plain) == RECORDS
    assert load_records(str(packed)) == RECORDS


def test_load_records_names_the_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "works.jsonl"
    path.write_text(json.dumps(RECORDS[0]) + "\n{oops\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"works.jsonl:2: not a JSON record"):
        load_records(path)
    path.write_text("[1, 2]\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r":1: not a JSON object"):
        load_records(path)


def test_load_records_reads_the_dev_works(shared: Path) -> None:
    records = load_records(shared / "crossref" / "works-dev.jsonl.gz")
    assert len(records) == 3114
    with CrossrefStandin(records) as server, httpx.Client(base_url=server.url) as http:
        doi = records[1234]["DOI"]
        assert http.get(encoded(doi)).json()["message"]["DOI"] == doi
