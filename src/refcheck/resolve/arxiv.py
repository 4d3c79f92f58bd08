"""The arXiv export API, asked for one thing: the DOI of a preprint's published version.

arXiv's DataCite records seldom name the journal version; the export API's Atom entries do
(``<arxiv:doi>``, given by the authors). ``GET {base}/api/query?id_list=A,B&max_results=N``
answers one ``<entry>`` per known ID (an unknown well-formed ID is left out; a malformed
one gets a 400 with an error entry). Real answers are in ../shared/arxiv/raw/.

Etiquette, as arXiv documents it: at most one request every 3 seconds, one connection; so
IDs are asked in batches (up to 100 a request) through one :class:`~.pacing.Pacer`, and
every request goes through :meth:`ArxivClient._get`.

What it finds only adds a finding (RC703, info): a failure raises
:class:`~refcheck.errors.RegistryError` and the caller goes on without it.
"""

from __future__ import annotations

import random
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence

import httpx

from refcheck.errors import ConfigError, RegistryError
from refcheck.resolve.crossref import user_agent
from refcheck.resolve.pacing import Limits, Pacer

__all__ = ["ARXIV_LIMITS", "DEFAULT_ARXIV_URL", "ArxivClient", "published_dois"]

DEFAULT_ARXIV_URL = "https://export.arxiv.org"
# One request every 3 seconds, one at a time.
ARXIV_LIMITS = Limits(single_rate=1 / 3, list_rate=1 / 3, concurrency=1)
BATCH = 100

_ATOM = "{http://www.w3.org/2005/Atom}"
_ARXIV = "{http://arxiv.org/schemas/atom}"
_RETRYABLE = frozenset({429, 500, 502, 503, 504})


def _bare_id(entry_id: str) -> str | None:
    """``http://arxiv.org/abs/1706.03762v7`` -> ``1706.03762`` (None for an error entry)."""
    for prefix in ("http://arxiv.org/abs/", "https://arxiv.org/abs/"):
        if entry_id.startswith(prefix):
            identifier = entry_id[len(prefix) :]
            head, _, version = identifier.rpartition("v")
            return head if head and version.isdigit() else identifier
    return None


def published_dois(body: bytes) -> dict[str, str | None]:
    """Each entry's bare arXiv ID -> the DOI of its published version (None: none given).
    Raises RegistryError for a body that is not an Atom feed."""
    try:
        feed = ET.fromstring(body)
    except ET.ParseError:
        raise RegistryError("arXiv answered with a body that is not XML") from None
    if feed.tag != f"{_ATOM}feed":
        raise RegistryError("arXiv answered with XML that is not an Atom feed")
    found: dict[str, str | None] = {}
    for entry in feed.iter(f"{_ATOM}entry"):
        identifier = _bare_id((entry.findtext(f"{_ATOM}id") or "").strip())
        if identifier is None:
            continue
        doi = (entry.findtext(f"{_ARXIV}doi") or "").strip()
        found[identifier.lower()] = doi or None
    return found


class ArxivClient:
    """Asks the arXiv export API for the published DOIs of preprints, in batches."""

    def __init__(
        self,
        base_url: str = DEFAULT_ARXIV_URL,
        mailto: str | None = None,
        *,
        timeout: float = 10.0,
        retries: int = 2,
        transport: httpx.AsyncBaseTransport | None = None,
        pacer: Pacer | None = None,
        backoff: float = 3.0,
        jitter: Callable[[], float] | None = None,
    ) -> None:
        if not (base_url or "").startswith(("http://", "https://")):
            raise ConfigError("arxiv-url: expected an http(s) URL")
        if timeout <= 0:
            raise ConfigError("timeout: expected a positive number of seconds")
        self.retries = max(0, retries)
        self.pacer = pacer if pacer is not None else Pacer(ARXIV_LIMITS)
        self.requests = 0
        self._backoff = backoff
        self._jitter = jitter if jitter is not None else random.random
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            headers={"User-Agent": user_agent(mailto), "Accept": "application/atom+xml"},
            timeout=httpx.Timeout(timeout),
            transport=transport,
            follow_redirects=False,
        )

    async def __aenter__(self) -> ArxivClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def published(self, ids: Sequence[str]) -> dict[str, str | None]:
        """Each bare ID (lower-cased) -> its published version's DOI, or None (none given,
        or arXiv does not know the ID). Raises RegistryError."""
        wanted = list(dict.fromkeys(i.strip().lower() for i in ids if i.strip()))
        found: dict[str, str | None] = dict.fromkeys(wanted)
        for start in range(0, len(wanted), BATCH):
            batch = wanted[start : start + BATCH]
            params = {"id_list": ",".join(batch), "max_results": str(len(batch))}
            answer = published_dois(await self._get("/api/query", params))
            found.update({i: answer[i] for i in batch if i in answer})
        return found

    async def _get(self, path: str, params: dict[str, str]) -> bytes:
        attempt = 0
        while True:
            attempt += 1
            try:
                async with self.pacer.slot("list"):
                    self.requests += 1
                    response = await self._http.get(path, params=params)
            except httpx.TimeoutException:
                failure = "arXiv timed out"
            except (httpx.TransportError, httpx.DecodingError):
                failure = "arXiv could not be reached"
            else:
                if response.status_code == 200:
                    self.pacer.record(False)
                    return response.content
                if response.status_code not in _RETRYABLE:
                    self.pacer.record(True)
                    raise RegistryError(f"arXiv answered {response.status_code}")
                failure = f"arXiv answered {response.status_code}"
            self.pacer.record(True)
            if attempt > self.retries:
                raise RegistryError(f"{failure} after {attempt} attempt(s)")
            await self.pacer.sleep(self._backoff * (0.5 + 0.5 * self._jitter()))
