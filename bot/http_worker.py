"""gunicorn's threaded worker with one deadline for reading each request.

gthread hands every connection to a thread, which reads the request with
blocking `recv` calls. A timeout per call does not stop a client that sends a
byte a second: sixteen such clients held all eight threads, and real requests
waited behind them for as long as they kept trickling. So here a request's
headers and body together must arrive within `REQUEST_READ_SECONDS` of its
first read. A client that is slower is answered 408, logged in one warning
line, and its connection closed at once (gunicorn's graceful close would
otherwise wait up to 2 s on the main loop for it to stop sending). A slow
client therefore holds a thread for about two seconds, and with
`HTTP_THREADS` (32 by default) a few of them leave most threads to Slack.

Why not a worker that gives slow clients no thread at all: gunicorn's async
workers (gevent, eventlet: a new dependency) monkey-patch sockets and
threads under SQLAlchemy, psycopg, APScheduler and changebot's own sender,
and its asyncio worker serves ASGI, not our WSGI app. Many slow clients at once can still
take every thread for those two seconds; the defence against that is a
reverse proxy in front that buffers whole requests before passing them on
(nginx does by default), as the README says.

The worker serves plain HTTP/1.1: changebot's gunicorn is configured in code
without TLS (that ends at the proxy), which is why the parser can be made
here, reading through the deadline, before gunicorn would make its own.
"""

from __future__ import annotations

import contextlib
import socket
import time
from typing import Any

from gunicorn import util
from gunicorn.http.parser import RequestParser
from gunicorn.workers.gthread import ThreadWorker

# Slack sends small bodies from fast servers, and a command must be answered
# within 3 s anyway: a request that takes longer than this to arrive is not Slack.
REQUEST_READ_SECONDS = 2.0


class ReadDeadlinePassed(TimeoutError):
    """A read found the request's deadline passed.

    A TimeoutError, so gunicorn's own bounded reads (draining a body before
    keep-alive, the graceful close) give up on the connection as on a timeout.
    """


class SlowRequest(Exception):
    """The request did not arrive whole in time: what the worker answers 408.

    Not an OSError, which gunicorn logs with a traceback as a socket failure.
    """


class DeadlineSocket:
    """A connection's socket whose reads for one request share one deadline.

    gunicorn reads headers and body through `recv`; every other attribute is
    the socket's own. Once the deadline has passed it stays passed, so every
    later read on the connection fails at once and it is closed.
    """

    def __init__(self, sock: socket.socket, seconds: float) -> None:
        self._sock = sock
        self._seconds = seconds
        self._deadline: float | None = None

    def start_request(self) -> None:
        if not self._passed():
            self._deadline = time.monotonic() + self._seconds

    def end_request(self) -> None:
        """The request was read and answered: reads until the next one are gunicorn's to bound."""
        if not self._passed():
            self._deadline = None

    def recv(self, size: int, flags: int = 0) -> bytes:
        if self._deadline is None:
            return self._sock.recv(size, flags)
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            raise ReadDeadlinePassed("the request's read deadline has passed")
        # A caller's own shorter timeout (gunicorn's drains set one) still applies.
        own_timeout = self._sock.gettimeout()
        deadline_first = own_timeout is None or remaining <= own_timeout
        self._sock.settimeout(remaining if deadline_first else own_timeout)
        try:
            return self._sock.recv(size, flags)
        except TimeoutError:
            if deadline_first:
                raise ReadDeadlinePassed("the request's read deadline has passed") from None
            raise
        finally:
            self._sock.settimeout(own_timeout)

    def _passed(self) -> bool:
        return self._deadline is not None and time.monotonic() >= self._deadline

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


class DeadlineRequestParser(RequestParser):
    """gunicorn's HTTP/1.1 parser, starting each request's deadline as it starts reading it."""

    def __init__(self, cfg: Any, sock: DeadlineSocket, client: Any) -> None:
        super().__init__(cfg, sock, client)
        self._deadline_socket = sock

    def __next__(self) -> Any:
        self._deadline_socket.start_request()
        try:
            return super().__next__()
        except ReadDeadlinePassed as passed:
            raise SlowRequest from passed


class DeadlineWorker(ThreadWorker):
    """gthread, with `REQUEST_READ_SECONDS` for each request to arrive (see the module)."""

    def handle(self, conn: Any) -> Any:
        if conn.parser is None:
            conn.sock = DeadlineSocket(conn.sock, REQUEST_READ_SECONDS)
            conn.parser = DeadlineRequestParser(self.cfg, conn.sock, conn.client)
        return super().handle(conn)

    def handle_request(self, req: Any, conn: Any) -> bool:
        """Serve one request; a body that stopped arriving in time becomes a SlowRequest."""
        try:
            keep_alive = bool(super().handle_request(req, conn))
        except ReadDeadlinePassed as passed:
            raise SlowRequest from passed
        conn.sock.end_request()
        return keep_alive

    def handle_error(self, req: Any, client: Any, addr: Any, exc: BaseException) -> None:
        if not isinstance(exc, SlowRequest):
            super().handle_error(req, client, addr, exc)
            return
        # Not who it was (bot/server.py's EscapingGunicornLogger): a slow phone may be one
        # sending an anonymous answer.
        self.log.warning(
            "Closed a connection: its request took longer than %s s to arrive",
            REQUEST_READ_SECONDS,
        )
        with contextlib.suppress(OSError):
            util.write_error(client, 408, "Request Timeout", "The request took too long to arrive.")
