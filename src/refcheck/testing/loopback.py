"""A silent HTTP server on 127.0.0.1 for the stand-ins of other services than Crossref.

    server = LoopbackServer(answer)           # answer(handler) writes one whole response
    server.start(); ... server.url ...; server.stop()

A stdlib ``ThreadingHTTPServer`` on a free port, served from a background thread: it prints
nothing, binds without looking the host name up, and :meth:`LoopbackServer.stop` joins it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from socketserver import TCPServer
from typing import Any

__all__ = ["Answer", "LoopbackServer"]

Answer = Callable[[BaseHTTPRequestHandler], None]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = True

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        super().__init__(("127.0.0.1", 0), _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks the host name up (getfqdn), which can stall offline.
        TCPServer.server_bind(self)
        self.server_name, self.server_port = "127.0.0.1", int(self.server_address[1])

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay silent: the stdlib would print a traceback to stderr."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: _Server
    timeout = 5

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: no request log on stderr."""

    def do_GET(self) -> None:
        self.server.answer(self)


class LoopbackServer:
    """Serves ``answer`` on 127.0.0.1 from a background thread, between start() and stop()."""

    def __init__(self, answer: Answer) -> None:
        self._answer = answer
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._server is None:
            self._server = _Server(self._answer)
            self._thread = threading.Thread(
                target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
            )
            self._thread.start()

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        server.shutdown()
        thread.join()
        server.server_close()
        self._server = self._thread = None

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the stand-in is not running")
        return f"http://127.0.0.1:{int(self._server.server_address[1])}"
