"""The Crossref REST API without I/O: DOIs, request paths, rate-limit headers and answers.

Nothing here touches the network, so every branch is tested on recorded answers. The HTTP
adapter (:mod:`refcheck.resolve.crossref`) only moves bytes and calls these functions.

Answers map onto the exception tree of :mod:`refcheck.errors`::

    200 + works envelope      -> the record (dict) or the list items
    404 "Resource not found." -> None: Crossref does not know the DOI (an answer, not an error)
    429, 5xx                  -> CrossrefRefused (a CrossrefUnavailable; retryable, has retry_after)
    body is not JSON          -> CrossrefNotJSON (a CrossrefBadResponse; worth one or two retries)
    other 4xx, wrong envelope -> CrossrefBadResponse
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote, unquote

from refcheck.errors import CrossrefBadResponse, CrossrefUnavailable

__all__ = [
    "CrossrefNotJSON",
    "CrossrefRefused",
    "RateLimit",
    "decipher_list",
    "decipher_work",
    "normalise_doi",
    "parse_interval",
    "parse_retry_after",
    "same_doi",
    "work_path",
]

# The statuses after which asking again later may succeed.
RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})


class CrossrefRefused(CrossrefUnavailable):
    """Crossref answered 429 or 5xx: it may answer later, after ``retry_after`` seconds if given."""

    def __init__(self, message: str, *, status: int, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


class CrossrefNotJSON(CrossrefBadResponse):
    """The body is not JSON at all (cut off, garbled): unlike a wrong envelope, maybe transient."""


# --- DOIs ----------------------------------------------------------------------------------

_DOI_PREFIX = re.compile(
    r"^(?:(?:https?://)?(?:www\.|dx\.)?doi\.org/|info:doi/|urn:doi:|doi(?:\s*:\s*|\s+))",
    re.IGNORECASE,
)
_DOI_SHAPE = re.compile(r"^10\.\d+(?:\.\d+)*/\S+$")
_TRAILING_ALWAYS = ".,;:'\"`"
_CLOSERS = {")": "(", "]": "[", "}": "{", ">": "<"}


def normalise_doi(text: str | None) -> str | None:
    """The canonical, lowercased form of a DOI written in any common way, or None if it is none.

    Accepts ``https://doi.org/…``, ``dx.doi.org/…``, ``doi:…``, ``info:doi/…``, surrounding
    whitespace and punctuation a sentence adds (``…A4173.``, ``(10.1/x)``). DOIs are
    case-insensitive, so the lowercased form is the one to compare and to key results by.
    """
    if not isinstance(text, str):
        return None
    doi = text.strip().lstrip("<([{'\"` ")
    from_url = False
    while match := _DOI_PREFIX.match(doi):
        from_url = from_url or "/" in match.group(0)
        doi = doi[match.end() :].strip()
    if from_url or "%2f" in doi.lower():
        # A DOI copied from a URL keeps its percent-escapes; Crossref wants the DOI itself.
        doi = unquote(doi)
    # A DOI never holds whitespace: whatever follows a space is prose, not DOI.
    doi = doi.split(maxsplit=1)[0] if doi.strip() else ""
    doi = _strip_trailing(doi)
    if not _DOI_SHAPE.match(doi):
        return None
    return doi.lower()


def _strip_trailing(doi: str) -> str:
    """Drop punctuation a sentence put after the DOI, but keep a bracket the DOI itself opened."""
    while doi:
        last = doi[-1]
        unopened = last in _CLOSERS and doi.count(last) > doi.count(_CLOSERS[last])
        if last in _TRAILING_ALWAYS or unopened:
            doi = doi[:-1]
        else:
            break
    return doi


def same_doi(a: str | None, b: str | None) -> bool:
    """True when both are DOIs and name the same work (case-insensitive, prefixes ignored)."""
    left, right = normalise_doi(a), normalise_doi(b)
    return left is not None and left == right


def work_path(doi: str) -> str:
    """``/works/{doi}`` with every reserved character of the DOI percent-encoded.

    SICI-style DOIs hold ``/ ( ) < > ; :``; encoding all of them gets the DOI to Crossref
    intact instead of being read as path segments, parameters or fragments.
    """
    return "/works/" + quote(doi, safe="")


# --- rate limits ---------------------------------------------------------------------------

_INTERVAL = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$", re.IGNORECASE)
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


def parse_interval(value: str | None) -> float | None:
    """``"1s"`` -> 1.0, ``"500ms"`` -> 0.5, ``"1m"`` -> 60.0; None when missing or garbled."""
    if value is None:
        return None
    match = _INTERVAL.match(value)
    if not match:
        return None
    seconds = float(match.group(1)) * _UNIT_SECONDS[(match.group(2) or "s").lower()]
    return seconds if seconds > 0 else None


def _positive_int(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        number = int(value.strip())
    except ValueError:
        return None
    return number if number > 0 else None


def _lower_keys(headers: Mapping[str, str]) -> dict[str, str]:
    return {key.lower(): value for key, value in headers.items()}


@dataclass(frozen=True)
class RateLimit:
    """What Crossref's ``x-rate-limit-*`` and ``x-concurrency-limit`` headers say.

    ``limit`` requests per ``interval`` seconds, at most ``concurrency`` at once. Any field
    is None when its header is missing or garbled.
    """

    limit: int | None = None
    interval: float | None = None
    concurrency: int | None = None

    @classmethod
    def from_headers(cls, headers: Mapping[str, str]) -> RateLimit:
        lowered = _lower_keys(headers)
        return cls(
            limit=_positive_int(lowered.get("x-rate-limit-limit")),
            interval=parse_interval(lowered.get("x-rate-limit-interval")),
            concurrency=_positive_int(lowered.get("x-concurrency-limit")),
        )

    @property
    def per_second(self) -> float | None:
        """Requests per second, when both the limit and its interval are known."""
        if self.limit is None or self.interval is None:
            return None
        return self.limit / self.interval

    @property
    def empty(self) -> bool:
        return self.limit is None and self.interval is None and self.concurrency is None


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta-seconds or an HTTP-date.

    ``now`` is the wall-clock time (``time.time()``) an HTTP-date is measured from. A date in
    the past gives 0; a garbled value gives None.
    """
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    if seconds != seconds or seconds in (float("inf"), float("-inf")):
        return None
    return max(0.0, seconds)


# --- answers -------------------------------------------------------------------------------

_NOT_FOUND = "resource not found."


def _check_status(status: int, headers: Mapping[str, str], body: bytes) -> None:
    """Raise the error a non-200 status stands for (404 is left to the caller)."""
    if status == 200:
        return
    if status in RETRYABLE_STATUSES or 500 <= status < 600:
        retry_after = parse_retry_after(_lower_keys(headers).get("retry-after"))
        what = "rate-limited the request" if status == 429 else f"answered {status}"
        raise CrossrefRefused(f"Crossref {what}", status=status, retry_after=retry_after)
    raise CrossrefBadResponse(f"Crossref answered {status}: {_error_message(body)}")


def _error_message(body: bytes) -> str:
    """Crossref's own words from an error body (a validation-failure list or plain text)."""
    text = body.decode("utf-8", "replace").strip()
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, dict):
        message = data.get("message")
        if isinstance(message, list):
            parts = [m.get("message") for m in message if isinstance(m, dict)]
            found = [p for p in parts if isinstance(p, str)]
            if found:
                return _one_line("; ".join(found))
        if isinstance(message, str):
            return _one_line(message)
    return _one_line(text) or "no message"


def _one_line(text: str, limit: int = 300) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _message(body: bytes, expected_type: str) -> Any:
    """The ``message`` of a Crossref envelope, after checking ``status`` and ``message-type``."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise CrossrefNotJSON("Crossref answered with a body that is not JSON") from None
    if not isinstance(data, dict):
        raise CrossrefBadResponse("Crossref answered with JSON that is not an envelope")
    if data.get("status") != "ok":
        raise CrossrefBadResponse(f"Crossref answered with status {data.get('status')!r}")
    message_type = data.get("message-type")
    if message_type is not None and message_type != expected_type:
        raise CrossrefBadResponse(
            f"Crossref answered with a {message_type!r} message, not {expected_type!r}"
        )
    if "message" not in data:
        raise CrossrefBadResponse("Crossref answered without a message")
    return data["message"]


def _has_doi(record: Any) -> bool:
    return isinstance(record, dict) and isinstance(record.get("DOI"), str) and bool(record["DOI"])


def decipher_work(status: int, headers: Mapping[str, str], body: bytes) -> dict[str, Any] | None:
    """The works record of a ``/works/{doi}`` answer, or None when Crossref does not know it."""
    if status == 404:
        text = body.decode("utf-8", "replace").strip().lower()
        if text in ("", _NOT_FOUND):
            return None
        # A 404 with some other body is a wrong route or a proxy, not an unknown DOI.
        raise CrossrefBadResponse(f"Crossref answered 404: {_error_message(body)}")
    _check_status(status, headers, body)
    record = _message(body, "work")
    if not isinstance(record, dict):
        raise CrossrefBadResponse("Crossref answered with a work that is not an object")
    if not _has_doi(record):
        raise CrossrefBadResponse("Crossref answered with a work without a DOI")
    return record


def decipher_list(status: int, headers: Mapping[str, str], body: bytes) -> list[dict[str, Any]]:
    """The items of a ``/works?…`` answer, each with Crossref's ``score`` kept."""
    _check_status(status, headers, body)
    message = _message(body, "work-list")
    if not isinstance(message, dict):
        raise CrossrefBadResponse("Crossref answered with a work list that is not an object")
    items = message.get("items")
    if not isinstance(items, list):
        raise CrossrefBadResponse("Crossref answered with a work list without items")
    if not all(_has_doi(item) for item in items):
        raise CrossrefBadResponse("Crossref answered with a work list item without a DOI")
    return items
