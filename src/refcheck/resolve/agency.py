"""Who registered a DOI: Crossref's ``/works/{doi}/agency`` answer, without I/O.

A DOI Crossref does not hold may still exist: arXiv, Zenodo, figshare, Dryad and most
dataset and software DOIs are DataCite's, others mEDRA's, JaLC's, KISTI's... Crossref's
agency route answers for any DOI (real answers in ../shared/datacite/agency.jsonl)::

    200 {"status": "ok", "message-type": "work-agency",
         "message": {"DOI": "10.5284/1011335", "agency": {"id": "datacite", "label": "DataCite"}}}
    404 "Resource not found."     no agency holds it (or it is no DOI): it exists nowhere

It goes through the Crossref client (same base URL, pacing and retries), so a run against a
Crossref mirror or stand-in asks that mirror, never the internet behind the caller's back.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from refcheck.errors import CrossrefBadResponse
from refcheck.resolve.protocol import (
    RETRYABLE_STATUSES,
    CrossrefNotJSON,
    CrossrefRefused,
    parse_retry_after,
    work_path,
)

__all__ = ["Agency", "agency_path", "decipher_agency"]


@dataclass(frozen=True)
class Agency:
    """A registration agency: its id (``datacite``, ``medra``...) and its name to show."""

    id: str
    label: str

    @property
    def is_datacite(self) -> bool:
        return self.id == "datacite"

    @property
    def is_crossref(self) -> bool:
        return self.id == "crossref"


def agency_path(doi: str) -> str:
    """``/works/{doi}/agency``, the DOI percent-encoded as the works route wants it."""
    return f"{work_path(doi)}/agency"


def decipher_agency(status: int, headers: Mapping[str, str], body: bytes) -> Agency | None:
    """The agency of a ``/works/{doi}/agency`` answer; None when no agency holds the DOI."""
    if status == 404:
        return None
    if status in RETRYABLE_STATUSES or 500 <= status < 600:
        retry_after = parse_retry_after(
            {k.lower(): v for k, v in headers.items()}.get("retry-after")
        )
        what = "rate-limited the request" if status == 429 else f"answered {status}"
        raise CrossrefRefused(f"Crossref {what}", status=status, retry_after=retry_after)
    if status != 200:
        raise CrossrefBadResponse(f"Crossref answered {status} to an agency look-up")
    try:
        data: Any = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise CrossrefNotJSON("Crossref answered with a body that is not JSON") from None
    message = data.get("message") if isinstance(data, dict) else None
    agency = message.get("agency") if isinstance(message, dict) else None
    ident = agency.get("id") if isinstance(agency, dict) else None
    if not isinstance(ident, str) or not ident.strip():
        raise CrossrefBadResponse("Crossref answered an agency look-up without an agency")
    label = agency.get("label") if isinstance(agency, dict) else None
    ident = ident.strip().lower()
    return Agency(ident, label.strip() if isinstance(label, str) and label.strip() else ident)
