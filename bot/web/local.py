"""The public pages on a port of this computer, for `changebot console`.

The console is one process for one person trying changebot out, so a small
threaded server from the standard library is enough there; `changebot run`
serves the pages with gunicorn (bot/server.py). It listens on loopback only,
on `PORT` or, when that is taken, on a free port, and writes no access log:
a request line holds the link's token and the visitor's address.
"""

from __future__ import annotations

import errno
import threading
from socketserver import ThreadingMixIn
from types import TracebackType
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from bot.edge import WsgiApp

LOOPBACK = "127.0.0.1"


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Unlogged(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """No access log: see the module."""


def _no_app(_environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
    return [b"Starting"]


class LocalPages:
    """A bound port first (so the links can name it), the app once it is built."""

    def __init__(self, port: int) -> None:
        try:
            self._server = self._bind(port)
        except OSError as taken:
            if taken.errno != errno.EADDRINUSE:
                raise
            self._server = self._bind(0)
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._server.server_port)

    def serve(self, application: WsgiApp) -> None:
        self._server.set_app(application)
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="public-pages", daemon=True
        )
        self._thread.start()

    def close(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
        self._server.server_close()

    def __enter__(self) -> LocalPages:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @staticmethod
    def _bind(port: int) -> WSGIServer:
        return make_server(
            LOOPBACK, port, _no_app, server_class=_ThreadingServer, handler_class=_Unlogged
        )
