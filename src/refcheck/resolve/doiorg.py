"""doi.org, asked two things: who registered some DOIs, and a DOI's record as CSL-JSON.

    async with DoiOrgClient(mailto="me@example.org") as doiorg:
        agencies = await doiorg.agencies(["10.5281/zenodo.4030133", "10.1400/123"])
        work = await doiorg.work("10.1400/123", agency)          # Work, or None (404)

``GET {base}/ra/{doi},{doi},...`` (the DOI Handbook's "Which RA?" service) answers a JSON
array, one object a DOI, in the order asked (real answers in ../shared/datacite/agency.jsonl)::

    [{"DOI": "10.5061/dryad.1", "RA": "DataCite"},
     {"DOI": "10.99999/x", "status": "DOI does not exist"}]

so one request tells the agencies of many DOIs. ``"Invalid DOI"`` and ``"DOI does not exist"``
mean no agency holds it; ``"Unknown"`` (as an RA or a status) that doi.org cannot say.

``GET {base}/{doi}`` with ``Accept: application/vnd.citationstyles.csl+json`` is content
negotiation: doi.org redirects to the agency's own service (Crossref's, DataCite's, mEDRA's,
JaLC's...), which answers the record as CSL-JSON, made here into the one Work model (its
``registry`` the agency's name). An agency that does not serve CSL-JSON for the DOI leaves the
redirect at its landing page (HTML) or answers 406: :class:`NotServed`, and the reference is
unverified naming the agency, never wrong. A 404 is a DOI doi.org does not know.

Etiquette: doi.org documents no number; the :data:`~.pacing.DOI_ORG` pacer is gentle. Every
request goes through :class:`~.http.RegistryHttp`, paced and retried as every client's are.
Failures raise :class:`~refcheck.errors.RegistryError` with a one-line message.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Unpack
from urllib.parse import quote

from refcheck.errors import ConfigError, RegistryError
from refcheck.models import Work
from refcheck.resolve.agency import Agency
from refcheck.resolve.crossref import user_agent
from refcheck.resolve.http import Decipher, HttpOptions, RegistryClient, RegistryHttp, Service
from refcheck.resolve.pacing import DOI_ORG, Pacer
from refcheck.resolve.protocol import normalise_doi
from refcheck.resolve.records import work_from_record

__all__ = [
    "CSL_JSON",
    "DEFAULT_DOI_URL",
    "DoiOrgClient",
    "NotServed",
    "agencies_from",
    "work_from_csl",
]

DEFAULT_DOI_URL = "https://doi.org"
CSL_JSON = "application/vnd.citationstyles.csl+json"
# DOIs a /ra request names at most: its URL stays well under common limits (~2,000 bytes).
RA_BATCH = 20
# Redirects followed from doi.org to the agency's content negotiation service.
_MAX_HOPS = 4

_DOI_ORG = Service("doi.org", RegistryError)
# The RA names doi.org gives -> the ids Crossref's /agency route uses.
_AGENCY_IDS = {
    "crossref": "crossref",
    "datacite": "datacite",
    "medra": "medra",
    "jalc": "jalc",
    "kisti": "kisti",
    "cnki": "cnki",
    "airiti": "airiti",
    "op": "op",
    "istic": "istic",
    "eidr": "eidr",
}
_ABSENT = frozenset({"doi does not exist", "invalid doi"})
# CSL's item types -> Crossref's, which the rest of refcheck knows.
_CSL_TYPES = {
    "article-journal": "journal-article",
    "chapter": "book-chapter",
    "paper-conference": "proceedings-article",
    "thesis": "dissertation",
    "entry-encyclopedia": "reference-entry",
}


class NotServed(RegistryError):
    """The agency serves no CSL-JSON for this DOI (its landing page, or a 406)."""


@dataclass(frozen=True)
class _Redirect:
    location: str


def agencies_from(answer: Any, asked: Sequence[str]) -> dict[str, Agency | None]:
    """Each asked DOI (lower-case) -> its agency, or None where no agency holds it. A DOI
    the answer leaves out, or whose agency doi.org calls "Unknown", is left out too.
    Raises RegistryError for an answer that is not the service's array."""
    if not isinstance(answer, list) or not all(isinstance(item, dict) for item in answer):
        raise RegistryError("doi.org answered an RA look-up without a list of DOIs")
    wanted = {doi.lower() for doi in asked}
    found: dict[str, Agency | None] = {}
    for item in answer:
        doi = item.get("DOI")
        if not isinstance(doi, str) or doi.strip().lower() not in wanted:
            continue
        key = doi.strip().lower()
        ra = item.get("RA")
        status = item.get("status")
        if isinstance(ra, str) and ra.strip() and ra.strip().lower() != "unknown":
            label = ra.strip()
            found[key] = Agency(_AGENCY_IDS.get(label.lower(), label.lower()), label)
        elif isinstance(status, str) and status.strip().lower() in _ABSENT:
            found[key] = None
    return found


def work_from_csl(record: Mapping[str, Any], registry: str) -> Work:
    """A CSL-JSON record (content negotiation's answer) as a Work held by ``registry``.
    Raises ValueError when it has no DOI or cannot be read."""
    item = dict(record)
    kind = item.get("type")
    if isinstance(kind, str):
        item["type"] = _CSL_TYPES.get(kind, kind)
    return work_from_record(item).model_copy(update={"registry": registry})


def _decipher_ra(asked: Sequence[str]) -> Decipher[dict[str, Agency | None]]:
    def decipher(status: int, headers: Mapping[str, str], body: bytes) -> dict[str, Agency | None]:
        if status != 200:
            raise RegistryError(f"doi.org answered {status} to an RA look-up")
        try:
            answer = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            raise RegistryError(
                "doi.org answered an RA look-up with a body that is not JSON"
            ) from None
        return agencies_from(answer, asked)

    return decipher


def _decipher_csl(label: str) -> Decipher[Work | _Redirect | None]:
    def decipher(status: int, headers: Mapping[str, str], body: bytes) -> Work | _Redirect | None:
        if status == 404:
            return None
        if status in (301, 302, 303, 307, 308):
            location = {k.lower(): v for k, v in headers.items()}.get("location")
            if not location:
                raise RegistryError(f"doi.org redirected without a location ({status})")
            return _Redirect(location)
        content_type = {k.lower(): v for k, v in headers.items()}.get("content-type", "")
        if status != 200 or "json" not in content_type.lower():
            raise NotServed(f"{label} serves no CSL-JSON for this DOI")
        try:
            record = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            raise NotServed(f"{label} answered CSL-JSON that cannot be read") from None
        if not isinstance(record, dict):
            raise NotServed(f"{label} answered CSL-JSON that is not one record")
        try:
            return work_from_csl(record, label)
        except ValueError:  # pydantic's ValidationError is one
            raise NotServed(f"{label} answered a CSL-JSON record that cannot be read") from None

    return decipher


class DoiOrgClient(RegistryClient):
    """Asks doi.org which agency registered DOIs, and for records by content negotiation."""

    def __init__(
        self,
        base_url: str = DEFAULT_DOI_URL,
        mailto: str | None = None,
        *,
        pacer: Pacer | None = None,
        **options: Unpack[HttpOptions],
    ) -> None:
        if not (base_url or "").startswith(("http://", "https://")):
            raise ConfigError("doi-url: expected an http(s) URL")
        headers = {"User-Agent": user_agent(mailto), "Accept": CSL_JSON}
        pacer = pacer if pacer is not None else Pacer(DOI_ORG)
        super().__init__(RegistryHttp(_DOI_ORG, base_url, pacer, headers, **options))

    async def agencies(self, dois: Sequence[str]) -> dict[str, Agency | None]:
        """Each DOI (lower-case) -> its agency, or None where none holds it; a DOI doi.org
        cannot place is left out. Many DOIs a request; a DOI holding a comma (which
        separates them there) is asked alone. Raises RegistryError."""
        wanted = list(dict.fromkeys(d for d in map(normalise_doi, dois) if d))
        batches: list[list[str]] = [[d] for d in wanted if "," in d]
        plain = [d for d in wanted if "," not in d]
        batches += [plain[i : i + RA_BATCH] for i in range(0, len(plain), RA_BATCH)]
        found: dict[str, Agency | None] = {}
        for batch in batches:
            path = "/ra/" + ",".join(quote(d, safe="/") for d in batch)
            found.update(await self._http.get("single", path, {}, _decipher_ra(batch)))
        return found

    async def work(self, doi: str, agency: Agency) -> Work | None:
        """The DOI's record as its agency serves it in CSL-JSON; None when doi.org does not
        know the DOI. Raises NotServed where the agency serves no CSL-JSON for it, and
        RegistryError when doi.org or the agency could not be reached."""
        normalised = normalise_doi(doi)
        if normalised is None:
            return None
        target = f"/{quote(normalised, safe='/')}"
        decipher = _decipher_csl(agency.label)
        for _ in range(_MAX_HOPS):
            answer = await self._http.get("single", target, {}, decipher)
            if not isinstance(answer, _Redirect):
                return answer
            target = answer.location  # httpx takes an absolute URL as it is
        raise NotServed(f"{agency.label}: too many redirects for {normalised}")
