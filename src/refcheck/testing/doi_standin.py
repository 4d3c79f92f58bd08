"""A doi.org stand-in on 127.0.0.1: the "Which RA?" batch look-up and content negotiation.

    with DoiStandin({"10.1400": "mEDRA"}, records=[csl_record]) as doiorg:
        client = DoiOrgClient(doiorg.url)
        ...

Routes, with doi.org's paths and answer shapes (real RA answers in
../shared/datacite/agency.jsonl; no real content negotiation answer is recorded there, so the
CSL-JSON records are the caller's, written in CSL's documented shape):

``GET /ra/{doi},{doi},...``
    A JSON array, one object per DOI asked, in order: ``{"DOI": doi, "RA": "mEDRA"}`` for a
    DOI whose prefix (or the DOI itself) ``agencies`` names, or that a served record holds;
    else ``{"DOI": doi, "status": "DOI does not exist"}``.
``GET /{doi}`` (any ``Accept``)
    As doi.org does: a 302 to the agency's content negotiation, here ``/cn/{doi}``, for a DOI
    whose CSL-JSON record it serves; a 302 to ``/landing/{doi}`` (an HTML page, as an agency
    that serves no CSL-JSON leaves it) for a DOI an agency holds without a record here; 404
    for a DOI no agency holds.
``GET /cn/{doi}``
    The record, ``application/vnd.citationstyles.csl+json``.

Faults as the other stand-ins' (:class:`~.crossref_standin.Fault`: ``status``, ``slow``,
``disconnect``), next requests in order. :attr:`DoiStandin.requests` lists the paths asked.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Mapping
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from refcheck.testing.crossref_standin import FaultPlan
from refcheck.testing.loopback import LoopbackStandin

__all__ = ["DoiStandin"]

_CSL = "application/vnd.citationstyles.csl+json"


class DoiStandin(LoopbackStandin):
    """A loopback doi.org: ``/ra/`` batches and CSL-JSON by content negotiation."""

    name = "doi.org stand-in"

    def __init__(
        self,
        agencies: Mapping[str, str],
        records: Iterable[Mapping[str, Any]] = (),
    ) -> None:
        """``agencies``: a prefix or DOI -> the RA's name (``mEDRA``, ``JaLC``...);
        ``records``: CSL-JSON records (each with its ``DOI``) served by negotiation."""
        self._agencies = {k.strip().lower(): v for k, v in agencies.items()}
        self._records: dict[str, Mapping[str, Any]] = {}
        for record in records:
            doi = record.get("DOI")
            if not isinstance(doi, str) or not doi.strip():
                raise ValueError("every CSL-JSON record needs a DOI")
            self._records[doi.strip().lower()] = record
        self.faults = FaultPlan()
        self._lock = threading.Lock()
        self._log: list[str] = []
        super().__init__()

    @property
    def requests(self) -> list[str]:
        with self._lock:
            return list(self._log)

    def _agency(self, doi: str) -> str | None:
        found = self._agencies.get(doi) or self._agencies.get(doi.split("/", 1)[0])
        if found is None and doi in self._records:
            return "Crossref"  # a record served without a named agency: doi.org's default
        return found

    def _route(self, path: str) -> tuple[int, bytes, dict[str, str]]:
        if path.startswith("/ra/"):
            answer: list[dict[str, str]] = []
            for raw in unquote(path[len("/ra/") :]).split(","):
                doi = raw.strip()
                agency = self._agency(doi.lower())
                if agency is None:
                    answer.append({"DOI": doi, "status": "DOI does not exist"})
                else:
                    answer.append({"DOI": doi, "RA": agency})
            return 200, json.dumps(answer).encode(), {"Content-Type": "application/json"}
        if path.startswith("/cn/"):
            record = self._records.get(unquote(path[len("/cn/") :]).strip().lower())
            if record is not None:
                return 200, json.dumps(record).encode(), {"Content-Type": _CSL}
            return 404, b"DOI Not Found", {"Content-Type": "text/plain"}
        if path.startswith("/landing/"):
            page = b"<!doctype html><title>Landing page</title><p>The work.</p>"
            return 200, page, {"Content-Type": "text/html; charset=utf-8"}
        doi = unquote(path.lstrip("/")).strip().lower()
        if doi in self._records:
            return 302, b"", {"Location": f"/cn/{quote(doi, safe='/')}"}
        if self._agency(doi) is not None:
            return 302, b"", {"Location": f"/landing/{quote(doi, safe='/')}"}
        return 404, b"DOI Not Found", {"Content-Type": "text/plain"}

    def _answer(self, handler: BaseHTTPRequestHandler) -> None:
        path = urlsplit(handler.path).path
        with self._lock:
            self._log.append(path)
        fault = self.faults.next()
        if self._dropped_or_delayed(handler, fault):
            return
        status, body, headers = self._route(path)
        if fault is not None and fault.kind == "status":
            status, body, headers = fault.status, b"", {"Content-Type": "text/plain"}
            if fault.retry_after:
                headers["Retry-After"] = fault.retry_after
        handler.send_response(status)
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)
