"""The sans-I/O Crossref protocol: DOIs, paths, rate-limit headers, answers -> data or errors."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from refcheck.errors import CrossrefBadResponse, CrossrefUnavailable
from refcheck.resolve.protocol import (
    CrossrefNotJSON,
    CrossrefRefused,
    RateLimit,
    decipher_list,
    decipher_work,
    normalise_doi,
    parse_interval,
    parse_retry_after,
    same_doi,
    work_path,
)

SICI = "10.1002/(SICI)1097-4636(199706)35:4<523::AID-JBM12>3.0.CO;2-D"
JSON = {"content-type": "application/json"}


def envelope(message: Any, message_type: str = "work", status: str = "ok") -> bytes:
    return json.dumps(
        {
            "status": status,
            "message-type": message_type,
            "message-version": "1.0.0",
            "message": message,
        }
    ).encode()


def work_list(items: list[Any]) -> bytes:
    message = {"facets": {}, "total-results": len(items), "items": items, "items-per-page": 20}
    return envelope(message, "work-list")


# --- DOIs ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10.3174/ajnr.A4173", "10.3174/ajnr.a4173"),
        ("  10.3174/AJNR.A4173  ", "10.3174/ajnr.a4173"),
        ("https://doi.org/10.1056/NEJMoa1209250", "10.1056/nejmoa1209250"),
        ("http://dx.doi.org/10.1056/NEJMoa1209250", "10.1056/nejmoa1209250"),
        ("https://www.doi.org/10.1056/NEJMoa1209250", "10.1056/nejmoa1209250"),
        ("dx.doi.org/10.1056/NEJMoa1209250", "10.1056/nejmoa1209250"),
        ("doi:10.1097/BRS.0000000000004198", "10.1097/brs.0000000000004198"),
        ("DOI: 10.1097/BRS.0000000000004198.", "10.1097/brs.0000000000004198"),
        ("doi 10.1097/BRS.0000000000004198", "10.1097/brs.0000000000004198"),
        ("info:doi/10.1097/BRS.0000000000004198", "10.1097/brs.0000000000004198"),
        ("(doi:10.3174/ajnr.A4173)", "10.3174/ajnr.a4173"),
        ("<https://doi.org/10.3174/ajnr.A4173>", "10.3174/ajnr.a4173"),
        ("10.3174/ajnr.A4173;", "10.3174/ajnr.a4173"),
        ('"10.3174/ajnr.A4173",', "10.3174/ajnr.a4173"),
        ("https://doi.org/10.1002%2Fabc.123", "10.1002/abc.123"),
        ("10.3174/ajnr.A4173 accessed 2020", "10.3174/ajnr.a4173"),
        (SICI, SICI.lower()),
        (SICI + ".", SICI.lower()),
        ("10.1016/0021-9258(19)52451-6", "10.1016/0021-9258(19)52451-6"),
        ("(10.1016/0021-9258(19)52451-6)", "10.1016/0021-9258(19)52451-6"),
        ("10.1000.10/xyz", "10.1000.10/xyz"),
        ("", None),
        ("   ", None),
        ("not a doi", None),
        ("10.3174", None),
        ("10.3174/", None),
        ("11.3174/ajnr.A4173", None),
        ("https://example.org/10.3174/ajnr.A4173", None),
    ],
)
def test_normalise_doi(text: str, expected: str | None) -> None:
    assert normalise_doi(text) == expected


def test_normalise_doi_refuses_what_is_not_text() -> None:
    assert normalise_doi(None) is None
    assert normalise_doi(42) is None  # type: ignore[arg-type]


def test_same_doi_ignores_case_and_prefixes() -> None:
    assert same_doi("https://doi.org/10.3174/AJNR.A4173", "doi:10.3174/ajnr.a4173")
    assert not same_doi("10.3174/ajnr.A4173", "10.3174/ajnr.A4174")
    assert not same_doi(None, None)
    assert not same_doi("junk", "junk")


def test_work_path_encodes_every_reserved_character() -> None:
    path = work_path(SICI)
    assert path.startswith("/works/10.1002%2F")
    encoded = path.removeprefix("/works/")
    for char in "/()<>;:":
        assert char not in encoded
    assert unquote(encoded) == SICI


def test_work_path_of_a_plain_doi() -> None:
    assert work_path("10.3174/ajnr.a4173") == "/works/10.3174%2Fajnr.a4173"


# --- rate limits ---------------------------------------------------------------------------


def test_rate_limit_from_crossref_headers() -> None:
    limit = RateLimit.from_headers(
        {"X-Rate-Limit-Limit": "10", "X-Rate-Limit-Interval": "1s", "X-Concurrency-Limit": "3"}
    )
    assert limit == RateLimit(limit=10, interval=1.0, concurrency=3)
    assert limit.per_second == 10.0
    assert not limit.empty


def test_rate_limit_with_missing_or_garbled_headers() -> None:
    assert RateLimit.from_headers({}).empty
    assert RateLimit.from_headers({}).per_second is None
    garbled = RateLimit.from_headers(
        {"x-rate-limit-limit": "many", "x-rate-limit-interval": "soon", "x-concurrency-limit": "-2"}
    )
    assert garbled == RateLimit()
    half = RateLimit.from_headers({"x-rate-limit-limit": "50"})
    assert half.limit == 50
    assert half.per_second is None


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("1s", 1.0), ("2 s", 2.0), ("500ms", 0.5), ("1m", 60.0), ("3", 3.0), ("0s", None), ("", None)],
)
def test_parse_interval(value: str, seconds: float | None) -> None:
    assert parse_interval(value) == seconds


def test_parse_retry_after_delta_seconds() -> None:
    assert parse_retry_after("2") == 2.0
    assert parse_retry_after(" 0 ") == 0.0
    assert parse_retry_after("1.5") == 1.5


def test_parse_retry_after_http_date() -> None:
    now = datetime(2025, 12, 1, 12, 0, 0, tzinfo=UTC).timestamp()
    later = format_datetime(datetime(2025, 12, 1, 12, 0, 30, tzinfo=UTC), usegmt=True)
    assert later == "Mon, 01 Dec 2025 12:00:30 GMT"
    assert parse_retry_after(later, now=now) == pytest.approx(30.0)
    earlier = "Mon, 01 Dec 2025 11:59:00 GMT"
    assert parse_retry_after(earlier, now=now) == 0.0


@pytest.mark.parametrize("value", [None, "", "soon", "nan", "inf", "Mon, 99 Foo 2025"])
def test_parse_retry_after_garbled(value: str | None) -> None:
    assert parse_retry_after(value) is None


def test_parse_retry_after_never_negative() -> None:
    assert parse_retry_after("-3") == 0.0


# --- single works --------------------------------------------------------------------------


def test_decipher_work_returns_the_record() -> None:
    record = {"DOI": "10.3174/ajnr.A4173", "title": ["Systematic Literature Review"]}
    assert decipher_work(200, JSON, envelope(record)) == record


def test_decipher_work_404_is_none() -> None:
    assert decipher_work(404, {"content-type": "text/plain"}, b"Resource not found.") is None
    assert decipher_work(404, {}, b"") is None


def test_decipher_work_404_with_another_body_is_a_bad_response() -> None:
    with pytest.raises(CrossrefBadResponse, match="404"):
        decipher_work(404, {}, b"<html><body>No such route</body></html>")


@pytest.mark.parametrize(
    ("body", "match"),
    [
        (b"<html>gateway</html>", "not JSON"),
        (b'{"status":"ok","message-type":"work","message":{"DOI":"10.', "not JSON"),
        (b"\xff\xfe\x00", "not JSON"),
        (b"[1, 2]", "not an envelope"),
        (b'{"status": "error", "message": {}}', "status 'error'"),
        (b'{"status": "ok", "message-type": "work"}', "without a message"),
        (b'{"status": "ok", "message-type": "work-list", "message": {}}', "'work-list'"),
        (b'{"status": "ok", "message-type": "work", "message": []}', "not an object"),
        (b'{"status": "ok", "message-type": "work", "message": {"title": ["x"]}}', "DOI"),
        (b'{"status": "ok", "message-type": "work", "message": {"DOI": ""}}', "DOI"),
    ],
)
def test_decipher_work_rejects_what_is_not_a_work(body: bytes, match: str) -> None:
    with pytest.raises(CrossrefBadResponse, match=match):
        decipher_work(200, JSON, body)


def test_only_unparseable_bodies_count_as_not_json() -> None:
    with pytest.raises(CrossrefNotJSON):
        decipher_work(200, JSON, b"{truncated")
    with pytest.raises(CrossrefBadResponse) as wrong_envelope:
        decipher_work(200, JSON, b'{"status": "failed"}')
    assert not isinstance(wrong_envelope.value, CrossrefNotJSON)


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504, 599])
def test_refusals_are_unavailable_and_retryable(status: int) -> None:
    with pytest.raises(CrossrefRefused) as refused:
        decipher_work(status, {}, b"busy")
    assert isinstance(refused.value, CrossrefUnavailable)
    assert refused.value.status == status
    assert refused.value.retry_after is None


def test_refusal_carries_retry_after_in_both_forms() -> None:
    with pytest.raises(CrossrefRefused) as delta:
        decipher_list(429, {"Retry-After": "2"}, b"Too Many Requests")
    assert delta.value.retry_after == 2.0
    future = format_datetime(datetime(2999, 1, 1, tzinfo=UTC), usegmt=True)
    with pytest.raises(CrossrefRefused) as dated:
        decipher_work(503, {"retry-after": future}, b"")
    assert dated.value.retry_after is not None
    assert dated.value.retry_after > 1e9


def test_other_4xx_is_a_bad_response_with_crossrefs_words() -> None:
    body = json.dumps(
        {
            "status": "failed",
            "message-type": "validation-failure",
            "message": [
                {
                    "value": "from-pub",
                    "message": "Filter from-pub specified but there is no such filter.",
                    "type": "filter-not-available",
                }
            ],
        }
    ).encode()
    with pytest.raises(CrossrefBadResponse) as bad:
        decipher_list(400, JSON, body)
    assert not isinstance(bad.value, CrossrefUnavailable)
    assert str(bad.value) == (
        "Crossref answered 400: Filter from-pub specified but there is no such filter."
    )
    with pytest.raises(CrossrefBadResponse, match="answered 401: Unauthorized"):
        decipher_work(401, {}, b"Unauthorized\n")
    with pytest.raises(CrossrefBadResponse, match="answered 403: no message"):
        decipher_work(403, {}, b"")


def test_error_messages_stay_on_one_short_line() -> None:
    with pytest.raises(CrossrefBadResponse) as bad:
        decipher_work(400, {}, ("line\n" * 500).encode())
    message = str(bad.value)
    assert "\n" not in message
    assert len(message) < 340


# --- lists ---------------------------------------------------------------------------------


def test_decipher_list_keeps_items_and_scores() -> None:
    items = [
        {"DOI": "10.1056/NEJMoa1209250", "score": 92.5},
        {"DOI": "10.3174/ajnr.A4173", "score": 13.0},
    ]
    assert decipher_list(200, JSON, work_list(items)) == items
    assert decipher_list(200, JSON, work_list([])) == []


@pytest.mark.parametrize(
    ("body", "match"),
    [
        (b"Service temporarily unavailable", "not JSON"),
        (envelope({"items": []}, "work"), "'work'"),
        (envelope([], "work-list"), "not an object"),
        (envelope({"total-results": 0}, "work-list"), "without items"),
        (envelope({"items": {"DOI": "10.1/x"}}, "work-list"), "without items"),
        (work_list([{"DOI": "10.1/x"}, {"title": ["no DOI"]}]), "without a DOI"),
        (work_list(["10.1/x"]), "without a DOI"),
    ],
)
def test_decipher_list_rejects_what_is_not_a_work_list(body: bytes, match: str) -> None:
    with pytest.raises(CrossrefBadResponse, match=match):
        decipher_list(200, JSON, body)


def test_decipher_list_404_is_a_bad_response() -> None:
    with pytest.raises(CrossrefBadResponse, match="404"):
        decipher_list(404, {}, b"Resource not found.")


def test_recorded_search_answers_decipher(shared: Path) -> None:
    folder = shared / "crossref" / "search"
    seen = 0
    for path in sorted(folder.glob("*.json")):
        if path.name == "index.json":
            continue
        recorded = json.loads(path.read_text(encoding="utf-8"))
        body = json.dumps(recorded["response"]).encode()
        items = decipher_list(200, JSON, body)
        assert items == recorded["response"]["message"]["items"]
        assert all(isinstance(item["DOI"], str) for item in items)
        seen += 1
    assert seen == 17


def test_recorded_search_answer_keeps_crossrefs_scores(shared: Path) -> None:
    path = shared / "crossref" / "search" / "sbm_unstructured-ref-response-1.json"
    recorded = json.loads(path.read_text(encoding="utf-8"))
    items = decipher_list(200, JSON, json.dumps(recorded["response"]).encode())
    scores = [item["score"] for item in items]
    assert scores == sorted(scores, reverse=True)
    assert scores[0] == pytest.approx(167.66986)
