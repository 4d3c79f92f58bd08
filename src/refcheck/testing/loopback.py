"""The silent HTTP server on 127.0.0.1 every stand-in (Crossref, DataCite, arXiv) serves from.

    class MyStandin(LoopbackStandin):
        def _answer(self, handler):           # writes one whole response
            ...

    with MyStandin() as service:
        ... service.url ...

A stdlib HTTP/1.1 server on a free port, served from a background thread: it prints nothing,
binds without looking the host name up, serves each connection from its own thread, and
:meth:`LoopbackServer.stop` closes idle keep-alive connections and joins their threads.
A stand-in's ``_stopping`` event is set on stop, so a handler sleeping for latency or a
slow fault (``self._stopping.wait(delay)``) wakes at once.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from socketserver import TCPServer
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

if TYPE_CHECKING:  # crossref_standin imports this module
    from refcheck.testing.crossref_standin import Fault

__all__ = ["Answer", "LoopbackServer", "LoopbackStandin"]

Answer = Callable[[BaseHTTPRequestHandler], None]


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self._connections_lock = threading.Lock()
        self._connections: dict[socket.socket, threading.Thread] = {}
        super().__init__(("127.0.0.1", 0), _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks the host name up (getfqdn), which can stall offline.
        TCPServer.server_bind(self)
        self.server_name, self.server_port = "127.0.0.1", int(self.server_address[1])

    def process_request(self, request: Any, client_address: Any) -> None:
        # Tracked so stop() can close idle keep-alive connections and join their threads.
        thread = threading.Thread(target=self._serve, args=(request, client_address), daemon=True)
        with self._connections_lock:
            self._connections[request] = thread
        thread.start()

    def _serve(self, request: Any, client_address: Any) -> None:
        try:
            self.finish_request(request, client_address)
        except Exception:  # a client that went away mid-answer is no news
            pass
        finally:
            self.shutdown_request(request)
            with self._connections_lock:
                self._connections.pop(request, None)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay silent: the stdlib would print a traceback to stderr."""

    def close_connections(self, timeout: float) -> None:
        with self._connections_lock:
            connections = list(self._connections.items())
        for sock, _ in connections:
            with contextlib.suppress(OSError):  # already closed by the client
                sock.shutdown(socket.SHUT_RDWR)
        for _, thread in connections:
            thread.join(timeout)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; with Nagle on, the body waits for a delayed ACK.
    disable_nagle_algorithm = True
    server: _Server
    # Idle keep-alive connections end after this long even if stop() is never called.
    timeout = 30

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: no request log on stderr."""

    def do_GET(self) -> None:
        self.server.answer(self)


class LoopbackServer:
    """Serves ``answer`` on 127.0.0.1 from a background thread, between start() and stop()."""

    def __init__(self, answer: Answer, name: str = "stand-in") -> None:
        self._answer = answer
        self._name = name
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._server is not None

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
        server.close_connections(timeout=5.0)
        server.server_close()
        self._server = self._thread = None

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError(f"the {self._name} is not running")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


class LoopbackStandin:
    """A stand-in's life: its :class:`LoopbackServer`, started and stopped with ``with``.

    Subclasses write :meth:`_answer`."""

    name = "stand-in"

    def __init__(self) -> None:
        self._stopping = threading.Event()
        self._server = LoopbackServer(self._answer, self.name)

    def _answer(self, handler: BaseHTTPRequestHandler) -> None:
        raise NotImplementedError

    def _dropped_or_delayed(self, handler: BaseHTTPRequestHandler, fault: Fault | None) -> bool:
        """Carry out a fault of the connection: True when it was dropped (nothing is to be
        written); a slow fault waits first, waking at once on stop."""
        if fault is not None and fault.kind == "disconnect":
            handler.close_connection = True
            handler.connection.shutdown(socket.SHUT_RDWR)
            return True
        if fault is not None and fault.kind == "slow":
            self._stopping.wait(fault.delay)
        return False

    def start(self) -> Self:
        if not self._server.running:
            self._stopping.clear()
            self._server.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes handlers sleeping for latency or a slow fault
        self._server.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        return self._server.port

    @property
    def url(self) -> str:
        return self._server.url
