"""The arXiv export API, asked for one thing: the DOI of a preprint's published version.

arXiv's DataCite records seldom name the journal version; the export API's Atom entries do
(``<arxiv:doi>``, given by the authors). ``GET {base}/api/query?id_list=A,B&max_results=N``
answers one ``<entry>`` per known ID (an unknown well-formed ID is left out; a malformed
one gets a 400 with an error entry). Real answers are in ../shared/arxiv/raw/.

Etiquette, as arXiv documents it: at most one request every 3 seconds, one connection (the
:data:`~.pacing.ARXIV` pacer); so IDs are asked in batches (up to 100 a request), and every
request goes through :class:`~.http.RegistryHttp`, paced and retried as every registry
client's are.

What it finds only adds a finding (RC703, info): a failure raises
:class:`~refcheck.errors.RegistryError` and the caller goes on without it.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from typing import Unpack

from refcheck.errors import ConfigError, RegistryError
from refcheck.resolve.crossref import user_agent
from refcheck.resolve.http import HttpOptions, RegistryClient, RegistryHttp, Service
from refcheck.resolve.pacing import ARXIV, Pacer

__all__ = ["DEFAULT_ARXIV_URL", "ArxivClient", "published_dois"]

DEFAULT_ARXIV_URL = "https://export.arxiv.org"
BATCH = 100

_ARXIV_SERVICE = Service("arXiv", RegistryError)
_ATOM = "{http://www.w3.org/2005/Atom}"
_ARXIV = "{http://arxiv.org/schemas/atom}"


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


def _decipher(status: int, headers: Mapping[str, str], body: bytes) -> dict[str, str | None]:
    """:func:`published_dois` of a 200 answer (a 429 or 5xx never gets here)."""
    if status != 200:
        raise RegistryError(f"arXiv answered {status}")
    return published_dois(body)


class ArxivClient(RegistryClient):
    """Asks the arXiv export API for the published DOIs of preprints, in batches."""

    def __init__(
        self,
        base_url: str = DEFAULT_ARXIV_URL,
        mailto: str | None = None,
        *,
        pacer: Pacer | None = None,
        **options: Unpack[HttpOptions],
    ) -> None:
        """``options`` as :class:`~.http.HttpOptions` says; fewer retries than the others by
        default (what arXiv finds only adds a finding), and a first wait of one window."""
        if not (base_url or "").startswith(("http://", "https://")):
            raise ConfigError("arxiv-url: expected an http(s) URL")
        options.setdefault("retries", 2)
        options.setdefault("backoff", 3.0)
        headers = {"User-Agent": user_agent(mailto), "Accept": "application/atom+xml"}
        pacer = pacer if pacer is not None else Pacer(ARXIV)
        super().__init__(RegistryHttp(_ARXIV_SERVICE, base_url, pacer, headers, **options))

    async def published(self, ids: Sequence[str]) -> dict[str, str | None]:
        """Each bare ID (lower-cased) -> its published version's DOI, or None (none given,
        or arXiv does not know the ID). Raises RegistryError."""
        wanted = list(dict.fromkeys(i.strip().lower() for i in ids if i.strip()))
        found: dict[str, str | None] = dict.fromkeys(wanted)
        for start in range(0, len(wanted), BATCH):
            batch = wanted[start : start + BATCH]
            params = {"id_list": ",".join(batch), "max_results": str(len(batch))}
            answer = await self._http.get("single", "/api/query", params, _decipher)
            found.update({i: answer[i] for i in batch if i in answer})
        return found
