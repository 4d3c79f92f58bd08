"""An arXiv export API stand-in on 127.0.0.1, serving the entries of ../shared/arxiv.

    with ArxivStandin(load_records("../shared/arxiv/entries.jsonl.gz")) as arxiv:
        client = ArxivClient(arxiv.url)

``GET /api/query?id_list=A,B&max_results=N`` answers an Atom feed in the 2025+ API's shape
(../shared/arxiv/raw/api2026_*.xml): one ``<entry>`` per known ID, its ``<id>`` always with
the version, ``<arxiv:doi>`` and ``<arxiv:journal_ref>`` where the entry has them; an unknown
well-formed ID is left out; a malformed one gets a 400 feed with an error entry, as arXiv's.
The IDs may carry a version. With ``enforce_limits=True``, a request sooner than
``interval`` seconds after the last (arXiv asks for 3) gets a 503, counted in ``throttled``.
:attr:`ArxivStandin.requests` lists the queries asked, oldest first.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterable, Mapping
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

from refcheck.testing.loopback import LoopbackStandin

__all__ = ["ArxivStandin"]

_ID = re.compile(r"^(?:\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?$")
_HEAD = (
    "<?xml version='1.0' encoding='UTF-8'?>\n"
    '<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
    'xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">\n'
)


class ArxivStandin(LoopbackStandin):
    """A loopback arXiv export API: ``/api/query?id_list=`` over real entries."""

    name = "arXiv stand-in"

    def __init__(
        self,
        entries: Iterable[Mapping[str, Any]],
        *,
        interval: float = 3.0,
        enforce_limits: bool = False,
    ) -> None:
        self._entries = {str(e["id"]).lower(): e for e in entries}
        self.interval = interval
        self.enforce_limits = enforce_limits
        self.throttled = 0
        self._last = float("-inf")
        self._lock = threading.Lock()
        self._log: list[str] = []
        super().__init__()

    @property
    def requests(self) -> list[str]:
        with self._lock:
            return list(self._log)

    def _answer(self, handler: BaseHTTPRequestHandler) -> None:
        split = urlsplit(handler.path)
        query = parse_qs(split.query)
        with self._lock:
            self._log.append(split.query)
            now = time.monotonic()
            early = self.enforce_limits and now - self._last < self.interval
            self._last = now
            if early:
                self.throttled += 1
        if early:
            status, body = 503, "Rate exceeded."
        elif split.path != "/api/query":
            status, body = 404, "Not found"
        else:
            status, body = self._feed(",".join(query.get("id_list", [])))
        data = body.encode("utf-8")
        handler.send_response(status)
        kind = "application/atom+xml" if body.startswith("<?xml") else "text/plain"
        handler.send_header("Content-Type", f"{kind}; charset=utf-8")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def _feed(self, id_list: str) -> tuple[int, str]:
        ids = [i.strip() for i in id_list.split(",") if i.strip()]
        bad = next((i for i in ids if not _ID.match(i)), None)
        if bad is not None:
            error = f"https://arxiv.org/api/errors#incorrect_id_format_for_{escape(bad)}"
            return 400, (
                f"{_HEAD}  <id>https://arxiv.org/</id>\n  <title>arXiv Search Results</title>\n"
                f"  <entry>\n    <id>{error}</id>\n    <title>Error</title>\n"
                f"    <summary>incorrect id format for {escape(bad)}</summary>\n"
                "    <author>\n      <name>arXiv api core</name>\n    </author>\n  </entry>\n"
                "</feed>\n"
            )
        found = []
        for identifier in ids:
            entry = self._entries.get(re.sub(r"v\d+$", "", identifier).lower())
            if entry is not None:
                found.append(_entry(entry))
        return 200, (
            f"{_HEAD}  <id>https://arxiv.org/api/standin</id>\n"
            f"  <opensearch:totalResults>{len(found)}</opensearch:totalResults>\n"
            + "".join(found)
            + "</feed>\n"
        )


def _entry(entry: Mapping[str, Any]) -> str:
    parts = [
        "  <entry>\n",
        f"    <id>http://arxiv.org/abs/{escape(str(entry['id']))}{escape(str(entry['version']))}"
        "</id>\n",
        f"    <title>{escape(str(entry.get('title') or ''))}</title>\n",
        f"    <published>{escape(str(entry.get('published') or ''))}</published>\n",
    ]
    parts += [
        f"    <author>\n      <name>{escape(str(name))}</name>\n    </author>\n"
        for name in entry.get("authors") or []
    ]
    if entry.get("doi"):
        parts.append(f"    <arxiv:doi>{escape(str(entry['doi']))}</arxiv:doi>\n")
    if entry.get("journal_ref"):
        parts.append(
            f"    <arxiv:journal_ref>{escape(str(entry['journal_ref']))}</arxiv:journal_ref>\n"
        )
    parts.append("  </entry>\n")
    return "".join(parts)
